//! The timeline of a run folder (`webrunner run … --out DIR`): each record of `records.json`
//! is a span, `console.json` gives the console messages and `network.json` the responses
//! (each falls back to the records' own `console` / `network` lists when its file is
//! absent), and an optional `spans.json` adds spans of its own.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use webrunner_record::{ConsoleEntry, Evidence, NetworkEntry, Record};

use crate::run::InFlow;

use super::{from_console, from_responses, from_spans, merge, TimelineError, TimelineEvent};

/// A file of the run folder that is missing, unreadable or not what it should be.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct RunDirError {
    /// The file.
    pub path: PathBuf,
    /// What was wrong.
    pub reason: String,
}

fn error(path: &Path, reason: impl Into<String>) -> RunDirError {
    RunDirError {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The bytes of `path`, or `None` when it does not exist (and `optional`).
fn read(path: &Path, optional: bool) -> Result<Option<Vec<u8>>, RunDirError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if optional && e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(error(path, e.to_string())),
    }
}

/// A JSON list of `T` from `path` (`None` when the file is absent and `optional`).
fn read_list<T: DeserializeOwned>(
    path: &Path,
    optional: bool,
    what: &str,
) -> Result<Option<Vec<T>>, RunDirError> {
    let Some(bytes) = read(path, optional)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| error(path, format!("not a JSON list of {what}: {e}")))
}

/// What flow `flow` said and fetched up to action `index`, from the run folder `dir`'s
/// `console.json` and `network.json` (`None` when either is absent).
pub fn flow_evidence(
    dir: &Path,
    flow: Option<&str>,
    index: usize,
) -> Result<Option<Evidence>, RunDirError> {
    fn of_flow<T>(
        list: Vec<InFlow<Option<String>, T>>,
        keep: impl Fn(&Option<String>, &T) -> bool,
    ) -> Vec<T> {
        let kept = list.into_iter().filter(|x| keep(&x.flow, &x.item));
        kept.map(|x| x.item).collect()
    }
    let console = read_list(&dir.join("console.json"), true, "console entries")?;
    let network = read_list(&dir.join("network.json"), true, "network entries")?;
    let ours = |f: &Option<String>, action: Option<usize>| {
        f.as_deref() == flow && action.is_none_or(|a| a <= index)
    };
    Ok(match (console, network) {
        (Some(c), Some(n)) => Some(Evidence {
            console: of_flow(c, |f, x: &ConsoleEntry| ours(f, x.action)),
            network: of_flow(n, |f, x: &NetworkEntry| ours(f, x.action)),
        }),
        _ => None,
    })
}

/// Milliseconds since the Unix epoch of an RFC 3339 time.
fn epoch_ms(text: &str) -> Option<f64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let nanos = t.unix_timestamp_nanos();
    // Whole milliseconds and the rest apart, so a millisecond time stays exact.
    Some((nanos.div_euclid(1_000_000)) as f64 + (nanos.rem_euclid(1_000_000)) as f64 / 1e6)
}

/// A record as a span: name = command, from `started_at` for `duration_ms`, attrs
/// `{flow, index, status, attempts}` and `error` when it failed.
fn record_span(path: &Path, at: usize, r: &Record) -> Result<Value, RunDirError> {
    let start = epoch_ms(&r.started_at).ok_or_else(|| {
        error(
            path,
            format!(
                "[{at}]: started_at {:?} is not an RFC 3339 time",
                r.started_at
            ),
        )
    })?;
    let mut attrs = Map::new();
    attrs.insert("flow".into(), json!(r.flow));
    attrs.insert("index".into(), json!(r.index));
    attrs.insert("status".into(), json!(r.status.as_str()));
    attrs.insert("attempts".into(), json!(r.attempts));
    if r.failed() {
        attrs.insert("error".into(), json!(r.error));
    }
    Ok(json!({
        "name": r.command,
        "start_ms": start,
        "end_ms": start + r.duration_ms,
        "attrs": attrs,
    }))
}

/// `url:line:col` (as far as known), or `null` without a URL.
fn location(c: &ConsoleEntry) -> Value {
    let Some(url) = &c.url else {
        return Value::Null;
    };
    let mut text = url.clone();
    for part in [c.line, c.column].into_iter().map_while(|p| p) {
        text.push_str(&format!(":{part}"));
    }
    Value::String(text)
}

/// A console entry as a console message `{type, text, location, timestamp_ms}`.
fn console_item(c: &ConsoleEntry) -> Value {
    json!({
        "type": c.level,
        "text": c.text,
        "location": location(c),
        "timestamp_ms": c.timestamp_ms,
    })
}

/// A network entry as a response `{method, status, url, ok, timestamp_ms, duration_ms}`
/// (`status` and `duration_ms` only when known).
fn network_item(n: &NetworkEntry) -> Value {
    let mut item = Map::new();
    item.insert("method".into(), json!(n.method));
    if let Some(status) = n.status {
        item.insert("status".into(), json!(status));
    }
    item.insert("url".into(), json!(n.url));
    item.insert("ok".into(), json!(!n.failed()));
    item.insert("timestamp_ms".into(), json!(n.timestamp_ms));
    if let Some(d) = n.duration_ms {
        item.insert("duration_ms".into(), json!(d));
    }
    Value::Object(item)
}

/// The JSON text of a list, for the same readers as source files.
fn text(items: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&items).unwrap_or_else(|_| b"[]".to_vec())
}

/// A timeline error from the file at `path`.
fn timeline_error(path: &Path) -> impl Fn(TimelineError) -> RunDirError + '_ {
    move |e| error(path, e.to_string())
}

/// Where each source came from, for errors.
struct Origins<'a> {
    records: &'a Path,
    console: &'a Path,
    network: &'a Path,
}

/// The records' spans, the console messages and the responses of `records`, `console` and
/// `network` as timeline events.
fn sources(
    from: &Origins<'_>,
    records: &[Record],
    console: &[ConsoleEntry],
    network: &[NetworkEntry],
) -> Result<[Vec<TimelineEvent>; 3], RunDirError> {
    let spans: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(at, r)| record_span(from.records, at, r))
        .collect::<Result<_, _>>()?;
    let spans = from_spans(&text(spans)).map_err(timeline_error(from.records))?;
    let console = text(console.iter().map(console_item).collect());
    let console = from_console(&console).map_err(timeline_error(from.console))?;
    let network = text(network.iter().map(network_item).collect());
    let responses = from_responses(&network).map_err(timeline_error(from.network))?;
    Ok([spans, console, responses])
}

/// The timeline of `records` (each a span) and what their pages said and fetched, ordered as
/// [`super::build`] orders it: a failure bundle's `timeline.json`.
pub fn of_records(
    records: &[Record],
    evidence: &Evidence,
) -> Result<Vec<TimelineEvent>, RunDirError> {
    let here = Path::new("records");
    let from = Origins {
        records: here,
        console: here,
        network: here,
    };
    let [spans, console, responses] =
        sources(&from, records, &evidence.console, &evidence.network)?;
    Ok(merge([spans, console, responses]))
}

/// The timeline of the run folder `dir`, ordered as [`super::build`] orders it: the records'
/// spans, then `spans.json`'s, then console messages, then responses, sorted by time.
pub fn build_run(dir: &Path) -> Result<Vec<TimelineEvent>, RunDirError> {
    let records_path = dir.join("records.json");
    let records: Vec<Record> = read_list(&records_path, false, "records")?.unwrap_or_default();

    let spans_path = dir.join("spans.json");
    let file_spans = match read(&spans_path, true)? {
        Some(bytes) => from_spans(&bytes).map_err(timeline_error(&spans_path))?,
        None => Vec::new(),
    };

    let console_path = dir.join("console.json");
    let console: Vec<ConsoleEntry> = match read_list(&console_path, true, "console entries")? {
        Some(list) => list,
        None => records.iter().flat_map(|r| r.console.clone()).collect(),
    };
    let network_path = dir.join("network.json");
    let network: Vec<NetworkEntry> = match read_list(&network_path, true, "network entries")? {
        Some(list) => list,
        None => records.iter().flat_map(|r| r.network.clone()).collect(),
    };
    let from = Origins {
        records: &records_path,
        console: &console_path,
        network: &network_path,
    };
    let [record_spans, console, responses] = sources(&from, &records, &console, &network)?;
    Ok(merge([record_spans, file_spans, console, responses]))
}

#[cfg(test)]
mod tests;

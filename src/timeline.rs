//! The merged timeline (SPEC §6): spans, console messages and HTTP responses on one
//! chronological list of `{timestamp_ms, kind, label, payload}` events.
//!
//! Timestamps are numbers or numeric strings; `to_json` prints the list the way Python's
//! `json.dumps` does (`", "` and `": "` separators, ASCII-only strings, floats as `repr`).
//! Sources are read straight from their JSON text (`input.rs`), each payload printed as it
//! is read; a run folder gives the sources too (`run_dir.rs`), and `chrome_trace.rs` turns
//! the list into a Chrome trace.

use std::cmp::Ordering;
use std::io::{self, Write};

use serde_json::Value;

pub mod chrome_trace;
mod input;
mod pyjson;
pub mod run_dir;

use input::{read_source, Field, Item, Shape, SourceKind, Stamp};
pub use pyjson::py_float_string as py_float;

/// Input that cannot be placed on the timeline: a source that is not a list of objects, or a
/// timestamp (or span duration) that is infinite or not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}{at}: {reason}")]
pub struct TimelineError {
    /// `spans`, `console` or `responses`.
    pub source_name: &'static str,
    /// `[index]` of the offending item, or empty when the whole source is wrong.
    pub at: String,
    /// What was wrong.
    pub reason: String,
}

/// A single point on the merged timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEvent {
    /// Milliseconds (epoch or relative, as given by the source).
    pub timestamp_ms: f64,
    /// Which kind of event, with what a Chrome trace needs to draw it.
    pub kind: Kind,
    /// Span name, console message type, or `"METHOD STATUS"`.
    pub label: String,
    /// The payload object as Python's `json.dumps` prints it: `{end_ms, attrs}`,
    /// `{duration_ms}`, `{text, location}` or `{url, status, ok}`.
    pub payload: String,
}

/// The kind of an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// `span.start`, with the span's end when it has one.
    SpanStart {
        /// The span's end.
        end_ms: Option<f64>,
    },
    /// `span.end`.
    SpanEnd,
    /// `console`.
    Console,
    /// `response`, with the request's duration when the source gives one (`duration_ms`,
    /// finite and not negative; not printed).
    Response {
        /// How long the request took.
        duration_ms: Option<f64>,
    },
}

impl Kind {
    /// `span.start`, `span.end`, `console` or `response`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SpanStart { .. } => "span.start",
            Kind::SpanEnd => "span.end",
            Kind::Console => "console",
            Kind::Response { .. } => "response",
        }
    }
}

impl TimelineEvent {
    /// `span.start`, `span.end`, `console` or `response`.
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The payload as a JSON value (`null` in the unlikely case it does not read back).
    pub fn payload_value(&self) -> Value {
        serde_json::from_str(&self.payload).unwrap_or(Value::Null)
    }
}

/// Python truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn error(source_name: &'static str, at: String, reason: String) -> TimelineError {
    TimelineError {
        source_name,
        at,
        reason,
    }
}

/// Reads `text` as the source `kind`, turning each object into events with `convert` (given
/// its index and the list to push to); stops converting at the first error.
fn convert_source(
    kind: SourceKind,
    text: &[u8],
    mut convert: impl FnMut(usize, Item, &mut Vec<TimelineEvent>) -> Result<(), TimelineError>,
) -> Result<Vec<TimelineEvent>, TimelineError> {
    let source_name = match kind {
        SourceKind::Spans => "spans",
        SourceKind::Console => "console",
        SourceKind::Responses => "responses",
    };
    let mut events = Vec::new();
    let mut failed: Option<TimelineError> = None;
    let mut index = 0;
    let shape = read_source(kind, text, |entry| {
        if failed.is_none() {
            let outcome = match entry {
                Ok(item) => convert(index, item, &mut events),
                Err(what) => Err(error(
                    source_name,
                    format!("[{index}]"),
                    format!("expected an object, got {what}"),
                )),
            };
            failed = outcome.err();
        }
        index += 1;
    })
    .map_err(|e| error(source_name, String::new(), format!("not valid JSON: {e}")))?;
    if let Shape::Wrong(what) = shape {
        return Err(error(
            source_name,
            String::new(),
            format!("expected a JSON list of objects, got {what}"),
        ));
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(events),
    }
}

/// The number of a present stamp, refused when it is not finite.
fn finite(
    source_name: &'static str,
    index: usize,
    stamp: &Stamp,
    v: f64,
) -> Result<f64, TimelineError> {
    if v.is_finite() {
        return Ok(v);
    }
    let shown = stamp.shown.clone().unwrap_or_else(|| v.to_string());
    Err(error(
        source_name,
        format!("[{index}]"),
        format!("timestamp {shown} is not finite"),
    ))
}

/// `str(value or default)` in Python terms.
fn text_or(value: Option<Field>, default: &str) -> String {
    match value {
        Some(Field {
            truthy: true,
            text: Some(text),
            ..
        }) => text,
        _ => default.to_string(),
    }
}

fn json_or_null(field: &Option<Field>) -> &str {
    field.as_ref().map_or("null", |f| f.json.as_str())
}

/// Spans (`{name, start_ms|start, end_ms|end, attrs}`) → `span.start` and `span.end` events;
/// a span without a usable start is skipped.
pub fn from_spans(json: &[u8]) -> Result<Vec<TimelineEvent>, TimelineError> {
    convert_source(SourceKind::Spans, json, |index, span, events| {
        let raw_start = span.start_ms.or(span.start);
        let Some(start_stamp) = raw_start.filter(|s| s.value.is_some()) else {
            return Ok(());
        };
        let start = finite(
            "spans",
            index,
            &start_stamp,
            start_stamp.value.unwrap_or(0.0),
        )?;
        let end = match span.end_ms.or(span.end) {
            Some(stamp @ Stamp { value: Some(v), .. }) => Some(finite("spans", index, &stamp, v)?),
            _ => None,
        };
        let name = text_or(span.name, "span");
        let attrs = match &span.attrs {
            Some(a) if a.truthy => a.json.as_str(),
            _ => "{}",
        };
        let mut payload = String::with_capacity(24 + attrs.len());
        payload.push_str("{\"end_ms\": ");
        match end {
            Some(v) => payload.push_str(&py_float(v)),
            None => payload.push_str("null"),
        }
        payload.push_str(", \"attrs\": ");
        payload.push_str(attrs);
        payload.push('}');
        let end_event = match end {
            Some(end) => {
                let duration = finite("spans", index, &Stamp::default(), end - start)?;
                Some(TimelineEvent {
                    timestamp_ms: end,
                    kind: Kind::SpanEnd,
                    label: name.clone(),
                    payload: format!("{{\"duration_ms\": {}}}", py_float(duration)),
                })
            }
            None => None,
        };
        events.push(TimelineEvent {
            timestamp_ms: start,
            kind: Kind::SpanStart { end_ms: end },
            label: name,
            payload,
        });
        events.extend(end_event);
        Ok(())
    })
}

/// The timestamp of a console message or response: `timestamp_ms`, else `ts`, else its index.
fn timestamp_or_index(
    source_name: &'static str,
    index: usize,
    item: &mut Item,
) -> Result<f64, TimelineError> {
    let raw = item.timestamp_ms.take().or(item.ts.take());
    match raw {
        Some(stamp @ Stamp { value: Some(v), .. }) => finite(source_name, index, &stamp, v),
        _ => Ok(index as f64),
    }
}

/// Console messages → `console` events labelled by their `type` (default `log`), payload
/// `{text, location}`.
pub fn from_console(json: &[u8]) -> Result<Vec<TimelineEvent>, TimelineError> {
    convert_source(SourceKind::Console, json, |index, mut message, events| {
        let timestamp_ms = timestamp_or_index("console", index, &mut message)?;
        let text = json_or_null(&message.text);
        let location = json_or_null(&message.location);
        let mut payload = String::with_capacity(26 + text.len() + location.len());
        payload.push_str("{\"text\": ");
        payload.push_str(text);
        payload.push_str(", \"location\": ");
        payload.push_str(location);
        payload.push('}');
        events.push(TimelineEvent {
            timestamp_ms,
            kind: Kind::Console,
            label: text_or(message.kind, "log"),
            payload,
        });
        Ok(())
    })
}

/// HTTP responses → `response` events labelled `"METHOD STATUS"` (defaults `GET` and `?` when
/// the key is absent), payload `{url, status, ok}`. A finite, non-negative `duration_ms` is
/// kept for the Chrome trace.
pub fn from_responses(json: &[u8]) -> Result<Vec<TimelineEvent>, TimelineError> {
    convert_source(
        SourceKind::Responses,
        json,
        |index, mut response, events| {
            let timestamp_ms = timestamp_or_index("responses", index, &mut response)?;
            let label_of = |f: &Option<Field>, default: &str| {
                f.as_ref()
                    .and_then(|f| f.text.as_deref())
                    .unwrap_or(default)
                    .to_string()
            };
            let method = label_of(&response.method, "GET");
            let status = label_of(&response.status, "?");
            let duration_ms = response
                .duration_ms
                .and_then(|d| d.value)
                .filter(|d| d.is_finite() && *d >= 0.0);
            let (url, status_json, ok) = (
                json_or_null(&response.url),
                json_or_null(&response.status),
                json_or_null(&response.ok),
            );
            let mut payload = String::with_capacity(32 + url.len() + status_json.len() + ok.len());
            payload.push_str("{\"url\": ");
            payload.push_str(url);
            payload.push_str(", \"status\": ");
            payload.push_str(status_json);
            payload.push_str(", \"ok\": ");
            payload.push_str(ok);
            payload.push('}');
            let mut label = String::with_capacity(method.len() + 1 + status.len());
            label.push_str(&method);
            label.push(' ');
            label.push_str(&status);
            events.push(TimelineEvent {
                timestamp_ms,
                kind: Kind::Response { duration_ms },
                label,
                payload,
            });
            Ok(())
        },
    )
}

/// Concatenates the lists and sorts by timestamp, ascending and stable (equal timestamps keep
/// their order). Sorts (timestamp, position) pairs, then moves each event once.
pub fn merge(lists: impl IntoIterator<Item = Vec<TimelineEvent>>) -> Vec<TimelineEvent> {
    let merged: Vec<TimelineEvent> = lists.into_iter().flatten().collect();
    let mut order: Vec<(f64, usize)> = merged
        .iter()
        .enumerate()
        .map(|(i, e)| (e.timestamp_ms, i))
        .collect();
    order.sort_unstable_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    let mut slots: Vec<Option<TimelineEvent>> = merged.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&(_, i)| slots.get_mut(i).and_then(Option::take))
        .collect()
}

/// The three sources (JSON texts; `b"null"` or `b"[]"` for a missing one) merged into one
/// ordered list. The sources are read side by side; the first error in the order spans,
/// console, responses is the one returned.
pub fn build(
    spans: &[u8],
    console: &[u8],
    responses: &[u8],
) -> Result<Vec<TimelineEvent>, TimelineError> {
    let (spans, console, responses) = std::thread::scope(|s| {
        let spans = s.spawn(|| from_spans(spans));
        let console = s.spawn(|| from_console(console));
        let responses = from_responses(responses);
        (spans.join(), console.join(), responses)
    });
    let joined = |r: std::thread::Result<Result<Vec<TimelineEvent>, TimelineError>>, name| {
        r.unwrap_or_else(|_| {
            Err(error(
                name,
                String::new(),
                "reading the source failed".into(),
            ))
        })
    };
    Ok(merge([
        joined(spans, "spans")?,
        joined(console, "console")?,
        responses?,
    ]))
}

/// The events as the JSON list Python's `json.dumps(build(...))` prints.
pub fn to_json(events: &[TimelineEvent]) -> String {
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"[" } else { b", " });
        write_event(&mut out, e);
    }
    out.extend_from_slice(if events.is_empty() { b"[]" } else { b"]" });
    String::from_utf8(out).unwrap_or_default()
}

/// Writes what [`to_json`] gives, and a newline, in large blocks.
pub fn write_json(events: &[TimelineEvent], mut out: impl Write) -> io::Result<()> {
    const BLOCK: usize = 1 << 20;
    let mut buf = Vec::with_capacity(BLOCK + 4096);
    buf.push(b'[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(b", ");
        }
        write_event(&mut buf, e);
        if buf.len() >= BLOCK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.extend_from_slice(b"]\n");
    out.write_all(&buf)?;
    out.flush()
}

fn write_event(out: &mut Vec<u8>, e: &TimelineEvent) {
    out.extend_from_slice(b"{\"timestamp_ms\": ");
    pyjson::py_float(out, e.timestamp_ms);
    out.extend_from_slice(b", \"kind\": \"");
    out.extend_from_slice(e.kind().as_bytes());
    out.extend_from_slice(b"\", \"label\": ");
    pyjson::json_string(out, &e.label);
    out.extend_from_slice(b", \"payload\": ");
    out.extend_from_slice(e.payload.as_bytes());
    out.push(b'}');
}

#[cfg(test)]
mod tests;

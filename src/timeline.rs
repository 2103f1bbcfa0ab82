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
mod printed;
mod pyjson;
pub mod run_dir;

use input::{Field, Item, SourceKind, Stamp};
pub use printed::Timeline;
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

/// The name of a source in messages.
fn source_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Spans => "spans",
        SourceKind::Console => "console",
        SourceKind::Responses => "responses",
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

/// A span's start and end (`start_ms`, else `start`; `end_ms`, else `end`), or `None` when
/// it has no usable start and is skipped. Start, end and duration must be finite.
fn span_times(index: usize, span: &Item) -> Result<Option<(f64, Option<f64>)>, TimelineError> {
    let Some(start_stamp) = span.start_ms.as_ref().or(span.start.as_ref()) else {
        return Ok(None);
    };
    let Some(start) = start_stamp.value else {
        return Ok(None);
    };
    let start = finite("spans", index, start_stamp, start)?;
    let end = match span.end_ms.as_ref().or(span.end.as_ref()) {
        Some(stamp @ Stamp { value: Some(v), .. }) => {
            let end = finite("spans", index, stamp, *v)?;
            finite("spans", index, &Stamp::default(), end - start)?;
            Some(end)
        }
        _ => None,
    };
    Ok(Some((start, end)))
}

/// The timestamp of a console message or response: `timestamp_ms`, else `ts`, else its index.
fn message_time(kind: SourceKind, index: usize, item: &Item) -> Result<f64, TimelineError> {
    match item.timestamp_ms.as_ref().or(item.ts.as_ref()) {
        Some(stamp @ Stamp { value: Some(v), .. }) => finite(source_name(kind), index, stamp, *v),
        _ => Ok(index as f64),
    }
}

/// `str(value or default)` in Python terms.
fn text_or<'a>(value: &'a Option<Field>, default: &'a str) -> &'a str {
    match value {
        Some(Field {
            truthy: true,
            text: Some(text),
            ..
        }) => text,
        _ => default,
    }
}

/// A label part: the field's Python `str()`, or `default` when the key is absent.
fn label_of<'a>(f: &'a Option<Field>, default: &'a str) -> &'a str {
    f.as_ref()
        .and_then(|f| f.text.as_deref())
        .unwrap_or(default)
}

fn json_or_null(field: &Option<Field>) -> &str {
    field.as_ref().map_or("null", |f| f.json.as_str())
}

/// Where the rules put the events of an element: its time, kind, label, and the payload
/// object as printed, in pieces.
trait Sink {
    fn event(&mut self, timestamp_ms: f64, kind: Kind, label: &str, payload: &[&str]);
}

/// The `span.start` and `span.end` events of a span read in full.
fn span_events(index: usize, span: &Item, sink: &mut impl Sink) -> Result<(), TimelineError> {
    let Some((start, end_ms)) = span_times(index, span)? else {
        return Ok(());
    };
    let label = text_or(&span.name, "span");
    let attrs = match &span.attrs {
        Some(a) if a.truthy => a.json.as_str(),
        _ => "{}",
    };
    let end_text = end_ms.map_or_else(|| "null".to_string(), py_float);
    sink.event(
        start,
        Kind::SpanStart { end_ms },
        label,
        &["{\"end_ms\": ", &end_text, ", \"attrs\": ", attrs, "}"],
    );
    if let Some(end_ms) = end_ms {
        let duration = py_float(end_ms - start);
        sink.event(
            end_ms,
            Kind::SpanEnd,
            label,
            &["{\"duration_ms\": ", &duration, "}"],
        );
    }
    Ok(())
}

/// The `console` event of a message read in full: labelled by its `type` (default `log`),
/// payload `{text, location}`.
fn console_events(index: usize, message: &Item, sink: &mut impl Sink) -> Result<(), TimelineError> {
    let timestamp_ms = message_time(SourceKind::Console, index, message)?;
    let (text, location) = (json_or_null(&message.text), json_or_null(&message.location));
    sink.event(
        timestamp_ms,
        Kind::Console,
        text_or(&message.kind, "log"),
        &["{\"text\": ", text, ", \"location\": ", location, "}"],
    );
    Ok(())
}

/// The `response` event of a response read in full: labelled `"METHOD STATUS"` (defaults
/// `GET` and `?` when the key is absent), payload `{url, status, ok}`; a finite,
/// non-negative `duration_ms` is kept for the Chrome trace.
fn response_events(
    index: usize,
    response: &Item,
    sink: &mut impl Sink,
) -> Result<(), TimelineError> {
    let timestamp_ms = message_time(SourceKind::Responses, index, response)?;
    let method = label_of(&response.method, "GET");
    let status = label_of(&response.status, "?");
    let mut label = String::with_capacity(method.len() + 1 + status.len());
    label.push_str(method);
    label.push(' ');
    label.push_str(status);
    let duration_ms = response
        .duration_ms
        .as_ref()
        .and_then(|d| d.value)
        .filter(|d| d.is_finite() && *d >= 0.0);
    sink.event(
        timestamp_ms,
        Kind::Response { duration_ms },
        &label,
        &[
            "{\"url\": ",
            json_or_null(&response.url),
            ", \"status\": ",
            json_or_null(&response.status),
            ", \"ok\": ",
            json_or_null(&response.ok),
            "}",
        ],
    );
    Ok(())
}

/// Spans (`{name, start_ms|start, end_ms|end, attrs}`) → `span.start` and `span.end` events
/// (ordered by time); a span without a usable start is skipped.
pub fn from_spans(json: &[u8]) -> Result<Vec<TimelineEvent>, TimelineError> {
    Ok(Timeline::read(json, b"null", b"null")?.events())
}

/// Console messages → `console` events (ordered by time).
pub fn from_console(json: &[u8]) -> Result<Vec<TimelineEvent>, TimelineError> {
    Ok(Timeline::read(b"null", json, b"null")?.events())
}

/// HTTP responses → `response` events (ordered by time).
pub fn from_responses(json: &[u8]) -> Result<Vec<TimelineEvent>, TimelineError> {
    Ok(Timeline::read(b"null", b"null", json)?.events())
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
/// ordered list; [`Timeline`] prints a long one without making each event.
pub fn build(
    spans: &[u8],
    console: &[u8],
    responses: &[u8],
) -> Result<Vec<TimelineEvent>, TimelineError> {
    Ok(Timeline::read(spans, console, responses)?.events())
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
pub fn write_events(events: &[TimelineEvent], out: impl Write) -> io::Result<()> {
    write_list(events, out, write_event)
}

/// Writes `items` as a JSON list (`", "` between them) and a newline, each printed by
/// `print`, in blocks of a megabyte.
pub(crate) fn write_list<T>(
    items: impl IntoIterator<Item = T>,
    mut out: impl Write,
    mut print: impl FnMut(&mut Vec<u8>, T),
) -> io::Result<()> {
    const BLOCK: usize = 1 << 20;
    let mut buf = Vec::with_capacity(BLOCK + 4096);
    buf.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(b", ");
        }
        print(&mut buf, item);
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
    let mut label = Vec::with_capacity(e.label.len() + 2);
    pyjson::json_string(&mut label, &e.label);
    write_printed(out, e.timestamp_ms, e.kind, &label, e.payload.as_bytes());
}

/// Appends one event: `label` and `payload` already printed.
fn write_printed(out: &mut Vec<u8>, timestamp_ms: f64, kind: Kind, label: &[u8], payload: &[u8]) {
    out.extend_from_slice(b"{\"timestamp_ms\": ");
    pyjson::py_float(out, timestamp_ms);
    out.extend_from_slice(b", \"kind\": \"");
    out.extend_from_slice(kind.as_str().as_bytes());
    out.extend_from_slice(b"\", \"label\": ");
    out.extend_from_slice(label);
    out.extend_from_slice(b", \"payload\": ");
    out.extend_from_slice(payload);
    out.push(b'}');
}

#[cfg(test)]
mod tests;

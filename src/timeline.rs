//! The merged timeline (SPEC §6): spans, console messages and HTTP responses on one
//! chronological list of `{timestamp_ms, kind, label, payload}` events.
//!
//! Timestamps are numbers or numeric strings; `to_json` prints the list the way Python's
//! `json.dumps` does (`", "` and `": "` separators, ASCII-only strings, floats as `repr`).
//! Sources are read straight from JSON text into [`Source`]s (`input.rs`); a run folder gives
//! them too (`run_dir.rs`), and `chrome_trace.rs` turns the list into a Chrome trace.

use std::cmp::Ordering;
use std::io::{self, Write};

use serde_json::{Map, Value};

pub mod chrome_trace;
mod input;
mod pyjson;
pub mod run_dir;

pub use input::{Entry, Item, Source};
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
    /// Span name, console message type, or `"METHOD STATUS"`.
    pub label: String,
    /// Kind-specific details.
    pub payload: Payload,
}

/// What an event carries; its variant is the event's `kind`.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// `span.start`: `{end_ms, attrs}`.
    SpanStart {
        /// The span's end, when it has one.
        end_ms: Option<f64>,
        /// The span's `attrs` (`{}` when empty or absent).
        attrs: Value,
    },
    /// `span.end`: `{duration_ms}`.
    SpanEnd {
        /// End minus start.
        duration_ms: f64,
    },
    /// `console`: `{text, location}`.
    Console {
        /// The message's `text` (`null` when absent).
        text: Value,
        /// The message's `location` (`null` when absent).
        location: Value,
    },
    /// `response`: `{url, status, ok}`.
    Response {
        /// The response's `url`.
        url: Value,
        /// The response's `status`.
        status: Value,
        /// The response's `ok`.
        ok: Value,
        /// How long the request took, when the source says (not printed by `to_json`).
        duration_ms: Option<f64>,
    },
}

impl TimelineEvent {
    /// `span.start`, `span.end`, `console` or `response`.
    pub fn kind(&self) -> &'static str {
        match self.payload {
            Payload::SpanStart { .. } => "span.start",
            Payload::SpanEnd { .. } => "span.end",
            Payload::Console { .. } => "console",
            Payload::Response { .. } => "response",
        }
    }

    /// The payload as the JSON object `to_json` prints.
    pub fn payload_value(&self) -> Value {
        let num = |v: f64| serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
        let mut map = Map::new();
        match &self.payload {
            Payload::SpanStart { end_ms, attrs } => {
                map.insert("end_ms".into(), end_ms.map_or(Value::Null, num));
                map.insert("attrs".into(), attrs.clone());
            }
            Payload::SpanEnd { duration_ms } => {
                map.insert("duration_ms".into(), num(*duration_ms));
            }
            Payload::Console { text, location } => {
                map.insert("text".into(), text.clone());
                map.insert("location".into(), location.clone());
            }
            Payload::Response {
                url, status, ok, ..
            } => {
                map.insert("url".into(), url.clone());
                map.insert("status".into(), status.clone());
                map.insert("ok".into(), ok.clone());
            }
        }
        Value::Object(map)
    }
}

/// The items of a source; a source that is not empty nor a list, or holds anything but
/// objects, is refused.
fn items(source_name: &'static str, source: Source) -> Result<Vec<Item>, TimelineError> {
    let list = match source {
        Source::Empty => return Ok(Vec::new()),
        Source::List(list) => list,
        Source::Wrong(what) => {
            return Err(TimelineError {
                source_name,
                at: String::new(),
                reason: format!("expected a JSON list of objects, got {what}"),
            })
        }
    };
    list.into_iter()
        .enumerate()
        .map(|(index, entry)| match entry {
            Entry::Item(item) => Ok(item),
            Entry::Wrong(what) => Err(TimelineError {
                source_name,
                at: format!("[{index}]"),
                reason: format!("expected an object, got {what}"),
            }),
        })
        .collect()
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

/// A number, a boolean (as 0 or 1) or a numeric string; anything else has no timestamp.
fn coerce_timestamp(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::String(s) => parse_py_float(s),
        _ => None,
    }
}

/// Parses a string the way Python's `float()` does: surrounding whitespace allowed, single
/// underscores between digits allowed, `inf`/`infinity`/`nan` in any case.
fn parse_py_float(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.contains('_') {
        let bytes = t.as_bytes();
        let ok = bytes.iter().enumerate().all(|(i, &b)| {
            b != b'_'
                || (i > 0
                    && i + 1 < bytes.len()
                    && bytes[i - 1].is_ascii_digit()
                    && bytes[i + 1].is_ascii_digit())
        });
        if !ok {
            return None;
        }
        return t.replace('_', "").parse().ok();
    }
    t.parse().ok()
}

fn finite(
    source_name: &'static str,
    index: usize,
    raw: Option<&Value>,
    v: f64,
) -> Result<f64, TimelineError> {
    if v.is_finite() {
        return Ok(v);
    }
    Err(TimelineError {
        source_name,
        at: format!("[{index}]"),
        reason: format!(
            "timestamp {} is not finite",
            raw.map_or_else(|| v.to_string(), Value::to_string)
        ),
    })
}

/// `str(value or default)` in Python terms.
fn text_or(value: Option<&Value>, default: &str) -> String {
    match value {
        Some(v) if truthy(v) => pyjson::py_str(v),
        _ => default.to_string(),
    }
}

/// Spans (`{name, start_ms|start, end_ms|end, attrs}`) → `span.start` and `span.end` events;
/// a span without a usable start is skipped.
pub fn from_spans(spans: Source) -> Result<Vec<TimelineEvent>, TimelineError> {
    let items = items("spans", spans)?;
    let mut events = Vec::with_capacity(items.len() * 2);
    for (index, span) in items.into_iter().enumerate() {
        let raw_start = span.start_ms.as_ref().or(span.start.as_ref());
        let raw_end = span.end_ms.as_ref().or(span.end.as_ref());
        let Some(start) = coerce_timestamp(raw_start) else {
            continue;
        };
        let start = finite("spans", index, raw_start, start)?;
        let end = match coerce_timestamp(raw_end) {
            Some(e) => Some(finite("spans", index, raw_end, e)?),
            None => None,
        };
        let name = text_or(span.name.as_ref(), "span");
        let attrs = match span.attrs {
            Some(a) if truthy(&a) => a,
            _ => Value::Object(Map::new()),
        };
        let end_event = match end {
            Some(end) => Some(TimelineEvent {
                timestamp_ms: end,
                label: name.clone(),
                payload: Payload::SpanEnd {
                    duration_ms: finite("spans", index, None, end - start)?,
                },
            }),
            None => None,
        };
        events.push(TimelineEvent {
            timestamp_ms: start,
            label: name,
            payload: Payload::SpanStart { end_ms: end, attrs },
        });
        events.extend(end_event);
    }
    Ok(events)
}

/// The timestamp of a console message or response: `timestamp_ms`, else `ts`, else its index.
fn timestamp_or_index(
    source_name: &'static str,
    index: usize,
    item: &Item,
) -> Result<f64, TimelineError> {
    let raw = item.timestamp_ms.as_ref().or(item.ts.as_ref());
    let ts = coerce_timestamp(raw).unwrap_or(index as f64);
    finite(source_name, index, raw, ts)
}

/// Console messages → `console` events labelled by their `type` (default `log`), payload
/// `{text, location}`.
pub fn from_console(messages: Source) -> Result<Vec<TimelineEvent>, TimelineError> {
    let items = items("console", messages)?;
    let mut events = Vec::with_capacity(items.len());
    for (index, message) in items.into_iter().enumerate() {
        events.push(TimelineEvent {
            timestamp_ms: timestamp_or_index("console", index, &message)?,
            label: text_or(message.kind.as_ref(), "log"),
            payload: Payload::Console {
                text: message.text.unwrap_or(Value::Null),
                location: message.location.unwrap_or(Value::Null),
            },
        });
    }
    Ok(events)
}

/// HTTP responses → `response` events labelled `"METHOD STATUS"` (defaults `GET` and `?` when
/// the key is absent), payload `{url, status, ok}`. A finite, non-negative `duration_ms` is
/// kept for the Chrome trace.
pub fn from_responses(responses: Source) -> Result<Vec<TimelineEvent>, TimelineError> {
    let items = items("responses", responses)?;
    let mut events = Vec::with_capacity(items.len());
    for (index, response) in items.into_iter().enumerate() {
        let timestamp_ms = timestamp_or_index("responses", index, &response)?;
        let method = response
            .method
            .as_ref()
            .map_or("GET".into(), pyjson::py_str);
        let status = response.status.as_ref().map_or("?".into(), pyjson::py_str);
        let duration_ms =
            coerce_timestamp(response.duration_ms.as_ref()).filter(|d| d.is_finite() && *d >= 0.0);
        events.push(TimelineEvent {
            timestamp_ms,
            label: format!("{method} {status}"),
            payload: Payload::Response {
                url: response.url.unwrap_or(Value::Null),
                status: response.status.unwrap_or(Value::Null),
                ok: response.ok.unwrap_or(Value::Null),
                duration_ms,
            },
        });
    }
    Ok(events)
}

/// Concatenates the lists and sorts by timestamp, ascending and stable.
pub fn merge(lists: impl IntoIterator<Item = Vec<TimelineEvent>>) -> Vec<TimelineEvent> {
    let mut merged: Vec<TimelineEvent> = lists.into_iter().flatten().collect();
    merged.sort_by(|a, b| {
        a.timestamp_ms
            .partial_cmp(&b.timestamp_ms)
            .unwrap_or(Ordering::Equal)
    });
    merged
}

/// The three sources merged into one ordered list (`Source::Empty` for a missing one).
pub fn build(
    spans: Source,
    console: Source,
    responses: Source,
) -> Result<Vec<TimelineEvent>, TimelineError> {
    Ok(merge([
        from_spans(spans)?,
        from_console(console)?,
        from_responses(responses)?,
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
    out.extend_from_slice(b", \"payload\": {");
    match &e.payload {
        Payload::SpanStart { end_ms, attrs } => {
            out.extend_from_slice(b"\"end_ms\": ");
            match end_ms {
                Some(v) => pyjson::py_float(out, *v),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b", \"attrs\": ");
            pyjson::json_value(out, attrs);
        }
        Payload::SpanEnd { duration_ms } => {
            out.extend_from_slice(b"\"duration_ms\": ");
            pyjson::py_float(out, *duration_ms);
        }
        Payload::Console { text, location } => {
            out.extend_from_slice(b"\"text\": ");
            pyjson::json_value(out, text);
            out.extend_from_slice(b", \"location\": ");
            pyjson::json_value(out, location);
        }
        Payload::Response {
            url, status, ok, ..
        } => {
            out.extend_from_slice(b"\"url\": ");
            pyjson::json_value(out, url);
            out.extend_from_slice(b", \"status\": ");
            pyjson::json_value(out, status);
            out.extend_from_slice(b", \"ok\": ");
            pyjson::json_value(out, ok);
        }
    }
    out.extend_from_slice(b"}}");
}

#[cfg(test)]
mod tests;

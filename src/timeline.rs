//! The merged timeline (SPEC §6): spans, console messages and HTTP responses on one
//! chronological list of `{timestamp_ms, kind, label, payload}` events.
//!
//! Timestamps are numbers or numeric strings; `to_json` prints the list the way Python's
//! `json.dumps` does (`", "` and `": "` separators, ASCII-only strings, floats as `repr`).

use std::cmp::Ordering;

use serde::Serialize;
use serde_json::{Map, Number, Value};

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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEvent {
    /// Milliseconds (epoch or relative, as given by the source).
    pub timestamp_ms: f64,
    /// `span.start`, `span.end`, `console` or `response`.
    pub kind: String,
    /// Span name, console message type, or `"METHOD STATUS"`.
    pub label: String,
    /// Kind-specific details, keys in the seed's order.
    pub payload: Map<String, Value>,
}

/// The items of a source: `null`, `false`, `0`, `""`, `{}` and `[]` count as empty; a list must
/// hold objects; anything else is refused.
fn items<'a>(
    source_name: &'static str,
    source: &'a Value,
) -> Result<Vec<&'a Map<String, Value>>, TimelineError> {
    let list = match source {
        Value::Array(list) => list,
        v if !truthy(v) => return Ok(Vec::new()),
        other => {
            return Err(TimelineError {
                source_name,
                at: String::new(),
                reason: format!("expected a JSON list of objects, got {}", type_name(other)),
            })
        }
    };
    list.iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_object().ok_or_else(|| TimelineError {
                source_name,
                at: format!("[{index}]"),
                reason: format!("expected an object, got {}", type_name(item)),
            })
        })
        .collect()
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
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

/// The value of the first of `keys` present in `item` (even when it is `null`).
fn first_present<'a>(item: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| item.get(*k))
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
) -> Result<Value, TimelineError> {
    Number::from_f64(v)
        .map(Value::Number)
        .ok_or_else(|| TimelineError {
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
        Some(v) if truthy(v) => py_str(v),
        _ => default.to_string(),
    }
}

/// Spans (`{name, start_ms|start, end_ms|end, attrs}`) → `span.start` and `span.end` events;
/// a span without a usable start is skipped.
pub fn from_spans(spans: &Value) -> Result<Vec<TimelineEvent>, TimelineError> {
    let mut events = Vec::new();
    for (index, span) in items("spans", spans)?.into_iter().enumerate() {
        let raw_start = first_present(span, &["start_ms", "start"]);
        let raw_end = first_present(span, &["end_ms", "end"]);
        let name = text_or(span.get("name"), "span");
        let Some(start) = coerce_timestamp(raw_start) else {
            continue;
        };
        let end = coerce_timestamp(raw_end);
        finite("spans", index, raw_start, start)?;
        let attrs = match span.get("attrs") {
            Some(a) if truthy(a) => a.clone(),
            _ => Value::Object(Map::new()),
        };
        let mut payload = Map::new();
        let end_value = match end {
            Some(e) => finite("spans", index, raw_end, e)?,
            None => Value::Null,
        };
        payload.insert("end_ms".into(), end_value);
        payload.insert("attrs".into(), attrs);
        events.push(TimelineEvent {
            timestamp_ms: start,
            kind: "span.start".into(),
            label: name.clone(),
            payload,
        });
        if let Some(end) = end {
            let mut payload = Map::new();
            let duration = finite("spans", index, None, end - start)?;
            payload.insert("duration_ms".into(), duration);
            events.push(TimelineEvent {
                timestamp_ms: end,
                kind: "span.end".into(),
                label: name,
                payload,
            });
        }
    }
    Ok(events)
}

/// The timestamp of a console message or response: `timestamp_ms`, else `ts`, else its index.
fn timestamp_or_index(
    source_name: &'static str,
    index: usize,
    item: &Map<String, Value>,
) -> Result<f64, TimelineError> {
    let raw = first_present(item, &["timestamp_ms", "ts"]);
    let ts = coerce_timestamp(raw).unwrap_or(index as f64);
    finite(source_name, index, raw, ts)?;
    Ok(ts)
}

fn field(item: &Map<String, Value>, key: &str) -> Value {
    item.get(key).cloned().unwrap_or(Value::Null)
}

/// Console messages → `console` events labelled by their `type` (default `log`), payload
/// `{text, location}`.
pub fn from_console(messages: &Value) -> Result<Vec<TimelineEvent>, TimelineError> {
    let mut events = Vec::new();
    for (index, message) in items("console", messages)?.into_iter().enumerate() {
        let timestamp_ms = timestamp_or_index("console", index, message)?;
        let mut payload = Map::new();
        payload.insert("text".into(), field(message, "text"));
        payload.insert("location".into(), field(message, "location"));
        events.push(TimelineEvent {
            timestamp_ms,
            kind: "console".into(),
            label: text_or(message.get("type"), "log"),
            payload,
        });
    }
    Ok(events)
}

/// HTTP responses → `response` events labelled `"METHOD STATUS"` (defaults `GET` and `?` when
/// the key is absent), payload `{url, status, ok}`.
pub fn from_responses(responses: &Value) -> Result<Vec<TimelineEvent>, TimelineError> {
    let mut events = Vec::new();
    for (index, response) in items("responses", responses)?.into_iter().enumerate() {
        let timestamp_ms = timestamp_or_index("responses", index, response)?;
        let method = response.get("method").map_or("GET".into(), py_str);
        let status = response.get("status").map_or("?".into(), py_str);
        let mut payload = Map::new();
        payload.insert("url".into(), field(response, "url"));
        payload.insert("status".into(), field(response, "status"));
        payload.insert("ok".into(), field(response, "ok"));
        events.push(TimelineEvent {
            timestamp_ms,
            kind: "response".into(),
            label: format!("{method} {status}"),
            payload,
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

/// The three optional sources merged into one ordered list.
pub fn build(
    spans: Option<&Value>,
    console: Option<&Value>,
    responses: Option<&Value>,
) -> Result<Vec<TimelineEvent>, TimelineError> {
    let none = Value::Null;
    Ok(merge([
        from_spans(spans.unwrap_or(&none))?,
        from_console(console.unwrap_or(&none))?,
        from_responses(responses.unwrap_or(&none))?,
    ]))
}

/// The events as the JSON list Python's `json.dumps(build(...))` prints.
pub fn to_json(events: &[TimelineEvent]) -> String {
    let mut out = String::from("[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str("{\"timestamp_ms\": ");
        out.push_str(&py_float(e.timestamp_ms));
        out.push_str(", \"kind\": ");
        json_string(&mut out, &e.kind);
        out.push_str(", \"label\": ");
        json_string(&mut out, &e.label);
        out.push_str(", \"payload\": ");
        json_value(&mut out, &Value::Object(e.payload.clone()));
        out.push('}');
    }
    out.push(']');
    out
}

fn json_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&py_number(n)),
        Value::String(s) => json_string(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_value(out, x);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_string(out, k);
                out.push_str(": ");
                json_value(out, x);
            }
            out.push('}');
        }
    }
}

/// A JSON string with every character outside printable ASCII escaped (`ensure_ascii`).
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
}

fn py_number(n: &Number) -> String {
    if n.is_f64() {
        n.as_f64().map_or_else(|| n.to_string(), py_float)
    } else {
        n.to_string()
    }
}

/// Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents -4..=15
/// (with `.0` when integral), else `d.ddde+XX`.
pub fn py_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
        } else {
            let p = point as usize;
            if digits.len() <= p {
                format!("{}{}.0", digits, "0".repeat(p - digits.len()))
            } else {
                format!("{}.{}", &digits[..p], &digits[p..])
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs())
    }
}

/// Python's `str()` of a JSON value, as used in labels.
fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) if n.is_f64() => {
            let s = py_float(n.as_f64().unwrap_or(f64::NAN));
            match s.as_str() {
                "NaN" => "nan".into(),
                "Infinity" => "inf".into(),
                "-Infinity" => "-inf".into(),
                _ => s,
            }
        }
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str_repr(s),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(py_repr).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .map(|(k, x)| format!("{}: {}", py_str_repr(k), py_repr(x)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests;

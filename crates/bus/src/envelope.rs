//! One event and its line: `{"event_id": …, "topic": …, "payload": {…}, "timestamp_ms": …,
//! "sender": …}` exactly as the Python WebRunner's `EventEnvelope.to_json_line` writes it
//! (`json.dumps(…, ensure_ascii=False)`: `", "` and `": "` separators, floats as `repr`).

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use webrunner_pyjson::{push_json_str, Options, PyFormatter};

use crate::error::{kind, EventBusError};

/// `json.dumps(…, ensure_ascii=False)`, as the seed writes its lines.
const PY: Options = Options::DEFAULT.ensure_ascii(false);

/// One event on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// 32 lowercase hex digits (a random UUID4, as Python's `uuid4().hex`).
    pub event_id: String,
    /// What the event is about, e.g. `run.finished`.
    pub topic: String,
    /// The event's data.
    pub payload: Map<String, Value>,
    /// When it was published, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// Who published it, when the publisher said.
    pub sender: Option<String>,
}

impl EventEnvelope {
    /// A new event with a fresh id, stamped now.
    pub fn new(topic: &str, payload: Map<String, Value>, sender: Option<&str>) -> EventEnvelope {
        EventEnvelope {
            event_id: new_event_id(),
            topic: topic.to_string(),
            payload,
            timestamp_ms: now_ms(),
            sender: sender.map(str::to_string),
        }
    }

    /// The event's line, newline included, byte for byte as the Python WebRunner writes it.
    pub fn to_json_line(&self) -> String {
        let mut out = Vec::with_capacity(128);
        self.push_json_line(&mut out);
        // Every piece pushed is UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends [`EventEnvelope::to_json_line`] to `out`.
    pub fn push_json_line(&self, out: &mut Vec<u8>) {
        push_line(
            out,
            Text::Any(&self.event_id),
            Text::Any(&self.topic),
            Payload::Map(&self.payload),
            self.timestamp_ms,
            self.sender.as_deref().map(Text::Any),
        );
    }

    /// Reads one line (with or without its newline) as the Python WebRunner's
    /// `EventEnvelope.from_dict(json.loads(line))` does; the message says what is wrong.
    pub fn from_json_line(line: &str) -> Result<EventEnvelope, String> {
        RawEvent::parse(line)?.to_envelope()
    }
}

/// A payload to write: a map, or the text of a JSON object as read.
pub(crate) enum Payload<'a> {
    Map(&'a Map<String, Value>),
    Raw(&'a str),
}

/// Appends one line in the seed's format.
pub(crate) fn push_line(
    out: &mut Vec<u8>,
    event_id: Text<'_>,
    topic: Text<'_>,
    payload: Payload<'_>,
    timestamp_ms: i64,
    sender: Option<Text<'_>>,
) {
    out.extend_from_slice(b"{\"event_id\": ");
    event_id.push(out);
    out.extend_from_slice(b", \"topic\": ");
    topic.push(out);
    out.extend_from_slice(b", \"payload\": ");
    match payload {
        Payload::Map(map) => push_map(out, map),
        Payload::Raw(text) => out.extend_from_slice(text.as_bytes()),
    }
    out.extend_from_slice(b", \"timestamp_ms\": ");
    out.extend_from_slice(itoa::Buffer::new().format(timestamp_ms).as_bytes());
    out.extend_from_slice(b", \"sender\": ");
    match sender {
        Some(s) => s.push(out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b"}\n");
}

/// A string to write as a JSON string.
#[derive(Clone, Copy)]
pub(crate) enum Text<'a> {
    /// Any string: escaped as `json.dumps` does.
    Any(&'a str),
    /// Read from a JSON string that had no escapes, so it needs none: copied as it is.
    Plain(&'a str),
}

impl<'a> Text<'a> {
    /// What a string read from JSON needs: serde borrows it exactly when it had no escapes
    /// (a JSON string holds no raw control character, quote or backslash).
    fn of(read: &'a Cow<'a, str>) -> Text<'a> {
        match read {
            Cow::Borrowed(s) => Text::Plain(s),
            Cow::Owned(s) => Text::Any(s),
        }
    }

    fn push(self, out: &mut Vec<u8>) {
        match self {
            Text::Any(s) => push_json_str(out, s, false),
            Text::Plain(s) => {
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            }
        }
    }
}

/// Appends `map` as `json.dumps(map, ensure_ascii=False)`.
pub(crate) fn push_map(out: &mut Vec<u8>, map: &Map<String, Value>) {
    let at = out.len();
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, PyFormatter::new(PY));
    // A map of JSON values always serializes.
    if map.serialize(&mut ser).is_err() {
        out.truncate(at);
        out.extend_from_slice(b"{}");
    }
}

/// Appends the line of a new event whose payload is the JSON text `payload` (which must hold
/// one object, or `null`), written as `json.dumps` would; returns the event's id. On an error
/// `out` is left as it was.
pub fn push_new_line(
    out: &mut Vec<u8>,
    topic: &str,
    payload: &str,
    sender: Option<&str>,
) -> Result<String, EventBusError> {
    check_topic(topic)?;
    let payload = payload_from_text(payload)?;
    let id = new_event_id();
    push_line(
        out,
        Text::Plain(&id),
        Text::Any(topic),
        Payload::Map(&payload),
        now_ms(),
        sender.map(Text::Any),
    );
    Ok(id)
}

/// The JSON object in `text` (`null` is `{}`).
fn payload_from_text(text: &str) -> Result<Map<String, Value>, EventBusError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => payload_object(v),
        Err(_) => Err(EventBusError::PayloadNotObject("text that is not JSON")),
    }
}

/// An empty topic is refused.
pub(crate) fn check_topic(topic: &str) -> Result<(), EventBusError> {
    if topic.is_empty() {
        return Err(EventBusError::EmptyTopic);
    }
    Ok(())
}

/// A payload given as any JSON value: an object, or `null` for `{}`.
pub fn payload_object(value: Value) -> Result<Map<String, Value>, EventBusError> {
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(EventBusError::PayloadNotObject(kind(&other))),
    }
}

/// One event as read, borrowing from the line: what polling needs without building maps.
#[derive(Debug, Deserialize)]
#[serde(expecting = "an event object")]
pub struct RawEvent<'a> {
    /// The event's id.
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    /// The topic.
    #[serde(borrow)]
    pub topic: Cow<'a, str>,
    /// The payload's JSON text, as written; `None` when absent or `null`.
    #[serde(borrow, default)]
    pub payload: Option<&'a RawValue>,
    /// Milliseconds since the Unix epoch (0 when absent).
    #[serde(default, deserialize_with = "timestamp")]
    pub timestamp_ms: i64,
    /// The sender.
    #[serde(borrow, default)]
    pub sender: Option<Cow<'a, str>>,
}

impl<'a> RawEvent<'a> {
    /// Reads one line; the message says what is wrong.
    pub fn parse(line: &'a str) -> Result<RawEvent<'a>, String> {
        let raw: RawEvent<'a> = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if let Some(p) = raw.payload {
            if !p.get().starts_with('{') {
                let what = serde_json::from_str::<Value>(p.get())
                    .map(|v| kind(&v))
                    .unwrap_or("not JSON");
                return Err(format!("payload is {what}, not an object"));
            }
        }
        Ok(raw)
    }

    /// The payload's text, `{}` when absent.
    pub fn payload_text(&self) -> &str {
        self.payload.map_or("{}", RawValue::get)
    }

    /// The owned event.
    pub fn to_envelope(&self) -> Result<EventEnvelope, String> {
        let payload = match self.payload {
            Some(p) => serde_json::from_str(p.get()).map_err(|e| e.to_string())?,
            None => Map::new(),
        };
        Ok(EventEnvelope {
            event_id: self.event_id.to_string(),
            topic: self.topic.to_string(),
            payload,
            timestamp_ms: self.timestamp_ms,
            sender: self.sender.as_deref().map(str::to_string),
        })
    }

    /// Appends the event's line in the seed's format (the payload's text as read).
    pub fn push_json_line(&self, out: &mut Vec<u8>) {
        push_line(
            out,
            Text::of(&self.event_id),
            Text::of(&self.topic),
            Payload::Raw(self.payload_text()),
            self.timestamp_ms,
            self.sender.as_ref().map(Text::of),
        );
    }
}

/// `int(data.get("timestamp_ms") or 0)`: an integer, a float (truncated) or null.
fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n: Option<serde_json::Number> = Option::deserialize(d)?;
    Ok(match n {
        None => 0,
        Some(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
    })
}

/// Milliseconds since the Unix epoch, as `int(time.time() * 1000)`.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A fresh event id: a random UUID4 as 32 lowercase hex digits (`uuid.uuid4().hex`). The
/// generator is per thread and seeded from the operating system's randomness.
pub fn new_event_id() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fastrand::u64(..).to_le_bytes());
    bytes[8..].copy_from_slice(&fastrand::u64(..).to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut hex = String::with_capacity(32);
    for b in bytes {
        hex.push(HEX[usize::from(b >> 4)] as char);
        hex.push(HEX[usize::from(b & 0xf)] as char);
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_line_is_what_json_dumps_writes() {
        let env = EventEnvelope {
            event_id: "0".repeat(32),
            topic: "t/ü".into(),
            payload: json!({"b": 1.0, "a": [1, "x\n"], "c": {}})
                .as_object()
                .cloned()
                .unwrap(),
            timestamp_ms: 17,
            sender: None,
        };
        assert_eq!(
            env.to_json_line(),
            "{\"event_id\": \"00000000000000000000000000000000\", \"topic\": \"t/ü\", \"payload\": {\"b\": 1.0, \"a\": [1, \"x\\n\"], \"c\": {}}, \"timestamp_ms\": 17, \"sender\": null}\n"
        );
        let back = EventEnvelope::from_json_line(&env.to_json_line()).unwrap();
        assert_eq!(back, env);
    }

    #[test]
    fn a_raw_event_writes_back_the_line_it_was_read_from() {
        for line in [
            "{\"event_id\": \"a\", \"topic\": \"plain ü\", \"payload\": {\"k\": [1, 2.5]}, \"timestamp_ms\": 5, \"sender\": \"s\"}\n",
            "{\"event_id\": \"a\\\"b\", \"topic\": \"t\\n\\\\x\\u0001\", \"payload\": {}, \"timestamp_ms\": -1, \"sender\": null}\n",
        ] {
            let raw = RawEvent::parse(line).unwrap();
            let mut out = Vec::new();
            raw.push_json_line(&mut out);
            assert_eq!(std::str::from_utf8(&out).unwrap(), line);
            assert_eq!(raw.to_envelope().unwrap().to_json_line(), line);
        }
    }

    #[test]
    fn ids_are_uuid4_hex() {
        let id = new_event_id();
        assert_eq!(id.len(), 32);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(&id[12..13], "4");
        assert!("89ab".contains(&id[16..17]));
        assert_ne!(id, new_event_id());
    }

    #[test]
    fn a_new_line_from_payload_text_matches_the_envelope_line() {
        let mut out = Vec::new();
        let id = push_new_line(&mut out, "t", r#"{"i":1,"pad":"xx"}"#, Some("s")).unwrap();
        let line = std::str::from_utf8(&out).unwrap();
        let env = EventEnvelope::from_json_line(line).unwrap();
        assert_eq!(env.event_id, id);
        assert_eq!(env.to_json_line(), line);
        assert!(line.contains(r#""payload": {"i": 1, "pad": "xx"}"#));
        for bad in ["[1]", "3", "\"x\"", "{", ""] {
            let before = out.len();
            assert!(push_new_line(&mut out, "t", bad, None).is_err(), "{bad}");
            assert_eq!(out.len(), before);
        }
        assert_eq!(
            push_new_line(&mut out, "", "{}", None),
            Err(EventBusError::EmptyTopic)
        );
    }

    #[test]
    fn python_defaults_are_read() {
        let e = EventEnvelope::from_json_line(r#"{"event_id": "x", "topic": "t"}"#).unwrap();
        assert_eq!((e.payload.len(), e.timestamp_ms, e.sender), (0, 0, None));
        assert!(EventEnvelope::from_json_line(r#"{"topic": "t"}"#)
            .unwrap_err()
            .contains("event_id"));
        assert!(EventEnvelope::from_json_line(
            r#"{"event_id": "x", "topic": "t", "payload": [1]}"#
        )
        .unwrap_err()
        .contains("not an object"));
    }
}

//! Reading a timeline source straight from its JSON text, one element at a time: only the
//! keys its rules use are kept, payload values are printed (the Python way) as they are
//! read, and no document-wide `Value` is built.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::pyjson;

/// Which source is read: it decides which keys matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SourceKind {
    Spans,
    Console,
    Responses,
}

/// A timestamp (or duration) as given: its number, when it has one, and when that number is
/// not finite, the value as JSON for the message.
#[derive(Debug, Default)]
pub(super) struct Stamp {
    pub value: Option<f64>,
    pub shown: Option<String>,
}

/// A value for a payload or label: as Python's `json.dumps` prints it, whether Python counts
/// it as true, and (for labels) Python's `str()` of it.
#[derive(Debug)]
pub(super) struct Field {
    pub json: String,
    pub truthy: bool,
    pub text: Option<String>,
}

/// The keys of one object that its source's rules read; a key given as `null` is present, a
/// key given twice keeps its last value (as in Python).
#[derive(Debug, Default)]
pub(super) struct Item {
    pub name: Option<Field>,
    pub start_ms: Option<Stamp>,
    pub start: Option<Stamp>,
    pub end_ms: Option<Stamp>,
    pub end: Option<Stamp>,
    pub attrs: Option<Field>,
    pub timestamp_ms: Option<Stamp>,
    pub ts: Option<Stamp>,
    pub kind: Option<Field>,
    pub text: Option<Field>,
    pub location: Option<Field>,
    pub method: Option<Field>,
    pub status: Option<Field>,
    pub url: Option<Field>,
    pub ok: Option<Field>,
    pub duration_ms: Option<Stamp>,
}

/// What the whole source was: empty (`null`, `false`, `0`, `""`, `{}`, as Python's
/// `source or []`), a list (its elements went to the callback), or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Empty,
    List,
    Wrong(&'static str),
}

/// Reads `text` as a source of `kind`, handing each element to `each` in order: the object's
/// item, or what was found instead of an object (`a string`, …).
pub(super) fn read_source(
    kind: SourceKind,
    text: &[u8],
    each: impl FnMut(Result<Item, &'static str>),
) -> serde_json::Result<Shape> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let shape = (SourceSeed { kind, each }).deserialize(&mut de)?;
    de.end()?;
    Ok(shape)
}

/// Parses a string the way Python's `float()` does: surrounding whitespace allowed, single
/// underscores between digits allowed, `inf`/`infinity`/`nan` in any case.
pub(super) fn parse_py_float(text: &str) -> Option<f64> {
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

/// Visits any JSON value with one method for what is not a list or object: its name in
/// messages and whether Python counts it as false.
trait Scalars: Sized {
    type Out;
    fn scalar<E: de::Error>(self, name: &'static str, falsy: bool) -> Result<Self::Out, E>;
}

macro_rules! scalar_visits {
    () => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            self.scalar("null", true)
        }
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
            self.scalar("a boolean", !b)
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            self.scalar("a number", n == 0)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            self.scalar("a number", n == 0)
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            self.scalar("a number", n == 0.0)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            self.scalar("a string", s.is_empty())
        }
    };
}

struct SourceSeed<F> {
    kind: SourceKind,
    each: F,
}

impl<'de, F: FnMut(Result<Item, &'static str>)> DeserializeSeed<'de> for SourceSeed<F> {
    type Value = Shape;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<F> Scalars for SourceSeed<F> {
    type Out = Shape;
    fn scalar<E: de::Error>(self, name: &'static str, falsy: bool) -> Result<Shape, E> {
        Ok(if falsy {
            Shape::Empty
        } else {
            Shape::Wrong(name)
        })
    }
}

impl<'de, F: FnMut(Result<Item, &'static str>)> Visitor<'de> for SourceSeed<F> {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON list of objects")
    }
    scalar_visits!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut any = false;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
            any = true;
        }
        Ok(if any {
            Shape::Wrong("an object")
        } else {
            Shape::Empty
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Shape, A::Error> {
        while let Some(entry) = seq.next_element_seed(ItemSeed(self.kind))? {
            (self.each)(entry);
        }
        Ok(Shape::List)
    }
}

/// One element of the list: an [`Item`], or the name of what it was instead.
struct ItemSeed(SourceKind);

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Result<Item, &'static str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Scalars for ItemSeed {
    type Out = Result<Item, &'static str>;
    fn scalar<E: de::Error>(self, name: &'static str, _: bool) -> Result<Self::Out, E> {
        Ok(Err(name))
    }
}

impl<'de> Visitor<'de> for ItemSeed {
    type Value = Result<Item, &'static str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    scalar_visits!();
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use SourceKind::{Console, Responses, Spans};
        let label = FieldSeed { text: true };
        let payload = FieldSeed { text: false };
        let mut item = Item::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match (self.0, key.as_str()) {
                (Spans, "name") => item.name = Some(map.next_value_seed(label)?),
                (Spans, "start_ms") => item.start_ms = Some(map.next_value_seed(StampSeed)?),
                (Spans, "start") => item.start = Some(map.next_value_seed(StampSeed)?),
                (Spans, "end_ms") => item.end_ms = Some(map.next_value_seed(StampSeed)?),
                (Spans, "end") => item.end = Some(map.next_value_seed(StampSeed)?),
                (Spans, "attrs") => item.attrs = Some(map.next_value_seed(payload)?),
                (Console | Responses, "timestamp_ms") => {
                    item.timestamp_ms = Some(map.next_value_seed(StampSeed)?)
                }
                (Console | Responses, "ts") => item.ts = Some(map.next_value_seed(StampSeed)?),
                (Console, "type") => item.kind = Some(map.next_value_seed(label)?),
                (Console, "text") => item.text = Some(map.next_value_seed(payload)?),
                (Console, "location") => item.location = Some(map.next_value_seed(payload)?),
                (Responses, "method") => item.method = Some(map.next_value_seed(label)?),
                (Responses, "status") => item.status = Some(map.next_value_seed(label)?),
                (Responses, "url") => item.url = Some(map.next_value_seed(payload)?),
                (Responses, "ok") => item.ok = Some(map.next_value_seed(payload)?),
                (Responses, "duration_ms") => {
                    item.duration_ms = Some(map.next_value_seed(StampSeed)?)
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Ok(item))
    }
}

/// An object key, without copying it when the text holds it as is.
struct KeySeed;

/// A key: borrowed from a small buffer when short, else owned.
enum Key {
    Short([u8; 16], usize),
    Long(String),
}

impl Key {
    fn as_str(&self) -> &str {
        match self {
            Key::Short(bytes, len) => std::str::from_utf8(&bytes[..*len]).unwrap_or(""),
            Key::Long(s) => s,
        }
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        let mut bytes = [0u8; 16];
        Ok(match bytes.get_mut(..s.len()) {
            Some(room) => {
                room.copy_from_slice(s.as_bytes());
                Key::Short(bytes, s.len())
            }
            None => Key::Long(s.to_string()),
        })
    }
}

/// Writes an object key as a JSON string.
struct KeyWrite<'o>(&'o mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for KeyWrite<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyWrite<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        pyjson::json_string(self.0, s);
        Ok(())
    }
}

/// A timestamp: a number, a boolean (0 or 1) or a numeric string; anything else has none.
struct StampSeed;

impl<'de> DeserializeSeed<'de> for StampSeed {
    type Value = Stamp;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Stamp, D::Error> {
        d.deserialize_any(self)
    }
}

fn stamp(value: f64) -> Stamp {
    Stamp {
        value: Some(value),
        shown: None,
    }
}

impl<'de> Visitor<'de> for StampSeed {
    type Value = Stamp;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a timestamp")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Stamp, E> {
        Ok(Stamp::default())
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Stamp, E> {
        Ok(stamp(f64::from(u8::from(b))))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Stamp, E> {
        Ok(stamp(n as f64))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Stamp, E> {
        Ok(stamp(n as f64))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Stamp, E> {
        Ok(stamp(n))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Stamp, E> {
        let value = parse_py_float(s);
        let shown = value
            .filter(|v| !v.is_finite())
            .map(|_| Value::from(s).to_string());
        Ok(Stamp { value, shown })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Stamp, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Stamp::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Stamp, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Stamp::default())
    }
}

/// A payload value printed as it is read; with `text`, read whole so that its Python `str()`
/// can be taken too (labels are short).
#[derive(Clone, Copy)]
struct FieldSeed {
    text: bool,
}

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Field;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        let mut out = Vec::new();
        let (truthy, text) = if self.text {
            let v: Value = serde::Deserialize::deserialize(d)?;
            pyjson::json_value(&mut out, &v);
            (super::truthy(&v), Some(pyjson::py_str(v)))
        } else {
            (Transcode(&mut out).deserialize(d)?, None)
        };
        // Only ASCII is written (`ensure_ascii`).
        let json = String::from_utf8(out).unwrap_or_default();
        Ok(Field { json, truthy, text })
    }
}

/// Writes a value the way `json.dumps` prints it while reading it; gives its truthiness.
struct Transcode<'o>(&'o mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for Transcode<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Transcode<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.0.extend_from_slice(b"null");
        Ok(false)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<bool, E> {
        self.0.extend_from_slice(if b { b"true" } else { b"false" });
        Ok(b)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<bool, E> {
        self.0
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        Ok(n != 0)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<bool, E> {
        self.0
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        Ok(n != 0)
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<bool, E> {
        pyjson::py_float(self.0, n);
        Ok(n != 0.0)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<bool, E> {
        pyjson::json_string(self.0, s);
        Ok(!s.is_empty())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        self.0.push(b'[');
        let mut any = false;
        loop {
            let at = self.0.len();
            if any {
                self.0.extend_from_slice(b", ");
            }
            if seq.next_element_seed(Transcode(self.0))?.is_none() {
                self.0.truncate(at);
                break;
            }
            any = true;
        }
        self.0.push(b']');
        Ok(any)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        self.0.push(b'{');
        let mut any = false;
        loop {
            let at = self.0.len();
            if any {
                self.0.extend_from_slice(b", ");
            }
            if map.next_key_seed(KeyWrite(self.0))?.is_none() {
                self.0.truncate(at);
                break;
            }
            self.0.extend_from_slice(b": ");
            map.next_value_seed(Transcode(self.0))?;
            any = true;
        }
        self.0.push(b'}');
        Ok(any)
    }
}

//! A timeline source as read: a JSON list of objects, each kept only for the keys the rules
//! use, straight from the text (no whole-document `Value` in between).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// One object of a source, reduced to the keys the timeline reads. A key given as `null` is
/// present (`Some(Value::Null)`); a key given twice keeps its last value, as in Python.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    /// `name` of a span.
    pub name: Option<Value>,
    /// `start_ms` of a span.
    pub start_ms: Option<Value>,
    /// `start` of a span (when there is no `start_ms`).
    pub start: Option<Value>,
    /// `end_ms` of a span.
    pub end_ms: Option<Value>,
    /// `end` of a span (when there is no `end_ms`).
    pub end: Option<Value>,
    /// `attrs` of a span.
    pub attrs: Option<Value>,
    /// `timestamp_ms` of a console message or response.
    pub timestamp_ms: Option<Value>,
    /// `ts` of a console message or response (when there is no `timestamp_ms`).
    pub ts: Option<Value>,
    /// `type` of a console message.
    pub kind: Option<Value>,
    /// `text` of a console message.
    pub text: Option<Value>,
    /// `location` of a console message.
    pub location: Option<Value>,
    /// `method` of a response.
    pub method: Option<Value>,
    /// `status` of a response.
    pub status: Option<Value>,
    /// `url` of a response.
    pub url: Option<Value>,
    /// `ok` of a response.
    pub ok: Option<Value>,
    /// `duration_ms` of a response (not printed; a Chrome trace draws the request with it).
    pub duration_ms: Option<Value>,
}

/// One element of a source's list: an object, or the kind of value found instead.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// An object.
    Item(Item),
    /// Not an object: `a string`, `a number`, …
    Wrong(&'static str),
}

/// A whole source: `null`, `false`, `0`, `""`, `{}` and `[]` count as empty (Python's
/// `source or []`); a list is read element by element; anything else is wrong.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Source {
    /// No items.
    #[default]
    Empty,
    /// The list's elements, in order.
    List(Vec<Entry>),
    /// Neither empty nor a list: `a string`, `an object`, …
    Wrong(&'static str),
}

impl Source {
    /// Reads a source from JSON text.
    pub fn from_slice(text: &[u8]) -> serde_json::Result<Source> {
        serde_json::from_slice(text)
    }

    /// Reads a source from a JSON value.
    pub fn from_value(value: &Value) -> Source {
        // A `&Value` always deserializes: every kind of value has its outcome.
        Source::deserialize(value).unwrap_or(Source::Wrong("an unreadable value"))
    }
}

impl From<Vec<Item>> for Source {
    fn from(items: Vec<Item>) -> Source {
        Source::List(items.into_iter().map(Entry::Item).collect())
    }
}

enum Key {
    Name,
    StartMs,
    Start,
    EndMs,
    End,
    Attrs,
    TimestampMs,
    Ts,
    Type,
    Text,
    Location,
    Method,
    Status,
    Url,
    Ok,
    DurationMs,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, k: &str) -> Result<Key, E> {
                Ok(match k {
                    "name" => Key::Name,
                    "start_ms" => Key::StartMs,
                    "start" => Key::Start,
                    "end_ms" => Key::EndMs,
                    "end" => Key::End,
                    "attrs" => Key::Attrs,
                    "timestamp_ms" => Key::TimestampMs,
                    "ts" => Key::Ts,
                    "type" => Key::Type,
                    "text" => Key::Text,
                    "location" => Key::Location,
                    "method" => Key::Method,
                    "status" => Key::Status,
                    "url" => Key::Url,
                    "ok" => Key::Ok,
                    "duration_ms" => Key::DurationMs,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// A value that is not a list or object: what it is called in messages, and whether Python
/// counts it as false.
struct Scalar {
    name: &'static str,
    falsy: bool,
}

/// Visits any JSON value: objects and lists go to `map` and `seq`, the rest to `scalar`.
trait AnyValue<'de>: Sized {
    fn scalar<E: de::Error>(s: Scalar) -> Result<Self, E>;
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
    fn seq<A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error>;
}

fn scalar(name: &'static str, falsy: bool) -> Scalar {
    Scalar { name, falsy }
}

struct AnyVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: AnyValue<'de>> Visitor<'de> for AnyVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        T::scalar(scalar("null", true))
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        T::scalar(scalar("null", true))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<T, E> {
        T::scalar(scalar("a boolean", !b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        T::scalar(scalar("a number", n == 0))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        T::scalar(scalar("a number", n == 0))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<T, E> {
        T::scalar(scalar("a number", n == 0.0))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        T::scalar(scalar("a string", s.is_empty()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<bool, A::Error> {
    let mut any = false;
    while seq.next_element::<IgnoredAny>()?.is_some() {
        any = true;
    }
    Ok(any)
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<bool, A::Error> {
    let mut any = false;
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
        any = true;
    }
    Ok(any)
}

impl<'de> AnyValue<'de> for Entry {
    fn scalar<E: de::Error>(s: Scalar) -> Result<Entry, E> {
        Ok(Entry::Wrong(s.name))
    }
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Entry, A::Error> {
        let mut item = Item::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Name => &mut item.name,
                Key::StartMs => &mut item.start_ms,
                Key::Start => &mut item.start,
                Key::EndMs => &mut item.end_ms,
                Key::End => &mut item.end,
                Key::Attrs => &mut item.attrs,
                Key::TimestampMs => &mut item.timestamp_ms,
                Key::Ts => &mut item.ts,
                Key::Type => &mut item.kind,
                Key::Text => &mut item.text,
                Key::Location => &mut item.location,
                Key::Method => &mut item.method,
                Key::Status => &mut item.status,
                Key::Url => &mut item.url,
                Key::Ok => &mut item.ok,
                Key::DurationMs => &mut item.duration_ms,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(map.next_value()?);
        }
        Ok(Entry::Item(item))
    }
    fn seq<A: SeqAccess<'de>>(seq: A) -> Result<Entry, A::Error> {
        drain_seq(seq)?;
        Ok(Entry::Wrong("a list"))
    }
}

impl<'de> AnyValue<'de> for Source {
    fn scalar<E: de::Error>(s: Scalar) -> Result<Source, E> {
        Ok(if s.falsy {
            Source::Empty
        } else {
            Source::Wrong(s.name)
        })
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Source, A::Error> {
        Ok(if drain_map(map)? {
            Source::Wrong("an object")
        } else {
            Source::Empty
        })
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Source, A::Error> {
        let mut entries = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(entry) = seq.next_element::<Entry>()? {
            entries.push(entry);
        }
        Ok(Source::List(entries))
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        d.deserialize_any(AnyVisitor(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Source, D::Error> {
        d.deserialize_any(AnyVisitor(std::marker::PhantomData))
    }
}

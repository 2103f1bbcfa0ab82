//! serde visitors that walk a HAR document and keep only what the diff needs.
//!
//! Every visitor consumes its whole value and never fails on an unexpected shape: shape
//! problems are returned as data, because a later duplicate key may still replace the value
//! (JSON objects are last-key-wins, as in Python's `json`). Everything not listed here —
//! bodies (`content.text`, `postData`), headers, cookies, custom `_fields` — is skipped with
//! [`IgnoredAny`], so no memory is allocated for it.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::error::JsonKind;
use crate::splitter::{Slot, SlotQueue};

/// Kind and Python truthiness of a value that was not the expected container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) kind: JsonKind,
    pub(crate) truthy: bool,
}

/// Implements every `visit_*` except `visit_map` by consuming the value and calling
/// `$make(shape)`.
macro_rules! visit_non_map {
    ($make:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($make(Shape {
                kind: JsonKind::Null,
                truthy: false,
            }))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($make(Shape {
                kind: JsonKind::Null,
                truthy: false,
            }))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok($make(Shape {
                kind: JsonKind::Bool,
                truthy: v,
            }))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok($make(Shape {
                kind: JsonKind::Number,
                truthy: v != 0,
            }))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok($make(Shape {
                kind: JsonKind::Number,
                truthy: v != 0,
            }))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok($make(Shape {
                kind: JsonKind::Number,
                truthy: v != 0.0,
            }))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok($make(Shape {
                kind: JsonKind::String,
                truthy: !v.is_empty(),
            }))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            let any = skip_seq(seq)?;
            Ok($make(Shape {
                kind: JsonKind::Array,
                truthy: any,
            }))
        }
    };
}

/// Consumes the rest of a list; true when it had at least one element.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<bool, A::Error> {
    let mut any = false;
    while seq.next_element::<IgnoredAny>()?.is_some() {
        any = true;
    }
    Ok(any)
}

/// Consumes the rest of an object; true when it had at least one key.
fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<bool, A::Error> {
    let mut any = false;
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
        any = true;
    }
    Ok(any)
}

/// Identifies an object key among `names`; `None` for any other key. Allocates nothing.
struct FieldSeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // Not `deserialize_bytes`: serde_json's raw-bytes path accepts control characters.
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|name| *name == v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|name| name.as_bytes() == v))
    }
}

/// Reads the next key of `map`: `Some(Some(i))` for `names[i]`, `Some(None)` for another key.
fn next_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    names: &'static [&'static str],
) -> Result<Option<Option<usize>>, A::Error> {
    map.next_key_seed(FieldSeed(names))
}

/// The value of `log.entries`, generic over what collects the entries.
#[derive(Debug)]
pub(crate) enum Entries<C> {
    /// Not a list.
    NotList(JsonKind),
    /// A list, collected.
    List(C),
}

/// Receives entries one by one, in document order.
pub(crate) trait EntrySink {
    /// Called with each element of `log.entries` and its position.
    fn push(&mut self, index: usize, entry: Entry);
}

/// Makes a fresh sink for each `log.entries` value met.
pub(crate) trait SinkFactory {
    /// The sink type.
    type Sink: EntrySink;
    /// A new, empty sink.
    fn make(&self) -> Self::Sink;
    /// Entries already parsed by the [`crate::splitter::Splitter`], when reading through one.
    fn slots(&self) -> Option<&SlotQueue> {
        None
    }
    /// Whether entries' timings and sizes are needed.
    fn wants_metrics(&self) -> bool {
        true
    }
}

/// Reads a whole document; entries go to a fresh sink per `log.entries` value.
pub(crate) struct TopSeed<'a, F>(pub(crate) &'a F);

/// The top-level value, with entries collected by `S`.
#[derive(Debug)]
pub(crate) enum TopOf<S> {
    /// Not an object.
    NotObject(JsonKind),
    /// An object; its last `log` value, if any.
    Object(Option<LogOf<S>>),
}

/// The value of `log`, with entries collected by `S`.
#[derive(Debug)]
pub(crate) enum LogOf<S> {
    /// Not an object.
    NotObject(JsonKind),
    /// An object; its last `entries` value, if any.
    Object(Option<Entries<S>>),
}

impl<'de, F: SinkFactory> DeserializeSeed<'de> for TopSeed<'_, F> {
    type Value = TopOf<F::Sink>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: SinkFactory> Visitor<'de> for TopSeed<'_, F> {
    type Value = TopOf<F::Sink>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR document")
    }
    visit_non_map!(|s: Shape| TopOf::NotObject(s.kind));
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut log = None;
        while let Some(field) = next_field(&mut map, &["log"])? {
            match field {
                Some(_) => log = Some(map.next_value_seed(LogSeed(self.0))?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(TopOf::Object(log))
    }
}

struct LogSeed<'a, F>(&'a F);

impl<'de, F: SinkFactory> DeserializeSeed<'de> for LogSeed<'_, F> {
    type Value = LogOf<F::Sink>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: SinkFactory> Visitor<'de> for LogSeed<'_, F> {
    type Value = LogOf<F::Sink>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the `log` object")
    }
    visit_non_map!(|s: Shape| LogOf::NotObject(s.kind));
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = None;
        while let Some(field) = next_field(&mut map, &["entries"])? {
            match field {
                Some(_) => {
                    // Drop an earlier list before reading the next one.
                    drop(entries.take());
                    entries = Some(map.next_value_seed(EntriesSeed(self.0))?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(LogOf::Object(entries))
    }
}

struct EntriesSeed<'a, F>(&'a F);

impl<'de, F: SinkFactory> DeserializeSeed<'de> for EntriesSeed<'_, F> {
    type Value = Entries<F::Sink>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: SinkFactory> Visitor<'de> for EntriesSeed<'_, F> {
    type Value = Entries<F::Sink>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the `log.entries` list")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Entries::NotList(JsonKind::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Entries::NotList(JsonKind::Null))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Entries::NotList(JsonKind::Bool))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Entries::NotList(JsonKind::Number))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Entries::NotList(JsonKind::Number))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Entries::NotList(JsonKind::Number))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Entries::NotList(JsonKind::String))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map)?;
        Ok(Entries::NotList(JsonKind::Object))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut sink = self.0.make();
        let mut index = 0;
        let seed = || SlotSeed {
            queue: self.0.slots(),
            metrics: self.0.wants_metrics(),
        };
        while let Some(entry) = seq.next_element_seed(seed())? {
            sink.push(index, entry);
            index += 1;
        }
        Ok(Entries::List(sink))
    }
}

/// One element of `log.entries`: taken from the splitter's queue when it parsed it (the
/// stream then holds a placeholder), else parsed here.
struct SlotSeed<'a> {
    queue: Option<&'a SlotQueue>,
    metrics: bool,
}

impl<'de> DeserializeSeed<'de> for SlotSeed<'_> {
    type Value = Entry;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let slot = self.queue.and_then(|queue| queue.borrow_mut().pop_front());
        match slot {
            Some(Slot::Parsed(entry)) => {
                IgnoredAny::deserialize(d)?;
                Ok(entry)
            }
            Some(Slot::Streamed) | None => EntrySeed {
                metrics: self.metrics,
            }
            .deserialize(d),
        }
    }
}

/// An entry with its timings and sizes.
impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EntrySeed { metrics: true }.deserialize(d)
    }
}

/// An entry without timings and sizes (skipped unparsed: faster when they are not compared).
#[derive(Debug)]
pub(crate) struct LeanEntry(pub(crate) Entry);

impl<'de> Deserialize<'de> for LeanEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EntrySeed { metrics: false }.deserialize(d).map(LeanEntry)
    }
}

/// A text field (`method`, `url`) as Python's `value or ""` sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Text {
    /// Absent, `null`, `""`, `0`, `false`, `[]` or `{}`: counts as `""`.
    Empty,
    /// A non-empty string.
    Str(String),
    /// A value that is neither a string nor empty.
    Other(JsonKind),
}

/// One element of `log.entries`, reduced to what the diff needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Entry {
    /// Not an object.
    NotObject(JsonKind),
    /// An object.
    Object(EntryFields),
}

/// The fields of an entry object that the diff reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct EntryFields {
    pub(crate) request: Request,
    pub(crate) response: Response,
    /// `time`, when a number.
    pub(crate) time: Option<f64>,
    /// `timings.wait`, when a number.
    pub(crate) wait: Option<f64>,
    /// Sum of the non-negative phases of `timings` (blocked, dns, connect, send, wait,
    /// receive), when any is a number.
    pub(crate) timings_total: Option<f64>,
}

/// An entry's `request`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Request {
    /// Absent or empty (`null`, `{}`-like falsy values): method and url are `""`.
    #[default]
    Empty,
    /// Neither an object nor empty.
    NotObject(JsonKind),
    /// An object.
    Object {
        /// `request.method`.
        method: Text,
        /// `request.url`.
        url: Text,
    },
}

/// An entry's `response`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Response {
    /// Absent or empty: status 0.
    #[default]
    Empty,
    /// Neither an object nor empty.
    NotObject(JsonKind),
    /// An object.
    Object {
        /// `status` when an integer (booleans count as 0/1, as in Python), else 0.
        status: i64,
        /// `content.size`, when a number.
        content_size: Option<f64>,
        /// `bodySize`, when a number.
        body_size: Option<f64>,
    },
}

/// Reads an entry; `metrics`: also its time, timings and sizes.
struct EntrySeed {
    metrics: bool,
}

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = Entry;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed {
    type Value = Entry;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR entry")
    }
    visit_non_map!(|s: Shape| Entry::NotObject(s.kind));
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        const FIELDS: &[&str] = &["request", "response", "time", "timings"];
        let fields_read = if self.metrics { FIELDS } else { &FIELDS[..2] };
        let mut fields = EntryFields::default();
        while let Some(field) = next_field(&mut map, fields_read)? {
            match field {
                Some(0) => fields.request = map.next_value_seed(RequestSeed)?,
                Some(1) => {
                    fields.response = map.next_value_seed(ResponseSeed {
                        metrics: self.metrics,
                    })?
                }
                Some(2) => fields.time = map.next_value_seed(NumberSeed)?,
                Some(_) => {
                    let (wait, total) = map.next_value_seed(TimingsSeed)?;
                    fields.wait = wait;
                    fields.timings_total = total;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Entry::Object(fields))
    }
}

struct RequestSeed;

impl<'de> DeserializeSeed<'de> for RequestSeed {
    type Value = Request;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn request_from_shape(s: Shape) -> Request {
    if s.truthy {
        Request::NotObject(s.kind)
    } else {
        Request::Empty
    }
}

impl<'de> Visitor<'de> for RequestSeed {
    type Value = Request;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR request")
    }
    visit_non_map!(request_from_shape);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut method = Text::Empty;
        let mut url = Text::Empty;
        while let Some(field) = next_field(&mut map, &["method", "url"])? {
            match field {
                Some(0) => method = map.next_value_seed(TextSeed)?,
                Some(_) => url = map.next_value_seed(TextSeed)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Request::Object { method, url })
    }
}

struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Text;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn text_from_shape(s: Shape) -> Text {
    if s.truthy {
        Text::Other(s.kind)
    } else {
        Text::Empty
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text::Empty)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text::Empty)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(text_from_shape(Shape {
            kind: JsonKind::Bool,
            truthy: v,
        }))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(text_from_shape(Shape {
            kind: JsonKind::Number,
            truthy: v != 0,
        }))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(text_from_shape(Shape {
            kind: JsonKind::Number,
            truthy: v != 0,
        }))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(text_from_shape(Shape {
            kind: JsonKind::Number,
            truthy: v != 0.0,
        }))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(if v.is_empty() {
            Text::Empty
        } else {
            Text::Str(v.to_owned())
        })
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(if v.is_empty() {
            Text::Empty
        } else {
            Text::Str(v)
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let truthy = skip_seq(seq)?;
        Ok(text_from_shape(Shape {
            kind: JsonKind::Array,
            truthy,
        }))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let truthy = skip_map(map)?;
        Ok(text_from_shape(Shape {
            kind: JsonKind::Object,
            truthy,
        }))
    }
}

/// Reads a response; `metrics`: also its sizes.
struct ResponseSeed {
    metrics: bool,
}

impl<'de> DeserializeSeed<'de> for ResponseSeed {
    type Value = Response;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn response_from_shape(s: Shape) -> Response {
    if s.truthy {
        Response::NotObject(s.kind)
    } else {
        Response::Empty
    }
}

impl<'de> Visitor<'de> for ResponseSeed {
    type Value = Response;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR response")
    }
    visit_non_map!(response_from_shape);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut status = 0;
        let mut content_size = None;
        let mut body_size = None;
        const FIELDS: &[&str] = &["status", "content", "bodySize"];
        let fields_read = if self.metrics { FIELDS } else { &FIELDS[..1] };
        while let Some(field) = next_field(&mut map, fields_read)? {
            match field {
                Some(0) => status = map.next_value_seed(StatusSeed)?,
                Some(1) => content_size = map.next_value_seed(ContentSizeSeed)?,
                Some(_) => body_size = map.next_value_seed(NumberSeed)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Response::Object {
            status,
            content_size,
            body_size,
        })
    }
}

/// `response.status`: an integer (or boolean, which Python counts as an integer) gives its
/// value; anything else — float, string, null, container — gives 0. Integers outside the
/// 64-bit signed range give 0 as well.
struct StatusSeed;

impl<'de> DeserializeSeed<'de> for StatusSeed {
    type Value = i64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StatusSeed {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a status code")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(0)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(i64::from(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).unwrap_or(0))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(0)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|_| 0)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map).map(|_| 0)
    }
}

/// A number (any JSON number) or `None` for anything else.
struct NumberSeed;

impl<'de> DeserializeSeed<'de> for NumberSeed {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumberSeed {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|_| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map).map(|_| None)
    }
}

/// `response.content`: its `size` when a number; the body (`text`) is skipped.
struct ContentSizeSeed;

impl<'de> DeserializeSeed<'de> for ContentSizeSeed {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ContentSizeSeed {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR content object")
    }
    visit_non_map!(|_: Shape| None);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut size = None;
        while let Some(field) = next_field(&mut map, &["size"])? {
            match field {
                Some(_) => size = map.next_value_seed(NumberSeed)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(size)
    }
}

/// `timings`: (`wait`, sum of the non-negative phases).
struct TimingsSeed;

impl<'de> DeserializeSeed<'de> for TimingsSeed {
    type Value = (Option<f64>, Option<f64>);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TimingsSeed {
    type Value = (Option<f64>, Option<f64>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR timings object")
    }
    visit_non_map!(|_: Shape| (None, None));
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        const PHASES: &[&str] = &["blocked", "dns", "connect", "send", "wait", "receive"];
        let mut values = [None; 6];
        while let Some(field) = next_field(&mut map, PHASES)? {
            match field {
                Some(i) => values[i] = map.next_value_seed(NumberSeed)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let total = values.iter().flatten().fold(None, |sum: Option<f64>, v| {
            Some(sum.unwrap_or(0.0) + v.max(0.0))
        });
        Ok((values[4], total))
    }
}

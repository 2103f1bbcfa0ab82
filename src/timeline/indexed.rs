//! The timeline of source texts, kept as positions in them until printed: a first pass reads
//! each element's timestamps (and reads through everything else the rules use, so that every
//! error shows there), (timestamp, position) pairs are sorted, and each event is read again in
//! full only when it is printed. Memory stays near the size of the inputs however long the
//! list, and the printing is shared between two threads.

use std::io::{self, Write};
use std::ops::Range;

use super::input::{read_item, read_source, Item, Shape, SourceKind};
use super::{
    console_event, error, message_time, response_event, scan, source_name, span_event, span_times,
    write_event, TimelineError, TimelineEvent,
};

/// One source: its text and where each of its elements lies.
struct Source<'a> {
    kind: SourceKind,
    text: &'a [u8],
    items: Vec<Range<usize>>,
}

/// An event before it is read in full: its time, and its position in the order Python's
/// merge keeps for equal times (source, element, start before end) packed in `key`.
#[derive(Debug, Clone, Copy)]
struct Slot {
    timestamp_ms: f64,
    key: u64,
}

const SOURCE_SHIFT: u32 = 48;

impl Slot {
    fn new(timestamp_ms: f64, source: usize, item: usize, end: bool) -> Slot {
        let key = ((source as u64) << SOURCE_SHIFT) | ((item as u64) << 1) | u64::from(end);
        Slot { timestamp_ms, key }
    }

    fn source(self) -> usize {
        (self.key >> SOURCE_SHIFT) as usize
    }

    fn item(self) -> usize {
        ((self.key & ((1 << SOURCE_SHIFT) - 1)) >> 1) as usize
    }

    fn end(self) -> bool {
        self.key & 1 == 1
    }
}

/// The merged timeline of three JSON texts (SPEC §6), ordered, not yet read in full.
pub struct Timeline<'a> {
    sources: [Source<'a>; 3],
    slots: Vec<Slot>,
}

/// The first pass over one source: where its elements lie and the slots of their events.
fn first_pass(
    source: usize,
    kind: SourceKind,
    text: &[u8],
) -> Result<(Source<'_>, Vec<Slot>), TimelineError> {
    let name = source_name(kind);
    let whole = |reason: String| error(name, String::new(), reason);
    std::str::from_utf8(text).map_err(|e| whole(format!("not valid UTF-8: {e}")))?;
    // serde_json's own reading of the whole text, for what is not a list and for the
    // message of a syntax error.
    let whole_text = || match read_source(kind, text, |_| {}) {
        Err(e) => whole(format!("not valid JSON: {e}")),
        Ok(Shape::Wrong(what)) => whole(format!("expected a JSON list of objects, got {what}")),
        Ok(_) => whole("not valid JSON: unbalanced brackets".into()),
    };
    let Some(items) = scan::list_elements(text) else {
        return match read_source(kind, text, |_| {}) {
            Ok(Shape::Empty) => Ok((
                Source {
                    kind,
                    text,
                    items: Vec::new(),
                },
                Vec::new(),
            )),
            _ => Err(whole_text()),
        };
    };
    let mut slots = Vec::with_capacity(items.len() * 2);
    let mut failed = None;
    for (index, range) in items.iter().enumerate() {
        let item = match read_item(kind, &text[range.clone()], true) {
            Err(_) => return Err(whole_text()),
            Ok(item) => item,
        };
        if failed.is_some() {
            continue;
        }
        let outcome = match item {
            Err(what) => Err(error(
                name,
                format!("[{index}]"),
                format!("expected an object, got {what}"),
            )),
            Ok(item) => add_slots(&mut slots, source, kind, index, &item),
        };
        failed = outcome.err();
    }
    match failed {
        Some(e) => Err(e),
        None => Ok((Source { kind, text, items }, slots)),
    }
}

fn add_slots(
    slots: &mut Vec<Slot>,
    source: usize,
    kind: SourceKind,
    index: usize,
    item: &Item,
) -> Result<(), TimelineError> {
    if kind == SourceKind::Spans {
        if let Some((start, end)) = span_times(index, item)? {
            slots.push(Slot::new(start, source, index, false));
            if let Some(end) = end {
                slots.push(Slot::new(end, source, index, true));
            }
        }
    } else {
        let ts = message_time(kind, index, item)?;
        slots.push(Slot::new(ts, source, index, false));
    }
    Ok(())
}

impl<'a> Timeline<'a> {
    /// Reads the three sources side by side (`b"null"` or `b"[]"` for a missing one). The
    /// first error in the order spans, console, responses is the one returned.
    pub fn read(
        spans: &'a [u8],
        console: &'a [u8],
        responses: &'a [u8],
    ) -> Result<Timeline<'a>, TimelineError> {
        let (spans, console, responses) = std::thread::scope(|s| {
            let spans = s.spawn(|| first_pass(0, SourceKind::Spans, spans));
            let console = s.spawn(|| first_pass(1, SourceKind::Console, console));
            let responses = first_pass(2, SourceKind::Responses, responses);
            (spans.join(), console.join(), responses)
        });
        let lost = |name| error(name, String::new(), "reading the source failed".into());
        let (spans, mut slots) = spans.unwrap_or_else(|_| Err(lost("spans")))?;
        let (console, console_slots) = console.unwrap_or_else(|_| Err(lost("console")))?;
        let (responses, response_slots) = responses?;
        slots.extend(console_slots);
        slots.extend(response_slots);
        slots.sort_unstable_by(|a, b| {
            a.timestamp_ms
                .partial_cmp(&b.timestamp_ms)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.key.cmp(&b.key))
        });
        Ok(Timeline {
            sources: [spans, console, responses],
            slots,
        })
    }

    /// How many events.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when there are no events.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The event of `slot`, read in full.
    fn event(&self, slot: Slot) -> Result<TimelineEvent, TimelineError> {
        let source = &self.sources[slot.source()];
        let index = slot.item();
        let name = source_name(source.kind);
        let changed = || error(name, format!("[{index}]"), "could not be read again".into());
        let range = source.items.get(index).ok_or_else(changed)?.clone();
        let item = read_item(source.kind, &source.text[range], false)
            .ok()
            .and_then(Result::ok)
            .ok_or_else(changed)?;
        match source.kind {
            SourceKind::Spans => span_event(index, item, slot.end())?.ok_or_else(changed),
            SourceKind::Console => console_event(index, item),
            SourceKind::Responses => response_event(index, item),
        }
    }

    /// Every event, in order.
    pub fn events(&self) -> Result<Vec<TimelineEvent>, TimelineError> {
        self.slots.iter().map(|&slot| self.event(slot)).collect()
    }

    /// Appends the events of `slots` as `to_json` prints them, each after `", "` unless it
    /// is the very first.
    fn render(&self, slots: &[Slot], first: bool, out: &mut Vec<u8>) -> io::Result<()> {
        for (i, &slot) in slots.iter().enumerate() {
            if i > 0 || !first {
                out.extend_from_slice(b", ");
            }
            let event = self
                .event(slot)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            write_event(out, &event);
        }
        Ok(())
    }

    /// Writes the list as Python's `json.dumps(build(...))` prints it, and a newline. Blocks
    /// of events are printed by two threads at a time and written in order.
    pub fn write_json(&self, mut out: impl Write) -> io::Result<()> {
        const BLOCK: usize = 16 * 1024;
        out.write_all(b"[")?;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (pair_at, pair) in self.slots.chunks(2 * BLOCK).enumerate() {
            let (first, second) = pair.split_at(pair.len().min(BLOCK));
            a.clear();
            b.clear();
            let (ra, rb) = std::thread::scope(|s| {
                let other = s.spawn(|| self.render(second, false, &mut b));
                let ra = self.render(first, pair_at == 0, &mut a);
                (ra, other.join())
            });
            ra?;
            rb.unwrap_or_else(|_| Err(io::Error::other("printing failed")))?;
            out.write_all(&a)?;
            out.write_all(&b)?;
        }
        out.write_all(b"]\n")?;
        out.flush()
    }
}

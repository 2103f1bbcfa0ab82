//! The timeline of three source texts, printed ahead: each source is read in one pass (the
//! three side by side) and every event's label and payload are printed straight into one
//! buffer per source; only (timestamp, position) pairs are sorted, and printing the list
//! copies the pieces in that order. No per-event strings are kept.

use std::io::{self, Write};

use super::input::{read_source, Shape, SourceKind};
use super::{
    console_events, error, response_events, source_name, span_events, write_printed, Kind, Sink,
    TimelineError, TimelineEvent,
};

/// Where one event's printed label and payload lie in its source's buffer.
#[derive(Debug, Clone, Copy)]
struct Mark {
    kind: Kind,
    label_end: usize,
    end: usize,
}

/// One source's events, printed.
#[derive(Debug, Default)]
struct Printed {
    text: Vec<u8>,
    marks: Vec<Mark>,
}

impl Printed {
    /// Event `j`: its kind, printed label and printed payload.
    fn get(&self, j: usize) -> Option<(Kind, &[u8], &[u8])> {
        let mark = self.marks.get(j)?;
        let start = j.checked_sub(1).map_or(0, |i| self.marks[i].end);
        Some((
            mark.kind,
            &self.text[start..mark.label_end],
            &self.text[mark.label_end..mark.end],
        ))
    }
}

/// An event's time and its place in the order Python's merge keeps for equal times
/// (source, then event within it), packed in `key`.
#[derive(Debug, Clone, Copy)]
struct Slot {
    timestamp_ms: f64,
    key: u64,
}

const SOURCE_SHIFT: u32 = 56;

impl Slot {
    fn source(self) -> usize {
        (self.key >> SOURCE_SHIFT) as usize
    }

    fn event(self) -> usize {
        (self.key & ((1 << SOURCE_SHIFT) - 1)) as usize
    }
}

/// The sink of one source's pass.
struct PrintSink {
    source: u64,
    printed: Printed,
    slots: Vec<Slot>,
}

impl Sink for PrintSink {
    fn event(&mut self, timestamp_ms: f64, kind: Kind, label: &str, payload: &[&str]) {
        let text = &mut self.printed.text;
        super::pyjson::json_string(text, label);
        let label_end = text.len();
        for piece in payload {
            text.extend_from_slice(piece.as_bytes());
        }
        let key = (self.source << SOURCE_SHIFT) | self.printed.marks.len() as u64;
        self.printed.marks.push(Mark {
            kind,
            label_end,
            end: text.len(),
        });
        self.slots.push(Slot { timestamp_ms, key });
    }
}

/// Reads one source, printing its events.
fn read_one(
    source: u64,
    kind: SourceKind,
    text: &[u8],
) -> Result<(Printed, Vec<Slot>), TimelineError> {
    let name = source_name(kind);
    let whole = |reason: String| error(name, String::new(), reason);
    std::str::from_utf8(text).map_err(|e| whole(format!("not valid UTF-8: {e}")))?;
    let mut sink = PrintSink {
        source,
        printed: Printed {
            // Room for the printed events up front (untouched room costs nothing), so the
            // buffer is not copied as it grows.
            text: Vec::with_capacity(text.len() * 2 + 64),
            marks: Vec::new(),
        },
        slots: Vec::new(),
    };
    let mut failed = None;
    let mut index = 0;
    let shape = read_source(kind, text, |entry| {
        if failed.is_none() {
            let outcome = match entry {
                Err(what) => Err(error(
                    name,
                    format!("[{index}]"),
                    format!("expected an object, got {what}"),
                )),
                Ok(item) => match kind {
                    SourceKind::Spans => span_events(index, &item, &mut sink),
                    SourceKind::Console => console_events(index, &item, &mut sink),
                    SourceKind::Responses => response_events(index, &item, &mut sink),
                },
            };
            failed = outcome.err();
        }
        index += 1;
    })
    .map_err(|e| whole(format!("not valid JSON: {e}")))?;
    if let Shape::Wrong(what) = shape {
        return Err(whole(format!(
            "expected a JSON list of objects, got {what}"
        )));
    }
    match failed {
        Some(e) => Err(e),
        None => Ok((sink.printed, sink.slots)),
    }
}

/// The merged timeline of three JSON texts (SPEC §6), ordered and printed ahead.
pub struct Timeline {
    sources: [Printed; 3],
    slots: Vec<Slot>,
}

impl Timeline {
    /// Reads the three sources side by side (`b"null"` or `b"[]"` for a missing one). The
    /// first error in the order spans, console, responses is the one returned.
    pub fn read(spans: &[u8], console: &[u8], responses: &[u8]) -> Result<Timeline, TimelineError> {
        let (spans, console, responses) = std::thread::scope(|s| {
            let spans = s.spawn(|| read_one(0, SourceKind::Spans, spans));
            let console = s.spawn(|| read_one(1, SourceKind::Console, console));
            let responses = read_one(2, SourceKind::Responses, responses);
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

    fn get(&self, slot: Slot) -> Option<(Kind, &[u8], &[u8])> {
        self.sources.get(slot.source())?.get(slot.event())
    }

    /// Every event, in order.
    pub fn events(&self) -> Vec<TimelineEvent> {
        self.slots
            .iter()
            .filter_map(|&slot| {
                let (kind, label, payload) = self.get(slot)?;
                Some(TimelineEvent {
                    timestamp_ms: slot.timestamp_ms,
                    kind,
                    label: serde_json::from_slice(label).unwrap_or_default(),
                    payload: String::from_utf8_lossy(payload).into_owned(),
                })
            })
            .collect()
    }

    /// Writes the list as Python's `json.dumps(build(...))` prints it, and a newline, in
    /// large blocks.
    pub fn write_json(&self, out: impl Write) -> io::Result<()> {
        super::write_list(&self.slots, out, |buf, &slot| {
            if let Some((kind, label, payload)) = self.get(slot) {
                write_printed(buf, slot.timestamp_ms, kind, label, payload);
            }
        })
    }
}

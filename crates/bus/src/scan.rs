//! Reading a bus file: whole lines from an offset, a half-written last line left for later,
//! and a line torn by a killed writer told apart from the whole events glued behind it.
//!
//! A writer killed in the middle of its write can leave part of a line without its newline;
//! the next writer's line then ends it. Such a line is a torn prefix followed by a whole
//! event: the event is delivered, the prefix reported as corrupt (unless it is itself a whole
//! event that only lacked its newline), so nothing whole is lost and nothing is called
//! corrupt that is not.

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;

use memchr::memmem;

use crate::envelope::{EventEnvelope, RawEvent};
use crate::error::EventBusError;
use crate::Polled;

/// What a scan finds, in file order.
#[derive(Debug)]
pub enum Scanned<'a> {
    /// A whole event (of a wanted topic).
    Event(RawEvent<'a>),
    /// A complete line that holds no event: [`EventBusError::Corrupt`].
    Corrupt(EventBusError),
}

/// How much of the file is read at a time.
const CHUNK: usize = 1 << 20;

/// Scans the bus file at `path` from byte `offset` to its end and returns the offset just
/// after its last complete line. A file that does not exist holds nothing.
pub(crate) fn scan_file(
    path: &Path,
    offset: u64,
    topics: &[&str],
    on: &mut dyn FnMut(Scanned<'_>),
) -> Result<u64, EventBusError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(offset),
        Err(e) => return Err(EventBusError::io(path, &e)),
    };
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| EventBusError::io(path, &e))?;
    let mut buf = vec![0u8; CHUNK];
    let (mut filled, mut base) = (0usize, offset);
    loop {
        if filled == buf.len() {
            // One line longer than the buffer.
            buf.resize(buf.len() * 2, 0);
        }
        let n = match file.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(EventBusError::io(path, &e)),
        };
        if n == 0 {
            return Ok(base);
        }
        filled += n;
        let used = scan_lines(&buf[..filled], base, topics, on);
        buf.copy_within(used..filled, 0);
        filled -= used;
        base += used as u64;
    }
}

/// Scans the complete lines of `bytes` (whose first byte is at file offset `base`) and
/// returns how many bytes they take; a last line without its newline is left.
pub(crate) fn scan_lines(
    bytes: &[u8],
    base: u64,
    topics: &[&str],
    on: &mut dyn FnMut(Scanned<'_>),
) -> usize {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let at = base + start as u64;
        scan_segment(
            &bytes[start..end],
            at,
            at + (end - start) as u64 + 1,
            topics,
            on,
        );
        start = end + 1;
    }
    start
}

/// Scans one segment of a line, at byte `at`; `resume` is where reading goes on when the
/// whole segment is corrupt.
fn scan_segment(
    segment: &[u8],
    at: u64,
    resume: u64,
    topics: &[&str],
    on: &mut dyn FnMut(Scanned<'_>),
) {
    let text = segment.trim_ascii();
    if text.is_empty() {
        return;
    }
    let at = at + (text.as_ptr() as usize - segment.as_ptr() as usize) as u64;
    let error = match parse(text) {
        Ok(event) => return emit(event, topics, on),
        Err(e) => e,
    };
    // A torn line with whole events behind it: the earliest start of an event whose rest of
    // the line parses.
    let finder = memmem::Finder::new(b"{\"event_id\"");
    for idx in finder.find_iter(text).filter(|&i| i > 0) {
        if let Ok(event) = parse(&text[idx..]) {
            scan_segment(&text[..idx], at, at + idx as u64, topics, on);
            return emit(event, topics, on);
        }
    }
    on(Scanned::Corrupt(EventBusError::Corrupt {
        location: format!("line at byte {at}"),
        message: error,
        resume: resume.to_string(),
    }));
}

fn parse(text: &[u8]) -> Result<RawEvent<'_>, String> {
    let text = std::str::from_utf8(text).map_err(|e| format!("not UTF-8: {e}"))?;
    RawEvent::parse(text)
}

fn emit<'a>(event: RawEvent<'a>, topics: &[&str], on: &mut dyn FnMut(Scanned<'a>)) {
    if topics.is_empty() || topics.contains(&event.topic.as_ref()) {
        on(Scanned::Event(event));
    }
}

/// Collects a strict poll: the events, or the first corrupt line as the error.
#[derive(Default)]
pub(crate) struct Strict {
    events: Vec<EventEnvelope>,
    error: Option<EventBusError>,
}

impl Strict {
    pub(crate) fn take(&mut self, scanned: Scanned<'_>) {
        if self.error.is_some() {
            return;
        }
        match scanned {
            Scanned::Event(raw) => match raw.to_envelope() {
                Ok(e) => self.events.push(e),
                Err(message) => {
                    self.error = Some(EventBusError::Corrupt {
                        location: format!("event {}", raw.event_id),
                        message,
                        resume: String::new(),
                    })
                }
            },
            Scanned::Corrupt(e) => self.error = Some(e),
        }
    }

    pub(crate) fn finish<O>(self, next_offset: O) -> Result<Polled<O>, EventBusError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(Polled {
                events: self.events,
                next_offset,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, topic: &str) -> String {
        format!("{{\"event_id\": \"{id}\", \"topic\": \"{topic}\", \"payload\": {{\"k\": {{\"event_id\": \"nested\"}}}}, \"timestamp_ms\": 1, \"sender\": null}}\n")
    }

    fn scan(bytes: &[u8]) -> (Vec<String>, Vec<String>, usize) {
        let (mut ids, mut bad) = (vec![], vec![]);
        let used = scan_lines(bytes, 100, &[], &mut |s| match s {
            Scanned::Event(e) => ids.push(e.event_id.to_string()),
            Scanned::Corrupt(e) => bad.push(e.to_string()),
        });
        (ids, bad, used)
    }

    #[test]
    fn a_half_written_last_line_waits() {
        let whole = line("a", "t");
        let mut bytes = whole.clone().into_bytes();
        bytes.extend_from_slice(&line("b", "t").as_bytes()[..30]);
        let (ids, bad, used) = scan(&bytes);
        assert_eq!(
            (ids, bad, used),
            (vec!["a".to_string()], vec![], whole.len())
        );
    }

    #[test]
    fn a_torn_line_is_corrupt_and_the_event_behind_it_is_kept() {
        let torn = &line("a", "t")[..70];
        let bytes = format!("{torn}{}{}", line("b", "t"), line("c", "t"));
        let (ids, bad, used) = scan(bytes.as_bytes());
        assert_eq!(ids, ["b", "c"]);
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0].starts_with("corrupt line at byte 100:"),
            "{}",
            bad[0]
        );
        assert_eq!(used, bytes.len());
    }

    #[test]
    fn a_whole_event_that_lost_its_newline_is_not_corrupt() {
        let first = line("a", "t");
        let bytes = format!("{}{}", first.trim_end(), line("b", "t"));
        let (ids, bad, _) = scan(bytes.as_bytes());
        assert_eq!(
            (ids, bad.len()),
            (vec!["a".to_string(), "b".to_string()], 0)
        );
    }

    #[test]
    fn garbage_is_corrupt_with_its_offset_and_where_to_resume() {
        let bytes = format!("{}not json\n{}", line("a", "t"), line("b", "t"));
        let mut errors = vec![];
        scan_lines(bytes.as_bytes(), 0, &[], &mut |s| {
            if let Scanned::Corrupt(e) = s {
                errors.push(e);
            }
        });
        let at = line("a", "t").len();
        assert_eq!(errors.len(), 1);
        match &errors[0] {
            EventBusError::Corrupt {
                location, resume, ..
            } => {
                assert_eq!(location, &format!("line at byte {at}"));
                assert_eq!(resume, &(at + 9).to_string());
            }
            other => panic!("{other:?}"),
        }
    }
}

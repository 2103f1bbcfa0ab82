//! Fast path of the streaming reader: each element of `log.entries` is parsed straight from
//! the read buffer, and the document's skeleton is what the streaming JSON parser sees.
//!
//! [`Splitter`] is the `io::Read` that `serde_json`'s streaming deserializer reads from. It
//! follows the document's structure byte by byte; when an element of `log.entries` begins, it
//! parses the whole element from the buffer with `serde_json`'s slice parser (much faster than
//! byte-by-byte reading), queues the result, and hands the streaming parser a `0` in its
//! place. The entries visitor takes the queued result instead of the `0`. Parsing an element
//! from a slice needs the element in the buffer: elements larger than
//! [`MAX_ELEMENT_BYTES`] (huge bodies) are instead passed through byte by byte, so memory stays
//! bounded.
//!
//! Soundness: an element is replaced only after it parsed as one complete JSON value, and a
//! JSON value may be replaced by any other value without changing whether the document is
//! valid. So the streaming parser accepts the rewritten document exactly when the original is
//! valid JSON; for valid JSON the structure followed here is exact.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

use crate::input::{CheckedInput, Fill};
use crate::visit::{Entry, LeanEntry};

/// How many recent byte positions are kept for mapping error positions back.
const RECENT_POSITIONS: usize = 4096;

/// Elements larger than this are streamed instead of parsed from the buffer.
pub(crate) const MAX_ELEMENT_BYTES: usize = 4 * 1024 * 1024;

/// An element of `log.entries`, as prepared by the splitter.
#[derive(Debug)]
pub(crate) enum Slot {
    /// Parsed from the buffer; the streaming parser sees a `0` in its place.
    Parsed(Entry),
    /// Passed through; the streaming parser sees the element itself.
    Streamed,
}

/// Queue from the splitter to the entries visitor (same thread).
pub(crate) type SlotQueue = Rc<RefCell<VecDeque<Slot>>>;

/// A line and column as `serde_json` counts them: 1-based line, bytes since the last newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Position {
    /// Moves past `bytes`.
    pub(crate) fn advance(&mut self, bytes: &[u8]) {
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', &bytes[..=last]).count();
                self.column = bytes.len() - last - 1;
            }
            None => self.column += bytes.len(),
        }
    }
}

/// A JSON syntax error inside an element parsed from the buffer, at its position in the
/// source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ElementError {
    pub(crate) position: Position,
    pub(crate) message: String,
}

/// The reader `serde_json` parses; see the module documentation.
pub(crate) struct Splitter<R> {
    pub(crate) input: CheckedInput<R>,
    queue: SlotQueue,
    tracker: Tracker,
    /// Placeholder bytes still to hand out.
    pending: &'static [u8],
    /// Position in the source of the last byte handed out (or consumed on its behalf).
    pub(crate) position: Position,
    /// Position of the last byte handed out in the stream `serde_json` sees.
    stream: Position,
    /// (stream, source) positions of the last bytes handed out, to map the parser's error
    /// positions back (after an error the parser may read a few more bytes).
    recent: VecDeque<(Position, Position)>,
    /// A syntax error met inside an element; reading fails once it is set.
    pub(crate) element_error: Option<ElementError>,
    max_element: usize,
    /// Whether entries are parsed with their timings and sizes.
    metrics: bool,
}

/// Parses the first JSON value of `bytes` as an entry; returns it and the bytes it took.
fn parse_first<'a, T>(bytes: &'a [u8]) -> (Option<serde_json::Result<Entry>>, usize)
where
    T: serde::Deserialize<'a> + Into<Entry>,
{
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<T>();
    let parsed = stream.next().map(|result| result.map(Into::into));
    (parsed, stream.byte_offset())
}

impl From<LeanEntry> for Entry {
    fn from(lean: LeanEntry) -> Entry {
        lean.0
    }
}

impl<R: Read> Splitter<R> {
    /// Wraps `input`, whose first `start` bytes (BOM, JSONP prefix) were already consumed.
    pub(crate) fn new(input: CheckedInput<R>, queue: SlotQueue, start: Position) -> Self {
        Splitter {
            input,
            queue,
            tracker: Tracker::default(),
            pending: b"",
            position: start,
            stream: Position { line: 1, column: 0 },
            recent: VecDeque::with_capacity(RECENT_POSITIONS),
            element_error: None,
            max_element: MAX_ELEMENT_BYTES,
            metrics: true,
        }
    }

    /// Parses entries without their timings and sizes (when they are not compared).
    pub(crate) fn without_metrics(mut self) -> Self {
        self.metrics = false;
        self
    }

    /// Changes the element size limit (tests use a small one to exercise the streamed path).
    pub(crate) fn with_max_element(mut self, max: usize) -> Self {
        self.max_element = max.max(16);
        self
    }

    /// Records that `byte` (the placeholder, or a byte at `self.position`) was handed out.
    fn note_emitted(&mut self, byte: u8) {
        self.stream.advance(std::slice::from_ref(&byte));
        if self.recent.len() == RECENT_POSITIONS {
            self.recent.pop_front();
        }
        self.recent.push_back((self.stream, self.position));
    }

    /// The source position of the byte the parser reports at `stream` (its line and column);
    /// the last position handed out when that byte is no longer remembered.
    pub(crate) fn source_position(&self, stream: Position) -> Position {
        self.recent
            .iter()
            .rev()
            .find(|(at, _)| *at == stream)
            .map_or(self.position, |(_, source)| *source)
    }

    /// Tries to parse the element starting at the current byte from the buffer.
    /// Returns false when it has to be streamed instead.
    fn capture(&mut self) -> io::Result<bool> {
        // A syntax error may only be the buffer's end cutting a token (`-` of `-1`): it counts
        // once it is still there, at the same place, after more input was read.
        let mut previous_error = None;
        loop {
            let available = self.input.available();
            let (parsed, used) = if self.metrics {
                parse_first::<Entry>(available)
            } else {
                parse_first::<LeanEntry>(available)
            };
            // The end of the available bytes is the end of the input only at end of file; at
            // invalid UTF-8 it cuts the input, and the streaming parser must decide which
            // problem comes first.
            let exhausted = self.input.exhausted();
            let at_end_of_input = exhausted && self.input.utf8_error_offset().is_none();
            let complete = match &parsed {
                Some(Ok(_)) => used < available.len() || at_end_of_input,
                Some(Err(e)) if e.is_eof() => at_end_of_input,
                Some(Err(e)) => {
                    let at = (e.line(), e.column());
                    at_end_of_input || previous_error.replace(at) == Some(at)
                }
                None => at_end_of_input,
            };
            if !complete {
                if exhausted {
                    return Ok(false);
                }
                match self.input.fill_more(self.max_element)? {
                    Fill::More => continue,
                    Fill::Full | Fill::Exhausted => return Ok(false),
                }
            }
            return match parsed {
                Some(Ok(entry)) => {
                    self.position.advance(&available[..used]);
                    io::BufRead::consume(&mut self.input, used);
                    self.queue.borrow_mut().push_back(Slot::Parsed(entry));
                    self.tracker.value_start();
                    self.pending = b"0";
                    self.note_emitted(b'0');
                    Ok(true)
                }
                Some(Err(e)) if !e.is_eof() => {
                    let mut position = self.position;
                    if e.line() == 1 {
                        position.column += e.column();
                    } else {
                        position.line += e.line() - 1;
                        position.column = e.column();
                    }
                    let full = e.to_string();
                    let suffix = format!(" at line {} column {}", e.line(), e.column());
                    self.element_error = Some(ElementError {
                        position,
                        message: full.strip_suffix(&suffix).unwrap_or(&full).to_owned(),
                    });
                    Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "invalid HAR entry",
                    ))
                }
                // Truncated at the end of the input: let the streaming parser report it.
                _ => Ok(false),
            };
        }
    }
}

impl<R: Read> Read for Splitter<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if let Some((first, rest)) = self.pending.split_first() {
            out[0] = *first;
            self.pending = rest;
            return Ok(1);
        }
        if self.element_error.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "invalid HAR entry",
            ));
        }
        let Some(&byte) = io::BufRead::fill_buf(&mut self.input)?.first() else {
            return Ok(0);
        };
        if self.tracker.at_entry_start() && !is_whitespace(byte) && byte != b']' {
            if self.capture()? {
                return self.read(out);
            }
            self.queue.borrow_mut().push_back(Slot::Streamed);
        }
        self.tracker.step(byte);
        self.position.advance(std::slice::from_ref(&byte));
        self.note_emitted(byte);
        io::BufRead::consume(&mut self.input, 1);
        out[0] = byte;
        Ok(1)
    }
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// What a container is, for the paths the splitter cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The top-level object.
    Root,
    /// An object under the top-level key `log`.
    Log,
    /// An array under `log`'s key `entries`.
    Entries,
    /// Anything else.
    Other,
}

/// What the next value of an object will be, from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Upcoming {
    Log,
    Entries,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    is_object: bool,
    role: Role,
    /// Object: the next string is a key. Array: the next value starts an element.
    expect_key_or_element: bool,
    /// Object: what the value after the current key is.
    upcoming: Upcoming,
}

/// Key bytes captured in the objects whose keys matter (`log`, `entries`).
#[derive(Debug, Default)]
enum KeyCapture {
    #[default]
    Off,
    On(Vec<u8>),
    TooLong,
}

/// Longest raw key captured (escaped `"entries"` is 42 bytes).
const MAX_KEY_BYTES: usize = 64;

/// Follows the structure of (valid) JSON one byte at a time.
#[derive(Debug, Default)]
struct Tracker {
    stack: Vec<Frame>,
    in_string: bool,
    escape: bool,
    key: KeyCapture,
}

impl Tracker {
    fn at_entry_start(&self) -> bool {
        !self.in_string
            && self
                .stack
                .last()
                .is_some_and(|f| f.role == Role::Entries && f.expect_key_or_element)
    }

    /// A value begins in the current container; returns what it is, from its key.
    fn value_start(&mut self) -> Upcoming {
        match self.stack.last_mut() {
            Some(frame) if frame.is_object => {
                std::mem::replace(&mut frame.upcoming, Upcoming::Other)
            }
            Some(frame) => {
                frame.expect_key_or_element = false;
                Upcoming::Other
            }
            None => Upcoming::Other,
        }
    }

    fn step(&mut self, b: u8) {
        if self.in_string {
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
                self.finish_key();
                return;
            }
            if let KeyCapture::On(bytes) = &mut self.key {
                if bytes.len() < MAX_KEY_BYTES {
                    bytes.push(b);
                } else {
                    self.key = KeyCapture::TooLong;
                }
            }
            return;
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b':' => {}
            b'"' => {
                self.in_string = true;
                match self.stack.last_mut() {
                    Some(frame) if frame.is_object && frame.expect_key_or_element => {
                        frame.expect_key_or_element = false;
                        frame.upcoming = Upcoming::Other;
                        if matches!(frame.role, Role::Root | Role::Log) {
                            self.key = KeyCapture::On(Vec::new());
                        }
                    }
                    _ => {
                        self.value_start();
                    }
                }
            }
            b'{' | b'[' => {
                let is_root = self.stack.is_empty();
                let upcoming = self.value_start();
                let is_object = b == b'{';
                let role = match (is_object, upcoming) {
                    (true, _) if is_root => Role::Root,
                    (true, Upcoming::Log) => Role::Log,
                    (false, Upcoming::Entries) => Role::Entries,
                    _ => Role::Other,
                };
                self.stack.push(Frame {
                    is_object,
                    role,
                    expect_key_or_element: true,
                    upcoming: Upcoming::Other,
                });
            }
            b'}' | b']' => {
                self.stack.pop();
            }
            b',' => {
                if let Some(frame) = self.stack.last_mut() {
                    frame.expect_key_or_element = true;
                    frame.upcoming = Upcoming::Other;
                }
            }
            _ => {
                self.value_start();
            }
        }
    }

    /// A string ended: if it was a key of the root or log object, note what its value is.
    fn finish_key(&mut self) {
        let KeyCapture::On(raw) = std::mem::take(&mut self.key) else {
            self.key = KeyCapture::Off;
            return;
        };
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let name: Option<String> = if raw.contains(&b'\\') {
            let mut quoted = Vec::with_capacity(raw.len() + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(&raw);
            quoted.push(b'"');
            serde_json::from_slice(&quoted).ok()
        } else {
            String::from_utf8(raw).ok()
        };
        frame.upcoming = match (frame.role, name.as_deref()) {
            (Role::Root, Some("log")) => Upcoming::Log,
            (Role::Log, Some("entries")) => Upcoming::Entries,
            _ => Upcoming::Other,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the splitter over `doc` and returns (what serde_json reads, parsed slots).
    fn split(doc: &str, max: usize) -> (String, Vec<bool>) {
        let queue = SlotQueue::default();
        let mut splitter = Splitter::new(
            CheckedInput::with_capacity(doc.as_bytes(), 16),
            queue.clone(),
            Position { line: 1, column: 0 },
        )
        .with_max_element(max);
        let mut seen = Vec::new();
        splitter.read_to_end(&mut seen).unwrap();
        let slots = queue
            .borrow()
            .iter()
            .map(|s| matches!(s, Slot::Parsed(_)))
            .collect();
        (String::from_utf8(seen).unwrap(), slots)
    }

    #[test]
    fn entries_are_replaced_and_the_rest_passes_through() {
        let doc = r#"{"x":[{"a":1}],"log":{"pages":[{"entries":[1]}],"entries":[ {"request":{}} , 5 ,"s"]}}"#;
        let (seen, slots) = split(doc, 1 << 20);
        assert_eq!(
            seen,
            r#"{"x":[{"a":1}],"log":{"pages":[{"entries":[1]}],"entries":[ 0 , 0 ,0]}}"#
        );
        assert_eq!(slots, vec![true, true, true]);
    }

    #[test]
    fn escaped_keys_are_recognised() {
        let doc = r#"{"\u006cog":{"entr\u0069es":[{}]}}"#;
        let (seen, slots) = split(doc, 1 << 20);
        assert_eq!(seen, r#"{"\u006cog":{"entr\u0069es":[0]}}"#);
        assert_eq!(slots, vec![true]);
    }

    #[test]
    fn keys_inside_strings_and_nested_objects_are_not_paths() {
        let doc = r#"{"a":"\"log\":{\"entries\":[1]}","b":{"log":{"entries":[1]}},"log":{"x":{"entries":[2]}}}"#;
        let (seen, slots) = split(doc, 1 << 20);
        assert_eq!(seen, doc);
        assert!(slots.is_empty());
    }

    #[test]
    fn large_elements_are_streamed_unchanged() {
        let big = "y".repeat(100);
        let doc = format!(r#"{{"log":{{"entries":[{{"t":"{big}"}},{{}}]}}}}"#);
        let (seen, slots) = split(&doc, 32);
        assert_eq!(
            seen,
            format!(r#"{{"log":{{"entries":[{{"t":"{big}"}},0]}}}}"#)
        );
        assert_eq!(slots, vec![false, true]);
    }

    #[test]
    fn numbers_cut_by_the_buffer_end_are_read_whole() {
        let doc = r#"{"log":{"entries":[123456789012345,1]}}"#;
        let (seen, slots) = split(doc, 1 << 20);
        assert_eq!(seen, r#"{"log":{"entries":[0,0]}}"#);
        assert_eq!(slots, vec![true, true]);
    }

    #[test]
    fn truncated_element_is_streamed_for_the_parser_to_report() {
        let doc = r#"{"log":{"entries":[{"request":{"url":"ab"#;
        let (seen, slots) = split(doc, 1 << 20);
        assert_eq!(seen, doc);
        assert_eq!(slots, vec![false]);
    }

    #[test]
    fn position_counts_lines_and_columns_like_serde_json() {
        let mut p = Position { line: 1, column: 0 };
        p.advance(b"ab");
        assert_eq!(p, Position { line: 1, column: 2 });
        p.advance(b"c\nde\nf");
        assert_eq!(p, Position { line: 3, column: 1 });
    }
}

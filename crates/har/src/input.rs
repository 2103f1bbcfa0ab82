//! Byte-level input of a HAR source: a buffered reader that checks UTF-8 as it goes, drops a
//! leading byte-order mark and recognises a JSONP `callback(` prefix.
//!
//! The buffer has a fixed size, so reading a file never holds more than one buffer of it.

use std::io::{self, BufRead, Read};

/// Size of the read buffer.
pub(crate) const BUFFER_BYTES: usize = 256 * 1024;
/// Longest JSONP callback name recognised (bytes).
const MAX_CALLBACK_BYTES: usize = 200;
/// Bytes after the leading whitespace that JSONP recognition looks at (name, spaces, `(`).
const SNIFF_BYTES: usize = MAX_CALLBACK_BYTES + 64;
/// Leading whitespace that JSONP recognition looks past; after more, the input is JSON.
const MAX_LEADING_WHITESPACE: usize = 1 << 20;

fn is_ws(b: &u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A reader that hands out only bytes already checked to be UTF-8.
///
/// A sequence cut by the end of a read stays in the buffer until the next read completes it.
/// When invalid UTF-8 is met, reading fails with [`io::ErrorKind::InvalidData`] and
/// [`CheckedInput::utf8_error_offset`] tells where.
pub(crate) struct CheckedInput<R> {
    inner: R,
    buf: Box<[u8]>,
    /// Next byte to hand out.
    pos: usize,
    /// End of the checked bytes.
    checked: usize,
    /// End of the bytes read from `inner`.
    filled: usize,
    /// Offset in the source of `buf[0]`.
    base: u64,
    eof: bool,
    utf8_error: Option<u64>,
}

/// Outcome of [`CheckedInput::fill_more`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// More bytes are available.
    More,
    /// The buffer is at its maximum size and full.
    Full,
    /// No more checked bytes will come.
    Exhausted,
}

/// What the start of a source looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Prefix {
    /// Plain JSON (possibly invalid).
    Json,
    /// `name(`: a JSONP wrapper around the document.
    Jsonp {
        /// The callback name.
        callback: String,
    },
}

impl<R: Read> CheckedInput<R> {
    /// Wraps `inner` with the default buffer; nothing is read yet.
    #[cfg(test)]
    pub(crate) fn new(inner: R) -> Self {
        Self::with_capacity(inner, BUFFER_BYTES)
    }

    /// Wraps `inner` with a buffer of `capacity` bytes (at least 8).
    pub(crate) fn with_capacity(inner: R, capacity: usize) -> Self {
        CheckedInput {
            inner,
            buf: vec![0; capacity.max(8)].into_boxed_slice(),
            pos: 0,
            checked: 0,
            filled: 0,
            base: 0,
            eof: false,
            utf8_error: None,
        }
    }

    /// Offset (from the start of the source) of the first invalid UTF-8 sequence met.
    pub(crate) fn utf8_error_offset(&self) -> Option<u64> {
        self.utf8_error
    }

    /// Number of bytes handed out (or skipped) so far.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Ensures at least `want` checked bytes are buffered (fewer at end of input).
    fn fill_to(&mut self, want: usize) -> io::Result<&[u8]> {
        let want = want.max(1);
        if self.buf.len() < want * 2 {
            self.grow(want * 2);
        }
        while self.checked - self.pos < want && !self.eof {
            if let Some(offset) = self.utf8_error {
                return Err(utf8_io_error(offset));
            }
            self.read_more()?;
            if self.eof && self.filled > self.checked && self.utf8_error.is_none() {
                // A sequence cut off by the end of the input.
                self.utf8_error = Some(self.base + self.checked as u64);
            }
        }
        if self.checked == self.pos {
            if let Some(offset) = self.utf8_error {
                return Err(utf8_io_error(offset));
            }
        }
        Ok(&self.buf[self.pos..self.checked])
    }

    /// Reads another chunk from `inner` and extends the checked region.
    fn read_more(&mut self) -> io::Result<()> {
        if self.pos > 0 && (self.filled == self.buf.len() || self.pos == self.filled) {
            self.buf.copy_within(self.pos..self.filled, 0);
            self.base += self.pos as u64;
            self.checked -= self.pos;
            self.filled -= self.pos;
            self.pos = 0;
        }
        if self.filled == self.buf.len() {
            // Buffer full of checked-but-unread bytes; nothing to do until they are consumed.
            return Ok(());
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok(());
        }
        self.filled += n;
        match std::str::from_utf8(&self.buf[self.checked..self.filled]) {
            Ok(_) => self.checked = self.filled,
            Err(err) => {
                let valid_end = self.checked + err.valid_up_to();
                if err.error_len().is_some() {
                    self.utf8_error = Some(self.base + valid_end as u64);
                }
                self.checked = valid_end;
            }
        }
        Ok(())
    }

    /// The checked bytes not yet consumed (possibly empty).
    pub(crate) fn available(&self) -> &[u8] {
        &self.buf[self.pos..self.checked]
    }

    /// True when no more checked bytes will come: end of input, or invalid UTF-8 ahead.
    pub(crate) fn exhausted(&self) -> bool {
        (self.eof && self.checked == self.filled) || self.utf8_error.is_some()
    }

    /// Makes more checked bytes available after the current ones, keeping the unconsumed
    /// bytes contiguous: compacts the buffer, and grows it (up to `max_capacity`) when the
    /// unconsumed bytes fill it.
    pub(crate) fn fill_more(&mut self, max_capacity: usize) -> io::Result<Fill> {
        let before = self.checked - self.pos;
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.filled, 0);
            self.base += self.pos as u64;
            self.checked -= self.pos;
            self.filled -= self.pos;
            self.pos = 0;
        }
        if self.filled == self.buf.len() && self.buf.len() < max_capacity {
            self.grow((self.buf.len() * 2).min(max_capacity));
        }
        // Read until the buffer is full, so a large element is re-parsed only a few times.
        loop {
            let grew = self.checked - self.pos > before;
            if self.exhausted() || (grew && self.filled == self.buf.len()) {
                return Ok(if grew { Fill::More } else { Fill::Exhausted });
            }
            if self.filled == self.buf.len() {
                if self.buf.len() >= max_capacity {
                    return Ok(Fill::Full);
                }
                self.grow((self.buf.len() * 2).min(max_capacity));
            }
            self.read_more()?;
            if self.eof && self.filled > self.checked && self.utf8_error.is_none() {
                self.utf8_error = Some(self.base + self.checked as u64);
            }
        }
    }

    /// Replaces the buffer with a larger one holding the same bytes.
    fn grow(&mut self, len: usize) {
        if len > self.buf.len() {
            let mut bigger = vec![0; len].into_boxed_slice();
            bigger[..self.filled].copy_from_slice(&self.buf[..self.filled]);
            self.buf = bigger;
        }
    }

    /// Skips a UTF-8 byte-order mark at the current position, if there is one.
    pub(crate) fn skip_bom(&mut self) -> io::Result<()> {
        if self.fill_to(3)?.starts_with(b"\xEF\xBB\xBF") {
            self.pos += 3;
        }
        Ok(())
    }

    /// The start of the document, exactly: its leading whitespace (up to
    /// `MAX_LEADING_WHITESPACE`) and `SNIFF_BYTES` after it, fewer at the end of the input.
    /// Never more, so what is recognised does not depend on how much the buffer holds.
    fn sniff_window(&mut self) -> io::Result<&[u8]> {
        let mut want = SNIFF_BYTES;
        let len = loop {
            let head = self.fill_to(want)?;
            let ws = head.iter().take_while(|b| is_ws(b)).count();
            let end = ws.min(MAX_LEADING_WHITESPACE) + SNIFF_BYTES;
            if head.len() >= end || head.len() < want {
                break head.len().min(end);
            }
            want = end.max(want * 2).min(MAX_LEADING_WHITESPACE + SNIFF_BYTES);
        };
        let head = self.fill_to(len)?;
        Ok(&head[..len.min(head.len())])
    }

    /// Looks at the start of the document without consuming it.
    pub(crate) fn sniff(&mut self) -> io::Result<Prefix> {
        let head = self.sniff_window()?;
        Ok(match jsonp_callback_len(head) {
            Some((start, end, _)) => Prefix::Jsonp {
                callback: String::from_utf8_lossy(&head[start..end]).into_owned(),
            },
            None => Prefix::Json,
        })
    }

    /// Consumes a JSONP prefix `  name (`; returns the consumed bytes (for position mapping).
    pub(crate) fn skip_jsonp_prefix(&mut self) -> io::Result<Vec<u8>> {
        let head = self.sniff_window()?;
        match jsonp_callback_len(head) {
            Some((_, _, total)) => {
                let prefix = head[..total].to_vec();
                self.pos += total;
                Ok(prefix)
            }
            None => Ok(Vec::new()),
        }
    }

    /// Consumes the JSONP suffix: whitespace, `)`, whitespace, optional `;`, whitespace, end.
    /// Returns `Err(found)` with a short description when something else follows.
    pub(crate) fn expect_jsonp_suffix(&mut self) -> io::Result<Result<(), String>> {
        self.skip_whitespace()?;
        match self.next_byte()? {
            Some(b')') => {}
            Some(other) => return Ok(Err(describe_byte(other))),
            None => return Ok(Err("end of input before `)`".to_owned())),
        }
        self.skip_whitespace()?;
        if self.peek_byte()? == Some(b';') {
            self.pos += 1;
            self.skip_whitespace()?;
        }
        match self.next_byte()? {
            None => Ok(Ok(())),
            Some(other) => Ok(Err(describe_byte(other))),
        }
    }

    fn skip_whitespace(&mut self) -> io::Result<()> {
        while let Some(b) = self.peek_byte()? {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(())
    }

    fn peek_byte(&mut self) -> io::Result<Option<u8>> {
        Ok(self.fill_to(1)?.first().copied())
    }

    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek_byte()?;
        if b.is_some() {
            self.pos += 1;
        }
        Ok(b)
    }
}

impl<R: Read> Read for CheckedInput<R> {
    #[inline]
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.len() == 1 && self.pos < self.checked {
            out[0] = self.buf[self.pos];
            self.pos += 1;
            return Ok(1);
        }
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for CheckedInput<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.fill_to(1)
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.checked);
    }
}

fn utf8_io_error(offset: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("invalid UTF-8 at byte offset {offset}"),
    )
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// If `head` starts with `ws* name ws* (`, returns (name start, name end, bytes through `(`).
/// A name is a JavaScript-style dotted identifier; `true`, `false` and `null` are JSON.
fn jsonp_callback_len(head: &[u8]) -> Option<(usize, usize, usize)> {
    let start = head.iter().position(|b| !is_ws(b))?;
    let first = head[start];
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'$') {
        return None;
    }
    let len = head[start..]
        .iter()
        .take(MAX_CALLBACK_BYTES + 1)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.'))
        .count();
    if len > MAX_CALLBACK_BYTES {
        return None;
    }
    let end = start + len;
    let name = &head[start..end];
    if matches!(name, b"true" | b"false" | b"null") {
        return None;
    }
    let paren = end + head[end..].iter().take_while(|b| is_ws(b)).count();
    (head.get(paren) == Some(&b'(')).then_some((start, end, paren + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `step` bytes per read, to cut UTF-8 sequences apart.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn read_all(data: &[u8], step: usize, capacity: usize) -> (io::Result<Vec<u8>>, Option<u64>) {
        let mut input = CheckedInput::with_capacity(Trickle { data, step }, capacity);
        let mut out = Vec::new();
        let result = input.read_to_end(&mut out).map(|_| out);
        (result, input.utf8_error_offset())
    }

    #[test]
    fn multibyte_sequences_cut_by_reads_pass_through_intact() {
        let text = "aé€😀z".repeat(50);
        for step in 1..7 {
            for capacity in [8, 9, 13, 64] {
                let (out, err) = read_all(text.as_bytes(), step, capacity);
                assert_eq!(out.unwrap(), text.as_bytes(), "step {step} cap {capacity}");
                assert_eq!(err, None);
            }
        }
    }

    #[test]
    fn invalid_utf8_fails_with_its_offset() {
        let mut data = b"{\"a\": \"ok\", \"b\": \"".to_vec();
        let at = data.len() as u64;
        data.extend_from_slice(b"\xff\"}");
        for step in [1, 3, 100] {
            let (out, err) = read_all(&data, step, 16);
            assert_eq!(out.unwrap_err().kind(), io::ErrorKind::InvalidData);
            assert_eq!(err, Some(at), "step {step}");
        }
    }

    #[test]
    fn truncated_sequence_at_end_is_invalid() {
        let data = b"abc\xe2\x82";
        let (out, err) = read_all(data, 2, 16);
        assert!(out.is_err());
        assert_eq!(err, Some(3));
    }

    #[test]
    fn bom_is_skipped_only_at_the_start() {
        let data = "\u{feff}{\"x\":\"\u{feff}\"}".as_bytes();
        let mut input = CheckedInput::new(data);
        input.skip_bom().unwrap();
        let mut out = String::new();
        input.read_to_string(&mut out).unwrap();
        assert_eq!(out, "{\"x\":\"\u{feff}\"}");
    }

    #[test]
    fn jsonp_prefix_is_recognised_and_json_literals_are_not() {
        let sniff = |s: &str| CheckedInput::new(s.as_bytes()).sniff().unwrap();
        assert_eq!(
            sniff("  onInputData ({\"log\":{}});"),
            Prefix::Jsonp {
                callback: "onInputData".to_owned()
            }
        );
        assert_eq!(
            sniff("window.har.load({})"),
            Prefix::Jsonp {
                callback: "window.har.load".to_owned()
            }
        );
        assert_eq!(sniff("{\"log\":{}}"), Prefix::Json);
        assert_eq!(sniff("true"), Prefix::Json);
        assert_eq!(sniff("null ("), Prefix::Json);
        assert_eq!(sniff("abc"), Prefix::Json);
        // Leading whitespace longer than any buffer does not hide the callback.
        let padded = format!("{}cb(", " \n".repeat(200_000));
        assert_eq!(
            sniff(&padded),
            Prefix::Jsonp {
                callback: "cb".to_owned()
            }
        );
    }

    #[test]
    fn jsonp_recognition_does_not_depend_on_the_buffer_size() {
        // A `(` beyond the window after the name is not a JSONP call, however much is buffered.
        let far = format!("  $ {}(", " ".repeat(SNIFF_BYTES));
        assert_eq!(
            CheckedInput::new(far.as_bytes()).sniff().unwrap(),
            Prefix::Json
        );
    }

    #[test]
    fn jsonp_suffix_accepts_paren_semicolon_and_rejects_more() {
        let check = |s: &str| {
            CheckedInput::new(s.as_bytes())
                .expect_jsonp_suffix()
                .unwrap()
        };
        assert_eq!(check(" ) ; \n"), Ok(()));
        assert_eq!(check(")"), Ok(()));
        assert!(check("").is_err());
        assert!(check(");x").is_err());
        assert!(check("]").is_err());
    }
}

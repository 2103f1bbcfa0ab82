//! Reading is memory-bounded: bodies are never held in memory, so the peak resident size of
//! this test process grows by far less than the size of the HAR read. The HAR is generated on
//! the fly by a reader and never exists as a whole. Linux only (reads `VmHWM` from
//! `/proc/self/status`); skipped with a note elsewhere. Kept in its own test binary so no
//! other test shares the process.

use std::io::Read;

use webrunner_har::{read_har, DiffOptions};

/// Peak resident set size of this process, in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A HAR document produced piece by piece: a head, `entries` entries each with a body of
/// `body_bytes` characters, and a tail.
struct GeneratedHar {
    entries: usize,
    body_bytes: usize,
    next_entry: usize,
    /// The piece being handed out and how much of it is left.
    piece: Vec<u8>,
    offset: usize,
    /// Body bytes of the current entry still to produce.
    body_left: usize,
    stage: Stage,
}

#[derive(PartialEq)]
enum Stage {
    Head,
    EntryStart,
    Body,
    EntryEnd,
    Tail,
    Done,
}

impl GeneratedHar {
    fn new(entries: usize, body_bytes: usize) -> Self {
        GeneratedHar {
            entries,
            body_bytes,
            next_entry: 0,
            piece: Vec::new(),
            offset: 0,
            body_left: 0,
            stage: Stage::Head,
        }
    }

    /// Prepares the next piece; false at the end.
    fn advance(&mut self) -> bool {
        self.offset = 0;
        self.piece.clear();
        match self.stage {
            Stage::Head => {
                self.piece.extend_from_slice(br#"{"log": {"version": "1.2", "creator": {"name": "gen", "version": "1"}, "entries": ["#);
                self.stage = if self.entries == 0 {
                    Stage::Tail
                } else {
                    Stage::EntryStart
                };
            }
            Stage::EntryStart => {
                let i = self.next_entry;
                let sep = if i == 0 { "" } else { "," };
                self.piece.extend_from_slice(
                    format!(
                        r#"{sep}{{"request": {{"method": "GET", "url": "https://e/{i}", "headers": []}}, "response": {{"status": 200, "content": {{"size": {}, "text": ""#,
                        self.body_bytes
                    )
                    .as_bytes(),
                );
                self.body_left = self.body_bytes;
                self.stage = Stage::Body;
            }
            Stage::Body => {
                let n = self.body_left.min(64 * 1024);
                self.piece.resize(n, b'A');
                self.body_left -= n;
                if self.body_left == 0 {
                    self.stage = Stage::EntryEnd;
                }
            }
            Stage::EntryEnd => {
                self.piece.extend_from_slice(br#"", "encoding": "base64"}}, "timings": {"send": 1, "wait": 2, "receive": 3}}"#);
                self.next_entry += 1;
                self.stage = if self.next_entry == self.entries {
                    Stage::Tail
                } else {
                    Stage::EntryStart
                };
            }
            Stage::Tail => {
                self.piece.extend_from_slice(b"]}}\n");
                self.stage = Stage::Done;
            }
            Stage::Done => return false,
        }
        true
    }
}

impl Read for GeneratedHar {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.offset == self.piece.len() {
            if !self.advance() {
                return Ok(0);
            }
        }
        let n = (self.piece.len() - self.offset).min(out.len());
        out[..n].copy_from_slice(&self.piece[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

const MB: u64 = 1024 * 1024;

/// One test (not two) because the peak is per process and tests run in parallel.
#[test]
fn memory_grows_with_entries_not_with_file_size() {
    let Some(start) = peak_rss() else {
        eprintln!("note: /proc/self/status not readable; memory test skipped");
        return;
    };
    // 40k entries with 2 KiB bodies: about 86 MiB of HAR, read through the fast path.
    let index = read_har(
        GeneratedHar::new(40_000, 2048),
        "generated",
        &DiffOptions::default(),
    )
    .unwrap();
    assert_eq!(index.keys(), 40_000);
    let after_many = peak_rss().unwrap_or(u64::MAX);
    let growth = after_many.saturating_sub(start);
    eprintln!(
        "peak RSS grew by {} MiB reading 40k entries (86 MiB of HAR)",
        growth / MB
    );
    assert!(growth < 32 * MB, "peak RSS grew by {} MiB", growth / MB);

    // Three entries with 20 MiB bodies each (60 MiB of HAR), streamed past: holding even one
    // body would exceed the bound.
    let index = read_har(
        GeneratedHar::new(3, 20 << 20),
        "generated",
        &DiffOptions::default(),
    )
    .unwrap();
    assert_eq!((index.entries(), index.keys()), (3, 3));
    let growth = peak_rss().unwrap_or(u64::MAX).saturating_sub(after_many);
    eprintln!(
        "peak RSS grew by {} MiB more reading 60 MiB of HAR in 3 entries",
        growth / MB
    );
    assert!(growth < 14 * MB, "peak RSS grew by {} MiB", growth / MB);
}

//! Helpers shared by the bundle tests: the reference Python, outside tools, a zip writer by
//! hand for hostile archives and deflate streams of zeros.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python with the reference WebRunner (`je-web-runner`) installed: `python3` from the
/// PATH (where `scripts/test` installs it), or `WEBRUNNER_REFERENCE_PYTHON`.
pub const REFERENCE_PYTHON: &str = "python3";

/// Notes that an outside tool a test needs is missing: a visible skip on a developer's
/// machine, a failure under `CI=true`.
pub fn missing_tool(note: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{note}");
    }
    // Straight to the stderr handle: libtest hides `eprintln!` of a passing test.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("skipped: {note}\n").as_bytes(),
    );
}

/// The reference Python when it is there with the WebRunner's failure bundle; otherwise
/// [`missing_tool`] says what to install.
pub fn reference_python() -> Option<PathBuf> {
    let python = std::env::var_os("WEBRUNNER_REFERENCE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(REFERENCE_PYTHON));
    let ok = Command::new(&python)
        .args(["-c", "import je_web_runner.utils.failure_bundle.bundle"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    missing_tool(&format!(
        "the reference Python WebRunner is missing: `pip install je-web-runner` for {} \
         (or point WEBRUNNER_REFERENCE_PYTHON at a Python that has it)",
        python.display()
    ));
    None
}

/// Runs `script` with the reference Python and `args`, returning its stdout; panics with
/// its stderr when it fails.
pub fn run_python(python: &Path, script: &str, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run the reference Python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// One entry of a zip written by hand.
#[derive(Clone)]
pub struct RawEntry {
    /// The name's bytes, as stored.
    pub name: Vec<u8>,
    /// The data as stored (already deflated when `method` is 8).
    pub stored: Vec<u8>,
    /// 0 stored, 8 deflated.
    pub method: u16,
    /// The CRC-32 written in the headers.
    pub crc: u32,
    /// The uncompressed size written in the headers.
    pub size: u32,
    /// The external attributes (Unix mode in the high 16 bits).
    pub external: u32,
}

impl RawEntry {
    /// A stored regular file with the right CRC and size.
    pub fn file(name: &str, data: &[u8]) -> Self {
        RawEntry {
            name: name.as_bytes().to_vec(),
            stored: data.to_vec(),
            method: 0,
            crc: crc32(data),
            size: u32::try_from(data.len()).expect("small test data"),
            external: 0o100_644 << 16,
        }
    }
}

/// A zip of `entries` in order, made on Unix (so the external attributes hold a Unix
/// mode), names flagged UTF-8.
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = u32::try_from(out.len()).expect("small zip");
        let stored_len = u32::try_from(e.stored.len()).expect("small zip");
        let name_len = u16::try_from(e.name.len()).expect("short name");
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0x0800u16.to_le_bytes()); // flags: UTF-8 names
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // time, date
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&stored_len.to_le_bytes());
        out.extend_from_slice(&e.size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra length
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.stored);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by Unix
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&e.crc.to_le_bytes());
        central.extend_from_slice(&stored_len.to_le_bytes());
        central.extend_from_slice(&e.size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 4]); // extra and comment lengths
        central.extend_from_slice(&[0; 4]); // disk number, internal attributes
        central.extend_from_slice(&e.external.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let central_offset = u32::try_from(out.len()).expect("small zip");
    let count = u16::try_from(entries.len()).expect("few entries");
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&u32::try_from(central.len()).expect("small").to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

/// CRC-32 (IEEE), bit by bit: slow but only used on small test data.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A raw deflate stream that inflates to `zeros` zero bytes (a multiple of 258 plus one),
/// in one fixed-Huffman block: a literal 0, then matches of length 258 at distance 1 (13
/// bits per 258 bytes, about 159:1).
pub fn deflate_zeros(zeros: u64) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.bits(1, 1); // final block
    w.bits(1, 2); // fixed Huffman
    w.code(0b0011_0000, 8); // literal 0
    let matches = zeros.saturating_sub(1) / 258;
    for _ in 0..matches {
        w.code(0b1100_0101, 8); // length 258 (code 285)
        w.code(0, 5); // distance 1 (code 0)
    }
    w.code(0, 7); // end of block (code 256)
    w.finish()
}

/// Writes bits LSB first, Huffman codes MSB first, as deflate wants.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn bits(&mut self, value: u64, count: u32) {
        self.acc |= value << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, code: u64, len: u32) {
        let mut rev = 0;
        for i in 0..len {
            rev |= ((code >> i) & 1) << (len - 1 - i);
        }
        self.bits(rev, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push((self.acc & 0xff) as u8);
        }
        self.out
    }
}

/// Every path under `dir` (recursively), sorted; empty when `dir` does not exist.
pub fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in read.flatten() {
            let p = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p.clone());
            }
            found.push(p);
        }
    }
    found.sort();
    found
}

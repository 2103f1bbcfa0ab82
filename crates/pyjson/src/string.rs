//! JSON strings as Python's `json.dumps` writes them: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`,
//! other control characters as lowercase `\u00XX`; with `ensure_ascii` also DEL and every
//! non-ASCII character as `\uXXXX` (UTF-16 surrogate pairs above the BMP).

use std::io;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string, quotes included.
#[inline]
pub fn push_json_str(out: &mut Vec<u8>, s: &str, ensure_ascii: bool) {
    // Writing to a Vec cannot fail.
    let _ = write_json_str(out, s, ensure_ascii);
}

/// Writes `s` as a JSON string, quotes included.
pub fn write_json_str<W: ?Sized + io::Write>(
    w: &mut W,
    s: &str,
    ensure_ascii: bool,
) -> io::Result<()> {
    w.write_all(b"\"")?;
    write_str_body(w, s, ensure_ascii)?;
    w.write_all(b"\"")
}

/// Writes the characters of `s` escaped, without quotes.
pub(crate) fn write_str_body<W: ?Sized + io::Write>(
    w: &mut W,
    s: &str,
    ensure_ascii: bool,
) -> io::Result<()> {
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let plain = if ensure_ascii {
            (b' '..=b'~').contains(&b)
        } else {
            b >= b' '
        };
        if plain && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        w.write_all(&bytes[start..i])?;
        if b.is_ascii() {
            match b {
                b'"' => w.write_all(b"\\\"")?,
                b'\\' => w.write_all(b"\\\\")?,
                b'\n' => w.write_all(b"\\n")?,
                b'\r' => w.write_all(b"\\r")?,
                b'\t' => w.write_all(b"\\t")?,
                0x08 => w.write_all(b"\\b")?,
                0x0c => w.write_all(b"\\f")?,
                _ => unicode_escape(w, u16::from(b))?,
            }
            i += 1;
        } else {
            // Only with `ensure_ascii`. `i` is at the first byte of a character: every byte
            // before it was ASCII or belonged to a whole character skipped here.
            let c = s[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                unicode_escape(w, *u)?;
            }
            i += c.len_utf8();
        }
        start = i;
    }
    w.write_all(&bytes[start..])
}

fn unicode_escape<W: ?Sized + io::Write>(w: &mut W, u: u16) -> io::Result<()> {
    let hex = |shift: u16| HEX[usize::from((u >> shift) & 0xf)];
    w.write_all(&[b'\\', b'u', hex(12), hex(8), hex(4), hex(0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str, ensure_ascii: bool) -> String {
        let mut out = Vec::new();
        push_json_str(&mut out, s, ensure_ascii);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn strings_escape_outside_printable_ascii() {
        assert_eq!(
            json("a\"\\\n\u{7f}ü😀\u{1}/", true),
            r#""a\"\\\n\u007f\u00fc\ud83d\ude00\u0001/""#
        );
    }

    #[test]
    fn strings_keep_unicode_without_ensure_ascii() {
        assert_eq!(
            json("a\"\\\n\r\t\u{8}\u{c}\u{7f}ü😀\u{1}\u{1f}/", false),
            "\"a\\\"\\\\\\n\\r\\t\\b\\f\u{7f}ü😀\\u0001\\u001f/\""
        );
    }
}

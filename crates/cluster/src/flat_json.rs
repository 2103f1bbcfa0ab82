//! The usual failure-list entry read without serde_json: a flat object whose values are
//! strings, `null`, `true` or `false`, with only the short escapes (`\n`, `\"`, …).
//! [`flat_entry`] accepts only text serde_json accepts and gives the same fields; for
//! anything else (numbers, nested values, `\u` escapes, escaped keys) it returns `None` and
//! the caller asks serde_json. [`unescape`] decodes a JSON string body the same way.

use crate::input::Fields;

/// The first position at or after `i` that is not JSON whitespace.
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// True when `s` holds a byte JSON does not allow unescaped in a string.
fn has_control(s: &[u8]) -> bool {
    s.iter().fold(false, |acc, &c| acc | (c < 0x20))
}

/// Position of the first `"`, `\` or control character at or after `i`, looking at eight
/// bytes at a time.
fn string_stop(b: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Per byte, the high bit of `x - n & !x` is set for bytes below `n` (n ≤ 0x80); the
    // lowest set bit belongs to the first such byte (borrows only run upwards).
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    while let Some(word) = b.get(i..i + 8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        let found = below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            | below(x, 0x20);
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = b.get(i..)?;
    rest.iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|k| i + k)
}

/// One past the closing quote of the string opening at `open`, when that string has no
/// control characters and only short escapes.
fn string_end(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let k = string_stop(b, i)?;
        match b[k] {
            b'"' => return Some(k + 1),
            b'\\' => match b.get(k + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i = k + 2,
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// The fields of the object `text` (one list entry, surrounding whitespace allowed), when
/// it is of the flat form this reader handles.
pub(crate) fn flat_entry(text: &str) -> Option<Fields<'_>> {
    let (fields, end) = flat_object(text, skip_ws(text.as_bytes(), 0))?;
    (skip_ws(text.as_bytes(), end) == text.len()).then_some(fields)
}

/// The fields of the object whose `{` is at `i` in `text`, when it is of the flat form this
/// reader handles, and the position just past its `}`.
pub(crate) fn flat_object(text: &str, mut i: usize) -> Option<(Fields<'_>, usize)> {
    let b = text.as_bytes();
    let mut fields = Fields {
        checked: true,
        ..Fields::default()
    };
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let key_end = string_end(b, i)?;
            let key = &b[i + 1..key_end - 1];
            if key.contains(&b'\\') {
                return None;
            }
            i = skip_ws(b, key_end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(b, i + 1);
            let start = i;
            let rest = b.get(i..)?;
            i = match rest.first()? {
                b'"' => string_end(b, i)?,
                b'n' if rest.starts_with(b"null") => i + 4,
                b't' if rest.starts_with(b"true") => i + 4,
                b'f' if rest.starts_with(b"false") => i + 5,
                _ => return None,
            };
            let value = &text[start..i];
            match key {
                b"exception" => fields.exception = Some(value),
                b"error" => fields.error = Some(value),
                b"file_path" => fields.file_path = Some(value),
                b"status" => fields.has_status = true,
                b"command" => fields.has_command = true,
                _ => {}
            }
            i = skip_ws(b, i);
            match b.get(i)? {
                b',' => i = skip_ws(b, i + 1),
                b'}' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    Some((fields, i))
}

/// True when the JSON string body `inner` (between the quotes) has no control characters
/// and only short escapes (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`).
pub(crate) fn short_escapes_only(inner: &str) -> bool {
    let b = inner.as_bytes();
    if has_control(b) {
        return false;
    }
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[i..]).map(|k| i + k) {
        if !matches!(
            b.get(k + 1),
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't')
        ) {
            return false;
        }
        i = k + 2;
    }
    true
}

/// Appends the text of the JSON string body `inner` to `out`; `inner` is one that
/// [`short_escapes_only`] accepts (any other escape is kept as the escaped character).
pub(crate) fn unescape_into(inner: &str, out: &mut String) {
    let b = inner.as_bytes();
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[i..]).map(|k| i + k) {
        out.push_str(&inner[i..k]);
        let Some(&e) = b.get(k + 1) else {
            return;
        };
        if !e.is_ascii() {
            // Not an escape at all: keep the backslash, go on at the character after it.
            out.push('\\');
            i = k + 1;
            continue;
        }
        out.push(match e {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            other => char::from(other),
        });
        i = k + 2;
    }
    out.push_str(&inner[i..]);
}

/// The text of the JSON string body `inner` (between the quotes), when it has no control
/// characters and only short escapes; `None` otherwise (serde_json then decides).
pub(crate) fn unescape(inner: &str) -> Option<String> {
    short_escapes_only(inner).then(|| {
        let mut out = String::with_capacity(inner.len());
        unescape_into(inner, &mut out);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_flat_objects_like_serde_json() {
        let f = flat_entry(
            " {\"function_name\": \"t\", \"exception\" : \"a\\\"b\\n\",\"error\":null, \"file_path\": \"x.py\", \"status\": true, \"command\": false} ",
        )
        .unwrap();
        assert_eq!(f.exception, Some("\"a\\\"b\\n\""));
        assert_eq!(f.error, Some("null"));
        assert_eq!(f.file_path, Some("\"x.py\""));
        assert!(f.has_status && f.has_command);
        let dup = flat_entry(r#"{"error": "a", "error": "b"}"#).unwrap();
        assert_eq!(dup.error, Some("\"b\""));
        assert!(flat_entry("{}").is_some());
    }

    #[test]
    fn leaves_everything_else_to_serde_json() {
        for text in [
            r#"{"error": 1}"#,
            r#"{"error": [1]}"#,
            r#"{"error": {"a": 1}}"#,
            r#"{"error": "\u0041"}"#,
            r#"{"err\u006fr": "a"}"#,
            r#"{"error": "a",}"#,
            r#"{"error" "a"}"#,
            r#"{"error": "a"} x"#,
            r#"{"error": nul}"#,
            r#"{"error": nullx}"#,
            "{\"error\": \"a\tb\"}",
            r#"{"error": "a\x"}"#,
            r#"{"error": "a"#,
            r#"["error"]"#,
            r#"{"error": "a" "#,
        ] {
            assert!(flat_entry(text).is_none(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn eight_at_a_time_finds_the_first_stop(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'"', b'\\', 0x1f, 0x20, 0x00, 0x7f, 0x80, 0xe2, 0xff]),
                0..40,
            ),
            from in 0usize..8,
        ) {
            let from = from.min(bytes.len());
            let naive = bytes[from..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .map(|k| from + k);
            assert_eq!(string_stop(&bytes, from), naive);
        }
    }

    #[test]
    fn unescapes_short_escapes_only() {
        assert_eq!(
            unescape(r#"a\"b\\c\/d\b\f\n\r\te"#).as_deref(),
            Some("a\"b\\c/d\u{8}\u{c}\n\r\te")
        );
        assert_eq!(unescape("é\\nü").as_deref(), Some("é\nü"));
        assert_eq!(unescape(r"\u0041"), None);
        assert_eq!(unescape(r"a\"), None);
        assert_eq!(unescape("a\tb"), None);
    }
}

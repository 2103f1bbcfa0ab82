//! Python's `repr()` of a string and of the value `json.loads` makes of a JSON value:
//! `None`, `True`, `1e+16`, `'it'`, `"it's"`, `[1, 'a']`, `{'a': None}`.
//!
//! Which characters `repr()` keeps is `str.isprintable()`, a Unicode table; callers pass
//! their own test (a full table, or a cheaper approximation).

use std::fmt::Write as _;

use serde_json::Value;

use crate::float::float_repr;

/// Appends Python's `repr(s)`: single quotes unless `s` holds `'` and no `"`; `\\`, `\t`,
/// `\n`, `\r` and the quote escaped; characters `printable` rejects as `\xXX`, `\uXXXX` or
/// `\UXXXXXXXX`.
pub fn push_repr_str(out: &mut String, s: &str, printable: fn(char) -> bool) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if printable(c) => out.push(c),
            c => {
                let cp = u32::from(c);
                let _ = if cp < 0x100 {
                    write!(out, "\\x{cp:02x}")
                } else if cp < 0x10000 {
                    write!(out, "\\u{cp:04x}")
                } else {
                    write!(out, "\\U{cp:08x}")
                };
            }
        }
    }
    out.push(quote);
}

/// Appends Python's `repr()` of the value `json.loads` would make of `v` (see
/// [`push_repr_str`] for `printable`).
pub fn push_repr_value(out: &mut String, v: &Value, printable: fn(char) -> bool) {
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                out.push_str(&float_repr(n.as_f64().unwrap_or(f64::NAN)));
            }
        }
        Value::String(s) => push_repr_str(out, s, printable),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_repr_value(out, item, printable);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_repr_str(out, k, printable);
                out.push_str(": ");
                push_repr_value(out, item, printable);
            }
            out.push('}');
        }
    }
}

/// Python's `repr(s)` (see [`push_repr_str`]).
pub fn repr_str(s: &str, printable: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_repr_str(&mut out, s, printable);
    out
}

/// Python's `repr()` of the value `json.loads` makes of `v` (see [`push_repr_value`]).
pub fn repr_value(v: &Value, printable: fn(char) -> bool) -> String {
    let mut out = String::new();
    push_repr_value(&mut out, v, printable);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `str.isprintable()` for the characters these tests use.
    fn printable(c: char) -> bool {
        !matches!(u32::from(c), 0..=0x1f | 0x7f..=0xa0 | 0x200b | 0x10ffff)
    }

    #[test]
    fn containers_print_as_python_repr() {
        let v = json!({"a": [1, 2.5, null, true, false, "x'y", "x\"y", "a\nb", 1e16, -7]});
        assert_eq!(
            repr_value(&v, printable),
            r#"{'a': [1, 2.5, None, True, False, "x'y", 'x"y', 'a\nb', 1e+16, -7]}"#
        );
        assert_eq!(
            repr_value(&json!(u64::MAX), printable),
            "18446744073709551615"
        );
        assert_eq!(repr_value(&json!({}), printable), "{}");
    }

    #[test]
    fn strings_escape_what_is_not_printable() {
        assert_eq!(
            repr_str("\u{7f}\u{a0}\u{200b}\u{301}é😀\u{10ffff}\\\t\r", printable),
            "'\\x7f\\xa0\\u200b\u{301}é😀\\U0010ffff\\\\\\t\\r'"
        );
        assert_eq!(repr_str("it's \"q\"", printable), r#"'it\'s "q"'"#);
    }
}

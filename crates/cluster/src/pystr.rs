//! What Python's `str()` makes of a JSON value, and whether Python finds it truthy: the seed
//! takes a failure's message as `str(failure.get("exception") or failure.get("error") or "")`,
//! so a number, list or object message becomes its Python text (`True`, `1e+16`,
//! `{'a': [1, None]}`) and a falsy one (`0`, `""`, `[]`, `false`, `null`) falls through.

use std::borrow::Cow;

use serde_json::Value;

use crate::flat_json::unescape;
use crate::pychars::is_printable;

/// Python's `str(value)` of the JSON value text `text` (valid JSON, as a parser delimited
/// it), or `None` when Python finds it falsy.
///
/// Integers keep their exact digits (Python ints are unbounded); integers nested inside a
/// list or object that do not fit 64 bits are read as floats, the one place this differs.
pub(crate) fn truthy_text(text: &str) -> Option<Cow<'_, str>> {
    let first = text.as_bytes().first().copied()?;
    match first {
        b'"' => {
            let inner = &text[1..text.len().saturating_sub(1).max(1)];
            if inner.is_empty() {
                None
            } else if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
                Some(Cow::Borrowed(inner))
            } else {
                unescape(inner)
                    .or_else(|| serde_json::from_str::<String>(text).ok())
                    .filter(|s| !s.is_empty())
                    .map(Cow::Owned)
            }
        }
        b'n' | b'f' => None,
        b't' => Some(Cow::Borrowed("True")),
        b'[' | b'{' => {
            let value: Value = serde_json::from_str(text).ok()?;
            let empty = match &value {
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => true,
            };
            if empty {
                None
            } else {
                let mut out = String::new();
                repr_value(&value, &mut out);
                Some(Cow::Owned(out))
            }
        }
        _ => number_text(text),
    }
}

/// Python's `str(value)` of an already parsed JSON value, or `None` when Python finds it
/// falsy (see [`truthy_text`]).
pub(crate) fn truthy_value_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null | Value::Bool(false) => None,
        Value::Bool(true) => Some(Cow::Borrowed("True")),
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Array(a) if a.is_empty() => None,
        Value::Object(o) if o.is_empty() => None,
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        other => {
            let mut out = String::new();
            repr_value(other, &mut out);
            Some(Cow::Owned(out))
        }
    }
}

fn number_text(text: &str) -> Option<Cow<'_, str>> {
    if text.contains(['.', 'e', 'E']) {
        let f: f64 = text.parse().ok()?;
        if f == 0.0 {
            None
        } else {
            Some(Cow::Owned(float_repr(f)))
        }
    } else if text.trim_start_matches('-').bytes().all(|b| b == b'0') {
        None
    } else {
        Some(Cow::Borrowed(text))
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, in positional notation when
/// the decimal exponent is in -4..16, otherwise as `1.5e+300` / `1e-05`.
pub(crate) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{:e}", f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..16).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() > point {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        } else {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
            out.push_str(".0");
        }
    }
    out
}

/// Python's `repr(str)`.
pub(crate) fn repr_str(s: &str, out: &mut String) {
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
            c if is_printable(c) => out.push(c),
            c => {
                let cp = c as u32;
                if cp < 0x100 {
                    out.push_str(&format!("\\x{cp:02x}"));
                } else if cp < 0x10000 {
                    out.push_str(&format!("\\u{cp:04x}"));
                } else {
                    out.push_str(&format!("\\U{cp:08x}"));
                }
            }
        }
    }
    out.push(quote);
}

/// Python's `repr()` of the value `json.load` would have made of `v`.
fn repr_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                out.push_str(&float_repr(n.as_f64().unwrap_or(f64::NAN)));
            }
        }
        Value::String(s) => repr_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_str(k, out);
                out.push_str(": ");
                repr_value(item, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(json: &str) -> Option<String> {
        let raw: Box<serde_json::value::RawValue> = serde_json::from_str(json).ok()?;
        truthy_text(raw.get()).map(|c| c.into_owned())
    }

    #[test]
    fn falsy_values_give_none() {
        for json in [
            "null", "false", "0", "-0", "0.0", "-0.0", "0e5", "\"\"", "[]", "{}",
        ] {
            assert_eq!(text(json), None, "{json}");
        }
    }

    #[test]
    fn scalars_print_as_python_does() {
        assert_eq!(text("true").as_deref(), Some("True"));
        assert_eq!(
            text("123456789012345678901234567890").as_deref(),
            Some("123456789012345678901234567890")
        );
        assert_eq!(text("1e16").as_deref(), Some("1e+16"));
        assert_eq!(text("1.5E300").as_deref(), Some("1.5e+300"));
        assert_eq!(text("0.00001").as_deref(), Some("1e-05"));
        assert_eq!(text("0.0001").as_deref(), Some("0.0001"));
        assert_eq!(
            text("123456789012345678.0").as_deref(),
            Some("1.2345678901234568e+17")
        );
        assert_eq!(text("100").as_deref(), Some("100"));
        assert_eq!(text("1e2").as_deref(), Some("100.0"));
        assert_eq!(text("1e400").as_deref(), Some("inf"));
        assert_eq!(text("\"a\\nb\"").as_deref(), Some("a\nb"));
    }

    #[test]
    fn containers_print_as_python_repr() {
        assert_eq!(
            text(r#"{"a": [1, 2.5, null, true, "x'y", "x\"y", "a\nb"]}"#).as_deref(),
            Some(r#"{'a': [1, 2.5, None, True, "x'y", 'x"y', 'a\nb']}"#)
        );
        assert_eq!(
            text("[\"\\u007f\\u00a0\\u200b\\u0301é\\ud83d\\ude00\"]").as_deref(),
            Some("['\\x7f\\xa0\\u200b\u{301}é😀']")
        );
    }
}

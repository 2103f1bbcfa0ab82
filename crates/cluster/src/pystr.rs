//! What Python's `str()` makes of a JSON value, and whether Python finds it truthy: the seed
//! takes a failure's message as `str(failure.get("exception") or failure.get("error") or "")`,
//! so a number, list or object message becomes its Python text (`True`, `1e+16`,
//! `{'a': [1, None]}`) and a falsy one (`0`, `""`, `[]`, `false`, `null`) falls through.

use std::borrow::Cow;

use serde_json::Value;
use webrunner_pyjson::{float_repr, repr_value};

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
                Some(Cow::Owned(repr_value(&value, is_printable)))
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
        other => Some(Cow::Owned(repr_value(other, is_printable))),
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

//! `json.dumps` layout: compact with Python's default `", "` and `": "` separators, or
//! indented with `","` and `": "` (`[]` and `{}` when empty), floats as `repr`.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;
use serde_json::Value;

use crate::float::{write_float, NonFinite};
use crate::string::write_str_body;

/// The `json.dumps` keyword arguments this crate follows; the default is Python's default
/// (`ensure_ascii=True`, `indent=None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// `ensure_ascii`: escape DEL and every non-ASCII character as `\uXXXX`.
    pub ensure_ascii: bool,
    /// `indent`: `None` for one line, `Some(n)` for a new line and `n` spaces per level.
    pub indent: Option<usize>,
}

impl Options {
    /// `json.dumps(x)`.
    pub const DEFAULT: Options = Options {
        ensure_ascii: true,
        indent: None,
    };

    /// With `ensure_ascii=on`.
    pub const fn ensure_ascii(self, on: bool) -> Self {
        Options {
            ensure_ascii: on,
            ..self
        }
    }

    /// With `indent=n`.
    pub const fn indent(self, n: usize) -> Self {
        Options {
            indent: Some(n),
            ..self
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::DEFAULT
    }
}

/// Appends `value` as `json.dumps(value, **options)` prints it.
pub fn push_value(out: &mut Vec<u8>, value: &Value, options: Options) {
    let at = out.len();
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, PyFormatter::new(options));
    // Writing a `Value` to a Vec cannot fail: its map keys are strings and its numbers finite.
    if value.serialize(&mut ser).is_err() {
        out.truncate(at);
    }
}

/// `json.dumps(value, **options)` as bytes.
pub fn dumps(value: &Value, options: Options) -> Vec<u8> {
    let mut out = Vec::new();
    push_value(&mut out, value, options);
    out
}

/// A serde_json formatter that writes what `json.dumps(x, **options)` writes, for any
/// `Serialize` type: `serde_json::Serializer::with_formatter(writer, PyFormatter::new(o))`.
///
/// serde_json's serializer itself turns a float that is not finite into `null` (Python writes
/// `NaN`); a `serde_json::Value` never holds one.
#[derive(Clone, Debug)]
pub struct PyFormatter {
    options: Options,
    depth: usize,
    has_value: bool,
}

impl PyFormatter {
    /// A formatter for `options`.
    pub fn new(options: Options) -> Self {
        PyFormatter {
            options,
            depth: 0,
            has_value: false,
        }
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.new_line(w)?;
        }
        w.write_all(bracket)
    }

    /// Before an item or key: the separator, and with an indent a new line.
    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        match (first, self.options.indent) {
            (true, None) => Ok(()),
            (false, None) => w.write_all(b", "),
            (true, Some(_)) => self.new_line(w),
            (false, Some(_)) => {
                w.write_all(b",")?;
                self.new_line(w)
            }
        }
    }

    fn new_line<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        let Some(indent) = self.options.indent else {
            return Ok(());
        };
        w.write_all(b"\n")?;
        let mut left = indent.saturating_mul(self.depth);
        while left > 0 {
            let n = left.min(SPACES.len());
            w.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }
}

impl Default for PyFormatter {
    fn default() -> Self {
        PyFormatter::new(Options::DEFAULT)
    }
}

impl Formatter for PyFormatter {
    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        // Python has no single floats; widen the way json.loads would read the text back.
        let widened: f64 = value.to_string().parse().unwrap_or(f64::from(value));
        write_float(w, widened, NonFinite::Json)
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        write_float(w, value, NonFinite::Json)
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json escapes quotes, backslashes and control characters itself, the way
        // Python does; a fragment holds none of them.
        if self.options.ensure_ascii {
            write_str_body(w, fragment, true)
        } else {
            w.write_all(fragment.as_bytes())
        }
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::string::push_json_str;

    fn text(value: &Value, options: Options) -> String {
        String::from_utf8(dumps(value, options)).expect("utf-8")
    }

    #[test]
    fn indented_json_is_laid_out_like_python() {
        let value = json!({"a": [1, 2.0, "é\n\"\u{1}\u{7f}"], "b": {}, "c": [], "d": null,
            "e": {"f": true}});
        let want = "{\n  \"a\": [\n    1,\n    2.0,\n    \"é\\n\\\"\\u0001\u{7f}\"\n  ],\n  \"b\": {},\n  \"c\": [],\n  \"d\": null,\n  \"e\": {\n    \"f\": true\n  }\n}";
        assert_eq!(
            text(&value, Options::DEFAULT.ensure_ascii(false).indent(2)),
            want
        );
    }

    #[test]
    fn compact_json_uses_python_separators() {
        let value = json!({"a": [1, 1e16, 1e-5, "é😀", {}], "b": {"c": []}, "": -0.0});
        assert_eq!(
            text(&value, Options::DEFAULT),
            r#"{"a": [1, 1e+16, 1e-05, "\u00e9\ud83d\ude00", {}], "b": {"c": []}, "": -0.0}"#
        );
        assert_eq!(
            text(&value, Options::DEFAULT.ensure_ascii(false)),
            r#"{"a": [1, 1e+16, 1e-05, "é😀", {}], "b": {"c": []}, "": -0.0}"#
        );
    }

    #[test]
    fn formatter_strings_match_the_byte_appending_ones() {
        let s = "a\"\\\n\r\t\u{8}\u{c}\u{7f}ü😀\u{1}\u{1f}/ x";
        for ensure_ascii in [true, false] {
            let mut want = Vec::new();
            push_json_str(&mut want, s, ensure_ascii);
            let options = Options::DEFAULT.ensure_ascii(ensure_ascii);
            assert_eq!(dumps(&Value::from(s), options), want, "{ensure_ascii}");
        }
    }

    #[test]
    fn any_serialize_type_can_be_written() {
        #[derive(Serialize)]
        struct Row {
            name: &'static str,
            count: u32,
            share: f32,
        }
        let rows = [Row {
            name: "é",
            count: 2,
            share: 0.1,
        }];
        let mut out = Vec::new();
        let options = Options::DEFAULT.ensure_ascii(false);
        let mut ser = serde_json::Serializer::with_formatter(&mut out, PyFormatter::new(options));
        rows.serialize(&mut ser).expect("serialize");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            r#"[{"name": "é", "count": 2, "share": 0.1}]"#
        );
    }
}

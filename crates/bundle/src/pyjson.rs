//! JSON text byte for byte like Python's `json.dumps(x, ensure_ascii=False, indent=2)`.
//!
//! serde_json's pretty printer already lays out arrays and objects the same way (two-space
//! indent, `","` between items, `": "` between key and value, `[]` and `{}` when empty) and
//! escapes strings the same way (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other control
//! characters as lowercase `\u00XX`, everything else kept). Floats differ: Python prints
//! `repr(float)`, e.g. `1e+16` and `1e-05` where serde_json prints `1e16` and `0.00001`, so
//! this formatter writes floats the Python way.

use std::io::{self, Write};

use serde::Serialize as _;
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::Value;

/// Serializes `value` as Python's `json.dumps(value, ensure_ascii=False, indent=2)` does.
pub fn dumps(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PyFormatter::default());
    // Writing a `Value` to a Vec cannot fail: its map keys are strings and its numbers finite.
    if value.serialize(&mut ser).is_err() {
        out.clear();
    }
    out
}

/// `repr(x)` of a Python float, for finite `x`.
pub fn float_repr(x: f64) -> String {
    if !x.is_finite() {
        // Python's json writes these as bare words; a serde_json `Value` never holds them.
        return if x.is_nan() {
            "NaN".to_owned()
        } else if x > 0.0 {
            "Infinity".to_owned()
        } else {
            "-Infinity".to_owned()
        };
    }
    // Rust's `{:e}` gives the shortest digits that read back to `x`, like Python's repr.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let decpt = exp + 1;
    let mut out = String::from(sign);
    if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = decpt - 1;
        out.push_str(&format!("e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs()));
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..-decpt {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = usize::try_from(decpt).unwrap_or(0);
        if point >= digits.len() {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// serde_json's pretty layout with Python's float text.
#[derive(Default)]
struct PyFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Formatter for PyFormatter {
    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        // Python has no single floats; widen the way json.loads would read the text back.
        let widened: f64 = value.to_string().parse().unwrap_or(f64::from(value));
        writer.write_all(float_repr(widened).as_bytes())
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(float_repr(value).as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

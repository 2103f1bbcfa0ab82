//! JSON and `str()` the way Python prints them: `json.dumps` with its default `", "` and
//! `": "` separators and ASCII-only strings, floats as `repr`, and `str()` of a JSON value.

use serde_json::{Number, Value};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `v` as `json.dumps` prints it.
pub fn json_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => py_number(out, n),
        Value::String(s) => json_string(out, s),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                json_value(out, x);
            }
            out.push(b']');
        }
        Value::Object(o) => {
            out.push(b'{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                json_string(out, k);
                out.extend_from_slice(b": ");
                json_value(out, x);
            }
            out.push(b'}');
        }
    }
}

/// Appends a JSON string with every character outside printable ASCII escaped
/// (`ensure_ascii`).
pub fn json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if b.is_ascii() {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => unicode_escape(out, u16::from(b)),
            }
            i += 1;
        } else {
            // `i` is at the first byte of a character: every byte before it was ASCII or
            // belonged to a whole character skipped below.
            let c = s[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                unicode_escape(out, *u);
            }
            i += c.len_utf8();
        }
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn unicode_escape(out: &mut Vec<u8>, u: u16) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((u >> shift) & 0xf)]);
    }
}

fn py_number(out: &mut Vec<u8>, n: &Number) {
    match n.as_f64() {
        Some(f) if n.is_f64() => py_float(out, f),
        _ => out.extend_from_slice(n.to_string().as_bytes()),
    }
}

/// Appends Python's `repr(float)` as `json.dumps` prints it: shortest round-trip digits,
/// fixed notation for exponents -4..=15 (with `.0` when integral), else `d.ddde+XX`;
/// `NaN`, `Infinity`, `-Infinity` for the others.
pub fn py_float(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        let text: &[u8] = if v.is_nan() {
            b"NaN"
        } else if v > 0.0 {
            b"Infinity"
        } else {
            b"-Infinity"
        };
        out.extend_from_slice(text);
        return;
    }
    if v.is_sign_negative() {
        out.push(b'-');
    }
    let mut buffer = ryu::Buffer::new();
    let shortest = buffer.format_finite(v.abs()).as_bytes();
    // ryu gives `digits[.digits][e±exp]`; keep the digits and where the point falls.
    let (mantissa, exp) = match shortest.iter().position(|&b| b == b'e') {
        Some(at) => (&shortest[..at], parse_exp(&shortest[at + 1..])),
        None => (shortest, 0),
    };
    let mut digits = [0u8; 32];
    let mut len = 0;
    let mut point = mantissa.len() as i32 + exp;
    for (at, &b) in mantissa.iter().enumerate() {
        if b == b'.' {
            point = at as i32 + exp;
        } else if len < digits.len() {
            digits[len] = b;
            len += 1;
        }
    }
    let mut first = 0;
    while first < len && digits[first] == b'0' {
        first += 1;
        point -= 1;
    }
    while len > first && digits[len - 1] == b'0' {
        len -= 1;
    }
    let digits = &digits[first..len];
    if digits.is_empty() {
        out.extend_from_slice(b"0.0");
        return;
    }
    let exponent = point - 1;
    if (-4..16).contains(&exponent) {
        if point <= 0 {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', point.unsigned_abs() as usize));
            out.extend_from_slice(digits);
        } else {
            let p = point as usize;
            if digits.len() <= p {
                out.extend_from_slice(digits);
                out.extend(std::iter::repeat_n(b'0', p - digits.len()));
                out.extend_from_slice(b".0");
            } else {
                out.extend_from_slice(&digits[..p]);
                out.push(b'.');
                out.extend_from_slice(&digits[p..]);
            }
        }
    } else {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let e = exponent.unsigned_abs();
        if e < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(e.to_string().as_bytes());
    }
}

fn parse_exp(text: &[u8]) -> i32 {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0)
}

/// Python's `repr(float)` as a string.
pub fn py_float_string(v: f64) -> String {
    let mut out = Vec::with_capacity(24);
    py_float(&mut out, v);
    String::from_utf8_lossy(&out).into_owned()
}

/// Python's `str()` of a JSON value, as used in labels.
pub fn py_str(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => py_repr(&other),
    }
}

fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) if n.is_f64() => {
            let s = py_float_string(n.as_f64().unwrap_or(f64::NAN));
            match s.as_str() {
                "NaN" => "nan".into(),
                "Infinity" => "inf".into(),
                "-Infinity" => "-inf".into(),
                _ => s,
            }
        }
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str_repr(s),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(py_repr).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .map(|(k, x)| format!("{}: {}", py_str_repr(k), py_repr(x)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(v: f64) -> String {
        py_float_string(v)
    }

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1234.0, "1234.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456.789, "123456.789"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (1700000000123.456, "1700000000123.456"),
            (-5.0, "-5.0"),
            (1.2345e-7, "1.2345e-07"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (0.1, "0.1"),
            (f64::INFINITY, "Infinity"),
        ];
        for (v, want) in cases {
            assert_eq!(float(v), want, "{v:e}");
        }
    }

    #[test]
    fn strings_escape_outside_printable_ascii() {
        let mut out = Vec::new();
        json_string(&mut out, "a\"\\\n\u{7f}ü😀\u{1}/");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""a\"\\\n\u007f\u00fc\ud83d\ude00\u0001/""#
        );
    }
}

//! Python's `repr(float)`: the shortest digits that read back to the same float, positional
//! for decimal exponents -4..=15 (with `.0` when integral), else `d.ddde+XX`.

use std::io;

use serde_json::ser::{CompactFormatter, Formatter as _};

/// How to spell the floats that are not finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonFinite {
    /// Python's `repr()`: `nan`, `inf`, `-inf`.
    Repr,
    /// Python's `json.dumps`: `NaN`, `Infinity`, `-Infinity`.
    Json,
}

/// Longest text: a sign, 17 digits, a point and `e-308`, or `0.000` and 17 digits.
const MAX_LEN: usize = 32;

/// Python's text of `v` in `buf`; returns its length.
fn format(v: f64, spelling: NonFinite, buf: &mut [u8; MAX_LEN]) -> usize {
    if !v.is_finite() {
        let text: &[u8] = match (spelling, v.is_nan(), v > 0.0) {
            (NonFinite::Repr, true, _) => b"nan",
            (NonFinite::Repr, false, true) => b"inf",
            (NonFinite::Repr, false, false) => b"-inf",
            (NonFinite::Json, true, _) => b"NaN",
            (NonFinite::Json, false, true) => b"Infinity",
            (NonFinite::Json, false, false) => b"-Infinity",
        };
        buf[..text.len()].copy_from_slice(text);
        return text.len();
    }
    // serde_json's own float writer gives the shortest round-trip digits, the ones Python
    // picks too, as `digits[.digits][e[+-]exp]`; keep the digits and where the point falls.
    let mut raw = [0u8; MAX_LEN];
    let raw_len = {
        let mut w: &mut [u8] = &mut raw;
        if CompactFormatter.write_f64(&mut w, v.abs()).is_err() {
            return 0;
        }
        MAX_LEN - w.len()
    };
    let shortest = &raw[..raw_len];
    let (mantissa, exp) = match shortest.iter().position(|&b| b == b'e') {
        Some(at) => (&shortest[..at], parse_exp(&shortest[at + 1..])),
        None => (shortest, 0),
    };
    let mut digits = [0u8; MAX_LEN];
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
    let mut out = Out { buf, len: 0 };
    if v.is_sign_negative() {
        out.push(b'-');
    }
    if digits.is_empty() {
        out.extend(b"0.0");
        return out.len;
    }
    let exponent = point - 1;
    if (-4..16).contains(&exponent) {
        if point <= 0 {
            out.extend(b"0.");
            out.zeros(point.unsigned_abs() as usize);
            out.extend(digits);
        } else {
            let p = point as usize;
            if digits.len() <= p {
                out.extend(digits);
                out.zeros(p - digits.len());
                out.extend(b".0");
            } else {
                out.extend(&digits[..p]);
                out.push(b'.');
                out.extend(&digits[p..]);
            }
        }
    } else {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let e = exponent.unsigned_abs();
        if e >= 100 {
            out.push(b'0' + (e / 100) as u8);
        }
        out.push(b'0' + (e / 10 % 10) as u8);
        out.push(b'0' + (e % 10) as u8);
    }
    out.len
}

/// A fixed buffer being filled; the caller sizes it for the longest text.
struct Out<'b> {
    buf: &'b mut [u8; MAX_LEN],
    len: usize,
}

impl Out<'_> {
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    fn extend(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(slot) = self.buf.get_mut(self.len..end) {
            slot.copy_from_slice(bytes);
            self.len = end;
        }
    }

    fn zeros(&mut self, n: usize) {
        let end = self.len + n;
        if let Some(slot) = self.buf.get_mut(self.len..end) {
            slot.fill(b'0');
            self.len = end;
        }
    }
}

fn parse_exp(text: &[u8]) -> i32 {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0)
}

/// Appends Python's text of the float `v` (`repr(v)`, with `spelling` for nan and infinities).
#[inline]
pub fn push_float(out: &mut Vec<u8>, v: f64, spelling: NonFinite) {
    let mut buf = [0u8; MAX_LEN];
    let len = format(v, spelling, &mut buf);
    out.extend_from_slice(&buf[..len]);
}

/// Writes Python's text of the float `v` to `w` (see [`push_float`]).
#[inline]
pub fn write_float<W: ?Sized + io::Write>(
    w: &mut W,
    v: f64,
    spelling: NonFinite,
) -> io::Result<()> {
    let mut buf = [0u8; MAX_LEN];
    let len = format(v, spelling, &mut buf);
    w.write_all(&buf[..len])
}

fn float_string(v: f64, spelling: NonFinite) -> String {
    let mut buf = [0u8; MAX_LEN];
    let len = format(v, spelling, &mut buf);
    // Only ASCII is ever written.
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

/// Python's `repr(v)`: `0.1`, `1e+16`, `1e-05`, `nan`, `-inf`.
pub fn float_repr(v: f64) -> String {
    float_string(v, NonFinite::Repr)
}

/// The float `v` as Python's `json.dumps` writes it: `repr(v)`, but `NaN`, `Infinity`,
/// `-Infinity` for the others.
pub fn float_json(v: f64) -> String {
    float_string(v, NonFinite::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr() {
        // Expected texts are Python 3.11's repr() of the same floats.
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1234.0, "1234.0"),
            (-5.0, "-5.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1.2345e-7, "1.2345e-07"),
            (123.456, "123.456"),
            (123456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1.2345e16, "1.2345e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (9_007_199_254_740_993.0, "9007199254740992.0"),
            (1700000000123.456, "1700000000123.456"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1.5e300, "1.5e+300"),
            (1e22, "1e+22"),
            (1e100, "1e+100"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (-2.5e-300, "-2.5e-300"),
            // Halfway between two shortest texts: Python takes the even digit, Rust's `{:e}`
            // the one above (…0.13, …2.3).
            (121_581_182_343_330.0 + 0.125, "121581182343330.12"),
            (1_658_206_780_088_562.0 + 0.25, "1658206780088562.2"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x:e}");
            assert_eq!(float_json(x), want, "{x:e}");
        }
    }

    #[test]
    fn non_finite_floats_have_two_spellings() {
        assert_eq!(float_repr(f64::NAN), "nan");
        assert_eq!(float_repr(f64::INFINITY), "inf");
        assert_eq!(float_repr(f64::NEG_INFINITY), "-inf");
        assert_eq!(float_json(f64::NAN), "NaN");
        assert_eq!(float_json(f64::INFINITY), "Infinity");
        assert_eq!(float_json(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn byte_appending_and_writing_agree() {
        let mut out = b"x".to_vec();
        push_float(&mut out, 1e-5, NonFinite::Json);
        write_float(&mut out, f64::NAN, NonFinite::Repr).expect("vec");
        assert_eq!(out, b"x1e-05nan");
    }

    /// Digits and decimal exponent of the first digit of a float's text: `0.0123` and
    /// `1.23e-2` both give `("123", -2)`.
    fn digits_and_exponent(text: &str) -> (String, i32) {
        let (mantissa, exp) = match text.split_once('e') {
            Some((m, e)) => (m, e.parse::<i32>().expect("exponent")),
            None => (text, 0),
        };
        let mantissa = mantissa.trim_start_matches('-');
        let point = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
        let all: String = mantissa.chars().filter(|c| *c != '.').collect();
        let lead = (all.len() - all.trim_start_matches('0').len()) as i32;
        let digits = all.trim_matches('0').to_owned();
        (digits, point - lead - 1 + exp)
    }

    /// Rust's own `{:e}` also prints the shortest round-trip digits; the two must agree on
    /// their number and the exponent for any float (on the digits too, but for a tie, where
    /// Python takes the even one), and the notation must follow the exponent.
    #[test]
    fn digits_agree_with_rust_shortest_formatting() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if !x.is_finite() || x == 0.0 {
                continue;
            }
            let ours = float_repr(x);
            let (digits, exp) = digits_and_exponent(&ours);
            let (rust_digits, rust_exp) = digits_and_exponent(&format!("{x:e}"));
            assert_eq!((digits.len(), exp), (rust_digits.len(), rust_exp), "{x:e}");
            if digits != rust_digits {
                let last = digits.bytes().last().unwrap_or(b'0');
                assert_eq!((last - b'0') % 2, 0, "{ours} vs {x:e}");
            }
            assert_eq!(ours.contains('e'), !(-4..16).contains(&exp), "{ours}");
            assert_eq!(ours.starts_with('-'), x < 0.0, "{ours}");
            assert_eq!(ours.parse::<f64>().ok(), Some(x), "{ours}");
        }
    }
}

//! The code units the scanners walk: the bytes of an ASCII text (one byte, one character,
//! so no decoding), or the characters of any other text. Scanners written over [`Unit`]
//! see the same characters either way.

/// A byte of an ASCII text, or a character.
pub(crate) trait Unit: Copy + PartialEq {
    /// The character this unit stands for.
    fn ch(self) -> char;
    /// Appends the characters of `s` as units.
    fn push_str(out: &mut Vec<Self>, s: &str);
    /// Appends the characters of `units` to `out`.
    fn extend_string(out: &mut String, units: &[Self]);
    /// Appends the UTF-8 bytes of `units` to `out`.
    fn extend_bytes(out: &mut Vec<u8>, units: &[Self]);
    /// `units` as bytes, when they are bytes (so byte searches such as `memchr` apply).
    fn as_bytes(units: &[Self]) -> Option<&[u8]>;
}

impl Unit for u8 {
    #[inline]
    fn ch(self) -> char {
        self as char
    }

    fn push_str(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(s.as_bytes());
    }

    #[inline]
    fn extend_string(out: &mut String, units: &[u8]) {
        match std::str::from_utf8(units) {
            Ok(text) => out.push_str(text),
            Err(_) => out.extend(units.iter().map(|&b| char::from(b))),
        }
    }

    #[inline]
    fn extend_bytes(out: &mut Vec<u8>, units: &[u8]) {
        out.extend_from_slice(units);
    }

    #[inline]
    fn as_bytes(units: &[u8]) -> Option<&[u8]> {
        Some(units)
    }
}

impl Unit for char {
    #[inline]
    fn ch(self) -> char {
        self
    }

    fn push_str(out: &mut Vec<char>, s: &str) {
        out.extend(s.chars());
    }

    #[inline]
    fn extend_string(out: &mut String, units: &[char]) {
        out.extend(units.iter());
    }

    fn extend_bytes(out: &mut Vec<u8>, units: &[char]) {
        let mut buf = [0u8; 4];
        for c in units {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }

    #[inline]
    fn as_bytes(_: &[char]) -> Option<&[u8]> {
        None
    }
}

/// The text of `units`.
pub(crate) fn string_of<U: Unit>(units: &[U]) -> String {
    let mut s = String::with_capacity(units.len());
    U::extend_string(&mut s, units);
    s
}

/// True when `units` spell `s` exactly.
pub(crate) fn units_eq<U: Unit>(units: &[U], s: &str) -> bool {
    units.len() == s.len() && units_start_with(units, s)
}

/// True when `units` begin with the ASCII text `s`.
pub(crate) fn units_start_with<U: Unit>(units: &[U], s: &str) -> bool {
    units.len() >= s.len() && units.iter().zip(s.chars()).all(|(u, c)| u.ch() == c)
}

//! Python 3 `re` character classes (`\w`, `\d`, `\s`) and `str.isprintable`, looked up in
//! tables generated from Python itself, so the seed rules treat every character as Python
//! does (Rust's `regex` classes differ: its `\w` includes combining marks and excludes `²`,
//! its `\s` excludes U+001C..U+001F).

use crate::pychars_table::{DIGIT, PRINTABLE, SPACE, WORD};

fn in_ranges(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Python's `\w` for str patterns: `c.isalnum() or c == '_'`.
#[inline]
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        in_ranges(WORD, c)
    }
}

/// Python's `\d` for str patterns: `c.isdecimal()`.
#[inline]
pub(crate) fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_ranges(DIGIT, c)
    }
}

/// Python's `\s` for str patterns and `str.strip()`: `c.isspace()`.
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(
            c,
            '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f' | ' '
        )
    } else {
        in_ranges(SPACE, c)
    }
}

/// Python's `c.isprintable()`: what `repr()` leaves unescaped.
#[inline]
pub(crate) fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        (' '..='~').contains(&c)
    } else {
        in_ranges(PRINTABLE, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_class_follows_python_not_rust_regex() {
        assert!(is_word('é'));
        assert!(is_word('²'), "superscript two is numeric in Python");
        assert!(
            !is_word('\u{301}'),
            "combining acute is not alphanumeric in Python"
        );
        assert!(is_word('_'));
        assert!(!is_word('-'));
    }

    #[test]
    fn space_class_includes_information_separators() {
        for c in ['\x1c', '\x1f', '\u{85}', '\u{a0}', '\u{3000}', '\t'] {
            assert!(is_space(c), "{c:?}");
        }
        assert!(!is_space('\u{200b}'));
    }

    #[test]
    fn digit_class_is_unicode_decimal() {
        assert!(is_digit('٣'));
        assert!(is_digit('７'));
        assert!(!is_digit('²'));
    }

    #[test]
    fn printable_matches_python_repr() {
        assert!(is_printable('é'));
        assert!(!is_printable('\x7f'));
        assert!(!is_printable('\u{a0}'));
        assert!(!is_printable('\u{200b}'));
        assert!(is_printable(' '));
    }
}

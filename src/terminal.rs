//! Text from flows, pages and records made safe to print on a terminal: control characters
//! (which could move the cursor, recolour or retitle the terminal, or split one line into
//! several) and invisible reordering marks are shown as visible escapes.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for characters that must not reach a terminal as they are: C0 controls (newline and
/// tab included), DEL, C1 controls, the Unicode line and paragraph separators, and the
/// bidirectional marks and overrides that reorder what is shown.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character written as a visible escape: `\n`, `\r`, `\t`, `\xNN`
/// for the other ASCII controls (ESC is `\x1b`), `\u{NN}` for C1 controls and the invisible
/// marks. Text without any is returned as it is. The result is always one line.
///
/// ```
/// use webrunner::terminal::escape_for_terminal;
///
/// assert_eq!(escape_for_terminal("WR_to_url"), "WR_to_url");
/// assert_eq!(escape_for_terminal("a\u{1b}[2Jb\nc"), "a\\x1b[2Jb\\nc");
/// assert_eq!(escape_for_terminal("\u{9b}31m"), "\\u{9b}31m");
/// ```
pub fn escape_for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "WR_assert_text: expected «Grüße» — got 'x' \\x1b (literal)";
        assert!(matches!(escape_for_terminal(s), Cow::Borrowed(_)));
        assert_eq!(escape_for_terminal(s), s);
    }

    #[test]
    fn escape_sequences_become_visible_text() {
        let title = "\u{1b}]0;owned\u{7}";
        assert_eq!(escape_for_terminal(title), "\\x1b]0;owned\\x07");
        assert_eq!(escape_for_terminal("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(escape_for_terminal("\u{0}\u{7f}"), "\\x00\\x7f");
    }

    #[test]
    fn line_breaks_and_tabs_are_escaped_so_output_stays_one_line() {
        let e = escape_for_terminal("one\ntwo\r\tthree\u{2028}four");
        assert_eq!(e, "one\\ntwo\\r\\tthree\\u{2028}four");
        assert_eq!(e.lines().count(), 1);
    }

    #[test]
    fn c1_controls_and_bidi_overrides_are_escaped() {
        assert_eq!(escape_for_terminal("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(escape_for_terminal("\u{85}"), "\\u{85}");
        assert_eq!(
            escape_for_terminal("abc\u{202e}fed\u{2066}"),
            "abc\\u{202e}fed\\u{2066}"
        );
    }

    #[test]
    fn no_control_character_survives_escaping() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let e = escape_for_terminal(&all);
        assert!(!e.chars().any(needs_escape), "{e}");
        assert!(!e.chars().any(char::is_control));
    }
}

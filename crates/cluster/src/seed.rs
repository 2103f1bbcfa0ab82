//! The seed's signature rules, reproduced pass for pass with Python's `re` semantics: the
//! seed applies seven substitutions in order (timestamps, hex, `line N`, paths, numbers,
//! quoted text, whitespace) and lower-cases the result. Each pass here is a hand-written
//! scanner over code points that finds exactly the matches Python's backtracking engine
//! finds (leftmost, then by the pattern's preference order), with Python's Unicode `\w`,
//! `\d` and `\s`; no pass needs look-around, so none is approximated.

use crate::pychars::{is_digit, is_space, is_word};
use crate::unit::Unit;

/// Applies the seed rules to `message` and returns its signature (possibly empty).
pub(crate) fn normalise(message: &str) -> String {
    if message.is_ascii() {
        ASCII_SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let (text, spare) = &mut *scratch;
                text.clear();
                text.extend_from_slice(message.as_bytes());
                normalise_with(text, spare);
                collapse_and_lower_ascii(text)
            }
            Err(_) => {
                let mut text = message.as_bytes().to_vec();
                normalise_with(&mut text, &mut Vec::new());
                collapse_and_lower_ascii(&text)
            }
        })
    } else {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let (text, spare) = &mut *scratch;
                text.clear();
                text.extend(message.chars());
                normalise_with(text, spare);
                collapse_and_lower(text)
            }
            Err(_) => {
                let mut text: Vec<char> = message.chars().collect();
                normalise_with(&mut text, &mut Vec::new());
                collapse_and_lower(&text)
            }
        })
    }
}

thread_local! {
    /// Reusable buffers per thread: the text being rewritten and its next version.
    static SCRATCH: std::cell::RefCell<(Vec<char>, Vec<char>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    static ASCII_SCRATCH: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Runs the six substitution passes on `text` (the seventh, whitespace, is the collapse).
fn normalise_with<U: Unit>(text: &mut Vec<U>, spare: &mut Vec<U>) {
    let digit = |t: &[U], from: usize| {
        (from..t.len()).find(|&i| {
            let c = t[i].ch();
            c.is_ascii_digit() || (!c.is_ascii() && is_digit(c))
        })
    };
    run(text, spare, digit, timestamps);
    run(text, spare, |t, from| next_of(t, from, b'0', b'0'), hex);
    run(
        text,
        spare,
        |t, from| next_of(t, from, b'l', b'L'),
        line_numbers,
    );
    run(text, spare, next_path_start, paths);
    run(text, spare, digit, numbers);
    run(text, spare, |t, from| next_of(t, from, b'\'', b'"'), quoted);
}

/// The first position at or after `from` holding the ASCII character `a` or `b`.
fn next_of<U: Unit>(t: &[U], from: usize, a: u8, b: u8) -> Option<usize> {
    match U::as_bytes(t) {
        Some(bytes) => memchr::memchr2(a, b, &bytes[from..]).map(|k| from + k),
        None => (from..t.len()).find(|&i| {
            let c = t[i].ch();
            c == char::from(a) || c == char::from(b)
        }),
    }
}

/// The first position at or after `from` where a path may start: a separator, or a drive
/// letter followed by `:`.
fn next_path_start<U: Unit>(t: &[U], from: usize) -> Option<usize> {
    let Some(bytes) = U::as_bytes(t) else {
        return (from..t.len()).find(|&i| {
            let c = t[i].ch();
            c == '/'
                || c == '\\'
                || (c.is_ascii_alphabetic() && t.get(i + 1).is_some_and(|n| n.ch() == ':'))
        });
    };
    let mut i = from;
    loop {
        let k = i + memchr::memchr3(b'/', b'\\', b':', &bytes[i..])?;
        if bytes[k] != b':' {
            return Some(k);
        }
        // Colons before `k` were looked at already; only the letter just before this one
        // can start a drive path.
        if k > from && bytes[k - 1].is_ascii_alphabetic() {
            return Some(k - 1);
        }
        i = k + 1;
    }
}

fn run<U: Unit>(
    text: &mut Vec<U>,
    spare: &mut Vec<U>,
    next: impl Fn(&[U], usize) -> Option<usize>,
    pass: impl Fn(&[U], usize) -> Option<(usize, &'static str)>,
) {
    spare.clear();
    if substitute(text, spare, next, pass) {
        std::mem::swap(text, spare);
    }
}

/// Runs `pass` left to right like `re.sub`: non-overlapping matches, each replaced. `next`
/// finds the next position, at or after the one given, whose character can start a match.
/// Returns false when nothing matched (the text is unchanged); the new text goes to `out`.
fn substitute<U: Unit>(
    text: &[U],
    out: &mut Vec<U>,
    next: impl Fn(&[U], usize) -> Option<usize>,
    pass: impl Fn(&[U], usize) -> Option<(usize, &'static str)>,
) -> bool {
    let mut matched = false;
    let mut copied = 0;
    let mut from = 0;
    while let Some(i) = next(text, from) {
        match pass(text, i) {
            Some((end, replacement)) => {
                matched = true;
                out.extend_from_slice(&text[copied..i]);
                U::push_str(out, replacement);
                copied = end;
                // Every seed pattern matches at least one character.
                from = end.max(i + 1);
            }
            None => from = i + 1,
        }
    }
    if matched {
        out.extend_from_slice(&text[copied..]);
    }
    matched
}

fn digits_at<U: Unit>(text: &[U], at: usize, n: usize) -> bool {
    at + n <= text.len() && text[at..at + n].iter().all(|&c| is_digit(c.ch()))
}

fn char_is<U: Unit>(text: &[U], at: usize, pred: impl Fn(char) -> bool) -> bool {
    text.get(at).is_some_and(|&c| pred(c.ch()))
}

/// `\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?` → `<TS>`.
fn timestamps<U: Unit>(t: &[U], s: usize) -> Option<(usize, &'static str)> {
    let lit = |at: usize, c: char| t.get(at).map(|u| u.ch()) == Some(c);
    let ok = digits_at(t, s, 4)
        && lit(s + 4, '-')
        && digits_at(t, s + 5, 2)
        && lit(s + 7, '-')
        && digits_at(t, s + 8, 2)
        && char_is(t, s + 10, |c| c == 'T' || c == ' ')
        && digits_at(t, s + 11, 2)
        && lit(s + 13, ':')
        && digits_at(t, s + 14, 2)
        && lit(s + 16, ':')
        && digits_at(t, s + 17, 2);
    if !ok {
        return None;
    }
    let mut end = s + 19;
    if lit(end, '.') && char_is(t, end + 1, is_digit) {
        end += 1;
        while char_is(t, end, is_digit) {
            end += 1;
        }
    }
    if lit(end, 'Z') {
        end += 1;
    } else if char_is(t, end, |c| c == '+' || c == '-') && digits_at(t, end + 1, 2) {
        if lit(end + 3, ':') && digits_at(t, end + 4, 2) {
            end += 6;
        } else if digits_at(t, end + 3, 2) {
            end += 5;
        }
    }
    Some((end, "<TS>"))
}

/// `0x[0-9a-fA-F]+` → `<HEX>`.
fn hex<U: Unit>(t: &[U], s: usize) -> Option<(usize, &'static str)> {
    if t[s].ch() != '0'
        || t.get(s + 1).map(|u| u.ch()) != Some('x')
        || !char_is(t, s + 2, |c| c.is_ascii_hexdigit())
    {
        return None;
    }
    let mut end = s + 3;
    while char_is(t, end, |c| c.is_ascii_hexdigit()) {
        end += 1;
    }
    Some((end, "<HEX>"))
}

/// `line\s+\d+` with `re.IGNORECASE` → `line <N>`. Under Python's Unicode case folding
/// `i` also matches `İ` (U+0130) and `ı` (U+0131); no other letter of `line` has extras.
fn line_numbers<U: Unit>(t: &[U], s: usize) -> Option<(usize, &'static str)> {
    let word = s + 4 <= t.len()
        && matches!(t[s].ch(), 'l' | 'L')
        && matches!(t[s + 1].ch(), 'i' | 'I' | '\u{130}' | '\u{131}')
        && matches!(t[s + 2].ch(), 'n' | 'N')
        && matches!(t[s + 3].ch(), 'e' | 'E');
    if !word || !char_is(t, s + 4, is_space) {
        return None;
    }
    let mut end = s + 4;
    while char_is(t, end, is_space) {
        end += 1;
    }
    if !char_is(t, end, is_digit) {
        return None;
    }
    while char_is(t, end, is_digit) {
        end += 1;
    }
    Some((end, "line <N>"))
}

fn is_path_char(c: char) -> bool {
    c == '.' || c == '-' || is_word(c)
}

fn is_sep(c: char) -> bool {
    c == '/' || c == '\\'
}

/// Length of the run of path characters at `at`, counted up to 81 (enough to tell "more
/// than 80").
fn path_run<U: Unit>(t: &[U], at: usize) -> usize {
    let mut n = 0;
    while n <= 80 && char_is(t, at + n, is_path_char) {
        n += 1;
    }
    n
}

/// `(?:[A-Za-z]:)?[\\/](?:[\w.\-]{1,80}[\\/]){1,40}[\w.\-]{1,80}` → `<PATH>`.
///
/// A group `[\w.\-]{1,80}[\\/]` can only match a whole run of path characters (1..=80 of
/// them) followed by a separator, so the greedy `{1,40}` takes as many such runs as it can;
/// the tail then takes up to 80 characters of the next run, or, when there is none, the
/// engine gives back the last group and the tail takes that group's run instead.
fn paths<U: Unit>(t: &[U], s: usize) -> Option<(usize, &'static str)> {
    let drive = t[s].ch().is_ascii_alphabetic() && t.get(s + 1).map(|u| u.ch()) == Some(':');
    if drive {
        if let Some(end) = path_from_separator(t, s + 2) {
            return Some((end, "<PATH>"));
        }
    }
    path_from_separator(t, s).map(|end| (end, "<PATH>"))
}

fn path_from_separator<U: Unit>(t: &[U], p: usize) -> Option<usize> {
    if !char_is(t, p, is_sep) {
        return None;
    }
    let mut pos = p + 1;
    let mut groups = 0;
    while groups < 40 {
        let run = path_run(t, pos);
        if (1..=80).contains(&run) && char_is(t, pos + run, is_sep) {
            groups += 1;
            pos += run + 1;
        } else {
            break;
        }
    }
    if groups == 0 {
        return None;
    }
    let tail = path_run(t, pos);
    if tail >= 1 {
        return Some(pos + tail.min(80));
    }
    if groups >= 2 {
        // The last group's run (without its separator) becomes the tail.
        return Some(pos - 1);
    }
    None
}

/// `\b\d{2,}\b` → `<N>`: a whole run of two or more digits between non-word characters.
fn numbers<U: Unit>(t: &[U], s: usize) -> Option<(usize, &'static str)> {
    if !is_digit(t[s].ch()) || (s > 0 && is_word(t[s - 1].ch())) {
        return None;
    }
    let mut end = s;
    while char_is(t, end, is_digit) {
        end += 1;
    }
    if end - s < 2 || char_is(t, end, is_word) {
        return None;
    }
    Some((end, "<N>"))
}

/// `'[^']{0,80}'|"[^"]{0,80}"` → `<Q>`.
fn quoted<U: Unit>(t: &[U], s: usize) -> Option<(usize, &'static str)> {
    let q = t[s].ch();
    if q != '\'' && q != '"' {
        return None;
    }
    let limit = (s + 82).min(t.len());
    (s + 1..limit)
        .find(|&j| t[j].ch() == q)
        .map(|j| (j + 1, "<Q>"))
}

/// [`collapse_and_lower`] of an ASCII text, byte by byte.
fn collapse_and_lower_ascii(t: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(t.len());
    let mut pending_space = false;
    for &b in t {
        if is_space(char::from(b)) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b.to_ascii_lowercase());
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `\s+` → one space, `strip()`, `lower()`.
fn collapse_and_lower(t: &[char]) -> String {
    let mut out = String::with_capacity(t.len());
    let mut pending_space = false;
    for &c in t {
        if is_space(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    if out.is_ascii() {
        out.make_ascii_lowercase();
        out
    } else {
        out.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::{collapse_and_lower, collapse_and_lower_ascii, normalise, normalise_with};

    proptest::proptest! {
        #[test]
        fn bytes_and_chars_read_ascii_text_alike(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "C", ":", "/", "\\", "0x1F", "0", "line 7", "LINE\t8", "12", "5",
                    "2024-05-01 10:20:30", ".5", "'", "\"", " ", "\n", "x.py", "_",
                ]),
                0..24,
            )
        ) {
            let text = parts.concat();
            let mut bytes = text.as_bytes().to_vec();
            normalise_with(&mut bytes, &mut Vec::new());
            let mut chars: Vec<char> = text.chars().collect();
            normalise_with(&mut chars, &mut Vec::new());
            assert_eq!(collapse_and_lower_ascii(&bytes), collapse_and_lower(&chars));
        }
    }

    #[test]
    fn applies_every_seed_substitution_in_order() {
        let msg = "2024-05-01T10:20:30.123Z Error at 0xDEADbeef line 42 in /usr/lib/x.py: got 1234 for 'abc'  now";
        assert_eq!(
            normalise(msg),
            "<ts> error at <hex> line <n> in <path>: got <n> for <q> now"
        );
    }

    #[test]
    fn timestamp_zone_with_and_without_colon() {
        assert_eq!(normalise("2024-05-01 10:20:30+05:30x"), "<ts>x");
        assert_eq!(normalise("2024-05-01 10:20:30+0530x"), "<ts>x");
        assert_eq!(normalise("2024-05-01 10:20:30+05:3"), "<ts>+<n>:3");
        assert_eq!(normalise("2024-05-01 10:20:30."), "<ts>.");
    }

    #[test]
    fn path_needs_two_separators_and_gives_back_a_trailing_group() {
        assert_eq!(normalise("see /a"), "see /a");
        assert_eq!(normalise("see /a/b"), "see <path>");
        assert_eq!(normalise("see /a/b/"), "see <path>/");
        assert_eq!(normalise("see /a/"), "see /a/");
        assert_eq!(normalise(r"C:\Users\me\x.txt"), "<path>");
        assert_eq!(normalise("a//b"), "a//b");
    }

    #[test]
    fn path_runs_longer_than_eighty_are_cut() {
        let long = "x".repeat(100);
        assert_eq!(
            normalise(&format!("/a/{long}")),
            format!("<path>{}", "x".repeat(20))
        );
        assert_eq!(normalise(&format!("/{long}/b")), format!("/{long}/b"));
    }

    #[test]
    fn numbers_need_word_boundaries_and_two_digits() {
        assert_eq!(normalise("a 12 b7 99c 5 (123)"), "a <n> b7 99c 5 (<n>)");
    }

    #[test]
    fn quotes_longer_than_eighty_stay() {
        let long = "y".repeat(81);
        assert_eq!(normalise(&format!("'{long}'")), format!("'{long}'"));
        assert_eq!(normalise(&format!("'{}'", "y".repeat(80))), "<q>");
        assert_eq!(normalise("say \"it's\" 'x"), "say <q> 'x");
    }

    #[test]
    fn line_matches_python_case_folding() {
        assert_eq!(normalise("LİNE 7"), "line <n>");
        assert_eq!(normalise("lıne\u{1c}7"), "line <n>");
    }

    #[test]
    fn whitespace_is_python_whitespace() {
        assert_eq!(
            normalise("\u{1f}a\u{a0}\u{2003} b\u{200b}\n"),
            "a b\u{200b}"
        );
        assert_eq!(normalise("   "), "");
    }
}

//! Line-level clean-up for the default rules: which lines of a failure carry its message and
//! which are noise that differs between occurrences of one cause — stack frames (JS, Java,
//! C#, Python tracebacks and their source lines), chromedriver's native backtraces, Selenium's
//! session/build/driver trailers, Playwright call logs (kept aside: they say *why* an action
//! timed out), code frames and install-hint boxes.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::has;

static HEX: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("0x"));
static BRACKET_HEX: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("[0x"));
static INFO: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" info:"));
static DOCUMENTATION: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new("For documentation"));

/// A failure message split into the lines that carry it and what was set aside.
pub(crate) struct Scan<'a> {
    /// Message lines, trimmed, in order, with inline Selenium trailers removed.
    pub(crate) content: Vec<Cow<'a, str>>,
    /// Index in `content` of the first line after the last traceback frame (0 when none).
    pub(crate) head_start: usize,
    /// Playwright call-log lines.
    pub(crate) call_log: Vec<&'a str>,
    /// Names of the kinds of lines dropped, in order of first appearance.
    pub(crate) dropped: Vec<&'static str>,
}

fn note(dropped: &mut Vec<&'static str>, what: &'static str) {
    if !dropped.contains(&what) {
        dropped.push(what);
    }
}

fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

fn is_python_frame(t: &str) -> bool {
    t.starts_with("File \"") && t.contains("\", line ")
}

fn is_stack_frame(t: &str) -> bool {
    if let Some(rest) = t.strip_prefix("at ") {
        return rest.contains('(')
            || rest.contains(':')
            || rest.contains('/')
            || rest.starts_with('<')
            || rest.starts_with("async ");
    }
    (t.starts_with("... ") && t.ends_with(" more")) || t.starts_with("From previous event:")
}

fn is_native_frame(t: &str) -> bool {
    let b = t.as_bytes();
    if b.first() == Some(&b'#') && b.get(1).is_some_and(u8::is_ascii_digit) {
        return true;
    }
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if lead > 0 && lead < b.len() && t[lead..].starts_with("  ") && has(&HEX, t) {
        return true;
    }
    (has(&HEX, t) && has(&BRACKET_HEX, t))
        || t == "<unknown>"
        || t.starts_with("(No symbol)")
        || (t.starts_with("0x") && b.len() > 2 && b[2].is_ascii_hexdigit())
}

const TRAILERS: &[&str] = &[
    "(Session info:",
    "(Driver info:",
    "Build info:",
    "System info:",
    "Driver info:",
    "Capabilities {",
    "Capabilities [",
    "Session ID:",
    "*** Element info:",
    "Element info:",
    "Command duration or timeout:",
    "For documentation on this error",
    "Command: [",
    "(WARNING: The server did not provide",
    "remote stacktrace:",
    "Host info:",
];

fn is_trailer(t: &str) -> bool {
    matches!(
        t.as_bytes().first(),
        Some(b'(' | b'B' | b'S' | b'D' | b'C' | b'*' | b'E' | b'F' | b'r' | b'H')
    ) && TRAILERS.iter().any(|p| t.starts_with(p))
}

fn is_code_frame(t: &str) -> bool {
    let s = t.strip_prefix('>').unwrap_or(t).trim_start();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && s[digits..].trim_start().starts_with('|') {
        return true;
    }
    t.starts_with('|') && t[1..].trim().chars().all(|c| c == '^' || c == '~')
}

/// A line that only locates code, `/app/x.js:337` or `C:\\app\\x.js:12:5`: Node prints it
/// above the source line it echoes.
fn is_location(t: &str) -> bool {
    let Some((path, line)) = t.rsplit_once(':') else {
        return false;
    };
    let path = match path.rsplit_once(':') {
        Some((p, l)) if l.bytes().all(|b| b.is_ascii_digit()) && !l.is_empty() => p,
        _ => path,
    };
    !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && path.contains(['/', '\\'])
        && !path.contains(char::is_whitespace)
}

/// A test title of Playwright's reporters (`[chromium] › a.spec.ts:3:1 › suite › title`),
/// or a reporter's rule (`Retry #2 ──────`).
fn is_title(t: &str) -> bool {
    // Both need the byte 0xE2 (`›` and `─` in UTF-8); most lines lack it.
    memchr::memchr(0xE2, t.as_bytes()).is_some() && (t.contains(" › ") || t.ends_with("──────────"))
}

/// RSpec's `Failure/Error: <the source line that failed>` (after the example's number).
fn is_rspec_source(t: &str) -> bool {
    let numbering = t
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let rest = if numbering > 0 && t[numbering..].starts_with(") ") {
        &t[numbering + 2..]
    } else {
        t
    };
    rest.starts_with("Failure/Error:")
}

/// Words loggers print for a level.
const LOG_LEVELS: &[&str] = &[
    "TRACE", "DEBUG", "INFO", "INF", "WARN", "WARNING", "ERROR", "ERR", "SEVERE", "FATAL", "FTL",
];

/// `line` without what a logger put before the message: `[…]` tags (`[INF]`,
/// `[20:53:36 WARNING]`, Chrome's `[pid:tid:time:ERROR:file.cc(12)]`), a date and time, a
/// level and a logger name (`2025-03-20 15:22:19,532 - app.module - ERROR - `).
pub(crate) fn strip_log_prefix(line: &str) -> &str {
    // Every prefix starts with `[`, a digit or an upper-case letter.
    if !line
        .as_bytes()
        .first()
        .is_some_and(|b| *b == b'[' || b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return line;
    }
    let mut t = line;
    loop {
        let before = t;
        if let Some(rest) = t.strip_prefix('[') {
            if let Some(close) = rest.find(']') {
                let tag = &rest[..close];
                let after = rest[close + 1..].trim_start_matches(':').trim_start();
                if close <= 96 && !tag.contains(['=', '"', '\'', '[']) && !after.is_empty() {
                    t = after;
                }
            }
        }
        t = strip_timestamp(t);
        for level in LOG_LEVELS {
            if let Some(rest) = t.strip_prefix(level) {
                if rest.starts_with([' ', ':', ']']) {
                    t = rest.trim_start_matches([' ', ':', '-']).trim_start();
                    break;
                }
            }
        }
        // `name - LEVEL - ` (Python's logging).
        if let Some(space) = t.find(' ').filter(|&s| s > 0) {
            if let Some(rest) = t[space..].strip_prefix(" - ") {
                if let Some(level) = LOG_LEVELS.iter().find(|l| rest.starts_with(*l)) {
                    if let Some(after) = rest[level.len()..].strip_prefix(" - ") {
                        t = after;
                    }
                }
            }
        }
        if t.len() == before.len() || t.is_empty() {
            return if t.is_empty() { before } else { t };
        }
    }
}

/// A line that only names a section of a log: `[Selenium driver Logs]`.
fn is_section_header(t: &str) -> bool {
    t.strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .is_some_and(|inner| {
            inner.contains(' ')
                && inner
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_')
        })
}

/// True when a logger's `prefix` (what [`strip_log_prefix`] took off) names a level that
/// reports progress (`INFO`, `DEBUG`, `TRACE`) rather than a failure.
fn is_quiet(prefix: &str) -> bool {
    prefix
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| matches!(w, "TRACE" | "DEBUG" | "INFO" | "INF"))
}

/// `t` without a leading `2024-05-01 12:00:00,123`, `2024-05-01T12:00:00.123Z` or
/// `12:00:00.123` and the separators after it.
fn strip_timestamp(t: &str) -> &str {
    let b = t.as_bytes();
    let digits = |from: usize, n: usize| {
        b.len() >= from + n && b[from..from + n].iter().all(u8::is_ascii_digit)
    };
    let mut i = 0;
    if digits(0, 4)
        && b.get(4) == Some(&b'-')
        && digits(5, 2)
        && b.get(7) == Some(&b'-')
        && digits(8, 2)
    {
        i = 10;
        if matches!(b.get(i), Some(b' ' | b'T')) {
            i += 1;
        }
    }
    if digits(i, 2) && b.get(i + 2) == Some(&b':') && digits(i + 3, 2) {
        i += 5;
        if b.get(i) == Some(&b':') && digits(i + 1, 2) {
            i += 3;
        }
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if b.get(i) == Some(&b'Z') {
            i += 1;
        }
    } else if i == 0 {
        return t;
    }
    // Only a stamp followed by a space is a logger's (not `12:30pm`, not a bare stamp).
    if matches!(b.get(i), Some(b' ' | b'\t')) {
        t[i..]
            .trim_start_matches([' ', '\t', '-', '|'])
            .trim_start()
    } else {
        t
    }
}

/// Box-drawing characters that frame a hint box.
const BOX_CHARS: &[char] = &[
    '╔', '╗', '╚', '╝', '║', '═', '╟', '╢', '─', '┌', '┐', '└', '┘', '│', '├', '┤',
];

/// The text inside a hint box's line, without its frame.
fn box_text(t: &str) -> &str {
    t.trim_matches(|c: char| BOX_CHARS.contains(&c) || c.is_whitespace())
}

/// The bottom line of a box.
fn is_box_bottom(t: &str) -> bool {
    t.starts_with(['╚', '└'])
}

fn is_box(t: &str) -> bool {
    t.starts_with(['╔', '║', '╚', '╟', '┌', '│', '└'])
}

fn is_marker_only(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| matches!(c, '^' | '~' | ' '))
}

/// Removes `(Session info: …)`, `(Driver info: …)` and `; For documentation on this error,
/// please visit: URL` from inside a line.
fn strip_inline_trailers(line: &str) -> Cow<'_, str> {
    // Both need a byte that most lines lack; look for it first.
    let info = memchr::memchr(b':', line.as_bytes()).is_some() && has(&INFO, line);
    let documentation =
        memchr::memchr(b'F', line.as_bytes()).is_some() && has(&DOCUMENTATION, line);
    if !info && !documentation {
        return Cow::Borrowed(line.trim());
    }
    let mut s = Cow::Borrowed(line);
    for open in ["(Session info:", "(Driver info:"] {
        while let Some(start) = s.find(open) {
            let mut depth = 0usize;
            let mut end = s.len();
            for (k, c) in s[start..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = start + k + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut owned = s.into_owned();
            owned.replace_range(start..end, "");
            s = Cow::Owned(owned);
        }
    }
    if let Some(start) = s.find("For documentation on this error") {
        let cut = s[..start].trim_end().trim_end_matches(';').len();
        let mut owned = s.into_owned();
        owned.truncate(cut);
        s = Cow::Owned(owned);
    }
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
    }
}

/// Tells whether a line is of one kind of noise.
type IsNoise = fn(&str) -> bool;

/// Lines of a known kind of noise, each with the name it is noted under.
const NOISE: &[(IsNoise, &str)] = &[
    (is_native_frame, "driver stack trace"),
    (is_trailer, "driver info"),
    (is_code_frame, "code frame"),
    (is_title, "test title"),
    (is_rspec_source, "code frame"),
];

/// Splits `text` into message lines and set-aside noise.
pub(crate) fn scan(text: &str) -> Scan<'_> {
    let mut content: Vec<Cow<'_, str>> = Vec::new();
    let mut call_log = Vec::new();
    let mut dropped = Vec::new();
    let mut head_start = 0;
    let mut in_call_log = false;
    let mut in_logs_block = false;
    let mut python_source_indent: Option<usize> = None;
    let mut kept = false;
    let mut in_box_message = false;
    let mut boxed: Vec<&str> = Vec::new();
    let mut quiet: Vec<&str> = Vec::new();
    let mut from = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    for end in ends {
        // The pieces `text.split('\n')` gives.
        let raw = &text[from..end];
        from = end + 1;
        let line = raw.trim_end_matches('\r');
        let t = line.trim();
        // Whether the line before this one was kept as a message line.
        let last_kept = std::mem::take(&mut kept);
        if t.is_empty() {
            in_call_log = false;
            python_source_indent = None;
            continue;
        }
        if in_logs_block {
            if t.starts_with("====") {
                in_logs_block = false;
            } else {
                call_log.push(t);
            }
            continue;
        }
        if t.starts_with("====") && t.contains(" logs ") {
            in_logs_block = true;
            note(&mut dropped, "call log");
            continue;
        }
        if t.starts_with("Call log:") {
            in_call_log = true;
            note(&mut dropped, "call log");
            continue;
        }
        if in_call_log {
            if t.starts_with('-') {
                call_log.push(t);
                continue;
            }
            in_call_log = false;
        }
        if let Some(indent) = python_source_indent {
            if indentation(line) > indent && !is_python_frame(t) {
                continue;
            }
            python_source_indent = None;
        }
        if t.starts_with("Traceback (most recent call last)") {
            note(&mut dropped, "traceback");
            head_start = content.len();
            continue;
        }
        if is_python_frame(t) {
            note(&mut dropped, "traceback");
            python_source_indent = Some(indentation(line));
            head_start = content.len();
            continue;
        }
        if is_marker_only(t) {
            // A caret under the line before: that line echoed source code, and a location
            // line may name where it came from.
            if last_kept && !content.is_empty() {
                content.pop();
                if content.last().is_some_and(|l| is_location(l)) {
                    content.pop();
                }
                note(&mut dropped, "code frame");
            }
            continue;
        }
        if is_stack_frame(t) {
            note(&mut dropped, "stack trace");
            continue;
        }
        if matches!(
            t,
            "Stacktrace:"
                | "Backtrace:"
                | "Stack trace:"
                | "Stack Trace:"
                | "Stacktrace"
                | "stack trace:"
        ) {
            note(&mut dropped, "driver stack trace");
            continue;
        }
        if let Some((_, kind)) = NOISE.iter().find(|(is, _)| is(t)) {
            note(&mut dropped, kind);
            continue;
        }
        if is_box(t) {
            // A box right after a line that asks for more (`browserType.launch:`) says what
            // went wrong; any other box is a hint, kept only in case nothing else is said.
            let says = box_text(t);
            let asked = last_kept && content.last().is_some_and(|l| l.ends_with(':'));
            in_box_message = (in_box_message || asked) && !is_box_bottom(t);
            if in_box_message && !says.is_empty() {
                content.push(Cow::Borrowed(says));
                kept = true;
            } else if !says.is_empty() {
                boxed.push(says);
            }
            note(&mut dropped, "hint box");
            continue;
        }
        in_box_message = false;
        // Box-drawing decoration (install hints) ends what the line says.
        // All three start with the byte 0xE2 in UTF-8.
        let cut = match memchr::memchr(0xE2, t.as_bytes()) {
            Some(_) => t.find(['╔', '║', '╚']),
            None => None,
        };
        let t = match cut {
            Some(cut) if cut > 0 => t[..cut].trim_end(),
            _ => t,
        };
        let logged = t;
        let t = strip_log_prefix(logged);
        if is_quiet(&logged[..logged.len() - t.len()]) || is_section_header(t) {
            // Logged at a level that reports progress, not failure.
            quiet.push(t);
            note(&mut dropped, "log lines");
            continue;
        }
        let stripped = strip_inline_trailers(t);
        if stripped.len() != t.len() {
            note(&mut dropped, "driver info");
        }
        if !stripped.is_empty() {
            content.push(stripped);
            kept = true;
        }
    }
    if content.is_empty() {
        content.extend(boxed.into_iter().map(Cow::Borrowed));
    }
    if content.is_empty() {
        content.extend(quiet.into_iter().map(Cow::Borrowed));
    }
    if head_start >= content.len() {
        head_start = 0;
    }
    Scan {
        content,
        head_start,
        call_log,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn drops_python_traceback_and_starts_head_after_it() {
        let s = scan(
            "INFO starting\nTraceback (most recent call last):\n  File \"a.py\", line 3, in <module>\n    driver.get(x)\n    ^^^^^^^^^^\nselenium.common.exceptions.TimeoutException: Message: \nStacktrace:\n#0 0x55d1 <unknown>",
        );
        assert_eq!(
            s.content,
            ["selenium.common.exceptions.TimeoutException: Message:"]
        );
        assert_eq!(s.head_start, 0);
        assert_eq!(s.dropped, ["log lines", "traceback", "driver stack trace"]);
    }

    #[test]
    fn drops_selenium_trailers_inline_and_on_their_own_lines() {
        let s = scan("stale element reference: element is not attached  (Session info: chrome=80.0.3987.122); For documentation on this error, please visit: https://x\nBuild info: version: '3.141.59'\nSystem info: host: 'x'\n\tGetHandleVerifier [0x00F4A813+48355]\n\tat org.openqa.Foo.bar(Foo.java:12)");
        assert_eq!(
            s.content,
            ["stale element reference: element is not attached"]
        );
        assert_eq!(
            s.dropped,
            ["driver info", "driver stack trace", "stack trace"]
        );
    }

    #[test]
    fn loggers_prefixes_are_not_part_of_the_message() {
        use super::strip_log_prefix;
        for (line, message) in [
            ("[INF] Current version", "Current version"),
            ("[20:53:36 WARNING] boom: Message: x", "boom: Message: x"),
            (
                "[186875:186875:0318/202225.133327:ERROR:ozone_platform_x11.cc(234)] Missing X server",
                "Missing X server",
            ),
            ("[1234][SEVERE]: Timed out receiving message", "Timed out receiving message"),
            (
                "2025-03-20 15:22:19,532 - browser_use.browser - ERROR - Failed to start",
                "Failed to start",
            ),
            ("19:09:31.179 WARNING - Unable to evaluate script", "Unable to evaluate script"),
            ("2024-05-01T10:00:00.123Z ERROR boom", "boom"),
            // Not a logger's: kept whole.
            ("[data-test=submit] not found", "[data-test=submit] not found"),
            ("[chromium]", "[chromium]"),
            ("Error: boom", "Error: boom"),
            ("10 elements", "10 elements"),
        ] {
            assert_eq!(strip_log_prefix(line), message, "{line}");
        }
    }

    #[test]
    fn source_echoes_titles_and_rspec_source_lines_are_dropped() {
        let s = scan("/app/node_modules/x/lib/a.js:337\n            throw new Error('boom');\n            ^\n\nError: boom\n    at f (/app/a.js:1:2)");
        assert_eq!(s.content, ["Error: boom"]);
        let s = scan("  1) [chromium] › tests/a.spec.ts:3:1 › suite › title ──────────\n    Error: boom\n    Retry #1 ──────────────────────");
        assert_eq!(s.content, ["Error: boom"]);
        assert_eq!(s.dropped, ["test title"]);
        let s = scan("1.1) Failure/Error: visit root_path\n  Selenium::WebDriver::Error::UnknownError:\n    unknown error: session deleted");
        assert_eq!(
            s.content,
            [
                "Selenium::WebDriver::Error::UnknownError:",
                "unknown error: session deleted"
            ]
        );
    }

    #[test]
    fn sets_playwright_call_log_aside_and_drops_code_frames() {
        let s = scan("TimeoutError: locator.click: Timeout 3000ms exceeded.\nCall log:\n  - waiting for getByText('Go')\n    - <div class=\"o\"></div> intercepts pointer events\n\n  4 | test('x', async () => {\n> 6 |   await page.click('x');\n    |              ^\n    at /home/t/example.spec.js:6:39");
        assert_eq!(
            s.content,
            ["TimeoutError: locator.click: Timeout 3000ms exceeded."]
        );
        assert_eq!(s.call_log.len(), 2);
        assert_eq!(s.dropped, ["call log", "code frame", "stack trace"]);
    }
}

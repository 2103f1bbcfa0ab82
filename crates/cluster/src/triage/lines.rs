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

/// Splits `text` into message lines and set-aside noise.
pub(crate) fn scan(text: &str) -> Scan<'_> {
    let mut content: Vec<Cow<'_, str>> = Vec::new();
    let mut call_log = Vec::new();
    let mut dropped = Vec::new();
    let mut head_start = 0;
    let mut in_call_log = false;
    let mut in_logs_block = false;
    let mut python_source_indent: Option<usize> = None;
    let mut from = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    for end in ends {
        // The pieces `text.split('\n')` gives.
        let raw = &text[from..end];
        from = end + 1;
        let line = raw.trim_end_matches('\r');
        let t = line.trim();
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
        if is_native_frame(t) {
            note(&mut dropped, "driver stack trace");
            continue;
        }
        if is_trailer(t) {
            note(&mut dropped, "driver info");
            continue;
        }
        if is_code_frame(t) {
            note(&mut dropped, "code frame");
            continue;
        }
        if is_box(t) {
            note(&mut dropped, "hint box");
            continue;
        }
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
        let stripped = strip_inline_trailers(t);
        if stripped.len() != t.len() {
            note(&mut dropped, "driver info");
        }
        if !stripped.is_empty() {
            content.push(stripped);
        }
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
            [
                "INFO starting",
                "selenium.common.exceptions.TimeoutException: Message:"
            ]
        );
        assert_eq!(s.head_start, 1);
        assert_eq!(s.dropped, ["traceback", "driver stack trace"]);
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

//! The default rules: a signature per *cause*, for the failures of Selenium, chromedriver,
//! Playwright, Puppeteer, Cypress and webrunner itself.
//!
//! How a message becomes a signature:
//! 1. Noise is set aside ([`lines`]): stack frames, tracebacks, native backtraces, driver
//!    trailers, code frames and source lines echoed above a caret, test titles, RSpec's
//!    `Failure/Error:` source lines, loggers' prefixes (and lines logged at a progress
//!    level), ANSI colours, webrunner's `(failure screenshot: …)`. Hint boxes are set aside
//!    too, unless the line before asks for them or nothing else is left.
//! 2. The head is the first message line (after a traceback, the line that follows it; when
//!    that line names no error, a close line that does), continued while it ends with `:` or
//!    the next line is only a value (a URL, an element).
//! 3. Exception types (`selenium.common.exceptions.X:`, `Error:`, `Message:`) are peeled off;
//!    a WebDriver error code (W3C, plus chromedriver's legacy wordings) is recognised, at
//!    the start of the head or after a wrapper's words and a colon. A
//!    specific code (`no such element`, `stale element reference`, …) *is* the cause; a
//!    generic one (`unknown error`, `timeout`, `session not created`, …) keeps its detail.
//! 4. The detail is parameterised ([`tokens`]) and an API receiver (`page.`, `locator.`) is
//!    dropped, so `page.click` and `locator.click` agree; so is the CDP call named by
//!    `Protocol error (Domain.method):`, and a browser, target or session closed under it
//!    is one cause.
//! 5. Cause markers found outside the head are appended: network error codes
//!    (`net::ERR_…`, `ECONNREFUSED`, `NS_ERROR_…`), HTTP statuses with a reason phrase, and
//!    the actionability state of a Playwright call log (`intercepts pointer events`, …).
//!
//! Clusters are keyed by the *set* of the signature's words (placeholders, units and filler
//! words left out), so word order, repeated words and `after 4000ms`-style fillers that
//! vary between versions of one tool do not split a cause.

mod lines;
mod tokens;

use std::rc::Rc;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use tokens::Pieces;

use crate::memo::Memo;

/// True when `hay` contains the needle of `finder` (searchers for fixed phrases are built
/// once: building one per search costs more than searching a short line).
fn has(finder: &Finder<'_>, hay: &str) -> bool {
    finder.find(hay.as_bytes()).is_some()
}

/// Searchers for the needles of a phrase table.
fn finders(needles: impl Iterator<Item = &'static str>) -> Vec<Finder<'static>> {
    needles.map(Finder::new).collect()
}

static LEGACY_FINDERS: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| finders(LEGACY_PHRASES.iter().map(|(p, _)| *p)));
static LEGACY_WORDS: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| {
    let words = ["element", "clickable", "obscures", "attached"];
    debug_assert!(LEGACY_PHRASES
        .iter()
        .all(|(p, _)| words.iter().any(|w| p.contains(w))));
    finders(words.into_iter())
});
static CALL_LOG_FINDERS: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| finders(CALL_LOG_STATES.iter().map(|(p, _)| *p)));
static ELEMENT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("element"));
static INTERCEPTS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("intercepts"));
static SCREENSHOT_NOTE: LazyLock<memchr::memmem::FinderRev<'static>> =
    LazyLock::new(|| memchr::memmem::FinderRev::new(" (failure screenshot: "));
static PROTOCOL_ERROR: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new("protocol error ("));
static NET_ERR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("net::ERR_"));
static NS_ERROR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("NS_ERROR_"));

/// One replaced token: its placeholder and the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    /// The placeholder, e.g. `<N>`.
    pub placeholder: &'static str,
    /// The text it replaced.
    pub original: String,
}

/// How the default rules read one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The signature (lower-case text with upper-case placeholders).
    pub signature: String,
    /// The grouping key: the signature's distinct words, sorted.
    pub key: String,
    /// Every replaced token, in order.
    pub substitutions: Vec<Substitution>,
    /// The kinds of lines left out (`stack trace`, `driver info`, `call log`, …).
    pub dropped: Vec<&'static str>,
}

/// W3C WebDriver error codes whose name alone identifies the cause.
const SPECIFIC_CODES: &[&str] = &[
    "element click intercepted",
    "element not interactable",
    "insecure certificate",
    "invalid cookie domain",
    "invalid element state",
    "invalid selector",
    "invalid session id",
    "move target out of bounds",
    "no such alert",
    "no such cookie",
    "no such element",
    "no such frame",
    "no such shadow root",
    "no such window",
    "stale element reference",
    "detached shadow root",
    "unable to set cookie",
    "unexpected alert open",
    "chrome not reachable",
];

/// Error codes that need their detail to tell causes apart.
const GENERIC_CODES: &[&str] = &[
    "unknown error",
    "unknown command",
    "unknown method",
    "unsupported operation",
    "session not created",
    "script timeout",
    "timeout",
    "javascript error",
    "invalid argument",
    "unable to capture screen",
    "disconnected",
];

/// Exception class stems that name a specific code differently from the code itself.
const CLASS_ALIASES: &[(&str, &str)] = &[
    ("unexpectedalertpresent", "unexpected alert open"),
    ("noalertpresent", "no such alert"),
    ("elementnotvisible", "element not interactable"),
];

/// Older driver wordings of specific codes.
const LEGACY_PHRASES: &[(&str, &str)] = &[
    ("element not visible", "element not interactable"),
    ("is not clickable at point", "element click intercepted"),
    (
        "other element would receive the click",
        "element click intercepted",
    ),
    ("obscures it", "element click intercepted"),
    (
        "element is not attached to the page document",
        "stale element reference",
    ),
    ("no longer attached to the dom", "stale element reference"),
    ("stale element not found", "stale element reference"),
    ("unable to locate element", "no such element"),
];

/// Playwright call-log states that say why an action could not proceed.
const CALL_LOG_STATES: &[(&str, &str)] = &[
    ("intercepts pointer events", "intercepts pointer events"),
    ("element is not visible", "element is not visible"),
    ("element is not enabled", "element is not enabled"),
    ("element is disabled", "element is not enabled"),
    ("element is not editable", "element is not editable"),
    ("element is not stable", "element is not stable"),
    (
        "outside of the viewport",
        "element is outside of the viewport",
    ),
    ("element is not attached", "element is not attached"),
    ("element was detached", "element is not attached"),
];

/// Node.js / libuv error names that identify a network or file-system cause.
const ERRNO_CODES: &[&str] = &[
    "ECONNREFUSED",
    "ECONNRESET",
    "ENOTFOUND",
    "ETIMEDOUT",
    "EAI_AGAIN",
    "EPIPE",
    "EACCES",
    "ENOENT",
    "EADDRINUSE",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ECONNABORTED",
    "EPERM",
    "ENOSPC",
    "EMFILE",
];

/// HTTP reason phrases that make a preceding 4xx/5xx number a status.
const REASONS: &[&str] = &[
    "bad request",
    "unauthorized",
    "forbidden",
    "not found",
    "method not allowed",
    "request timeout",
    "conflict",
    "too many requests",
    "internal server error",
    "bad gateway",
    "service unavailable",
    "gateway timeout",
];

/// Words that carry no cause (durations' prepositions and units, articles).
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "of"
            | "after"
            | "for"
            | "in"
            | "at"
            | "on"
            | "with"
            | "by"
            | "from"
            | "within"
            | "while"
            | "ms"
            | "s"
            | "sec"
            | "secs"
            | "second"
            | "seconds"
            | "second(s)"
            | "millisecond"
            | "milliseconds"
            | "minute"
            | "minutes"
            | "px"
    )
}

/// A message as the default rules read it, with replaced tokens kept in one buffer.
#[derive(Clone)]
pub(crate) struct Reading {
    pub(crate) signature: String,
    pub(crate) key: String,
    /// The replaced tokens, one after another.
    pub(crate) originals: String,
    /// Per replaced token: its placeholder and byte range in `originals`.
    pub(crate) spans: Vec<(&'static str, u32, u32)>,
    pub(crate) dropped: Vec<&'static str>,
}

/// Reads `message` with the default rules: signature, grouping key and what was replaced.
pub fn explain(message: &str) -> Explanation {
    let r = read(message);
    Explanation {
        substitutions: r
            .spans
            .iter()
            .map(|&(placeholder, a, b)| Substitution {
                placeholder,
                original: r.originals[a as usize..b as usize].to_string(),
            })
            .collect(),
        signature: r.signature,
        key: r.key,
        dropped: r.dropped,
    }
}

/// Collects the replaced tokens of the head's pieces.
#[derive(Default)]
struct Replacements {
    originals: String,
    spans: Vec<(&'static str, u32, u32)>,
}

impl Replacements {
    fn extend(&mut self, p: &tokens::Parameterised) {
        let base = self.originals.len() as u32;
        self.originals.push_str(&p.originals);
        self.spans
            .extend(p.spans.iter().map(|&(ph, a, b)| (ph, a + base, b + base)));
    }
}

/// The work behind [`explain`].
pub(crate) fn read(message: &str) -> Reading {
    let reading = read_with(message, &mut Known::default());
    Rc::try_unwrap(reading).unwrap_or_else(|shared| (*shared).clone())
}

/// What a run of [`read_with`] calls remembers: the readings of messages whose kept lines
/// were seen before (occurrences of one failure often differ only in what the rules drop:
/// stack frames, session info, driver build), and the head pieces already parameterised.
#[derive(Default)]
pub(crate) struct Known {
    readings: Memo<Rc<Reading>>,
    /// The key of the message being read, built in place.
    key: String,
    parts: Parts,
}

/// What [`read_scan`] remembers: head pieces already parameterised, and the grouping keys of
/// signatures already seen (one cause's occurrences mostly share their signature).
#[derive(Default)]
struct Parts {
    pieces: Pieces,
    keys: Memo<Rc<str>>,
}

impl Parts {
    /// [`key_of`] `signature`, from the keys seen before when it is one of them.
    fn key_of(&mut self, signature: &str) -> String {
        self.keys
            .get_or_make(signature, || key_of(signature).into())
            .to_string()
    }
}

impl Known {
    /// Writes into `self.key` everything of `scan` the reading depends on: the kept lines,
    /// where the head starts, the call log and what was dropped. No piece is empty or holds
    /// a line break, so pieces joined by `\n` and parts by `\n\n` spell each scan once.
    fn key_of(&mut self, scan: &lines::Scan<'_>, dropped: &[&str]) {
        fn join<'p>(key: &mut String, parts: impl Iterator<Item = &'p str>) {
            for (n, part) in parts.enumerate() {
                if n > 0 {
                    key.push('\n');
                }
                key.push_str(part);
            }
            key.push_str("\n\n");
        }
        let key = &mut self.key;
        key.clear();
        join(key, scan.content.iter().map(|c| &**c));
        join(key, std::iter::once(scan.head_start.to_string().as_str()));
        join(key, scan.call_log.iter().copied());
        join(key, dropped.iter().copied());
    }
}

/// [`read`], reusing what `known` remembers.
pub(crate) fn read_with(message: &str, known: &mut Known) -> Rc<Reading> {
    let mut dropped: Vec<&'static str> = Vec::new();
    let without_ansi = strip_ansi(message);
    let text = strip_screenshot_note(&without_ansi, &mut dropped);
    let scan = lines::scan(text);
    for d in &scan.dropped {
        if !dropped.contains(d) {
            dropped.push(d);
        }
    }
    if scan.content.is_empty() {
        let signature = if message.trim().is_empty() {
            String::new()
        } else {
            NO_MESSAGE.to_string()
        };
        let reading = finish(
            signature,
            Replacements::default(),
            dropped,
            &mut known.parts,
        );
        return Rc::new(reading);
    }
    known.key_of(&scan, &dropped);
    let Known {
        readings,
        key,
        parts,
    } = known;
    readings.get_or_make(key, || Rc::new(read_scan(&scan, dropped, parts)))
}

/// The reading of a message with kept lines, from its scan.
fn read_scan(scan: &lines::Scan<'_>, dropped: Vec<&'static str>, known: &mut Parts) -> Reading {
    let mut substitutions = Replacements::default();
    let content = &scan.content;
    // The head: first line after any traceback, continued while it asks for more.
    let mut index = scan.head_start;
    // Test-runner titles (`1) suite title`) and log lines can precede the error: a line that
    // starts with an exception type, else one that names a type and what went wrong after
    // it, is the head.
    if !starts_with_type(&content[index]) && !names_an_error(&content[index]) {
        let near = index + 1..content.len().min(index + 6);
        if let Some(k) = near
            .clone()
            .find(|&k| starts_with_type(&content[k]))
            .or_else(|| near.clone().find(|&k| names_an_error(&content[k])))
        {
            index = k;
        }
    }
    let (mut exception_type, first_detail) = peel_exception_type(&content[index]);
    let mut head_raw = String::with_capacity(first_detail.len() * 2);
    head_raw.push_str(first_detail);
    let mut pieces = vec![known.pieces.parameterise(first_detail)];
    index += 1;
    // A bare type line (`WebDriverException`) followed by its message.
    if head_raw.is_empty()
        && index < content.len()
        && exception_type.is_none()
        && is_type_name(content[index - 1].trim())
    {
        exception_type = Some(
            content[index - 1]
                .trim()
                .rsplit('.')
                .next()
                .unwrap_or("")
                .to_string(),
        );
    }
    if head_raw.is_empty() && index < content.len() {
        let (ty, detail) = peel_exception_type(&content[index]);
        if exception_type.is_none() {
            exception_type = ty;
        }
        head_raw = detail.to_string();
        pieces = vec![known.pieces.parameterise(detail)];
        index += 1;
    }
    while index < content.len() && pieces.len() < 4 {
        let last = &pieces[pieces.len() - 1].text;
        let end = head_raw.trim_end();
        let wants_more = (end.ends_with(':') || end.ends_with('!') || !has_word(last))
            && !is_list_item(&content[index]);
        if !wants_more {
            break;
        }
        head_raw.push(' ');
        head_raw.push_str(&content[index]);
        pieces.push(known.pieces.parameterise(&content[index]));
        index += 1;
    }
    let head_lower = head_raw.to_lowercase();
    let mut detail = String::with_capacity(head_raw.len() + 16);
    for p in pieces {
        if !detail.is_empty() && !p.text.is_empty() {
            detail.push(' ');
        }
        detail.push_str(&p.text);
        substitutions.extend(&p);
    }
    let detail = strip_protocol_call(strip_retry_prefix(&detail));
    let code = error_code(&head_lower, exception_type.as_deref());
    let mut signature = match code {
        Some((code, true)) => code.to_string(),
        Some((code, false)) => {
            let rest = strip_code_prefix(&detail, code);
            if rest.is_empty() {
                code.to_string()
            } else {
                format!("{code}: {}", drop_receiver(rest))
            }
        }
        None => {
            let d = drop_receiver(&detail).to_string();
            match &exception_type {
                Some(ty) if !has_word(&d) => {
                    if d.is_empty() {
                        ty.to_lowercase()
                    } else {
                        format!("{}: {d}", ty.to_lowercase())
                    }
                }
                _ => d,
            }
        }
    };
    // Cause markers outside the head.
    let mut markers: Vec<String> = Vec::new();
    for line in &scan.call_log {
        if !(has(&ELEMENT, line) || has(&INTERCEPTS, line)) {
            continue;
        }
        let lower = line.to_lowercase();
        for ((_, state), needle) in CALL_LOG_STATES.iter().zip(CALL_LOG_FINDERS.iter()) {
            if has(needle, &lower) && !markers.iter().any(|m| m == state) {
                markers.push((*state).to_string());
            }
        }
    }
    let rest_lines = content[..scan.head_start]
        .iter()
        .chain(content[index..].iter());
    for line in rest_lines {
        for m in line_markers(line) {
            if !markers.contains(&m) {
                markers.push(m);
            }
        }
    }
    signature = trim_sentence_end(&signature).to_string();
    // A network failure is grouped by its network cause.
    let network = line_markers(&head_raw)
        .into_iter()
        .chain(markers.iter().cloned())
        .find_map(|m| network_cause(&m));
    if let Some(cause) = network {
        let mut dropped = dropped;
        dropped.push("wording around the network error");
        let signature = format!("network error: {cause}");
        return finish(signature, substitutions, dropped, known);
    }
    // A call log's actionability state already says which action waited: `click: timeout`
    // and a bare `timeout` (older Playwright) are the same failure.
    if markers
        .iter()
        .any(|m| CALL_LOG_STATES.iter().any(|(_, state)| state == m))
    {
        if let Some((method, rest)) = signature.split_once(": ") {
            if !method.is_empty()
                && method
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && rest.starts_with("timeout")
            {
                signature = rest.to_string();
            }
        }
    }
    for m in markers {
        if !signature.contains(&m) {
            signature.push_str(" [");
            signature.push_str(&m);
            signature.push(']');
        }
    }
    // Only wrapper words (`Message:`) and no text of its own: still a signature.
    if trim_sentence_end(&signature).is_empty() {
        signature = NO_MESSAGE.to_string();
    }
    finish(signature, substitutions, dropped, known)
}

/// The signature of a message with no words of its own.
const NO_MESSAGE: &str = "<no message>";

fn trim_sentence_end(s: &str) -> &str {
    s.trim().trim_end_matches(['.', ':', ',', ';']).trim()
}

fn finish(
    signature: String,
    substitutions: Replacements,
    dropped: Vec<&'static str>,
    known: &mut Parts,
) -> Reading {
    let signature = trim_sentence_end(&signature).to_string();
    let key = known.key_of(&signature);
    Reading {
        signature,
        key,
        originals: substitutions.originals,
        spans: substitutions.spans,
        dropped,
    }
}

/// The grouping key: distinct words of the signature, sorted; placeholders, units and
/// filler words left out. Falls back to the signature when no word is left.
fn key_of(signature: &str) -> String {
    let mut words: Vec<&str> = Vec::with_capacity(16);
    if signature.is_ascii() {
        // The same split, without decoding characters.
        let mut start = 0;
        for (end, &b) in signature.as_bytes().iter().enumerate() {
            if is_key_separator(char::from(b)) {
                words.extend(ascii_key_word(&signature[start..end]));
                start = end + 1;
            }
        }
        words.extend(ascii_key_word(&signature[start..]));
    } else {
        words.extend(signature.split(is_key_separator).filter_map(key_word));
    }
    if words.is_empty() {
        return signature.to_string();
    }
    words.sort_unstable();
    words.dedup();
    words.join(" ")
}

/// What separates the words of a signature.
fn is_key_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']' | '!' | '?' | '"')
}

/// The key word `raw` (a piece between separators) contributes, if any: none for a
/// placeholder (possibly with a unit glued to it, `<N>ms`), a filler word or punctuation.
fn key_word(raw: &str) -> Option<&str> {
    let p = raw.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '<');
    if p.starts_with('<')
        && p.contains('>')
        && p.chars().nth(1).is_some_and(|c| c.is_ascii_uppercase())
    {
        return None;
    }
    let w = raw
        .trim_matches(|c: char| matches!(c, '.' | ':' | '-' | '>' | '<' | '=' | '\'' | '/' | '`'));
    if w.is_empty() || is_filler(w) || w.chars().all(|c| !c.is_alphanumeric()) {
        return None;
    }
    Some(w)
}

/// [`key_word`] for an ASCII piece, without decoding characters.
fn ascii_key_word(raw: &str) -> Option<&str> {
    let b = raw.as_bytes();
    let lead = b
        .iter()
        .position(|&c| c.is_ascii_alphanumeric() || c == b'<')
        .unwrap_or(b.len());
    let p = &b[lead..];
    if p.first() == Some(&b'<')
        && p.get(1).is_some_and(u8::is_ascii_uppercase)
        && memchr::memchr(b'>', p).is_some()
    {
        return None;
    }
    let trimmed = |c: &u8| {
        matches!(
            c,
            b'.' | b':' | b'-' | b'>' | b'<' | b'=' | b'\'' | b'/' | b'`'
        )
    };
    let start = b.iter().position(|c| !trimmed(c))?;
    let end = b.iter().rposition(|c| !trimmed(c)).map_or(start, |e| e + 1);
    let w = &raw[start..end];
    if is_filler(w) || !w.bytes().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(w)
}

/// `1) …`, `- …`, `* …`: an item of a list that details the line before it.
fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && matches!(t.as_bytes().get(digits), Some(b')' | b'.')))
        || t.starts_with("- ")
        || t.starts_with("* ")
}

/// True when `text` has a word of two or more letters outside placeholders.
fn has_word(text: &str) -> bool {
    let mut run = 0;
    let mut in_placeholder = false;
    for c in text.chars() {
        match c {
            '<' => {
                in_placeholder = true;
                run = 0;
            }
            '>' if in_placeholder => in_placeholder = false,
            c if !in_placeholder && c.is_alphabetic() => {
                run += 1;
                if run >= 2 {
                    return true;
                }
            }
            _ => run = 0,
        }
    }
    false
}

/// Removes ANSI escape sequences (`ESC [ … letter`).
fn strip_ansi(s: &str) -> std::borrow::Cow<'_, str> {
    if memchr::memchr(0x1b, s.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// Cuts webrunner's ` (failure screenshot: PATH)` note off the end.
fn strip_screenshot_note<'a>(s: &'a str, dropped: &mut Vec<&'static str>) -> &'a str {
    let trimmed = s.trim_end();
    if trimmed.ends_with(')') {
        if let Some(start) = SCREENSHOT_NOTE.rfind(trimmed.as_bytes()) {
            dropped.push("failure screenshot");
            return &trimmed[..start];
        }
    }
    s
}

/// True when `s` ends like an exception type: `Error`, `Exception`, `Failure`, `Fault` or
/// `Message` (none holds a `.`, so this is also how the last dotted part ends).
fn has_type_suffix(s: &str) -> bool {
    let b = s.as_bytes();
    match b.last() {
        Some(b'r') => b.ends_with(b"Error"),
        Some(b'n') => b.ends_with(b"Exception"),
        Some(b'e') => b.ends_with(b"Failure") || b.ends_with(b"Message"),
        Some(b't') => b.ends_with(b"Fault"),
        _ => false,
    }
}

fn is_type_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 120 || !has_type_suffix(name) {
        return false;
    }
    let last = name.rsplit('.').next().unwrap_or(name);
    let starts_upper = last.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    // `Message` only as the whole name (`ErrorMessage:` names no type).
    starts_upper
        && (!last.ends_with("Message") || last == "Message")
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
}

/// Where the last `SomeError:` of `line` ends, and the last type named there other than
/// `Message` (without package). Wrappers put their own words before the tool's error
/// (`start() Exception: TimeoutError: …`): the last type starts what the tool said.
fn last_type_colon(line: &str) -> Option<(usize, Option<&str>)> {
    let mut found = None;
    let mut last_type = None;
    for colon in memchr::memchr_iter(b':', line.as_bytes()) {
        if line[colon..].starts_with("::") || (colon > 0 && line[..colon].ends_with(':')) {
            continue;
        }
        let before = line[..colon].trim_end();
        if !has_type_suffix(before) {
            continue;
        }
        let start = before
            .bytes()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$')))
            .map_or(0, |p| p + 1);
        let name = &before[start..];
        if is_type_name(name) {
            let last = name.rsplit('.').next().unwrap_or(name);
            if last != "Message" {
                last_type = Some(last);
            }
            found = Some(colon + 1);
        }
    }
    found.map(|after| (after, last_type))
}

/// True when `line` names an error type followed by what went wrong (`… Error: text`),
/// wherever in the line the type stands.
fn names_an_error(line: &str) -> bool {
    let line = line.trim();
    last_type_colon(line).is_some_and(|(after, _)| has_word(&line[after..]))
}

/// Peels `Uncaught `, `Exception in thread "main" `, `pkg.SomeError: `, `Message: ` off the
/// front of `line`; returns the last exception type seen (without package) and the rest.
fn peel_exception_type(line: &str) -> (Option<String>, &str) {
    let mut rest = line.trim();
    let mut ty: Option<String> = None;
    if let Some((after, last_type)) = last_type_colon(rest) {
        ty = last_type.map(str::to_string);
        rest = rest[after..].trim_start();
    }
    loop {
        let before = rest;
        for prefix in [
            "Uncaught ",
            "Unhandled ",
            "Message:",
            "Error {",
            "message='",
            "E   ",
        ] {
            if let Some(r) = rest.strip_prefix(prefix) {
                rest = r.trim_start();
            }
        }
        if rest == before {
            break;
        }
    }
    (ty, rest)
}

/// True when `line` starts with an exception type and a colon (`TypeError: …`).
fn starts_with_type(line: &str) -> bool {
    let t = line.trim_start();
    match t.find(':') {
        Some(colon) => is_type_name(t[..colon].trim_end()),
        None => false,
    }
}

/// The WebDriver error code of a head: `(code, is_specific)`.
fn error_code(head_lower: &str, exception_type: Option<&str>) -> Option<(&'static str, bool)> {
    for code in SPECIFIC_CODES {
        if starts_with_code(head_lower, code) {
            return Some((code, true));
        }
    }
    if let Some(ty) = exception_type {
        let mut stem = ty;
        while let Some(s) = stem.strip_suffix("Exception") {
            stem = s;
        }
        while let Some(s) = stem.strip_suffix("Error") {
            stem = s;
        }
        let same = |name: &str| {
            name.bytes()
                .filter(|b| *b != b' ')
                .eq(stem.bytes().map(|b| b.to_ascii_lowercase()))
        };
        if let Some(code) = SPECIFIC_CODES.iter().find(|c| same(c)) {
            return Some((code, true));
        }
        if let Some((_, code)) = CLASS_ALIASES.iter().find(|(alias, _)| same(alias)) {
            return Some((code, true));
        }
    }
    let generic = GENERIC_CODES
        .iter()
        .find(|c| starts_with_code(head_lower, c))
        .copied();
    if generic.is_none() {
        // A wrapper's words before the driver's: `unable to evaluate script: unexpected alert
        // open`.
        for (colon, _) in head_lower.match_indices(": ").take(3) {
            let rest = &head_lower[colon + 2..];
            if let Some(code) = SPECIFIC_CODES.iter().find(|c| starts_with_code(rest, c)) {
                return Some((code, true));
            }
        }
    }
    if generic.is_none() || generic == Some("unknown error") {
        // Every legacy phrase holds one of these words: without them, none can match.
        let candidate = LEGACY_WORDS.iter().any(|w| has(w, head_lower));
        for ((_, code), phrase) in LEGACY_PHRASES.iter().zip(LEGACY_FINDERS.iter()) {
            if candidate && has(phrase, head_lower) {
                return Some((code, true));
            }
        }
    }
    generic.map(|c| (c, false))
}

/// Network failures by cause, whichever layer reported them (Chrome's `net::ERR_…`,
/// Node's errno names, Firefox's `NS_ERROR_…`): the server refusing a connection is one
/// cause whether a browser, a test runner or an HTTP client saw it.
const NETWORK_CAUSES: &[(&str, &str)] = &[
    ("net::err_connection_refused", "connection refused"),
    ("econnrefused", "connection refused"),
    ("ns_error_connection_refused", "connection refused"),
    ("net::err_name_not_resolved", "host name not resolved"),
    ("net::err_name_resolution_failed", "host name not resolved"),
    ("enotfound", "host name not resolved"),
    ("eai_again", "host name not resolved"),
    ("ns_error_unknown_host", "host name not resolved"),
    ("net::err_connection_timed_out", "connection timed out"),
    ("net::err_timed_out", "connection timed out"),
    ("etimedout", "connection timed out"),
    ("ns_error_net_timeout", "connection timed out"),
    ("net::err_connection_reset", "connection reset"),
    ("econnreset", "connection reset"),
    ("ns_error_net_reset", "connection reset"),
    ("net::err_connection_closed", "connection closed"),
    ("net::err_empty_response", "connection closed"),
    ("econnaborted", "connection closed"),
    ("net::err_internet_disconnected", "network unreachable"),
    ("net::err_network_changed", "network unreachable"),
    ("enetunreach", "network unreachable"),
    ("ehostunreach", "host unreachable"),
    ("net::err_address_unreachable", "host unreachable"),
];

/// The network cause named by `code` (a lower-cased `net::ERR_…`, errno or `NS_ERROR_…`
/// name): a canonical cause, or the code itself for codes without one (`net::err_cert_…`).
fn network_cause(code: &str) -> Option<String> {
    if let Some((_, cause)) = NETWORK_CAUSES.iter().find(|(c, _)| *c == code) {
        return Some((*cause).to_string());
    }
    (code.starts_with("net::err_") || code.starts_with("ns_error_")).then(|| code.to_string())
}

fn starts_with_code(head_lower: &str, code: &str) -> bool {
    // Most heads differ from most codes in the first byte: no call to compare them whole.
    if head_lower.as_bytes().first() != code.as_bytes().first() {
        return false;
    }
    match head_lower.strip_prefix(code) {
        Some(rest) => {
            rest.is_empty()
                || rest.starts_with(':')
                || rest.starts_with(" (")
                || rest.trim().is_empty()
        }
        None => false,
    }
}

fn strip_code_prefix<'a>(detail: &'a str, code: &str) -> &'a str {
    match detail.strip_prefix(code) {
        Some(rest) => rest.trim_start_matches(':').trim(),
        None => detail,
    }
}

/// `page.click: …`: the API call a tool names in front of its error is context — the
/// object it was made on always, the call itself unless the error is a timeout (a click and
/// a navigation timing out are different causes). Wrapper text before the call goes too.
fn drop_receiver(detail: &str) -> &str {
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut search_from = 0;
    while let Some(pos) = detail[search_from..].find(':') {
        let colon = search_from + pos;
        search_from = colon + 1;
        if detail[colon..].starts_with("::") || (colon > 0 && detail[..colon].ends_with(':')) {
            continue;
        }
        let start = detail[..colon].rfind([' ', '(']).map_or(0, |p| p + 1);
        let call = &detail[start..colon];
        let Some((receiver, method)) = call.split_once('.') else {
            continue;
        };
        if !(ident(receiver) && ident(method)) || method.contains('.') {
            continue;
        }
        let rest = detail[colon + 1..].trim_start();
        if rest.contains("timeout") || rest.contains("timed out") {
            return &detail[start + receiver.len() + 1..];
        }
        return rest;
    }
    detail
}

/// `protocol error (Domain.method): …` names the call that was in flight when a CDP client
/// failed; what follows is why. The browser, the target or the session having closed under
/// the call is one cause, whichever of them the client names.
fn strip_protocol_call(detail: &str) -> String {
    const OPEN: &str = "protocol error (";
    let Some(at) = PROTOCOL_ERROR.find(detail.as_bytes()) else {
        return detail.to_string();
    };
    let rest = &detail[at + OPEN.len()..];
    let Some(close) = rest.find("): ").filter(|&c| !rest[..c].contains(' ')) else {
        return detail.to_string();
    };
    let why = &rest[close + 3..];
    let closed = ["browser closed", "target closed", "session closed"]
        .iter()
        .any(|c| why.starts_with(c));
    let why = if closed { "target closed" } else { why };
    format!("{}protocol error: {why}", &detail[..at])
}

/// `timed out retrying[ after <N>ms]: …` says a tool retried, not why it failed: the
/// cause follows.
fn strip_retry_prefix(detail: &str) -> &str {
    let Some(rest) = detail.strip_prefix("timed out retrying") else {
        return detail;
    };
    let Some(colon) = rest.find(':') else {
        return detail;
    };
    let between = rest[..colon].trim();
    let filler = between.is_empty()
        || between
            .split_whitespace()
            .all(|w| w == "after" || w.starts_with("<N>") || is_filler(w));
    let after = rest[colon + 1..].trim_start();
    if filler && !after.is_empty() {
        after
    } else {
        detail
    }
}

/// Network codes, errno names and HTTP statuses in one line.
fn line_markers(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let has_upper_e = memchr::memchr_iter(b'E', bytes)
        .any(|k| bytes.get(k + 1).is_some_and(u8::is_ascii_uppercase));
    // A 4xx/5xx number standing alone; lower-casing never makes one where there was none.
    let is_status_at = |bytes: &[u8], i: usize| {
        matches!(bytes[i], b'4' | b'5')
            && bytes[i + 1].is_ascii_digit()
            && bytes[i + 2].is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && bytes.get(i + 3).is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    let has_status_digit = memchr::memchr2_iter(b'4', b'5', bytes)
        .any(|i| i + 2 < bytes.len() && is_status_at(bytes, i));
    if !has_upper_e && !has_status_digit {
        return out;
    }
    for (prefix, finder) in [("net::ERR_", &*NET_ERR), ("NS_ERROR_", &*NS_ERROR)] {
        if !has_upper_e {
            break;
        }
        let mut from = 0;
        while let Some(pos) = finder.find(&line.as_bytes()[from..]) {
            let start = from + pos;
            let end = line[start + prefix.len()..]
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                .map_or(line.len(), |e| start + prefix.len() + e);
            out.push(line[start..end].to_lowercase());
            from = end;
        }
    }
    if has_upper_e {
        for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with('E') && ERRNO_CODES.contains(&word) {
                out.push(word.to_lowercase());
            }
        }
    }
    if !has_status_digit {
        return out;
    }
    let lower = line.to_lowercase();
    let bytes = lower.as_bytes();
    for i in 0..bytes.len().saturating_sub(2) {
        if is_status_at(bytes, i) {
            let after = lower[i + 3..].trim_start_matches([':', ' ', '-', '(']);
            if REASONS.iter().any(|r| after.starts_with(r)) {
                out.push(format!("http {}", &lower[i..i + 3]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::explain;
    use proptest::prelude::*;

    fn sig(s: &str) -> String {
        explain(s).signature
    }

    /// Text built from the pieces the rules look for, mixed with multi-byte characters, so
    /// every byte-offset step of the rules meets a character boundary it must respect.
    fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "Error:",
            "Exception: ",
            "r:",
            "::",
            ":",
            "Ошибка",
            "日本",
            "é",
            "💥",
            " ",
            "\n",
            "\n    at ",
            "(",
            ")",
            "\"",
            "'",
            "<div>",
            "#id",
            ".cls",
            "0x1f",
            "42",
            "1.2.3",
            "/a/b.js:10:5",
            "http://h:8/p?q=1",
            "net::ERR_X",
            "Message: ",
            "E   ",
            "$",
            "_",
            "[",
            "]",
            "║",
            "╔═",
            "^",
            " › ",
            "INFO ",
            "12:00:00 ",
            "2024-05-01 ",
            "Protocol error (",
            "): ",
            "Failure/Error:",
            "/a.js:3",
        ]);
        prop::collection::vec(
            prop_oneof![piece.prop_map(str::to_string), "\\PC{0,3}"],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn any_text_reads_without_panicking(text in tricky_text()) {
            let e = explain(&text);
            prop_assert!(text.trim().is_empty() || !e.signature.is_empty());
        }
    }

    proptest! {
        #[test]
        fn an_ascii_piece_gives_the_same_key_word_either_way(
            raw in "[a-zA-Z0-9<>.:='/`_ -]{0,12}"
        ) {
            prop_assert_eq!(super::ascii_key_word(&raw), super::key_word(&raw));
        }
    }

    proptest! {
        #[test]
        fn what_was_read_before_reads_as_if_new(
            texts in prop::collection::vec(tricky_text(), 1..8),
            noise in prop::sample::select(vec![
                "",
                "\n    at f (/x/y.js:1:2)",
                "\n#0 0x55d1 <unknown>",
                "\n  (Session info: chrome=1.2.3)",
                "\nCall log:\n  - waiting for x",
            ]),
        ) {
            let mut known = super::Known::default();
            // Every text again, and again with lines the rules drop or set aside, so later
            // readings find their scans, pieces and keys known.
            let again = texts.iter().map(|t| format!("{t}{noise}"));
            for text in texts.iter().cloned().chain(again) {
                let (a, b) = (super::read_with(&text, &mut known), super::read(&text));
                prop_assert_eq!(
                    (&a.signature, &a.key, &a.originals, &a.spans, &a.dropped),
                    (&b.signature, &b.key, &b.originals, &b.spans, &b.dropped)
                );
            }
        }
    }

    #[test]
    fn what_is_remembered_stays_bounded() {
        let mut known = super::Known::default();
        for n in 0..10_000 {
            let reading = super::read_with(&format!("failure {n} at line {n}"), &mut known);
            assert_eq!(reading.signature, "failure <N> at line <N>");
        }
        assert!(known.readings.len() < 10_000);
        assert_eq!(known.parts.keys.len(), 1);
    }

    #[test]
    fn the_head_is_the_line_that_names_an_error_after_titles_and_log_lines() {
        let plain = sig("locator.boundingBox: Error: strict mode violation: locator('a') resolved to 3 elements");
        assert_eq!(
            sig("-- FAILURES:\n\n  1) My\n       Test:\n     locator.boundingBox: Error: strict mode violation: locator('a') resolved to 3 elements"),
            plain
        );
        assert_eq!(
            sig("Unhandled Rejection at: Promise Promise {\n  <rejected> Error: Node is not clickable"),
            sig("Error: Node is not clickable")
        );
        // A line naming an error stays the head even when a later line starts with a type.
        assert_eq!(
            sig("[20:53:36 WARNING] scrolling failed: Message: unknown error: session deleted because of page crash\nError: x"),
            "unknown error: session deleted because of page crash"
        );
        // Progress lines of a log are not the head.
        assert_eq!(
            sig("[INF] Current version v1.3.5\n[FTL] Failed to launch the browser: no display"),
            sig("Failed to launch the browser: no display")
        );
    }

    #[test]
    fn a_driver_code_after_a_wrappers_words_is_the_cause() {
        assert_eq!(
            sig("[Selenium driver Logs]\n19:09:31.179 WARNING - Unable to evaluate script: unexpected alert open\n  (Session info: chrome=67.0.3396.99)"),
            "unexpected alert open"
        );
        assert_eq!(
            sig("Failed to click: element click intercepted: Element <a> is not clickable at point (1, 2)"),
            "element click intercepted"
        );
        // A section header alone is still what the message says.
        assert_eq!(sig("[object Object]"), "[object object]");
    }

    #[test]
    fn a_cdp_call_and_what_closed_under_it_do_not_split_a_cause() {
        let a = sig("Error: Protocol error (Runtime.callFunctionOn): Target closed.");
        assert_eq!(a, "protocol error: target closed");
        assert_eq!(
            sig("Protocol error (Target.createTarget): Browser closed."),
            a
        );
        assert_eq!(
            sig("Error: browserContext.newPage: Protocol error (Target.createTarget): Browser closed."),
            a
        );
        assert_eq!(
            sig("Protocol error (Page.navigate): Cannot navigate to invalid URL"),
            "protocol error: cannot navigate to invalid url"
        );
    }

    #[test]
    fn a_box_says_what_went_wrong_when_the_head_asks_for_it_or_nothing_else_does() {
        let launch = "BrowserType.launch: \n╔════════════════════════════╗\n║ Host system is missing dependencies to run browsers. ║\n║ Please install them:  ║\n╚════════════════════════════╝";
        assert_eq!(
            sig(launch),
            "host system is missing dependencies to run browsers"
        );
        assert_eq!(
            sig("║ Set either headless or use xvfb-run before running Playwright. ║\n╚════╝"),
            "set either headless or use xvfb-run before running playwright"
        );
    }

    #[test]
    fn a_multi_byte_character_before_a_type_like_colon_is_read() {
        assert_eq!(sig("Ошибкаr: x"), "ошибкаr: x");
        assert_eq!(sig("Message: "), "<no message>");
    }

    fn key(s: &str) -> String {
        explain(s).key
    }

    #[test]
    fn specific_webdriver_codes_are_the_cause_whatever_the_binding() {
        let python = "selenium.common.exceptions.NoSuchElementException: Message: no such element: Unable to locate element: {\"method\":\"xpath\",\"selector\":\"//div[8]\"}\n  (Session info: chrome=103.0.5060.53)\nStacktrace:\n0   chromedriver                        0x0000000100a29d14 chromedriver + 3792148";
        let firefox = "selenium.common.exceptions.NoSuchElementException: Message: Unable to locate element: [id=\"search_term\"]";
        let java = "org.openqa.selenium.NoSuchElementException: no such element\n  (Session info: chrome=47.0.2508.0)\nBuild info: version: '2.44.0'";
        assert_eq!(sig(python), "no such element");
        assert_eq!(sig(firefox), "no such element");
        assert_eq!(sig(java), "no such element");
    }

    #[test]
    fn legacy_wordings_map_to_their_codes() {
        let old = "selenium.common.exceptions.WebDriverException: Message: unknown error: Element <a href=\"#\">...</a> is not clickable at point (981, 839). Other element would receive the click: <div class=\"blockUI\"></div>";
        assert_eq!(sig(old), "element click intercepted");
        assert_eq!(sig("StaleElementReferenceException: Message: u'Element is no longer attached to the DOM'"), "stale element reference");
    }

    #[test]
    fn generic_codes_keep_their_parameterised_detail() {
        let a = "SessionNotCreatedException: Message: session not created: This version of ChromeDriver only supports Chrome version 114\nCurrent browser version is 116.0.5845.96 with binary path /usr/bin/google-chrome";
        let b = "selenium.common.exceptions.SessionNotCreatedException: Message: session not created: This version of ChromeDriver only supports Chrome version 85";
        assert_eq!(
            sig(a),
            "session not created: this version of chromedriver only supports chrome version <N>"
        );
        assert_eq!(key(a), key(b));
        assert_ne!(
            key(a),
            key("session not created: Chrome failed to start: exited normally.")
        );
    }

    #[test]
    fn playwright_receivers_and_call_log_states() {
        let a = "TimeoutError: locator.click: Timeout 30000ms exceeded.\nCall log:\n  - waiting for locator('#go')\n  -   <div class=\"overlay\"></div> intercepts pointer events\n";
        let b = "page.click: Timeout 5000ms exceeded.\n=========================== logs ===========================\nwaiting for selector \"#x\"\n  <div>…</div> intercepts pointer events\n============================================================";
        let c = "TimeoutError: locator.click: Timeout 30000ms exceeded.\nCall log:\n  - waiting for locator('#go')\n";
        assert_eq!(sig(a), "timeout <N>ms exceeded [intercepts pointer events]");
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key(c));
    }

    #[test]
    fn network_failures_group_by_network_cause_across_tools() {
        let refused = "CypressError: cy.visit() failed trying to load:\n\nhttp://localhost:3000/\n\nWe attempted to make an http request to this URL but the request failed without a response.\n\nWe received this error at the network level:\n\n  > Error: connect ECONNREFUSED 127.0.0.1:3000";
        let notfound = "CypressError: cy.visit() failed trying to load:\n\nhttp://app.test/\n\nWe attempted to make an http request to this URL but the request failed without a response.\n\nWe received this error at the network level:\n\n  > Error: getaddrinfo ENOTFOUND app.test";
        assert_eq!(sig(refused), "network error: connection refused");
        assert_eq!(sig(notfound), "network error: host name not resolved");
        assert_eq!(
            sig("Error: page.goto: net::ERR_CONNECTION_REFUSED at http://localhost:3000/"),
            sig(refused)
        );
        assert_eq!(
            sig("cannot open http://localhost:8080/: net::ERR_CONNECTION_REFUSED"),
            sig(refused)
        );
        assert_eq!(
            sig("net::ERR_CERT_AUTHORITY_INVALID at https://self-signed.test/"),
            "network error: net::err_cert_authority_invalid"
        );
    }

    #[test]
    fn word_order_and_duration_fillers_do_not_split_a_cause() {
        assert_eq!(
            key("TimeoutError: Navigation Timeout Exceeded: 30000ms exceeded"),
            key("TimeoutError: Navigation timeout of 30000 ms exceeded")
        );
        assert_eq!(
            key("CypressError: Timed out retrying: Expected to find element: '#name', but never found it."),
            key("AssertionError: Timed out retrying after 4000ms: Expected to find element: `.btn`, but never found it.")
        );
    }

    #[test]
    fn webrunner_screenshot_note_and_locators_are_parameters() {
        let a = "no element matches css=\"#login\" (failure screenshot: shots/20240101_101010_123456_WR_click.png)";
        let b = "no element matches xpath=\"//button\"";
        assert_eq!(sig(a), "no element matches <SEL>");
        assert_eq!(explain(a).dropped, ["failure screenshot"]);
        assert_eq!(sig(b), "no element matches <SEL>");
    }

    #[test]
    fn python_traceback_head_is_the_exception_line() {
        let m = "Traceback (most recent call last):\n  File \"t.py\", line 3, in <module>\n    page.click(u)\nplaywright._impl._errors.Error: Page.click: Target page, context or browser has been closed\nBrowser logs:";
        assert_eq!(sig(m), "target page, context or browser has been closed");
    }

    #[test]
    fn playwright_locator_expressions_and_listed_matches_are_parameters() {
        let a = "locator.click: Error: strict mode violation: locator('div').filter({ hasText: 'x' }).getByRole('link') resolved to 6 elements:\n    1) <a href=\"/\">…</a> aka getByRole('link', { name: 'x' })";
        let b = "Error: strict mode violation: locator('body') resolved to 2 elements:\n    1) <body>…</body> aka locator('body').first()";
        assert_eq!(
            sig(a),
            "strict mode violation: <SEL> resolved to <N> elements"
        );
        assert_eq!(sig(b), sig(a));
    }

    #[test]
    fn short_details_keep_the_exception_type() {
        assert_eq!(sig("KeyError: 'foo'"), "keyerror: <Q>");
        assert_eq!(
            sig("selenium.common.exceptions.TimeoutException: Message: \n"),
            "timeoutexception"
        );
        assert_eq!(sig(""), "");
    }
}

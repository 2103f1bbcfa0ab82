//! The default rules' parameteriser: one pass over a message's head that replaces volatile
//! tokens with typed placeholders, in the spirit of Sentry's message parameterisation
//! (`<N>`, `<HEX>`, `<UUID>`, `<URL>`, `<HOST>`, `<IP>`, `<EMAIL>`, `<PATH>`, `<VER>`,
//! `<TS>`, `<Q>`) plus the tokens browser automation adds: selectors (`<SEL>`), HTML
//! snippets (`<ELEM>`) and JSON objects (`<JSON>`). Text outside placeholders is
//! lower-cased and whitespace is collapsed. Every replacement is recorded with the original
//! token ("why grouped").

use std::rc::Rc;

use crate::memo::Memo;
use crate::unit::{string_of, units_eq, units_start_with, Unit};

/// File extensions that make `name.ext` a file name.
const FILE_EXTENSIONS: &[&str] = &[
    "js", "mjs", "cjs", "jsx", "ts", "tsx", "py", "pyc", "java", "class", "kt", "rb", "cs", "go",
    "rs", "php", "so", "dll", "dylib", "exe", "json", "html", "htm", "xml", "png", "jpg", "jpeg",
    "zip", "log", "txt", "yml", "yaml", "har", "sh", "bat", "feature", "robot", "jar", "app",
    "bin", "csv", "pdf", "svg", "css",
];

/// Top-level domains that make `a.b.tld` a host name.
const TLDS: &[&str] = &[
    "com", "org", "net", "io", "dev", "app", "edu", "gov", "info", "biz", "co", "uk", "de", "fr",
    "jp", "cn", "ru", "in", "br", "au", "ca", "es", "it", "nl", "se", "no", "pl", "ch", "at", "be",
    "us", "me", "tv", "local", "internal", "test", "example", "site", "cloud", "ai", "xyz",
];

/// What the parameteriser produced for one piece of text.
pub(crate) struct Parameterised {
    pub(crate) text: String,
    /// The replaced tokens, one after another.
    pub(crate) originals: String,
    /// Per replaced token: its placeholder and its byte range in `originals`.
    pub(crate) spans: Vec<(&'static str, u32, u32)>,
}

struct Out {
    /// UTF-8 by construction: whole characters are appended, never parts of one.
    text: Vec<u8>,
    originals: String,
    spans: Vec<(&'static str, u32, u32)>,
}

impl Out {
    fn place<U: Unit>(&mut self, placeholder: &'static str, original: &[U]) {
        self.text.extend_from_slice(placeholder.as_bytes());
        let start = self.originals.len() as u32;
        U::extend_string(&mut self.originals, original);
        self.spans
            .push((placeholder, start, self.originals.len() as u32));
    }

    /// Appends the lower-cased characters of `word`, which holds no whitespace.
    fn push_word<U: Unit>(&mut self, word: &[U]) {
        let start = self.text.len();
        U::extend_bytes(&mut self.text, word);
        if self.text[start..].is_ascii() {
            self.text[start..].make_ascii_lowercase();
        } else {
            let tail = self.text.split_off(start);
            for c in String::from_utf8_lossy(&tail).chars() {
                self.push_lower(c);
            }
        }
    }

    /// Appends a word (letters, digits, `_`, `-`): digit runs inside become `<N>` unless the
    /// word is an upper-case code such as ERR_HTTP2_PROTOCOL_ERROR.
    fn push_word_run<U: Unit>(&mut self, word: &[U]) {
        let mut digits = false;
        let mut code_like = true;
        for u in word {
            let c = u.ch();
            digits |= c.is_ascii_digit();
            code_like &= c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_';
        }
        if !digits || code_like {
            self.push_word(word);
            return;
        }
        self.push_word_with_numbers(word);
    }

    /// Appends `word`, its digit runs as `<N>`.
    fn push_word_with_numbers<U: Unit>(&mut self, word: &[U]) {
        let mut j = 0;
        while j < word.len() {
            let digit = word[j].ch().is_ascii_digit();
            let mut k = j + 1;
            while k < word.len() && word[k].ch().is_ascii_digit() == digit {
                k += 1;
            }
            if digit {
                self.place("<N>", &word[j..k]);
            } else {
                self.push_word(&word[j..k]);
            }
            j = k;
        }
    }

    #[inline]
    fn push_lower(&mut self, c: char) {
        if c.is_ascii_alphanumeric() {
            self.text.push(c.to_ascii_lowercase() as u8);
        } else if c.is_whitespace() {
            if self.text.last().is_some_and(|&b| b != b' ') {
                self.text.push(b' ');
            }
        } else if c.is_ascii() {
            self.text.push(c as u8);
        } else {
            let mut buf = [0u8; 4];
            for l in c.to_lowercase() {
                self.text
                    .extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

fn at<U: Unit>(t: &[U], i: usize) -> char {
    t.get(i).map_or('\0', |u| u.ch())
}

/// Pieces already parameterised, by their text: one cause's head line recurs across
/// failures whose traces, session info or call logs differ, and is parameterised once.
#[derive(Default)]
pub(crate) struct Pieces {
    seen: Memo<Rc<Parameterised>>,
}

impl Pieces {
    /// [`parameterise`]d `text`, from the pieces seen before when it is one of them.
    pub(crate) fn parameterise(&mut self, text: &str) -> Rc<Parameterised> {
        self.seen.get_or_make(text, || Rc::new(parameterise(text)))
    }
}

/// Replaces volatile tokens of `text` with placeholders.
pub(crate) fn parameterise(text: &str) -> Parameterised {
    if text.is_ascii() {
        return parameterise_chars(text.as_bytes(), text.len());
    }
    CHARS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            buf.extend(text.chars());
            parameterise_chars(&buf, text.len())
        }
        Err(_) => parameterise_chars(&text.chars().collect::<Vec<char>>(), text.len()),
    })
}

thread_local! {
    /// A reusable buffer for the characters of the text being parameterised.
    static CHARS: std::cell::RefCell<Vec<char>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn parameterise_chars<U: Unit>(t: &[U], len: usize) -> Parameterised {
    let mut out = Out {
        text: Vec::with_capacity(len + len / 4),
        originals: String::new(),
        spans: Vec::new(),
    };
    let mut i = 0;
    while i < t.len() {
        if t[i].ch() == ' ' {
            // No token starts with a space.
            out.push_lower(' ');
            i += 1;
            continue;
        }
        let prev = if i == 0 { ' ' } else { t[i - 1].ch() };
        let c = t[i].ch();
        let boundary = !is_alnum(prev) && prev != '_';
        // Most words are plain, and are written out in one pass.
        if c.is_ascii_alphabetic() && boundary {
            if let Some(end) = plain_word_end(t, i) {
                out.push_word_run(&t[i..end]);
                i = end;
                continue;
            }
        }
        if let Some((end, placeholder)) = token_at(t, i, prev) {
            out.place(placeholder, &t[i..end]);
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() && boundary {
            // A word no token took: letters (any script), digits, `_`, `-`.
            let mut end = i;
            while end < t.len() && {
                let e = t[end].ch();
                is_alnum(e) || e == '_' || e == '-'
            } {
                end += 1;
            }
            out.push_word_run(&t[i..end]);
            i = end;
            continue;
        }
        out.push_lower(c);
        i += 1;
    }
    // Trimmed in place: no second copy of the text.
    let mut text = String::from_utf8(out.text)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    text.truncate(text.trim_end().len());
    let lead = text.len() - text.trim_start().len();
    if lead > 0 {
        text.drain(..lead);
    }
    Parameterised {
        text,
        originals: out.originals,
        spans: out.spans,
    }
}

/// The token starting at `i`, if it is a volatile one: its end and placeholder.
fn token_at<U: Unit>(t: &[U], i: usize, prev: char) -> Option<(usize, &'static str)> {
    let c = t[i].ch();
    let boundary = !is_alnum(prev) && prev != '_';
    match c {
        '"' | '`' | '“' | '‘' | '«' => quoted(t, i),
        '\'' if !is_alnum(prev) => quoted(t, i),
        '<' if boundary && at(t, i + 1).is_ascii_alphabetic() => element(t, i),
        '{' => braces(t, i),
        '[' if boundary => brackets(t, i),
        '/' if boundary => slash(t, i),
        '\\' if boundary && is_path_char(at(t, i + 1)) => path_run(t, i),
        '~' | '.' if boundary && at(t, i + 1) == '/' => path_run(t, i),
        '.' if boundary && at(t, i + 1) == '.' && at(t, i + 2) == '/' => path_run(t, i),
        '#' | '.' if boundary && (at(t, i + 1).is_ascii_alphabetic() || at(t, i + 1) == '_') => {
            Some((selector_run(t, i), "<SEL>"))
        }
        '0' if at(t, i + 1) == 'x' && at(t, i + 2).is_ascii_hexdigit() && boundary => {
            let mut end = i + 2;
            while at(t, end).is_ascii_hexdigit() {
                end += 1;
            }
            Some((end, "<HEX>"))
        }
        c if c.is_ascii_digit() && boundary => number(t, i),
        c if c.is_ascii_alphabetic() && boundary => word_token(t, i),
        _ => None,
    }
}

fn quoted<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    let open = t[i].ch();
    let close = match open {
        '“' => '”',
        '‘' => '’',
        '«' => '»',
        c => c,
    };
    let limit = (i + 400).min(t.len());
    let mut j = i + 1;
    while j < limit {
        let c = t[j].ch();
        if c == '\n' {
            return None;
        }
        if c == '\\' {
            j += 2;
            continue;
        }
        if c == close && !(open == '\'' && is_alnum(at(t, j + 1))) {
            if is_code_call(&t[i + 1..j]) {
                return None;
            }
            return Some((j + 1, "<Q>"));
        }
        j += 1;
    }
    None
}

/// Quoted code such as `` `cy.click()` `` names the failing call: it is part of the
/// message, not a value.
fn is_code_call<U: Unit>(inner: &[U]) -> bool {
    let Some(open) = inner.iter().position(|c| c.ch() == '(') else {
        return false;
    };
    open > 0
        && inner.last().map(|c| c.ch()) == Some(')')
        && inner[..open].iter().all(|c| {
            let c = c.ch();
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$')
        })
        && inner[0].ch().is_ascii_alphabetic()
}

/// `<tag …>`, optionally with its content and `</tag>`.
fn element<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    let mut j = i + 1;
    while at(t, j).is_ascii_alphanumeric() || at(t, j) == '-' {
        j += 1;
    }
    let name = &t[i + 1..j];
    let next = at(t, j);
    if !(next == '>' || next == ' ' || next == '/' || next == '\n') {
        return None;
    }
    let limit = (i + 1500).min(t.len());
    let mut k = j;
    let mut quote: Option<char> = None;
    while k < limit {
        let c = t[k].ch();
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '>' => break,
            None => {}
        }
        k += 1;
    }
    if k >= limit {
        return None;
    }
    let mut end = k + 1;
    // Content and closing tag: `…</name>`, `...</name>` or `text</name>` close by.
    let closing_len = name.len() + 3;
    let search_limit = (end + 300).min(t.len());
    let mut m = end;
    while m + closing_len <= search_limit {
        if t[m].ch() == '\n' {
            break;
        }
        if t[m].ch() == '<'
            && t[m + 1].ch() == '/'
            && t[m + 2..m + 2 + name.len()] == *name
            && t[m + closing_len - 1].ch() == '>'
        {
            end = m + closing_len;
            break;
        }
        m += 1;
    }
    Some((end, "<ELEM>"))
}

/// `{…}` holding `key: value` or `key=value` pairs: a locator object or other JSON.
fn braces<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    let end = balanced(t, i, '{', '}', 2000)?;
    let inner = string_of(&t[i + 1..end - 1]);
    if !(inner.contains(':') || inner.contains('=')) {
        return None;
    }
    let lower = inner.to_ascii_lowercase();
    if lower.contains("selector") || lower.contains("using") || lower.contains("method") {
        Some((end, "<SEL>"))
    } else {
        Some((end, "<JSON>"))
    }
}

/// `[attr=value]`-style selectors.
fn brackets<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    let end = balanced(t, i, '[', ']', 400)?;
    let inner = &t[i + 1..end - 1];
    let has = |x: char| inner.iter().any(|c| c.ch() == x);
    if has('=') && !has(' ') || inner.first().map(|c| c.ch()) == Some('@') {
        Some((selector_run(t, i).max(end), "<SEL>"))
    } else {
        None
    }
}

fn balanced<U: Unit>(t: &[U], i: usize, open: char, close: char, max: usize) -> Option<usize> {
    let limit = (i + max).min(t.len());
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut j = i;
    while j < limit {
        let c = t[j].ch();
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if c == '\\' => j += 1,
            Some(_) => {}
            None if c == '"' => quote = Some(c),
            None if c == open => depth += 1,
            None if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            None => {}
        }
        j += 1;
    }
    None
}

/// A CSS selector or XPath written without quotes: runs to the next whitespace, keeping
/// bracketed and quoted parts whole.
fn selector_run<U: Unit>(t: &[U], i: usize) -> usize {
    let mut j = i;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    while j < t.len() {
        let c = t[j].ch();
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'') && depth > 0 => quote = Some(c),
            None if c == '[' || c == '(' => depth += 1,
            None if (c == ']' || c == ')') && depth > 0 => depth -= 1,
            None if (c == ')' || c == ',' || c == ';') && depth == 0 => break,
            None if c.is_whitespace() && depth == 0 => break,
            None => {}
        }
        j += 1;
    }
    // A sentence's closing period or colon is not part of the selector.
    while j > i + 1 && matches!(t[j - 1].ch(), '.' | ':' | ',') {
        j -= 1;
    }
    j
}

fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '~' | '@' | '+' | '%' | '$')
}

/// A path: path characters and separators, then an optional `:line[:col]`.
fn path_run<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    let mut j = if t[i].ch().is_ascii_alphabetic() && at(t, i + 1) == ':' {
        i + 2
    } else {
        i
    };
    while j < t.len() && {
        let c = t[j].ch();
        is_path_char(c) || c == '/' || c == '\\' || (c == ' ' && windows_space(t, j))
    } {
        j += 1;
    }
    while j > i + 1 && t[j - 1].ch() == '.' {
        j -= 1;
    }
    if j <= i + 1 {
        return None;
    }
    Some((line_col(t, j), "<PATH>"))
}

/// Spaces inside Windows paths (`C:\Program Files\…`, `C:\Users\John Doe\…`): a space
/// whose run of words is followed by a backslash before the next space.
fn windows_space<U: Unit>(t: &[U], j: usize) -> bool {
    let mut k = j + 1;
    while k < t.len() && k < j + 40 {
        match t[k].ch() {
            '\\' => return true,
            c if c.is_whitespace() || c == '/' || c == ':' => return false,
            _ => k += 1,
        }
    }
    false
}

fn line_col<U: Unit>(t: &[U], mut j: usize) -> usize {
    for _ in 0..2 {
        if at(t, j) == ':' && at(t, j + 1).is_ascii_digit() {
            let mut k = j + 1;
            while at(t, k).is_ascii_digit() {
                k += 1;
            }
            j = k;
        } else {
            break;
        }
    }
    j
}

/// `/…`: an XPath (`//div[…]`), or a path of two or more segments.
fn slash<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    if at(t, i + 1) == '/' && (at(t, i + 2).is_ascii_alphabetic() || at(t, i + 2) == '*') {
        return Some((selector_run(t, i), "<SEL>"));
    }
    let (end, _) = path_run(t, i)?;
    let seps = t[i..end].iter().filter(|c| c.ch() == '/').count();
    if seps >= 2 && is_path_char(at(t, i + 1)) {
        Some((end, "<PATH>"))
    } else {
        None
    }
}

fn digits<U: Unit>(t: &[U], i: usize) -> usize {
    let mut j = i;
    while at(t, j).is_ascii_digit() {
        j += 1;
    }
    j - i
}

fn hex_run<U: Unit>(t: &[U], i: usize) -> usize {
    let mut j = i;
    while at(t, j).is_ascii_hexdigit() {
        j += 1;
    }
    j - i
}

fn is_uuid<U: Unit>(t: &[U], i: usize) -> bool {
    let groups = [8, 4, 4, 4, 12];
    let mut j = i;
    for (n, g) in groups.iter().enumerate() {
        if hex_run(t, j) != *g {
            return false;
        }
        j += g;
        if n < 4 {
            if at(t, j) != '-' {
                return false;
            }
            j += 1;
        }
    }
    !is_alnum(at(t, j))
}

/// Tokens starting with a digit: uuid, hex id, date-time, time, IP, version, number.
fn number<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    if is_uuid(t, i) {
        return Some((i + 36, "<UUID>"));
    }
    let hex = hex_run(t, i);
    if hex >= 8
        && t[i..i + hex].iter().any(|c| c.ch().is_ascii_alphabetic())
        && !is_alnum(at(t, i + hex))
    {
        return Some((i + hex, "<HEX>"));
    }
    let d = digits(t, i);
    // Dates: 2024-05-01, optionally with a time.
    if d == 4
        && at(t, i + 4) == '-'
        && digits(t, i + 5) == 2
        && at(t, i + 7) == '-'
        && digits(t, i + 8) == 2
    {
        let mut end = i + 10;
        if matches!(at(t, end), 'T' | ' ') && digits(t, end + 1) == 2 && at(t, end + 3) == ':' {
            end = time(t, end + 1);
        }
        return Some((end, "<TS>"));
    }
    if (1..=2).contains(&d) && at(t, i + d) == ':' && digits(t, i + d + 1) == 2 {
        return Some((time(t, i), "<TS>"));
    }
    // Dotted: IPv4 (with port), versions.
    let mut j = i + d;
    let mut dots = 0;
    while at(t, j) == '.' && at(t, j + 1).is_ascii_digit() {
        j += 1 + digits(t, j + 1);
        dots += 1;
    }
    // Each part is a non-empty digit run: an octet when its value is at most 255.
    let octets_ok = t[i..j].split(|c| c.ch() == '.').all(|part| {
        part.iter()
            .try_fold(0u32, |n, c| {
                let n = n * 10 + c.ch().to_digit(10)?;
                (n <= 255).then_some(n)
            })
            .is_some()
    });
    if dots == 3 && octets_ok && !at(t, j).is_ascii_alphabetic() {
        let end = if at(t, j) == ':' && at(t, j + 1).is_ascii_digit() {
            j + 1 + digits(t, j + 1)
        } else {
            j
        };
        return Some((end, "<IP>"));
    }
    if dots >= 2 {
        return Some((j, "<VER>"));
    }
    Some((j, "<N>"))
}

fn time<U: Unit>(t: &[U], i: usize) -> usize {
    let mut j = i + digits(t, i);
    while at(t, j) == ':' && digits(t, j + 1) == 2 {
        j += 3;
    }
    if matches!(at(t, j), '.' | ',') && at(t, j + 1).is_ascii_digit() {
        j += 1 + digits(t, j + 1);
    }
    if at(t, j) == 'Z' {
        j += 1;
    } else if matches!(at(t, j), '+' | '-') && digits(t, j + 1) == 2 {
        j += 3;
        if at(t, j) == ':' && digits(t, j + 1) == 2 {
            j += 3;
        } else if digits(t, j) == 2 {
            j += 2;
        }
    }
    j
}

/// Tokens starting with a letter: URLs, e-mail addresses, drive paths, `By.x: value`
/// locators, host names, `localhost:port`, file names. Reached only where [`plain_word_end`]
/// found no plain word.
fn word_token<U: Unit>(t: &[U], i: usize) -> Option<(usize, &'static str)> {
    // Scheme URLs.
    let mut j = i;
    while at(t, j).is_ascii_alphanumeric() || matches!(at(t, j), '+' | '-' | '.') {
        j += 1;
    }
    if at(t, j) == ':' && at(t, j + 1) == '/' && at(t, j + 2) == '/' {
        let mut end = j + 3;
        while end < t.len()
            && !t[end].ch().is_whitespace()
            && !matches!(
                t[end].ch(),
                '"' | '\'' | '<' | '>' | '`' | ')' | ']' | '}' | ','
            )
        {
            end += 1;
        }
        while end > j + 3 && matches!(t[end - 1].ch(), '.' | ':' | ';') {
            end -= 1;
        }
        return Some((end, "<URL>"));
    }
    // Drive paths.
    if at(t, i + 1) == ':' && matches!(at(t, i + 2), '\\' | '/') {
        return path_run(t, i);
    }
    // Java locators: By.id: login, By.cssSelector: #x.
    if at(t, i) == 'B' && at(t, i + 1) == 'y' && at(t, i + 2) == '.' {
        let mut k = i + 3;
        while at(t, k).is_ascii_alphabetic() {
            k += 1;
        }
        if at(t, k) == ':' {
            k += 1;
            while at(t, k) == ' ' {
                k += 1;
            }
            return Some((selector_run(t, k).max(k), "<SEL>"));
        }
    }
    // Playwright locator expressions: locator('#a').filter({ … }).getByRole('link').first().
    if let Some(end) = locator_expression(t, i) {
        return Some((end, "<SEL>"));
    }
    // Locators written `strategy="value"` (webrunner, WebdriverIO, Playwright selectors).
    if let Some(end) = strategy_locator(t, i) {
        return Some((end, "<SEL>"));
    }
    // Dotted words: e-mail, host, file.
    let mut end = i;
    while is_alnum(at(t, end)) || matches!(at(t, end), '_' | '-' | '.' | '@') {
        end += 1;
    }
    while end > i && at(t, end - 1) == '.' {
        end -= 1;
    }
    let run = &t[i..end];
    if !is_localhost(run) && !run.iter().any(|c| matches!(c.ch(), '.' | '@')) {
        return None;
    }
    let word = string_of(run);
    if let Some((user, domain)) = word.split_once('@') {
        if !user.is_empty() && domain.contains('.') && !domain.contains('@') {
            return Some((end, "<EMAIL>"));
        }
        return None;
    }
    let lower = word.to_ascii_lowercase();
    if lower == "localhost" {
        return Some((port(t, end), "<HOST>"));
    }
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.len() >= 2 {
        let last = labels[labels.len() - 1];
        if FILE_EXTENSIONS.contains(&last)
            || (labels.len() >= 3 && labels[labels.len() - 2] == "so")
        {
            return Some((line_col(t, end), "<PATH>"));
        }
        if labels.iter().all(|l| !l.is_empty()) && TLDS.contains(&last) && !lower.contains('_') {
            return Some((port(t, end), "<HOST>"));
        }
    }
    None
}

/// The end of the plain word at `i` (letters, digits, `_` and `-`, followed by a character
/// that none of [`word_token`]'s tokens continues with); `None` when a token may start there.
fn plain_word_end<U: Unit>(t: &[U], i: usize) -> Option<usize> {
    let w = t[i..]
        .iter()
        .position(|u| !matches!(u.ch(), 'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-'))
        .map_or(t.len(), |n| i + n);
    let next = at(t, w);
    let may_continue = matches!(next, '+' | '.' | ':' | '(' | '=' | '@') || is_alnum(next);
    (!may_continue && !is_localhost(&t[i..w])).then_some(w)
}

/// `localhost` in any case.
fn is_localhost<U: Unit>(run: &[U]) -> bool {
    run.len() == 9
        && run
            .iter()
            .zip("localhost".chars())
            .all(|(a, b)| a.ch().to_ascii_lowercase() == b)
}

/// Functions that build a Playwright locator.
fn is_locator_function<U: Unit>(name: &[U]) -> bool {
    units_eq(name, "locator")
        || units_eq(name, "frameLocator")
        || units_start_with(name, "getBy")
        || units_start_with(name, "get_by_")
        || units_eq(name, "frame_locator")
}

/// `locator(…)`, `getByRole(…)`, chained with `.filter(…)`, `.first()`, `.nth(2)`, `.first`.
fn locator_expression<U: Unit>(t: &[U], i: usize) -> Option<usize> {
    let mut j = i;
    while at(t, j).is_ascii_alphanumeric() || at(t, j) == '_' {
        j += 1;
    }
    if at(t, j) != '(' || !is_locator_function(&t[i..j]) {
        return None;
    }
    let mut end = balanced(t, j, '(', ')', 600)?;
    // Chained calls and properties.
    while at(t, end) == '.' && at(t, end + 1).is_ascii_alphabetic() {
        let mut k = end + 1;
        while at(t, k).is_ascii_alphanumeric() || at(t, k) == '_' {
            k += 1;
        }
        if at(t, k) == '(' {
            match balanced(t, k, '(', ')', 600) {
                Some(e) => end = e,
                None => break,
            }
        } else {
            end = k;
        }
    }
    Some(end)
}

/// Locator strategies that prefix a quoted value: `css="#a"`, `xpath='//b'`.
const STRATEGIES: &[&str] = &[
    "css",
    "xpath",
    "id",
    "text",
    "name",
    "class",
    "tag",
    "link",
    "role",
    "testid",
    "data-testid",
    "label",
    "placeholder",
    "css_selector",
    "link_text",
];

fn strategy_locator<U: Unit>(t: &[U], i: usize) -> Option<usize> {
    let mut j = i;
    while at(t, j).is_ascii_alphanumeric() || matches!(at(t, j), '_' | '-') {
        j += 1;
    }
    if at(t, j) != '=' || !matches!(at(t, j + 1), '"' | '\'') {
        return None;
    }
    let word = &t[i..j];
    let is = |s: &str| {
        word.len() == s.len()
            && word
                .iter()
                .zip(s.chars())
                .all(|(u, c)| u.ch().to_ascii_lowercase() == c)
    };
    if at(t, j) != '=' || !STRATEGIES.iter().any(|s| is(s)) {
        return None;
    }
    if matches!(at(t, j + 1), '"' | '\'') {
        return quoted(t, j + 1).map(|(end, _)| end);
    }
    None
}

fn port<U: Unit>(t: &[U], end: usize) -> usize {
    if at(t, end) == ':' && at(t, end + 1).is_ascii_digit() {
        end + 1 + digits(t, end + 1)
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use super::{parameterise, parameterise_chars, Pieces};
    use proptest::prelude::*;

    #[test]
    fn known_pieces_are_reused() {
        let mut known = Pieces::default();
        let a = known.parameterise("Timeout 30000ms for '#a'");
        let again = known.parameterise("Timeout 30000ms for '#a'");
        assert!(std::rc::Rc::ptr_eq(&a, &again));
        assert_eq!(a.text, parameterise("Timeout 30000ms for '#a'").text);
    }

    /// ASCII pieces of the tokens the parameteriser looks for.
    fn ascii_text() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "http://",
            "localhost",
            ":",
            "3000",
            "255",
            "256",
            ".",
            "..",
            "/",
            "\\",
            "~",
            "\"",
            "'",
            "`",
            "<div a='>'>",
            "</div>",
            "<b>",
            "{",
            "}",
            "[",
            "]",
            "(",
            ")",
            "=",
            "css",
            "xpath",
            "locator(",
            "getByRole",
            ".first()",
            "#",
            "0x1f",
            "1.2.3.4",
            "By.id: ",
            "a",
            "Z",
            "_",
            "-",
            " ",
            "\n",
            "@",
            "example.com",
            "x.so.1",
            "2024-05-01",
            "12:30:45",
            "deadbeef1",
            "ERR_X2",
            "C:\\a b\\",
            ",",
            ";",
            "method",
            "1e3",
        ]);
        proptest::collection::vec(piece, 0..16).prop_map(|p| p.concat())
    }

    proptest::proptest! {
        #[test]
        fn bytes_and_chars_read_ascii_text_alike(text in ascii_text()) {
            let chars: Vec<char> = text.chars().collect();
            let a = parameterise_chars(text.as_bytes(), text.len());
            let b = parameterise_chars(&chars, text.len());
            assert_eq!((a.text, a.originals, a.spans), (b.text, b.originals, b.spans));
        }
    }

    fn p(s: &str) -> String {
        parameterise(s).text
    }

    #[test]
    fn replaces_numbers_versions_and_durations() {
        assert_eq!(p("Timeout 30000ms exceeded."), "timeout <N>ms exceeded.");
        assert_eq!(
            p("Chrome version 114 (116.0.5845.96)"),
            "chrome version <N> (<VER>)"
        );
        assert_eq!(p("point (983, 238)"), "point (<N>, <N>)");
    }

    #[test]
    fn replaces_urls_hosts_ips_paths_and_files() {
        assert_eq!(
            p("net::ERR_CONNECTION_REFUSED at http://localhost:3000/login"),
            "net::err_connection_refused at <URL>"
        );
        assert_eq!(
            p("connect ECONNREFUSED 127.0.0.1:9222"),
            "connect econnrefused <IP>"
        );
        assert_eq!(
            p("cannot connect to localhost:4444"),
            "cannot connect to <HOST>"
        );
        assert_eq!(
            p("Executable doesn't exist at /root/.cache/ms-playwright/chromium-1091/chrome"),
            "executable doesn't exist at <PATH>"
        );
        assert_eq!(
            p(r"at C:\Users\John Doe\AppData\chrome.exe now"),
            "at <PATH> now"
        );
        assert_eq!(
            p("loading libnss3.so: cannot open"),
            "loading <PATH>: cannot open"
        );
        assert_eq!(p("in example.spec.ts:12:7"), "in <PATH>");
        assert_eq!(p("host www.zhihuishu.com down"), "host <HOST> down");
        assert_eq!(p("mail bob@example.com"), "mail <EMAIL>");
    }

    #[test]
    fn keeps_api_names_and_error_codes() {
        assert_eq!(
            p("page.goto: net::ERR_HTTP2_PROTOCOL_ERROR"),
            "page.goto: net::err_http2_protocol_error"
        );
        assert_eq!(p("cy.click() failed"), "cy.click() failed");
        assert_eq!(p("chromium-1091 linux64"), "chromium-<N> linux<N>");
    }

    #[test]
    fn replaces_selectors_quotes_elements_and_json() {
        assert_eq!(
            p(r##"Unable to locate element: {"method":"css selector","selector":"#login"}"##),
            "unable to locate element: <SEL>"
        );
        assert_eq!(
            p(r#"Unable to locate element: [id="search_term"]"#),
            "unable to locate element: <SEL>"
        );
        assert_eq!(
            p("No node found for selector: #submit.btn"),
            "no node found for selector: <SEL>"
        );
        assert_eq!(
            p("located by By.xpath: //div[@id='x'] (tried)"),
            "located by <SEL> (tried)"
        );
        assert_eq!(
            p("Element <a class=\"x y\">...</a> is not clickable"),
            "element <ELEM> is not clickable"
        );
        assert_eq!(
            p("expected 'a' to equal `b` but “c”"),
            "expected <Q> to equal <Q> but <Q>"
        );
        assert_eq!(p("doesn't won't"), "doesn't won't");
        assert_eq!(p("value {\"a\": 1}"), "value <JSON>");
    }

    #[test]
    fn replaces_ids_hashes_and_timestamps() {
        assert_eq!(
            p("session 3f2a9c1e-1b2c-4d5e-8f90-0123456789ab"),
            "session <UUID>"
        );
        assert_eq!(
            p("id 4ff171e97d5b794417dfd920aa033cb6 at 0x55d1c0b5"),
            "id <HEX> at <HEX>"
        );
        assert_eq!(
            p("2024-05-01T10:20:30.123Z and 12:16:00.101"),
            "<TS> and <TS>"
        );
    }

    #[test]
    fn records_each_substitution() {
        let r = parameterise("Timeout 30000ms for '#a'");
        let subs: Vec<(&str, &str)> = r
            .spans
            .iter()
            .map(|&(p, a, b)| (p, &r.originals[a as usize..b as usize]))
            .collect();
        assert_eq!(subs, [("<N>", "30000"), ("<Q>", "'#a'")]);
    }
}

//! Escaping for the reports: HTML text and attributes, XML 1.0 text and attributes (with
//! characters XML cannot hold replaced), and URL path segments. Record text only ever
//! reaches a report through these functions.

use std::fmt::Write;

/// Appends `s` to `out` escaped for HTML text or a quoted attribute value.
pub fn push_html(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `s` escaped for HTML text or a quoted attribute value.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_html(&mut out, s);
    out
}

/// True for the characters XML 1.0 allows in a document.
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `s` to `out` escaped for XML text or a double-quoted attribute value. Characters
/// XML 1.0 cannot hold (most control characters, U+FFFE, U+FFFF) become U+FFFD. In
/// attributes, tab, newline and carriage return become character references so a parser
/// keeps them instead of normalising them to spaces.
pub fn push_xml(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' if attribute => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if xml_allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// `s` percent-encoded as one URL path segment (everything but `A-Za-z0-9-._~`).
pub fn url_segment(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_neutralises_tags_and_quotes() {
        assert_eq!(
            html(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn xml_escaping_replaces_forbidden_characters_and_keeps_newlines_in_attributes() {
        let mut text = String::new();
        push_xml(&mut text, "a\u{1}b\u{FFFE}<\n", false);
        assert_eq!(text, "a\u{FFFD}b\u{FFFD}&lt;\n");
        let mut attr = String::new();
        push_xml(&mut attr, "x\ny\t\"", true);
        assert_eq!(attr, "x&#10;y&#9;&quot;");
    }

    #[test]
    fn url_segments_hide_separators() {
        assert_eq!(url_segment("../a b/ü.png"), "..%2Fa%20b%2F%C3%BC.png");
    }
}

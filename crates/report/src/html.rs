//! The escaper of the report templates. `askama.toml` makes it the one for every `.html`
//! template of this crate, so askama passes each `{{ value }}` through it: record text can
//! only ever become text, never markup, and no call site has to remember to escape.
//!
//! It differs from askama's own HTML escaper only in spelling: the named entities `&lt;`
//! `&gt;` `&amp;` `&quot;` and `&#39;` (askama writes `&#60;` and friends), so a report's
//! source reads as before and as a person expects.

use std::fmt;

/// The HTML escaper of this crate's templates (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        let mut start = 0;
        for (at, byte) in text.bytes().enumerate() {
            let entity = match byte {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            // The five are ASCII, so `at` is a character boundary.
            dest.write_str(&text[start..at])?;
            dest.write_str(entity)?;
            start = at + 1;
        }
        dest.write_str(&text[start..])
    }
}

/// `text` escaped as the templates escape it.
#[cfg(test)]
pub(crate) fn escaped(text: &str) -> String {
    use askama::filters::Escaper as _;
    let mut out = String::new();
    let _ = Html.write_escaped_str(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::escaped;

    #[test]
    fn the_five_characters_become_named_entities_and_the_rest_stays() {
        assert_eq!(
            escaped(r#"<img src=x onerror="a('b')">&ü"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;ü"
        );
        assert_eq!(escaped(""), "");
        assert_eq!(escaped("plain"), "plain");
    }
}

//! What the XML reports (JUnit, the Python WebRunner's XML) need besides `quick-xml`'s
//! writer, which escapes markup: record text made storable in XML 1.0 first. Characters XML
//! cannot hold at all (most control characters, U+FFFE, U+FFFF) become U+FFFD, and in
//! attribute values tab, newline and carriage return become character references, which a
//! parser keeps (written as they are, it would turn them into spaces).

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::BytesText;
use quick_xml::name::QName;

/// True for the characters XML 1.0 allows in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` with every character XML 1.0 cannot hold replaced by U+FFFD.
fn storable(s: &str) -> Cow<'_, str> {
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

/// Text content: markup escaped by `quick-xml`, a carriage return kept as a reference (a
/// parser would turn it into a newline).
pub(crate) fn text(s: &str) -> BytesText<'static> {
    let escaped = quick_xml::escape::escape(storable(s)).replace('\r', "&#13;");
    BytesText::from_escaped(escaped)
}

/// An attribute `key="value"`: markup escaped by `quick-xml`, tab, newline and carriage return
/// kept as references.
pub(crate) fn attr<'a>(key: &'a str, value: &str) -> Attribute<'a> {
    let escaped = quick_xml::escape::escape(storable(value))
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;");
    Attribute {
        key: QName(key.as_bytes()),
        value: Cow::Owned(escaped.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced_and_line_breaks_in_attributes_kept() {
        let t = text("a\u{1}b\u{FFFE}<\n\r");
        assert_eq!(&*t, b"a\xEF\xBF\xBDb\xEF\xBF\xBD&lt;\n&#13;");
        let a = attr("m", "x\ny\t\"");
        assert_eq!(&*a.value, b"x&#10;y&#9;&quot;");
    }
}

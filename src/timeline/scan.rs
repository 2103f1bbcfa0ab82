//! Where each element of a top-level JSON list lies in its text, found without parsing the
//! elements (they are parsed one by one afterwards, and that parse is what validates them).

use std::ops::Range;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_space(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(|&b| is_space(b)) {
        at += 1;
    }
    at
}

/// The end of the string whose opening quote is at `at` (one past its closing quote).
fn string_end(text: &[u8], mut at: usize) -> Option<usize> {
    at += 1;
    loop {
        match *text.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
}

/// The end of the value starting at `at`: a string, an object or list (brackets counted
/// outside strings), or a bare word up to the next separator.
fn value_end(text: &[u8], at: usize) -> Option<usize> {
    match *text.get(at)? {
        b'"' => string_end(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match *text.get(i)? {
                    b'"' => {
                        i = string_end(text, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = at;
            while text
                .get(i)
                .is_some_and(|&b| !is_space(b) && !matches!(b, b',' | b']' | b'}'))
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// The byte ranges of the elements of `text` when it is a JSON list, `None` when it is not a
/// list or its outline is broken (the whole text is then read by serde_json, which tells
/// what is wrong). An element's range may still hold invalid JSON.
pub(super) fn list_elements(text: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut at = skip_space(text, 0);
    if text.get(at) != Some(&b'[') {
        return None;
    }
    let mut elements = Vec::with_capacity(text.len() / 64);
    at = skip_space(text, at + 1);
    if text.get(at) == Some(&b']') {
        at += 1;
    } else {
        loop {
            let end = value_end(text, at)?;
            if end == at {
                return None;
            }
            elements.push(at..end);
            at = skip_space(text, end);
            match text.get(at)? {
                b',' => at = skip_space(text, at + 1),
                b']' => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_space(text, at) == text.len()).then_some(elements)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Option<Vec<&str>> {
        list_elements(text.as_bytes()).map(|r| r.into_iter().map(|r| &text[r]).collect())
    }

    #[test]
    fn elements_are_found_with_strings_and_nesting_respected() {
        assert_eq!(
            parts(r#" [ {"a": "]},\"", "b": [1, {"c": 2}]} , 3,"x\\" , null ] "#),
            Some(vec![
                r#"{"a": "]},\"", "b": [1, {"c": 2}]}"#,
                "3",
                r#""x\\""#,
                "null"
            ])
        );
        assert_eq!(parts("[]"), Some(vec![]));
        assert_eq!(parts("\n[ ]\n"), Some(vec![]));
    }

    #[test]
    fn what_is_not_a_well_outlined_list_is_left_to_serde_json() {
        for text in [
            "{}", "null", "[1,]", "[1 2]", "[1", "[{]", "[1] x", r#"["a]"#, "[,1]",
        ] {
            assert_eq!(parts(text), None, "{text}");
        }
    }
}

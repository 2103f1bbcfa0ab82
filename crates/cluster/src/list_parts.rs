//! A large failure list read by several threads at once. The text is cut at guessed entry
//! starts (`}, {"`), each part is read on its own, and the reading is kept only when every
//! part ends exactly where the next one begins: the first part starts at the true first
//! entry, so by induction every part then starts at a true entry. When a guess was wrong
//! (a cut inside a message, say), or the list is not a plain failure list (an entry that is
//! not an object, a records list), the caller reads the list the careful way instead.

use rayon::prelude::*;

use crate::cluster::Item;
use crate::flat_json::{flat_object, skip_ws};
use crate::input::{element_end, entry_item, one_entry, Entry};

/// The failures of the JSON failure list `bytes`, read in parts; `None` when the parts do
/// not line up, any part is not a well-formed run of entries, an entry is not an object,
/// or every entry looks like a record.
pub(crate) fn items_in_parts(bytes: &[u8]) -> Option<Vec<Item<'_>>> {
    let parts: Vec<(Vec<Item<'_>>, bool)> = entries_in_parts(bytes, |entries| {
        let records = entries
            .iter()
            .all(|e| matches!(e, Entry::Object(f) if f.has_status && f.has_command));
        if entries.iter().any(|e| matches!(e, Entry::Other(_))) {
            return None;
        }
        Some((entries.into_iter().map(entry_item).collect(), records))
    })?;
    if parts.iter().all(|(_, records)| *records) {
        return None;
    }
    Some(parts.into_iter().flat_map(|(items, _)| items).collect())
}

/// The entries of the JSON list `bytes`, read in parts, each part's entries handed to
/// `then`; `None` when the parts do not line up, any part is not a well-formed run of
/// entries, or `then` returns `None` for a part.
fn entries_in_parts<'a, T: Send>(
    bytes: &'a [u8],
    then: impl Fn(Vec<Entry<'a>>) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let open = skip_ws(bytes, 0);
    if bytes.get(open) != Some(&b'[') {
        return None;
    }
    let first = skip_ws(bytes, open + 1);
    if bytes.get(first) != Some(&b'{') {
        return None;
    }
    let parts = (rayon::current_num_threads() * 8).clamp(1, 64);
    let mut cuts = vec![first];
    for k in 1..parts {
        let last = cuts[cuts.len() - 1];
        let guess = (bytes.len() / parts * k).max(last + 1);
        match entry_start(bytes, guess) {
            Some(cut) => cuts.push(cut),
            None => break,
        }
    }
    cuts.push(bytes.len());
    let last = cuts.len() - 2;
    cuts.par_windows(2)
        .enumerate()
        .map(|(k, w)| then(read_part(bytes, w[0], w[1], k == last)?))
        .collect()
}

/// The entries of the JSON list `bytes`, read in parts (see [`entries_in_parts`]).
#[cfg(test)]
fn parse_in_parts(bytes: &[u8]) -> Option<Vec<Entry<'_>>> {
    let parts = entries_in_parts(bytes, Some)?;
    Some(parts.into_iter().flatten().collect())
}

/// The first `{` at or after `from` that looks like the start of an entry: `{"` after a
/// `,` that follows a `}`.
fn entry_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let k = i + memchr::memmem::find(bytes.get(i..)?, b"{\"")?;
        let before = bytes[..k].iter().rposition(|b| !is_ws(*b));
        if let Some(comma) = before.filter(|&c| bytes[c] == b',') {
            let brace = bytes[..comma].iter().rposition(|b| !is_ws(*b));
            if brace.is_some_and(|c| bytes[c] == b'}') {
                return Some(k);
            }
        }
        i = k + 1;
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The entries of `bytes[start..end]`, which must be whole entries each followed by `,`
/// (the last part: by `]` and nothing but whitespace).
fn read_part(bytes: &[u8], start: usize, end: usize, last: bool) -> Option<Vec<Entry<'_>>> {
    let text = std::str::from_utf8(&bytes[start..end]).ok()?;
    let b = text.as_bytes();
    let mut entries = Vec::with_capacity(b.len() / 256 + 1);
    let mut i = 0;
    loop {
        let after = match flat_object(text, i) {
            Some((fields, after)) => {
                entries.push(Entry::Object(fields));
                after
            }
            None => {
                let (element, after) = element_end(b, i)?;
                entries.push(one_entry(&bytes[start + i..start + element])?);
                after
            }
        };
        i = skip_ws(b, after);
        match b.get(i) {
            Some(b',') => {
                i = skip_ws(b, i + 1);
                if i == b.len() {
                    return (!last).then_some(entries);
                }
            }
            Some(b']') if last => return (skip_ws(b, i + 1) == b.len()).then_some(entries),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen<'a> = Result<
        (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            bool,
            bool,
        ),
        &'static str,
    >;

    fn seen<'a>(entries: &[Entry<'a>]) -> Vec<Seen<'a>> {
        entries
            .iter()
            .map(|e| match e {
                Entry::Object(f) => Ok((
                    f.exception,
                    f.error,
                    f.file_path,
                    f.has_status,
                    f.has_command,
                )),
                Entry::Other(name) => Err(*name),
            })
            .collect()
    }

    fn list(n: usize, entry: impl Fn(usize) -> String) -> String {
        let entries: Vec<String> = (0..n).map(entry).collect();
        format!("[{}]\n", entries.join(", "))
    }

    #[test]
    fn parts_read_what_one_serde_pass_reads() {
        let text = list(5000, |i| match i % 7 {
            0 => format!(r#"{{"exception": "E{i} \"x\"\n", "file_path": "f.py"}}"#),
            1 => format!(r#"{{"error": {i}, "status": "failed"}}"#),
            2 => format!(r#"{{"error": ["a", {{"b": {i}}}], "command": null}}"#),
            3 => r#"{"exception": "caf\u00e9"}"#.to_string(),
            4 => "{}".to_string(),
            _ => format!(r#"{{ "function_name" : "t{i}" , "error" : "boom {i}" }}"#),
        });
        let parts = parse_in_parts(text.as_bytes()).expect("cuts line up");
        let whole: Vec<Entry<'_>> = serde_json::from_str(&text).unwrap();
        assert_eq!(seen(&parts), seen(&whole));
    }

    #[test]
    fn a_cut_inside_a_message_is_noticed() {
        // Every message holds the text a cut is guessed at.
        let text = list(5000, |i| format!(r#"{{"error": "x}}, {{\"{i}"}}"#));
        assert!(text.contains(r#"}, {\""#));
        if let Some(parts) = parse_in_parts(text.as_bytes()) {
            let whole: Vec<Entry<'_>> = serde_json::from_str(&text).unwrap();
            assert_eq!(seen(&parts), seen(&whole));
        }
        let raw = list(5000, |i| format!(r#"{{"error": "x}}, {{", "n": "{i}"}}"#));
        if let Some(parts) = parse_in_parts(raw.as_bytes()) {
            let whole: Vec<Entry<'_>> = serde_json::from_str(&raw).unwrap();
            assert_eq!(seen(&parts), seen(&whole));
        }
    }

    #[test]
    fn malformed_lists_are_left_to_the_careful_reader() {
        let good = list(3000, |i| format!(r#"{{"error": "e{i}"}}"#));
        assert!(parse_in_parts(good.as_bytes()).is_some());
        for broken in [
            good.replacen("}, {", "},, {", 1),
            good.replacen("]", ", ]", 1),
            good.replacen("]", "", 1),
            format!("{good} x"),
            good.replacen("\"e2999\"", "\"e2999", 1),
        ] {
            assert!(
                parse_in_parts(broken.as_bytes()).is_none(),
                "{}",
                &broken[..40]
            );
            assert!(serde_json::from_str::<Vec<Entry<'_>>>(&broken).is_err());
        }
        let number = good.replacen("{\"error\": \"e1500\"}", "5", 1);
        let parts = parse_in_parts(number.as_bytes()).expect("a number is an entry");
        let whole: Vec<Entry<'_>> = serde_json::from_str(&number).unwrap();
        assert_eq!(seen(&parts), seen(&whole));
    }
}

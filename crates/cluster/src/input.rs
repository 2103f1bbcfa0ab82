//! Reading failures from a file: a JSON list of failure entries (the seed's input), a
//! `records.json` (a list of records, or an object whose `records` key holds one; failed
//! records become failures), or a JUnit XML report. The list form is parsed without building
//! a JSON tree: only `exception`, `error` and `file_path` are kept, borrowed from the input.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use rayon::prelude::*;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use webrunner_record::Record;

use crate::cluster::{cluster_items, Cluster, Failure, Item};
use crate::flat_json::{flat_entry, short_escapes_only};
use crate::list_parts;
use crate::pystr::truthy_text;
use crate::read_file::read_file;
use crate::{junit, ClusterError, Rules};

/// What kind of file the failures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A JSON list of failure entries.
    FailureList,
    /// A `records.json` (failed records).
    Records,
    /// A JUnit XML report (`<failure>` / `<error>` test cases).
    JUnit,
}

impl InputKind {
    /// A short name: `failures`, `records` or `junit`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::FailureList => "failures",
            InputKind::Records => "records",
            InputKind::JUnit => "junit",
        }
    }
}

/// Clusters read from a file.
#[derive(Debug, Clone)]
pub struct FileClusters {
    /// What the file held.
    pub kind: InputKind,
    /// Number of failures read.
    pub failures: usize,
    /// Number of clusters before the `top_n` cut.
    pub total_clusters: usize,
    /// The clusters, largest first.
    pub clusters: Vec<Cluster>,
}

/// Reads `path` and clusters its failures (see [`cluster_bytes`]).
///
/// Fails with [`ClusterError::Read`] when the file cannot be read, else as [`cluster_bytes`].
pub fn cluster_file(
    path: &Path,
    top_n: Option<i64>,
    rules: Rules,
) -> Result<FileClusters, ClusterError> {
    let bytes = read_file(path).map_err(|cause| ClusterError::Read {
        path: path.display().to_string(),
        cause,
    })?;
    cluster_bytes(&bytes, &path.display().to_string(), top_n, rules)
}

/// Clusters the failures in `bytes`: JSON (a list of failures, or records) or JUnit XML,
/// told apart by their first character; a UTF-8 byte-order mark is skipped. `origin` names
/// the input in errors.
///
/// Fails with [`ClusterError::Json`] / [`ClusterError::Xml`] on malformed text,
/// [`ClusterError::NotAnObject`] when a list entry is not an object, and
/// [`ClusterError::Shape`] when the document is neither form.
pub fn cluster_bytes(
    bytes: &[u8],
    origin: &str,
    top_n: Option<i64>,
    rules: Rules,
) -> Result<FileClusters, ClusterError> {
    let (kind, items) = parse_items(bytes, origin)?;
    let failures = items.len();
    let mut clusters = cluster_items(&items, None, rules);
    // The messages were made on the worker threads: they are freed there too, in parallel,
    // instead of one by one on this thread.
    items.into_par_iter().for_each(drop);
    let total_clusters = clusters.len();
    if let Some(n) = top_n {
        clusters.truncate(n.max(0) as usize);
    }
    Ok(FileClusters {
        kind,
        failures,
        total_clusters,
        clusters,
    })
}

/// Reads the failures in `bytes` (any accepted form) as owned [`Failure`]s.
///
/// Fails as [`cluster_bytes`] does.
pub fn parse_failures(
    bytes: &[u8],
    origin: &str,
) -> Result<(InputKind, Vec<Failure>), ClusterError> {
    let (kind, items) = parse_items(bytes, origin)?;
    let failures = items
        .into_iter()
        .map(|i| Failure {
            function_name: None,
            message: i.text().into_owned(),
            file_path: i.file_path.map(Cow::into_owned),
        })
        .collect();
    Ok((kind, failures))
}

/// Reads the failures in the file at `path` (see [`parse_failures`]).
///
/// Fails with [`ClusterError::Read`] when the file cannot be read, else as [`parse_failures`].
pub fn load_failures(path: &Path) -> Result<(InputKind, Vec<Failure>), ClusterError> {
    let bytes = read_file(path).map_err(|cause| ClusterError::Read {
        path: path.display().to_string(),
        cause,
    })?;
    parse_failures(&bytes, &path.display().to_string())
}

pub(crate) fn parse_items<'a>(
    bytes: &'a [u8],
    origin: &str,
) -> Result<(InputKind, Vec<Item<'a>>), ClusterError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'<') => Ok((InputKind::JUnit, junit::parse(bytes, origin)?)),
        Some(b'[') => parse_list(bytes, origin),
        Some(b'{') => {
            let file: RecordsObject =
                serde_json::from_slice(bytes).map_err(|e| json_error(origin, &e))?;
            let records = file.records.ok_or_else(|| ClusterError::Shape {
                origin: origin.to_string(),
                message: "a JSON object must hold the records under a \"records\" key; expected a list of failures, a records.json or a JUnit XML file".into(),
            })?;
            Ok((InputKind::Records, records_to_items(records)))
        }
        _ => Err(ClusterError::Shape {
            origin: origin.to_string(),
            message: "expected a JSON list of failures, a records.json or a JUnit XML file".into(),
        }),
    }
}

#[derive(Deserialize)]
struct RecordsObject {
    records: Option<Vec<Record>>,
}

fn json_error(origin: &str, e: &serde_json::Error) -> ClusterError {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    };
    ClusterError::Json {
        origin: origin.to_string(),
        message,
        line: e.line(),
        column: e.column(),
    }
}

fn records_to_items<'a>(records: Vec<Record>) -> Vec<Item<'a>> {
    records
        .into_iter()
        .filter(Record::failed)
        .map(|r| {
            Item::new(
                Cow::Owned(r.error.unwrap_or_default()),
                r.flow.filter(|f| !f.is_empty()).map(Cow::Owned),
            )
        })
        .collect()
}

/// Byte ranges of the elements of a top-level JSON array, found by a quick scan that only
/// tracks strings and nesting; `None` when the text is not a well-formed-looking array (the
/// full parser then reports what is wrong and where).
fn split_elements(bytes: &[u8]) -> Option<Vec<(usize, usize)>> {
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = 0;
    while i < bytes.len() && ws(bytes[i]) {
        i += 1;
    }
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut out = Vec::new();
    loop {
        while i < bytes.len() && ws(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) == Some(&b']') && out.is_empty() {
            i += 1;
            break;
        }
        let start = i;
        let end;
        (end, i) = element_end(bytes, start)?;
        out.push((start, end));
        while i < bytes.len() && ws(bytes[i]) {
            i += 1;
        }
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                i += 1;
                break;
            }
            _ => return None,
        }
    }
    while i < bytes.len() && ws(bytes[i]) {
        i += 1;
    }
    (i == bytes.len()).then_some(out)
}

/// The end of the array element starting at `start` (trailing whitespace left out) and
/// where the scan stopped: just past a string or a closed object or list, or at the `,` or
/// `]` after any other value. `None` when the text ends first or the element is empty.
pub(crate) fn element_end(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = start;
    let mut depth = 0usize;
    loop {
        let b = *bytes.get(i)?;
        match b {
            b'"' => {
                i += 1;
                loop {
                    let k = i + quote_or_backslash(bytes.get(i..)?)?;
                    if bytes[k] == b'\\' {
                        i = k + 2;
                    } else {
                        i = k + 1;
                        break;
                    }
                }
                if depth == 0 {
                    break;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                if depth == 0 {
                    i += 1;
                    break;
                }
            }
            b',' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    let mut end = i;
    while end > start && ws(bytes[end - 1]) {
        end -= 1;
    }
    (end > start).then_some((end, i))
}

/// Position of the first `"` or `\` in `hay`.
fn quote_or_backslash(hay: &[u8]) -> Option<usize> {
    memchr::memchr2(b'"', b'\\', hay)
}

/// The entry `text` holds (one list element, surrounding whitespace allowed): read by the
/// flat reader when it can, else by serde_json; `None` when it is not one JSON value.
pub(crate) fn one_entry(text: &[u8]) -> Option<Entry<'_>> {
    match std::str::from_utf8(text).ok().and_then(flat_entry) {
        Some(fields) => Some(Entry::Object(fields)),
        None => serde_json::from_slice(text).ok(),
    }
}

/// Parses the entries of a failure list, in parallel for large inputs.
fn parse_entries<'a>(bytes: &'a [u8], origin: &str) -> Result<Vec<Entry<'a>>, ClusterError> {
    if bytes.len() >= 1 << 20 {
        if let Some(ranges) = split_elements(bytes) {
            let parsed: Option<Vec<Vec<Entry<'a>>>> = ranges
                .par_chunks(2048)
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|&(s, e)| one_entry(&bytes[s..e]))
                        .collect()
                })
                .collect();
            if let Some(parts) = parsed {
                return Ok(parts.into_iter().flatten().collect());
            }
        }
    }
    serde_json::from_slice(bytes).map_err(|e| json_error(origin, &e))
}

fn parse_list<'a>(
    bytes: &'a [u8],
    origin: &str,
) -> Result<(InputKind, Vec<Item<'a>>), ClusterError> {
    if bytes.len() >= 1 << 20 {
        if let Some(items) = list_parts::items_in_parts(bytes) {
            return Ok((InputKind::FailureList, items));
        }
    }
    let entries: Vec<Entry<'a>> = parse_entries(bytes, origin)?;
    let looks_like_records = !entries.is_empty()
        && entries
            .iter()
            .all(|e| matches!(e, Entry::Object(f) if f.has_status && f.has_command));
    if looks_like_records {
        let records: Vec<Record> =
            serde_json::from_slice(bytes).map_err(|e| json_error(origin, &e))?;
        return Ok((InputKind::Records, records_to_items(records)));
    }
    if let Some((index, found)) = entries.iter().enumerate().find_map(|(i, e)| match e {
        Entry::Other(found) => Some((i, *found)),
        Entry::Object(_) => None,
    }) {
        return Err(ClusterError::NotAnObject {
            origin: origin.to_string(),
            index,
            found,
        });
    }
    let items = if entries.len() >= 4096 {
        entries
            .into_par_iter()
            .with_min_len(1024)
            .map(entry_item)
            .collect()
    } else {
        entries.into_iter().map(entry_item).collect()
    };
    Ok((InputKind::FailureList, items))
}

/// The failure an object entry describes.
pub(crate) fn entry_item(entry: Entry<'_>) -> Item<'_> {
    let fields = match entry {
        Entry::Object(fields) => fields,
        Entry::Other(_) => Fields::default(),
    };
    {
        let message_of = |text| message_of(text, fields.checked);
        let (message, escaped) = fields
            .exception
            .and_then(message_of)
            .or_else(|| fields.error.and_then(message_of))
            .unwrap_or((Cow::Borrowed(""), false));
        let file_path = fields.file_path.and_then(|text| {
            if !text.starts_with('"') || text.len() <= 2 {
                None
            } else {
                truthy_text(text)
            }
        });
        Item {
            message,
            escaped,
            file_path,
        }
    }
}

/// A message field's text, Python-truthy, and whether it is still escaped: a string with
/// escapes stays escaped here and is decoded where it is read.
fn message_of(text: &str, checked: bool) -> Option<(Cow<'_, str>, bool)> {
    match escaped_body(text, checked) {
        Some(inner) => Some((Cow::Borrowed(inner), true)),
        None => truthy_text(text).map(|m| (m, false)),
    }
}

/// The body of the JSON string `text` when it has escapes, all of them short ones (so the
/// message is truthy and can be decoded later without serde_json).
fn escaped_body(text: &str, checked: bool) -> Option<&str> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (memchr::memchr(b'\\', inner.as_bytes()).is_some() && (checked || short_escapes_only(inner)))
        .then_some(inner)
}

/// One entry of a failure list: an object's interesting fields, or Python's type name of
/// whatever else it is.
pub(crate) enum Entry<'a> {
    Object(Fields<'a>),
    Other(&'static str),
}

/// The fields of a failure object the reader keeps: raw JSON text of the values.
#[derive(Default)]
pub(crate) struct Fields<'a> {
    pub(crate) exception: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
    pub(crate) file_path: Option<&'a str>,
    pub(crate) has_status: bool,
    pub(crate) has_command: bool,
    /// Read by the flat reader, which accepts strings with short escapes only and no control
    /// characters: their escapes need no second look.
    pub(crate) checked: bool,
}

impl<'de: 'a, 'a> Deserialize<'de> for Entry<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor(std::marker::PhantomData))
    }
}

/// The raw JSON text of the next value of `map`.
fn raw<'de, A: MapAccess<'de>>(map: &mut A) -> Result<&'de str, A::Error> {
    Ok(map.next_value::<&'de RawValue>()?.get())
}

struct EntryVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for EntryVisitor<'a> {
    type Value = Entry<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a failure object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "exception" => fields.exception = Some(raw(&mut map)?),
                "error" => fields.error = Some(raw(&mut map)?),
                "file_path" => fields.file_path = Some(raw(&mut map)?),
                "status" => {
                    fields.has_status = true;
                    map.next_value::<IgnoredAny>()?;
                }
                "command" => {
                    fields.has_command = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Entry::Object(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Entry::Other("list"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Entry::Other("str"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Entry::Other("int"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Entry::Other("int"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Entry::Other("float"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Entry::Other("bool"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Entry::Other("NoneType"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn element_scan_finds_each_top_level_entry() {
        let text = br#" [ {"a": "x,]}\"", "b": [1, {"c": 2}]} , "s" , 12 ,null,[ ] ] "#;
        let ranges = split_elements(text).unwrap();
        let parts: Vec<&str> = ranges
            .iter()
            .map(|&(s, e)| std::str::from_utf8(&text[s..e]).unwrap())
            .collect();
        assert_eq!(
            parts,
            [
                r#"{"a": "x,]}\"", "b": [1, {"c": 2}]}"#,
                r#""s""#,
                "12",
                "null",
                "[ ]"
            ]
        );
        assert_eq!(split_elements(b"[]").unwrap().len(), 0);
        assert!(split_elements(b"[1,]").is_none());
        assert!(split_elements(b"[1] x").is_none());
        assert!(split_elements(b"[\"open").is_none());
    }

    #[test]
    fn large_lists_parse_in_parallel_with_the_same_result() {
        let mut text = String::from("[");
        for i in 0..30000 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                r#"{{"exception": "E{} \"q\"", "file_path": "f{}.py"}}"#,
                i % 50,
                i % 7
            ));
        }
        text.push(']');
        assert!(text.len() >= 1 << 20);
        let (kind, items) = parse_items(text.as_bytes(), "big").unwrap();
        assert_eq!(kind, InputKind::FailureList);
        assert_eq!(items.len(), 30000);
        assert_eq!(items[29999].text(), "E49 \"q\"");
        assert_eq!(items[29999].file_path.as_deref(), Some("f4.py"));
        let broken = text.replacen("{", "{\"x\": }", 1);
        assert!(matches!(
            parse_items(broken.as_bytes(), "big"),
            Err(ClusterError::Json { line: 1, .. })
        ));
        let not_object = format!("{}, 5]", &text[..text.len() - 1]);
        assert!(matches!(
            parse_items(not_object.as_bytes(), "big"),
            Err(ClusterError::NotAnObject {
                index: 30000,
                found: "int",
                ..
            })
        ));
    }

    fn kinds_and_messages(text: &str) -> (InputKind, Vec<(String, Option<String>)>) {
        let (kind, items) = parse_items(text.as_bytes(), "t").unwrap();
        (
            kind,
            items
                .into_iter()
                .map(|i| (i.text().into_owned(), i.file_path.map(Cow::into_owned)))
                .collect(),
        )
    }

    #[test]
    fn failure_list_takes_exception_then_error_and_string_file_paths() {
        let (kind, items) = kinds_and_messages(
            r#"[{"exception": "E1", "error": "x", "file_path": "a.py"},
                {"exception": null, "error": "E2", "file_path": 7},
                {"error": "say \"hi\"", "file_path": ""}]"#,
        );
        assert_eq!(kind, InputKind::FailureList);
        assert_eq!(
            items,
            vec![
                ("E1".into(), Some("a.py".into())),
                ("E2".into(), None),
                ("say \"hi\"".into(), None)
            ]
        );
    }

    #[test]
    fn an_escaped_message_and_its_plain_spelling_are_one_failure_text() {
        // Short escapes are decoded late, `\u` escapes by serde_json at once: all three
        // spell the same message.
        let text = r#"[{"error": "a\/b\n\"c\" 12"}, {"error": "a/b\n\u0022c\u0022 12"},
                       {"error": "a\u002fb\u000a\"c\" 12"}]"#;
        for rules in [Rules::Seed, Rules::Default] {
            let result = cluster_bytes(text.as_bytes(), "t.json", None, rules).unwrap();
            assert_eq!(result.clusters.len(), 1, "{rules}: {:#?}", result.clusters);
            assert_eq!(result.clusters[0].count, 3);
            assert_eq!(result.clusters[0].representative, "a/b\n\"c\" 12");
        }
    }

    #[test]
    fn non_object_entry_names_index_and_python_type() {
        let err = parse_items(br#"[{"error": "x"}, null]"#, "f.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.json: failure entry 1 is not an object: failure entries must be dicts, got NoneType"
        );
    }

    #[test]
    fn records_list_and_object_give_failed_records_with_flow() {
        let rec = |status: &str, err: &str| {
            format!(
                r#"{{"index":0,"command":"WR_click","status":"{status}","started_at":"2024-01-01T00:00:00Z","duration_ms":1.0,"attempts":1,"error":{err},"flow":"login.json"}}"#
            )
        };
        let list = format!("[{},{}]", rec("passed", "null"), rec("failed", "\"boom\""));
        let (kind, items) = kinds_and_messages(&list);
        assert_eq!(kind, InputKind::Records);
        assert_eq!(items, vec![("boom".into(), Some("login.json".into()))]);
        let object = format!("{{\"total\":2,\"records\":{list}}}");
        assert_eq!(kinds_and_messages(&object).1, items);
    }

    #[test]
    fn object_without_records_and_plain_text_are_shape_errors() {
        assert!(matches!(
            parse_items(br#"{"a": 1}"#, "t"),
            Err(ClusterError::Shape { .. })
        ));
        assert!(matches!(
            parse_items(b"hello", "t"),
            Err(ClusterError::Shape { .. })
        ));
    }

    #[test]
    fn broken_json_reports_line_and_column() {
        let err = parse_items(b"[\n{\"error\": }]", "x.json").unwrap_err();
        assert!(matches!(err, ClusterError::Json { line: 2, .. }), "{err}");
    }

    /// Pieces of text that make flat failure objects, well-formed or not.
    fn piece() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            " ",
            "\n",
            "\"exception\"",
            "\"error\"",
            "\"file_path\"",
            "\"status\"",
            "\"command\"",
            "\"x\"",
            "\"err\\u006fr\"",
            "null",
            "true",
            "false",
            "nul",
            "1",
            "\"\"",
            "\"a b\"",
            "\"a\\\"b\"",
            "\"\\n\\t\\/\\\\\"",
            "\"\\u0041\"",
            "\"\\x\"",
            "\"a\tb\"",
            "\"é\"",
            "\"",
        ])
    }

    fn object_text() -> impl Strategy<Value = String> {
        let pair = (piece(), piece()).prop_map(|(k, v)| format!("{k}: {v}"));
        prop_oneof![
            proptest::collection::vec(piece(), 0..14).prop_map(|p| p.concat()),
            proptest::collection::vec(pair, 0..5).prop_map(|p| format!("{{{}}}", p.join(", "))),
        ]
    }

    proptest::proptest! {
        #[test]
        fn flat_reader_agrees_with_serde_json(text in object_text()) {
            if let Some(fast) = flat_entry(&text) {
                let Ok(Entry::Object(slow)) = serde_json::from_str::<Entry<'_>>(&text) else {
                    panic!("serde_json rejects {text:?}");
                };
                assert_eq!(fast.exception, slow.exception, "{text:?}");
                assert_eq!(fast.error, slow.error, "{text:?}");
                assert_eq!(fast.file_path, slow.file_path, "{text:?}");
                assert_eq!(fast.has_status, slow.has_status, "{text:?}");
                assert_eq!(fast.has_command, slow.has_command, "{text:?}");
            }
        }

        #[test]
        fn string_decoding_agrees_with_serde_json(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "é", " ", "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\u0041", "\\q", "\t"]),
                0..10,
            )
        ) {
            let inner = parts.concat();
            if let Some(fast) = crate::flat_json::unescape(&inner) {
                let slow: String = serde_json::from_str(&format!("\"{inner}\"")).unwrap();
                assert_eq!(fast, slow);
            }
        }
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let (kind, items) = kinds_and_messages("\u{feff}[{\"error\": \"x\"}]");
        assert_eq!(kind, InputKind::FailureList);
        assert_eq!(items.len(), 1);
    }
}

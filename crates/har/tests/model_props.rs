//! Property tests: on random HAR-like documents, the streaming reader (with tiny and default
//! buffers), the in-memory path and a line-by-line model of the Python seed all agree.

mod support;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use support::model_diff;
use webrunner_har::{
    diff_har, diff_har_str, diff_indexes, index_har_value, read_har_tuned, DiffOptions,
    HarDiffError, Tuning,
};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(Value::from),
        Just(json!(0.0)),
        Just(json!(1.5)),
        Just(json!("")),
        "[a-z\"\\\\\u{e9}\u{1F600}]{0,6}".prop_map(Value::String),
    ]
}

/// Arbitrary JSON (small), used for fields the diff ignores.
fn junk() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("log".to_owned()),
                        Just("entries".to_owned()),
                        "[a-z]{1,3}"
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn method() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => prop_oneof![Just("GET"), Just("get"), Just("Post"), Just("DELETE"), Just("straße")]
            .prop_map(|m| Some(json!(m))),
        1 => Just(None),
        1 => prop_oneof![Just(json!("")), Just(json!(null)), Just(json!(0)), Just(json!(false)), Just(json!([]))]
            .prop_map(Some),
    ]
}

fn url() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        5 => prop_oneof![Just("/a"), Just("/b"), Just("/c?x=1"), Just("https://h/é"), Just("/\"q\"")]
            .prop_map(|u| Some(json!(u))),
        1 => Just(None),
        1 => prop_oneof![Just(json!("")), Just(json!(null)), Just(json!({}))].prop_map(Some),
    ]
}

fn status() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        6 => prop_oneof![Just(200), Just(304), Just(404), Just(500), Just(0), Just(-1)]
            .prop_map(|s| Some(json!(s))),
        1 => Just(None),
        1 => prop_oneof![Just(json!("200")), Just(json!(200.0)), Just(json!(true)), Just(json!(null)), Just(json!([1]))]
            .prop_map(Some),
    ]
}

fn entry() -> impl Strategy<Value = Value> {
    (method(), url(), status(), junk(), 0u8..12).prop_map(|(m, u, s, extra, shape)| {
        let mut request = Map::new();
        if let Some(m) = m {
            request.insert("method".into(), m);
        }
        if let Some(u) = u {
            request.insert("url".into(), u);
        }
        request.insert("headers".into(), json!([{"name": "x", "value": "y"}]));
        let mut response = Map::new();
        if let Some(s) = s {
            response.insert("status".into(), s);
        }
        response.insert("content".into(), json!({"size": 3, "text": "QUJD"}));
        match shape {
            0 => json!({"request": request}),
            1 => json!({"response": response}),
            2 => json!({"request": null, "response": null}),
            3 => json!({"request": request, "response": null, "_x": extra}),
            4 => json!({"_entries": extra, "request": request, "response": response}),
            _ => json!({"request": request, "response": response, "time": 1.5}),
        }
    })
}

fn har_doc() -> impl Strategy<Value = Value> {
    (prop::collection::vec(entry(), 0..12), junk(), 0u8..10).prop_map(|(entries, extra, shape)| {
        match shape {
            0 => json!({"log": {"pages": extra, "entries": entries}}),
            1 => json!({"x": extra, "log": {"creator": {"name": "log"}, "entries": entries}}),
            2 => json!({"log": {"version": "1.2"}}),
            _ => json!({"log": {"version": "1.2", "entries": entries, "comment": "entries"}}),
        }
    })
}

fn seed_json(result: Result<webrunner_har::HarDiff, HarDiffError>) -> Result<Value, ()> {
    result
        .map(|d| serde_json::to_value(d).unwrap())
        .map_err(|_| ())
}

/// Streams `text` with the given buffer sizes and diffs against an empty HAR.
fn tuned_against_empty(text: &str, tuning: Tuning) -> Result<Value, ()> {
    let options = DiffOptions::default();
    let left = read_har_tuned(text.as_bytes(), "left", &options, tuning).map_err(|_| ())?;
    let right = index_har_value(&json!({"log": {}}), "right", &options).map_err(|_| ())?;
    diff_indexes(&left, &right, &options)
        .map(|r| serde_json::to_value(r).unwrap())
        .map_err(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn streaming_in_memory_and_model_agree(left in har_doc(), right in har_doc(), pretty in any::<bool>()) {
        let render = |v: &Value| if pretty { serde_json::to_string_pretty(v).unwrap() } else { v.to_string() };
        let model = model_diff(&left, &right).map_err(|_| ());
        prop_assert_eq!(seed_json(diff_har(&left, &right)), model.clone());
        prop_assert_eq!(seed_json(diff_har_str(&render(&left), &render(&right))), model);
    }

    #[test]
    fn buffer_sizes_never_change_the_result(doc in har_doc(), buffer in 8usize..64, max in 16usize..200) {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let reference = tuned_against_empty(&text, Tuning::default());
        prop_assert_eq!(reference.clone(), model_diff(&doc, &json!({"log": {}})).map_err(|_| ()));
        let tuned = tuned_against_empty(&text, Tuning { buffer_bytes: buffer, max_element_bytes: max });
        prop_assert_eq!(tuned, reference);
    }

    #[test]
    fn a_document_never_differs_from_itself(doc in har_doc()) {
        if let Ok(d) = diff_har(&doc, &doc) {
            prop_assert!(d.is_empty());
        }
    }

    #[test]
    fn truncating_a_document_is_a_json_error_never_a_panic(doc in har_doc(), cut in 0.0f64..1.0) {
        let text = doc.to_string();
        let at = ((text.len() as f64) * cut) as usize;
        let Some(prefix) = text.get(..at) else { return Ok(()); };
        let small = Tuning { buffer_bytes: 16, max_element_bytes: 32 };
        let result = read_har_tuned(prefix.as_bytes(), "t", &DiffOptions::default(), small);
        if at < text.len() {
            prop_assert!(matches!(result, Err(HarDiffError::Json { .. })), "{:?}", result.err());
        }
    }

    #[test]
    fn syntax_errors_are_reported_where_serde_json_reports_them(
        doc in har_doc(),
        pretty in any::<bool>(),
        at in any::<prop::sample::Index>(),
        garbage in prop::sample::select(vec![b',', b':', b'}', b']', b'{', b'[', b'"', b'x', b'1', b'\\', b' ', b'\n']),
        tiny in any::<bool>(),
    ) {
        let text = if pretty { serde_json::to_string_pretty(&doc).unwrap() } else { doc.to_string() };
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        if !bytes[i].is_ascii() {
            return Ok(());
        }
        bytes[i] = garbage;
        let tuning = if tiny { Tuning { buffer_bytes: 16, max_element_bytes: 48 } } else { Tuning::default() };
        let ours = read_har_tuned(bytes.as_slice(), "c", &DiffOptions::default(), tuning);
        match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            Ok(_) => prop_assert!(!matches!(ours, Err(HarDiffError::Json { .. })), "{:?}", ours.err()),
            Err(expected) => match ours {
                Err(HarDiffError::Json { line, column, .. }) => {
                    // serde_json's slice and stream readers place a raw newline inside a string
                    // differently (before it / after it); either is accepted.
                    let streamed = serde_json::from_reader::<_, serde::de::IgnoredAny>(bytes.as_slice())
                        .err()
                        .map(|e| (e.line(), e.column()));
                    prop_assert!(
                        (line, column) == (expected.line(), expected.column()) || Some((line, column)) == streamed,
                        "ours {:?}, serde_json {} / stream {:?}", (line, column), expected, streamed
                    );
                }
                other => prop_assert!(false, "expected a JSON error like {}, got {:?}", expected, other.err()),
            },
        }
    }
}

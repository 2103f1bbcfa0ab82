//! Each rule of the timeline, and its printing as the Python WebRunner prints it.

use super::*;
use serde_json::json;

fn sources(
    spans: Value,
    console: Value,
    responses: Value,
) -> Result<Vec<TimelineEvent>, TimelineError> {
    build(
        spans.to_string().as_bytes(),
        console.to_string().as_bytes(),
        responses.to_string().as_bytes(),
    )
}

fn one(spans: Value, console: Value, responses: Value) -> Vec<TimelineEvent> {
    sources(spans, console, responses).expect("builds")
}

fn coerce_timestamp(v: Option<&Value>) -> Option<f64> {
    let text = json!([{ "ts": v }]).to_string();
    let e = from_console(text.as_bytes()).expect("reads");
    // A message without a usable timestamp is placed at its index, 0 here.
    Some(e[0].timestamp_ms).filter(|t| *t != 0.0)
}

#[test]
fn spans_give_start_and_end_with_duration_and_skip_without_start() {
    let e = one(
        json!([{"name": "load", "start": "10", "end_ms": 25, "attrs": {"k": 1}},
               {"name": "", "start_ms": 3}, {"name": "gone", "end": 4}]),
        json!(null),
        json!(null),
    );
    let kinds: Vec<_> = e.iter().map(|x| (x.kind(), x.label.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("span.start", "span"),
            ("span.start", "load"),
            ("span.end", "load")
        ]
    );
    assert_eq!(e[0].payload_value(), json!({"end_ms": null, "attrs": {}}));
    assert_eq!(e[2].payload_value()["duration_ms"], json!(15.0));
}

#[test]
fn console_uses_timestamp_ms_then_ts_then_index_and_type_or_log() {
    let e = one(
        json!(null),
        json!([{"text": "a"}, {"ts": "0.5", "type": "error", "location": "a.js:1"}]),
        json!(null),
    );
    assert_eq!(e[0].timestamp_ms, 0.0);
    assert_eq!((e[0].label.as_str(), e[1].label.as_str()), ("log", "error"));
    assert_eq!(e[1].timestamp_ms, 0.5);
    assert_eq!(
        e[1].payload_value(),
        json!({"text": null, "location": "a.js:1"})
    );
}

#[test]
fn responses_label_method_and_status_with_defaults() {
    let e = one(
        json!(null),
        json!(null),
        json!([{"url": "u", "timestamp_ms": 9}, {"status": null, "method": "POST", "ts": 1}]),
    );
    assert_eq!(e[0].label, "POST None");
    assert_eq!(e[1].label, "GET ?");
    assert_eq!(
        e[1].payload_value(),
        json!({"url": "u", "status": null, "ok": null})
    );
}

#[test]
fn merge_is_a_stable_sort_by_timestamp() {
    let e = one(
        json!([{"name": "s", "start": 1}]),
        json!([{"text": "c", "ts": 1}, {"text": "d", "ts": 0}]),
        json!([{"ts": 1}]),
    );
    let kinds: Vec<_> = e.iter().map(TimelineEvent::kind).collect();
    assert_eq!(kinds, ["console", "span.start", "console", "response"]);
}

#[test]
fn numeric_strings_count_and_other_strings_do_not() {
    assert_eq!(coerce_timestamp(Some(&json!(" 1_0.5 "))), Some(10.5));
    assert_eq!(coerce_timestamp(Some(&json!("abc"))), None);
    assert_eq!(coerce_timestamp(Some(&json!(""))), None);
    assert_eq!(coerce_timestamp(Some(&json!([1]))), None);
    assert_eq!(coerce_timestamp(Some(&json!(true))), Some(1.0));
    assert_eq!(coerce_timestamp(Some(&json!({"a": 1}))), None);
}

#[test]
fn bad_sources_and_non_finite_timestamps_are_errors() {
    let err = sources(json!({"a": 1}), json!(null), json!(null)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spans: expected a JSON list of objects, got an object"
    );
    let err = sources(json!(null), json!([{}, 1]), json!(null)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "console[1]: expected an object, got a number"
    );
    assert!(sources(json!(null), json!(null), json!([{"ts": "inf"}])).is_err());
    assert!(sources(json!({}), json!(""), json!(0)).is_ok());
    assert!(sources(json!(true), json!(null), json!(null)).is_err());
    let err = build(b"[", b"[]", b"[]").unwrap_err().to_string();
    assert!(err.starts_with("spans: not valid JSON"), "{err}");
    // The first error in the order spans, console, responses is the one given.
    let err = sources(json!(null), json!([1]), json!("x")).unwrap_err();
    assert_eq!(err.source_name, "console");
}

#[test]
fn json_is_printed_as_python_prints_it() {
    let e = one(
        json!([{"name": "ü", "start": 1e16, "end": "0.00001"}]),
        json!(null),
        json!(null),
    );
    assert_eq!(
        to_json(&e),
        r#"[{"timestamp_ms": 1e-05, "kind": "span.end", "label": "\u00fc", "payload": {"duration_ms": -1e+16}}, {"timestamp_ms": 1e+16, "kind": "span.start", "label": "\u00fc", "payload": {"end_ms": 1e-05, "attrs": {}}}]"#
    );
    assert_eq!(to_json(&[]), "[]");
    let mut out = Vec::new();
    write_events(&e[..1], &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), to_json(&e[..1]) + "\n");
    assert_eq!(py_float(1234.0), "1234.0");
    assert_eq!(py_float(0.0001), "0.0001");
    assert_eq!(py_float(123456.789), "123456.789");
}

#[test]
fn duplicate_keys_keep_the_last_value_and_null_counts_as_present() {
    let text = br#"[{"ts": 1, "ts": 7, "text": "x"}, {"timestamp_ms": null, "ts": 9}]"#;
    let e = build(b"null", text, b"[]").unwrap();
    // The second message's `timestamp_ms` is present but null: its index (1) is used.
    assert_eq!(
        e.iter().map(|x| x.timestamp_ms).collect::<Vec<_>>(),
        [1.0, 7.0]
    );
}

#[test]
fn responses_keep_a_usable_duration_for_the_trace() {
    let e = one(
        json!(null),
        json!(null),
        json!([{"ts": 1, "duration_ms": "2.5"}, {"ts": 2, "duration_ms": -1}]),
    );
    let durations: Vec<_> = e
        .iter()
        .map(|x| match x.kind {
            Kind::Response { duration_ms } => duration_ms,
            _ => None,
        })
        .collect();
    assert_eq!(durations, [Some(2.5), None]);
    assert!(!to_json(&e).contains("duration"));
}

#[test]
fn payload_values_print_as_python_prints_them() {
    let e = one(
        json!([{"start": 1, "attrs": {"é": [1.5e-7, null, true, {"x": 100000000000000000000.0}], "n": -0}}]),
        json!([{"ts": 2, "text": "a\u{0}b", "location": {"l": 1e16}}]),
        json!([{"ts": 3, "status": 2.0, "method": [1, "a"], "url": "", "ok": 0}]),
    );
    assert_eq!(
        e[0].payload,
        r#"{"end_ms": null, "attrs": {"\u00e9": [1.5e-07, null, true, {"x": 1e+20}], "n": 0}}"#
    );
    assert_eq!(
        e[1].payload,
        r#"{"text": "a\u0000b", "location": {"l": 1e+16}}"#
    );
    assert_eq!(e[2].label, "[1, 'a'] 2.0");
    assert_eq!(e[2].payload, r#"{"url": "", "status": 2.0, "ok": 0}"#);
}

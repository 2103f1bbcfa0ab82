//! Every rule of SPEC §5 (the Python seed's `diff_har`), through all three entry points:
//! parsed values, JSON text (streamed) and files.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::{har, har_of, model_diff};
use webrunner_har::{
    diff_har, diff_har_files, diff_har_str, HarDiff, HarDiffError, HarShapeProblem, JsonKind,
};

/// Diffs through every entry point, checks they agree with each other and with the model,
/// and returns the JSON.
fn diff_all(left: &Value, right: &Value) -> Value {
    let from_values = diff_har(left, right).expect("diff of values");
    let from_text = diff_har_str(&left.to_string(), &right.to_string()).expect("diff of text");
    let pretty = diff_har_str(
        &serde_json::to_string_pretty(left).unwrap(),
        &serde_json::to_string_pretty(right).unwrap(),
    )
    .expect("diff of pretty text");
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = (dir.path().join("l.har"), dir.path().join("r.har"));
    std::fs::write(&l, left.to_string()).unwrap();
    std::fs::write(&r, right.to_string()).unwrap();
    let from_files = diff_har_files(&l, &r).expect("diff of files");
    assert_eq!(from_values, from_text);
    assert_eq!(from_values, pretty);
    assert_eq!(from_values, from_files);
    let json = serde_json::to_value(&from_values).unwrap();
    assert_eq!(Ok(json.clone()), model_diff(left, right), "model disagrees");
    json
}

fn diff_text(left: &str, right: &str) -> Result<HarDiff, HarDiffError> {
    diff_har_str(left, right)
}

#[test]
fn result_serialises_to_the_seed_json_shape() {
    let left = har(&[
        ("GET", "/same", 200),
        ("GET", "/gone", 200),
        ("POST", "/flip", 200),
    ]);
    let right = har(&[
        ("GET", "/same", 200),
        ("POST", "/flip", 500),
        ("PUT", "/new", 201),
    ]);
    assert_eq!(
        diff_all(&left, &right),
        json!({
            "added": [{"method": "PUT", "url": "/new", "status": 201}],
            "removed": [{"method": "GET", "url": "/gone", "status": 200}],
            "changed": [{"method": "POST", "url": "/flip", "left_status": 200, "right_status": 500}],
        })
    );
    let text = serde_json::to_string(&diff_har(&left, &right).unwrap()).unwrap();
    assert!(text.starts_with("{\"added\":[{\"method\":\"PUT\",\"url\":\"/new\",\"status\":201}]"));
}

#[test]
fn method_is_upper_cased_for_the_key_and_in_the_output() {
    let left = har(&[("get", "/a", 200)]);
    let right = har(&[("GeT", "/a", 404), ("post", "/b", 200)]);
    assert_eq!(
        diff_all(&left, &right),
        json!({
            "added": [{"method": "POST", "url": "/b", "status": 200}],
            "removed": [],
            "changed": [{"method": "GET", "url": "/a", "left_status": 200, "right_status": 404}],
        })
    );
}

#[test]
fn url_is_compared_verbatim() {
    let left = har(&[("GET", "https://h/a?x=1", 200)]);
    let right = har(&[("GET", "https://H/a?x=1", 200)]);
    let d = diff_all(&left, &right);
    assert_eq!(d["added"][0]["url"], "https://H/a?x=1");
    assert_eq!(d["removed"][0]["url"], "https://h/a?x=1");
}

#[test]
fn later_entry_of_a_key_wins() {
    let left = har(&[("GET", "/a", 200), ("GET", "/a", 304)]);
    let right = har(&[("GET", "/a", 304)]);
    assert_eq!(
        diff_all(&left, &right),
        json!({"added": [], "removed": [], "changed": []})
    );
    let right = har(&[("GET", "/a", 304), ("GET", "/a", 500)]);
    assert_eq!(
        diff_all(&left, &right)["changed"],
        json!([{"method": "GET", "url": "/a", "left_status": 304, "right_status": 500}])
    );
}

#[test]
fn key_keeps_the_position_of_its_first_appearance() {
    let left = har(&[]);
    let right = har(&[
        ("GET", "/a", 200),
        ("GET", "/b", 200),
        ("GET", "/a", 404),
        ("GET", "/c", 200),
    ]);
    assert_eq!(
        diff_all(&left, &right)["added"],
        json!([
            {"method": "GET", "url": "/a", "status": 404},
            {"method": "GET", "url": "/b", "status": 200},
            {"method": "GET", "url": "/c", "status": 200},
        ])
    );
}

#[test]
fn added_follows_the_right_order_removed_and_changed_the_left() {
    let left = har(&[
        ("GET", "/z", 200),
        ("GET", "/y", 200),
        ("GET", "/c2", 200),
        ("GET", "/c1", 200),
    ]);
    let right = har(&[
        ("GET", "/c1", 500),
        ("GET", "/n2", 200),
        ("GET", "/c2", 500),
        ("GET", "/n1", 200),
    ]);
    let d = diff_all(&left, &right);
    let urls = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["url"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(urls(&d["added"]), ["/n2", "/n1"]);
    assert_eq!(urls(&d["removed"]), ["/z", "/y"]);
    assert_eq!(urls(&d["changed"]), ["/c2", "/c1"]);
}

#[test]
fn entries_with_neither_method_nor_url_are_skipped() {
    let entries = vec![
        json!({"request": {}, "response": {"status": 200}}),
        json!({"request": null}),
        json!({}),
        json!({"request": {"method": "", "url": ""}}),
        json!({"request": {"method": null, "url": 0}}),
        json!({"request": [], "response": "ignored because the entry is skipped"}),
        json!({"request": "", "response": 5}),
        json!({"request": 0}),
        json!({"request": false}),
        json!({"request": {"method": false, "url": []}}),
        json!({"request": {"method": {}, "url": null}}),
    ];
    let d = diff_all(&har_of(entries), &har(&[]));
    assert_eq!(d, json!({"added": [], "removed": [], "changed": []}));
}

#[test]
fn entry_with_only_a_method_or_only_a_url_is_kept() {
    let entries = vec![
        json!({"request": {"method": "get"}, "response": {"status": 200}}),
        json!({"request": {"url": "/only-url"}, "response": {"status": 201}}),
    ];
    assert_eq!(
        diff_all(&har(&[]), &har_of(entries))["added"],
        json!([
            {"method": "GET", "url": "", "status": 200},
            {"method": "", "url": "/only-url", "status": 201},
        ])
    );
}

#[test]
fn non_integer_status_counts_as_zero() {
    let status_cases = [
        json!("200"),
        json!(200.0),
        json!(200.5),
        json!(null),
        json!([200]),
        json!({"code": 200}),
        json!(2e2),
    ];
    for status in status_cases {
        let entries = vec![
            json!({"request": {"method": "GET", "url": "/a"}, "response": {"status": status}}),
        ];
        let d = diff_all(&har(&[]), &har_of(entries));
        assert_eq!(d["added"][0]["status"], 0, "status {status}");
    }
    for response in [json!(null), json!({}), json!(""), json!([]), json!(0)] {
        let entries =
            vec![json!({"request": {"method": "GET", "url": "/a"}, "response": response})];
        assert_eq!(
            diff_all(&har(&[]), &har_of(entries))["added"][0]["status"],
            0
        );
    }
    let entries = vec![json!({"request": {"method": "GET", "url": "/a"}})];
    assert_eq!(
        diff_all(&har(&[]), &har_of(entries))["added"][0]["status"],
        0
    );
}

#[test]
fn integer_statuses_are_kept_as_is_and_booleans_count_as_integers() {
    for (status, expected) in [
        (json!(-1), json!(-1)),
        (json!(0), json!(0)),
        (json!(999_999), json!(999_999)),
        (json!(true), json!(1)),
        (json!(false), json!(0)),
        (json!(i64::MAX), json!(i64::MAX)),
    ] {
        let entries = vec![
            json!({"request": {"method": "GET", "url": "/a"}, "response": {"status": status}}),
        ];
        assert_eq!(
            diff_all(&har(&[]), &har_of(entries))["added"][0]["status"],
            expected
        );
    }
}

#[test]
fn status_zero_against_non_integer_is_not_a_change() {
    let left = har_of(vec![
        json!({"request": {"method": "GET", "url": "/a"}, "response": {"status": "oops"}}),
    ]);
    let right = har_of(vec![
        json!({"request": {"method": "GET", "url": "/a"}, "response": {"status": 0}}),
    ]);
    assert_eq!(diff_all(&left, &right)["changed"], json!([]));
}

#[test]
fn missing_entries_is_an_empty_list() {
    let left = json!({"log": {"version": "1.2"}});
    let right = har(&[("GET", "/a", 200)]);
    assert_eq!(diff_all(&left, &right)["added"][0]["url"], "/a");
    assert_eq!(diff_all(&right, &left)["removed"][0]["url"], "/a");
}

#[test]
fn unknown_fields_bodies_and_non_ascii_are_ignored_or_kept_exactly() {
    let entry = json!({
        "_custom": {"entries": [1, 2], "log": {}},
        "request": {"method": "gEt", "url": "https://пример.рф/ü?q=\"x\"", "headers": [{"name": "a", "value": "b"}],
                    "postData": {"mimeType": "text/plain", "text": "x".repeat(10_000)}},
        "response": {"status": 200, "content": {"size": 3, "text": "QUJD", "encoding": "base64"}},
    });
    let d = diff_all(&har(&[]), &har_of(vec![entry]));
    assert_eq!(
        d["added"],
        json!([{"method": "GET", "url": "https://пример.рф/ü?q=\"x\"", "status": 200}])
    );
}

#[test]
fn upper_casing_is_full_unicode_like_python() {
    let d = diff_all(&har(&[]), &har(&[("straße", "/a", 200)]));
    assert_eq!(d["added"][0]["method"], "STRASSE");
}

#[test]
fn utf8_byte_order_mark_is_accepted() {
    let text = har(&[("GET", "/a", 200)]).to_string();
    let with_bom = format!("\u{feff}{text}");
    let d = diff_text(&with_bom, &har(&[]).to_string()).unwrap();
    assert_eq!(d.removed.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.har");
    std::fs::write(&path, with_bom).unwrap();
    assert_eq!(diff_har_files(&path, &path).unwrap(), HarDiff::default());
}

#[test]
fn duplicate_json_keys_take_the_last_value_like_python() {
    // `log`, `entries`, `request`, `method` and `status` each appear twice.
    let left = r#"{"log": 5, "log": {"entries": [{"request": {"method": "GET", "url": "/x"}}],
        "entries": [{"request": 7, "request": {"method": 1, "method": "get", "url": "/a"},
                     "response": {"status": 1, "status": 404}}]}}"#;
    let d = diff_text(left, r#"{"log": {}}"#).unwrap();
    assert_eq!(
        serde_json::to_value(d).unwrap(),
        json!({"added": [], "removed": [{"method": "GET", "url": "/a", "status": 404}], "changed": []})
    );
    // A valid first `log` replaced by an invalid one is an error.
    let err = diff_text(r#"{"log": {"entries": []}, "log": []}"#, r#"{"log": {}}"#).unwrap_err();
    assert!(matches!(err, HarDiffError::NotHar { .. }), "{err}");
}

#[test]
fn escaped_keys_and_strings_are_decoded() {
    let left = r#"{"\u006cog": {"entr\u0069es": [{"request": {"m\u0065thod": "\u0047ET", "url": "\/a\u00e9"}}]}}"#;
    let d = diff_text(left, r#"{"log": {}}"#).unwrap();
    assert_eq!(d.removed[0].method, "GET");
    assert_eq!(d.removed[0].url, "/aé");
}

fn shape_error(left: &str) -> HarShapeProblem {
    match diff_text(left, r#"{"log": {}}"#) {
        Err(HarDiffError::NotHar {
            source_name,
            problem,
        }) => {
            assert_eq!(source_name, "left");
            problem
        }
        other => panic!("expected NotHar for {left}, got {other:?}"),
    }
}

#[test]
fn no_log_object_is_an_error() {
    assert_eq!(
        shape_error("{}"),
        HarShapeProblem::MissingLog { found: None }
    );
    assert_eq!(
        shape_error(r#"{"Log": {}}"#),
        HarShapeProblem::MissingLog { found: None }
    );
    assert_eq!(
        shape_error(r#"{"log": []}"#),
        HarShapeProblem::MissingLog {
            found: Some(("`log`", JsonKind::Array))
        }
    );
    assert_eq!(
        shape_error(r#"{"log": null}"#),
        HarShapeProblem::MissingLog {
            found: Some(("`log`", JsonKind::Null))
        }
    );
    assert_eq!(
        shape_error("[1, 2]"),
        HarShapeProblem::MissingLog {
            found: Some(("the top-level value", JsonKind::Array))
        }
    );
    assert_eq!(
        shape_error("\"log\""),
        HarShapeProblem::MissingLog {
            found: Some(("the top-level value", JsonKind::String))
        }
    );
    let err = diff_har(&json!({"no": "log"}), &har(&[])).unwrap_err();
    assert!(
        err.to_string().starts_with("left: not a HAR document"),
        "{err}"
    );
}

#[test]
fn entries_that_are_not_a_list_are_an_error() {
    for (text, kind) in [
        (r#"{"log": {"entries": null}}"#, JsonKind::Null),
        (r#"{"log": {"entries": {}}}"#, JsonKind::Object),
        (r#"{"log": {"entries": "[]"}}"#, JsonKind::String),
        (r#"{"log": {"entries": 0}}"#, JsonKind::Number),
    ] {
        assert_eq!(
            shape_error(text),
            HarShapeProblem::EntriesNotList { found: kind },
            "{text}"
        );
    }
}

#[test]
fn wrongly_typed_entries_are_errors_naming_the_entry() {
    assert_eq!(
        shape_error(r#"{"log": {"entries": [{}, 3]}}"#),
        HarShapeProblem::EntryNotObject {
            index: 1,
            found: JsonKind::Number
        }
    );
    assert_eq!(
        shape_error(r#"{"log": {"entries": [{"request": "GET /"}]}}"#),
        HarShapeProblem::RequestNotObject {
            index: 0,
            found: JsonKind::String
        }
    );
    assert_eq!(
        shape_error(r#"{"log": {"entries": [{"request": {"method": ["GET"]}}]}}"#),
        HarShapeProblem::MethodNotString {
            index: 0,
            found: JsonKind::Array
        }
    );
    assert_eq!(
        shape_error(r#"{"log": {"entries": [{"request": {"method": "GET", "url": 5}}]}}"#),
        HarShapeProblem::UrlNotString {
            index: 0,
            found: JsonKind::Number
        }
    );
    assert_eq!(
        shape_error(r#"{"log": {"entries": [{"request": {"url": "/a"}, "response": "200"}]}}"#),
        HarShapeProblem::ResponseNotObject {
            index: 0,
            found: JsonKind::String
        }
    );
    // The first problem in entry order is the one reported.
    assert_eq!(
        shape_error(r#"{"log": {"entries": [{}, {"request": 1}, 2]}}"#),
        HarShapeProblem::RequestNotObject {
            index: 1,
            found: JsonKind::Number
        }
    );
}

#[test]
fn bad_response_of_an_overridden_entry_is_not_an_error() {
    // The seed only reads the status of the entry that wins its key.
    let left = r#"{"log": {"entries": [{"request": {"url": "/a"}, "response": "x"},
                                       {"request": {"url": "/a"}, "response": {"status": 200}}]}}"#;
    let d = diff_text(left, r#"{"log": {}}"#).unwrap();
    assert_eq!(d.removed[0].status, 200);
}

#[test]
fn not_json_is_an_error_with_line_and_column() {
    let err = diff_text(
        "{\"log\": {\n  \"entries\": [\n    {\"request\": }\n  ]}}",
        "{}",
    )
    .unwrap_err();
    match err {
        HarDiffError::Json {
            source_name,
            line,
            column,
            message,
        } => {
            assert_eq!(source_name, "left");
            assert_eq!((line, column), (3, 17));
            assert!(message.contains("expected value"), "{message}");
        }
        other => panic!("expected Json, got {other:?}"),
    }
    for text in [
        "",
        "   ",
        "{",
        "{\"log\": {}",
        "{\"log\": {}} x",
        "{'log': {}}",
        "NaN",
        "[1,]",
    ] {
        let err = diff_text(text, r#"{"log": {}}"#).unwrap_err();
        assert!(
            matches!(err, HarDiffError::Json { .. }),
            "{text:?}: {err:?}"
        );
    }
}

#[test]
fn errors_on_the_right_name_the_right_side() {
    let err = diff_text(r#"{"log": {}}"#, "{").unwrap_err();
    assert_eq!(err.source_name(), "right");
    let err = diff_har(&har(&[]), &json!([])).unwrap_err();
    assert_eq!(err.source_name(), "right");
}

#[test]
fn left_errors_come_before_right_errors() {
    let err = diff_text("{", "[").unwrap_err();
    assert_eq!(err.source_name(), "left");
}

#[test]
fn missing_files_are_errors_naming_them_left_first() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.har");
    std::fs::write(&good, har(&[]).to_string()).unwrap();
    let bad = dir.path().join("missing.har");
    std::fs::write(dir.path().join("broken.har"), "{").unwrap();
    let broken = dir.path().join("broken.har");
    let err = diff_har_files(&bad, &good).unwrap_err();
    assert!(
        matches!(&err, HarDiffError::NotFound { source_name } if source_name.ends_with("missing.har"))
    );
    assert!(err.to_string().contains("not found"));
    let err = diff_har_files(&good, &bad).unwrap_err();
    assert!(err.to_string().contains("missing.har"));
    // Both files are checked for existence before either is parsed.
    let err = diff_har_files(&broken, &bad).unwrap_err();
    assert!(matches!(err, HarDiffError::NotFound { .. }), "{err}");
    let err = diff_har_files(&broken, &good).unwrap_err();
    assert!(
        matches!(&err, HarDiffError::Json { source_name, .. } if source_name.ends_with("broken.har"))
    );
}

#[test]
fn directory_and_non_utf8_inputs_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.har");
    std::fs::write(&good, har(&[]).to_string()).unwrap();
    let err = diff_har_files(dir.path(), &good).unwrap_err();
    assert!(matches!(err, HarDiffError::Io { .. }), "{err}");
    let latin1 = dir.path().join("latin1.har");
    std::fs::write(&latin1, b"{\"log\": {\"comment\": \"caf\xe9\"}}").unwrap();
    match diff_har_files(&latin1, &good).unwrap_err() {
        HarDiffError::NotUtf8 {
            source_name,
            offset,
        } => {
            assert!(source_name.ends_with("latin1.har"));
            assert_eq!(offset, 24);
        }
        other => panic!("expected NotUtf8, got {other:?}"),
    }
}

#[test]
fn error_messages_are_one_line_and_name_the_source() {
    let cases = [
        "{",
        "[]",
        r#"{"log": {"entries": 1}}"#,
        "cb({})",
        "\u{feff}{\"log\":[]}",
    ];
    for text in cases {
        let err = diff_text(text, r#"{"log": {}}"#).unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("left: "), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }
}

#[test]
fn jsonp_is_rejected_with_a_clear_error() {
    let err = diff_text("onInputData({\"log\": {}});", r#"{"log": {}}"#).unwrap_err();
    match &err {
        HarDiffError::Jsonp { callback, .. } => assert_eq!(callback, "onInputData"),
        other => panic!("expected Jsonp, got {other:?}"),
    }
    assert!(err.to_string().contains("--allow-jsonp"));
}

#[test]
fn writer_output_round_trips_through_the_file_diff() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.har");
    let mut log = webrunner_har::writer::Log::new(webrunner_har::writer::Creator::new("t", "1"));
    log.entries.push(webrunner_har::writer::Entry::new(
        "2024-01-01T00:00:00.000Z",
        webrunner_har::writer::Request::new("GET", "https://e/x", "HTTP/1.1"),
        webrunner_har::writer::Response::new(302, "Found", "HTTP/1.1", "text/html"),
    ));
    webrunner_har::writer::write_har(&path, &webrunner_har::writer::Har { log }).unwrap();
    let empty = dir.path().join("empty.har");
    std::fs::write(&empty, har(&[]).to_string()).unwrap();
    let d = diff_har_files(&empty, Path::new(&path)).unwrap();
    assert_eq!(
        serde_json::to_value(d.added).unwrap(),
        json!([{"method": "GET", "url": "https://e/x", "status": 302}])
    );
}

#[test]
fn invalid_utf8_cutting_a_token_is_reported_as_not_utf8_whatever_the_buffer_size() {
    // Found by fuzzing: `-` then an invalid byte, inside an entry and in the skeleton.
    let cases: [&[u8]; 3] = [
        b"{\"log\": {\"entries\": [{\"bodySize\": -\xff\xff}]}}",
        b"{\"log\": {\"entries\": [{\"request\": {\"url\": \"/a\xc3\"}}]}}",
        b"{\"log\": {\"version\": -\xff}}",
    ];
    for bytes in cases {
        let expected = bytes.iter().position(|b| *b >= 0x80).unwrap() as u64;
        for tuning in [
            webrunner_har::Tuning::default(),
            webrunner_har::Tuning {
                buffer_bytes: 8,
                max_element_bytes: 16,
            },
            webrunner_har::Tuning {
                buffer_bytes: 40,
                max_element_bytes: 1 << 20,
            },
        ] {
            let options = webrunner_har::DiffOptions::default();
            match webrunner_har::read_har_tuned(bytes, "u", &options, tuning) {
                Err(HarDiffError::NotUtf8 { offset, .. }) => assert_eq!(offset, expected),
                other => panic!("{tuning:?}: expected NotUtf8, got {:?}", other.err()),
            }
        }
    }
}

//! Reading a run folder: records as spans, evidence files or the records' own lists, the
//! optional spans.json, and errors that name the file.

use super::*;
use crate::timeline::Kind;

fn record(index: usize, status: &str, console: Value, network: Value) -> Value {
    json!({
        "index": index, "command": format!("WR_step{index}"), "status": status,
        "started_at": format!("2026-12-07T09:00:0{index}.250Z"), "duration_ms": 500.0,
        "attempts": 1, "error": if status == "failed" { json!("boom") } else { Value::Null },
        "flow": "login", "console": console, "network": network
    })
}

fn folder(records: Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("records.json"), records.to_string()).expect("write");
    dir
}

fn write(dir: &tempfile::TempDir, name: &str, v: Value) {
    std::fs::write(dir.path().join(name), v.to_string()).expect("write");
}

const T0: f64 = 1_796_634_000_000.0; // 2026-12-07T09:00:00Z

#[test]
fn records_become_spans_with_their_flow_index_status_and_error() {
    let dir = folder(json!([
        record(0, "passed", json!([]), json!([])),
        record(1, "failed", json!([]), json!([]))
    ]));
    let e = build_run(dir.path()).expect("reads");
    let kinds: Vec<_> = e.iter().map(|x| (x.kind(), x.label.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("span.start", "WR_step0"),
            ("span.end", "WR_step0"),
            ("span.start", "WR_step1"),
            ("span.end", "WR_step1")
        ]
    );
    assert_eq!(e[0].timestamp_ms, T0 + 250.0);
    assert_eq!(
        e[0].payload_value(),
        json!({"end_ms": T0 + 750.0, "attrs": {"flow": "login", "index": 0, "status": "passed", "attempts": 1}})
    );
    assert_eq!(e[2].payload_value()["attrs"]["error"], "boom");
}

#[test]
fn without_evidence_files_the_records_own_lists_are_used() {
    let console = json!([{"level": "error", "text": "bad", "url": "http://x/a.js", "line": 3,
                          "column": 7, "timestamp_ms": T0 + 300.0, "action": 0}]);
    let network = json!([
        {"method": "POST", "url": "http://x/api", "status": 500, "timestamp_ms": T0 + 260.0,
         "duration_ms": 40.0, "action": 0},
        {"method": "GET", "url": "http://x/slow", "timestamp_ms": T0 + 270.0, "action": 0}
    ]);
    let dir = folder(json!([record(0, "passed", console, network)]));
    let e = build_run(dir.path()).expect("reads");
    let console = e.iter().find(|x| x.kind() == "console").expect("console");
    assert_eq!(console.label, "error");
    assert_eq!(
        console.payload_value(),
        json!({"text": "bad", "location": "http://x/a.js:3:7"})
    );
    let responses: Vec<_> = e.iter().filter(|x| x.kind() == "response").collect();
    assert_eq!(responses[0].label, "POST 500");
    assert_eq!(
        responses[0].payload_value(),
        json!({"url": "http://x/api", "status": 500, "ok": false})
    );
    assert_eq!(
        responses[0].kind,
        Kind::Response {
            duration_ms: Some(40.0)
        }
    );
    assert_eq!(responses[1].label, "GET ?");
    assert_eq!(responses[1].payload_value()["ok"], true);
}

#[test]
fn evidence_files_replace_the_records_lists_and_spans_json_adds_spans() {
    let own = json!([{"level": "log", "text": "from the record", "timestamp_ms": T0}]);
    let dir = folder(json!([record(0, "passed", own, json!([]))]));
    write(
        &dir,
        "console.json",
        json!([{"level": "warning", "text": "from the file", "timestamp_ms": T0 + 1.0, "flow": "login"}]),
    );
    write(
        &dir,
        "network.json",
        json!([{"method": "GET", "url": "http://x/", "status": 200, "timestamp_ms": T0 + 2.0, "flow": "login"}]),
    );
    write(
        &dir,
        "spans.json",
        json!([{"name": "page load", "start_ms": T0 + 5.0}]),
    );
    let e = build_run(dir.path()).expect("reads");
    let labels: Vec<_> = e.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(
        labels,
        ["warning", "GET 200", "page load", "WR_step0", "WR_step0"]
    );
}

#[test]
fn a_missing_or_invalid_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = build_run(dir.path()).unwrap_err();
    assert!(err.path.ends_with("records.json"), "{err}");

    let dir = folder(json!({"not": "a list"}));
    let err = build_run(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("records.json: not a JSON list of records"),
        "{err}"
    );

    let dir = folder(json!([record(0, "passed", json!([]), json!([]))]));
    write(&dir, "network.json", json!([{"url": "no method"}]));
    let err = build_run(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("network.json: not a JSON list of network entries"),
        "{err}"
    );

    let dir = folder(json!([record(0, "passed", json!([]), json!([]))]));
    write(&dir, "spans.json", json!(["x"]));
    let err = build_run(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("spans.json: spans[0]: expected an object"),
        "{err}"
    );

    let mut bad = record(0, "passed", json!([]), json!([]));
    bad["started_at"] = json!("yesterday");
    let dir = folder(json!([bad]));
    let err = build_run(dir.path()).unwrap_err().to_string();
    assert!(err.contains("[0]: started_at \"yesterday\""), "{err}");
}

#[test]
fn a_flows_evidence_is_its_own_items_up_to_the_action() {
    let dir = folder(json!([]));
    assert!(flow_evidence(dir.path(), Some("a"), 1)
        .expect("reads")
        .is_none());
    let line = |flow: &str, action: usize| {
        json!({"flow": flow, "level": "log", "text": format!("{flow}{action}"),
               "timestamp_ms": T0, "action": action})
    };
    write(
        &dir,
        "console.json",
        json!([line("a", 0), line("b", 0), line("a", 1), line("a", 2)]),
    );
    write(&dir, "network.json", json!([]));
    let e = flow_evidence(dir.path(), Some("a"), 1)
        .expect("reads")
        .expect("files");
    let texts: Vec<&str> = e.console.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["a0", "a1"]);
    write(&dir, "network.json", json!({"not": "a list"}));
    let err = flow_evidence(dir.path(), Some("a"), 1).expect_err("refused");
    assert!(err.to_string().contains("network.json"), "{err}");
}

//! `webrunner timeline`: the three sources merge into one JSON list ordered by timestamp, and
//! a source that is not a list of objects exits 2 with a line naming its file.

mod common;

use common::cli::{stderr, webrunner};
use serde_json::{json, Value};

#[test]
fn timeline_merges_sources_and_refuses_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let write = |name: &str, v: Value| std::fs::write(d.join(name), v.to_string()).expect("write");
    write(
        "spans.json",
        json!([{"name": "load", "start_ms": "5", "end_ms": 20}]),
    );
    write(
        "console.json",
        json!([{"text": "hi", "ts": 10, "type": "error"}]),
    );
    write(
        "responses.json",
        json!([{"url": "http://x/", "status": 404, "timestamp_ms": 1}]),
    );
    let o = webrunner(
        d,
        &[
            "timeline",
            "--spans",
            "spans.json",
            "--console",
            "console.json",
            "--responses",
            "responses.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let want = json!([
        {"timestamp_ms": 1.0, "kind": "response", "label": "GET 404",
         "payload": {"url": "http://x/", "status": 404, "ok": null}},
        {"timestamp_ms": 5.0, "kind": "span.start", "label": "load",
         "payload": {"end_ms": 20.0, "attrs": {}}},
        {"timestamp_ms": 10.0, "kind": "console", "label": "error",
         "payload": {"text": "hi", "location": null}},
        {"timestamp_ms": 20.0, "kind": "span.end", "label": "load", "payload": {"duration_ms": 15.0}},
    ]);
    assert_eq!(got, want);

    write("bad.json", json!([{"ts": 1}, "not an object"]));
    let o = webrunner(d, &["timeline", "--console", "bad.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.json") && err.contains("expected an object"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// A run folder as `webrunner run --out` leaves it: two records (the second failed), one
/// with its own console message and request.
fn run_folder(d: &std::path::Path) {
    let records = json!([
        {"index": 0, "command": "WR_to_url", "status": "passed",
         "started_at": "2026-12-07T09:00:00Z", "duration_ms": 100.0, "attempts": 1,
         "flow": "shop",
         "console": [{"level": "error", "text": "oops", "url": "http://x/app.js", "line": 4,
                      "column": 2, "timestamp_ms": 1796634000050.0, "action": 0}],
         "network": [{"method": "GET", "url": "http://x/", "status": 200,
                      "timestamp_ms": 1796634000010.0, "duration_ms": 30.0, "action": 0}]},
        {"index": 1, "command": "WR_click", "status": "failed",
         "started_at": "2026-12-07T09:00:00.200Z", "duration_ms": 50.0, "attempts": 2,
         "error": "no such element", "flow": "shop"}
    ]);
    std::fs::create_dir_all(d).expect("mkdir");
    std::fs::write(d.join("records.json"), records.to_string()).expect("write");
}

#[test]
fn timeline_reads_a_run_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_folder(&dir.path().join("out"));
    let o = webrunner(dir.path(), &["timeline", "--run", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let t0 = 1796634000000.0;
    let want = json!([
        {"timestamp_ms": t0, "kind": "span.start", "label": "WR_to_url",
         "payload": {"end_ms": t0 + 100.0,
                     "attrs": {"flow": "shop", "index": 0, "status": "passed", "attempts": 1}}},
        {"timestamp_ms": t0 + 10.0, "kind": "response", "label": "GET 200",
         "payload": {"url": "http://x/", "status": 200, "ok": true}},
        {"timestamp_ms": t0 + 50.0, "kind": "console", "label": "error",
         "payload": {"text": "oops", "location": "http://x/app.js:4:2"}},
        {"timestamp_ms": t0 + 100.0, "kind": "span.end", "label": "WR_to_url",
         "payload": {"duration_ms": 100.0}},
        {"timestamp_ms": t0 + 200.0, "kind": "span.start", "label": "WR_click",
         "payload": {"end_ms": t0 + 250.0,
                     "attrs": {"flow": "shop", "index": 1, "status": "failed", "attempts": 2,
                               "error": "no such element"}}},
        {"timestamp_ms": t0 + 250.0, "kind": "span.end", "label": "WR_click",
         "payload": {"duration_ms": 50.0}},
    ]);
    assert_eq!(got, want);

    let o = webrunner(dir.path(), &["timeline", "--run", "missing"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("records.json"), "{err}");

    let o = webrunner(
        dir.path(),
        &["timeline", "--run", "out", "--spans", "spans.json"],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "--run combines with no source file"
    );
}

#[test]
fn timeline_prints_a_chrome_trace() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_folder(&dir.path().join("out"));
    let o = webrunner(
        dir.path(),
        &["timeline", "--run", "out", "--format", "chrome-trace"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(got["displayTimeUnit"], "ms");
    assert_eq!(got["metadata"]["origin_ms"], 1796634000000.0);
    let events = got["traceEvents"].as_array().expect("traceEvents");
    let drawn: Vec<(&str, &str, f64, Option<f64>)> = events
        .iter()
        .filter(|e| e["ph"] != "M")
        .map(|e| {
            (
                e["ph"].as_str().unwrap_or(""),
                e["name"].as_str().unwrap_or(""),
                e["ts"].as_f64().unwrap_or(-1.0),
                e["dur"].as_f64(),
            )
        })
        .collect();
    assert_eq!(
        drawn,
        [
            ("X", "WR_to_url", 0.0, Some(100_000.0)),
            ("X", "GET 200 http://x/", 10_000.0, Some(30_000.0)),
            ("i", "error: oops", 50_000.0, None),
            ("X", "WR_click", 200_000.0, Some(50_000.0)),
        ]
    );
    let click = events
        .iter()
        .find(|e| e["name"] == "WR_click")
        .expect("click");
    assert_eq!(click["args"]["error"], "no such element");

    // File inputs too: a span without an end and an untimed response are instants.
    let d = dir.path();
    std::fs::write(d.join("s.json"), r#"[{"name": "a", "start_ms": 5}]"#).expect("write");
    std::fs::write(d.join("r.json"), r#"[{"url": "u", "ts": 7}]"#).expect("write");
    let o = webrunner(
        d,
        &[
            "timeline",
            "--spans",
            "s.json",
            "--responses",
            "r.json",
            "--format",
            "chrome-trace",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let phases: Vec<_> = got["traceEvents"]
        .as_array()
        .expect("traceEvents")
        .iter()
        .filter(|e| e["ph"] != "M")
        .map(|e| (e["ph"].clone(), e["ts"].clone(), e["tid"].clone()))
        .collect();
    assert_eq!(
        phases,
        [
            (json!("i"), json!(0.0), json!(1)),
            (json!("i"), json!(2000.0), json!(3))
        ]
    );
}

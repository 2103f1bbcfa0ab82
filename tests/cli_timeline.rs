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

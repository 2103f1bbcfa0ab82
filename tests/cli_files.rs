//! The subcommands that read saved files, each run as the binary: `har-diff` (SPEC §5),
//! `cluster` (§9) and `dashboard` (§3) over a saved `records.json`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::cli::{stderr, webrunner, BIN};
use serde_json::{json, Value};

fn har(entries: &[(&str, &str, i64)]) -> Value {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(m, u, s)| json!({"request": {"method": m, "url": u}, "response": {"status": s}}))
        .collect();
    json!({"log": {"version": "1.2", "entries": entries}})
}

#[test]
fn har_diff_prints_added_removed_and_changed_and_fails_on_change_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let left = har(&[
        ("GET", "https://a.test/", 200),
        ("GET", "https://a.test/gone", 200),
        ("post", "https://a.test/api", 200),
    ]);
    let right = har(&[
        ("GET", "https://a.test/", 200),
        ("POST", "https://a.test/api", 500),
        ("GET", "https://a.test/new", 201),
    ]);
    std::fs::write(d.join("left.har"), left.to_string()).expect("write");
    std::fs::write(d.join("right.har"), right.to_string()).expect("write");

    let o = webrunner(
        d,
        &["har-diff", "left.har", "right.har", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(
        got,
        json!({
            "added": [{"method": "GET", "url": "https://a.test/new", "status": 201}],
            "removed": [{"method": "GET", "url": "https://a.test/gone", "status": 200}],
            "changed": [{"method": "POST", "url": "https://a.test/api", "left_status": 200, "right_status": 500}],
        })
    );

    let o = webrunner(
        d,
        &["har-diff", "left.har", "right.har", "--fail-on-change"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("https://a.test/new"), "{table}");

    let o = webrunner(d, &["har-diff", "left.har", "missing.har"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.har"), "{}", stderr(&o));
}

#[test]
fn cluster_groups_a_failure_list_and_prints_the_summary_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let failures = json!([
        {"function_name": "test_a", "exception": "Timeout after 30 s waiting for #cart", "file_path": "a.py"},
        {"function_name": "test_b", "exception": "Timeout after 45 s waiting for #cart", "file_path": "b.py"},
        {"function_name": "test_c", "exception": "Element <a> is not clickable", "file_path": "a.py"},
    ]);
    std::fs::write(d.join("failures.json"), failures.to_string()).expect("write");

    let o = webrunner(d, &["cluster", "failures.json", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let clusters = summary.as_array().expect("cluster_summary is a list");
    assert_eq!(clusters.len(), 2, "{summary}");
    assert_eq!(clusters[0]["count"], 2, "largest first: {summary}");
    assert_eq!(clusters[0]["files"], json!(["a.py", "b.py"]));
    assert_eq!(clusters[1]["count"], 1);
    for c in clusters {
        for key in ["signature", "count", "representative", "files"] {
            assert!(c.get(key).is_some(), "{key} in {c}");
        }
    }

    std::fs::write(d.join("bad.json"), "{\"not\": \"a list\"}").expect("write");
    let o = webrunner(d, &["cluster", "bad.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `GET path` on `addr` with a loopback `Host`; the status line and the body.
fn get(addr: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the dashboard");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read the reply");
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    (
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    )
}

#[test]
fn dashboard_serves_a_saved_run_and_stops_after_its_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let record = |index: usize, command: &str, error: Option<&str>| {
        json!({
            "index": index, "command": command, "args": [], "kwargs": {},
            "status": if error.is_some() { "failed" } else { "passed" },
            "started_at": format!("2026-01-01T00:00:0{index}Z"), "duration_ms": 250.0,
            "attempts": 1, "flaky": false, "result": null, "error": error,
            "artifacts": {}, "flow": "saved.json",
        })
    };
    let records = json!([
        record(0, "WR_to_url", None),
        record(
            1,
            "<script>alert(1)</script>",
            Some("</textarea><b>boom</b>")
        ),
    ]);
    std::fs::write(d.join("records.json"), records.to_string()).expect("write");

    let mut child = Command::new(BIN)
        .args([
            "dashboard",
            "records.json",
            "--serve-for",
            "30",
            "--format",
            "json",
        ])
        .current_dir(d)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start webrunner dashboard");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the line that says where the dashboard is");
    let said: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(said["records"], 2, "{said}");
    let addr = said["addr"].as_str().expect("addr").to_string();

    let (status, page) = get(&addr, "/");
    assert!(status.contains(" 200 "), "{status}");
    // The page's first paint holds the saved run's counts; record text comes only as JSON.
    assert!(page.contains("<b id=\"total\">2</b>"), "{page}");
    assert!(page.contains("<b id=\"failed\">1</b>"), "{page}");
    assert!(page.contains(">run finished<"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    let (status, body) = get(&addr, "/records");
    assert!(status.contains(" 200 "), "{status}");
    let payload: Value = serde_json::from_str(&body).expect("/records is JSON");
    assert_eq!(payload["total"], 2);
    assert_eq!(payload["failed"], 1);
    assert_eq!(
        payload["records"][1]["command"],
        "<script>alert(1)</script>"
    );

    // Ctrl+C (SIGINT) stops it with exit 0, as the end of --serve-for would.
    common::signal(child.id(), "-INT");
    let status = child.wait().expect("wait for the dashboard");
    assert_eq!(status.code(), Some(0));
}

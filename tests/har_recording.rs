//! `--har`: a real run's network recorded as HAR 1.2 from CDP events, checked against the
//! format's required fields, and two runs of the same flow diffing cleanly.

mod common;

use common::{rt, site};
use serde_json::Value;
use webrunner::har::{diff_har_files_with, DiffOptions};
use webrunner::parse_flow;
use webrunner::run::{run_flows, RunOptions};

fn flow(base: &str) -> webrunner::Flow {
    let text = r##"[["WR_to_url", ["{base}/login"]],
        ["WR_element_input", {"css": "#username", "text": "ada"}],
        ["WR_element_input", {"css": "#password", "text": "secret"}],
        ["WR_element_click", {"css": "#submit"}],
        ["WR_to_url", ["{base}/delayed"]],
        ["WR_element_click", {"css": "#load"}],
        ["WR_explicit_wait", {"by_text": "Loaded after delay", "timeout": 5}]]"##;
    parse_flow("har-flow.json", &text.replace("{base}", base)).unwrap()
}

async fn record(out: &std::path::Path, content: bool) -> Value {
    let base = site().await.base_url();
    let options = RunOptions {
        out: Some(out.to_path_buf()),
        har: Some(content),
        ..RunOptions::default()
    };
    let outcome = run_flows(&[flow(&base)], options).await.unwrap();
    assert_eq!(outcome.summary.failed, 0, "{:?}", outcome.records);
    serde_json::from_slice(&std::fs::read(out.join("run.har")).unwrap()).unwrap()
}

fn require(v: &Value, keys: &[&str], what: &str) {
    for k in keys {
        assert!(v.get(*k).is_some(), "{what} lacks required `{k}`: {v}");
    }
}

#[test]
fn run_har_has_every_required_field_of_har_1_2() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let har = record(dir.path(), false).await;
        let log = &har["log"];
        require(log, &["version", "creator", "entries"], "log");
        assert_eq!(log["version"], "1.2");
        require(&log["creator"], &["name", "version"], "creator");
        assert_eq!(log["creator"]["name"], "webrunner");
        let pages = log["pages"].as_array().unwrap();
        assert!(
            pages.len() >= 3,
            "login, welcome (POST) and delayed pages: {pages:?}"
        );
        for p in pages {
            require(
                p,
                &["startedDateTime", "id", "title", "pageTimings"],
                "page",
            );
        }
        let entries = log["entries"].as_array().unwrap();
        for e in entries {
            require(
                e,
                &[
                    "startedDateTime",
                    "time",
                    "request",
                    "response",
                    "cache",
                    "timings",
                ],
                "entry",
            );
            require(
                &e["request"],
                &[
                    "method",
                    "url",
                    "httpVersion",
                    "cookies",
                    "headers",
                    "queryString",
                    "headersSize",
                    "bodySize",
                ],
                "request",
            );
            require(
                &e["response"],
                &[
                    "status",
                    "statusText",
                    "httpVersion",
                    "cookies",
                    "headers",
                    "content",
                    "redirectURL",
                    "headersSize",
                    "bodySize",
                ],
                "response",
            );
            require(&e["response"]["content"], &["size", "mimeType"], "content");
            require(&e["timings"], &["send", "wait", "receive"], "timings");
            assert!(
                e["content"].get("text").is_none()
                    && e["response"]["content"].get("text").is_none()
            );
            let sum: f64 = ["blocked", "dns", "connect", "send", "wait", "receive"]
                .iter()
                .filter_map(|k| e["timings"][k].as_f64())
                .filter(|v| *v >= 0.0)
                .sum();
            assert!(
                (sum - e["time"].as_f64().unwrap()).abs() < 0.01,
                "time is the sum of timings"
            );
            assert!(time::OffsetDateTime::parse(
                e["startedDateTime"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339
            )
            .is_ok());
        }
        let find = |method: &str, path: &str| {
            entries
                .iter()
                .find(|e| {
                    e["request"]["method"] == method
                        && e["request"]["url"].as_str().unwrap().ends_with(path)
                })
                .unwrap_or_else(|| panic!("no {method} {path} in {entries:#?}"))
        };
        let post = find("POST", "/login");
        assert_eq!(post["response"]["status"], 200);
        assert!(post["request"]["postData"]["text"]
            .as_str()
            .unwrap()
            .contains("username=ada"));
        let api = find("GET", "/api/slow?ms=600");
        assert_eq!(api["response"]["content"]["mimeType"], "application/json");
        assert_eq!(api["request"]["queryString"][0]["name"], "ms");
        assert!(
            api["timings"]["wait"].as_f64().unwrap() >= 500.0,
            "the server slept 600 ms: {}",
            api["timings"]
        );
        let html = find("GET", "/login");
        assert!(html["response"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"] == "content-type"));
        assert!(html["pageref"].is_string());
    });
}

#[test]
fn har_content_records_bodies_and_two_runs_diff_cleanly() {
    rt().block_on(async {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let left = record(a.path(), true).await;
        record(b.path(), false).await;
        let api = left["log"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["request"]["url"].as_str().unwrap().contains("/api/slow"))
            .unwrap()
            .clone();
        assert_eq!(
            api["response"]["content"]["text"],
            r#"{"result":"Loaded after delay"}"#
        );
        let report = diff_har_files_with(
            a.path().join("run.har"),
            b.path().join("run.har"),
            &DiffOptions::default(),
        )
        .unwrap();
        let d = serde_json::to_value(&report.diff).unwrap();
        assert_eq!(d["added"], serde_json::json!([]), "{d}");
        assert_eq!(d["removed"], serde_json::json!([]), "{d}");
        assert_eq!(d["changed"], serde_json::json!([]), "{d}");
    });
}

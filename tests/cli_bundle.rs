//! `run --bundle-on-failure` and `webrunner bundle create|verify|extract|rerun` through the
//! binary against the demo site in real Chromium: one bundle per failed action that our
//! reader, Python's `zipfile` and the Python WebRunner's `extract_bundle` all open; a tampered
//! copy fails `verify`; a zip-slip bundle writes nothing; `rerun` reproduces the failure.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use common::cli::{records, stderr, webrunner};
use common::{missing_tool, rt, site};

const FLOW: &str = r##"[
  ["WR_to_url", {"url": "{base}/pages/evidence"}],
  ["WR_element_click", {"css": "#go"}],
  ["WR_wait_for_condition", {"script": "return document.getElementById('done').textContent === 'fetched'"}],
  ["WR_assert_text", {"css": "#total", "text": "Total: 4"}]
]"##;

/// A passing flow on another page that logs its own messages: none may reach the bundle.
const OTHER: &str = r##"[
  ["WR_to_url", {"url": "{base}/pages/console"}],
  ["WR_wait_for_title", {"pattern": "Console done"}]
]"##;

fn bundles(out: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(out.join("bundles"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

/// A copy of `bundle` with one byte of its screenshot changed.
fn tampered(bundle: &Path, to: &Path) {
    let b = webrunner::extract_bundle(bundle).expect("our bundle");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("manifest.json", options).expect("entry");
    zip.write_all(&b.manifest_json).expect("write");
    for (name, mut data) in b.files {
        if name.ends_with(".png") {
            let last = data.len() - 1;
            data[last] ^= 1;
        }
        zip.start_file(name, options).expect("entry");
        zip.write_all(&data).expect("write");
    }
    zip.finish().expect("finish");
}

fn zip_slip(to: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("manifest.json", options).expect("entry");
    zip.write_all(br#"{"test_name": "t", "error_repr": "e", "captured_at": "x", "metadata": {}, "artifacts": []}"#)
        .expect("write");
    zip.start_file("../../escaped-7731.txt", options)
        .expect("entry");
    zip.write_all(b"x").expect("write");
    zip.finish().expect("finish");
}

/// Python's own reader over `bundle`: `testzip()` finds no bad entry, and the Python
/// WebRunner's `extract_bundle` returns the manifest and files. `None` when Python or the
/// Python WebRunner is missing (said by [`missing_tool`]).
fn python_reads(bundle: &Path) -> Option<String> {
    let script = r#"
import sys, zipfile
assert zipfile.ZipFile(sys.argv[1]).testzip() is None
from je_web_runner.utils.failure_bundle import extract_bundle
b = extract_bundle(sys.argv[1])
print(b["manifest"]["test_name"], sorted(b["files"]))
"#;
    let available = std::process::Command::new("python3")
        .args(["-c", "import je_web_runner"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        missing_tool("the Python WebRunner (pip install je-web-runner) is missing");
        return None;
    }
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(bundle)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn a_failed_action_leaves_a_bundle_that_verifies_extracts_and_reruns() {
    let base = rt().block_on(async { site().await.base_url() });
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("other.json"), OTHER.replace("{base}", &base)).expect("write");
    std::fs::write(d.join("evidence.json"), FLOW.replace("{base}", &base)).expect("write");
    let o = webrunner(
        d,
        &[
            "run",
            "other.json",
            "evidence.json",
            "--out",
            "out",
            "--bundle-on-failure",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = bundles(&d.join("out"));
    assert_eq!(found.len(), 1, "{found:?}");
    let bundle = &found[0];
    assert!(
        bundle.ends_with("bundles/evidence-3-WR_assert_text.zip"),
        "{bundle:?}"
    );

    // What is inside: this failure's flow only.
    let b = webrunner::extract_bundle(bundle).expect("our reader");
    let text = |name: &str| String::from_utf8_lossy(&b.files[name]).into_owned();
    assert_eq!(b.manifest.test_name, "evidence.json#3 WR_assert_text");
    assert!(
        b.manifest.error_repr.contains("Total: 4"),
        "{}",
        b.manifest.error_repr
    );
    assert_eq!(b.manifest.metadata["index"], 3);
    let console = text("artifacts/console.json");
    for m in [
        "debug-1", "log-2", "info-3", "warn-4", "error-5", "thrown-6",
    ] {
        assert!(console.contains(m), "{m} not in {console}");
    }
    assert!(
        !console.contains("hello 42") && !console.contains("careful now"),
        "{console}"
    );
    let network = text("artifacts/network.json");
    assert!(network.contains("status?code=404") && network.contains("status?code=500"));
    assert!(!network.contains("/pages/console"), "{network}");
    assert!(b.files["artifacts/screenshot.png"].starts_with(b"\x89PNG"));
    assert!(text("artifacts/dom.html").contains("Total: 3"));
    assert_eq!(
        text("artifacts/flow.json"),
        FLOW.replace("{base}", &base),
        "the flow file as it was"
    );
    let so_far: Vec<webrunner::Record> =
        serde_json::from_slice(&b.files["artifacts/records.json"]).expect("records");
    assert_eq!(so_far.len(), 2 + 4, "the run's records up to the failure");
    // Verify passes ours and fails a tampered copy.
    let o = webrunner(d, &["bundle", "verify", bundle.to_str().expect("utf-8")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    tampered(bundle, &d.join("tampered.zip"));
    let o = webrunner(d, &["bundle", "verify", "tampered.zip"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("screenshot.png"));

    // Extract writes every file; a zip-slip bundle writes nothing anywhere.
    let o = webrunner(
        d,
        &[
            "bundle",
            "extract",
            bundle.to_str().expect("utf-8"),
            "-o",
            "x",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("x/artifacts/dom.html").is_file() && d.join("x/manifest.json").is_file());
    zip_slip(&d.join("evil.zip"));
    std::fs::create_dir_all(d.join("a/b")).expect("mkdir");
    let o = webrunner(d, &["bundle", "extract", "evil.zip", "-o", "a/b/dest"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("escapes"), "{}", stderr(&o));
    assert!(!d.join("escaped-7731.txt").exists() && !d.join("a/escaped-7731.txt").exists());
    assert!(!d.join("a/b/dest").exists());

    // `bundle create` from the run folder gives the same files.
    let o = webrunner(d, &["bundle", "create", "--run", "out", "-o", "again.zip"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again = webrunner::extract_bundle(d.join("again.zip")).expect("created");
    assert_eq!(
        again.files.keys().collect::<Vec<_>>(),
        b.files.keys().collect::<Vec<_>>()
    );
    assert_eq!(again.manifest.test_name, b.manifest.test_name);

    // Rerun replays up to the failed action against the live site: reproduced.
    let o = webrunner(
        d,
        &[
            "bundle",
            "rerun",
            bundle.to_str().expect("utf-8"),
            "--out",
            "rerun",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("reproduced: action #3 WR_assert_text failed again"),
        "{said}"
    );
    assert_eq!(records(&d.join("rerun")).len(), 4);

    // A second reader and the Python WebRunner open it.
    if let Some(out) = python_reads(bundle) {
        assert!(out.starts_with("evidence.json#3 WR_assert_text"), "{out}");
        assert!(out.contains("artifacts/dom.html"), "{out}");
    }

    // The flow's timeline: its actions, console and requests.
    let timeline: serde_json::Value =
        serde_json::from_slice(&b.files["artifacts/timeline.json"]).expect("timeline");
    let labels: Vec<&str> = timeline
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"WR_assert_text") && labels.contains(&"GET 500"),
        "{labels:?}"
    );
}

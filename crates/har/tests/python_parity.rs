//! Parity with the Python WebRunner: runs its `diff_har_files` (when `python3` can import
//! `je_web_runner`) and this crate's on the same generated and corpus pairs, and compares the
//! JSON. Where the seed fails, this crate must fail too. Two documented differences are
//! handled: files with a UTF-8 BOM (accepted here, SPEC §5; compared with the seed on a copy
//! without the BOM), and inputs on which the seed raises something other than `HarDiffError`
//! (this crate gives a `HarDiffError`). Skipped with a note when Python or the package is
//! missing (`pip install je-web-runner`), except under `CI=true` where that fails.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use support::{corpus_dir, corpus_files, har_of, missing_tool};
use webrunner_har::diff_har_files;

const HELPER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/seed_har_diff.py"
);

fn python() -> Option<String> {
    let python = std::env::var("WEBRUNNER_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let probe = Command::new(&python)
        .args(["-c", "import je_web_runner.utils.har_diff.har_diff"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match probe {
        Ok(status) if status.success() => Some(python),
        _ => {
            missing_tool(&format!(
                "`{python}` cannot import je_web_runner; Python parity skipped (pip install je-web-runner)"
            ));
            None
        }
    }
}

/// Runs the seed on every pair in one Python process.
fn run_seed(python: &str, pairs: &[(PathBuf, PathBuf)]) -> Vec<Value> {
    let input: Vec<[String; 2]> = pairs
        .iter()
        .map(|(l, r)| [l.display().to_string(), r.display().to_string()])
        .collect();
    let mut child = Command::new(python)
        .arg(HELPER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start python");
    let payload = serde_json::to_vec(&input).unwrap();
    child.stdin.take().unwrap().write_all(&payload).unwrap();
    let output = child.wait_with_output().expect("python output");
    assert!(output.status.success(), "seed helper failed");
    serde_json::from_slice(&output.stdout).expect("seed helper JSON")
}

/// A copy of `path` without a leading BOM, for the seed (which rejects BOMs).
fn without_bom(path: &Path, dir: &Path, n: usize) -> PathBuf {
    let bytes = std::fs::read(path).unwrap_or_default();
    match bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()) {
        Some(rest) => {
            let copy = dir.join(format!("nobom-{n}.har"));
            std::fs::write(&copy, rest).unwrap();
            copy
        }
        None => path.to_path_buf(),
    }
}

/// Deterministic generator of HAR texts with the cases the seed's rules care about.
fn generated(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let methods = [
        json!("GET"),
        json!("get"),
        json!("Post"),
        json!("straße"),
        json!(""),
        json!(null),
        json!(0),
    ];
    let urls = [
        json!("/a"),
        json!("/b"),
        json!("https://h/é?q=\"1\""),
        json!("/c"),
        json!(""),
        json!(null),
    ];
    let statuses = [
        json!(200),
        json!(404),
        json!(500),
        json!("200"),
        json!(200.0),
        json!(true),
        json!(null),
        json!(-1),
    ];
    let write = |name: String, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let mut files = Vec::new();
    for i in 0..40 {
        let count = next(14);
        let entries: Vec<Value> = (0..count)
            .map(|_| {
                let request = match next(10) {
                    0 => json!(null),
                    1 => json!({}),
                    _ => json!({
                        "method": methods[next(methods.len() as u64) as usize],
                        "url": urls[next(urls.len() as u64) as usize],
                        "headers": [{"name": "a", "value": "b"}],
                    }),
                };
                let response = match next(10) {
                    0 => json!(null),
                    _ => json!({"status": statuses[next(statuses.len() as u64) as usize],
                                "content": {"size": 4, "text": "QUJDRA==", "encoding": "base64"}}),
                };
                json!({"request": request, "response": response, "time": 12.5})
            })
            .collect();
        let doc = har_of(entries);
        let text = if i % 2 == 0 {
            doc.to_string()
        } else {
            serde_json::to_string_pretty(&doc).unwrap()
        };
        files.push(write(format!("gen-{i}.har"), text));
    }
    // Hand-written texts: duplicate keys, escapes, missing entries, shape errors, broken JSON.
    let raw = [
        r#"{"log": 1, "log": {"entries": [{"request": {"method": "get", "method": "PUT", "url": "/d"}, "response": {"status": 1, "status": 201}}]}}"#,
        r#"{"\u006cog": {"entries": [{"request": {"method": "\u0047ET", "url": "\/e\u00e9"}}]}}"#,
        r#"{"log": {"version": "1.2"}}"#,
        r#"{"log": {"entries": {}}}"#,
        r#"{"log": []}"#,
        r#"[{"log": {}}]"#,
        r#"{"log": {"entries": [1]}}"#,
        r#"{"log": {"entries": [{"request": "x"}]}}"#,
        r#"{"log": {"entries": [{"request": {"url": "/z"}, "response": "x"}]}}"#,
        r#"{"log": {"entries": [{"request": {"url": "/z"}, "response": "x"}, {"request": {"url": "/z"}}]}}"#,
        r#"{"log": {"entries": [{"request": {"url": "/z"}}"#,
        "",
        "\u{feff}{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"/bom\"}}]}}",
    ];
    for (i, text) in raw.iter().enumerate() {
        files.push(write(format!("raw-{i}.har"), (*text).to_owned()));
    }
    let mut pairs = Vec::new();
    for (i, a) in files.iter().enumerate() {
        for b in files.iter().skip(i).step_by(3).take(6) {
            pairs.push((a.clone(), b.clone()));
            pairs.push((b.clone(), a.clone()));
        }
    }
    pairs.push((dir.join("missing.har"), files[0].clone()));
    pairs.push((files[0].clone(), dir.join("missing.har")));
    pairs
}

fn corpus_pairs(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let files = corpus_files(dir);
    let mut pairs: Vec<(PathBuf, PathBuf)> = files
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect();
    pairs.extend(files.iter().map(|f| (f.clone(), f.clone())));
    for (a, b) in [
        (
            "compare/en.wikipedia.org-webpagetest-chrome.har",
            "compare/en.wikipedia.org-webpagetes-firefox.har",
        ),
        (
            "pagexray/aftonbladet.se-redirecting-to-www.har",
            "pagexray/contentTypes__aftonbladet.se.har",
        ),
        (
            "sitespeed.io/www-theverge-com.har",
            "playwright/har-redirect.har",
        ),
        (
            "harviewer/issue-61__chrome51.har",
            "harviewer/issue-61__firefox47.har",
        ),
        ("httpolice/httpbin_chrome.har", "httpolice/httpbin_edge.har"),
    ] {
        pairs.push((dir.join(a), dir.join(b)));
    }
    pairs
}

fn compare(python: &str, pairs: &[(PathBuf, PathBuf)], tmp: &Path) -> usize {
    let seed_pairs: Vec<(PathBuf, PathBuf)> = pairs
        .iter()
        .enumerate()
        .map(|(i, (l, r))| (without_bom(l, tmp, 2 * i), without_bom(r, tmp, 2 * i + 1)))
        .collect();
    let seed = run_seed(python, &seed_pairs);
    assert_eq!(seed.len(), pairs.len());
    let mut identical = 0;
    for ((left, right), expected) in pairs.iter().zip(&seed) {
        let ours = diff_har_files(left, right);
        let label = format!("{} vs {}", left.display(), right.display());
        match (expected.get("ok"), ours) {
            (Some(seed_json), Ok(diff)) => {
                assert_eq!(&serde_json::to_value(diff).unwrap(), seed_json, "{label}");
                identical += 1;
            }
            (None, Err(_)) => {}
            (Some(_), Err(err)) => panic!("{label}: the seed diffs, this crate fails: {err}"),
            (None, Ok(diff)) => {
                panic!("{label}: the seed fails ({expected}), this crate gives {diff:?}")
            }
        }
    }
    identical
}

#[test]
fn generated_pairs_give_the_seed_json() {
    let Some(python) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pairs = generated(tmp.path());
    let identical = compare(&python, &pairs, tmp.path());
    eprintln!(
        "python parity: {identical} of {} generated pairs identical, the rest fail in both",
        pairs.len()
    );
    assert!(identical > pairs.len() / 2);
}

#[test]
fn corpus_pairs_give_the_seed_json() {
    let Some(python) = python() else { return };
    let Some(dir) = corpus_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pairs = corpus_pairs(&dir);
    let identical = compare(&python, &pairs, tmp.path());
    eprintln!(
        "python parity: {identical} of {} corpus pairs identical, the rest fail in both",
        pairs.len()
    );
    assert!(identical > 200);
}

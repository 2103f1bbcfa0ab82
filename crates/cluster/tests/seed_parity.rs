//! Seed parity: `--rules seed` must give exactly the Python WebRunner's `cluster_summary`
//! JSON. When `python3` with `je_web_runner` is available, this runs the Python
//! `failure_cluster` on the same inputs (generated and hand-written: unicode digits and
//! spaces, odd whitespace, long paths and quotes, non-string messages, non-object entries)
//! and compares its `json.dumps(summary, ensure_ascii=False)` text byte for byte with ours.
//! Without Python it prints a note and skips.

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use webrunner_cluster::{
    cluster_bytes, cluster_summary, normalise_error, summary_json, ClusterError, Rules,
};

const PYTHON_SUMMARY: &str = r#"
import json, sys
from je_web_runner.utils.failure_cluster.clustering import cluster_failures, cluster_summary, FailureClusterError
cases = json.loads(sys.stdin.read())
out = []
for case in cases:
    try:
        failures = json.loads(case["input"])
        clusters = cluster_failures(failures, top_n=case["top"])
        out.append({"ok": json.dumps(cluster_summary(clusters), ensure_ascii=False)})
    except FailureClusterError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
"#;

const PYTHON_NORMALISE: &str = r#"
import json, sys
from je_web_runner.utils.failure_cluster.clustering import normalise_error
print(json.dumps([normalise_error(m) for m in json.loads(sys.stdin.read())]))
"#;

fn python_available() -> bool {
    Command::new("python3")
        .args([
            "-c",
            "import je_web_runner.utils.failure_cluster.clustering",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run_python(script: &str, input: &str) -> serde_json::Value {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "python failed");
    serde_json::from_slice(&out.stdout).expect("python prints JSON")
}

/// Our answer for one case: `Ok(json text)` or `Err(())` for a non-object entry.
fn ours(input: &str, top: Option<i64>) -> Result<String, ()> {
    match cluster_bytes(input.as_bytes(), "case", top, Rules::Seed) {
        Ok(r) => Ok(summary_json(&cluster_summary(&r.clusters))),
        Err(ClusterError::NotAnObject { .. }) => Err(()),
        Err(e) => panic!("unexpected error {e} for {input}"),
    }
}

fn compare_cases(cases: &[(String, Option<i64>)]) {
    let payload: Vec<serde_json::Value> = cases
        .iter()
        .map(|(input, top)| serde_json::json!({"input": input, "top": top}))
        .collect();
    let python = run_python(PYTHON_SUMMARY, &serde_json::to_string(&payload).unwrap());
    let python = python.as_array().expect("list");
    for ((input, top), py) in cases.iter().zip(python) {
        match (ours(input, *top), py.get("ok").and_then(|v| v.as_str())) {
            (Ok(mine), Some(theirs)) => assert_eq!(mine, theirs, "input {input} top {top:?}"),
            (Err(()), None) => assert!(py.get("error").is_some(), "input {input}"),
            (mine, _) => panic!("disagreement on {input}: ours {mine:?}, python {py}"),
        }
    }
}

fn hand_written() -> Vec<(String, Option<i64>)> {
    let lists = [
        r##"[{"function_name": "t1", "exception": "Timeout after 30000 ms at 2024-05-01T10:20:30.123+02:00", "file_path": "tests/a.py"},
            {"function_name": "t2", "exception": "Timeout after 5000 ms at 2024-06-02 11:00:00", "file_path": "tests/b.py"},
            {"function_name": "t3", "error": "Element '#login' not found in /home/ci/app/page.html line 42", "file_path": "tests/a.py"},
            {"exception": null, "error": "Element \"#logout\" not found in C:\\app\\page.html LINE   7"},
            {"exception": "", "error": ""}, {"exception": 0, "error": false}, {}]"##,
        r##"[{"exception": "ünïcödé ٣٤ ＡＢ 0xDEADBEEF 0X12 ۱۲۳", "file_path": "ü.py"},
            {"exception": "tabs\tand\u000bvertical\u001cseparators\u00a0nbsp\u2003em  \u3000ideographic "},
            {"exception": "ΑΣ ΟΔΟΣ İstanbul ǅ Σ."},
            {"exception": "lİne 12 and lıne 13 and LINE\u001f14"},
            {"exception": "café_1 a١٢b x² 12² _12_ 12_"}]"##,
        r##"[{"exception": 12345678901234567890123}, {"exception": 1.5e300}, {"exception": 0.00001},
            {"exception": true}, {"exception": [1, "two", null, {"k": "v'q\""}]},
            {"exception": {"nested": [1.0, -0.0, 1e16]}}, {"error": "x", "exception": []}]"##,
        r##"[{"exception": "same"}, {"exception": "same", "file_path": "f1"}, {"exception": "SAME", "file_path": "f1"},
            {"exception": "same", "file_path": ""}, {"exception": "same", "file_path": 3}, {"exception": "other", "file_path": "f2"}]"##,
        r##"[{"exception": "x"}, "not a dict"]"##,
        r##"[1, {"exception": "x"}]"##,
        r##"[{"exception": "x"}, null]"##,
        r##"[{"exception": "x"}, [1]]"##,
        r##"[]"##,
    ];
    let mut cases: Vec<(String, Option<i64>)> = Vec::new();
    for list in lists {
        for top in [None, Some(0), Some(1), Some(2), Some(-1), Some(100)] {
            cases.push((list.to_string(), top));
        }
    }
    // Long paths, quotes and runs around the seed's bounds (80 characters, 40 groups).
    let long = |n: usize| "a".repeat(n);
    let edge = [
        format!("/{}/{}", long(80), long(80)),
        format!("/{}/{}", long(81), long(3)),
        format!("/x/{}", long(100)),
        format!("/{}x", "b/".repeat(45)),
        format!("'{}' \"{}\"", long(80), long(81)),
        "path //double/slash/x and C:/drive/x and c:\\win\\y and /trailing/sep/".to_string(),
        "2024-13-99T99:99:99.9999Z 1999-01-01 00:00:00-0500 2024-01-01T00:00:00+05:3".to_string(),
    ];
    let list: Vec<serde_json::Value> = edge
        .iter()
        .map(|m| serde_json::json!({"exception": m}))
        .collect();
    cases.push((serde_json::to_string(&list).unwrap(), None));
    cases
}

#[test]
fn seed_rules_match_python_on_hand_written_inputs() {
    if !python_available() {
        println!("note: python3 with je_web_runner is not available; seed parity is not checked");
        return;
    }
    compare_cases(&hand_written());
}

/// Characters that stress the differences between Python's and Rust's regex classes.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('0', '9'),
        3 => prop::sample::select(vec![
            ' ', '\t', '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1f', '\u{85}', '\u{a0}', '\u{2003}', '\u{3000}',
            '\u{200b}', '/', '\\', '.', '-', '_', ':', '\'', '"', 'x', 'T', 'Z', '+', 'l', 'i', 'n', 'e', 'L',
            'I', 'N', 'E', '\u{130}', '\u{131}', '٣', '７', '²', '\u{301}', 'é', 'Σ', 'ς', 'İ', 'ǅ', 'ß', '0',
        ]),
    ]
}

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(tricky_char(), 0..60).prop_map(|v| v.into_iter().collect()),
        (
            0u32..3,
            1000u32..99999,
            "[a-z#.]{1,12}",
            "/[a-z]{1,6}/[a-z]{1,6}(/[a-z.]{1,8})?"
        )
            .prop_map(|(kind, n, sel, path)| match kind {
                0 => format!("TimeoutError: Timeout {n}ms exceeded waiting for '{sel}'"),
                1 => format!(
                    "File \"{path}\", line {n}, in test\n  at 2024-01-0{} 10:00:0{}",
                    n % 9 + 1,
                    n % 10
                ),
                _ => format!("Element \"{sel}\" at 0x{n:x} not found ({n} ms)"),
            }),
    ]
}

#[test]
fn seed_rules_match_python_on_generated_messages() {
    if !python_available() {
        println!("note: python3 with je_web_runner is not available; seed parity is not checked");
        return;
    }
    let mut runner = TestRunner::new(Config {
        cases: 1,
        ..Config::default()
    });
    let mut messages: Vec<String> = Vec::new();
    let strategy = proptest::collection::vec(message(), 1500);
    let tree = strategy.new_tree(&mut runner).expect("generate");
    messages.extend(proptest::strategy::ValueTree::current(&tree));
    let python = run_python(PYTHON_NORMALISE, &serde_json::to_string(&messages).unwrap());
    let python = python.as_array().expect("list");
    for (m, py) in messages.iter().zip(python) {
        assert_eq!(
            normalise_error(m),
            py.as_str().expect("str"),
            "message {m:?}"
        );
    }
    // And as a whole list through clustering, with files and a cut.
    // Repeated four times (6000 entries) so the parallel chunks and their merge are exercised.
    let list: Vec<serde_json::Value> = messages
        .iter()
        .cycle()
        .take(messages.len() * 4)
        .enumerate()
        .map(|(i, m)| serde_json::json!({"function_name": format!("t{i}"), "exception": m, "file_path": format!("f{}.py", i % 7)}))
        .collect();
    compare_cases(&[
        (serde_json::to_string(&list).unwrap(), None),
        (serde_json::to_string(&list).unwrap(), Some(5)),
    ]);
}

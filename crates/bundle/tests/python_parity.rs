//! Differential tests against the Python WebRunner's `failure_bundle`: bundles written by
//! either side are read by the other, and the same inputs give the same bytes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{missing_tool, reference_python, run_python};
use serde_json::{json, Map, Value};
use webrunner_bundle::{extract_bundle, python_json, verify, FailureBundle};

const CAPTURED_AT: &str = "2026-12-07T09:41:02+00:00";

/// Builds, in Python, the bundle that [`rust_bundle`] builds, and writes it to argv[1].
const PY_WRITE: &str = r#"
import sys
from je_web_runner.utils.failure_bundle.bundle import FailureBundle
out, trace, extra = sys.argv[1:4]
b = FailureBundle(
    test_name="登入 test \"quoted\"",
    error_repr="TimeoutError('#submit not found')\n\tat line 3",
    captured_at="2026-12-07T09:41:02+00:00",
    metadata={"browser": "chromium", "retries": 2, "ratio": 0.5, "big": 1e16,
              "tags": ["a", "ü", "😀"], "nested": {"none": None, "ok": True}},
)
b.add_screenshot(bytes(range(256)) * 4)
b.add_dom("<html>héllo 世界</html>")
b.add_console([{"level": "error", "text": "Uncaught \"x\" é", "line": 12, "time": 1.5e-05},
               {"level": "log", "args": [1, 2.0, -0.0, "\u2028", {}], "empty": []}])
b.add_network([{"url": "https://example.com/?q=ü", "status": 500, "timing": 123.456}])
b.add_trace(trace)
b.add_file(extra, "extra/inside.bin")
b.add_file(extra)
b.add_text("notes.txt", "line one\nline two\n")
b.write(out)
"#;

fn rust_bundle(trace: &Path, extra: &Path) -> FailureBundle {
    let mut b = FailureBundle::new(
        "登入 test \"quoted\"",
        "TimeoutError('#submit not found')\n\tat line 3",
    );
    b.captured_at = CAPTURED_AT.to_owned();
    let meta = json!({"browser": "chromium", "retries": 2, "ratio": 0.5, "big": 1e16,
        "tags": ["a", "ü", "😀"], "nested": {"none": null, "ok": true}});
    b.metadata = meta.as_object().cloned().expect("object");
    b.add_screenshot((0..4).flat_map(|_| 0..=255u8).collect::<Vec<u8>>());
    b.add_dom("<html>héllo 世界</html>");
    b.add_console(&[
        json!({"level": "error", "text": "Uncaught \"x\" é", "line": 12, "time": 1.5e-05}),
        json!({"level": "log", "args": [1, 2.0, -0.0, "\u{2028}", {}], "empty": []}),
    ]);
    b.add_network(&[json!({"url": "https://example.com/?q=ü", "status": 500, "timing": 123.456})]);
    b.add_trace(trace).expect("trace");
    b.add_file(extra, Some("extra/inside.bin")).expect("extra");
    b.add_file(extra, None).expect("extra");
    b.add_text("notes.txt", "line one\nline two\n")
        .expect("text");
    b
}

fn inputs(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let trace = dir.join("trace-1.json");
    std::fs::write(&trace, br#"{"resourceSpans": []}"#).expect("trace");
    let extra = dir.join("extra.bin");
    std::fs::write(&extra, [0u8, 1, 2, 255, 254]).expect("extra");
    (trace, extra)
}

#[test]
fn python_bundle_is_read_and_verified() {
    let Some(python) = reference_python() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let (trace, extra) = inputs(tmp.path());
    let out = tmp.path().join("py.zip");
    run_python(
        &python,
        PY_WRITE,
        &[out.as_os_str(), trace.as_os_str(), extra.as_os_str()],
    );

    let bundle = extract_bundle(&out).expect("our reader takes Python's bundle");
    let report = verify(&out).expect("checksums and sizes match");
    assert_eq!(report.checked.len(), 8);
    let ours = rust_bundle(&trace, &extra);
    assert_eq!(bundle.manifest, ours.manifest());
    assert_eq!(&bundle.files, ours.entries());
    assert_eq!(
        String::from_utf8_lossy(&bundle.manifest_json),
        String::from_utf8_lossy(&ours.manifest_json()),
        "manifest.json bytes differ"
    );
}

#[test]
fn our_bundle_is_read_by_python() {
    let Some(python) = reference_python() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let (trace, extra) = inputs(tmp.path());
    let ours = rust_bundle(&trace, &extra);
    let out = ours
        .write(tmp.path().join("nested/dir/rs.zip"))
        .expect("write");
    let script = r#"
import json, sys
from je_web_runner.utils.failure_bundle.bundle import extract_bundle
r = extract_bundle(sys.argv[1])
print(json.dumps({"manifest": r["manifest"], "files": {k: v.hex() for k, v in r["files"].items()}}))
"#;
    let stdout = run_python(&python, script, &[out.as_os_str()]);
    let seen: Value = serde_json::from_slice(&stdout).expect("Python's JSON");
    assert_eq!(seen["manifest"], ours.manifest().to_value());
    let files: BTreeMap<String, Vec<u8>> = seen["files"]
        .as_object()
        .expect("files")
        .iter()
        .map(|(k, v)| (k.clone(), unhex(v.as_str().expect("hex"))))
        .collect();
    assert_eq!(&files, ours.entries());
}

#[test]
fn second_readers_accept_our_bundle() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (trace, extra) = inputs(tmp.path());
    let out = rust_bundle(&trace, &extra)
        .write(tmp.path().join("rs.zip"))
        .expect("write");
    // Only the standard library is needed here: any Python 3 will do.
    let reference = std::path::PathBuf::from(common::REFERENCE_PYTHON);
    let python = if reference.exists() {
        reference
    } else {
        "python3".into()
    };
    match std::process::Command::new(&python)
        .args(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip() is None, z.namelist()[0])"])
        .arg(&out)
        .output()
    {
        Ok(o) if o.status.success() => {
            assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "True manifest.json");
        }
        _ => missing_tool("no Python 3 to run zipfile.testzip()"),
    }
    match std::process::Command::new("unzip")
        .arg("-t")
        .arg(&out)
        .output()
    {
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(o.status.success(), "unzip -t failed: {text}");
            assert!(text.contains("No errors detected"), "{text}");
        }
        Err(_) => missing_tool("unzip is missing (apt-get install unzip)"),
    }
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn text(&mut self, pool: &[char], max: usize) -> String {
        let len = self.below(max + 1);
        (0..len).map(|_| *self.pick(pool)).collect()
    }

    fn float(&mut self) -> f64 {
        const EDGES: [f64; 22] = [
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            1e-7,
            1e-5,
            1e-4,
            0.0001234,
            1e15,
            1e16,
            123_456_789_012_345_680.0,
            9_007_199_254_740_993.0,
            f64::MAX,
            5e-324,
            f64::MIN_POSITIVE,
            1e22,
            1e21,
            std::f64::consts::PI,
            100.0,
            1e100,
            0.300_000_000_000_000_04,
        ];
        match self.below(3) {
            0 => *self.pick(&EDGES),
            1 => (self.next() % 2_000_001) as f64 / 1000.0 - 1000.0,
            _ => loop {
                let x = f64::from_bits(self.next());
                if x.is_finite() {
                    break x;
                }
            },
        }
    }

    fn value(&mut self, depth: usize) -> Value {
        const TEXT: [char; 22] = [
            'a', 'z', 'Q', ' ', '"', '\\', '\n', '\t', '\r', '\u{0}', '\u{1f}', '\u{7f}', 'é',
            '中', '😀', '\u{2028}', '\u{fffd}', '\u{301}', '/', '<', '&', '\u{8}',
        ];
        let kinds = if depth == 0 { 5 } else { 7 };
        match self.below(kinds) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 1),
            2 => match self.below(4) {
                0 => json!(i64::MIN),
                1 => json!(u64::MAX),
                2 => json!(self.next() as i64),
                _ => json!(self.below(1000) as i64 - 500),
            },
            3 => json!(self.float()),
            4 => Value::String(self.text(&TEXT, 12)),
            5 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => {
                let mut map = Map::new();
                for _ in 0..self.below(4) {
                    map.insert(self.text(&TEXT, 6), self.value(depth - 1));
                }
                Value::Object(map)
            }
        }
    }
}

/// Our manifest.json and every entry equal Python's, byte for byte, for generated inputs.
#[test]
fn same_inputs_give_the_same_bytes_as_python() {
    let Some(python) = reference_python() else {
        return;
    };
    const NAMES: [char; 12] = [
        'a', 'b', 'Z', '0', '-', '_', ' ', 'é', 'ü', 'ロ', '日', '😀',
    ];
    let mut rng = Rng(0x5EED_B0D1E5);
    let mut cases = Vec::new();
    for i in 0..40 {
        let mut texts = Vec::new();
        for _ in 0..rng.below(4) {
            let name = format!("{}{}.txt", rng.text(&NAMES, 8), rng.below(100));
            texts.push(json!([name, rng.text(&['x', 'é', '\n', '中', '"'], 30)]));
        }
        let metadata: Map<String, Value> = (0..rng.below(5))
            .map(|k| (format!("k{k}{}", rng.text(&NAMES, 3)), rng.value(2)))
            .collect();
        cases.push(json!({
            "test_name": format!("case {i} {}", rng.text(&NAMES, 10)),
            "error_repr": rng.value(0).to_string(),
            "captured_at": CAPTURED_AT,
            "metadata": metadata,
            "console": (0..rng.below(5)).map(|_| rng.value(3)).collect::<Vec<_>>(),
            "network": (0..rng.below(3)).map(|_| rng.value(3)).collect::<Vec<_>>(),
            "texts": texts,
            "screenshot": (0..rng.below(64)).map(|_| format!("{:02x}", rng.next() as u8)).collect::<String>(),
        }));
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let spec = tmp.path().join("cases.json");
    std::fs::write(&spec, serde_json::to_vec(&cases).expect("json")).expect("write cases");
    let script = r#"
import json, sys, os
from je_web_runner.utils.failure_bundle.bundle import FailureBundle
cases = json.load(open(sys.argv[1], encoding="utf-8"))
for i, c in enumerate(cases):
    b = FailureBundle(test_name=c["test_name"], error_repr=c["error_repr"],
                      captured_at=c["captured_at"], metadata=c["metadata"])
    b.add_console(c["console"])
    b.add_network(c["network"])
    for name, text in c["texts"]:
        b.add_text(name, text)
    if c["screenshot"]:
        b.add_screenshot(bytes.fromhex(c["screenshot"]))
    b.write(os.path.join(sys.argv[2], f"case{i}.zip"))
"#;
    run_python(&python, script, &[spec.as_os_str(), tmp.path().as_os_str()]);
    for (i, case) in cases.iter().enumerate() {
        let mut ours = FailureBundle::new(
            case["test_name"].as_str().expect("name"),
            case["error_repr"].as_str().expect("error"),
        );
        ours.captured_at = CAPTURED_AT.to_owned();
        ours.metadata = case["metadata"].as_object().cloned().expect("metadata");
        ours.add_console(case["console"].as_array().expect("console"));
        ours.add_network(case["network"].as_array().expect("network"));
        for pair in case["texts"].as_array().expect("texts") {
            ours.add_text(
                pair[0].as_str().expect("name"),
                pair[1].as_str().expect("text"),
            )
            .expect("clean name");
        }
        let shot = unhex(case["screenshot"].as_str().expect("hex"));
        if !shot.is_empty() {
            ours.add_screenshot(shot);
        }
        let theirs =
            extract_bundle(tmp.path().join(format!("case{i}.zip"))).expect("Python's bundle reads");
        assert_eq!(
            String::from_utf8_lossy(&theirs.manifest_json),
            String::from_utf8_lossy(&ours.manifest_json()),
            "case {i}: manifest.json differs"
        );
        for (name, data) in ours.entries() {
            assert_eq!(
                String::from_utf8_lossy(&theirs.files[name]),
                String::from_utf8_lossy(data),
                "case {i}: {name} differs"
            );
        }
        assert_eq!(theirs.files.len(), ours.entries().len(), "case {i}");
    }
}

/// Floats alone, through Python's `json.dumps(..., indent=2)`.
#[test]
fn floats_print_like_python() {
    let Some(python) = reference_python() else {
        return;
    };
    let mut rng = Rng(42);
    let floats: Vec<f64> = (0..2000).map(|_| rng.float()).collect();
    let value = json!(floats);
    let script = "import json, sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), ensure_ascii=False, indent=2))";
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    std::io::Write::write_all(
        child.stdin.as_mut().expect("stdin"),
        value.to_string().as_bytes(),
    )
    .expect("feed");
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success());
    let ours = python_json(&value);
    for (p, r) in String::from_utf8_lossy(&out.stdout)
        .lines()
        .zip(String::from_utf8_lossy(&ours).lines())
    {
        assert_eq!(p, r);
    }
    assert_eq!(out.stdout, ours);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

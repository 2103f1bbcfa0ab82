//! Helpers shared by the integration tests: a reference model of the Python seed's
//! `diff_har`, HAR builders, the corpus location, and what a test does when an outside tool
//! or the corpus is missing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

/// Python truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A line-by-line transcription of the seed's `diff_har` over parsed JSON. `Err` where the
/// seed raises (`HarDiffError`, or `AttributeError`/`TypeError` on wrongly typed entries, and
/// — the one documented difference — a URL that is neither a string nor empty).
pub fn model_diff(left: &Value, right: &Value) -> Result<Value, String> {
    let left_index = model_index(left)?;
    let right_index = model_index(right)?;
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    for ((m, u), e) in &right_index {
        if !left_index.contains_key(&(m.clone(), u.clone())) {
            added.push(json!({"method": m, "url": u, "status": model_status(e)?}));
        }
    }
    for ((m, u), e) in &left_index {
        if !right_index.contains_key(&(m.clone(), u.clone())) {
            removed.push(json!({"method": m, "url": u, "status": model_status(e)?}));
        }
    }
    for (key, l) in &left_index {
        let Some(r) = right_index.get(key) else {
            continue;
        };
        let (ls, rs) = (model_status(l)?, model_status(r)?);
        if ls != rs {
            changed.push(
                json!({"method": key.0, "url": key.1, "left_status": ls, "right_status": rs}),
            );
        }
    }
    Ok(json!({"added": added, "removed": removed, "changed": changed}))
}

fn model_index(har: &Value) -> Result<IndexMap<(String, String), Value>, String> {
    let log = har
        .get("log")
        .filter(|l| l.is_object())
        .ok_or("HAR missing 'log' block")?;
    let entries = match log.get("entries") {
        None => return Ok(IndexMap::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err("HAR 'log.entries' is not a list".into()),
    };
    let empty = Value::Object(Map::new());
    let mut index = IndexMap::new();
    for entry in entries {
        let entry_map = entry.as_object().ok_or("entry is not a dict")?;
        let request = match entry_map.get("request") {
            Some(r) if truthy(r) => r,
            _ => &empty,
        };
        let request = request.as_object().ok_or("request is not a dict")?;
        let method = match request.get("method") {
            Some(m) if truthy(m) => m.as_str().ok_or("method is not a str")?.to_uppercase(),
            _ => String::new(),
        };
        let url = match request.get("url") {
            Some(u) if truthy(u) => u.as_str().ok_or("url is not a str")?.to_owned(),
            _ => String::new(),
        };
        if !method.is_empty() || !url.is_empty() {
            index.insert((method, url), entry.clone());
        }
    }
    Ok(index)
}

fn model_status(entry: &Value) -> Result<i64, String> {
    let empty = Value::Object(Map::new());
    let response = match entry.get("response") {
        Some(r) if truthy(r) => r,
        _ => &empty,
    };
    let response = response.as_object().ok_or("response is not a dict")?;
    Ok(match response.get("status") {
        Some(Value::Number(n)) if n.is_i64() => n.as_i64().unwrap_or(0),
        Some(Value::Number(n)) if n.is_u64() => 0,
        Some(Value::Bool(b)) => i64::from(*b),
        _ => 0,
    })
}

/// A HAR document with entries `(method, url, status)`.
pub fn har(entries: &[(&str, &str, i64)]) -> Value {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(m, u, s)| json!({"request": {"method": m, "url": u}, "response": {"status": s}}))
        .collect();
    json!({"log": {"version": "1.2", "entries": entries}})
}

/// A HAR document with the given raw entry values.
pub fn har_of(entries: Vec<Value>) -> Value {
    json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})
}

/// Notes that an outside tool (or the corpus) a test needs is missing: a visible skip on a
/// developer's machine, a failure under `CI=true` (where `scripts/test` installs every such
/// tool and the corpus sits beside the checkout), so a green CI means every case ran.
pub fn missing_tool(note: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{note}");
    }
    // Straight to the stderr handle: libtest hides `eprintln!` of a passing test.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("SKIPPED: {note}\n").as_bytes(),
    );
}

/// `../shared/corpora/har` from the workspace root, when present (else [`missing_tool`]
/// says so).
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/har");
    match dir.canonicalize() {
        Ok(d) if d.is_dir() => Some(d),
        _ => {
            missing_tool(&format!(
                "the HAR corpus is not at {}; corpus cases skipped",
                dir.display()
            ));
            None
        }
    }
}

/// Every `.har`/`.harp` file under `dir`, sorted.
pub fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(read) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in read.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "har" || e == "harp") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
}

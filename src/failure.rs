//! The failure bundle of one failed action (SPEC §7): its screenshot and DOM, what its flow's
//! pages said and fetched up to the failure, the timeline of that flow, the flow file and the
//! run's records so far, in one zip that `webrunner bundle extract|verify|rerun` and the
//! Python WebRunner's `extract_bundle` open. One builder serves `run --bundle-on-failure`
//! and `webrunner bundle create`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use webrunner_bundle::{FailureBundle, FailureBundleError};
use webrunner_record::{Evidence, Record};

/// The name of the flow file inside a bundle.
pub const FLOW_ENTRY: &str = "artifacts/flow.json";

/// What a bundle is built from.
#[derive(Debug)]
pub struct FailureInput<'a> {
    /// The failed action's record.
    pub failed: &'a Record,
    /// The records of its flow up to and including it.
    pub flow_records: &'a [Record],
    /// Every record of the run so far.
    pub run_records: &'a [Record],
    /// What the flow's pages said and fetched up to the failure.
    pub evidence: &'a Evidence,
    /// The flow's text (JSON), when known.
    pub flow_text: Option<String>,
    /// The flow file, when the flow came from one.
    pub flow_file: Option<&'a Path>,
    /// Where relative artifact paths of the records are found (the run's working folder).
    pub base: &'a Path,
    /// Where else a screenshot or DOM file is looked for by its name (the run folder's
    /// `screenshots/`, when the run was moved).
    pub screenshots: Option<&'a Path>,
}

/// Reads an artifact the record names: relative paths against `base` first, then as
/// given, then by its file name in `screenshots`.
fn read_artifact(path: &str, base: &Path, screenshots: Option<&Path>) -> Option<Vec<u8>> {
    let p = Path::new(path);
    let by_name = p
        .file_name()
        .zip(screenshots)
        .map(|(name, dir)| dir.join(name));
    let tries = [
        p.is_relative().then(|| base.join(p)),
        Some(p.to_path_buf()),
        by_name,
    ];
    tries
        .into_iter()
        .flatten()
        .find_map(|t| std::fs::read(t).ok())
}

/// The bundle of `input`; see the module documentation. An artifact whose file is gone is
/// named in the metadata (`missing`), never an error.
pub fn failure_bundle(input: &FailureInput<'_>) -> Result<FailureBundle, FailureBundleError> {
    let r = input.failed;
    let flow = r.flow.clone().unwrap_or_default();
    let mut bundle = FailureBundle::new(
        format!("{flow}#{} {}", r.index, r.command),
        r.error.clone().unwrap_or_default(),
    );
    let mut missing = Vec::new();
    if let Some(shot) = &r.artifacts.screenshot {
        match read_artifact(shot, input.base, input.screenshots) {
            Some(png) => bundle.add_screenshot(png),
            None => missing.push(shot.clone()),
        }
    }
    if let Some(dom) = &r.artifacts.dom {
        match read_artifact(dom, input.base, input.screenshots) {
            Some(html) => bundle.add_dom(&String::from_utf8_lossy(&html)),
            None => missing.push(dom.clone()),
        }
    }
    // Records and their items always serialise (no map has a non-string key).
    let values = |v: Result<Value, serde_json::Error>| match v {
        Ok(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    bundle.add_console(&values(serde_json::to_value(&input.evidence.console)));
    bundle.add_network(&values(serde_json::to_value(&input.evidence.network)));
    let timeline = crate::timeline::run_dir::of_records(input.flow_records, input.evidence)
        .map(|events| crate::timeline::to_json(&events))
        .unwrap_or_else(|e| json!({ "error": e.to_string() }).to_string());
    bundle.add_text("timeline.json", &timeline)?;
    let records = serde_json::to_string_pretty(input.run_records).unwrap_or_default();
    bundle.add_text("records.json", &records)?;
    if let Some(text) = &input.flow_text {
        bundle.add_text("flow.json", text)?;
    }
    let meta = &mut bundle.metadata;
    meta.insert("flow".into(), json!(flow));
    if let Some(file) = input.flow_file {
        meta.insert("flow_file".into(), json!(file.display().to_string()));
    }
    meta.insert("index".into(), json!(r.index));
    meta.insert("command".into(), json!(r.command));
    meta.insert("attempts".into(), json!(r.attempts));
    meta.insert("started_at".into(), json!(r.started_at));
    meta.insert(
        "tool".into(),
        json!(format!("webrunner {}", env!("CARGO_PKG_VERSION"))),
    );
    if !missing.is_empty() {
        meta.insert("missing".into(), json!(missing));
    }
    Ok(bundle)
}

/// `bundles/<flow>-<index>-<command>.zip` under `dir`, the flow reduced to its file stem and
/// every part to `[A-Za-z0-9_.-]`; a `-N` suffix when that name is taken.
pub fn bundle_path(dir: &Path, record: &Record) -> PathBuf {
    let flow = record.flow.as_deref().unwrap_or("flow");
    let base = format!(
        "{}-{}-{}",
        flow_stem(flow),
        record.index,
        file_part(&record.command)
    );
    let mut path = dir.join(format!("{base}.zip"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.zip"));
        n += 1;
    }
    path
}

/// `s` as a file-name part: `[A-Za-z0-9_.-]` only (others become `_`), at most 64
/// characters, no leading or trailing dots; `flow` when nothing is left.
pub(crate) fn file_part(s: &str) -> String {
    let kept: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let kept = kept.trim_matches('.').to_string();
    if kept.is_empty() {
        "flow".into()
    } else {
        kept
    }
}

/// A flow's name (often its file path) reduced to its file stem, as a file-name part.
pub(crate) fn flow_stem(flow: &str) -> String {
    let stem = Path::new(flow)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(flow);
    file_part(stem)
}

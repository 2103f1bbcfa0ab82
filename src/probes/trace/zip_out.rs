//! Writes a finished trace as a zip in Playwright's trace layout: `trace.trace` (the
//! context, actions, console and screencast events, one JSON per line), `trace.network`
//! (one HAR entry per request), `trace.stacks` (each action's line in the flow file),
//! `resources/` (frames, attachments, the flow file) and `chrome-trace.json`.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use super::Running;

/// Name of the performance trace, at the top of the zip and as an attachment.
const CHROME_TRACE: &str = "chrome-trace.json";

/// The time an event sorts by (its start for an action).
fn time_of(e: &Value) -> f64 {
    ["startTime", "endTime", "time", "timestamp"]
        .iter()
        .find_map(|k| e[*k].as_f64())
        .unwrap_or(0.0)
}

/// Writes `r` (with `network` and the performance trace) to `path`, through a temporary
/// file so a reader never sees half a zip.
pub(super) fn write(
    path: &Path,
    mut r: Running,
    network: Vec<Value>,
    chrome: Option<Vec<u8>>,
) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    if chrome.is_some() {
        let last = r.last_call.clone();
        if let Some(after) = r
            .events
            .iter_mut()
            .rev()
            .find(|e| e["type"] == "after" && last.as_ref().is_some_and(|c| e["callId"] == *c))
        {
            let entry = json!({"name": CHROME_TRACE, "contentType": "application/json", "sha1": CHROME_TRACE});
            match after["attachments"].as_array_mut() {
                Some(list) => list.push(entry),
                None => after["attachments"] = json!([entry]),
            }
        }
    }
    // The context first, then everything in the order it happened.
    let context = r.events.remove(0);
    r.events.sort_by(|a, b| time_of(a).total_cmp(&time_of(b)));
    r.events.insert(0, context);

    let tmp = path.with_extension("zip.partial");
    let file = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| e.to_string())?;
    let mut zip = zip::ZipWriter::new(file);
    // The fastest deflate: a trace's JSON still shrinks about tenfold.
    let deflate = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), String> {
        let packed = name.ends_with(".jpeg") || name.ends_with(".png");
        zip.start_file(name, if packed { stored } else { deflate })
            .map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())
    };
    put("trace.trace", &lines(&r.events))?;
    put("trace.network", &lines(&network))?;
    if let Some((file, text)) = &r.source {
        let stacks: Vec<Value> = r
            .stacks
            .iter()
            .map(|(call, line)| json!([call, [[0, line, 1, ""]]]))
            .collect();
        put(
            "trace.stacks",
            json!({"files": [file], "stacks": stacks})
                .to_string()
                .as_bytes(),
        )?;
        let digest = Sha1::digest(file.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        put(&format!("resources/src@{hex}.txt"), text.as_bytes())?;
    }
    for (name, bytes) in &r.resources {
        put(&format!("resources/{name}"), bytes)?;
    }
    if let Some(bytes) = &chrome {
        put(CHROME_TRACE, bytes)?;
    }
    if !r.notes.is_empty() {
        put("notes.txt", r.notes.join("\n").as_bytes())?;
    }
    if chrome.is_some() {
        // The attachment is the same entry again, copied without compressing twice.
        zip.deep_copy_file(CHROME_TRACE, &format!("resources/{CHROME_TRACE}"))
            .map_err(|e| e.to_string())?;
    }
    let mut inner = zip.finish().map_err(|e| e.to_string())?;
    inner.flush().map_err(|e| e.to_string())?;
    drop(inner);
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })
}

/// One JSON text per line.
fn lines(events: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        if serde_json::to_writer(&mut out, e).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

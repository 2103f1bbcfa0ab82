//! The replay studio: one self-contained HTML file for a run — a timeline with a bar per
//! action, a failures-only filter, a row per record with its details and every attempt, and
//! every screenshot embedded once as a `data:` URI, enlarged on click. A row's details hold
//! its action's console lines and requests (failures in red) and, for a failed action, its
//! DOM snapshot as escaped source; the "Console" and "Network" sections list every item of
//! the run with its flow and action, filtered by text and by level or failure.
//!
//! The page is the askama template `templates/replay/page.html` (pieces in `parts.html`),
//! which escapes every value it prints, so record text reaches the page only as text; the
//! page's one script and one style sheet are constants admitted by hash in its
//! Content-Security-Policy, which allows nothing else (no outside requests, images only from
//! `data:`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use webrunner_record::{ConsoleEntry, NetworkEntry, Record, Summary, Try};

#[cfg(test)]
use crate::html::escaped as html;
use crate::screenshots::{image_type, resolve_recorded, screenshot_for, ScreenshotIndex};
use crate::write::{create_parent, write_file_atomic};
pub(crate) use gather::FlowEvidence;
use gather::{dom_of, gather, DomView, RowEvidence, RunItem};
use parts::Lane;

mod evidence;
mod gather;
mod parts;

const CSS: &str = include_str!("../../assets/replay/replay.css");
const JS: &str = include_str!("../../assets/replay/replay.js");

/// The largest screenshot that is embedded; a bigger one is named but not embedded.
const MAX_EMBED_BYTES: u64 = 32 * 1024 * 1024;

/// Why the replay studio could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The file (or its folder) could not be written; the I/O error names the path.
    #[error("cannot write replay studio: {error}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

/// Writes the replay studio for `records` to `out` (its folder is created), replacing the
/// file atomically (see [`write_file_atomic`]), and returns the file's absolute path. See
/// [`build_replay_html`] for what the page holds.
///
/// Fails with [`ReplayError::Write`] when the file cannot be written. Missing or unreadable
/// screenshots and DOM snapshots are not errors: the page says which file is missing.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// use webrunner_report::export_replay_studio;
///
/// let written = export_replay_studio(&dir.path().join("replay.html"), &[], None, "Nightly")?;
/// assert!(std::fs::read_to_string(written)?.contains("<title>Nightly</title>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export_replay_studio(
    out: &Path,
    records: &[Record],
    screenshot_dir: Option<&Path>,
    title: &str,
) -> Result<PathBuf, ReplayError> {
    export_replay_page(out, records, &[], screenshot_dir, title)
}

/// [`export_replay_studio`] with the complete evidence of the run's flows (from their
/// `FlowFinished` events): see [`gather::gather`] for which items are shown where.
pub(crate) fn export_replay_page(
    out: &Path,
    records: &[Record],
    flows: &[FlowEvidence],
    screenshot_dir: Option<&Path>,
    title: &str,
) -> Result<PathBuf, ReplayError> {
    let err = |error| ReplayError::Write {
        path: out.display().to_string(),
        error,
    };
    create_parent(out).map_err(err)?;
    let page = build_page(records, flows, screenshot_dir, title);
    write_file_atomic(out, page.as_bytes()).map_err(err)?;
    Ok(std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf()))
}

/// `'sha256-…'` source expression for `text`.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page's Content-Security-Policy: its own style and script by hash, `data:` images,
/// nothing else.
fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        format!(
            "default-src 'none'; img-src data:; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
            csp_hash(CSS),
            csp_hash(JS)
        )
    })
}

/// One screenshot file, embedded once whatever the number of records showing it.
struct Shot {
    id: String,
    path: PathBuf,
    /// `data:` URI, or why the file is not embedded.
    embedded: Result<String, String>,
    /// The rows showing it, e.g. `#3 WR_click`.
    used_by: Vec<String>,
}

fn embed(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > MAX_EMBED_BYTES {
        return Err(format!("too large to embed ({} bytes)", meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let mime =
        image_type(&bytes).ok_or_else(|| "not a PNG, JPEG, GIF or WebP image".to_string())?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut uri = String::with_capacity(bytes.len() * 4 / 3 + 32);
    uri.push_str("data:");
    uri.push_str(mime);
    uri.push_str(";base64,");
    b64.encode_string(&bytes, &mut uri);
    Ok(uri)
}

/// Every screenshot of the page, each file once.
#[derive(Default)]
struct Shots {
    list: Vec<Shot>,
    by_path: HashMap<PathBuf, usize>,
}

impl Shots {
    /// The screenshot at `path`, embedded on first use, now also shown by row `label`.
    fn add(&mut self, path: PathBuf, label: &str) -> usize {
        let list = &mut self.list;
        let n = *self.by_path.entry(path.clone()).or_insert_with(|| {
            list.push(Shot {
                id: format!("shot-{}", list.len()),
                embedded: embed(&path),
                path,
                used_by: Vec::new(),
            });
            list.len() - 1
        });
        let used_by = &mut self.list[n].used_by;
        if used_by.last().map(String::as_str) != Some(label) {
            used_by.push(label.to_string());
        }
        n
    }
}

/// One record's row of the page: the record, its screenshot, each attempt with its own, and
/// its action's console lines, requests and DOM snapshot.
struct Row<'a> {
    /// Its position in the page (`#r-N`).
    row: usize,
    record: &'a Record,
    shot: Option<&'a Shot>,
    tries: Vec<(&'a Try, Option<&'a Shot>)>,
    evidence: &'a RowEvidence<'a>,
    dom: Option<&'a DomView>,
}

/// The whole page; see `templates/replay/page.html`.
#[derive(Template)]
#[template(path = "replay/page.html")]
struct Page<'a> {
    title: &'a str,
    csp: &'static str,
    css: &'static str,
    js: &'static str,
    summary: Summary,
    lanes: Vec<Lane<'a>>,
    /// The time the timeline spans, in milliseconds.
    span: f64,
    rows: Vec<Row<'a>>,
    console: &'a [RunItem<'a, ConsoleEntry>],
    console_errors: usize,
    network: &'a [RunItem<'a, NetworkEntry>],
    network_failed: usize,
    shots: &'a [Shot],
}

/// Builds the replay studio page (see the module docs) for `records`. A record's screenshot
/// is the one in its record — the path as written, else that file name in `screenshot_dir`
/// — or, for a failed record without one, the first `*_<command>.png` of `screenshot_dir` in
/// name order (the seed's rule). A record of more than one attempt lists each attempt (its
/// number, status, start, duration and error) with that attempt's own screenshot, found the
/// same way but without the seed rule. Each distinct file is embedded once.
///
/// Each record's console lines and requests are its own; a failed record's DOM snapshot is
/// its `artifacts.dom` file (relative to the run folder, the screenshot folder's parent),
/// embedded up to 2 MiB. The whole run's lists hold every record's items.
pub fn build_replay_html(records: &[Record], screenshot_dir: Option<&Path>, title: &str) -> String {
    build_page(records, &[], screenshot_dir, title)
}

/// [`build_replay_html`] with the complete evidence of the run's flows.
fn build_page(
    records: &[Record],
    flows: &[FlowEvidence],
    screenshot_dir: Option<&Path>,
    title: &str,
) -> String {
    let gathered = gather(records, flows);
    let doms: Vec<_> = records.iter().map(|r| dom_of(r, screenshot_dir)).collect();
    let index = screenshot_dir
        .map(ScreenshotIndex::scan)
        .unwrap_or_default();
    let dirs: Vec<&Path> = screenshot_dir.into_iter().collect();
    let mut shots = Shots::default();
    let mut found: Vec<(Option<usize>, Vec<Option<usize>>)> = Vec::with_capacity(records.len());
    for (row, r) in records.iter().enumerate() {
        let label = format!("#{} {}", row, r.command);
        let record = screenshot_for(r, screenshot_dir, &index).map(|p| shots.add(p, &label));
        let tries = r
            .tries
            .iter()
            .map(|t| {
                let recorded = t.artifacts.screenshot.as_deref()?;
                resolve_recorded(recorded, &dirs).map(|p| shots.add(p, &label))
            })
            .collect();
        found.push((record, tries));
    }
    let shots = shots.list;
    let rows = records
        .iter()
        .zip(found)
        .enumerate()
        .map(|(row, (record, (shot, tries)))| Row {
            row,
            record,
            shot: shot.map(|n| &shots[n]),
            tries: record
                .tries
                .iter()
                .zip(tries)
                .map(|(t, shot)| (t, shot.map(|n| &shots[n])))
                .collect(),
            evidence: &gathered.rows[row],
            dom: doms[row].as_ref(),
        })
        .collect();
    let (lanes, span) = parts::timeline(records);
    let page = Page {
        title,
        csp: csp(),
        css: CSS,
        js: JS,
        summary: Summary::of(records),
        lanes,
        span,
        rows,
        console: &gathered.console,
        console_errors: gathered
            .console
            .iter()
            .filter(|c| evidence::is_error(c.item))
            .count(),
        network: &gathered.network,
        network_failed: gathered.network.iter().filter(|n| n.item.failed()).count(),
        shots: &shots,
    };
    // The page is mostly its embedded screenshots and DOM snapshots.
    let embedded_bytes: usize = shots
        .iter()
        .map(|s| s.embedded.as_ref().map_or(0, String::len))
        .sum();
    let dom_bytes: usize = doms
        .iter()
        .map(|d| match d {
            Some(DomView::Shown { text, .. }) => text.len() + text.len() / 8,
            _ => 0,
        })
        .sum();
    let mut out = String::with_capacity(4096 + records.len() * 900 + embedded_bytes + dom_bytes);
    // Rendering writes into a String and calls only infallible helpers: it cannot fail.
    let _ = page.render_into(&mut out);
    out
}

#[cfg(test)]
mod evidence_tests;
#[cfg(test)]
mod tests;

//! What the replay studio shows of the page's console and network, per action and for the
//! whole run, and the DOM snapshot of a failed action read from its file.
//!
//! A flow whose `FlowFinished` event carried evidence is shown from that evidence (it is
//! complete: a record holds only what had come when its action ended); the records of any
//! other flow, and every record given without flow evidence, show their own items.

use std::io::Read as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use webrunner_record::{ConsoleEntry, Evidence, NetworkEntry, Record};

use crate::screenshots::resolve_recorded;

/// The largest DOM snapshot embedded; a bigger one is cut there (and the page says so).
pub(super) const MAX_DOM_BYTES: u64 = 2 * 1024 * 1024;

/// A flow's complete evidence as its `FlowFinished` event carried it, and the positions in
/// the page's records of that flow's records.
#[derive(Debug, Clone)]
pub(crate) struct FlowEvidence {
    /// The flow's name.
    pub(crate) flow: String,
    /// Everything its pages said and fetched.
    pub(crate) evidence: Evidence,
    /// Its records' positions in the list of records.
    pub(crate) rows: Range<usize>,
}

/// The console lines and requests of one action.
#[derive(Debug, Default)]
pub(super) struct RowEvidence<'a> {
    pub(super) console: Vec<&'a ConsoleEntry>,
    pub(super) network: Vec<&'a NetworkEntry>,
}

impl RowEvidence<'_> {
    fn is_empty(&self) -> bool {
        self.console.is_empty() && self.network.is_empty()
    }
}

/// One item of the whole run's lists, with its flow, its action's index and that action's
/// row in the page (when the page has it).
#[derive(Debug)]
pub(super) struct RunItem<'a, T> {
    pub(super) flow: &'a str,
    pub(super) action: Option<usize>,
    pub(super) row: Option<usize>,
    pub(super) item: &'a T,
}

/// Every action's items, and the whole run's.
#[derive(Debug, Default)]
pub(super) struct Gathered<'a> {
    pub(super) rows: Vec<RowEvidence<'a>>,
    pub(super) console: Vec<RunItem<'a, ConsoleEntry>>,
    pub(super) network: Vec<RunItem<'a, NetworkEntry>>,
}

fn of_action(evidence: &Evidence, index: usize) -> RowEvidence<'_> {
    RowEvidence {
        console: evidence
            .console
            .iter()
            .filter(|c| c.action == Some(index))
            .collect(),
        network: evidence
            .network
            .iter()
            .filter(|n| n.action == Some(index))
            .collect(),
    }
}

fn own(record: &Record) -> RowEvidence<'_> {
    RowEvidence {
        console: record.console.iter().collect(),
        network: record.network.iter().collect(),
    }
}

fn clamp(rows: &Range<usize>, len: usize) -> Range<usize> {
    rows.start.min(len)..rows.end.min(len)
}

/// Where the whole run's items come from, in page order.
enum Source {
    Flow(usize),
    Row(usize),
}

/// Gathers the items of every action of `records` and of the whole run (see the module
/// docs). An action of a flow with evidence shows that evidence's items of its index, or its
/// record's own when the evidence has none for it.
pub(super) fn gather<'a>(records: &'a [Record], flows: &'a [FlowEvidence]) -> Gathered<'a> {
    let mut covered: Vec<Option<usize>> = vec![None; records.len()];
    for (n, f) in flows.iter().enumerate() {
        if !f.evidence.is_empty() {
            for row in clamp(&f.rows, records.len()) {
                covered[row] = Some(n);
            }
        }
    }
    let rows = records
        .iter()
        .zip(&covered)
        .map(|(r, cover)| match cover {
            Some(n) => Some(of_action(&flows[*n].evidence, r.index))
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| own(r)),
            None => own(r),
        })
        .collect();
    let mut sources: Vec<(usize, Source)> = flows
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.evidence.is_empty())
        .map(|(n, f)| (f.rows.start, Source::Flow(n)))
        .chain(
            covered
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_none())
                .map(|(row, _)| (row, Source::Row(row))),
        )
        .collect();
    sources.sort_by_key(|(at, _)| *at);
    let mut out = Gathered {
        rows,
        ..Gathered::default()
    };
    for (_, source) in sources {
        match source {
            Source::Flow(n) => {
                let f = &flows[n];
                let span = clamp(&f.rows, records.len());
                let row_of = |action: Option<usize>| {
                    let action = action?;
                    span.clone().find(|&row| records[row].index == action)
                };
                out.console
                    .extend(f.evidence.console.iter().map(|c| RunItem {
                        flow: &f.flow,
                        action: c.action,
                        row: row_of(c.action),
                        item: c,
                    }));
                out.network
                    .extend(f.evidence.network.iter().map(|n| RunItem {
                        flow: &f.flow,
                        action: n.action,
                        row: row_of(n.action),
                        item: n,
                    }));
            }
            Source::Row(row) => {
                let r = &records[row];
                let flow = r.flow.as_deref().unwrap_or("");
                out.console.extend(r.console.iter().map(|c| RunItem {
                    flow,
                    action: Some(r.index),
                    row: Some(row),
                    item: c,
                }));
                out.network.extend(r.network.iter().map(|n| RunItem {
                    flow,
                    action: Some(r.index),
                    row: Some(row),
                    item: n,
                }));
            }
        }
    }
    out
}

/// A failed action's DOM snapshot, or why it is not shown.
#[derive(Debug)]
pub(super) enum DomView {
    /// The file's text (at most [`MAX_DOM_BYTES`]); `size` is the whole file's when it was
    /// cut.
    Shown {
        path: PathBuf,
        text: String,
        cut: Option<u64>,
    },
    /// No file was found at the recorded path.
    Missing(String),
    /// The file exists but could not be read.
    Unreadable { path: PathBuf, why: String },
}

/// The file a record names as its DOM snapshot: the path joined to the run folder (the
/// screenshot folder's parent) or to the screenshot folder when it is relative, else found
/// like a screenshot ([`resolve_recorded`]: as written, else by name in those folders).
fn resolve_dom(recorded: &str, screenshot_dir: Option<&Path>) -> Option<PathBuf> {
    let bases: Vec<&Path> = screenshot_dir
        .into_iter()
        .flat_map(|d| [d.parent(), Some(d)])
        .flatten()
        .collect();
    let path = Path::new(recorded);
    if path.is_relative() {
        if let Some(found) = bases.iter().map(|b| b.join(path)).find(|p| p.is_file()) {
            return Some(found);
        }
    }
    resolve_recorded(recorded, &bases)
}

/// Reads at most `max` bytes of `path` as text: invalid UTF-8 is replaced, a character cut
/// at the end is dropped. Returns the text and, when the file was longer, its size.
fn read_capped(path: &Path, max: u64) -> std::io::Result<(String, Option<u64>)> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let mut bytes = Vec::with_capacity(size.min(max) as usize);
    file.take(max).read_to_end(&mut bytes)?;
    let cut = (size > bytes.len() as u64).then_some(size);
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text.to_string(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(&bytes).into_owned(),
    };
    Ok((text, cut))
}

/// The DOM snapshot of `record` when it failed and names one (see [`resolve_dom`]).
pub(super) fn dom_of(record: &Record, screenshot_dir: Option<&Path>) -> Option<DomView> {
    dom_view(record, screenshot_dir, MAX_DOM_BYTES)
}

pub(super) fn dom_view(
    record: &Record,
    screenshot_dir: Option<&Path>,
    max: u64,
) -> Option<DomView> {
    if !record.failed() {
        return None;
    }
    let recorded = record.artifacts.dom.as_deref()?;
    let Some(path) = resolve_dom(recorded, screenshot_dir) else {
        return Some(DomView::Missing(recorded.to_string()));
    };
    Some(match read_capped(&path, max) {
        Ok((text, cut)) => DomView::Shown { path, text, cut },
        Err(e) => DomView::Unreadable {
            path,
            why: e.to_string(),
        },
    })
}

//! What the replay page shows of the page's console and network as text: levels and their
//! classes, source locations, times, sizes, counts. The template
//! (`templates/replay/page.html`) puts an action's console lines and requests in its row
//! details, a failed action's DOM snapshot as escaped source, and the whole run's "Console"
//! and "Network" lists with their filters; error-level lines and failed requests carry the
//! class `bad` (shown in red).
//!
//! Source locations are shown as `url:line:column`, 1-based like browser developer tools (the
//! records keep the browser's 0-based numbers).

use std::fmt::Write as _;

use time::OffsetDateTime;
use webrunner_record::ConsoleEntry;

use super::gather::{DomView, RowEvidence};

/// The console levels the whole-run list can be filtered by.
pub(super) const LEVELS: [&str; 5] = ["error", "warning", "info", "log", "debug"];

/// `n` and `word`, plural unless `n` is 1.
pub(super) fn count(n: impl std::borrow::Borrow<usize>, word: &str) -> String {
    let n = *n.borrow();
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn is_error(c: &ConsoleEntry) -> bool {
    c.level == "error"
}

/// `HH:MM:SS.mmm` (UTC) of a time in milliseconds since the Unix epoch.
pub(super) fn epoch_clock(ms: &f64) -> String {
    let ms = *ms;
    let format = time::macros::format_description!("[hour]:[minute]:[second].[subsecond digits:3]");
    if !ms.is_finite() {
        return String::new();
    }
    OffsetDateTime::from_unix_timestamp_nanos((ms * 1_000_000.0) as i128)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

pub(super) fn size_text(bytes: &f64) -> String {
    let bytes = *bytes;
    if !bytes.is_finite() || bytes < 0.0 {
        String::new()
    } else if bytes < 1024.0 {
        format!("{bytes:.0} B")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    }
}

/// `url:line:column` (1-based), as far as it is known.
pub(super) fn location(c: &ConsoleEntry) -> String {
    let mut text = c.url.clone().unwrap_or_default();
    if let Some(line) = c.line {
        let _ = write!(text, ":{}", line.saturating_add(1));
        if let Some(column) = c.column {
            let _ = write!(text, ":{}", column.saturating_add(1));
        }
    }
    text
}

/// The class of a console row: `bad` for errors, `warn` for warnings.
pub(super) fn console_class(c: &ConsoleEntry) -> &'static str {
    match c.level.as_str() {
        "error" => "c bad",
        "warning" | "warn" => "c warn",
        _ => "c",
    }
}

/// The class of a console line's level badge.
pub(super) fn level_badge(c: &ConsoleEntry) -> &'static str {
    match c.level.as_str() {
        "error" => "lv-error",
        "warning" | "warn" => "lv-warn",
        _ => "lv-other",
    }
}

/// A number when it is finite.
pub(super) fn finite(ms: &Option<f64>) -> Option<f64> {
    ms.filter(|ms| ms.is_finite())
}

/// What a row's details hold besides its fields, for the details' summary: e.g.
/// ` · 2 console (1 error) · 3 requests (1 failed) · DOM`.
pub(super) fn details_note(ev: &RowEvidence, dom: &Option<&DomView>) -> String {
    let mut note = String::new();
    if !ev.console.is_empty() {
        let _ = write!(note, " · {} console", ev.console.len());
        let errors = ev.console.iter().filter(|c| is_error(c)).count();
        if errors > 0 {
            let _ = write!(
                note,
                " ({errors} error{})",
                if errors == 1 { "" } else { "s" }
            );
        }
    }
    if !ev.network.is_empty() {
        let n = ev.network.len();
        let _ = write!(note, " · {n} request{}", if n == 1 { "" } else { "s" });
        let failed = ev.network.iter().filter(|n| n.failed()).count();
        if failed > 0 {
            let _ = write!(note, " ({failed} failed)");
        }
    }
    if dom.is_some() {
        note.push_str(" · DOM");
    }
    note
}

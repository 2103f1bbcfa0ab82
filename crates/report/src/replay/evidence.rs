//! The replay studio's console and network pieces: an action's console lines and requests in
//! its row details, a failed action's DOM snapshot as escaped source, and the whole run's
//! "Console" and "Network" lists with their filters. Error-level lines and failed requests
//! carry the class `bad` (shown in red). Every text from a record goes through [`push_html`].
//!
//! Source locations are shown as `url:line:column`, 1-based like browser developer tools (the
//! records keep the browser's 0-based numbers).

use std::fmt::Write as _;

use time::OffsetDateTime;
use webrunner_record::{ConsoleEntry, NetworkEntry};

use super::gather::{DomView, RowEvidence, RunItem};
use crate::escape::push_html;

/// The console levels the whole-run list can be filtered by.
const LEVELS: [&str; 5] = ["error", "warning", "info", "log", "debug"];

/// `n` and `word`, plural unless `n` is 1.
fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn is_error(c: &ConsoleEntry) -> bool {
    c.level == "error"
}

/// `HH:MM:SS.mmm` (UTC) of a time in milliseconds since the Unix epoch.
fn epoch_clock(ms: f64) -> String {
    let format = time::macros::format_description!("[hour]:[minute]:[second].[subsecond digits:3]");
    if !ms.is_finite() {
        return String::new();
    }
    OffsetDateTime::from_unix_timestamp_nanos((ms * 1_000_000.0) as i128)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

fn size_text(bytes: f64) -> String {
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
fn location(c: &ConsoleEntry) -> String {
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
fn console_class(c: &ConsoleEntry) -> &'static str {
    match c.level.as_str() {
        "error" => "c bad",
        "warning" | "warn" => "c warn",
        _ => "c",
    }
}

/// `<tr …>` of a console line, opened (its cells follow).
fn open_console_row(x: &mut String, c: &ConsoleEntry) {
    let _ = write!(x, "<tr class=\"{}\" data-level=\"", console_class(c));
    push_html(x, &c.level);
    x.push_str("\">");
}

/// Level, message (with the stack, collapsed) and source cells of a console line.
fn console_cells(x: &mut String, c: &ConsoleEntry) {
    let badge = match c.level.as_str() {
        "error" => "lv-error",
        "warning" | "warn" => "lv-warn",
        _ => "lv-other",
    };
    let _ = write!(x, "<td><span class=\"level {badge}\">");
    push_html(x, &c.level);
    x.push_str("</span>");
    if c.source != "console" {
        x.push_str("<span class=\"note\">");
        push_html(x, &c.source);
        x.push_str("</span>");
    }
    x.push_str("</td><td><pre>");
    push_html(x, &c.text);
    x.push_str("</pre>");
    if let Some(stack) = &c.stack {
        x.push_str("<details class=\"stack\"><summary>stack</summary><pre>");
        push_html(x, stack);
        x.push_str("</pre></details>");
    }
    x.push_str("</td><td class=\"loc\">");
    push_html(x, &location(c));
    x.push_str("</td>");
}

/// `<tr …>` of a request, opened.
fn open_network_row(x: &mut String, n: &NetworkEntry) {
    x.push_str(if n.failed() {
        "<tr class=\"n bad\">"
    } else {
        "<tr class=\"n\">"
    });
}

/// Method, URL, status (or failure), duration and size cells of a request.
fn network_cells(x: &mut String, n: &NetworkEntry) {
    x.push_str("<td>");
    push_html(x, &n.method);
    x.push_str("</td><td class=\"url\">");
    push_html(x, &n.url);
    if let Some(kind) = &n.resource_type {
        x.push_str(" <span class=\"note\">");
        push_html(x, kind);
        x.push_str("</span>");
    }
    x.push_str("</td><td class=\"status\">");
    match (&n.failure, n.status) {
        (Some(why), Some(status)) => {
            let _ = write!(x, "{status} ");
            push_html(x, why);
        }
        (Some(why), None) => push_html(x, why),
        (None, Some(status)) => {
            let _ = write!(x, "{status}");
        }
        (None, None) => x.push_str("<span class=\"note\">pending</span>"),
    }
    x.push_str("</td><td class=\"num\">");
    if let Some(ms) = n.duration_ms.filter(|ms| ms.is_finite()) {
        let _ = write!(x, "{ms:.0} ms");
    }
    x.push_str("</td><td class=\"num\">");
    if let Some(size) = n.size {
        x.push_str(&size_text(size));
    }
    x.push_str("</td>");
}

const CONSOLE_HEAD: &str = "<th>Level</th><th>Message</th><th>Source</th>";
const NETWORK_HEAD: &str =
    "<th>Method</th><th>URL</th><th>Status</th><th>Duration</th><th>Size</th>";

/// What a row's details hold besides its fields, for the details' summary: e.g.
/// ` · 2 console (1 error) · 3 requests (1 failed) · DOM`.
pub(super) fn details_note(ev: &RowEvidence, dom: Option<&DomView>) -> String {
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

/// An action's console lines and requests, then its DOM snapshot, inside its row details.
pub(super) fn write_row_evidence(x: &mut String, ev: &RowEvidence, dom: Option<&DomView>) {
    if !ev.console.is_empty() {
        let _ = write!(
            x,
            "<h4>Console ({})</h4><table class=\"ev console\"><thead><tr>{CONSOLE_HEAD}</tr></thead><tbody>",
            ev.console.len()
        );
        for c in &ev.console {
            open_console_row(x, c);
            console_cells(x, c);
            x.push_str("</tr>");
        }
        x.push_str("</tbody></table>");
    }
    if !ev.network.is_empty() {
        let _ = write!(
            x,
            "<h4>Requests ({})</h4><table class=\"ev network\"><thead><tr>{NETWORK_HEAD}</tr></thead><tbody>",
            ev.network.len()
        );
        for n in &ev.network {
            open_network_row(x, n);
            network_cells(x, n);
            x.push_str("</tr>");
        }
        x.push_str("</tbody></table>");
    }
    if let Some(dom) = dom {
        write_dom(x, dom);
    }
}

/// A DOM snapshot as escaped source in a collapsed block, or which file is missing.
fn write_dom(x: &mut String, dom: &DomView) {
    match dom {
        DomView::Shown { path, text, cut } => {
            x.push_str("<details class=\"dom\"><summary>DOM snapshot <span class=\"note\">");
            push_html(x, &path.display().to_string());
            x.push_str("</span>");
            if let Some(size) = cut {
                let _ = write!(
                    x,
                    " <span class=\"note cut\">cut at {} of {size} bytes</span>",
                    text.len()
                );
            }
            x.push_str("</summary><pre class=\"dom\">");
            push_html(x, text);
            x.push_str("</pre></details>");
        }
        DomView::Missing(recorded) => {
            x.push_str("<p class=\"note\">DOM snapshot missing: ");
            push_html(x, recorded);
            x.push_str("</p>");
        }
        DomView::Unreadable { path, why } => {
            x.push_str("<p class=\"note\">DOM snapshot ");
            push_html(x, &format!("{}: cannot read: {why}", path.display()));
            x.push_str("</p>");
        }
    }
}

/// The flow, action index (linked to its row) and time cells of a whole-run item.
fn origin_cells<T>(x: &mut String, item: &RunItem<T>, timestamp_ms: f64) {
    x.push_str("<td>");
    push_html(
        x,
        if item.flow.is_empty() {
            "(run)"
        } else {
            item.flow
        },
    );
    x.push_str("</td><td>");
    match (item.action, item.row) {
        (Some(action), Some(row)) => {
            let _ = write!(x, "<a href=\"#r-{row}\">#{action}</a>");
        }
        (Some(action), None) => {
            let _ = write!(x, "#{action}");
        }
        (None, _) => x.push_str("<span class=\"note\">—</span>"),
    }
    let _ = write!(x, "</td><td>{}</td>", epoch_clock(timestamp_ms));
}

/// The whole run's console lines: a text filter, a level filter and a table.
pub(super) fn write_run_console(x: &mut String, items: &[RunItem<ConsoleEntry>]) {
    let errors = items.iter().filter(|i| is_error(i.item)).count();
    let _ = writeln!(
        x,
        "<section id=\"console\"><h2>Console <span class=\"note\">{}, {}</span></h2>",
        count(items.len(), "line"),
        count(errors, "error")
    );
    if items.is_empty() {
        x.push_str("<p class=\"note\">No console lines were captured.</p>\n</section>\n");
        return;
    }
    x.push_str(
        "<div class=\"filters\"><input type=\"search\" id=\"console-text\" \
         placeholder=\"filter console\" aria-label=\"filter console text\"> \
         <select id=\"console-level\" aria-label=\"console level\"><option value=\"\">all levels</option>",
    );
    for level in LEVELS {
        let _ = write!(x, "<option value=\"{level}\">{level}</option>");
    }
    let _ = write!(
        x,
        "</select> <span class=\"note\" id=\"console-count\"></span></div>\n\
         <table id=\"console-list\" class=\"run-list\"><thead><tr><th>Flow</th><th>Action</th>\
         <th>Time</th>{CONSOLE_HEAD}</tr></thead>\n<tbody>\n"
    );
    for item in items {
        open_console_row(x, item.item);
        origin_cells(x, item, item.item.timestamp_ms);
        console_cells(x, item.item);
        x.push_str("</tr>\n");
    }
    x.push_str("</tbody></table>\n</section>\n");
}

/// The whole run's requests: a text filter, a failed-only filter and a table.
pub(super) fn write_run_network(x: &mut String, items: &[RunItem<NetworkEntry>]) {
    let failed = items.iter().filter(|i| i.item.failed()).count();
    let _ = writeln!(
        x,
        "<section id=\"network\"><h2>Network <span class=\"note\">{}, {failed} failed</span></h2>",
        count(items.len(), "request")
    );
    if items.is_empty() {
        x.push_str("<p class=\"note\">No requests were captured.</p>\n</section>\n");
        return;
    }
    let _ = write!(
        x,
        "<div class=\"filters\"><input type=\"search\" id=\"network-text\" \
         placeholder=\"filter requests\" aria-label=\"filter requests text\"> \
         <label><input type=\"checkbox\" id=\"network-failed\"> failed only</label> \
         <span class=\"note\" id=\"network-count\"></span></div>\n\
         <table id=\"network-list\" class=\"run-list\"><thead><tr><th>Flow</th><th>Action</th>\
         <th>Time</th>{NETWORK_HEAD}</tr></thead>\n<tbody>\n"
    );
    for item in items {
        open_network_row(x, item.item);
        origin_cells(x, item, item.item.timestamp_ms);
        network_cells(x, item.item);
        x.push_str("</tr>\n");
    }
    x.push_str("</tbody></table>\n</section>\n");
}

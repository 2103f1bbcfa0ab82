//! The pieces of the replay studio page: the timeline, a row per record with a list of its
//! attempts, and the gallery of embedded screenshots. A row's details also hold its action's
//! console lines, requests and DOM snapshot (see [`super::evidence`]). Every text from a
//! record goes through [`push_html`].

use std::fmt::Write as _;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use webrunner_record::{Record, Status};

use super::evidence::{details_note, write_row_evidence};
use super::gather::{DomView, RowEvidence};
use super::Shot;
use crate::escape::push_html;

fn ms_text(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        "—".to_string()
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// The time of day of an RFC 3339 time (`HH:MM:SS.mmm`), else the text as given.
pub(super) fn clock_text(started_at: &str) -> String {
    let format = time::macros::format_description!("[hour]:[minute]:[second].[subsecond digits:3]");
    OffsetDateTime::parse(started_at, &Rfc3339)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| started_at.to_string())
}

fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// `args` as JSON, then `kwargs` as JSON when there are any.
fn params_text(r: &Record) -> String {
    let mut text = String::new();
    if !r.args.is_empty() || r.kwargs.is_empty() {
        text.push_str(&serde_json::to_string(&r.args).unwrap_or_default());
    }
    if !r.kwargs.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&serde_json::to_string(&r.kwargs).unwrap_or_default());
    }
    text
}

/// Start and end of each record in milliseconds from the earliest start. A record whose
/// start time does not parse starts where the previous one ended.
pub(super) fn placements(records: &[Record]) -> (Vec<(f64, f64)>, f64) {
    let starts: Vec<Option<OffsetDateTime>> = records
        .iter()
        .map(|r| OffsetDateTime::parse(&r.started_at, &Rfc3339).ok())
        .collect();
    let t0 = starts.iter().flatten().min().copied();
    let mut out = Vec::with_capacity(records.len());
    let mut previous_end = 0.0_f64;
    for (r, start) in records.iter().zip(&starts) {
        let start = match (start, t0) {
            (Some(s), Some(t0)) => (*s - t0).as_seconds_f64() * 1000.0,
            _ => previous_end,
        };
        let duration = if r.duration_ms.is_finite() && r.duration_ms > 0.0 {
            r.duration_ms
        } else {
            0.0
        };
        out.push((start, start + duration));
        previous_end = start + duration;
    }
    let span = out.iter().map(|(_, end)| *end).fold(0.0, f64::max);
    (out, span)
}

/// A lane per flow (in order of first appearance), a linked bar per record.
pub(super) fn write_timeline(x: &mut String, records: &[Record]) {
    let (places, span) = placements(records);
    let scale = if span > 0.0 { 1000.0 / span } else { 0.0 };
    let mut lanes: Vec<(&str, Vec<usize>)> = Vec::new();
    for (row, r) in records.iter().enumerate() {
        let name = r.flow.as_deref().unwrap_or("(run)");
        match lanes.iter_mut().find(|(n, _)| *n == name) {
            Some((_, rows)) => rows.push(row),
            None => lanes.push((name, vec![row])),
        }
    }
    x.push_str("<section id=\"timeline\"><h2>Timeline</h2>\n<div class=\"lanes\">\n");
    for (name, rows) in &lanes {
        x.push_str("<div class=\"lane\"><span class=\"lane-name\" title=\"");
        push_html(x, name);
        x.push_str("\">");
        push_html(x, name);
        x.push_str(
            "</span><svg viewBox=\"0 0 1000 10\" preserveAspectRatio=\"none\" \
             xmlns=\"http://www.w3.org/2000/svg\">",
        );
        for &row in rows {
            let r = &records[row];
            let (start, end) = places[row];
            let (x0, width) = if scale > 0.0 {
                (start * scale, ((end - start) * scale).max(0.5))
            } else {
                (row as f64 * 1000.0 / records.len().max(1) as f64, 0.5)
            };
            let class = if r.failed() {
                "fail"
            } else if r.flaky {
                "flaky"
            } else {
                "ok"
            };
            let _ = write!(
                x,
                "<a href=\"#r-{row}\"><rect class=\"bar {class}\" x=\"{x0:.2}\" y=\"1\" width=\"{width:.2}\" height=\"8\"><title>#{} ",
                r.index
            );
            push_html(x, &r.command);
            let _ = write!(
                x,
                " — {} — {}</title></rect></a>",
                if r.failed() { "FAILED" } else { "PASSED" },
                ms_text(r.duration_ms)
            );
        }
        x.push_str("</svg></div>\n");
    }
    let _ = write!(
        x,
        "</div>\n<div class=\"axis\"><span></span><span>0 s</span><span class=\"end\">{}</span></div>\n</section>\n",
        ms_text(span)
    );
}

/// The row of record `row` (its position in the page), then the list of its attempts when it
/// has more than one. `try_shots` holds the screenshot of each of its tries; `evidence` and
/// `dom` are its action's console lines and requests and its DOM snapshot.
pub(super) fn write_row(
    x: &mut String,
    row: usize,
    r: &Record,
    shot: Option<&Shot>,
    try_shots: &[Option<&Shot>],
    evidence: &RowEvidence,
    dom: Option<&DomView>,
) {
    let failed = r.failed();
    let class = if failed { "fail" } else { "ok" };
    let _ = write!(
        x,
        "<tr id=\"r-{row}\" class=\"rec {class}\"><td>{}</td><td title=\"",
        r.index
    );
    push_html(x, &r.started_at);
    x.push_str("\">");
    push_html(x, &clock_text(&r.started_at));
    x.push_str("</td><td>");
    push_html(x, r.flow.as_deref().unwrap_or(""));
    x.push_str("</td><td class=\"command\">");
    push_html(x, &r.command);
    let _ = write!(
        x,
        "</td><td><span class=\"badge {class}\">{}</span>",
        if failed { "FAILED" } else { "PASSED" }
    );
    if r.flaky {
        x.push_str("<span class=\"badge flaky\">FLAKY</span>");
    }
    if r.attempts > 1 {
        let _ = write!(x, "<span class=\"note\">{} attempts</span>", r.attempts);
    }
    let _ = write!(x, "</td><td>{}</td><td><pre>", ms_text(r.duration_ms));
    push_html(x, &params_text(r));
    x.push_str("</pre></td><td><pre class=\"error\">");
    push_html(x, r.error.as_deref().unwrap_or(""));
    x.push_str("</pre></td><td>");
    let alt = format!("screenshot of #{} {}", r.index, r.command);
    write_screenshot(x, shot, r.artifacts.screenshot.as_deref(), &alt);
    // Params and error have their own columns; the details add the rest.
    x.push_str("</td><td><details><summary>details");
    x.push_str(&details_note(evidence, dom));
    x.push_str("</summary><dl><dt>result</dt><dd><pre>");
    push_html(x, &json_text(&r.result));
    let _ = write!(
        x,
        "</pre></dd><dt>attempts</dt><dd>{}</dd><dt>flaky</dt><dd>{}</dd><dt>duration</dt><dd>{:.1} ms</dd>",
        r.attempts,
        if r.flaky { "yes" } else { "no" },
        if r.duration_ms.is_finite() { r.duration_ms } else { 0.0 }
    );
    if let Some(trace) = &r.trace_id {
        x.push_str("<dt>trace id</dt><dd>");
        push_html(x, trace);
        x.push_str("</dd>");
    }
    for (name, path) in [
        ("screenshot", &r.artifacts.screenshot),
        ("dom", &r.artifacts.dom),
        ("trace", &r.artifacts.trace),
    ] {
        if let Some(path) = path {
            let _ = write!(x, "<dt>{name}</dt><dd>");
            push_html(x, path);
            x.push_str("</dd>");
        }
    }
    x.push_str("</dl>");
    write_row_evidence(x, evidence, dom);
    x.push_str("</details></td></tr>\n");
    if r.tries.len() > 1 {
        write_tries(x, r, try_shots);
    }
}

/// A thumbnail of `shot` linked to its embedded copy, else why it is not shown: the file
/// could not be embedded, or the recorded file (`recorded`) was not found.
fn write_screenshot(x: &mut String, shot: Option<&Shot>, recorded: Option<&str>, alt: &str) {
    match (shot, recorded) {
        (Some(shot), _) => match &shot.embedded {
            Ok(_) => {
                let _ = write!(
                    x,
                    "<a href=\"#{}\"><img class=\"thumb\" data-shot=\"{}\" alt=\"",
                    shot.id, shot.id
                );
                push_html(x, alt);
                x.push_str("\"></a>");
            }
            Err(why) => {
                x.push_str("<span class=\"note\">");
                push_html(x, &format!("{}: {why}", shot.path.display()));
                x.push_str("</span>");
            }
        },
        (None, Some(recorded)) => {
            x.push_str("<span class=\"note\">missing: ");
            push_html(x, recorded);
            x.push_str("</span>");
        }
        (None, None) => {}
    }
}

/// A row under the record's listing every attempt: number, status, start, duration, error
/// and its screenshot.
fn write_tries(x: &mut String, r: &Record, try_shots: &[Option<&Shot>]) {
    let class = if r.failed() { "fail" } else { "ok" };
    let _ = write!(
        x,
        "<tr class=\"tries {class}\"><td></td><td colspan=\"9\"><ol class=\"tries\">"
    );
    for (n, t) in r.tries.iter().enumerate() {
        let (class, status) = match t.status {
            Status::Passed => ("ok", "PASSED"),
            Status::Failed => ("fail", "FAILED"),
        };
        let _ = write!(
            x,
            "<li class=\"try {class}\"><span class=\"badge {class}\">attempt {} {status}</span>\
             <span class=\"note\" title=\"",
            t.attempt
        );
        push_html(x, &t.started_at);
        x.push_str("\">");
        push_html(x, &clock_text(&t.started_at));
        let _ = write!(x, ", {}</span>", ms_text(t.duration_ms));
        if let Some(error) = &t.error {
            x.push_str("<pre class=\"error\">");
            push_html(x, error);
            x.push_str("</pre>");
        }
        let alt = format!(
            "screenshot of #{} {}, attempt {}",
            r.index, r.command, t.attempt
        );
        let shot = try_shots.get(n).copied().flatten();
        write_screenshot(x, shot, t.artifacts.screenshot.as_deref(), &alt);
        x.push_str("</li>");
    }
    x.push_str("</ol></td></tr>\n");
}

/// Every embedded screenshot once, with the records that show it.
pub(super) fn write_gallery(x: &mut String, shots: &[Shot]) {
    if shots.is_empty() {
        return;
    }
    x.push_str("<section id=\"screenshots\"><h2>Screenshots</h2>\n");
    for shot in shots {
        let Ok(uri) = &shot.embedded else {
            continue;
        };
        let name = shot
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = write!(x, "<figure id=\"{}\"><img class=\"full\" src=\"", shot.id);
        x.push_str(uri); // base64 and a fixed MIME type: nothing to escape
        x.push_str("\" alt=\"");
        push_html(x, &name);
        x.push_str("\"><figcaption>");
        push_html(x, &name);
        x.push_str(" — ");
        push_html(x, &shot.used_by.join(", "));
        x.push_str("</figcaption></figure>\n");
    }
    x.push_str("</section>\n");
}

//! What the replay page shows of a record as text — times, durations, statuses, parameters —
//! and where its timeline bar goes. The page itself is the template
//! `templates/replay/page.html`, which calls these.

use std::path::Path;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use webrunner_record::{Record, Status, Try};

pub(super) fn ms_text(ms: &f64) -> String {
    let ms = *ms;
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

pub(super) fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// `args` as JSON, then `kwargs` as JSON when there are any.
pub(super) fn params_text(r: &Record) -> String {
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

/// `fail` or `ok`: the class of a record's row and bar.
pub(super) fn status_class(r: &Record) -> &'static str {
    if r.failed() {
        "fail"
    } else {
        "ok"
    }
}

/// `FAILED` or `PASSED`.
pub(super) fn status_text(r: &Record) -> &'static str {
    if r.failed() {
        "FAILED"
    } else {
        "PASSED"
    }
}

/// The class of an attempt: `fail` or `ok`.
pub(super) fn try_class(t: &Try) -> &'static str {
    match t.status {
        Status::Passed => "ok",
        Status::Failed => "fail",
    }
}

/// `FAILED` or `PASSED` for an attempt.
pub(super) fn try_status(t: &Try) -> &'static str {
    match t.status {
        Status::Passed => "PASSED",
        Status::Failed => "FAILED",
    }
}

/// A duration that is not a finite number counts as 0.
pub(super) fn finite_or_zero(ms: &f64) -> f64 {
    if ms.is_finite() {
        *ms
    } else {
        0.0
    }
}

/// The alt text of a record's screenshot, or of one attempt's.
pub(super) fn alt(r: &Record, attempt: Option<&u32>) -> String {
    match attempt {
        Some(n) => format!("screenshot of #{} {}, attempt {n}", r.index, r.command),
        None => format!("screenshot of #{} {}", r.index, r.command),
    }
}

/// The record's artifact files by kind (`screenshot`, `dom`, `trace`), those it has.
pub(super) fn artifacts(r: &Record) -> Vec<(&'static str, &str)> {
    [
        ("screenshot", &r.artifacts.screenshot),
        ("dom", &r.artifacts.dom),
        ("trace", &r.artifacts.trace),
    ]
    .into_iter()
    .filter_map(|(name, path)| Some((name, path.as_deref()?)))
    .collect()
}

/// The file name of a path, as text.
pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Where a record's bar goes on its flow's lane.
#[derive(Debug)]
pub(super) struct Bar<'a> {
    /// The record's position in the page.
    pub(super) row: usize,
    pub(super) record: &'a Record,
    pub(super) class: &'static str,
    /// Left edge and width, in a 1000-wide box.
    pub(super) x: f64,
    pub(super) width: f64,
}

/// A flow's lane of the timeline.
#[derive(Debug)]
pub(super) struct Lane<'a> {
    pub(super) name: &'a str,
    pub(super) bars: Vec<Bar<'a>>,
}

/// A lane per flow (in order of first appearance) with a bar per record, and the time the
/// timeline spans in milliseconds.
pub(super) fn timeline(records: &[Record]) -> (Vec<Lane<'_>>, f64) {
    let (places, span) = placements(records);
    let scale = if span > 0.0 { 1000.0 / span } else { 0.0 };
    let mut lanes: Vec<Lane<'_>> = Vec::new();
    for (row, r) in records.iter().enumerate() {
        let (start, end) = places[row];
        let (x, width) = if scale > 0.0 {
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
        let bar = Bar {
            row,
            record: r,
            class,
            x,
            width,
        };
        let name = r.flow.as_deref().unwrap_or("(run)");
        match lanes.iter_mut().find(|lane| lane.name == name) {
            Some(lane) => lane.bars.push(bar),
            None => lanes.push(Lane {
                name,
                bars: vec![bar],
            }),
        }
    }
    (lanes, span)
}

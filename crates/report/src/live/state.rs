//! The live state behind [`LiveRun`](super::LiveRun) and the `/records` payload it gives:
//! each record is serialised once, when it arrives, into one growing JSON buffer, and only
//! the time-dependent head (elapsed time, estimate of time left) is written per request.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use webrunner_record::{Record, RunEvent, Summary};

use crate::screenshots::{screenshot_for, ScreenshotIndex};

/// `s` percent-encoded as one URL path segment (everything but `A-Za-z0-9-._~`), so a
/// screenshot's file name cannot add a path level or a query.
fn url_segment(s: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// The step that is running now.
pub(super) struct Running {
    flow: Option<String>,
    index: usize,
    command: String,
    attempt: u32,
    since: Instant,
}

/// Everything a [`LiveRun`](super::LiveRun) knows; see the module documentation.
pub(super) struct State {
    pub(super) version: u64,
    pub(super) clock: Instant,
    pub(super) started_at: String,
    pub(super) planned_explicit: Option<usize>,
    planned_flows: usize,
    pub(super) running: Option<Running>,
    /// Set when the run is over: the elapsed time is frozen at this value.
    pub(super) finished: Option<Duration>,
    pub(super) records: Vec<Record>,
    /// Every record serialised, comma-separated, in order.
    json: Vec<u8>,
    /// Where each record starts in `json`.
    offsets: Vec<usize>,
    pub(super) summary: Summary,
    pub(super) shot_dirs: Vec<PathBuf>,
    pub(super) shots_by_name: HashMap<String, PathBuf>,
    names_by_path: HashMap<PathBuf, String>,
}

/// One record as `/records` lists it: the record's own fields plus where the dashboard
/// serves its screenshot.
#[derive(Serialize)]
struct RecordView<'a> {
    #[serde(flatten)]
    record: &'a Record,
    screenshot_url: Option<String>,
}

#[derive(Serialize)]
struct RunningView<'a> {
    flow: Option<&'a str>,
    index: usize,
    command: &'a str,
    attempt: u32,
    started_ms: f64,
}

#[derive(Serialize)]
struct Head<'a> {
    total: usize,
    passed: usize,
    failed: usize,
    flaky: usize,
    planned: usize,
    finished: bool,
    started_at: &'a str,
    running: Option<RunningView<'a>>,
    offset: usize,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

impl State {
    pub(super) fn new() -> State {
        State {
            version: 0,
            clock: Instant::now(),
            started_at: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            planned_explicit: None,
            planned_flows: 0,
            running: None,
            finished: None,
            records: Vec::new(),
            json: Vec::new(),
            offsets: Vec::new(),
            summary: Summary::default(),
            shot_dirs: Vec::new(),
            shots_by_name: HashMap::new(),
            names_by_path: HashMap::new(),
        }
    }

    pub(super) fn planned(&self) -> usize {
        self.planned_explicit
            .unwrap_or(self.planned_flows)
            .max(self.records.len())
    }

    pub(super) fn elapsed(&self) -> Duration {
        self.finished.unwrap_or_else(|| self.clock.elapsed())
    }

    /// Registers `path` as servable and returns its URL name (its file name, made unique).
    fn screenshot_name(&mut self, path: PathBuf) -> String {
        if let Some(name) = self.names_by_path.get(&path) {
            return name.clone();
        }
        let base = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "screenshot".to_string());
        let mut name = base.clone();
        let mut n = 1;
        while self.shots_by_name.contains_key(&name) {
            n += 1;
            name = format!("{n}-{base}");
        }
        self.shots_by_name.insert(name.clone(), path.clone());
        self.names_by_path.insert(path, name.clone());
        name
    }

    pub(super) fn push(&mut self, record: Record, index: Option<&ScreenshotIndex>) {
        let dir = self.shot_dirs.first().cloned();
        let found = match index {
            Some(index) => screenshot_for(&record, dir.as_deref(), index),
            None => screenshot_for(&record, dir.as_deref(), &ScreenshotIndex::default()),
        };
        let url = found.map(|p| format!("/screenshots/{}", url_segment(&self.screenshot_name(p))));
        if !self.json.is_empty() {
            self.json.push(b',');
        }
        self.offsets.push(self.json.len());
        let view = RecordView {
            record: &record,
            screenshot_url: url,
        };
        if serde_json::to_writer(&mut self.json, &view).is_err() {
            // A record always serialises (string keys, finite numbers become null); keep the
            // buffer valid JSON even so.
            self.json.extend_from_slice(b"null");
        }
        self.summary.total += 1;
        if record.failed() {
            self.summary.failed += 1;
        } else {
            self.summary.passed += 1;
        }
        if record.flaky {
            self.summary.flaky += 1;
        }
        if self
            .running
            .as_ref()
            .is_some_and(|r| r.index == record.index && r.flow == record.flow)
        {
            self.running = None;
        }
        self.records.push(record);
        self.version += 1;
    }

    /// Takes one event of the run: the plan, the running step and its attempt, the records,
    /// the end.
    pub(super) fn event(&mut self, event: &RunEvent) {
        match event {
            RunEvent::RunPlanned { flows } => {
                self.planned_explicit = Some(flows.iter().map(|f| f.actions).sum());
            }
            RunEvent::FlowStarted { planned, .. } => self.planned_flows += planned,
            RunEvent::ActionStarted {
                flow,
                index,
                command,
            } => {
                self.running = Some(Running {
                    flow: flow.clone(),
                    index: *index,
                    command: command.clone(),
                    attempt: 1,
                    since: Instant::now(),
                });
            }
            RunEvent::AttemptStarted { index, attempt } => self.running_attempt(*index, *attempt),
            RunEvent::AttemptFinished {
                index,
                attempt,
                will_retry: true,
                ..
            } => self.running_attempt(*index, attempt.attempt.saturating_add(1)),
            RunEvent::AttemptFinished { .. } | RunEvent::FlowEvidence { .. } => {}
            // These two count the change themselves.
            RunEvent::ActionFinished { record } => {
                self.push(record.clone(), None);
                return;
            }
            RunEvent::RunFinished { .. } => {
                self.finish();
                return;
            }
            RunEvent::FlowFinished { .. } => self.running = None,
        }
        self.version += 1;
    }

    /// The running step (action `index`) is on attempt `attempt` (the next one, during the
    /// back-off sleep after a failed attempt).
    fn running_attempt(&mut self, index: usize, attempt: u32) {
        if let Some(r) = self.running.as_mut().filter(|r| r.index == index) {
            r.attempt = r.attempt.max(attempt);
        }
    }

    /// The run is over: the elapsed time stops and no step is running.
    pub(super) fn finish(&mut self) {
        if self.finished.is_none() {
            self.finished = Some(self.clock.elapsed());
        }
        self.running = None;
        self.version += 1;
    }

    /// The running step as the page says it before its script has asked for `/records`:
    /// `#3 WR_click (login.json), attempt 2`, `finished`, or `—` between steps.
    pub(super) fn running_text(&self) -> String {
        if self.finished.is_some() {
            return "finished".to_string();
        }
        let Some(r) = &self.running else {
            return "—".to_string();
        };
        let mut text = format!("#{} {}", r.index, r.command);
        if let Some(flow) = &r.flow {
            text.push_str(&format!(" ({flow})"));
        }
        if r.attempt > 1 {
            text.push_str(&format!(", attempt {}", r.attempt));
        }
        text
    }

    /// `"total":…,"records":[…]}` for the records from `since` on.
    pub(super) fn tail(&self, since: usize) -> Bytes {
        let since = since.min(self.records.len());
        let head = Head {
            total: self.summary.total,
            passed: self.summary.passed,
            failed: self.summary.failed,
            flaky: self.summary.flaky,
            planned: self.planned(),
            finished: self.finished.is_some(),
            started_at: &self.started_at,
            running: self.running.as_ref().map(|r| RunningView {
                flow: r.flow.as_deref(),
                index: r.index,
                command: &r.command,
                attempt: r.attempt,
                started_ms: ms(r.since.saturating_duration_since(self.clock)),
            }),
            offset: since,
        };
        let mut out = serde_json::to_vec(&head).unwrap_or_else(|_| b"{}".to_vec());
        out.pop(); // the closing brace
        out.remove(0); // the opening brace
        out.extend_from_slice(b",\"records\":[");
        if let Some(&start) = self.offsets.get(since) {
            out.extend_from_slice(&self.json[start..]);
        }
        out.extend_from_slice(b"]}");
        Bytes::from(out)
    }

    /// `{"elapsed_ms":…,"eta_ms":…,` — the time-dependent fields, written per request.
    pub(super) fn head(&self) -> Bytes {
        let elapsed = self.elapsed();
        let done = self.records.len();
        let planned = self.planned();
        let eta = if self.finished.is_some() {
            Some(0.0)
        } else if done > 0 && planned > done {
            Some(ms(elapsed) / done as f64 * (planned - done) as f64)
        } else {
            None
        };
        let eta = match eta {
            Some(v) => format!("{:.1}", v),
            None => "null".to_string(),
        };
        Bytes::from(format!(
            "{{\"elapsed_ms\":{:.1},\"eta_ms\":{eta},",
            ms(elapsed)
        ))
    }
}

/// Elapsed time of a saved run: from the first start to the last end, else the sum of the
/// durations when start times do not parse.
pub(super) fn saved_elapsed(records: &[Record]) -> Duration {
    let mut first: Option<OffsetDateTime> = None;
    let mut last: Option<OffsetDateTime> = None;
    let mut sum = 0.0;
    for r in records {
        let duration = if r.duration_ms.is_finite() && r.duration_ms > 0.0 {
            r.duration_ms
        } else {
            0.0
        };
        sum += duration;
        let Ok(start) = OffsetDateTime::parse(&r.started_at, &Rfc3339) else {
            continue;
        };
        let end = start + Duration::from_secs_f64(duration / 1000.0);
        first = Some(first.map_or(start, |f| f.min(start)));
        last = Some(last.map_or(end, |l| l.max(end)));
    }
    match (first, last) {
        (Some(f), Some(l)) if l > f => (l - f).try_into().unwrap_or_default(),
        _ => Duration::from_secs_f64(sum / 1000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::url_segment;

    #[test]
    fn url_segments_hide_separators() {
        assert_eq!(url_segment("../a b/ü.png"), "..%2Fa%20b%2F%C3%BC.png");
    }
}

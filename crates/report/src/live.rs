//! [`LiveRun`]: the shared, cheaply clonable live state of a run — planned count, running
//! step, records, per-attempt errors — fed as a [`RunObserver`] and read by the dashboard.
//!
//! Each record is serialised once, when it arrives, into one growing JSON buffer; the
//! `/records` payload for a version of the state is assembled from that buffer once and
//! shared by every request until the state changes again. Only the few time-dependent
//! fields (elapsed time, estimate of time left) are written per request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use webrunner_record::{Record, RunObserver, Summary};

use crate::escape::url_segment;
use crate::junit::AttemptLog;
use crate::screenshots::{screenshot_for, ScreenshotIndex};

/// The live state of one run, shared between the executor (which feeds it through
/// [`RunObserver`]) and the dashboard (which serves it). Clones share one state.
///
/// ```
/// use std::sync::Arc;
/// use webrunner_record::RunObserver;
/// use webrunner_report::LiveRun;
///
/// let live = LiveRun::new();
/// let observer: Arc<dyn RunObserver> = Arc::new(live.clone());
/// observer.flow_started("login.json", 3);
/// assert_eq!(live.planned(), 3);
/// ```
#[derive(Clone)]
pub struct LiveRun {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    /// The `/records` payload (without its time-dependent head) for one state version.
    cache: Mutex<Option<(u64, Bytes)>>,
}

struct Running {
    flow: Option<String>,
    index: usize,
    command: String,
    attempt: u32,
    since: Instant,
}

struct State {
    version: u64,
    clock: Instant,
    started_at: String,
    planned_explicit: Option<usize>,
    planned_flows: usize,
    flow: Option<String>,
    running: Option<Running>,
    /// Set when the run is over: the elapsed time is frozen at this value.
    finished: Option<Duration>,
    records: Vec<Record>,
    /// Every record serialised, comma-separated, in order.
    json: Vec<u8>,
    /// Where each record starts in `json`.
    offsets: Vec<usize>,
    summary: Summary,
    shot_dirs: Vec<PathBuf>,
    shots_by_name: HashMap<String, PathBuf>,
    names_by_path: HashMap<PathBuf, String>,
    attempts: AttemptLog,
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

impl Default for LiveRun {
    fn default() -> Self {
        LiveRun::new()
    }
}

impl std::fmt::Debug for LiveRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.read();
        f.debug_struct("LiveRun")
            .field("planned", &s.planned())
            .field("records", &s.records.len())
            .field("finished", &s.finished.is_some())
            .finish()
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

impl State {
    fn new() -> State {
        State {
            version: 0,
            clock: Instant::now(),
            started_at: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            planned_explicit: None,
            planned_flows: 0,
            flow: None,
            running: None,
            finished: None,
            records: Vec::new(),
            json: Vec::new(),
            offsets: Vec::new(),
            summary: Summary::default(),
            shot_dirs: Vec::new(),
            shots_by_name: HashMap::new(),
            names_by_path: HashMap::new(),
            attempts: AttemptLog::default(),
        }
    }

    fn planned(&self) -> usize {
        self.planned_explicit
            .unwrap_or(self.planned_flows)
            .max(self.records.len())
    }

    fn elapsed(&self) -> Duration {
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

    fn push(&mut self, record: Record, index: Option<&ScreenshotIndex>) {
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

    /// `"total":…,"records":[…]}` for the records from `since` on.
    fn tail(&self, since: usize) -> Bytes {
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
    fn head(&self) -> Bytes {
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
fn saved_elapsed(records: &[Record]) -> Duration {
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

impl LiveRun {
    /// An empty run whose clock starts now.
    pub fn new() -> LiveRun {
        LiveRun {
            inner: Arc::new(Inner {
                state: RwLock::new(State::new()),
                cache: Mutex::new(None),
            }),
        }
    }

    /// A finished run made of saved records. Each record's screenshot is looked up as the
    /// replay studio does: its recorded path, else that file name in `screenshot_dir`, else
    /// (failed records) the first `*_<command>.png` of `screenshot_dir`.
    pub fn from_records(records: Vec<Record>, screenshot_dir: Option<&Path>) -> LiveRun {
        let live = LiveRun::new();
        {
            let mut s = live.write();
            if let Some(first) = records.first() {
                s.started_at = first.started_at.clone();
            }
            s.shot_dirs = screenshot_dir.map(Path::to_path_buf).into_iter().collect();
            let index = screenshot_dir
                .map(ScreenshotIndex::scan)
                .unwrap_or_default();
            s.finished = Some(saved_elapsed(&records));
            s.planned_explicit = Some(records.len());
            for r in records {
                s.push(r, Some(&index));
            }
        }
        live
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.inner
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Declares the number of actions the whole run plans (e.g. the sum over all its flows),
    /// instead of summing the flows as they start.
    pub fn plan(&self, total: usize) {
        let mut s = self.write();
        s.planned_explicit = Some(total);
        s.version += 1;
    }

    /// Also looks for record screenshots by file name in `dir` (when a recorded path does not
    /// exist as written).
    pub fn add_screenshot_dir(&self, dir: &Path) {
        self.write().shot_dirs.push(dir.to_path_buf());
    }

    /// Marks the run as over: the elapsed time stops and no step is running.
    pub fn finish(&self) {
        let mut s = self.write();
        if s.finished.is_none() {
            s.finished = Some(s.clock.elapsed());
        }
        s.running = None;
        s.version += 1;
    }

    /// Adds a finished record (what [`RunObserver::action_finished`] does).
    pub fn push(&self, record: Record) {
        self.write().push(record, None);
    }

    /// Copies of every record so far, in order.
    pub fn records(&self) -> Vec<Record> {
        self.read().records.clone()
    }

    /// Counts over the records so far.
    pub fn summary(&self) -> Summary {
        self.read().summary
    }

    /// The planned number of actions: the declared plan, else the sum of started flows' plans
    /// (never less than the records so far).
    pub fn planned(&self) -> usize {
        self.read().planned()
    }

    /// A number that changes whenever the state does.
    pub fn version(&self) -> u64 {
        self.read().version
    }

    /// The errors of failed attempts that were followed by another attempt, for JUnit's
    /// `flakyFailure` / `rerunFailure` elements.
    pub fn attempt_log(&self) -> AttemptLog {
        self.read().attempts.clone()
    }

    /// The `/records` payload for the records from `since` on, as two byte chunks: the
    /// time-dependent head and the rest (shared between requests while the state holds).
    pub(crate) fn payload_chunks(&self, since: usize) -> (Bytes, Bytes) {
        let s = self.read();
        let head = s.head();
        if since > 0 {
            return (head, s.tail(since));
        }
        let mut cache = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((version, tail)) = cache.as_ref() {
            if *version == s.version {
                return (head, tail.clone());
            }
        }
        let tail = s.tail(0);
        *cache = Some((s.version, tail.clone()));
        (head, tail)
    }

    /// The whole `/records` payload as JSON text: `{elapsed_ms, eta_ms, total, passed,
    /// failed, flaky, planned, finished, started_at, running, offset, records: [...]}`.
    pub fn records_json(&self) -> String {
        let (head, tail) = self.payload_chunks(0);
        let mut out = String::with_capacity(head.len() + tail.len());
        out.push_str(&String::from_utf8_lossy(&head));
        out.push_str(&String::from_utf8_lossy(&tail));
        out
    }

    /// The file served as `/screenshots/<name>`, when a record refers to it.
    pub(crate) fn screenshot(&self, name: &str) -> Option<PathBuf> {
        self.read().shots_by_name.get(name).cloned()
    }
}

impl RunObserver for LiveRun {
    fn flow_started(&self, flow: &str, planned: usize) {
        let mut s = self.write();
        s.planned_flows += planned;
        s.flow = Some(flow.to_string());
        s.version += 1;
    }

    fn action_started(&self, index: usize, command: &str) {
        let mut s = self.write();
        s.running = Some(Running {
            flow: s.flow.clone(),
            index,
            command: command.to_string(),
            attempt: 1,
            since: Instant::now(),
        });
        s.version += 1;
    }

    fn attempt_failed(&self, index: usize, attempt: u32, error: &str) {
        let mut s = self.write();
        let flow = s.flow.clone();
        s.attempts.record(flow.as_deref(), index, attempt, error);
        if let Some(r) = s.running.as_mut().filter(|r| r.index == index) {
            r.attempt = attempt + 1;
        }
        s.version += 1;
    }

    fn action_finished(&self, record: &Record) {
        self.write().push(record.clone(), None);
    }

    fn flow_finished(&self, _flow: &str, _records: &[Record]) {
        let mut s = self.write();
        s.flow = None;
        s.running = None;
        s.version += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use webrunner_record::{Artifacts, Status};

    pub(crate) fn record(index: usize, command: &str, status: Status) -> Record {
        Record {
            index,
            command: command.to_string(),
            args: vec![],
            kwargs: Default::default(),
            status,
            started_at: format!("2026-01-01T00:00:{:02}Z", index % 60),
            duration_ms: 500.0,
            attempts: 1,
            flaky: false,
            result: Value::Null,
            error: (status == Status::Failed).then(|| format!("boom {index}")),
            artifacts: Artifacts::default(),
            trace_id: None,
            flow: Some("f.json".to_string()),
        }
    }

    fn payload(live: &LiveRun) -> Value {
        serde_json::from_str(&live.records_json()).unwrap()
    }

    #[test]
    fn observer_calls_drive_progress_running_step_and_counts() {
        let live = LiveRun::new();
        live.flow_started("f.json", 3);
        live.action_started(0, "WR_to_url");
        let p = payload(&live);
        assert_eq!(p["planned"], 3);
        assert_eq!(p["total"], 0);
        assert_eq!(p["running"]["command"], "WR_to_url");
        assert_eq!(p["running"]["flow"], "f.json");
        assert!(p["eta_ms"].is_null());
        live.action_finished(&record(0, "WR_to_url", Status::Passed));
        live.action_started(1, "WR_click");
        live.attempt_failed(1, 1, "not yet");
        let p = payload(&live);
        assert_eq!(p["running"]["attempt"], 2);
        live.action_finished(&record(1, "WR_click", Status::Failed));
        let p = payload(&live);
        assert_eq!(
            (
                p["total"].as_u64(),
                p["passed"].as_u64(),
                p["failed"].as_u64()
            ),
            (Some(2), Some(1), Some(1))
        );
        assert!(p["running"].is_null());
        assert!(p["eta_ms"].as_f64().is_some());
        assert_eq!(p["records"][1]["error"], "boom 1");
        assert_eq!(
            live.attempt_log().errors(Some("f.json"), 1),
            &[(1, "not yet".to_string())]
        );
        live.finish();
        let p = payload(&live);
        assert_eq!(p["finished"], true);
        assert_eq!(p["eta_ms"], 0.0);
    }

    #[test]
    fn the_payload_is_rebuilt_when_a_record_arrives_and_reused_otherwise() {
        let live = LiveRun::new();
        live.push(record(0, "a", Status::Passed));
        let (_, first) = live.payload_chunks(0);
        let (_, again) = live.payload_chunks(0);
        assert_eq!(
            first.as_ptr(),
            again.as_ptr(),
            "same version shares one buffer"
        );
        live.push(record(1, "b", Status::Passed));
        let (_, next) = live.payload_chunks(0);
        assert_ne!(first, next);
        assert_eq!(payload(&live)["records"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn since_returns_only_newer_records_with_their_offset() {
        let live = LiveRun::new();
        for i in 0..5 {
            live.push(record(i, &format!("c{i}"), Status::Passed));
        }
        let (head, tail) = live.payload_chunks(3);
        let v: Value = serde_json::from_slice(&[head.as_ref(), tail.as_ref()].concat()).unwrap();
        assert_eq!(v["offset"], 3);
        assert_eq!(v["total"], 5);
        let cmds: Vec<&str> = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["command"].as_str().unwrap())
            .collect();
        assert_eq!(cmds, ["c3", "c4"]);
        let (head, tail) = live.payload_chunks(99);
        let v: Value = serde_json::from_slice(&[head.as_ref(), tail.as_ref()].concat()).unwrap();
        assert_eq!(v["records"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn saved_records_make_a_finished_run_with_their_time_span() {
        let records = vec![
            record(0, "a", Status::Passed),
            record(3, "b", Status::Failed),
        ];
        let live = LiveRun::from_records(records, None);
        let p = payload(&live);
        assert_eq!(p["finished"], true);
        assert_eq!(p["planned"], 2);
        assert_eq!(p["started_at"], "2026-01-01T00:00:00Z");
        assert_eq!(p["elapsed_ms"], 3500.0);
    }

    #[test]
    fn only_existing_recorded_screenshots_get_a_url_and_names_stay_unique() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("x_WR_click.png"), b"png").unwrap();
        std::fs::write(b.join("x_WR_click.png"), b"png").unwrap();
        let live = LiveRun::new();
        for (i, path) in [
            a.join("x_WR_click.png"),
            b.join("x_WR_click.png"),
            dir.path().join("missing.png"),
        ]
        .iter()
        .enumerate()
        {
            let mut r = record(i, "WR_click", Status::Failed);
            r.artifacts.screenshot = Some(path.display().to_string());
            live.push(r);
        }
        let p = payload(&live);
        assert_eq!(
            p["records"][0]["screenshot_url"],
            "/screenshots/x_WR_click.png"
        );
        assert_eq!(
            p["records"][1]["screenshot_url"],
            "/screenshots/2-x_WR_click.png"
        );
        assert!(p["records"][2]["screenshot_url"].is_null());
        assert_eq!(
            live.screenshot("2-x_WR_click.png").unwrap(),
            b.join("x_WR_click.png")
        );
        assert!(live.screenshot("missing.png").is_none());
    }
}

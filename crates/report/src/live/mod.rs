//! [`LiveRun`]: the shared, cheaply clonable live state of a run — planned count, running
//! step and attempt, records (each with every attempt in its `tries`) — fed as a
//! [`RunSink`] and read by the dashboard.
//!
//! The `/records` payload for a version of the state is assembled once and shared by every
//! request until the state changes again (see [`state`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use webrunner_record::{Record, RunEvent, RunSink, SinkError, Summary};

use crate::screenshots::ScreenshotIndex;
use state::{saved_elapsed, State};

mod state;

/// The live state of one run, shared between the run (which feeds it as a [`RunSink`]) and
/// the dashboard (which serves it). Clones share one state, so a clone is what a reporter
/// takes.
///
/// ```
/// use webrunner_record::{FlowPlan, Reporter, RunEvent};
/// use webrunner_report::LiveRun;
///
/// let live = LiveRun::new();
/// let mut reporter = Reporter::new();
/// reporter.add(Box::new(live.clone()));
/// reporter.emit(RunEvent::RunPlanned {
///     flows: vec![FlowPlan { name: "login.json".into(), actions: 3 }],
/// });
/// assert!(reporter.finish().is_empty());
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
        self.write().finish();
    }

    /// Adds a finished record (what an `ActionFinished` event does).
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

    /// What the dashboard page shows before its script asks for `/records`: the counts, the
    /// planned number of actions, whether the run is over, and the running step as text.
    pub(crate) fn first_paint(&self) -> (Summary, usize, bool, String) {
        let s = self.read();
        (
            s.summary,
            s.planned(),
            s.finished.is_some(),
            s.running_text(),
        )
    }

    /// The file served as `/screenshots/<name>`, when a record refers to it.
    pub(crate) fn screenshot(&self, name: &str) -> Option<PathBuf> {
        self.read().shots_by_name.get(name).cloned()
    }
}

impl RunSink for LiveRun {
    fn name(&self) -> String {
        "live dashboard".to_string()
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        self.write().event(event);
        Ok(())
    }
}

#[cfg(test)]
mod tests;

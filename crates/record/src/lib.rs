//! The record every finished action yields, and the observer trait that run sinks implement.
//!
//! A record is the unit every output of webrunner is built from: `records.json`, the live
//! dashboard, the replay studio, JUnit XML and the per-action span all read the same
//! [`Record`]. Sinks implement [`RunObserver`]; they observe a run and never steer it.
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Whether an action passed or failed (after all its attempts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The action's last attempt succeeded.
    Passed,
    /// Every attempt failed; `error` holds the last attempt's error.
    Failed,
}

impl Status {
    /// `"passed"` or `"failed"`, as in `records.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
        }
    }
}

/// Files captured for a record (paths as written, relative or absolute).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Artifacts {
    /// PNG of the page at the moment of failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<String>,
    /// HTML of the page at the moment of failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dom: Option<String>,
    /// A trace file captured for the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

impl Artifacts {
    /// True when no artifact was captured.
    pub fn is_empty(&self) -> bool {
        self.screenshot.is_none() && self.dom.is_none() && self.trace.is_none()
    }
}

/// What one action of a flow did: one per action, whatever its number of attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position of the action in its flow (0-based).
    pub index: usize,
    /// The command name, e.g. `WR_to_url`.
    pub command: String,
    /// Positional arguments as given in the flow.
    #[serde(default)]
    pub args: Vec<Value>,
    /// Keyword arguments as given in the flow.
    #[serde(default)]
    pub kwargs: Map<String, Value>,
    /// Outcome after all attempts.
    pub status: Status,
    /// When the first attempt started, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of all attempts and back-off sleeps, in milliseconds.
    pub duration_ms: f64,
    /// Number of attempts made (1 when the first try settled it).
    pub attempts: u32,
    /// True when the action passed after at least one failed attempt.
    #[serde(default)]
    pub flaky: bool,
    /// What the command returned (null when it returns nothing or failed).
    #[serde(default)]
    pub result: Value,
    /// The last attempt's error text, with `(failure screenshot: PATH)` appended when one was taken.
    #[serde(default)]
    pub error: Option<String>,
    /// Files captured for this action.
    #[serde(default)]
    pub artifacts: Artifacts,
    /// The OpenTelemetry trace id of the action's span (32 hex), when tracing is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The flow file (or name) this action came from, when the run had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
}

impl Record {
    /// True when the record's status is [`Status::Failed`].
    pub fn failed(&self) -> bool {
        self.status == Status::Failed
    }
}

/// Counts over a list of records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of records.
    pub total: usize,
    /// Records that passed.
    pub passed: usize,
    /// Records that failed.
    pub failed: usize,
    /// Records that passed after a retry.
    pub flaky: usize,
}

impl Summary {
    /// Counts `records`.
    pub fn of(records: &[Record]) -> Summary {
        let mut s = Summary {
            total: records.len(),
            ..Summary::default()
        };
        for r in records {
            match r.status {
                Status::Passed => s.passed += 1,
                Status::Failed => s.failed += 1,
            }
            if r.flaky {
                s.flaky += 1;
            }
        }
        s
    }
}

/// A sink that watches a run. Every method has an empty default, so a sink implements only
/// what it needs. Calls arrive in order from the thread that runs the flow; a slow sink
/// should hand work to its own thread.
pub trait RunObserver: Send + Sync {
    /// A flow is about to run `planned` actions.
    fn flow_started(&self, _flow: &str, _planned: usize) {}
    /// Action `index` (command `command`) starts its first attempt.
    fn action_started(&self, _index: usize, _command: &str) {}
    /// Attempt `attempt` (1-based) of action `index` failed with `error`; another follows.
    fn attempt_failed(&self, _index: usize, _attempt: u32, _error: &str) {}
    /// An action settled; `record` is final.
    fn action_finished(&self, _record: &Record) {}
    /// A flow finished; `records` are all of its records.
    fn flow_finished(&self, _flow: &str, _records: &[Record]) {}
}

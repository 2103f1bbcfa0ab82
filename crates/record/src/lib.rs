//! The record every finished action yields, the events of a run, and the sinks that observe it.
//!
//! A record is the unit every output of webrunner is built from: `records.json`, the live
//! dashboard, the replay studio, JUnit XML and the per-action span all read the same
//! [`Record`], which carries every attempt ([`Try`]) of its action. The executor emits
//! [`RunEvent`]s (see [`events`]) to one [`Reporter`] that fans them out to [`RunSink`]s;
//! sinks observe a run and never steer it.
#![forbid(unsafe_code)]

pub mod events;
pub mod evidence;
mod reporter;

pub use events::{FlowPlan, RunEvent};
pub use evidence::{ConsoleEntry, CspViolation, Evidence, NetworkEntry};
pub use reporter::{Reporter, RunSink, SinkError, SinkFailure};
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

/// One attempt of an action: when it ran, how long, and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Try {
    /// 1-based attempt number.
    pub attempt: u32,
    /// When the attempt started, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of this attempt (without the back-off sleep after it), in milliseconds.
    pub duration_ms: f64,
    /// How this attempt ended.
    pub status: Status,
    /// The attempt's own error (`None` when it passed).
    #[serde(default)]
    pub error: Option<String>,
    /// Files captured for this attempt (a failure screenshot, …).
    #[serde(default)]
    pub artifacts: Artifacts,
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
    /// Number of attempts made: the length of `tries` (0 for an action that was not run).
    pub attempts: u32,
    /// True when the action passed after at least one failed attempt (derived from `tries`).
    #[serde(default)]
    pub flaky: bool,
    /// What the command returned (null when it returns nothing or failed).
    #[serde(default)]
    pub result: Value,
    /// The last attempt's error text, with `(failure screenshot: PATH)` appended when one was taken.
    #[serde(default)]
    pub error: Option<String>,
    /// Files captured for this action (those of its last attempt).
    #[serde(default)]
    pub artifacts: Artifacts,
    /// The OpenTelemetry trace id of the action's span (32 hex), when tracing is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The flow file (or name) this action came from, when the run had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    /// Every attempt, in order. Records written before attempts were kept have none.
    #[serde(default)]
    pub tries: Vec<Try>,
    /// JavaScript dialogs (alert, confirm, prompt, beforeunload) that opened while the
    /// action ran and that the flow did not handle: each was closed so the run goes on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dialogs: Vec<DialogNote>,
    /// The console messages and uncaught exceptions of the page while the action ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub console: Vec<ConsoleEntry>,
    /// The requests the page sent while the action ran, as far as they had come when it
    /// ended (a response still on its way has no status yet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network: Vec<NetworkEntry>,
    /// The Content-Security-Policy violations the page reported while the action ran
    /// (`run --csp-report`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub csp: Vec<CspViolation>,
}

/// A JavaScript dialog the runner closed on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogNote {
    /// `alert`, `confirm`, `prompt` or `beforeunload`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its message.
    pub message: String,
    /// What was done with it: `dismissed` or `accepted`.
    pub outcome: String,
}

impl Record {
    /// A record whose status, error, artifacts, `attempts` and `flaky` are derived from
    /// `tries` (the last try settles the action; with none, the action failed).
    pub fn from_tries(
        index: usize,
        command: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
        tries: Vec<Try>,
    ) -> Record {
        let last = tries.last();
        let status = last.map(|t| t.status).unwrap_or(Status::Failed);
        let error = last.and_then(|t| t.error.clone());
        let started_at = tries
            .first()
            .map(|t| t.started_at.clone())
            .unwrap_or_default();
        let duration_ms = tries.iter().map(|t| t.duration_ms).sum();
        Record {
            index,
            command: command.to_string(),
            args,
            kwargs,
            status,
            started_at,
            duration_ms,
            attempts: tries.len() as u32,
            flaky: flaky(&tries),
            result: Value::Null,
            error,
            artifacts: last.map(|t| t.artifacts.clone()).unwrap_or_default(),
            trace_id: None,
            flow: None,
            tries,
            dialogs: Vec::new(),
            console: Vec::new(),
            network: Vec::new(),
            csp: Vec::new(),
        }
    }

    /// The record of an action that was never run (its flow stopped before it): failed, no
    /// tries, `reason` as its error.
    pub fn not_run(
        index: usize,
        command: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
        reason: &str,
    ) -> Record {
        let mut record = Record::from_tries(index, command, args, kwargs, Vec::new());
        record.error = Some(reason.to_string());
        record
    }

    /// True when the record's status is [`Status::Failed`].
    pub fn failed(&self) -> bool {
        self.status == Status::Failed
    }

    /// The attempts that failed, with their errors (earlier attempts first).
    pub fn failed_tries(&self) -> impl Iterator<Item = &Try> {
        self.tries.iter().filter(|t| t.status == Status::Failed)
    }
}

/// True when `tries` end in a pass after at least one failure.
pub fn flaky(tries: &[Try]) -> bool {
    matches!(tries.last(), Some(t) if t.status == Status::Passed)
        && tries.iter().any(|t| t.status == Status::Failed)
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

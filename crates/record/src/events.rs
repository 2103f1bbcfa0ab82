//! Every event of a run, in the order the executor emits them. This file is the one place
//! that says what a sink can observe; a new kind of output reads these and nothing else.
//!
//! For each run:
//!
//! ```text
//! RunPlanned
//!   FlowStarted                      once per flow, in order
//!     ActionStarted                  once per action
//!       AttemptStarted               once per attempt (1-based)
//!       AttemptFinished              the attempt's Try: passed or failed, its error, artifacts
//!     FlowEvidence                   before a failed action's record: its flow's evidence so far
//!     ActionFinished                 the action's final Record (every Try in it)
//!   FlowFinished
//! RunFinished                        also after an interruption (then `interrupted` says why)
//! ```
//!
//! An action that was never run (its flow stopped because the browser died, or the run was
//! interrupted) gets an `ActionFinished` with a failed record of no tries, and no
//! `ActionStarted`. Events are cheap to clone and serialise as JSON (`{"event": "…", …}`).

use serde::{Deserialize, Serialize};

use crate::{Evidence, Record, Summary, Try};

/// A flow as planned: its name and how many actions it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowPlan {
    /// The flow's name (its file, usually).
    pub name: String,
    /// Number of actions.
    pub actions: usize,
}

/// One event of a run; see the module documentation for their order.
// A record travels once per action and is shared by every threaded sink behind one `Arc`;
// boxing it would add an allocation per action for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// The run is about to start these flows.
    RunPlanned {
        /// The flows, in the order they will run.
        flows: Vec<FlowPlan>,
    },
    /// A flow starts.
    FlowStarted {
        /// The flow's name.
        flow: String,
        /// Its number of actions.
        planned: usize,
    },
    /// An action starts its first attempt.
    ActionStarted {
        /// The flow's name, when the action runs in one.
        flow: Option<String>,
        /// The action's position in its flow (0-based, as in its record).
        index: usize,
        /// The command name.
        command: String,
    },
    /// An attempt of an action starts.
    AttemptStarted {
        /// The action's position in its flow.
        index: usize,
        /// The attempt number (1-based).
        attempt: u32,
    },
    /// An attempt ended. When it failed and another follows, `will_retry` is true.
    AttemptFinished {
        /// The flow's name, when the action runs in one.
        flow: Option<String>,
        /// The action's position in its flow.
        index: usize,
        /// The command name.
        command: String,
        /// The attempt as it will appear in the record's `tries`.
        attempt: Try,
        /// Another attempt follows.
        will_retry: bool,
    },
    /// Everything the flow's pages said and fetched up to the failure of action `index`,
    /// sent just before that action's `ActionFinished` (records of passing actions hold what
    /// the browser had reported by their end; this is complete).
    FlowEvidence {
        /// The flow's name, when the action runs in one.
        flow: Option<String>,
        /// The failed action's position in its flow.
        index: usize,
        /// The flow's console messages and requests so far.
        evidence: Evidence,
    },
    /// An action settled; the record is final and holds every attempt.
    ActionFinished {
        /// The record.
        record: Record,
    },
    /// A flow ended (all its actions have their records).
    FlowFinished {
        /// The flow's name.
        flow: String,
        /// Counts over its records.
        summary: Summary,
        /// Everything its pages said and fetched, complete (a record holds what had come
        /// when its action ended).
        #[serde(default, skip_serializing_if = "Evidence::is_empty")]
        evidence: Evidence,
    },
    /// The run ended. Nothing follows.
    RunFinished {
        /// Counts over every record of the run.
        summary: Summary,
        /// Why the run stopped early (a signal), when it did.
        interrupted: Option<String>,
    },
}

impl RunEvent {
    /// The event's name as in its JSON form, e.g. `action_finished`.
    pub fn name(&self) -> &'static str {
        match self {
            RunEvent::RunPlanned { .. } => "run_planned",
            RunEvent::FlowStarted { .. } => "flow_started",
            RunEvent::ActionStarted { .. } => "action_started",
            RunEvent::AttemptStarted { .. } => "attempt_started",
            RunEvent::AttemptFinished { .. } => "attempt_finished",
            RunEvent::FlowEvidence { .. } => "flow_evidence",
            RunEvent::ActionFinished { .. } => "action_finished",
            RunEvent::FlowFinished { .. } => "flow_finished",
            RunEvent::RunFinished { .. } => "run_finished",
        }
    }
}

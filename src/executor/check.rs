//! Checking flows without a browser (`webrunner check`, and `run` before it starts): every
//! action is bound to its command's parameters exactly as the executor will bind it, and
//! each problem becomes a finding with the flow, the action's index and its line.

use std::fmt;

use super::{ActionError, CommandRegistry};
use crate::action::Flow;

/// One problem with one action of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The flow's name (its file, usually).
    pub flow: String,
    /// The action's 0-based index, as in its record.
    pub index: usize,
    /// The 1-based line where the action starts, when known.
    pub line: Option<usize>,
    /// The command as written.
    pub command: String,
    /// What is wrong.
    pub message: String,
    /// Whether the flow must not run at all: a number beyond what its parameter allows (a
    /// `WR_sleep` of a year). Other findings fail just their action when the flow runs.
    pub refuses: bool,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: ", self.flow)?,
            None => write!(f, "{}: ", self.flow)?,
        }
        write!(
            f,
            "action #{} ({}): {}",
            self.index, self.command, self.message
        )
    }
}

impl CommandRegistry {
    /// Every problem of `flow` that can be seen without running it: unknown commands (with
    /// the nearest name), unknown keywords (with the ones taken), missing or mistyped
    /// parameters and numbers out of range.
    pub fn check_flow(&self, flow: &Flow) -> Vec<Finding> {
        flow.actions
            .iter()
            .enumerate()
            .filter_map(|(index, action)| {
                let err = self.bind(action).err()?;
                let refuses = matches!(err, ActionError::OutOfRange(_));
                let text = err.to_string();
                let prefix = format!("{}: ", action.command);
                Some(Finding {
                    flow: flow.name.clone(),
                    index,
                    line: flow.lines.get(index).copied(),
                    command: action.command.clone(),
                    message: text.strip_prefix(&prefix).unwrap_or(&text).to_string(),
                    refuses,
                })
            })
            .collect()
    }
}

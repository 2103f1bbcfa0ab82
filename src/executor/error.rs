//! Why one attempt of an action failed, and which failures another attempt could mend.

use crate::browser::BrowserError;

/// Why one attempt of an action failed.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// No command of that name is registered.
    #[error("unknown command {0} (see `webrunner commands` for the list)")]
    UnknownCommand(String),
    /// An argument is missing or of the wrong type.
    #[error("{0}")]
    BadArgument(String),
    /// A number is out of the range its parameter allows (refused before a run starts).
    #[error("{0}")]
    OutOfRange(String),
    /// The command runs caller-supplied script and scripts are switched off.
    #[error("{0} runs caller-supplied script, which is switched off for this run (--no-scripts)")]
    ScriptsDisabled(String),
    /// The browser reported an error.
    #[error("{0}")]
    Browser(#[from] BrowserError),
    /// What the command checked did not hold (an assertion), or it failed for another reason.
    #[error("{0}")]
    Failed(String),
    /// The run was stopped (a signal) while the action ran.
    #[error("interrupted: {0}")]
    Interrupted(String),
}

impl ActionError {
    /// The same error once more, for a failure known before the action ran (an unknown
    /// command, a bad argument) that every attempt reports alike.
    pub(crate) fn again(&self) -> ActionError {
        match self {
            ActionError::UnknownCommand(s) => ActionError::UnknownCommand(s.clone()),
            ActionError::BadArgument(s) => ActionError::BadArgument(s.clone()),
            ActionError::OutOfRange(s) => ActionError::OutOfRange(s.clone()),
            ActionError::ScriptsDisabled(s) => ActionError::ScriptsDisabled(s.clone()),
            ActionError::Browser(e) => ActionError::Browser(e.clone()),
            ActionError::Failed(s) => ActionError::Failed(s.clone()),
            ActionError::Interrupted(s) => ActionError::Interrupted(s.clone()),
        }
    }

    /// Whether another attempt could succeed: not for unknown commands, bad arguments, the
    /// script gate, an interruption or a browser that died, which no retry can change.
    pub fn is_retryable(&self) -> bool {
        match self {
            ActionError::Browser(e) => !e.is_fatal(),
            ActionError::Failed(_) => true,
            _ => false,
        }
    }
}

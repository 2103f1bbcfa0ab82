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

#[cfg(test)]
mod tests {
    use crate::action::load_flow;
    use crate::CommandRegistry;

    /// Every flow the project ships (examples, the Python WebRunner-style flows, the demo's)
    /// binds to the commands' declarations: the documentation cannot show a flow that fails.
    #[test]
    fn every_shipped_flow_checks_clean() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("src/demo/demo_flow.json")];
        for dir in [
            "examples",
            "examples/python_style",
            "examples/python_style/third_party",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 15, "{files:?}");
        let registry = CommandRegistry::with_builtins();
        for path in files {
            let flow = load_flow(&path).unwrap();
            let findings = registry.check_flow(&flow);
            assert!(findings.is_empty(), "{}", findings[0]);
        }
    }
}

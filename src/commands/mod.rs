//! The built-in `WR_*` commands, grouped by what they act on. Each group registers its
//! commands with their documentation; `docs/commands.md` is generated from this registry.
//! Numbers from flows go through the checks in `limits` (also run over a whole flow before
//! it starts: [`check_flow_numbers`]) and paths through `paths`.

mod assertions;
mod browser;
mod elements;
mod limits;
mod navigation;
mod observability;
mod page;
mod paths;
mod waits;

pub use limits::{check_flow_numbers, own_wait, FlowNumberError, MAX_WINDOW_PIXELS};

use serde_json::Value;

pub(crate) use crate::executor::handler;
use crate::executor::{ActionError, CommandDoc, CommandRegistry, Param};

/// Registers every built-in command.
pub fn register_builtins(r: &mut CommandRegistry) {
    browser::register(r);
    navigation::register(r);
    elements::register(r);
    assertions::register(r);
    waits::register(r);
    page::register(r);
    observability::register(r);
}

/// Builds a [`CommandDoc`].
pub(crate) const fn doc(
    group: &'static str,
    summary: &'static str,
    params: &'static [Param],
    returns: &'static str,
) -> CommandDoc {
    CommandDoc {
        group,
        summary,
        params,
        returns,
        runs_script: false,
    }
}

/// The locator parameters element commands share, for their documentation.
pub(crate) const LOCATOR: Param = Param {
    name: "css | xpath | id | by_text",
    doc: "optional locator (kwarg); without one the element found last is used",
};

/// Returns JSON null (for commands that return nothing).
pub(crate) fn nothing() -> Result<Value, ActionError> {
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/commands.md` is what the registry generates, so docs and code cannot drift.
    #[test]
    fn command_reference_matches_registry() {
        let generated = CommandRegistry::with_builtins().reference_markdown();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        if on_disk != generated {
            if std::env::var_os("WEBRUNNER_BLESS").is_some() {
                std::fs::write(path, &generated).unwrap();
            } else {
                panic!("docs/commands.md is out of date: run `WEBRUNNER_BLESS=1 cargo test --lib command_reference` or `webrunner commands > docs/commands.md`");
            }
        }
    }

    #[test]
    fn every_command_is_documented() {
        let r = CommandRegistry::with_builtins();
        for (name, entry) in r.iter() {
            assert!(name.starts_with("WR_"), "{name}");
            assert!(!entry.doc.summary.is_empty(), "{name} has no summary");
            assert!(!entry.doc.returns.is_empty(), "{name} has no returns");
        }
    }
}

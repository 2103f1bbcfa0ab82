//! The built-in `WR_*` commands (and `print`, `time_sleep`), one file per group. Each command is declared once, with its
//! documentation, parameters (their kinds, aliases and positional order) and aliases;
//! `docs/commands.md` and `webrunner commands` are generated from this registry, and the
//! executor binds every action to the declaration before the handler runs. Paths a flow
//! names go through `paths`.

/// A `&'static [Param]` built from const `Param` expressions (`Param::req(..).aka(..)`).
macro_rules! params {
    ($($p:expr),* $(,)?) => {{
        const PARAMS: &[$crate::executor::Param] = &[$($p),*];
        PARAMS
    }};
}

pub(crate) mod action_chains;
mod assertions;
mod browser;
mod compat;
mod csp;
mod element_reads;
mod elements;
mod navigation;
mod network;
mod observability;
mod page;
mod paths;
mod storage;
mod test_objects;
mod timeouts;
mod waits;
mod windows;

pub use crate::executor::MAX_WINDOW_PIXELS;
pub use windows::handles_dialog;

use serde_json::Value;

pub(crate) use crate::executor::handler;
use crate::executor::{ActionError, CommandDoc, CommandRegistry};

/// Registers every built-in command.
pub fn register_builtins(r: &mut CommandRegistry) {
    browser::register(r);
    navigation::register(r);
    elements::register(r);
    element_reads::register(r);
    assertions::register(r);
    waits::register(r);
    page::register(r);
    observability::register(r);
    test_objects::register(r);
    timeouts::register(r);
    storage::register(r);
    compat::register(r);
    action_chains::register(r);
    windows::register(r);
    network::register(r);
    csp::register(r);
}

/// Builds a [`CommandDoc`] (no aliases, no locator, no script; see its builder methods).
pub(crate) const fn doc(
    group: &'static str,
    summary: &'static str,
    params: &'static [crate::executor::Param],
    returns: &'static str,
) -> CommandDoc {
    CommandDoc::new(group, summary, params, returns)
}

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
            // Python builtins the Python WebRunner's flows call by their own names.
            assert!(
                name.starts_with("WR_") || ["print", "time_sleep"].contains(&name),
                "{name}"
            );
            assert!(!entry.doc.summary.is_empty(), "{name} has no summary");
            assert!(!entry.doc.returns.is_empty(), "{name} has no returns");
        }
    }
}

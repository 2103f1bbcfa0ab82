//! The command registry: command names mapped to handlers, with the documentation of each.
//! Library users add their own commands with [`CommandRegistry::register`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use super::{ActionError, Call, Context};

/// The future a command returns.
pub type CommandFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, ActionError>> + Send + 'a>>;

/// A command handler: an async function of the run context and the call's arguments.
pub trait CommandHandler: Send + Sync {
    /// Runs the command once (one attempt).
    fn call<'a>(&'a self, ctx: &'a mut Context, call: &'a Call) -> CommandFuture<'a>;
}

impl<F> CommandHandler for F
where
    F: for<'a> Fn(&'a mut Context, &'a Call) -> CommandFuture<'a> + Send + Sync,
{
    fn call<'a>(&'a self, ctx: &'a mut Context, call: &'a Call) -> CommandFuture<'a> {
        self(ctx, call)
    }
}

/// Turns a closure into a command handler, fixing its signature so the compiler can infer
/// it: `handler(|ctx, call| Box::pin(async move { Ok(serde_json::Value::Null) }))`.
pub fn handler<F>(f: F) -> F
where
    F: for<'a> Fn(&'a mut Context, &'a Call) -> CommandFuture<'a> + Send + Sync,
{
    f
}

/// One parameter of a command, for the reference documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Keyword name (also accepted at its position in `args`).
    pub name: &'static str,
    /// What it is; say "optional" and the default where there is one.
    pub doc: &'static str,
}

/// The documentation of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandDoc {
    /// The group it belongs to (navigation, elements…).
    pub group: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
    /// Its parameters, in positional order.
    pub params: &'static [Param],
    /// What it returns.
    pub returns: &'static str,
    /// True when it runs caller-supplied script (switched off by `--no-scripts`).
    pub runs_script: bool,
}

/// A registered command.
#[derive(Clone)]
pub struct CommandEntry {
    /// The handler.
    pub handler: Arc<dyn CommandHandler>,
    /// Its documentation.
    pub doc: CommandDoc,
}

/// Command names mapped to handlers.
#[derive(Clone, Default)]
pub struct CommandRegistry {
    commands: BTreeMap<String, CommandEntry>,
}

impl CommandRegistry {
    /// An empty registry.
    pub fn empty() -> CommandRegistry {
        CommandRegistry::default()
    }

    /// A registry holding every built-in `WR_*` command.
    pub fn with_builtins() -> CommandRegistry {
        let mut r = CommandRegistry::empty();
        crate::commands::register_builtins(&mut r);
        r
    }

    /// Adds or replaces the command `name`.
    pub fn register(
        &mut self,
        name: &str,
        doc: CommandDoc,
        handler: impl CommandHandler + 'static,
    ) {
        self.commands.insert(
            name.to_string(),
            CommandEntry {
                handler: Arc::new(handler),
                doc,
            },
        );
    }

    /// The command `name`, if registered.
    pub fn get(&self, name: &str) -> Option<&CommandEntry> {
        self.commands.get(name)
    }

    /// All commands, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CommandEntry)> {
        self.commands.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The reference documentation of every command, as Markdown.
    pub fn reference_markdown(&self) -> String {
        let mut groups: BTreeMap<&str, Vec<(&str, &CommandDoc)>> = BTreeMap::new();
        for (name, entry) in self.iter() {
            groups
                .entry(entry.doc.group)
                .or_default()
                .push((name, &entry.doc));
        }
        let mut out = String::from(
            "# Command reference\n\nGenerated from the command registry (`webrunner commands`); a test keeps this file and the code in step.\n\nEvery parameter can be given by name in the kwargs object or by position in the args list, in the order shown. Element commands take a locator: one of `css`, `xpath`, `id` or `by_text` (the innermost element whose text contains it), or `by` + `value` with `by` one of css, xpath, id, text; without one they act on the element found last by `WR_find_element`.\n",
        );
        for (group, cmds) in groups {
            out.push_str(&format!("\n## {group}\n"));
            for (name, doc) in cmds {
                out.push_str(&format!("\n### `{name}`\n\n{}\n", doc.summary));
                if doc.runs_script {
                    out.push_str("\nRuns caller-supplied script: refused under `--no-scripts`.\n");
                }
                if !doc.params.is_empty() {
                    out.push_str("\n| parameter | meaning |\n|---|---|\n");
                    for p in doc.params {
                        out.push_str(&format!("| `{}` | {} |\n", p.name, p.doc));
                    }
                }
                out.push_str(&format!("\nReturns: {}\n", doc.returns));
            }
        }
        out
    }
}

//! The command registry: command names mapped to handlers, with the documentation of each.
//! Library users add their own commands with [`CommandRegistry::register`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use super::params::{Param, Signature};
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
    /// Other names the command answers to (the Python WebRunner's spellings, older ones).
    pub aliases: &'static [&'static str],
    /// Whether it acts on an element named by the locator keywords.
    pub locator: bool,
    /// Whether it takes keywords beyond its parameters (handed to it unchecked).
    pub open: bool,
}

impl CommandDoc {
    /// The documentation of a command with no aliases, no locator and no script.
    pub const fn new(
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
            aliases: &[],
            locator: false,
            open: false,
        }
    }

    /// The same, also answering to `aliases`.
    pub const fn also(self, aliases: &'static [&'static str]) -> CommandDoc {
        CommandDoc { aliases, ..self }
    }

    /// The same, taking a locator.
    pub const fn on_element(self) -> CommandDoc {
        CommandDoc {
            locator: true,
            ..self
        }
    }

    /// The same, marked as running caller-supplied script.
    pub const fn scripted(self) -> CommandDoc {
        CommandDoc {
            runs_script: true,
            ..self
        }
    }

    /// The same, taking keywords beyond its parameters.
    pub const fn open(self) -> CommandDoc {
        CommandDoc { open: true, ..self }
    }

    /// The parameter declaration of the command called `name`.
    pub fn signature<'a>(&'a self, name: &'a str) -> Signature<'a> {
        Signature {
            command: name,
            params: self.params,
            locator: self.locator,
            open: self.open,
        }
    }
}

/// A registered command.
#[derive(Clone)]
pub struct CommandEntry {
    /// The name it was registered under (its aliases lead to the same entry).
    pub name: String,
    /// The handler.
    pub handler: Arc<dyn CommandHandler>,
    /// Its documentation.
    pub doc: CommandDoc,
}

/// Command names mapped to handlers.
#[derive(Clone, Default)]
pub struct CommandRegistry {
    commands: BTreeMap<String, Arc<CommandEntry>>,
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

    /// Adds or replaces the command `name` and its aliases (`doc.aliases`).
    pub fn register(
        &mut self,
        name: &str,
        doc: CommandDoc,
        handler: impl CommandHandler + 'static,
    ) {
        let entry = Arc::new(CommandEntry {
            name: name.to_string(),
            handler: Arc::new(handler),
            doc,
        });
        for alias in entry.doc.aliases {
            self.commands.insert(alias.to_string(), entry.clone());
        }
        self.commands.insert(name.to_string(), entry);
    }

    /// Binds `action` to its command's parameters (see [`Signature::bind`]): the command and
    /// the call its handler gets, or why the action cannot run (an unknown command, with the
    /// nearest known name; an unknown keyword; a missing or mistyped value).
    pub fn bind(&self, action: &Call) -> Result<(Arc<CommandEntry>, Call), ActionError> {
        let Some(entry) = self.commands.get(&action.command) else {
            return Err(ActionError::UnknownCommand(format!(
                "{:?}{}",
                action.command,
                self.nearest(&action.command)
                    .map(|n| format!(" (did you mean {n}?)"))
                    .unwrap_or_default()
            )));
        };
        let call = entry.doc.signature(&action.command).bind(action)?;
        Ok((entry.clone(), call))
    }

    /// The registered name nearest to `name`, when one is close.
    fn nearest(&self, name: &str) -> Option<&str> {
        self.commands
            .keys()
            .map(|k| (strsim::damerau_levenshtein(name, k), k.as_str()))
            .filter(|(d, _)| *d <= 3)
            .min()
            .map(|(_, k)| k)
    }

    /// The command `name`, if registered.
    pub fn get(&self, name: &str) -> Option<&CommandEntry> {
        self.commands.get(name).map(|e| &**e)
    }

    /// All commands and aliases, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CommandEntry)> {
        self.commands.iter().map(|(k, v)| (k.as_str(), &**v))
    }

    /// Each command once, under the name it was registered with, sorted by name.
    pub fn commands(&self) -> impl Iterator<Item = &CommandEntry> {
        self.commands
            .iter()
            .filter(|(k, v)| **k == v.name)
            .map(|(_, v)| &**v)
    }

    /// The reference documentation of every command, as Markdown.
    pub fn reference_markdown(&self) -> String {
        let mut groups: BTreeMap<&str, Vec<&CommandEntry>> = BTreeMap::new();
        for entry in self.commands() {
            groups.entry(entry.doc.group).or_default().push(entry);
        }
        let mut out = String::from(concat!(
            "# Command reference\n\nGenerated from the command registry (`webrunner commands`); a test keeps this file and the code in step.\n\n",
            "Every parameter can be given by name in the kwargs object or by position in the args list, in the order shown; ",
            "a keyword a command does not take is an error that lists the ones it does. Names in parentheses are aliases ",
            "(the Python WebRunner's spellings are accepted unchanged).\n\n",
            "Commands marked *element* take a locator: `css`, `xpath`, `id`, `by_text` (the innermost element whose text contains it), ",
            "`name`, `class_name`, `tag_name`, `link_text`, `partial_link_text` (Selenium's), `role` with an optional accessible `name` ",
            "(and `exact`), `label`, `placeholder`, `test_id` (Playwright's), `element_name` (a test object saved with `WR_SaveTestObject`), ",
            "or `by` + `value` with `by` any of those strategies or Selenium's `By` strings (`css selector`, `link text`, …). ",
            "Without one they act on the current element (the one found last). CSS and text locators pierce open shadow roots. ",
            "Element actions wait until the element is attached, visible, stable, enabled and not covered, up to the action ",
            "time-out (5 s unless `--timeout`, `WR_implicitly_wait` or `WR_set_timeout` says otherwise).\n",
        ));
        for (group, cmds) in groups {
            out.push_str(&format!("\n## {group}\n"));
            for entry in cmds {
                let doc = &entry.doc;
                out.push_str(&format!("\n### `{}`\n\n", entry.name));
                if !doc.aliases.is_empty() {
                    let names: Vec<String> = doc.aliases.iter().map(|a| format!("`{a}`")).collect();
                    out.push_str(&format!("Also: {}.\n\n", names.join(", ")));
                }
                out.push_str(doc.summary);
                out.push('\n');
                if doc.locator {
                    out.push_str("\n*Element*: takes a locator (see the top of this page).\n");
                }
                if doc.runs_script {
                    out.push_str("\nRuns caller-supplied script: refused under `--no-scripts`.\n");
                }
                if !doc.params.is_empty() {
                    out.push_str("\n| parameter | type | meaning |\n|---|---|---|\n");
                    for p in doc.params {
                        let mut name = format!("`{}`", p.name);
                        if !p.aliases.is_empty() {
                            let a: Vec<String> =
                                p.aliases.iter().map(|a| format!("`{a}`")).collect();
                            name.push_str(&format!(" ({})", a.join(", ")));
                        }
                        let need = if p.required { "" } else { "optional " };
                        let rest = if p.rest { " (the remaining args)" } else { "" };
                        out.push_str(&format!(
                            "| {name} | {need}{}{rest} | {} |\n",
                            p.kind.name(),
                            p.doc
                        ));
                    }
                }
                out.push_str(&format!("\nReturns: {}\n", doc.returns));
            }
        }
        out
    }

    /// The reference of every command as JSON (`webrunner commands --format json`).
    pub fn reference_json(&self) -> serde_json::Value {
        let list: Vec<serde_json::Value> = self
            .commands()
            .map(|e| {
                let params: Vec<serde_json::Value> = e
                    .doc
                    .params
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "name": p.name, "type": p.kind.name(), "required": p.required,
                            "aliases": p.aliases, "rest": p.rest, "doc": p.doc,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "name": e.name, "aliases": e.doc.aliases, "group": e.doc.group,
                    "summary": e.doc.summary, "params": params, "element": e.doc.locator,
                    "runs_script": e.doc.runs_script, "returns": e.doc.returns,
                })
            })
            .collect();
        serde_json::Value::Array(list)
    }
}

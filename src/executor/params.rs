//! The parameters a command declares (name, kind, whether required, aliases) and the binding
//! of an action to them: positional args and aliases become named kwargs, an unknown keyword
//! or a missing, mistyped or out-of-range value is an error that names the command, the
//! parameter and what it takes. The same binding runs before each action and in
//! `webrunner check`, so a flow is judged the same way with or without a browser.

use serde_json::{Map, Value};

use super::ActionError;
use crate::action::{kind, Action};
use crate::settings::{checked_backoff, checked_retries, checked_seconds, LimitError};

/// Largest window width or height accepted, in CSS pixels.
pub const MAX_WINDOW_PIXELS: u32 = 16_384;

/// What a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Str,
    /// A number (a numeric string is accepted).
    Number,
    /// A whole number ≥ 0 (a numeric string is accepted).
    Count,
    /// true or false.
    Bool,
    /// A JSON object.
    Object,
    /// A JSON list.
    List,
    /// A string or a list of strings.
    Strings,
    /// Any JSON value.
    Any,
    /// Seconds: a number from 0 to a day.
    Seconds,
    /// A retry count (negative clamps to 0, at most 100).
    Retries,
    /// A back-off in seconds (negative clamps to 0).
    Backoff,
    /// A window dimension: a whole number of CSS pixels from 1 to [`MAX_WINDOW_PIXELS`].
    Pixels,
}

impl Kind {
    /// Its name in the command reference.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Number => "number",
            Kind::Count => "whole number",
            Kind::Bool => "boolean",
            Kind::Object => "object",
            Kind::List => "list",
            Kind::Strings => "string or list",
            Kind::Any => "any",
            Kind::Seconds | Kind::Backoff => "seconds",
            Kind::Retries => "retries",
            Kind::Pixels => "pixels",
        }
    }

    fn want(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Number => "a number",
            Kind::Count => "a whole number ≥ 0",
            Kind::Bool => "true or false",
            Kind::Object => "an object",
            Kind::List => "a list",
            Kind::Strings => "a string or a list of strings",
            Kind::Any => "any value",
            Kind::Seconds | Kind::Backoff => "a number of seconds",
            Kind::Retries => "a number of retries",
            Kind::Pixels => "a number of CSS pixels",
        }
    }
}

/// One parameter of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name (the kwarg; also its place in `args`, in declaration order).
    pub name: &'static str,
    /// What it is; say the default where there is one.
    pub doc: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether the action must give it.
    pub required: bool,
    /// Other names accepted for it (the Python WebRunner's, older ones).
    pub aliases: &'static [&'static str],
    /// Collects every remaining positional arg into a list (a script's arguments).
    pub rest: bool,
}

impl Param {
    /// A required parameter.
    pub const fn req(name: &'static str, kind: Kind, doc: &'static str) -> Param {
        Param {
            name,
            doc,
            kind,
            required: true,
            aliases: &[],
            rest: false,
        }
    }

    /// An optional parameter.
    pub const fn opt(name: &'static str, kind: Kind, doc: &'static str) -> Param {
        Param {
            required: false,
            ..Param::req(name, kind, doc)
        }
    }

    /// The same parameter, also accepted under `aliases`.
    pub const fn aka(self, aliases: &'static [&'static str]) -> Param {
        Param { aliases, ..self }
    }

    /// The same parameter, collecting the remaining positional args as a list.
    pub const fn rest(self) -> Param {
        Param { rest: true, ..self }
    }

    fn answers_to(&self, key: &str) -> bool {
        self.name == key || self.aliases.contains(&key)
    }

    /// Checks `v` against the parameter's kind; the error says what it must be.
    pub fn check(&self, command: &str, v: &Value) -> Result<(), ActionError> {
        let wrong = || {
            ActionError::BadArgument(format!(
                "{command}: argument `{}` must be {}, found {}",
                self.name,
                self.kind.want(),
                kind(v)
            ))
        };
        let number = || match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let limit = |r: Result<(), LimitError>| {
            r.map_err(|e| ActionError::OutOfRange(format!("{command}: {e}")))
        };
        match self.kind {
            Kind::Any => Ok(()),
            Kind::Str if v.is_string() => Ok(()),
            Kind::Bool if v.is_boolean() => Ok(()),
            Kind::Object if v.is_object() => Ok(()),
            Kind::List if v.is_array() => Ok(()),
            Kind::Strings
                if v.is_string()
                    || v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) =>
            {
                Ok(())
            }
            Kind::Number => number().map(|_| ()).ok_or_else(wrong),
            Kind::Count => match number() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => Ok(()),
                Some(_) => Err(ActionError::BadArgument(format!(
                    "{command}: argument `{}` must be a whole number ≥ 0",
                    self.name
                ))),
                None => Err(wrong()),
            },
            Kind::Seconds => {
                let f = number().ok_or_else(wrong)?;
                limit(checked_seconds(self.name, f).map(|_| ()))
            }
            Kind::Backoff => {
                let f = number().ok_or_else(wrong)?;
                limit(checked_backoff(self.name, f).map(|_| ()))
            }
            Kind::Retries => {
                let f = number().ok_or_else(wrong)?;
                limit(checked_retries(self.name, f).map(|_| ()))
            }
            Kind::Pixels => {
                let f = number().ok_or_else(wrong)?;
                limit(checked_pixels(self.name, f).map(|_| ()))
            }
            _ => Err(wrong()),
        }
    }
}

/// A window dimension: a whole number of CSS pixels from 1 to [`MAX_WINDOW_PIXELS`].
pub fn checked_pixels(what: &str, v: f64) -> Result<u32, LimitError> {
    if v.fract() == 0.0 && (1.0..=f64::from(MAX_WINDOW_PIXELS)).contains(&v) {
        return Ok(v as u32);
    }
    Err(LimitError {
        what: what.to_string(),
        want: format!("a whole number of CSS pixels from 1 to {MAX_WINDOW_PIXELS}"),
        got: format!("{v:?}"),
    })
}

/// The keywords that name an element, taken by every command that acts on one. `name` is
/// Selenium's name locator, or the accessible name with `role`; `element_name` names a
/// saved test object (`WR_SaveTestObject`).
pub const LOCATOR_KEYS: &[&str] = &[
    "css",
    "xpath",
    "id",
    "by_text",
    "name",
    "class_name",
    "tag_name",
    "link_text",
    "partial_link_text",
    "role",
    "label",
    "placeholder",
    "test_id",
    "element_name",
    "by",
    "value",
    "exact",
];

/// Where a bound call of an element command holds its locator keywords.
pub const LOCATOR_KWARG: &str = "locator";

/// The strategy names `by` accepts (Selenium's `By` strings with spaces or underscores, any case).
pub fn is_strategy(by: &str) -> bool {
    matches!(
        by.to_ascii_lowercase().replace([' ', '-'], "_").as_str(),
        "css"
            | "css_selector"
            | "xpath"
            | "id"
            | "text"
            | "by_text"
            | "name"
            | "class_name"
            | "tag_name"
            | "link_text"
            | "partial_link_text"
            | "role"
            | "label"
            | "placeholder"
            | "test_id"
    )
}

/// How a command's parameters are declared: its own, and whether it takes a locator.
#[derive(Debug, Clone, Copy)]
pub struct Signature<'a> {
    /// The command's name, for messages.
    pub command: &'a str,
    /// Its parameters in positional order.
    pub params: &'a [Param],
    /// Whether it takes the locator keywords ([`LOCATOR_KEYS`]).
    pub locator: bool,
    /// Whether it takes keywords beyond those it declares (handed through unchecked).
    pub open: bool,
}

impl Signature<'_> {
    /// Binds `action` to the parameters: the result holds every given value under its
    /// parameter's own name in `kwargs` (positional args moved there, aliases renamed, nulls
    /// dropped) and no `args`. A command that takes a locator gets its locator keywords
    /// gathered in one object under [`LOCATOR_KWARG`] (empty when none was given), apart from
    /// its own parameters (`name` is a parameter of some and a locator of others).
    pub fn bind(&self, action: &Action) -> Result<Action, ActionError> {
        let cmd = self.command;
        let mut out = Map::new();
        let mut args: &[Value] = &action.args;
        // The older positional locator form: ["WR_find_element", ["css", "#go"]].
        if self.locator
            && args.len() >= 2
            && args.len() > self.positional().count()
            && args[0].as_str().is_some_and(is_strategy)
            && args[1].is_string()
        {
            out.insert("by".into(), args[0].clone());
            out.insert("value".into(), args[1].clone());
            args = &args[2..];
        }
        let positional: Vec<&Param> = self.positional().collect();
        let mut it = args.iter();
        for p in &positional {
            if p.rest {
                let rest: Vec<Value> = it.by_ref().cloned().collect();
                if !rest.is_empty() {
                    out.insert(p.name.into(), Value::Array(rest));
                }
                break;
            }
            match it.next() {
                Some(v) => {
                    out.insert(p.name.into(), v.clone());
                }
                None => break,
            }
        }
        let extra = it.count();
        if extra > 0 {
            let names: Vec<&str> = positional.iter().map(|p| p.name).collect();
            return Err(ActionError::BadArgument(format!(
                "{cmd}: takes at most {} positional argument{} ({}), got {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                },
                action.args.len()
            )));
        }
        let mut locator = Map::new();
        let declared = |k: &str| self.params.iter().any(|p| p.name == k);
        if self.locator && !declared("by") && !declared("value") {
            if let (Some(by), Some(value)) = (out.remove("by"), out.remove("value")) {
                locator.insert("by".into(), by);
                locator.insert("value".into(), value);
            }
        }
        for (key, v) in &action.kwargs {
            let name = match self.params.iter().find(|p| p.answers_to(key)) {
                Some(p) => p.name,
                None if self.locator && LOCATOR_KEYS.contains(&key.as_str()) => {
                    if !v.is_null() {
                        locator.insert(key.clone(), v.clone());
                    }
                    continue;
                }
                None if self.open => key.as_str(),
                None => return Err(self.unknown(key)),
            };
            if out.contains_key(name) {
                return Err(ActionError::BadArgument(if name == key {
                    format!("{cmd}: `{name}` is given twice (by position and by name)")
                } else {
                    format!("{cmd}: `{name}` is given twice (as `{key}` and as `{name}` or by position)")
                }));
            }
            out.insert(name.to_string(), v.clone());
        }
        out.retain(|_, v| !v.is_null());
        for p in self.params {
            match out.get(p.name) {
                Some(v) => p.check(cmd, v)?,
                None if p.required => {
                    return Err(ActionError::BadArgument(format!(
                        "{cmd}: missing argument `{}` (give it as kwarg \"{}\"{})",
                        p.name,
                        p.name,
                        self.positional()
                            .position(|q| q.name == p.name)
                            .map(|i| format!(" or at args position {i}"))
                            .unwrap_or_default()
                    )))
                }
                None => {}
            }
        }
        if self.locator {
            // A command may declare `element_name` to take it by position (the Python
            // WebRunner's `WR_find_element ["q"]`); it still names the element.
            if let Some(v) = out.remove("element_name") {
                locator.insert("element_name".into(), v);
            }
            out.insert(LOCATOR_KWARG.into(), Value::Object(locator));
        }
        Ok(Action {
            command: action.command.clone(),
            args: Vec::new(),
            kwargs: out,
        })
    }

    fn positional(&self) -> impl Iterator<Item = &Param> {
        self.params.iter()
    }

    /// The error for a keyword the command does not take: it lists the ones it does and
    /// suggests the nearest.
    fn unknown(&self, key: &str) -> ActionError {
        let mut takes: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                if p.aliases.is_empty() {
                    p.name.to_string()
                } else {
                    format!("{} (or {})", p.name, p.aliases.join(", "))
                }
            })
            .collect();
        let mut candidates: Vec<&str> = self
            .params
            .iter()
            .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()))
            .collect();
        if self.locator {
            takes.push(format!("a locator: {}", LOCATOR_KEYS.join(", ")));
            candidates.extend(LOCATOR_KEYS);
        }
        let hint = candidates
            .iter()
            .map(|c| (strsim::damerau_levenshtein(key, c), *c))
            .filter(|(d, c)| *d <= 2 && *d < c.len())
            .min()
            .map(|(_, c)| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        let takes = if takes.is_empty() {
            "it takes no arguments".to_string()
        } else {
            format!("it takes: {}", takes.join("; "))
        };
        ActionError::BadArgument(format!(
            "{}: unknown keyword `{key}`{hint}; {takes}",
            self.command
        ))
    }
}

#[cfg(test)]
mod tests;

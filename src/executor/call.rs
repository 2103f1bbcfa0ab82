//! Argument access for command handlers. A handler gets its action bound to the command's
//! declared parameters ([`super::Signature::bind`]): every value is under its parameter's
//! name in `kwargs` and already checked against its kind, so handlers read by name only.

use std::time::Duration;

use serde_json::Value;

use super::ActionError;
use crate::action::{kind, Action};
use crate::settings::{checked_backoff, checked_retries, checked_seconds};

/// What a command handler receives: the action bound to the command's parameters.
pub type Call = Action;

impl Action {
    /// The value of parameter `name`, if given (null counts as not given).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.kwargs.get(name).filter(|v| !v.is_null())
    }

    fn missing(&self, name: &str) -> ActionError {
        ActionError::BadArgument(format!(
            "{}: missing argument `{name}` (give it as kwarg \"{name}\")",
            self.command
        ))
    }

    fn wrong(&self, name: &str, want: &str, got: &Value) -> ActionError {
        ActionError::BadArgument(format!(
            "{}: argument `{name}` must be {want}, found {}",
            self.command,
            kind(got)
        ))
    }

    /// A required string parameter.
    pub fn str(&self, name: &str) -> Result<&str, ActionError> {
        self.opt_str(name)?.ok_or_else(|| self.missing(name))
    }

    /// An optional string parameter.
    pub fn opt_str(&self, name: &str) -> Result<Option<&str>, ActionError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(name, "a string", other)),
        }
    }

    /// An optional number parameter (numeric strings are accepted).
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>, ActionError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(v @ Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| self.wrong(name, "a number", v)),
            Some(other) => Err(self.wrong(name, "a number", other)),
        }
    }

    /// A required number parameter.
    pub fn f64(&self, name: &str) -> Result<f64, ActionError> {
        self.opt_f64(name)?.ok_or_else(|| self.missing(name))
    }

    /// An optional non-negative whole number parameter.
    pub fn opt_u32(&self, name: &str) -> Result<Option<u32>, ActionError> {
        match self.opt_f64(name)? {
            None => Ok(None),
            Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => {
                Ok(Some(f as u32))
            }
            Some(_) => Err(ActionError::BadArgument(format!(
                "{}: argument `{name}` must be a whole number ≥ 0",
                self.command
            ))),
        }
    }

    /// A string-or-list-of-strings parameter ([`super::Kind::Strings`]) as a list; empty when
    /// not given.
    pub fn strings(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// An optional boolean parameter.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, ActionError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(name, "true or false", other)),
        }
    }

    /// An optional number of seconds (0 to a day).
    pub fn opt_seconds(&self, name: &str) -> Result<Option<Duration>, ActionError> {
        self.limited(name, checked_seconds)
    }

    /// A required number of seconds (0 to a day).
    pub fn seconds(&self, name: &str) -> Result<Duration, ActionError> {
        self.opt_seconds(name)?.ok_or_else(|| self.missing(name))
    }

    /// An optional back-off in seconds (negative clamps to 0).
    pub fn opt_backoff(&self, name: &str) -> Result<Option<Duration>, ActionError> {
        self.limited(name, checked_backoff)
    }

    /// An optional retry count (negative clamps to 0, at most 100).
    pub fn opt_retries(&self, name: &str) -> Result<Option<u32>, ActionError> {
        self.limited(name, checked_retries)
    }

    fn limited<T>(
        &self,
        name: &str,
        check: impl Fn(&str, f64) -> Result<T, crate::settings::LimitError>,
    ) -> Result<Option<T>, ActionError> {
        match self.opt_f64(name)? {
            None => Ok(None),
            Some(v) => check(name, v)
                .map(Some)
                .map_err(|e| ActionError::BadArgument(format!("{}: {e}", self.command))),
        }
    }
}

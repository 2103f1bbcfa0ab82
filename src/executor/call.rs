//! Argument access for command handlers: each parameter is read from the kwargs by name or
//! from the args by position, with errors that name the command, the parameter and the type.

use serde_json::Value;

use super::ActionError;
use crate::action::{kind, Action};

/// What a command handler receives: the action as written in the flow.
pub type Call = Action;

impl Action {
    /// The raw value of parameter `name` (kwarg) or position `pos` (arg), if given.
    pub fn param(&self, name: &str, pos: usize) -> Option<&Value> {
        self.kwargs
            .get(name)
            .or_else(|| self.args.get(pos))
            .filter(|v| !v.is_null())
    }

    fn missing(&self, name: &str, pos: usize) -> ActionError {
        ActionError::BadArgument(format!(
            "{}: missing argument `{name}` (give it as kwarg \"{name}\" or at args position {pos})",
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
    pub fn required_str(&self, name: &str, pos: usize) -> Result<&str, ActionError> {
        self.optional_str(name, pos)?
            .ok_or_else(|| self.missing(name, pos))
    }

    /// An optional string parameter.
    pub fn optional_str(&self, name: &str, pos: usize) -> Result<Option<&str>, ActionError> {
        match self.param(name, pos) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(name, "a string", other)),
        }
    }

    /// An optional number parameter (numeric strings are accepted).
    pub fn optional_f64(&self, name: &str, pos: usize) -> Result<Option<f64>, ActionError> {
        match self.param(name, pos) {
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
    pub fn required_f64(&self, name: &str, pos: usize) -> Result<f64, ActionError> {
        self.optional_f64(name, pos)?
            .ok_or_else(|| self.missing(name, pos))
    }

    /// An optional non-negative whole number parameter.
    pub fn optional_u32(&self, name: &str, pos: usize) -> Result<Option<u32>, ActionError> {
        match self.optional_f64(name, pos)? {
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

    /// An optional boolean parameter.
    pub fn optional_bool(&self, name: &str, pos: usize) -> Result<Option<bool>, ActionError> {
        match self.param(name, pos) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(name, "true or false", other)),
        }
    }
}

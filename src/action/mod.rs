//! Flow files: parses the four action shapes (`["WR_x"]`, `["WR_x", {kw}]`, `["WR_x", [args]]`,
//! `["WR_x", [args], {kw}]`), either as a bare list or under the seed's `"webdriver_wrapper"` key.
//! Errors separate "not JSON" (with line and column) from "JSON of the wrong shape" (with the
//! action's index and the shape that was expected).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

mod lines;
pub use lines::action_lines;

/// One step of a flow: a command name with positional and keyword arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The command, e.g. `WR_to_url`.
    pub command: String,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments.
    pub kwargs: Map<String, Value>,
}

impl Action {
    /// An action with no arguments.
    pub fn new(command: impl Into<String>) -> Action {
        Action {
            command: command.into(),
            args: Vec::new(),
            kwargs: Map::new(),
        }
    }

    /// Adds a keyword argument (builder style).
    pub fn kwarg(mut self, name: &str, value: impl Into<Value>) -> Action {
        self.kwargs.insert(name.to_string(), value.into());
        self
    }

    /// Adds a positional argument (builder style).
    pub fn arg(mut self, value: impl Into<Value>) -> Action {
        self.args.push(value.into());
        self
    }
}

/// A named list of actions.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// Where the flow came from (its file path, or a name given by the caller).
    pub name: String,
    /// The actions, in order.
    pub actions: Vec<Action>,
    /// The 1-based line in its file where each action starts (empty when it did not come
    /// from text).
    pub lines: Vec<usize>,
    /// The file it was read from, when it was.
    pub path: Option<PathBuf>,
}

/// Why a flow could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The file could not be read.
    #[error("cannot read flow file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("{origin}: not valid JSON at line {line}, column {column}: {message}")]
    NotJson {
        /// File path or flow name.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser saw.
        message: String,
    },
    /// The JSON is not a list of actions.
    #[error("{origin}: {message}")]
    Shape {
        /// File path or flow name.
        origin: String,
        /// What was wrong.
        message: String,
    },
    /// One action has the wrong shape.
    #[error("{origin}: action {index}: {message}; expected [\"WR_name\"], [\"WR_name\", {{kwargs}}], [\"WR_name\", [args]] or [\"WR_name\", [args], {{kwargs}}]")]
    Action {
        /// File path or flow name.
        origin: String,
        /// 0-based index of the action.
        index: usize,
        /// What was wrong.
        message: String,
    },
}

/// Reads and parses a flow file. The flow is named after the path.
pub fn load_flow(path: &Path) -> Result<Flow, FlowError> {
    let text = std::fs::read_to_string(path).map_err(|source| FlowError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut flow = parse_flow(&path.display().to_string(), &text)?;
    flow.path = Some(path.to_path_buf());
    Ok(flow)
}

/// Parses flow text; `origin` names it in errors and becomes the flow's name.
pub fn parse_flow(origin: &str, text: &str) -> Result<Flow, FlowError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| FlowError::NotJson {
        origin: origin.to_string(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let mut flow = flow_from_value(origin, value)?;
    flow.lines = lines::action_lines(text);
    Ok(flow)
}

/// Builds a flow from already-parsed JSON.
pub fn flow_from_value(origin: &str, value: Value) -> Result<Flow, FlowError> {
    let list =
        match value {
            Value::Array(list) => list,
            Value::Object(mut map) => match map.remove("webdriver_wrapper") {
                Some(Value::Array(list)) => list,
                Some(other) => {
                    return Err(FlowError::Shape {
                        origin: origin.to_string(),
                        message: format!(
                            "\"webdriver_wrapper\" must hold a list of actions, found {}",
                            kind(&other)
                        ),
                    })
                }
                None => return Err(FlowError::Shape {
                    origin: origin.to_string(),
                    message:
                        "expected a list of actions or an object with a \"webdriver_wrapper\" list"
                            .into(),
                }),
            },
            other => {
                return Err(FlowError::Shape {
                    origin: origin.to_string(),
                    message: format!("expected a list of actions, found {}", kind(&other)),
                })
            }
        };
    let actions = list
        .into_iter()
        .enumerate()
        .map(|(index, v)| {
            parse_action(v).map_err(|message| FlowError::Action {
                origin: origin.to_string(),
                index,
                message,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Flow {
        name: origin.to_string(),
        actions,
        lines: Vec::new(),
        path: None,
    })
}

/// Parses one action value; the error says what was wrong with it.
pub fn parse_action(value: Value) -> Result<Action, String> {
    let Value::Array(items) = value else {
        return Err(format!("must be a list, found {}", kind(&value)));
    };
    let mut items = items.into_iter();
    let command = match items.next() {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::String(_)) => return Err("the command name is empty".into()),
        Some(other) => {
            return Err(format!(
                "the first element must be the command name (a string), found {}",
                kind(&other)
            ))
        }
        None => return Err("is an empty list".into()),
    };
    let rest: Vec<Value> = items.collect();
    let (args, kwargs) = match rest.len() {
        0 => (Vec::new(), Map::new()),
        1 => match rest.into_iter().next() {
            Some(Value::Array(a)) => (a, Map::new()),
            Some(Value::Object(o)) => (Vec::new(), o),
            Some(other) => {
                return Err(format!(
                    "the second element must be a list of args or an object of kwargs, found {}",
                    kind(&other)
                ))
            }
            None => (Vec::new(), Map::new()),
        },
        2 => {
            let mut it = rest.into_iter();
            match (it.next(), it.next()) {
                (Some(Value::Array(a)), Some(Value::Object(o))) => (a, o),
                (a, o) => {
                    return Err(format!(
                        "with three elements the second must be a list and the third an object, found {} and {}",
                        a.as_ref().map_or("nothing", kind),
                        o.as_ref().map_or("nothing", kind)
                    ))
                }
            }
        }
        n => return Err(format!("has {} elements, at most 3 are allowed", n + 1)),
    };
    Ok(Action {
        command,
        args,
        kwargs,
    })
}

/// A short name for a JSON value's type, for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests;

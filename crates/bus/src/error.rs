//! What can go wrong on a bus.

use std::path::PathBuf;

/// Why a publish, poll or wait failed (the Python WebRunner's `EventBusError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventBusError {
    /// `publish` with an empty topic.
    #[error("topic must be non-empty")]
    EmptyTopic,
    /// `publish` with a payload that is not a JSON object.
    #[error("payload must be a JSON object or null, got {0}")]
    PayloadNotObject(&'static str),
    /// A complete line (or stream entry) that is not an event. `resume` is the offset just
    /// after it (or at the whole event found glued behind a torn one), where a reader that
    /// wants to go on polls next.
    #[error("corrupt {location}: {message}")]
    Corrupt {
        /// `line at byte N` (file) or `entry ID` (Redis).
        location: String,
        /// What is wrong with it.
        message: String,
        /// Where to poll next to read on past it.
        resume: String,
    },
    /// The bus file could not be opened, read or written.
    #[error("event bus {path}: {message}")]
    Io {
        /// The bus file.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
    /// `wait_for` saw no matching event in time.
    #[error("timed out waiting for topic {topic:?}")]
    Timeout {
        /// The awaited topic.
        topic: String,
    },
    /// An offset that this bus cannot read from.
    #[error("bad offset {offset:?}: {message}")]
    BadOffset {
        /// The offset as given.
        offset: String,
        /// What this bus expects.
        message: String,
    },
    /// A `redis://` address that does not name a server and a stream.
    #[error("bus URL {url:?}: {message}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The Redis server refused or could not be reached.
    #[error("redis {stream}: {message}")]
    Redis {
        /// The stream's name.
        stream: String,
        /// The client's message.
        message: String,
    },
}

impl EventBusError {
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> EventBusError {
        EventBusError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// The JSON type's name of a value, for messages.
pub(crate) fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

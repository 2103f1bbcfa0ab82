//! The one error type of HAR reading and diffing: what was wrong, and in which file.

use std::fmt;
use std::io;

/// Why a HAR document could not be diffed. Every variant names the source (a file path, or
/// `left` / `right` for in-memory documents) and the problem; JSON syntax errors also carry the
/// line and column. The message is always one line.
#[derive(Debug, thiserror::Error)]
pub enum HarDiffError {
    /// The file does not exist.
    #[error("{source_name}: HAR file not found")]
    NotFound {
        /// The path as given.
        source_name: String,
    },
    /// The file exists but could not be opened or read.
    #[error("{source_name}: cannot read HAR file: {error}")]
    Io {
        /// The path as given.
        source_name: String,
        /// The underlying I/O error.
        #[source]
        error: io::Error,
    },
    /// The bytes are not UTF-8 text.
    #[error("{source_name}: not UTF-8 text: invalid byte sequence at byte offset {offset}")]
    NotUtf8 {
        /// The path as given.
        source_name: String,
        /// Byte offset of the first invalid sequence (from the start of the file).
        offset: u64,
    },
    /// The text is not JSON (syntax error, truncated document, trailing data).
    #[error("{source_name}: not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// The path as given.
        source_name: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column (in bytes) of the problem.
        column: usize,
        /// What the JSON parser expected or found.
        message: String,
    },
    /// The document is JSONP: a `callback(...)` wrapper around the HAR JSON.
    #[error(
        "{source_name}: JSONP, not JSON: the HAR is wrapped in `{callback}(...)`; \
         unwrap it to plain JSON or allow JSONP (--allow-jsonp)"
    )]
    Jsonp {
        /// The path as given.
        source_name: String,
        /// The name of the wrapping callback.
        callback: String,
    },
    /// A JSONP document whose wrapper is not closed by `)` (and an optional `;`) at the end.
    #[error("{source_name}: JSONP wrapper not closed: expected `)` and the end of input after byte offset {offset}, found {found}")]
    JsonpSuffix {
        /// The path as given.
        source_name: String,
        /// Byte offset where the JSON value ended.
        offset: u64,
        /// What was found instead.
        found: String,
    },
    /// The document is JSON but not shaped like a HAR (no `log` object, `log.entries` not a
    /// list, an entry or its request/response of the wrong type).
    #[error("{source_name}: not a HAR document: {problem}")]
    NotHar {
        /// The path as given.
        source_name: String,
        /// What is missing or of the wrong type, with its place in the document.
        problem: HarShapeProblem,
    },
}

impl HarDiffError {
    /// The file path (or `left` / `right`) the error is about.
    pub fn source_name(&self) -> &str {
        match self {
            HarDiffError::NotFound { source_name }
            | HarDiffError::Io { source_name, .. }
            | HarDiffError::NotUtf8 { source_name, .. }
            | HarDiffError::Json { source_name, .. }
            | HarDiffError::Jsonp { source_name, .. }
            | HarDiffError::JsonpSuffix { source_name, .. }
            | HarDiffError::NotHar { source_name, .. } => source_name,
        }
    }
}

/// The kind of a JSON value, as named in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// Any number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        })
    }
}

/// A JSON document that is not shaped like a HAR. Entry indexes are 0-based positions in
/// `log.entries`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HarShapeProblem {
    /// The top-level value is not an object with an object under `log`.
    MissingLog {
        /// What was found instead: the top-level value's kind, or `log`'s kind; `None` when
        /// the top level is an object without a `log` key.
        found: Option<(&'static str, JsonKind)>,
    },
    /// `log.entries` is present but not a list.
    EntriesNotList {
        /// What `log.entries` is.
        found: JsonKind,
    },
    /// An element of `log.entries` is not an object.
    EntryNotObject {
        /// Position in `log.entries`.
        index: usize,
        /// What the element is.
        found: JsonKind,
    },
    /// An entry's `request` is neither an object nor empty/null.
    RequestNotObject {
        /// Position in `log.entries`.
        index: usize,
        /// What `request` is.
        found: JsonKind,
    },
    /// An entry's `request.method` is neither a string nor empty/null.
    MethodNotString {
        /// Position in `log.entries`.
        index: usize,
        /// What `request.method` is.
        found: JsonKind,
    },
    /// An entry's `request.url` is neither a string nor empty/null.
    UrlNotString {
        /// Position in `log.entries`.
        index: usize,
        /// What `request.url` is.
        found: JsonKind,
    },
    /// An entry's `response` is neither an object nor empty/null.
    ResponseNotObject {
        /// Position in `log.entries`.
        index: usize,
        /// What `response` is.
        found: JsonKind,
    },
}

impl fmt::Display for HarShapeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarShapeProblem::MissingLog { found: None } => {
                f.write_str("no `log` object at the top level")
            }
            HarShapeProblem::MissingLog {
                found: Some((place, kind)),
            } => write!(f, "no `log` object: {place} is {kind}"),
            HarShapeProblem::EntriesNotList { found } => {
                write!(f, "`log.entries` is {found}, not a list")
            }
            HarShapeProblem::EntryNotObject { index, found } => {
                write!(f, "`log.entries[{index}]` is {found}, not an object")
            }
            HarShapeProblem::RequestNotObject { index, found } => {
                write!(
                    f,
                    "`log.entries[{index}].request` is {found}, not an object"
                )
            }
            HarShapeProblem::MethodNotString { index, found } => {
                write!(
                    f,
                    "`log.entries[{index}].request.method` is {found}, not a string"
                )
            }
            HarShapeProblem::UrlNotString { index, found } => {
                write!(
                    f,
                    "`log.entries[{index}].request.url` is {found}, not a string"
                )
            }
            HarShapeProblem::ResponseNotObject { index, found } => {
                write!(
                    f,
                    "`log.entries[{index}].response` is {found}, not an object"
                )
            }
        }
    }
}

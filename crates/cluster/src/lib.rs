//! Failure clustering: groups failure messages by a normalised signature so that one cause
//! shows up as one bucket.
//!
//! Two rule sets produce the signature ([`Rules`]):
//! - [`Rules::Seed`] reproduces the Python WebRunner's `failure_cluster` exactly (same
//!   signatures, same `cluster_summary` JSON), for users moving from it;
//! - [`Rules::Default`] groups the failures of Selenium, chromedriver, Playwright,
//!   Puppeteer, Cypress and webrunner itself by cause: it drops stack traces and driver
//!   trailers, replaces volatile tokens (numbers, versions, ids, URLs, paths, selectors,
//!   quoted values, HTML snippets) with typed placeholders, keeps error codes such as
//!   `net::ERR_NAME_NOT_RESOLVED`, and records what it replaced ("why grouped").
//!
//! Inputs: a JSON list of failures (`{function_name, exception | error, file_path}`), a
//! `records.json` (failed records), or a JUnit XML report ([`cluster_file`]).
#![forbid(unsafe_code)]

mod cluster;
mod flat_json;
mod input;
mod junit;
mod list_parts;
mod memo;
mod output;
mod pychars;
mod pychars_table;
mod pystr;
mod read_file;
mod seed;
mod triage;
mod unit;

pub use cluster::{
    cluster_failures, cluster_summary, group_failures, Cluster, ClusterSummary, Failure, Replaced,
    Why,
};
pub use input::{
    cluster_bytes, cluster_file, load_failures, parse_failures, FileClusters, InputKind,
};
pub use output::{summary_json, summary_table};
pub use triage::{explain, Explanation, Substitution};

use std::fmt;

/// Which rules turn a message into its signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Rules {
    /// The Python WebRunner's rules, reproduced exactly (`cluster_summary` JSON included).
    Seed,
    /// Triage rules: same cause together, different causes apart, with "why grouped".
    #[default]
    Default,
}

impl Rules {
    /// `"seed"` or `"default"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rules::Seed => "seed",
            Rules::Default => "default",
        }
    }
}

impl fmt::Display for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Rules {
    type Err = ClusterError;

    /// Parses `seed` or `default`; anything else is [`ClusterError::UnknownRules`].
    fn from_str(s: &str) -> Result<Rules, ClusterError> {
        match s {
            "seed" => Ok(Rules::Seed),
            "default" => Ok(Rules::Default),
            other => Err(ClusterError::UnknownRules(other.to_string())),
        }
    }
}

/// Normalises `message` with the seed rules (SPEC §9): timestamps → `<TS>`, `0x…` →
/// `<HEX>`, `line N` → `line <N>`, paths → `<PATH>`, numbers of two or more digits → `<N>`,
/// quoted text → `<Q>`, whitespace collapsed, trimmed, lower-cased. Returns the signature,
/// which may be empty.
pub fn normalise_error(message: &str) -> String {
    seed::normalise(message)
}

/// Normalises `message` with `rules` and returns its signature (empty only for a message
/// with no content under the seed rules; the default rules never return an empty one for a
/// non-blank message).
pub fn normalise_error_with(message: &str, rules: Rules) -> String {
    match rules {
        Rules::Seed => seed::normalise(message),
        Rules::Default => triage::explain(message).signature,
    }
}

/// Why failures could not be clustered.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// An entry of the failure list is not a JSON object.
    #[error("{origin}: failure entry {index} is not an object: failure entries must be dicts, got {found}")]
    NotAnObject {
        /// Where the list came from.
        origin: String,
        /// 0-based position of the entry.
        index: usize,
        /// Python's name for what was found (`str`, `int`, `list`, `NoneType`, …).
        found: &'static str,
    },
    /// The input file could not be read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error (part of the message, so not repeated as a source).
        cause: std::io::Error,
    },
    /// The input is not valid JSON.
    #[error("{origin} is not valid JSON: {message} (line {line}, column {column})")]
    Json {
        /// Where the text came from.
        origin: String,
        /// The parser's message.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The input is not well-formed XML.
    #[error("{origin} is not well-formed XML: {message} (at byte {position})")]
    Xml {
        /// Where the text came from.
        origin: String,
        /// The parser's message.
        message: String,
        /// Byte offset of the error.
        position: u64,
    },
    /// The input is JSON or XML of the wrong shape.
    #[error("{origin}: {message}")]
    Shape {
        /// Where the text came from.
        origin: String,
        /// What was wrong.
        message: String,
    },
    /// A rules name other than `seed` or `default`.
    #[error("unknown rules {0:?}: use `seed` or `default`")]
    UnknownRules(String),
}

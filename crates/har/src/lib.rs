//! HAR diff and HAR 1.2 writing for webrunner.
//!
//! * [`diff_har_files`] / [`diff_har`] compare two HAR documents exactly as WebRunner's Python
//!   `diff_har_files` does (SPEC §5): entries keyed by (upper-cased method, url), the later
//!   entry of a key wins while the key keeps its first position, entries with neither method
//!   nor url skipped, a non-integer status counted as 0; `added` in the right file's order,
//!   `removed` and `changed` in the left's. The result serialises to the same JSON.
//! * [`diff_har_files_with`] adds options ([`DiffOptions`]): multiset matching, URL
//!   normalisation, timing and size thresholds, JSONP.
//! * Files are streamed: bodies and every field the diff does not use are skipped while
//!   parsing, so memory grows with the number of entries, not with the size of the file.
//! * [`writer`] holds the HAR 1.2 types and [`writer::write_har`].
//!
//! Deliberate differences from the Python seed, where the seed raises a non-`HarDiffError`
//! exception or rejects input the contract accepts:
//! * a UTF-8 byte-order mark is accepted (SPEC §5; Python's `json.loads` rejects it);
//! * an entry, request or response of the wrong type, a method that is not a string, and a
//!   URL that is neither a string nor empty give [`HarDiffError::NotHar`] naming the entry
//!   (Python raises `AttributeError`/`TypeError`, or keys by a non-string URL);
//! * `NaN`/`Infinity` literals, lone surrogate escapes, nesting deeper than 128 levels and
//!   status integers outside the 64-bit range are not read as Python would (the first three
//!   are JSON errors, the last counts as status 0).
#![forbid(unsafe_code)]

mod api;
mod diff;
mod error;
mod index;
mod input;
mod options;
mod read;
mod splitter;
mod table;
mod url_key;
mod visit;
pub mod writer;

pub use api::{diff_har, diff_har_files, diff_har_files_with, diff_har_str, diff_har_with};
pub use diff::{
    diff_indexes, DiffReport, HarDiff, RequestStatus, SideSummary, SizeChange, StatusChange,
    TimingChange,
};
pub use error::{HarDiffError, HarShapeProblem, JsonKind};
pub use index::HarIndex;
pub use options::{DiffOptions, MatchMode};
pub use read::{index_har_value, read_har, read_har_file, read_har_tuned, Tuning};
pub use table::render_table;
pub use url_key::normalise_url;

//! HAR diff and HAR 1.2 writing for webrunner.
//!
//! * [`diff_har_files`] / [`diff_har`] compare two HAR documents exactly as WebRunner's Python
//!   `diff_har_files` does (SPEC §5): entries keyed by (upper-cased method, url), the later
//!   entry of a key wins while the key keeps its first position, entries with neither method
//!   nor url skipped, a non-integer status counted as 0; `added` in the right file's order,
//!   `removed` and `changed` in the left's. The result serialises to the same JSON.
//! * [`diff_har_files_with`] adds options ([`DiffOptions`]): multiset matching, URL
//!   normalisation, timing and size thresholds, JSONP.
//! * [`writer`] holds the HAR 1.2 types and [`writer::write_har`].
//!
//! # Streaming
//! Files are read through a fixed-size buffer and never parsed into a `serde_json::Value`.
//! serde visitors keep only method, url, status, timings and sizes of each entry; bodies
//! (`content.text`, `postData`), headers and unknown fields are skipped with `IgnoredAny`
//! and never allocated. Each entry is parsed straight from the buffer (entries larger than
//! 4 MiB are streamed past instead), so memory grows with the number of entries, not with the
//! size of the file. Both files of a diff are read in parallel.
//!
//! # Input quirks
//! A UTF-8 byte-order mark is accepted. A JSONP document (`callback({...});`, e.g. HAR
//! Viewer's `.harp`) is rejected by default with [`HarDiffError::Jsonp`] naming the callback —
//! it is not JSON, and the seed rejects it too — and unwrapped with
//! [`DiffOptions::allow_jsonp`] (`--allow-jsonp`). Text that is not UTF-8 gives
//! [`HarDiffError::NotUtf8`] with the byte offset; JSON syntax errors give
//! [`HarDiffError::Json`] with the line and column in the original file.
//!
//! # Differences from the Python seed
//! Only where the seed raises something other than its `HarDiffError`, or rejects input the
//! contract accepts:
//! * a UTF-8 byte-order mark is accepted (SPEC §5; Python's `json.loads` rejects it);
//! * an entry, request or response of the wrong type, a method that is not a string, and a
//!   URL that is neither a string nor empty give [`HarDiffError::NotHar`] naming the entry
//!   (Python raises `AttributeError`/`TypeError`, or keys by a non-string URL);
//! * `NaN`/`Infinity` literals, lone surrogate escapes in keys/method/url, numbers beyond the
//!   `f64` range in status/time/size fields, and nesting deeper than serde_json's 128 levels
//!   are JSON errors here (Python accepts them, up to its own recursion limit); a status
//!   integer outside the 64-bit signed range counts as 0.
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

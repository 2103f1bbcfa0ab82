//! The entry points: diff two HAR files, two JSON texts or two parsed documents.

use std::path::Path;

use serde_json::Value;

use crate::diff::{diff_indexes, DiffReport, HarDiff};
use crate::error::HarDiffError;
use crate::index::HarIndex;
use crate::options::DiffOptions;
use crate::read::{index_har_value, read_har, read_har_file};

/// Diffs two parsed HAR documents with the seed's rules (SPEC §5). Errors name the sides
/// `left` and `right`.
///
/// # Errors
/// [`HarDiffError::NotHar`] when a side has no `log` object, `log.entries` is not a list, or
/// an entry cannot be keyed.
pub fn diff_har(left: &Value, right: &Value) -> Result<HarDiff, HarDiffError> {
    diff_har_with(left, right, &DiffOptions::default()).map(|report| report.diff)
}

/// [`diff_har`] with the extended options.
///
/// # Errors
/// As [`diff_har`].
pub fn diff_har_with(
    left: &Value,
    right: &Value,
    options: &DiffOptions,
) -> Result<DiffReport, HarDiffError> {
    let left = index_har_value(left, "left", options)?;
    let right = index_har_value(right, "right", options)?;
    diff_indexes(&left, &right, options)
}

/// Diffs two HAR documents given as JSON text (the seed's `diff_har(str, str)`). Errors name
/// the sides `left` and `right`.
///
/// # Errors
/// [`HarDiffError::Json`] when a text is not JSON, and every error of [`diff_har`].
pub fn diff_har_str(left: &str, right: &str) -> Result<HarDiff, HarDiffError> {
    let options = DiffOptions::default();
    let left = read_har(left.as_bytes(), "left", &options)?;
    let right = read_har(right.as_bytes(), "right", &options)?;
    diff_indexes(&left, &right, &options).map(|report| report.diff)
}

/// Diffs two HAR files with the seed's rules (SPEC §5). Files are streamed (bodies are never
/// held in memory) and read in parallel.
///
/// # Errors
/// [`HarDiffError::NotFound`] when a file is missing (the left is checked first, and both are
/// checked before either is read), then the left file's read error, then the right's:
/// [`HarDiffError::Io`], [`HarDiffError::NotUtf8`], [`HarDiffError::Json`],
/// [`HarDiffError::Jsonp`], [`HarDiffError::NotHar`].
pub fn diff_har_files(
    left: impl AsRef<Path>,
    right: impl AsRef<Path>,
) -> Result<HarDiff, HarDiffError> {
    diff_har_files_with(left, right, &DiffOptions::default()).map(|report| report.diff)
}

/// [`diff_har_files`] with the extended options.
///
/// # Errors
/// As [`diff_har_files`].
pub fn diff_har_files_with(
    left: impl AsRef<Path>,
    right: impl AsRef<Path>,
    options: &DiffOptions,
) -> Result<DiffReport, HarDiffError> {
    let (left, right) = (left.as_ref(), right.as_ref());
    for path in [left, right] {
        if !path.exists() {
            return Err(HarDiffError::NotFound {
                source_name: path.display().to_string(),
            });
        }
    }
    let (left_index, right_index) = read_both(left, right, options);
    diff_indexes(&left_index?, &right_index?, options)
}

type Indexed = Result<HarIndex, HarDiffError>;

/// Reads both files, the right one on a second thread when one can be started.
fn read_both(left: &Path, right: &Path, options: &DiffOptions) -> (Indexed, Indexed) {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("har-read-right".to_owned())
            .spawn_scoped(scope, || read_har_file(right, options));
        let left_index = read_har_file(left, options);
        let right_index = match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => read_har_file(right, options),
        };
        (left_index, right_index)
    })
}

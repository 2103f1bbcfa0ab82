//! Reading a HAR source into a [`HarIndex`]: streaming from a reader or a file, or walking an
//! in-memory `serde_json::Value`, with the same visitors and the same rules.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::de::DeserializeSeed;
use serde_json::Value;

use crate::error::{HarDiffError, HarShapeProblem};
use crate::index::{HarIndex, Table, TableFactory};
use crate::input::{CheckedInput, Prefix};
use crate::options::DiffOptions;
use crate::splitter::{Position, SlotQueue, Splitter};
use crate::visit::{Entries, LogOf, TopOf, TopSeed};

/// Reads a HAR document from `reader`, streaming: bodies, headers and every field the diff
/// does not use are skipped without being stored.
///
/// Accepts a UTF-8 byte-order mark. A JSONP wrapper is rejected unless
/// `options.allow_jsonp`. `source_name` is used in error messages.
///
/// # Errors
/// [`HarDiffError::Io`] when reading fails, [`HarDiffError::NotUtf8`], [`HarDiffError::Json`]
/// (with line and column), [`HarDiffError::Jsonp`], [`HarDiffError::NotHar`] when the JSON has
/// no `log` object, `log.entries` is not a list, or an entry cannot be keyed.
pub fn read_har<R: Read>(
    reader: R,
    source_name: &str,
    options: &DiffOptions,
) -> Result<HarIndex, HarDiffError> {
    read_har_tuned(reader, source_name, options, Tuning::default())
}

/// Buffer sizes of the streaming reader. Results never depend on them; tests and the fuzz
/// target use tiny sizes to exercise buffer refills and the streamed path for large entries.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Initial read buffer size in bytes.
    pub buffer_bytes: usize,
    /// Entries larger than this are streamed instead of parsed from the buffer.
    pub max_element_bytes: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            buffer_bytes: crate::input::BUFFER_BYTES,
            max_element_bytes: crate::splitter::MAX_ELEMENT_BYTES,
        }
    }
}

/// [`read_har`] with explicit buffer sizes (see [`Tuning`]).
///
/// # Errors
/// As [`read_har`].
#[doc(hidden)]
pub fn read_har_tuned<R: Read>(
    reader: R,
    source_name: &str,
    options: &DiffOptions,
    tuning: Tuning,
) -> Result<HarIndex, HarDiffError> {
    let mut input = CheckedInput::with_capacity(reader, tuning.buffer_bytes);
    let io_error = |input: &CheckedInput<R>, error: io::Error| match input.utf8_error_offset() {
        Some(offset) => HarDiffError::NotUtf8 {
            source_name: source_name.to_owned(),
            offset,
        },
        None => HarDiffError::Io {
            source_name: source_name.to_owned(),
            error,
        },
    };
    let prefix = input
        .skip_bom()
        .and_then(|()| input.sniff())
        .map_err(|e| io_error(&input, e))?;
    let jsonp_prefix = match prefix {
        Prefix::Json => None,
        Prefix::Jsonp { callback } if !options.allow_jsonp => {
            return Err(HarDiffError::Jsonp {
                source_name: source_name.to_owned(),
                callback,
            })
        }
        Prefix::Jsonp { .. } => Some(input.skip_jsonp_prefix().map_err(|e| io_error(&input, e))?),
    };
    let mut start = Position { line: 1, column: 0 };
    if let Some(prefix) = &jsonp_prefix {
        start.advance(prefix);
    }
    let slots = SlotQueue::default();
    let factory = TableFactory {
        options,
        slots: Some(slots.clone()),
    };
    let mut splitter =
        Splitter::new(input, slots, start).with_max_element(tuning.max_element_bytes);
    if !options.wants_metrics() {
        splitter = splitter.without_metrics();
    }
    let parsed = {
        let mut de = serde_json::Deserializer::from_reader(&mut splitter);
        let top = TopSeed(&factory).deserialize(&mut de);
        match (top, jsonp_prefix.is_some()) {
            (Ok(top), true) => Ok(top),
            (Ok(top), false) => de.end().map(|()| top),
            (Err(e), _) => Err(e),
        }
    };
    let top = match parsed {
        Ok(top) => top,
        Err(error) => {
            return Err(if let Some(element) = splitter.element_error.take() {
                HarDiffError::Json {
                    source_name: source_name.to_owned(),
                    line: element.position.line,
                    column: element.position.column,
                    message: element.message,
                }
            } else if error.is_io() {
                io_error(&splitter.input, io::Error::from(error))
            } else {
                let reported = Position {
                    line: error.line(),
                    column: error.column(),
                };
                json_error(source_name, &error, splitter.source_position(reported))
            })
        }
    };
    if jsonp_prefix.is_some() && matches!(top, TopOf::Object(_)) {
        let input = &mut splitter.input;
        let offset = input.offset();
        match input.expect_jsonp_suffix() {
            Ok(Ok(())) => {}
            Ok(Err(found)) => {
                return Err(HarDiffError::JsonpSuffix {
                    source_name: source_name.to_owned(),
                    offset,
                    found,
                })
            }
            Err(e) => return Err(io_error(input, e)),
        }
    }
    resolve(top, source_name, options)
}

/// Opens `path` and reads it with [`read_har`]; the error names the path.
///
/// # Errors
/// [`HarDiffError::NotFound`] when the file does not exist, [`HarDiffError::Io`] when it
/// cannot be opened, and every error of [`read_har`].
pub fn read_har_file(path: &Path, options: &DiffOptions) -> Result<HarIndex, HarDiffError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|error| {
        if error.kind() == io::ErrorKind::NotFound {
            HarDiffError::NotFound {
                source_name: name.clone(),
            }
        } else {
            HarDiffError::Io {
                source_name: name.clone(),
                error,
            }
        }
    })?;
    read_har(file, &name, options)
}

/// Indexes an already parsed HAR document, with the same rules as [`read_har`].
///
/// # Errors
/// [`HarDiffError::NotHar`] when the value has no `log` object, `log.entries` is not a list,
/// or an entry cannot be keyed.
pub fn index_har_value(
    value: &Value,
    source_name: &str,
    options: &DiffOptions,
) -> Result<HarIndex, HarDiffError> {
    let factory = TableFactory {
        options,
        slots: None,
    };
    // Visitors never fail, and a `Value` is always well-formed, so this cannot error; map the
    // impossible case to a JSON error rather than panicking.
    let top = TopSeed(&factory).deserialize(value).map_err(|e| {
        let position = Position {
            line: e.line(),
            column: e.column(),
        };
        json_error(source_name, &e, position)
    })?;
    resolve(top, source_name, options)
}

/// Turns what the visitors saw into an index, or the shape error the seed would raise.
fn resolve(
    top: TopOf<Table<'_>>,
    source_name: &str,
    options: &DiffOptions,
) -> Result<HarIndex, HarDiffError> {
    let not_har = |problem| HarDiffError::NotHar {
        source_name: source_name.to_owned(),
        problem,
    };
    let log = match top {
        TopOf::NotObject(kind) => {
            return Err(not_har(HarShapeProblem::MissingLog {
                found: Some(("the top-level value", kind)),
            }))
        }
        TopOf::Object(None) => return Err(not_har(HarShapeProblem::MissingLog { found: None })),
        TopOf::Object(Some(log)) => log,
    };
    let entries = match log {
        LogOf::NotObject(kind) => {
            return Err(not_har(HarShapeProblem::MissingLog {
                found: Some(("`log`", kind)),
            }))
        }
        LogOf::Object(entries) => entries,
    };
    let mut index = HarIndex {
        source_name: source_name.to_owned(),
        table: Default::default(),
        entries: 0,
        skipped: 0,
        mode: options.match_mode,
    };
    match entries {
        None => {}
        Some(Entries::NotList(found)) => {
            return Err(not_har(HarShapeProblem::EntriesNotList { found }))
        }
        Some(Entries::List(table)) => {
            if let Some(problem) = table.problem {
                return Err(not_har(problem));
            }
            index.table = table.table;
            index.entries = table.entries;
            index.skipped = table.skipped;
        }
    }
    Ok(index)
}

/// A JSON syntax error from the streaming parser, at `position` (the splitter's count in the
/// original source; the parser's own count is of the rewritten stream).
fn json_error(source_name: &str, error: &serde_json::Error, position: Position) -> HarDiffError {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    HarDiffError::Json {
        source_name: source_name.to_owned(),
        line: position.line,
        column: position.column,
        message,
    }
}

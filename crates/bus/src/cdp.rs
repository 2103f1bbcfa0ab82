//! The CDP tap: every raw DevTools protocol call a session makes, recorded as one JSON line
//! `{timestamp, method, params, return_value, error}` — the Python WebRunner's `cdp_tap`
//! format, so its `load_recording` reads our recordings and [`load_recording`] reads its — and
//! a replayer that answers the same calls in order, offline.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use webrunner_pyjson::{repr_str, Options, PyFormatter};

/// Why recording or replaying cannot go on (the Python WebRunner's `CdpTapError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CdpTapError {
    /// The recording file does not exist.
    #[error("recording file not found: {0:?}")]
    NotFound(PathBuf),
    /// The recording could not be written or read.
    #[error("recording {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
    /// A line of a recording that is not a JSON object (1-based).
    #[error("recording line {line} not JSON: {message}")]
    BadLine {
        /// Its number, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Every recorded call was answered already.
    #[error("replay exhausted; no more recorded entries")]
    Exhausted,
    /// The call made is not the one recorded at this point.
    #[error("replay drift at #{index}: recorded {}, called {}", py(.recorded), py(.called))]
    Drift {
        /// The call's position, from 0.
        index: usize,
        /// The method recorded there.
        recorded: String,
        /// The method called.
        called: String,
    },
    /// The recorded call failed; replaying it fails the same way.
    #[error("recorded error replayed: {0}")]
    Recorded(String),
}

fn py(s: &str) -> String {
    repr_str(s, |c| !c.is_control())
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CdpRecord {
    /// When the call was made, in seconds since the Unix epoch.
    pub timestamp: f64,
    /// `Domain.method`.
    pub method: String,
    /// The call's parameters.
    pub params: Map<String, Value>,
    /// The result (`null` when the call failed).
    pub return_value: Value,
    /// Why the call failed, when it did.
    pub error: Option<String>,
}

impl CdpRecord {
    /// The record's line, newline included, as the Python WebRunner writes it.
    pub fn to_json_line(&self) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            PyFormatter::new(Options::DEFAULT.ensure_ascii(false)),
        );
        // A record of JSON values always serializes.
        let _ = self.serialize(&mut ser);
        out.push(b'\n');
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Records calls into a file as they are made, one line each (a killed run keeps every call
/// that finished). Shared by every session of a run.
#[derive(Debug)]
pub struct CdpRecorder {
    path: PathBuf,
    file: Mutex<(File, usize)>,
}

impl CdpRecorder {
    /// Starts a recording in `output_path` (created, or emptied when it exists).
    pub fn create(output_path: impl Into<PathBuf>) -> Result<CdpRecorder, CdpTapError> {
        let path = output_path.into();
        let io = |e: std::io::Error| CdpTapError::Io {
            path: path.clone(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = File::create(&path).map_err(io)?;
        Ok(CdpRecorder {
            path,
            file: Mutex::new((file, 0)),
        })
    }

    /// The recording file.
    pub fn output_path(&self) -> &Path {
        &self.path
    }

    /// Records one call: its result, or its error message.
    pub fn record(
        &self,
        method: &str,
        params: &Value,
        outcome: Result<&Value, &str>,
    ) -> Result<(), CdpTapError> {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let record = CdpRecord {
            timestamp,
            method: method.to_string(),
            params: params.as_object().cloned().unwrap_or_default(),
            return_value: outcome.ok().cloned().unwrap_or(Value::Null),
            error: outcome.err().map(str::to_string),
        };
        let line = record.to_json_line();
        let mut slot = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        slot.0
            .write_all(line.as_bytes())
            .map_err(|e| CdpTapError::Io {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        slot.1 += 1;
        Ok(())
    }

    /// How many calls were recorded.
    pub fn len(&self) -> usize {
        self.file.lock().unwrap_or_else(PoisonError::into_inner).1
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a recording (ours or the Python WebRunner's). Blank lines are skipped; a line that
/// is not a JSON object is an error naming its number.
pub fn load_recording(path: impl AsRef<Path>) -> Result<Vec<CdpRecord>, CdpTapError> {
    let path = path.as_ref();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CdpTapError::NotFound(path.to_path_buf()))
        }
        Err(e) => {
            return Err(CdpTapError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        }
    };
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| CdpTapError::BadLine {
            line: n + 1,
            message,
        };
        let mut data: Map<String, Value> = match serde_json::from_str(line) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(bad("not an object".into())),
            Err(e) => return Err(bad(e.to_string())),
        };
        // As Python: float(timestamp or 0), str(method), params or {}.
        let timestamp = data.get("timestamp").and_then(Value::as_f64).unwrap_or(0.0);
        let method = match data.remove("method") {
            Some(Value::String(s)) => s,
            None | Some(Value::Null) => String::new(),
            Some(other) => other.to_string(),
        };
        let params = match data.remove("params") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let error = match data.remove("error") {
            Some(Value::String(s)) => Some(s),
            None | Some(Value::Null) => None,
            Some(other) => Some(other.to_string()),
        };
        records.push(CdpRecord {
            timestamp,
            method,
            params,
            return_value: data.remove("return_value").unwrap_or(Value::Null),
            error,
        });
    }
    Ok(records)
}

/// Answers calls from a recording, in order: each call must name the method recorded at its
/// position (parameters are not compared, as in the Python WebRunner).
#[derive(Debug, Clone)]
pub struct CdpReplayer {
    records: Vec<CdpRecord>,
    cursor: usize,
}

impl CdpReplayer {
    /// A replayer at the recording's start.
    pub fn new(records: Vec<CdpRecord>) -> CdpReplayer {
        CdpReplayer { records, cursor: 0 }
    }

    /// The next recorded answer: its return value, or [`CdpTapError::Drift`] for another
    /// method, [`CdpTapError::Exhausted`] past the end, [`CdpTapError::Recorded`] for a call
    /// that failed when recorded.
    pub fn execute_cdp_cmd(&mut self, method: &str, _params: &Value) -> Result<Value, CdpTapError> {
        let record = self
            .records
            .get(self.cursor)
            .ok_or(CdpTapError::Exhausted)?;
        let index = self.cursor;
        self.cursor += 1;
        if record.method != method {
            return Err(CdpTapError::Drift {
                index,
                recorded: record.method.clone(),
                called: method.to_string(),
            });
        }
        if let Some(e) = &record.error {
            return Err(CdpTapError::Recorded(e.clone()));
        }
        Ok(record.return_value.clone())
    }

    /// How many recorded calls are left.
    pub fn remaining(&self) -> usize {
        self.records.len().saturating_sub(self.cursor)
    }

    /// Back to the first recorded call.
    pub fn reset(&mut self) {
        self.cursor = 0;
    }
}

//! Reading saved records: a `records.json` (a JSON list of records) or a saved dashboard
//! payload (an object whose `records` key holds that list), with errors that say where.

use std::path::Path;

use serde_json::Value;
use webrunner_record::Record;

/// Why saved records could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The file could not be read.
    #[error("cannot read records file {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The text is not JSON.
    #[error("{origin} is not JSON: {message} (line {line}, column {column})")]
    NotJson {
        /// Where the text came from.
        origin: String,
        /// The parser's message.
        message: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// The JSON is not a list of records.
    #[error("{origin}: {at}: {message}")]
    Shape {
        /// Where the text came from.
        origin: String,
        /// The JSON path of the offending value, e.g. `records[3].status`.
        at: String,
        /// What was wrong with it.
        message: String,
    },
}

/// Reads records from `path` (see [`parse_records`] for the accepted shapes).
///
/// Fails with [`RecordsError::Read`] when the file cannot be read, and as
/// [`parse_records`] does otherwise.
pub fn load_records(path: &Path) -> Result<Vec<Record>, RecordsError> {
    let text = std::fs::read_to_string(path).map_err(|error| RecordsError::Read {
        path: path.display().to_string(),
        error,
    })?;
    parse_records(&text, &path.display().to_string())
}

/// Parses records from JSON text: a list of records, or an object whose `records` key holds
/// one (the dashboard's `/records` payload). A UTF-8 byte-order mark is accepted. `origin`
/// names the text in error messages.
///
/// Fails with [`RecordsError::NotJson`] when the text is not JSON and with
/// [`RecordsError::Shape`] (naming the JSON path, e.g. `[3].status`) when a value does not fit.
pub fn parse_records(text: &str, origin: &str) -> Result<Vec<Record>, RecordsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| RecordsError::NotJson {
        origin: origin.to_string(),
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })?;
    let (list, prefix) = match value {
        Value::Array(_) => (value, ""),
        Value::Object(mut map) => match map.remove("records") {
            Some(list @ Value::Array(_)) => (list, "records"),
            Some(_) => {
                return Err(shape(origin, "records", "expected a list of records"));
            }
            None => {
                return Err(shape(
                    origin,
                    "(root)",
                    "expected a list of records or an object with a `records` list",
                ))
            }
        },
        _ => {
            return Err(shape(
                origin,
                "(root)",
                "expected a list of records or an object with a `records` list",
            ))
        }
    };
    serde_path_to_error::deserialize::<_, Vec<Record>>(list).map_err(|e| {
        let inner = e.path().to_string();
        let at = match (prefix, inner.as_str()) {
            ("", "." | "") => "(root)".to_string(),
            ("", p) => p.to_string(),
            (pre, "." | "") => pre.to_string(),
            (pre, p) => format!("{pre}{p}"),
        };
        shape(origin, &at, &e.into_inner().to_string())
    })
}

fn shape(origin: &str, at: &str, message: &str) -> RecordsError {
    RecordsError::Shape {
        origin: origin.to_string(),
        at: at.to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"index":0,"command":"WR_to_url","status":"passed",
        "started_at":"2026-01-01T00:00:00Z","duration_ms":1.5,"attempts":1}"#;

    #[test]
    fn a_list_of_records_parses_with_defaults_for_optional_fields() {
        let records = parse_records(&format!("\u{feff}[{ONE}]"), "r.json").unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].command, "WR_to_url");
        assert!(records[0].args.is_empty());
        assert_eq!(records[0].error, None);
    }

    #[test]
    fn a_dashboard_payload_object_parses_from_its_records_key() {
        let text = format!(r#"{{"total":1,"passed":1,"failed":0,"records":[{ONE}]}}"#);
        assert_eq!(parse_records(&text, "r.json").unwrap().len(), 1);
    }

    #[test]
    fn a_bad_status_names_the_record_and_field() {
        let bad = ONE.replace("passed", "maybe");
        let err = parse_records(&format!("[{ONE},{bad}]"), "r.json").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("r.json: [1].status: unknown variant `maybe`"),
            "{text}"
        );
        let err = parse_records(&format!(r#"{{"records":[{bad}]}}"#), "r.json").unwrap_err();
        assert!(err.to_string().contains("records[0].status"), "{err}");
    }

    #[test]
    fn text_that_is_not_json_reports_line_and_column() {
        let err = parse_records("[\n  {oops", "r.json").unwrap_err();
        match err {
            RecordsError::NotJson { line, .. } => assert_eq!(line, 2),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn other_json_shapes_are_rejected_with_a_reason() {
        for text in ["42", r#"{"x":1}"#, r#"{"records":{}}"#] {
            let err = parse_records(text, "r.json").unwrap_err();
            assert!(matches!(err, RecordsError::Shape { .. }), "{text}: {err}");
        }
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_it() {
        let err = load_records(Path::new("/nonexistent/records.json")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/records.json"));
    }
}

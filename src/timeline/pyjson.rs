//! The timeline's Python text, from `webrunner-pyjson`: `json.dumps` with its defaults
//! (`", "` and `": "`, ASCII-only strings, floats as `repr`), and `str()` of a JSON value.

use serde_json::Value;
use webrunner_pyjson::{NonFinite, Options};

/// Appends `v` as `json.dumps` prints it.
pub fn json_value(out: &mut Vec<u8>, v: &Value) {
    webrunner_pyjson::push_value(out, v, Options::DEFAULT);
}

/// Appends a JSON string with every character outside printable ASCII escaped
/// (`ensure_ascii`).
pub fn json_string(out: &mut Vec<u8>, s: &str) {
    webrunner_pyjson::push_json_str(out, s, true);
}

/// Appends Python's `repr(float)` as `json.dumps` prints it (`NaN`, `Infinity`, `-Infinity`
/// for the others).
pub fn py_float(out: &mut Vec<u8>, v: f64) {
    webrunner_pyjson::push_float(out, v, NonFinite::Json);
}

/// Python's `repr(float)` as `json.dumps` prints it, as a string.
pub fn py_float_string(v: f64) -> String {
    webrunner_pyjson::float_json(v)
}

/// Python's `str()` of a JSON value, as used in labels.
pub fn py_str(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => webrunner_pyjson::repr_value(&other, printable),
    }
}

/// What `repr()` keeps in the strings of a label: all but the C0 and C1 control characters
/// and DEL (Python's `str.isprintable()` also rejects some others, such as U+00A0).
fn printable(c: char) -> bool {
    !matches!(u32::from(c), 0..=0x1f | 0x7f..=0x9f)
}

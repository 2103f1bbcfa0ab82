//! Text byte for byte as Python prints it: `repr(float)`, `json.dumps` (ASCII-only or not,
//! compact with `", "` / `": "` or indented) and `repr()` of strings and JSON values.
//!
//! Byte-appending functions ([`push_float`], [`push_json_str`], [`push_value`]) serve hot
//! loops; [`PyFormatter`] is a serde_json formatter for serializing any `Serialize` type.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dumps;
mod float;
mod repr;
mod string;

pub use dumps::{dumps, push_value, Options, PyFormatter};
pub use float::{float_json, float_repr, push_float, write_float, NonFinite};
pub use repr::{push_repr_str, push_repr_value, repr_str, repr_value};
pub use string::{push_json_str, write_json_str};

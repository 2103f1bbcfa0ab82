//! Failure bundles: the evidence of a failed test (screenshot, DOM, console and network
//! logs, a trace, any other file) in one zip with a checksummed `manifest.json`.
//!
//! The format is the Python WebRunner's (`je_web_runner.utils.failure_bundle`), byte for
//! byte in `manifest.json` and the JSON logs: a bundle written by either is read by the
//! other. [`FailureBundle`] gathers the evidence and [`FailureBundle::write`]s it;
//! [`extract_bundle`] reads a bundle back, [`verify`] checks one and [`extract_to`] unpacks
//! one into a folder. Reading refuses hostile zips (entries that escape the folder,
//! symbolic links, decompression bombs, duplicate names) and inconsistent ones (a missing
//! manifest or artifact, a wrong size or checksum), each with its own
//! [`FailureBundleError`] variant.
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! use webrunner_bundle::{extract_bundle, FailureBundle};
//!
//! let mut bundle = FailureBundle::new("login works", "TimeoutError('#submit')");
//! bundle.add_screenshot(vec![0x89, b'P', b'N', b'G']);
//! bundle.add_dom("<html></html>");
//! bundle.add_console(&[serde_json::json!({"level": "error", "text": "boom"})]);
//! let path = bundle.write(dir.path().join("failure.zip"))?;
//!
//! let back = extract_bundle(&path)?;
//! assert_eq!(back.manifest.test_name, "login works");
//! assert_eq!(back.files["artifacts/dom.html"], b"<html></html>");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builder;
mod error;
mod extract;
mod names;
mod read;
mod scan;

#[cfg(test)]
mod tests;

pub use builder::{utc_now_iso, FailureBundle};
pub use error::{FailureBundleError, Result};
pub use extract::{extract_to, extract_to_with};
pub use read::{
    extract_bundle, extract_bundle_from_bytes, extract_bundle_with, verify, verify_with,
    ArtifactEntry, Bundle, ExtractLimits, Manifest, VerifyReport,
};

/// Serializes `value` byte for byte as Python's
/// `json.dumps(value, ensure_ascii=False, indent=2)` does (the layout of `manifest.json`,
/// `console.json` and `network.json`).
pub fn python_json(value: &serde_json::Value) -> Vec<u8> {
    webrunner_pyjson::dumps(value, PYTHON_JSON)
}

/// `ensure_ascii=False, indent=2`.
const PYTHON_JSON: webrunner_pyjson::Options = webrunner_pyjson::Options::DEFAULT
    .ensure_ascii(false)
    .indent(2);

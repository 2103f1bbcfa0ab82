//! Finds the Chromium binary: `WEBRUNNER_CHROME`, then `CHROME`, then Debian's
//! `/usr/bin/chromium`, then the usual names on `PATH`. Nothing is ever downloaded.

use std::path::{Path, PathBuf};

use super::BrowserError;

const NAMES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "chrome"];

/// Returns the Chromium binary to launch, or an error that says how to install one.
pub fn find_chromium() -> Result<PathBuf, BrowserError> {
    let mut looked = Vec::new();
    for var in ["WEBRUNNER_CHROME", "CHROME"] {
        if let Some(p) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let p = PathBuf::from(p);
            if p.is_file() {
                return Ok(p);
            }
            looked.push(format!("${var}={}", p.display()));
        }
    }
    let debian = Path::new("/usr/bin/chromium");
    if debian.is_file() {
        return Ok(debian.to_path_buf());
    }
    looked.push(debian.display().to_string());
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            for name in NAMES {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
    }
    looked.push(format!("{} on PATH", NAMES.join(", ")));
    Err(BrowserError::NotFound {
        looked: looked.join(", "),
    })
}

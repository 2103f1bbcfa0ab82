//! The browser: one session type over the CDP backend (chromiumoxide driving Debian's
//! Chromium). Commands, probes and tests use [`Session`] for navigation, JS evaluation,
//! screenshots and raw CDP calls.

mod cdp;
mod find;
mod har_recorder;
mod locator;

pub use cdp::{Browser, BrowserOptions, Session};
pub use find::find_chromium;
pub use har_recorder::HarRecorder;
pub use locator::{Element, Locator};

/// Why a browser operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No Chromium binary was found.
    #[error("Chromium not found (looked at {looked}); install it with `apt-get install -y chromium chromium-driver`, or point WEBRUNNER_CHROME at a Chrome/Chromium binary")]
    NotFound {
        /// The places that were tried.
        looked: String,
    },
    /// Chromium was found but did not start.
    #[error("cannot start Chromium at {path}: {message}")]
    Launch {
        /// The binary.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A DevTools protocol call failed.
    #[error("{0}")]
    Cdp(String),
    /// JavaScript threw.
    #[error("JavaScript error: {0}")]
    Script(String),
    /// An element could not be found.
    #[error("no element matches {0}")]
    NoSuchElement(String),
    /// Waiting ran out of time.
    #[error("timed out after {seconds:.1}s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        seconds: f64,
    },
    /// An argument was not usable.
    #[error("{0}")]
    Invalid(String),
}

impl From<chromiumoxide::error::CdpError> for BrowserError {
    fn from(e: chromiumoxide::error::CdpError) -> Self {
        BrowserError::Cdp(e.to_string())
    }
}

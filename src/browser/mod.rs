//! The browser: one session type over the CDP backend (chromiumoxide driving Debian's
//! Chromium). Commands, probes and tests use [`Session`] for navigation, JS evaluation,
//! screenshots and raw CDP calls. Each session lives in a browser context of its own and
//! fails at once, with a fatal error, when its tab crashed or hung or Chromium went away.

mod actionability;
mod cdp;
mod chromium;
mod element;
mod element_actions;
mod find;
mod har_recorder;
mod health;
mod input;
pub mod keys;
mod locator;
mod process;

pub use cdp::Session;
pub use chromium::{Browser, BrowserOptions};
pub use element::{Element, DEFAULT_TIMEOUT};
pub use find::find_chromium;
pub use har_recorder::HarRecorder;
pub use input::{Input, InputState, MouseButton};
pub use locator::Locator;

/// Why a browser operation failed.
#[derive(Debug, Clone, thiserror::Error)]
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
    /// Chromium exited or its DevTools connection ended; nothing of this browser works any more.
    #[error("browser closed: {0}")]
    BrowserClosed(String),
    /// The tab's renderer crashed; the session cannot be used again.
    #[error("tab crashed: {0}")]
    TabCrashed(String),
    /// The page's main thread stopped answering (a script that never yields); the session
    /// cannot be used again.
    #[error("page unresponsive: its script has not yielded for {seconds:.1} s")]
    Unresponsive {
        /// How long the call that noticed it had waited.
        seconds: f64,
    },
}

impl BrowserError {
    /// Whether the session (or browser) that gave this error can never be used again: the
    /// browser closed, the tab crashed or the page hung.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            BrowserError::BrowserClosed(_)
                | BrowserError::TabCrashed(_)
                | BrowserError::Unresponsive { .. }
        )
    }
}

impl From<chromiumoxide::error::CdpError> for BrowserError {
    fn from(e: chromiumoxide::error::CdpError) -> Self {
        BrowserError::Cdp(e.to_string())
    }
}

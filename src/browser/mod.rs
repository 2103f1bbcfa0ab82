//! The browser: one session type over the CDP backend (chromiumoxide driving Debian's
//! Chromium). Commands, probes and tests use [`Session`] for navigation, JS evaluation,
//! screenshots and raw CDP calls. Each session lives in a browser context of its own and
//! fails at once, with a fatal error, when its tab crashed or hung or Chromium went away.

mod actionability;
mod cdp;
mod chromium;
mod csp;
mod dialogs;
mod dom_snapshot;
mod element;
mod element_actions;
mod events;
mod find;
mod frames;
mod har_export;
mod health;
mod input;
pub mod keys;
mod locator;
mod navigation;
mod network_log;
mod page_settings;
mod process;
mod tracing_end;
mod windows;

pub use cdp::Session;
pub use chromium::{Browser, BrowserOptions};
pub use dialogs::{Dialog, DialogEvent, DialogPolicy};
pub use dom_snapshot::{snapshot_text, DomDocument};
pub use element::{Element, DEFAULT_TIMEOUT};
pub use events::KEPT;
pub use find::find_chromium;
pub use frames::FrameRef;
pub use input::{Input, InputState, MouseButton};
pub use locator::Locator;
pub use navigation::WaitUntil;
pub use network_log::now_ms;
pub use windows::{WindowInfo, WindowRect};

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
    /// A navigation failed before a document arrived (DNS, connection, TLS, a blocked URL).
    #[error("cannot open {url}: {error}{}", .hint.as_deref().map(|h| format!(" — {h}")).unwrap_or_default())]
    Navigation {
        /// The URL.
        url: String,
        /// Chromium's network error, e.g. `net::ERR_CONNECTION_REFUSED`.
        error: String,
        /// What it most likely means.
        hint: Option<String>,
    },
    /// A JavaScript dialog kept open holds up the page, so the call cannot finish until it is
    /// accepted or dismissed (a click or script that opened it succeeded).
    #[error("a JavaScript {kind} is open ({message:?}); accept or dismiss it first")]
    DialogOpened {
        /// `alert`, `confirm`, `prompt` or `beforeunload`.
        kind: String,
        /// Its text.
        message: String,
    },
    /// A frame was not found, or the current one went away.
    #[error("no such frame: {0}")]
    NoSuchFrame(String),
    /// A window handle that is not open.
    #[error("no such window: {0}")]
    NoSuchWindow(String),
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

//! Flows as synthetic checks: [`FlowCheck`] runs a flow through a fresh executor in a new
//! tab of one [`SharedBrowser`], so every check of a monitor reuses one Chromium, and each
//! run starts from clean executor settings. A check fails when any action failed; its error
//! is the first failed action's error.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::action::Flow;
use crate::browser::{Browser, BrowserError, BrowserOptions};
use crate::executor::Executor;

use super::check::{Check, CheckFuture};

/// How long a liveness probe of the shared browser may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// One Chromium shared by every flow check: launched on first use, checked before each use,
/// and launched again when it no longer answers (it crashed or was killed).
#[derive(Debug)]
pub struct SharedBrowser {
    options: BrowserOptions,
    slot: tokio::sync::Mutex<Option<Arc<Browser>>>,
    launches: AtomicU64,
}

impl SharedBrowser {
    /// A browser launched with `options` when a check first needs it.
    pub fn new(options: BrowserOptions) -> Arc<SharedBrowser> {
        Arc::new(SharedBrowser {
            options,
            slot: tokio::sync::Mutex::new(None),
            launches: AtomicU64::new(0),
        })
    }

    /// Starts from an already running browser; if it dies, a new one is launched with
    /// `options`.
    pub fn with_browser(browser: Arc<Browser>, options: BrowserOptions) -> Arc<SharedBrowser> {
        Arc::new(SharedBrowser {
            options,
            slot: tokio::sync::Mutex::new(Some(browser)),
            launches: AtomicU64::new(0),
        })
    }

    /// The browser, launching one if none is running or the current one does not answer.
    /// Fails when Chromium cannot be launched.
    pub async fn get(&self) -> Result<Arc<Browser>, BrowserError> {
        let mut slot = self.slot.lock().await;
        if let Some(b) = slot.as_ref() {
            match tokio::time::timeout(PROBE_TIMEOUT, b.version()).await {
                Ok(Ok(_)) => return Ok(b.clone()),
                Ok(Err(e)) => tracing::warn!(
                    "the shared browser stopped answering ({e}); launching a new one"
                ),
                Err(_) => {
                    tracing::warn!("the shared browser did not answer in 5 s; launching a new one")
                }
            }
            // Dropping the last handle kills the dead or stuck process.
            *slot = None;
        }
        let b = Arc::new(Browser::launch(self.options.clone()).await?);
        self.launches.fetch_add(1, Ordering::Relaxed);
        *slot = Some(b.clone());
        Ok(b)
    }

    /// How many times this shared browser launched Chromium.
    pub fn launches(&self) -> u64 {
        self.launches.load(Ordering::Relaxed)
    }

    /// Closes the browser, when this is its last user; later checks launch a new one.
    pub async fn close(&self) {
        let taken = self.slot.lock().await.take();
        if let Some(b) = taken {
            if let Ok(b) = Arc::try_unwrap(b) {
                b.close().await;
            }
        }
    }
}

/// How the executor of a flow check is set up for each run.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowCheckOptions {
    /// Extra attempts after a failed action (negative clamps to 0).
    pub retries: i64,
    /// Back-off seconds: after failed attempt k, `backoff × k`.
    pub backoff: f64,
    /// Allow commands that run caller-supplied script.
    pub scripts_enabled: bool,
    /// Failed actions write a screenshot here; its path ends up in the check's error.
    pub failure_screenshot_dir: Option<PathBuf>,
}

impl Default for FlowCheckOptions {
    fn default() -> Self {
        FlowCheckOptions {
            retries: 0,
            backoff: 0.0,
            scripts_enabled: true,
            failure_screenshot_dir: None,
        }
    }
}

/// A flow run as a synthetic check in a shared browser.
#[derive(Debug)]
pub struct FlowCheck {
    flow: Flow,
    browser: Arc<SharedBrowser>,
    options: FlowCheckOptions,
}

impl FlowCheck {
    /// Runs `flow` in `browser` with default options.
    pub fn new(flow: Flow, browser: Arc<SharedBrowser>) -> FlowCheck {
        FlowCheck::with_options(flow, browser, FlowCheckOptions::default())
    }

    /// Runs `flow` in `browser` with `options`.
    pub fn with_options(
        flow: Flow,
        browser: Arc<SharedBrowser>,
        options: FlowCheckOptions,
    ) -> FlowCheck {
        FlowCheck {
            flow,
            browser,
            options,
        }
    }

    /// The flow.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// Runs the flow once in a new tab; `Err` with the first failed action's error.
    async fn run_once(&self) -> Result<(), String> {
        let browser = self.browser.get().await.map_err(|e| e.to_string())?;
        let mut ex = Executor::new();
        ex.use_browser(browser);
        ex.set_retry_policy(self.options.retries, self.options.backoff);
        ex.set_scripts_enabled(self.options.scripts_enabled);
        if let Some(dir) = &self.options.failure_screenshot_dir {
            ex.set_failure_screenshot_dir(dir).map_err(|e| {
                format!("cannot create the screenshot folder {}: {e}", dir.display())
            })?;
        }
        let outcome = match ex.run_flow(&self.flow).await.iter().find(|r| r.failed()) {
            None => Ok(()),
            Some(r) => Err(r
                .error
                .clone()
                .unwrap_or_else(|| format!("action {} ({}) failed", r.index, r.command))),
        };
        // Closes this run's tab; the shared browser stays up.
        ex.shutdown().await;
        outcome
    }
}

impl Check for FlowCheck {
    fn run(&mut self) -> CheckFuture<'_> {
        Box::pin(self.run_once())
    }
}

//! Flows as synthetic checks: [`FlowCheck`] runs a flow through the same run path as
//! `webrunner run` ([`run_flows`], writing no files) in a fresh context of one
//! [`SharedBrowser`], so every check of a monitor reuses one Chromium, and each run starts
//! from the monitor's settings. A check fails when any action failed; its error
//! is the first failed action's error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::action::Flow;
use crate::browser::{Browser, BrowserError, BrowserOptions};
use crate::run::{run_flows, RunOptions};
use crate::settings::Settings;

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

/// A flow run as a synthetic check in a shared browser.
#[derive(Debug)]
pub struct FlowCheck {
    flow: Flow,
    browser: Arc<SharedBrowser>,
    settings: Settings,
}

impl FlowCheck {
    /// Runs `flow` in `browser` with default settings.
    pub fn new(flow: Flow, browser: Arc<SharedBrowser>) -> FlowCheck {
        FlowCheck::with_settings(flow, browser, Settings::default())
    }

    /// Runs `flow` in `browser` with `settings` (retries, script policy, failure screenshot
    /// folder, …).
    pub fn with_settings(flow: Flow, browser: Arc<SharedBrowser>, settings: Settings) -> FlowCheck {
        FlowCheck {
            flow,
            browser,
            settings,
        }
    }

    /// The flow.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// Runs the flow once in a fresh context; `Err` with the first failed action's error.
    async fn run_once(&self) -> Result<(), String> {
        let browser = self.browser.get().await.map_err(|e| e.to_string())?;
        let options = RunOptions {
            settings: self.settings.clone(),
            out: None,
            browser: Some(browser),
            ..RunOptions::default()
        };
        let outcome = run_flows(std::slice::from_ref(&self.flow), options)
            .await
            .map_err(|e| e.to_string())?;
        match outcome.records.iter().find(|r| r.failed()) {
            None => Ok(()),
            Some(r) => Err(r
                .error
                .clone()
                .unwrap_or_else(|| format!("action {} ({}) failed", r.index, r.command))),
        }
    }
}

impl Check for FlowCheck {
    fn run(&mut self) -> CheckFuture<'_> {
        Box::pin(self.run_once())
    }
}

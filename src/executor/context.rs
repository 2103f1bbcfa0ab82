//! The run context handed to every command: the browser (opened on first use), the current
//! element, the run's settings (retry policy, failure screenshot folder, script gate) and the
//! sinks that observe the run. Commands may change settings; the run loop reads them afresh
//! for every action.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use webrunner_record::{Record, RunObserver};

use super::{ActionError, Clock, SystemClock};
use crate::browser::{Browser, BrowserOptions, Element, HarRecorder, Locator, Session};

/// Settings that shape how actions run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Extra attempts after a failed one.
    pub retries: u32,
    /// Seconds of back-off: after failed attempt k the executor sleeps `backoff × k`.
    pub backoff: f64,
    /// Where failure screenshots go; `None` takes none.
    pub screenshot_dir: Option<PathBuf>,
    /// False refuses commands that run caller-supplied script (`--no-scripts`).
    pub scripts_enabled: bool,
    /// How long element lookups wait for the element to appear.
    pub implicit_wait: Duration,
    /// Default time limit of explicit waits.
    pub wait_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retries: 0,
            backoff: 0.0,
            screenshot_dir: None,
            scripts_enabled: true,
            implicit_wait: Duration::ZERO,
            wait_timeout: Duration::from_secs(10),
        }
    }
}

/// Everything a command can reach.
pub struct Context {
    /// Settings; commands such as `WR_set_retry_policy` change them.
    pub settings: Settings,
    /// How a browser is launched when a command first needs one.
    pub browser_options: BrowserOptions,
    pub(crate) browser: Option<Arc<Browser>>,
    pub(crate) session: Option<Session>,
    pub(crate) element: Option<Locator>,
    pub(crate) observers: Vec<Arc<dyn RunObserver>>,
    pub(crate) records: Vec<Record>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) extensions: anymap::Extensions,
    /// The `traceparent` the page's requests carry during the current action.
    pub(crate) traceparent: Option<String>,
    /// The `traceparent` the open session was last given.
    pub(crate) traceparent_sent: Option<String>,
    /// Network recording, when the run records a HAR.
    pub(crate) har: Option<HarCapture>,
}

/// A run's HAR recording: the recorder of the open session and what closed sessions gave.
#[derive(Debug, Default)]
pub(crate) struct HarCapture {
    pub(crate) content: bool,
    pub(crate) recorder: Option<HarRecorder>,
    pub(crate) done: Option<webrunner_har::writer::Har>,
    pub(crate) browser: Option<String>,
}

impl HarCapture {
    /// Folds the open session's recording into what is done.
    async fn close(&mut self) {
        if let Some(r) = self.recorder.take() {
            let har = r.finish(self.browser.clone()).await;
            match &mut self.done {
                None => self.done = Some(har),
                Some(done) => {
                    done.log.pages.extend(har.log.pages);
                    done.log.entries.extend(har.log.entries);
                }
            }
        }
    }
}

impl Default for Context {
    fn default() -> Self {
        Context {
            settings: Settings::default(),
            browser_options: BrowserOptions::default(),
            browser: None,
            session: None,
            element: None,
            observers: Vec::new(),
            records: Vec::new(),
            clock: Arc::new(SystemClock),
            extensions: anymap::Extensions::default(),
            traceparent: None,
            traceparent_sent: None,
            har: None,
        }
    }
}

impl Context {
    /// The open session, if any (never launches a browser).
    pub fn open_session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The session, opening a browser (or a new tab of a shared one) on first use.
    pub async fn session(&mut self) -> Result<Session, ActionError> {
        if let Some(s) = &self.session {
            return Ok(s.clone());
        }
        self.open_browser().await
    }

    /// Opens a new tab, launching Chromium first when no browser is attached.
    pub async fn open_browser(&mut self) -> Result<Session, ActionError> {
        let browser = match &self.browser {
            Some(b) => b.clone(),
            None => {
                let b = Arc::new(Browser::launch(self.browser_options.clone()).await?);
                self.browser = Some(b.clone());
                b
            }
        };
        let session = browser.new_session().await?;
        self.session = Some(session.clone());
        self.traceparent_sent = None;
        self.send_traceparent().await;
        if let Some(capture) = self.har.as_mut() {
            capture.close().await;
            if capture.browser.is_none() {
                capture.browser = browser.version().await.ok();
            }
            capture.recorder = Some(HarRecorder::attach(&session, capture.content).await?);
        }
        Ok(session)
    }

    /// Starts recording the network of every session from now on as HAR (bodies with
    /// `content`).
    pub fn record_har(&mut self, content: bool) {
        self.har = Some(HarCapture {
            content,
            ..HarCapture::default()
        });
    }

    /// Ends the HAR recording and returns what it captured (`None` when not recording).
    pub async fn take_har(&mut self) -> Option<webrunner_har::writer::Har> {
        let mut capture = self.har.take()?;
        capture.close().await;
        Some(capture.done.unwrap_or_else(|| webrunner_har::writer::Har {
            log: webrunner_har::writer::Log::new(webrunner_har::writer::Creator::new(
                "webrunner",
                env!("CARGO_PKG_VERSION"),
            )),
        }))
    }

    /// Gives the open session's requests the current `traceparent` (or none), when it changed.
    pub(crate) async fn send_traceparent(&mut self) {
        if self.traceparent == self.traceparent_sent {
            return;
        }
        let Some(session) = self.session.clone() else {
            return;
        };
        let headers = match &self.traceparent {
            Some(tp) => serde_json::json!({ "traceparent": tp }),
            None => serde_json::json!({}),
        };
        if self.traceparent_sent.is_none() {
            let _ = session.cdp("Network.enable", serde_json::json!({})).await;
        }
        let sent = session
            .cdp(
                "Network.setExtraHTTPHeaders",
                serde_json::json!({ "headers": headers }),
            )
            .await;
        if sent.is_ok() {
            self.traceparent_sent = self.traceparent.clone();
        }
    }

    /// Closes the tab, and Chromium when no one else shares it.
    pub async fn close_browser(&mut self) {
        self.element = None;
        if let Some(capture) = self.har.as_mut() {
            capture.close().await;
        }
        if let Some(s) = self.session.take() {
            let _ = s.close().await;
        }
        if let Some(b) = self.browser.take() {
            if let Ok(b) = Arc::try_unwrap(b) {
                b.close().await;
            }
        }
    }

    /// The element a command means: the call's locator when it has one (which also becomes
    /// the current element), else the one found last. Waits up to the implicit wait.
    pub async fn element(&mut self, call: &super::Call) -> Result<Element, ActionError> {
        let locator = match locator_of(call)? {
            Some(l) => {
                self.element = Some(l.clone());
                l
            }
            None => self.element.clone().ok_or_else(|| {
                ActionError::BadArgument(format!(
                    "{}: no element given (css, xpath, id or by_text) and none found before with WR_find_element",
                    call.command
                ))
            })?,
        };
        let session = self.session().await?;
        let element = Element::new(session, locator);
        if !self.settings.implicit_wait.is_zero() {
            element
                .wait_for("present", self.settings.implicit_wait)
                .await?;
        }
        Ok(element)
    }

    /// Records of the run so far.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Adds a sink that observes every following action.
    pub fn add_observer(&mut self, observer: Arc<dyn RunObserver>) {
        self.observers.push(observer);
    }

    /// Shared state that commands keep between calls (for instance a running dashboard).
    pub fn extensions(&mut self) -> &mut anymap::Extensions {
        &mut self.extensions
    }

    /// Sets the failure screenshot folder, creating it.
    pub fn set_failure_screenshot_dir(&mut self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        self.settings.screenshot_dir = Some(dir.to_path_buf());
        Ok(())
    }

    /// Sets the retry policy; negative values clamp to 0.
    pub fn set_retry_policy(&mut self, retries: f64, backoff: f64) {
        self.settings.retries = if retries.is_finite() && retries > 0.0 {
            retries.min(f64::from(u32::MAX)) as u32
        } else {
            0
        };
        self.settings.backoff = if backoff.is_finite() && backoff > 0.0 {
            backoff
        } else {
            0.0
        };
    }
}

/// The locator given in a call: one of the kwargs `css`, `xpath`, `id`, `by_text`, or `by` +
/// `value` (also as the first two args when the first names a strategy).
pub fn locator_of(call: &super::Call) -> Result<Option<Locator>, ActionError> {
    for (key, by) in [
        ("css", "css"),
        ("xpath", "xpath"),
        ("id", "id"),
        ("by_text", "text"),
    ] {
        if let Some(v) = call.kwargs.get(key) {
            let value = v.as_str().ok_or_else(|| {
                ActionError::BadArgument(format!(
                    "{}: locator `{key}` must be a string",
                    call.command
                ))
            })?;
            return Ok(Some(Locator::new(by, value)?));
        }
    }
    if let (Some(by), Some(value)) = (call.kwargs.get("by"), call.kwargs.get("value")) {
        if let (Some(by), Some(value)) = (by.as_str(), value.as_str()) {
            return Ok(Some(Locator::new(by, value)?));
        }
    }
    if let (Some(by), Some(value)) = (
        call.args.first().and_then(|v| v.as_str()),
        call.args.get(1).and_then(|v| v.as_str()),
    ) {
        if let Ok(l) = Locator::new(by, value) {
            return Ok(Some(l));
        }
    }
    Ok(None)
}

/// A small type map for state that commands keep in the context.
pub mod anymap {
    use std::any::{Any, TypeId};
    use std::collections::HashMap;

    /// Values keyed by their type.
    #[derive(Default)]
    pub struct Extensions {
        map: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    }

    impl Extensions {
        /// Stores `value`, returning the previous value of its type.
        pub fn insert<T: Any + Send + Sync>(&mut self, value: T) -> Option<T> {
            self.map
                .insert(TypeId::of::<T>(), Box::new(value))
                .and_then(|b| b.downcast().ok().map(|b| *b))
        }

        /// Takes the value of type `T` out.
        pub fn remove<T: Any + Send + Sync>(&mut self) -> Option<T> {
            self.map
                .remove(&TypeId::of::<T>())
                .and_then(|b| b.downcast().ok().map(|b| *b))
        }

        /// The value of type `T`.
        pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
            self.map
                .get(&TypeId::of::<T>())
                .and_then(|b| b.downcast_ref())
        }
    }
}

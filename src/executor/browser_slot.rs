//! The browser side of a run: the Chromium process (launched on first use, or shared), the
//! open session (one tab in its own browser context), the network recording of every session
//! (HAR) and the `traceparent` header the page's requests carry. Commands reach it only
//! through [`Context::session`](super::Context::session); the run loop uses the rest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use webrunner_record::{CspViolation, Evidence};

use crate::browser::{Browser, BrowserError, BrowserOptions, DialogPolicy, Session, WindowInfo};

/// What a run's HAR recording captured so far: the recordings of the sessions that closed,
/// shared with whoever writes `run.har` (the HAR sink).
pub type SharedHar = Arc<Mutex<Option<webrunner_har::writer::Har>>>;

/// A run's HAR recording: what the sessions that closed captured.
#[derive(Debug, Default)]
struct HarCapture {
    content: bool,
    done: SharedHar,
    browser: Option<String>,
}

impl HarCapture {
    /// Folds the recordings of `sessions` (a closing session's tabs, the first tab first)
    /// into what is done.
    async fn close(&mut self, sessions: Vec<Session>) {
        for session in sessions {
            let har = session.har(self.browser.clone()).await;
            let Ok(mut done) = self.done.lock() else {
                return;
            };
            match done.as_mut() {
                None => *done = Some(har),
                Some(done) => {
                    done.log.pages.extend(har.log.pages);
                    done.log.entries.extend(har.log.entries);
                }
            }
        }
    }
}

/// See the module documentation.
#[derive(Default)]
pub(crate) struct BrowserSlot {
    browser: Option<Arc<Browser>>,
    /// The current session: the tab commands act on.
    session: Option<Session>,
    /// The session that opened the browser context (its first tab); closing it closes all.
    root: Option<Session>,
    /// Sessions of the other tabs switched to, by handle.
    tabs: HashMap<String, Session>,
    /// The dialog policy every session of the slot gets.
    dialog_policy: DialogPolicy,
    har: Option<HarCapture>,
    /// The `traceparent` the page's requests carry during the current action.
    traceparent: Option<String>,
    /// The `traceparent` the open session was last given.
    traceparent_sent: Option<String>,
    /// The action running and when it started (ms since the Unix epoch), which what the
    /// tabs say and fetch is tied to.
    action: Option<(usize, f64)>,
}

impl BrowserSlot {
    /// Shares an already running browser; this slot never closes it.
    pub(crate) fn use_browser(&mut self, browser: Arc<Browser>) {
        self.browser = Some(browser);
    }

    /// The open session, if any.
    pub(crate) fn open_session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Why the open session can no longer be used (it crashed, hung, or its browser died).
    pub(crate) fn fatal(&self) -> Option<BrowserError> {
        self.session.as_ref().and_then(Session::fatal)
    }

    /// The open session, or a new one (launching Chromium when none is running).
    pub(crate) async fn session(
        &mut self,
        options: &BrowserOptions,
    ) -> Result<Session, BrowserError> {
        if let Some(s) = &self.session {
            return match s.fatal() {
                Some(e) => Err(e),
                None => Ok(s.clone()),
            };
        }
        self.open(options).await
    }

    /// Opens a new session (a tab in a fresh browser context), launching Chromium first when
    /// none is running or the one we had died.
    pub(crate) async fn open(&mut self, options: &BrowserOptions) -> Result<Session, BrowserError> {
        self.close_session().await;
        if self.browser.as_ref().is_some_and(|b| !b.is_alive()) {
            self.browser = None;
        }
        let browser = match &self.browser {
            Some(b) => b.clone(),
            None => {
                let b = Arc::new(Browser::launch(options.clone()).await?);
                self.browser = Some(b.clone());
                b
            }
        };
        let session = browser.new_session().await?;
        self.adopt(&session);
        self.session = Some(session.clone());
        self.root = Some(session.clone());
        self.traceparent_sent = None;
        self.send_traceparent().await;
        if let Some(capture) = self.har.as_mut() {
            if capture.browser.is_none() {
                capture.browser = browser.version().await.ok();
            }
        }
        Ok(session)
    }

    /// Starts recording the network of every session from now on as HAR; what closed
    /// sessions captured is in the returned handle.
    pub(crate) fn record_har(&mut self, content: bool) -> SharedHar {
        let capture = HarCapture {
            content,
            ..HarCapture::default()
        };
        let done = capture.done.clone();
        self.har = Some(capture);
        done
    }

    /// Ends the HAR recording and returns what it captured, the open session's tabs included
    /// (`None` when not recording).
    pub(crate) async fn take_har(&mut self) -> Option<webrunner_har::writer::Har> {
        let mut capture = self.har.take()?;
        capture.close(self.tab_sessions().cloned().collect()).await;
        let done = capture.done.lock().ok().and_then(|mut d| d.take());
        Some(done.unwrap_or_else(empty_har))
    }

    /// Gives a new session of this slot the dialog policy, the running action and the HAR
    /// recording.
    fn adopt(&self, session: &Session) {
        session.set_dialog_policy(self.dialog_policy);
        if let Some((index, started_ms)) = self.action {
            session.set_action(index, started_ms);
        }
        if let Some(capture) = &self.har {
            session.record_har(capture.content);
        }
    }

    /// Ties what every tab says and fetches from now on to action `index`.
    pub(crate) fn set_action(&mut self, index: usize) {
        let started_ms = crate::browser::now_ms();
        self.action = Some((index, started_ms));
        for s in self.tab_sessions() {
            s.set_action(index, started_ms);
        }
    }

    /// Takes in what the current tab reported (see [`Session::flush_events`]): up to the
    /// browser's last answer, or with `ping` up to now.
    pub(crate) async fn flush(&self, ping: bool) {
        if let Some(s) = self.session.as_ref().filter(|s| s.fatal().is_none()) {
            s.flush_events(ping).await;
        }
    }

    /// Everything the open session's tabs said and fetched while action `index` ran, as far
    /// as taken in (the first tab's items first).
    pub(crate) fn evidence_of(&self, index: usize) -> Evidence {
        self.gather(|s| s.evidence_of(index))
    }

    /// Everything the open session's tabs said and fetched since it opened, as far as taken
    /// in.
    pub(crate) fn evidence(&self) -> Evidence {
        self.gather(Session::evidence)
    }

    /// The evidence `of` each tab gives, the first tab's first.
    fn gather(&self, of: impl Fn(&Session) -> Evidence) -> Evidence {
        let mut out = Evidence::default();
        for e in self.tab_sessions().map(of) {
            out.console.extend(e.console);
            out.network.extend(e.network);
        }
        out
    }

    /// The sessions of the open tabs, the first tab first.
    pub(crate) fn tab_sessions(&self) -> impl Iterator<Item = &Session> {
        self.root.iter().chain(self.tabs.values())
    }

    /// The Content-Security-Policy violations of the open session's tabs while action
    /// `index` ran, as far as taken in.
    pub(crate) fn csp_of(&self, index: usize) -> Vec<CspViolation> {
        self.tab_sessions().flat_map(|s| s.csp_of(index)).collect()
    }

    /// Sets the `traceparent` of the current action and gives it to the open session.
    pub(crate) async fn set_traceparent(&mut self, traceparent: Option<String>) {
        self.traceparent = traceparent;
        self.send_traceparent().await;
    }

    /// Gives the open session's requests the current `traceparent` (or none), when it changed.
    async fn send_traceparent(&mut self) {
        if self.traceparent == self.traceparent_sent {
            return;
        }
        let Some(session) = self.session.clone() else {
            return;
        };
        if self.traceparent_sent.is_none() {
            let _ = session.cdp("Network.enable", serde_json::json!({})).await;
        }
        let sent = session.set_traceparent(self.traceparent.as_deref()).await;
        if sent.is_ok() {
            self.traceparent_sent = self.traceparent.clone();
        }
    }

    /// Closes the open session (every tab and the browser context); the browser stays up.
    pub(crate) async fn close_session(&mut self) {
        let sessions = self.tab_sessions().cloned().collect();
        if let Some(capture) = self.har.as_mut() {
            capture.close(sessions).await;
        }
        self.close_sessions().await;
        self.traceparent_sent = None;
    }

    /// Closes the sessions of every tab, the root last (which disposes the context).
    async fn close_sessions(&mut self) {
        self.session = None;
        for (_, tab) in self.tabs.drain() {
            let _ = tab.close().await;
        }
        if let Some(root) = self.root.take() {
            let _ = root.close().await;
        }
    }

    /// Sets the dialog policy of the current session and of every session opened later (the
    /// executor sets it before each action).
    pub(crate) fn set_dialog_policy(&mut self, policy: DialogPolicy) {
        self.dialog_policy = policy;
        if let Some(s) = &self.session {
            s.set_dialog_policy(policy);
        }
    }

    /// The session of tab `handle`, kept for later switches.
    async fn tab(&mut self, handle: &str) -> Result<Session, BrowserError> {
        let root = self
            .root
            .clone()
            .ok_or_else(|| BrowserError::NoSuchWindow(format!("{handle:?}: no browser is open")))?;
        if handle == root.current_window_handle() {
            return Ok(root);
        }
        if let Some(s) = self.tabs.get(handle).filter(|s| s.fatal().is_none()) {
            return Ok(s.clone());
        }
        // The tab's traffic from now on (what it loaded before is not seen).
        let session = root.for_handle(handle).await?;
        self.adopt(&session);
        self.tabs.insert(handle.to_string(), session.clone());
        Ok(session)
    }

    /// Makes tab or window `handle` the current session.
    pub(crate) async fn switch_to_window(&mut self, handle: &str) -> Result<Session, BrowserError> {
        let session = self.tab(handle).await?;
        self.session = Some(session.clone());
        self.traceparent_sent = None;
        self.send_traceparent().await;
        Ok(session)
    }

    /// Switches to the first tab (oldest first) whose title `pattern` matches (see
    /// [`matches`]).
    pub(crate) async fn switch_to_window_by_title(
        &mut self,
        pattern: &str,
    ) -> Result<Session, BrowserError> {
        self.switch_matching("title", pattern, |w| &w.title).await
    }

    /// Switches to the first tab (oldest first) whose URL `pattern` matches (see
    /// [`matches`]).
    pub(crate) async fn switch_to_window_by_url(
        &mut self,
        pattern: &str,
    ) -> Result<Session, BrowserError> {
        self.switch_matching("URL", pattern, |w| &w.url).await
    }

    async fn switch_matching(
        &mut self,
        what: &str,
        pattern: &str,
        field: fn(&WindowInfo) -> &String,
    ) -> Result<Session, BrowserError> {
        let windows = self.windows().await?;
        match windows.iter().find(|w| matches(pattern, field(w))) {
            Some(w) => self.switch_to_window(&w.handle.clone()).await,
            None => {
                let seen: Vec<String> = windows.iter().map(|w| format!("{:?}", field(w))).collect();
                Err(BrowserError::NoSuchWindow(format!(
                    "no window's {what} matches {pattern:?}; open windows' {what}s: {}",
                    seen.join(", ")
                )))
            }
        }
    }

    /// The open tabs and windows, oldest first.
    pub(crate) async fn windows(&self) -> Result<Vec<WindowInfo>, BrowserError> {
        match &self.root {
            Some(root) => root.windows().await,
            None => Ok(Vec::new()),
        }
    }

    /// Closes the current tab and makes the oldest remaining one current; returns the
    /// handles left. Closing the last tab closes the session.
    pub(crate) async fn close_window(&mut self) -> Result<Vec<String>, BrowserError> {
        let Some(current) = self.session.clone() else {
            return Ok(Vec::new());
        };
        let handle = current.current_window_handle();
        let is_root = self
            .root
            .as_ref()
            .is_some_and(|r| r.current_window_handle() == handle);
        let left: Vec<String> = self
            .windows()
            .await?
            .into_iter()
            .map(|w| w.handle)
            .filter(|h| *h != handle)
            .collect();
        if left.is_empty() {
            self.close_session().await;
            return Ok(left);
        }
        current.close_window().await?;
        self.tabs.remove(&handle);
        // The browser lists a closed tab for a moment longer; wait until it does not, so
        // the next look at the windows sees what is open.
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_secs(2) {
            match self.windows().await {
                Ok(now) if now.iter().any(|w| w.handle == handle) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                _ => break,
            }
        }
        if is_root {
            // The context stays with the closed root session until the slot closes it.
            self.session = None;
        }
        self.switch_to_window(&left[0]).await?;
        Ok(left)
    }

    /// Closes the session, and Chromium when no one else shares it.
    pub(crate) async fn close(&mut self) {
        self.close_session().await;
        if let Some(b) = self.browser.take() {
            if let Ok(b) = Arc::try_unwrap(b) {
                b.close().await;
            }
        }
    }
}

/// Whether `text` matches `pattern`: it contains the pattern, or else the pattern is a
/// regular expression found in it.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    text.contains(pattern) || regex::Regex::new(pattern).is_ok_and(|r| r.is_match(text))
}

/// A HAR with no page and no entry, as webrunner writes it.
pub(crate) fn empty_har() -> webrunner_har::writer::Har {
    webrunner_har::writer::Har {
        log: webrunner_har::writer::Log::new(webrunner_har::writer::Creator::new(
            "webrunner",
            env!("CARGO_PKG_VERSION"),
        )),
    }
}

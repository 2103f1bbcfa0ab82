//! How a browser or a tab is known to be unusable: a once-set fatal error shared by every
//! clone, the watchers that set it (tab crash, hang), and the guard every page call runs in
//! so that a dead or hung page fails the call at once instead of after a long time-out.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::browser::{BrowserContextId, GetVersionParams};
use chromiumoxide::cdp::browser_protocol::inspector::EventTargetCrashed as InspectorCrashed;
use chromiumoxide::cdp::browser_protocol::page::{
    EventFrameNavigated, EventFrameStartedLoading, EventFrameStoppedLoading,
};
use chromiumoxide::cdp::browser_protocol::target::{
    CloseTargetParams, DisposeBrowserContextParams, EventTargetCrashed as TargetCrashed,
    EventTargetCreated as TargetCreated, TargetId,
};
use futures::StreamExt;
use serde_json::json;
use tokio::sync::watch;

use super::cdp::RawCommand;
use super::chromium::Core;
use super::dialogs::Dialogs;
use super::events::PageEvents;
use super::frames::Frames;
use super::navigation::Lifecycle;
use super::page_settings::Headers;
use super::{dialogs, events, frames, navigation, BrowserError};

/// How long a call may go unanswered before the page is probed.
const PROBE_AFTER: Duration = Duration::from_secs(2);
/// How long a probe may go unanswered before the page counts as hung, unless changed.
pub(super) const UNRESPONSIVE_AFTER: Duration = Duration::from_secs(5);
/// The longest any single call may take, however responsive the page is.
pub(super) const CALL_LIMIT: Duration = Duration::from_secs(30);
/// How long each step of closing a tab may take.
const CLOSE_STEP_LIMIT: Duration = Duration::from_secs(3);

/// An error that, once set, stays: every clone sees it and every waiter wakes.
#[derive(Debug)]
pub(super) struct FatalCell {
    tx: watch::Sender<Option<BrowserError>>,
}

impl FatalCell {
    pub(super) fn new() -> FatalCell {
        FatalCell {
            tx: watch::channel(None).0,
        }
    }

    /// Sets the error unless one is set already; true when this call set it.
    pub(super) fn set(&self, error: BrowserError) -> bool {
        self.tx.send_if_modified(|slot| {
            if slot.is_some() {
                return false;
            }
            *slot = Some(error);
            true
        })
    }

    /// The error, once set.
    pub(super) fn get(&self) -> Option<BrowserError> {
        self.tx.borrow().clone()
    }

    /// Waits until the error is set and returns it.
    pub(super) async fn wait(&self) -> BrowserError {
        let mut rx = self.tx.subscribe();
        let set = rx
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|v| v.clone());
        match set {
            Some(e) => e,
            // The sender lives as long as `self`, so this is never reached.
            None => std::future::pending().await,
        }
    }
}

/// Whether the main frame is navigating (started, not yet committed or stopped), and how
/// often that changed.
#[derive(Debug, Default)]
struct Navigation {
    in_flight: AtomicBool,
    changes: AtomicU64,
}

impl Navigation {
    fn set(&self, in_flight: bool) {
        self.in_flight.store(in_flight, Ordering::SeqCst);
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    fn in_flight(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst)
    }

    fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }
}

/// What every clone of a session shares.
#[derive(Debug)]
pub(super) struct SessionState {
    pub(super) page: chromiumoxide::Page,
    pub(super) core: Arc<Core>,
    /// The browser context the tab lives in.
    pub(super) context: Option<BrowserContextId>,
    /// Whether closing this session disposes the context (the session that created it).
    owns_context: bool,
    /// The handles of the context's tabs in the order they opened, shared by the sessions
    /// of the context.
    pub(super) window_order: Arc<std::sync::Mutex<Vec<String>>>,
    pub(super) target: TargetId,
    fatal: Arc<FatalCell>,
    unresponsive_after_ms: AtomicU64,
    pub(super) dialogs: Arc<Dialogs>,
    pub(super) lifecycle: Arc<Lifecycle>,
    pub(super) frames: Arc<Frames>,
    pub(super) events: Arc<PageEvents>,
    pub(super) headers: std::sync::Mutex<Headers>,
    navigation: Arc<Navigation>,
    closed: AtomicBool,
    watchers: Vec<tokio::task::JoinHandle<()>>,
}

impl SessionState {
    /// Wraps a tab (in browser `context`) and starts watching it for crashes, dialogs,
    /// navigations, frames, console messages and responses. Without `window_order` (that of
    /// the session owning the context) the session owns the context: closing it disposes the
    /// context, and it follows the tabs opening in it.
    pub(super) async fn start(
        core: Arc<Core>,
        page: chromiumoxide::Page,
        context: Option<BrowserContextId>,
        window_order: Option<Arc<std::sync::Mutex<Vec<String>>>>,
    ) -> Result<SessionState, BrowserError> {
        let target = page.target_id().clone();
        let owns_context = window_order.is_none();
        let window_order = window_order
            .unwrap_or_else(|| Arc::new(std::sync::Mutex::new(vec![target.inner().clone()])));
        let fatal = Arc::new(FatalCell::new());
        let navigation = Arc::new(Navigation::default());
        let mut state = SessionState {
            page,
            core,
            context,
            owns_context,
            window_order,
            target,
            fatal,
            unresponsive_after_ms: AtomicU64::new(UNRESPONSIVE_AFTER.as_millis() as u64),
            dialogs: Arc::new(Dialogs::new()),
            lifecycle: Arc::new(Lifecycle::new()),
            frames: Arc::new(Frames::new()),
            events: Arc::new(PageEvents::default()),
            headers: std::sync::Mutex::new(Headers::default()),
            navigation,
            closed: AtomicBool::new(false),
            watchers: Vec::new(),
        };
        if let Err(e) = state.watch().await {
            state.close().await.ok();
            return Err(e);
        }
        Ok(state)
    }

    /// Starts the tasks that notice a crash of this tab, JavaScript dialogs and navigations.
    async fn watch(&mut self) -> Result<(), BrowserError> {
        let mut page_crash = self.page.event_listener::<InspectorCrashed>().await?;
        let mut target_crash = self.core.cdp.event_listener::<TargetCrashed>().await?;
        let fatal = self.fatal.clone();
        let target = self.target.clone();
        self.watchers.push(tokio::spawn(async move {
            let status = tokio::select! {
                Some(_) = page_crash.next() => "its renderer process died".to_string(),
                Some(status) = async {
                    while let Some(e) = target_crash.next().await {
                        if e.target_id == target {
                            return Some(e.status.clone());
                        }
                    }
                    None
                } => format!("its renderer process died ({status})"),
                else => return,
            };
            fatal.set(BrowserError::TabCrashed(status));
        }));
        self.watchers
            .push(dialogs::watch(&self.page, self.dialogs.clone()).await?);
        self.watchers
            .push(events::watch(&self.page, self.events.clone()).await?);
        self.watchers
            .push(frames::watch(&self.page, self.frames.clone()).await?);
        let main = self.target.inner().clone();
        self.watchers
            .push(navigation::watch(&self.page, main, self.lifecycle.clone()).await?);
        if self.owns_context {
            let order = self.window_order.clone();
            let context = self.context.clone();
            let mut created = self.core.cdp.event_listener::<TargetCreated>().await?;
            self.watchers.push(tokio::spawn(async move {
                while let Some(e) = created.next().await {
                    let info = &e.target_info;
                    if info.r#type == "page" && info.browser_context_id == context {
                        if let Ok(mut order) = order.lock() {
                            order.push(info.target_id.inner().clone());
                        }
                    }
                }
            }));
        }
        let mut started = self
            .page
            .event_listener::<EventFrameStartedLoading>()
            .await?;
        let mut committed = self.page.event_listener::<EventFrameNavigated>().await?;
        let mut stopped = self
            .page
            .event_listener::<EventFrameStoppedLoading>()
            .await?;
        let navigation = self.navigation.clone();
        // A page target's main frame has the target's id.
        let main = self.target.inner().clone();
        self.watchers.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    Some(e) = started.next() => if *e.frame_id.inner() == main {
                        navigation.set(true);
                    },
                    Some(e) = committed.next() => if e.frame.parent_id.is_none() {
                        navigation.set(false);
                    },
                    Some(e) = stopped.next() => if *e.frame_id.inner() == main {
                        navigation.set(false);
                    },
                    else => return,
                }
            }
        }));
        // Chromium reports a renderer crash on the page's own session only with this on.
        self.guard(async {
            self.page
                .execute(RawCommand::new("Inspector.enable", json!({})))
                .await
                .map_err(|e| BrowserError::Cdp(format!("Inspector.enable: {e}")))
        })
        .await?;
        Ok(())
    }

    /// Why this session cannot be used any more: its own fatal error, else the browser's.
    pub(super) fn fatal(&self) -> Option<BrowserError> {
        self.fatal.get().or_else(|| self.core.closed.get())
    }

    async fn wait_fatal(&self) -> BrowserError {
        tokio::select! {
            e = self.fatal.wait() => e,
            e = self.core.closed.wait() => e,
        }
    }

    pub(super) fn unresponsive_after(&self) -> Duration {
        Duration::from_millis(self.unresponsive_after_ms.load(Ordering::SeqCst))
    }

    pub(super) fn set_unresponsive_after(&self, limit: Duration) {
        let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX).max(1);
        self.unresponsive_after_ms.store(ms, Ordering::SeqCst);
    }

    /// Runs one page call: fails at once when the session is (or becomes) unusable, marks
    /// the session unresponsive when the call stalls and a probe of the page does not
    /// answer in time, and gives up after [`CALL_LIMIT`].
    pub(super) async fn guard<T>(
        &self,
        call: impl Future<Output = Result<T, BrowserError>>,
    ) -> Result<T, BrowserError> {
        self.guard_with(call, true).await
    }

    /// [`SessionState::guard`]; with `dialog_blocks`, the call also ends with
    /// [`BrowserError::DialogOpened`] once a dialog kept open holds it up.
    pub(super) async fn guard_with<T>(
        &self,
        call: impl Future<Output = Result<T, BrowserError>>,
        dialog_blocks: bool,
    ) -> Result<T, BrowserError> {
        if let Some(e) = self.fatal() {
            return Err(e);
        }
        let started = Instant::now();
        let blocked = async {
            if dialog_blocks {
                self.dialogs.blocking().await
            } else {
                std::future::pending().await
            }
        };
        let outcome = tokio::select! {
            biased;
            e = self.wait_fatal() => return Err(e),
            e = blocked => return Err(e),
            r = self.watch_call(started, call) => r,
        };
        match outcome {
            Ok(v) => Ok(v),
            // A call that failed because the tab or browser died says so.
            Err(e) => Err(self.fatal().unwrap_or(e)),
        }
    }

    /// Waits for `call`, probing the page whenever it has been quiet for a while.
    async fn watch_call<T>(
        &self,
        started: Instant,
        call: impl Future<Output = Result<T, BrowserError>>,
    ) -> Result<T, BrowserError> {
        tokio::pin!(call);
        let limit = self.unresponsive_after();
        let mut quiet = PROBE_AFTER.min(limit);
        loop {
            // One timer per wait: the quiet spell, cut at what is left of the call's limit.
            let left = CALL_LIMIT.saturating_sub(started.elapsed());
            if let Ok(r) = tokio::time::timeout(quiet.min(left), &mut call).await {
                return r;
            }
            if started.elapsed() >= CALL_LIMIT {
                return Err(BrowserError::Timeout {
                    what: "the browser to answer".into(),
                    seconds: CALL_LIMIT.as_secs_f64(),
                });
            }
            quiet = PROBE_AFTER;
            let navigations = self.navigation.changes();
            // Any answer, even an error (no document yet), shows the main thread is free.
            let probe = self.page.execute(RawCommand::new(
                "Runtime.evaluate",
                json!({ "expression": "1" }),
            ));
            // The browser itself is asked too, so that a hung Chromium is not blamed on
            // the page.
            let ping = self.core.cdp.execute(GetVersionParams::default());
            let probes = async {
                tokio::join!(
                    tokio::time::timeout(limit, probe),
                    tokio::time::timeout(limit, ping)
                )
            };
            tokio::select! {
                r = &mut call => return r,
                (page, browser) = probes => {
                    if browser.is_err() {
                        self.core.closed.set(BrowserError::BrowserClosed(format!(
                            "Chromium stopped answering for {:.1} s",
                            limit.as_secs_f64()
                        )));
                        return Err(self.fatal().unwrap_or(BrowserError::BrowserClosed(
                            "Chromium stopped answering".into(),
                        )));
                    }
                    // A JavaScript dialog blocks the page on purpose: waiting, not hung.
                    // While a navigation is on its way to commit, Chromium holds back
                    // every message for the page, the probe too: no sign of a hang either.
                    if page.is_ok()
                        || self.dialogs.is_open()
                        || self.navigation.in_flight()
                        || self.navigation.changes() != navigations
                    {
                        continue;
                    }
                }
            }
            let error = BrowserError::Unresponsive {
                seconds: started.elapsed().as_secs_f64(),
            };
            if self.fatal.set(error.clone()) {
                self.stop_script();
            }
            return Err(self.fatal().unwrap_or(error));
        }
    }

    /// Asks V8 to end the running script, so a hung tab stops burning a CPU; Chromium
    /// handles this request even while the page's main thread is busy.
    fn stop_script(&self) {
        let page = self.page.clone();
        tokio::spawn(async move {
            let stop = page.execute(RawCommand::new("Runtime.terminateExecution", json!({})));
            let _ = tokio::time::timeout(CLOSE_STEP_LIMIT, stop).await;
        });
    }

    /// Closes the tab and disposes its browser context through the browser's own
    /// connection, which works when the tab has crashed or hangs. Does nothing twice.
    pub(super) async fn close(&self) -> Result<(), BrowserError> {
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        for task in &self.watchers {
            task.abort();
        }
        if self.core.closed.get().is_some() {
            return Ok(());
        }
        let context = self.context.clone().filter(|_| self.owns_context);
        dispose(self.core.clone(), self.target.clone(), context).await
    }

    /// Closes the tab only, leaving its browser context to the session that owns it. The
    /// owner stays open for [`SessionState::close`], which disposes the context.
    pub(super) async fn close_tab(&self) -> Result<(), BrowserError> {
        if self.owns_context {
            if self.closed.load(Ordering::SeqCst) {
                return Ok(());
            }
        } else if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        for task in &self.watchers {
            task.abort();
        }
        if self.core.closed.get().is_some() {
            return Ok(());
        }
        dispose(self.core.clone(), self.target.clone(), None).await
    }
}

impl Drop for SessionState {
    fn drop(&mut self) {
        for task in &self.watchers {
            task.abort();
        }
        // The last clone went away without `close`: close the tab in the background.
        if !self.closed.load(Ordering::SeqCst) && self.core.closed.get().is_none() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                let context = self.context.take().filter(|_| self.owns_context);
                let (core, target) = (self.core.clone(), self.target.clone());
                rt.spawn(async move {
                    let _ = dispose(core, target, context).await;
                });
            }
        }
    }
}

/// Closes `target` and disposes `context`, each step bounded.
async fn dispose(
    core: Arc<Core>,
    target: TargetId,
    context: Option<BrowserContextId>,
) -> Result<(), BrowserError> {
    let bounded = |what: &'static str| {
        move |r: Result<Result<(), BrowserError>, tokio::time::error::Elapsed>| {
            r.unwrap_or_else(|_| {
                Err(BrowserError::Timeout {
                    what: what.into(),
                    seconds: CLOSE_STEP_LIMIT.as_secs_f64(),
                })
            })
        }
    };
    let close = async {
        core.cdp
            .execute(CloseTargetParams::new(target))
            .await
            .map(drop)
            .map_err(|e| BrowserError::Cdp(format!("Target.closeTarget: {e}")))
    };
    let closed = bounded("the tab to close")(tokio::time::timeout(CLOSE_STEP_LIMIT, close).await);
    let Some(context) = context else {
        return closed;
    };
    // Disposing the context closes its pages too, without running their unload handlers.
    let dispose = async {
        core.cdp
            .execute(DisposeBrowserContextParams::new(context))
            .await
            .map(drop)
            .map_err(|e| BrowserError::Cdp(format!("Target.disposeBrowserContext: {e}")))
    };
    let disposed = bounded("the browser context to be disposed")(
        tokio::time::timeout(CLOSE_STEP_LIMIT, dispose).await,
    );
    match core.closed.get() {
        Some(_) => Ok(()),
        None => disposed,
    }
}

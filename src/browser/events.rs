//! What a session's page said and fetched, kept from the moment the session opened: console
//! messages (`console.*` calls, uncaught exceptions with their stack, browser log entries
//! such as failed loads) and network requests (see `network_log`), each tied to the action
//! that was running. One watcher per tab records them; the last [`KEPT`] of each are kept
//! (every request while a HAR is being recorded).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chromiumoxide::cdp::browser_protocol::audits::EventIssueAdded;
use chromiumoxide::cdp::browser_protocol::log::EventEntryAdded;
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
    GetResponseBodyParams,
};
use chromiumoxide::cdp::browser_protocol::page::{EventFrameNavigated, EventLoadEventFired};
use chromiumoxide::cdp::js_protocol::runtime::{
    EvaluateParams, EventBindingCalled, EventConsoleApiCalled, EventExceptionThrown, RemoteObject,
};
use futures::StreamExt;
use serde_json::{json, Value};
use webrunner_record::{ConsoleEntry, Evidence, NetworkEntry};

use super::network_log::NetworkLog;
use super::{BrowserError, Session};

/// How many messages and requests a session keeps (the oldest go first).
pub const KEPT: usize = 10_000;

/// A request to the watcher to take in what the page reported — after a round trip to the
/// page when `true` — and who to tell when done.
type Flush = (bool, tokio::sync::oneshot::Sender<()>);

/// A session's records, shared with its watcher.
#[derive(Debug)]
pub(super) struct PageEvents {
    console: Mutex<VecDeque<ConsoleEntry>>,
    pub(super) network: Mutex<NetworkLog>,
    /// When each action started (milliseconds since the Unix epoch) with its index, in
    /// order: an item belongs to the last action that started at or before its time.
    actions: Mutex<Vec<(f64, usize)>>,
    /// A HAR is being recorded: keep every request.
    keep_all: AtomicBool,
    /// A HAR with response bodies is being recorded.
    bodies: AtomicBool,
    /// Asks the watcher to take in everything the browser reported so far.
    flush: Mutex<Option<tokio::sync::mpsc::UnboundedSender<Flush>>>,
    /// Content-Security-Policy violations, once collecting (`csp`).
    pub(super) csp: Mutex<super::csp::CspLog>,
}

impl Default for PageEvents {
    fn default() -> Self {
        PageEvents {
            console: Mutex::default(),
            network: Mutex::default(),
            actions: Mutex::default(),
            keep_all: AtomicBool::new(false),
            bodies: AtomicBool::new(false),
            flush: Mutex::default(),
            csp: Mutex::default(),
        }
    }
}

impl PageEvents {
    /// The action running at `time` (milliseconds since the Unix epoch): the browser's own
    /// time of an item, so an item reported late still goes to the action it happened in.
    pub(super) fn action_at(&self, time: f64) -> Option<usize> {
        let actions = self.actions.lock().ok()?;
        let after = actions.partition_point(|(start, _)| *start <= time);
        match after {
            0 => None,
            n => Some(actions[n - 1].1),
        }
    }

    pub(super) fn record_har(&self, bodies: bool) {
        self.keep_all.store(true, Ordering::Relaxed);
        self.bodies.store(bodies, Ordering::Relaxed);
    }

    fn keep(&self) -> usize {
        if self.keep_all.load(Ordering::Relaxed) {
            usize::MAX
        } else {
            KEPT
        }
    }

    fn push_console(&self, mut item: ConsoleEntry) {
        item.action = self.action_at(item.timestamp_ms);
        if let Ok(mut q) = self.console.lock() {
            if q.len() >= KEPT {
                q.pop_front();
            }
            // Each kind of message comes on its own stream: keep them in the browser's order.
            let at = q.len()
                - q.iter()
                    .rev()
                    .take_while(|c| c.timestamp_ms > item.timestamp_ms)
                    .count();
            q.insert(at, item);
        }
    }
}

/// A console argument as text: primitives by value, objects by their description.
fn arg_text(o: &RemoteObject) -> String {
    match &o.value {
        Some(Value::String(s)) => s.clone(),
        Some(v) if !v.is_null() || o.description.is_none() => v.to_string(),
        _ => o
            .description
            .clone()
            .or_else(|| o.unserializable_value.as_ref().map(|u| u.inner().clone()))
            .unwrap_or_else(|| o.r#type.as_ref().to_string()),
    }
}

fn console_message(e: &EventConsoleApiCalled) -> ConsoleEntry {
    let text = e.args.iter().map(arg_text).collect::<Vec<_>>().join(" ");
    let frame = e.stack_trace.as_ref().and_then(|s| s.call_frames.first());
    ConsoleEntry {
        level: e.r#type.as_ref().to_string(),
        text,
        source: "console".into(),
        url: frame.map(|f| f.url.clone()).filter(|u| !u.is_empty()),
        line: frame.map(|f| f.line_number),
        column: frame.map(|f| f.column_number),
        stack: None,
        timestamp_ms: *e.timestamp.inner(),
        action: None,
    }
}

fn exception_message(e: &EventExceptionThrown) -> ConsoleEntry {
    let d = &e.exception_details;
    let description = d.exception.as_ref().and_then(|x| x.description.clone());
    let text = description
        .as_deref()
        .map(|t| t.lines().next().unwrap_or_default().to_string())
        .unwrap_or_else(|| d.text.clone());
    let stack = description.filter(|t| t.contains('\n')).or_else(|| {
        d.stack_trace.as_ref().map(|s| {
            s.call_frames
                .iter()
                .map(|f| {
                    let name = if f.function_name.is_empty() {
                        "<anonymous>"
                    } else {
                        &f.function_name
                    };
                    format!(
                        "    at {name} ({}:{}:{})",
                        f.url,
                        f.line_number + 1,
                        f.column_number + 1
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
    });
    ConsoleEntry {
        level: "error".into(),
        text,
        source: "exception".into(),
        url: d.url.clone(),
        line: Some(d.line_number),
        column: Some(d.column_number),
        stack,
        timestamp_ms: *e.timestamp.inner(),
        action: None,
    }
}

fn log_message(e: &EventEntryAdded) -> ConsoleEntry {
    let entry = &e.entry;
    ConsoleEntry {
        level: entry.level.as_ref().to_string(),
        text: entry.text.clone(),
        source: "browser".into(),
        url: entry.url.clone(),
        line: entry.line_number,
        column: None,
        stack: None,
        timestamp_ms: *entry.timestamp.inner(),
        action: None,
    }
}

/// Starts recording `page`'s console and network into `events`.
pub(super) async fn watch(
    page: &chromiumoxide::Page,
    events: Arc<PageEvents>,
) -> Result<tokio::task::JoinHandle<()>, BrowserError> {
    let mut console = page.event_listener::<EventConsoleApiCalled>().await?;
    let mut thrown = page.event_listener::<EventExceptionThrown>().await?;
    let mut logged = page.event_listener::<EventEntryAdded>().await?;
    let mut sent = page.event_listener::<EventRequestWillBeSent>().await?;
    let mut received = page.event_listener::<EventResponseReceived>().await?;
    let mut finished = page.event_listener::<EventLoadingFinished>().await?;
    let mut failed = page.event_listener::<EventLoadingFailed>().await?;
    let mut navigated = page.event_listener::<EventFrameNavigated>().await?;
    let mut loaded = page.event_listener::<EventLoadEventFired>().await?;
    let mut csp_page = page.event_listener::<EventBindingCalled>().await?;
    let mut csp_audits = page.event_listener::<EventIssueAdded>().await?;
    let page = page.clone();
    let (flush_tx, mut flushes) = tokio::sync::mpsc::unbounded_channel();
    if let Ok(mut f) = events.flush.lock() {
        *f = Some(flush_tx);
    }
    Ok(tokio::spawn(async move {
        let network = |f: &mut dyn FnMut(&mut NetworkLog)| {
            if let Ok(mut log) = events.network.lock() {
                f(&mut log);
            }
        };
        // Takes one event of any kind: `Some(false)` when every stream ended.
        macro_rules! take {
            ($($stream:ident => $e:ident => $body:expr),* $(,)?) => {
                tokio::select! {
                    $(Some($e) = $stream.next() => { $body; true })*
                    else => false,
                }
            };
        }
        macro_rules! one {
            () => {
                take! {
                    console => e => events.push_console(console_message(&e)),
                    thrown => e => events.push_console(exception_message(&e)),
                    logged => e => events.push_console(log_message(&e)),
                    sent => e => {
                        let action = events.action_at(*e.wall_time.inner() * 1000.0);
                        let keep = events.keep();
                        network(&mut |log| log.on_request(&e, action, keep));
                    },
                    received => e => network(&mut |log| log.on_response(&e)),
                    finished => e => {
                        let mut fetch = false;
                        let bodies = events.bodies.load(Ordering::Relaxed);
                        network(&mut |log| fetch = log.on_finished(&e, bodies));
                        if fetch {
                            fetch_body(&page, &events, e.request_id.inner().clone());
                        }
                    },
                    failed => e => network(&mut |log| log.on_failed(&e)),
                    navigated => e => network(&mut |log| log.on_navigated(&e)),
                    loaded => e => network(&mut |log| log.on_load(&e)),
                    csp_page => e => super::csp::on_binding(&events, &e),
                    csp_audits => e => super::csp::on_issue(&events, &e),
                }
            };
        }
        loop {
            tokio::select! {
                biased;
                Some((ping, done)) = flushes.recv() => {
                    // What the browser reported before its last answer — with `ping`, before the
                    // answer to a round trip to the page — is waiting in the streams: take it
                    // all in before saying done.
                    if ping {
                        let answer = page.execute(EvaluateParams::new("0"));
                        let _ = tokio::time::timeout(FLUSH_LIMIT, answer).await;
                    }
                    while let Some(true) = futures::FutureExt::now_or_never(async { one!() }) {}
                    let _ = done.send(());
                }
                more = async { one!() } => if !more {
                    return;
                },
            }
        }
    }))
}

/// How long a flush waits for the page to answer (a busy page or an open dialog delays it).
const FLUSH_LIMIT: std::time::Duration = std::time::Duration::from_millis(250);

/// Fetches the body of request `id` into the log, beside the watcher.
fn fetch_body(page: &chromiumoxide::Page, events: &Arc<PageEvents>, id: String) {
    let (page, events) = (page.clone(), events.clone());
    tokio::spawn(async move {
        let body = page
            .execute(GetResponseBodyParams::new(id.clone()))
            .await
            .ok()
            .map(|r| json!({ "body": r.result.body, "base64Encoded": r.result.base64_encoded }));
        if let Ok(mut log) = events.network.lock() {
            log.on_body(&id, body);
        }
    });
}

impl Session {
    /// The console messages of this tab since the session opened (the last [`KEPT`]).
    pub fn console_messages(&self) -> Vec<ConsoleEntry> {
        self.state
            .events
            .console
            .lock()
            .map(|q| q.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The requests this tab sent since the session opened (the last [`KEPT`]).
    pub fn network_requests(&self) -> Vec<NetworkEntry> {
        self.state
            .events
            .network
            .lock()
            .map(|log| log.entries())
            .unwrap_or_default()
    }

    /// Ties what the page says and fetches from `started_ms` (milliseconds since the Unix
    /// epoch) on to action `index`, until the next action starts.
    pub fn set_action(&self, index: usize, started_ms: f64) {
        if let Ok(mut actions) = self.state.events.actions.lock() {
            if actions.last().is_some_and(|(t, _)| *t > started_ms) {
                // The clock went back: what follows is this action's all the same.
                actions.clear();
            }
            actions.push((started_ms, index));
        }
    }

    /// Takes in what the browser reported before its last answer to this session, so that
    /// [`Session::evidence_of`] right after holds it; with `ping`, everything the page
    /// reported up to now (a round trip to the page, at most a quarter of a second): what
    /// an action that set the page going needs, as input is answered before the page's
    /// handlers have reported.
    pub async fn flush_events(&self, ping: bool) {
        let sender = self.state.events.flush.lock().ok().and_then(|f| f.clone());
        let Some(sender) = sender else { return };
        let (done, taken) = tokio::sync::oneshot::channel();
        if sender.send((ping, done)).is_ok() {
            let _ = tokio::time::timeout(FLUSH_LIMIT * 2, taken).await;
        }
    }

    /// Everything this tab said and fetched while action `index` ran, so far.
    pub fn evidence_of(&self, index: usize) -> Evidence {
        let console = self
            .state
            .events
            .console
            .lock()
            .map(|q| {
                let mut out: Vec<ConsoleEntry> = q
                    .iter()
                    .rev()
                    .take_while(|c| c.action.is_some_and(|a| a >= index))
                    .filter(|c| c.action == Some(index))
                    .cloned()
                    .collect();
                out.reverse();
                out
            })
            .unwrap_or_default();
        let network = self
            .state
            .events
            .network
            .lock()
            .map(|log| log.entries_of(index))
            .unwrap_or_default();
        Evidence { console, network }
    }

    /// Everything this tab said and fetched since the session opened.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            console: self.console_messages(),
            network: self.network_requests(),
        }
    }
}

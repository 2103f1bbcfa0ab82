//! What a session's page said and fetched, kept from the moment the session opened (the
//! last [`KEPT`] of each): console messages (`console.*` calls, uncaught exceptions and
//! browser log entries such as failed loads) and network responses with their status.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use chromiumoxide::cdp::browser_protocol::log::EventEntryAdded;
use chromiumoxide::cdp::browser_protocol::network::{
    EventRequestWillBeSent, EventResponseReceived,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    EventConsoleApiCalled, EventExceptionThrown, RemoteObject,
};
use futures::StreamExt;
use serde_json::Value;

use super::{BrowserError, Session};

/// How many messages and responses a session keeps (the oldest go first).
pub const KEPT: usize = 10_000;

/// One console message.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConsoleMessage {
    /// `log`, `debug`, `info`, `warning` or `error` (an uncaught exception is an `error`;
    /// other `console` methods keep their CDP name, e.g. `table`, `assert`).
    pub level: String,
    /// The text, arguments joined by spaces.
    pub text: String,
    /// The script or resource it came from, when known.
    pub url: Option<String>,
    /// Its line (0-based, as CDP gives it), when known.
    pub line: Option<i64>,
    /// Its column (0-based), when known.
    pub column: Option<i64>,
    /// When it was logged, in milliseconds since the Unix epoch.
    pub time: f64,
}

/// One response the page received.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NetworkResponse {
    /// The URL it answered.
    pub url: String,
    /// The request's method.
    pub method: String,
    /// The HTTP status.
    pub status: i64,
    /// Its MIME type.
    pub mime_type: String,
    /// When it arrived, in milliseconds since the Unix epoch.
    pub time: f64,
}

/// A session's records, shared with its watcher.
#[derive(Debug, Default)]
pub(super) struct PageEvents {
    console: Mutex<VecDeque<ConsoleMessage>>,
    responses: Mutex<VecDeque<NetworkResponse>>,
}

fn push<T>(queue: &Mutex<VecDeque<T>>, item: T) {
    if let Ok(mut q) = queue.lock() {
        if q.len() >= KEPT {
            q.pop_front();
        }
        q.push_back(item);
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default()
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

fn console_message(e: &EventConsoleApiCalled) -> ConsoleMessage {
    let text = e.args.iter().map(arg_text).collect::<Vec<_>>().join(" ");
    let frame = e.stack_trace.as_ref().and_then(|s| s.call_frames.first());
    ConsoleMessage {
        level: e.r#type.as_ref().to_string(),
        text,
        url: frame.map(|f| f.url.clone()).filter(|u| !u.is_empty()),
        line: frame.map(|f| f.line_number),
        column: frame.map(|f| f.column_number),
        time: *e.timestamp.inner(),
    }
}

fn exception_message(e: &EventExceptionThrown) -> ConsoleMessage {
    let d = &e.exception_details;
    let text = d
        .exception
        .as_ref()
        .and_then(|x| x.description.clone())
        .map(|t| t.lines().next().unwrap_or_default().to_string())
        .unwrap_or_else(|| d.text.clone());
    ConsoleMessage {
        level: "error".into(),
        text,
        url: d.url.clone(),
        line: Some(d.line_number),
        column: Some(d.column_number),
        time: *e.timestamp.inner(),
    }
}

fn log_message(e: &EventEntryAdded) -> ConsoleMessage {
    let entry = &e.entry;
    ConsoleMessage {
        level: entry.level.as_ref().to_string(),
        text: entry.text.clone(),
        url: entry.url.clone(),
        line: entry.line_number,
        column: None,
        time: *entry.timestamp.inner(),
    }
}

/// Starts recording `page`'s console and responses into `events`.
pub(super) async fn watch(
    page: &chromiumoxide::Page,
    events: Arc<PageEvents>,
) -> Result<tokio::task::JoinHandle<()>, BrowserError> {
    let mut console = page.event_listener::<EventConsoleApiCalled>().await?;
    let mut thrown = page.event_listener::<EventExceptionThrown>().await?;
    let mut logged = page.event_listener::<EventEntryAdded>().await?;
    let mut requests = page.event_listener::<EventRequestWillBeSent>().await?;
    let mut responses = page.event_listener::<EventResponseReceived>().await?;
    Ok(tokio::spawn(async move {
        let mut methods: HashMap<String, String> = HashMap::new();
        loop {
            tokio::select! {
                Some(e) = console.next() => push(&events.console, console_message(&e)),
                Some(e) = thrown.next() => push(&events.console, exception_message(&e)),
                Some(e) = logged.next() => push(&events.console, log_message(&e)),
                Some(e) = requests.next() => {
                    if methods.len() >= KEPT {
                        methods.clear();
                    }
                    methods.insert(e.request_id.inner().clone(), e.request.method.clone());
                }
                Some(e) = responses.next() => {
                    let method = methods
                        .remove(e.request_id.inner())
                        .unwrap_or_else(|| "GET".into());
                    push(&events.responses, NetworkResponse {
                        url: e.response.url.clone(),
                        method,
                        status: e.response.status,
                        mime_type: e.response.mime_type.clone(),
                        time: now_ms(),
                    });
                }
                else => return,
            }
        }
    }))
}

impl Session {
    /// The console messages of this tab since the session opened (the last [`KEPT`]).
    pub fn console_messages(&self) -> Vec<ConsoleMessage> {
        self.state
            .events
            .console
            .lock()
            .map(|q| q.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The responses this tab received since the session opened (the last [`KEPT`]).
    pub fn network_responses(&self) -> Vec<NetworkResponse> {
        self.state
            .events
            .responses
            .lock()
            .map(|q| q.iter().cloned().collect())
            .unwrap_or_default()
    }
}

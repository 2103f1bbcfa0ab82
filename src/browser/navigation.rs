//! Navigation and load states: how far a page has come (`commit`, `domcontentloaded`,
//! `load`, `networkidle`) from CDP lifecycle events of the main frame, read together with
//! `document.readyState` (which also keeps the hang detection of every wait going), and
//! errors that say what went wrong in the user's words.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::page::EventLifecycleEvent;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::cdp::doing;
use super::{BrowserError, Session};

/// How long one poll of the document's state may take before the wait looks again.
const POLL_LIMIT: Duration = Duration::from_secs(2);
/// The pause between polls when no lifecycle event arrives.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// How far a navigation must come before the call that started it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum WaitUntil {
    /// The server answered and the new document replaced the old one.
    Commit,
    /// The HTML is parsed (`DOMContentLoaded`).
    DomContentLoaded,
    /// The page and everything it loads finished (`load`).
    #[default]
    Load,
    /// `load`, then no network connection for 500 ms.
    NetworkIdle,
}

impl WaitUntil {
    /// The name users write.
    pub fn name(self) -> &'static str {
        match self {
            WaitUntil::Commit => "commit",
            WaitUntil::DomContentLoaded => "domcontentloaded",
            WaitUntil::Load => "load",
            WaitUntil::NetworkIdle => "networkidle",
        }
    }

    /// Whether the lifecycle events `seen` (CDP names) show this state.
    fn reached_by(self, seen: &[String]) -> bool {
        let has = |name: &str| seen.iter().any(|s| s == name);
        match self {
            WaitUntil::Commit => true,
            WaitUntil::DomContentLoaded => has("DOMContentLoaded"),
            WaitUntil::Load => has("load"),
            WaitUntil::NetworkIdle => has("load") && has("networkIdle"),
        }
    }
}

impl fmt::Display for WaitUntil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WaitUntil {
    type Err = BrowserError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "commit" => Ok(WaitUntil::Commit),
            "domcontentloaded" => Ok(WaitUntil::DomContentLoaded),
            "load" => Ok(WaitUntil::Load),
            "networkidle" => Ok(WaitUntil::NetworkIdle),
            _ => Err(BrowserError::Invalid(format!(
                "unknown load state {s:?}; use commit, domcontentloaded, load or networkidle"
            ))),
        }
    }
}

/// The lifecycle events the main frame's latest document reached.
#[derive(Debug, Clone, Default)]
pub(super) struct LoadState {
    loader: String,
    seen: Vec<String>,
}

/// A session's load state, kept by its watcher.
#[derive(Debug)]
pub(super) struct Lifecycle {
    tx: watch::Sender<LoadState>,
}

impl Lifecycle {
    pub(super) fn new() -> Lifecycle {
        Lifecycle {
            tx: watch::channel(LoadState::default()).0,
        }
    }

    fn loader(&self) -> String {
        self.tx.borrow().loader.clone()
    }
}

/// Starts following the lifecycle events of `page`'s main frame (`main` is its id).
pub(super) async fn watch(
    page: &chromiumoxide::Page,
    main: String,
    lifecycle: Arc<Lifecycle>,
) -> Result<tokio::task::JoinHandle<()>, BrowserError> {
    let mut events = page.event_listener::<EventLifecycleEvent>().await?;
    Ok(tokio::spawn(async move {
        while let Some(e) = events.next().await {
            if *e.frame_id.inner() != main {
                continue;
            }
            lifecycle.tx.send_modify(|s| {
                if s.loader != *e.loader_id.inner() {
                    s.loader = e.loader_id.inner().clone();
                    s.seen.clear();
                }
                s.seen.push(e.name.clone());
            });
        }
    }))
}

/// Which document a wait is about.
enum Document {
    /// Any but the one of this loader (a reload, a history step).
    After(String),
    /// The current one.
    Current,
}

/// What a failed navigation's network error most likely means.
fn hint(error: &str) -> Option<&'static str> {
    let code = error.trim_start_matches("net::");
    Some(match code {
        "ERR_CONNECTION_REFUSED" => {
            "nothing accepts connections at that address; is the server running?"
        }
        "ERR_NAME_NOT_RESOLVED" | "ERR_NAME_RESOLUTION_FAILED" => {
            "the host name is unknown; check its spelling and the DNS"
        }
        "ERR_ADDRESS_UNREACHABLE" | "ERR_INTERNET_DISCONNECTED" | "ERR_NETWORK_CHANGED" => {
            "the address cannot be reached from this machine"
        }
        "ERR_CONNECTION_TIMED_OUT" | "ERR_TIMED_OUT" => "the server did not answer in time",
        "ERR_CONNECTION_RESET" | "ERR_CONNECTION_CLOSED" | "ERR_EMPTY_RESPONSE" => {
            "the server closed the connection without an answer"
        }
        "ERR_BLOCKED_BY_CLIENT" => "the URL matches a pattern this session blocks",
        "ERR_INVALID_URL" | "ERR_UNKNOWN_URL_SCHEME" => "the URL is not valid",
        "ERR_ABORTED" => "the navigation was cancelled (another navigation, or a download)",
        "ERR_UNSAFE_PORT" => "Chromium refuses to connect to this port",
        "ERR_FILE_NOT_FOUND" => "there is no such file",
        "ERR_TOO_MANY_REDIRECTS" => "the server keeps redirecting",
        c if c.starts_with("ERR_CERT") || c.starts_with("ERR_SSL") => {
            "the server's TLS certificate or handshake is not accepted"
        }
        _ => return None,
    })
}

fn navigation_error(url: &str, error: &str) -> BrowserError {
    BrowserError::Navigation {
        url: url.to_string(),
        error: error.to_string(),
        hint: hint(error).map(str::to_string),
    }
}

/// Why a wait for `until` is not over, from the document's `readyState` (if it answered).
fn stuck(ready: Option<&str>, until: WaitUntil, committed: bool) -> String {
    match ready {
        _ if !committed => "the server has not answered yet".into(),
        None => "the page did not answer (a dialog or a busy script may hold it)".into(),
        Some("loading") => {
            "the document is still `loading` — its HTML has not all arrived or a script in it has not finished".into()
        }
        Some("interactive") => {
            "the document is still `interactive` — something it loads has not finished".into()
        }
        Some("complete") if until == WaitUntil::NetworkIdle => {
            "the document is `complete` but its network has not been quiet for 500 ms".into()
        }
        Some(other) => format!("the document is `{other}` and the new page has not arrived"),
    }
}

impl Session {
    /// Navigates to `url` and waits until the new document reaches `until`, for at most
    /// `timeout`. Switches back to the top frame first.
    pub async fn goto_with(
        &self,
        url: &str,
        until: WaitUntil,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let start = Instant::now();
        self.switch_to_default_content();
        let old = self.state.lifecycle.loader();
        let what = format!("opening {url}");
        // The answer to `Page.navigate` comes only once the page loaded (chromiumoxide holds
        // it back), so the new document is followed through its lifecycle meanwhile.
        let navigate = self.cdp("Page.navigate", json!({ "url": url }));
        let arrived = self.wait_document(url, Document::After(old), until, start, timeout);
        tokio::pin!(navigate, arrived);
        tokio::select! {
            answer = &mut navigate => {
                let result = answer.map_err(doing(&what))?;
                if let Some(error) = result.get("errorText").and_then(Value::as_str) {
                    return Err(navigation_error(url, error));
                }
                // No loader: a same-document navigation (a new #fragment), done now.
                if result.get("loaderId").and_then(Value::as_str).is_none() {
                    return Ok(());
                }
                arrived.await
            }
            reached = &mut arrived => {
                reached?;
                // A failed navigation shows Chromium's error page: its answer says why.
                if self.top_url().await.starts_with("chrome-error:") {
                    let left = timeout.saturating_sub(start.elapsed()).max(POLL_LIMIT);
                    if let Ok(Ok(result)) = tokio::time::timeout(left, navigate).await {
                        if let Some(error) = result.get("errorText").and_then(Value::as_str) {
                            return Err(navigation_error(url, error));
                        }
                    }
                    return Err(navigation_error(url, "net::ERR_FAILED"));
                }
                Ok(())
            }
        }
    }

    /// Waits until the current document reaches `until`, for at most `timeout`.
    pub async fn wait_for_load_state(
        &self,
        until: WaitUntil,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let url = self.top_url().await;
        self.wait_document(&url, Document::Current, until, Instant::now(), timeout)
            .await
    }

    /// Reloads the page and waits until the new document reaches `until`.
    pub async fn reload_with(
        &self,
        until: WaitUntil,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let start = Instant::now();
        self.switch_to_default_content();
        let url = self.top_url().await;
        let old = self.state.lifecycle.loader();
        self.cdp("Page.reload", json!({}))
            .await
            .map_err(doing(&format!("reloading {url}")))?;
        self.wait_document(&url, Document::After(old), until, start, timeout)
            .await
    }

    /// Moves `delta` entries through the tab's history (-1 back, +1 forward) and waits until
    /// the document reaches `until`. Fails when there is no such entry.
    pub async fn history_go_with(
        &self,
        delta: i64,
        until: WaitUntil,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let start = Instant::now();
        self.switch_to_default_content();
        let way = if delta < 0 { "back" } else { "forward" };
        let history = self
            .cdp("Page.getNavigationHistory", json!({}))
            .await
            .map_err(doing(&format!("reading the history to go {way}")))?;
        let current = history["currentIndex"].as_i64().unwrap_or(0);
        let entries = history["entries"].as_array().cloned().unwrap_or_default();
        let entry = usize::try_from(current + delta)
            .ok()
            .and_then(|i| entries.get(i))
            .ok_or_else(|| BrowserError::Invalid(format!("there is no page to go {way} to")))?;
        let here = usize::try_from(current)
            .ok()
            .and_then(|i| entries.get(i))
            .and_then(|e| e["url"].as_str())
            .unwrap_or_default();
        let url = entry["url"].as_str().unwrap_or_default().to_string();
        let same_document = without_fragment(here) == without_fragment(&url);
        let old = self.state.lifecycle.loader();
        self.cdp(
            "Page.navigateToHistoryEntry",
            json!({ "entryId": entry["id"] }),
        )
        .await
        .map_err(doing(&format!("going {way} to {url}")))?;
        let document = if same_document {
            Document::Current
        } else {
            Document::After(old)
        };
        self.wait_document(&url, document, until, start, timeout)
            .await
    }

    /// The top document's URL, or `the page` when it cannot be read.
    async fn top_url(&self) -> String {
        match self.evaluate_in("location.href", None).await {
            Ok(Value::String(s)) => s,
            _ => "the page".into(),
        }
    }

    /// Waits until `document` reaches `until`; polls `readyState` between lifecycle events.
    async fn wait_document(
        &self,
        url: &str,
        document: Document,
        until: WaitUntil,
        start: Instant,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let mut rx = self.state.lifecycle.tx.subscribe();
        let mut last_ready: Option<String> = None;
        loop {
            let state = rx.borrow_and_update().clone();
            let ours = match &document {
                Document::After(old) => state.loader != *old,
                Document::Current => true,
            };
            let left = timeout.saturating_sub(start.elapsed());
            // The poll keeps the hang detection going and tells what the document is at.
            let ready = tokio::time::timeout(
                left.min(POLL_LIMIT),
                self.evaluate_in("document.readyState", None),
            )
            .await;
            let ready = match ready {
                Ok(Ok(Value::String(s))) => Some(s),
                Ok(Err(e)) if e.is_fatal() => return Err(e),
                _ => None,
            };
            if ready.is_some() {
                last_ready.clone_from(&ready);
            }
            let done = match (&document, until) {
                (_, WaitUntil::Commit) => ours,
                (Document::Current, WaitUntil::DomContentLoaded) => {
                    matches!(ready.as_deref(), Some("interactive" | "complete"))
                }
                (Document::Current, WaitUntil::Load) => ready.as_deref() == Some("complete"),
                (Document::Current, WaitUntil::NetworkIdle) => {
                    ready.as_deref() == Some("complete") && until.reached_by(&state.seen)
                }
                _ => ours && until.reached_by(&state.seen),
            };
            if done {
                return Ok(());
            }
            if start.elapsed() >= timeout {
                let ready = if ours { last_ready.as_deref() } else { None };
                return Err(load_timeout(url, until, timeout, ready, ours));
            }
            let left = timeout.saturating_sub(start.elapsed());
            tokio::select! {
                _ = rx.changed() => {}
                _ = tokio::time::sleep(POLL_EVERY.min(left)) => {}
            }
        }
    }
}

/// The time-out of a wait for `until`, saying how far the document came.
fn load_timeout(
    url: &str,
    until: WaitUntil,
    timeout: Duration,
    ready: Option<&str>,
    committed: bool,
) -> BrowserError {
    BrowserError::Timeout {
        what: format!(
            "{url} to reach `{until}`: {}",
            stuck(ready, until, committed)
        ),
        seconds: timeout.as_secs_f64(),
    }
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_states_parse_in_any_case_and_a_bad_one_lists_the_good_ones() {
        assert_eq!(
            "NetworkIdle".parse::<WaitUntil>().unwrap(),
            WaitUntil::NetworkIdle
        );
        assert_eq!(
            "DOMContentLoaded".parse::<WaitUntil>().unwrap(),
            WaitUntil::DomContentLoaded
        );
        assert_eq!(" commit ".parse::<WaitUntil>().unwrap(), WaitUntil::Commit);
        let err = "idle".parse::<WaitUntil>().unwrap_err().to_string();
        assert!(
            err.contains("\"idle\"") && err.contains("domcontentloaded, load or networkidle"),
            "{err}"
        );
    }

    #[test]
    fn network_errors_get_a_hint() {
        assert!(hint("net::ERR_CONNECTION_REFUSED")
            .unwrap()
            .contains("server running"));
        assert!(hint("net::ERR_NAME_NOT_RESOLVED")
            .unwrap()
            .contains("host name"));
        assert!(hint("net::ERR_CERT_AUTHORITY_INVALID").is_some());
        assert!(hint("net::ERR_SOMETHING_NEW").is_none());
    }
}

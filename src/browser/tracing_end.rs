//! Ending a CDP `Tracing` session and getting its stream, tolerant of Chromium moving faster
//! than chromiumoxide's protocol snapshot: `Tracing.tracingComplete` is taken from the typed
//! event, or — when its shape no longer fits those types and the connection's driver could
//! not decode it — from the raw message handed to [`rescue`].

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::tracing::EventTracingComplete;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::{BrowserError, Session};

/// Sessions waiting for their trace, by DevTools session id.
fn waiting() -> &'static Mutex<HashMap<String, oneshot::Sender<Option<String>>>> {
    static WAITING: OnceLock<Mutex<HashMap<String, oneshot::Sender<Option<String>>>>> =
        OnceLock::new();
    WAITING.get_or_init(Mutex::default)
}

/// A DevTools message chromiumoxide could not decode: a `Tracing.tracingComplete` for a
/// session waiting for its trace still arrives.
pub(super) fn rescue(text: &str) {
    if !text.contains("\"Tracing.tracingComplete\"") {
        return;
    }
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Some(session) = message.get("sessionId").and_then(Value::as_str) else {
        return;
    };
    let stream = message
        .pointer("/params/stream")
        .and_then(Value::as_str)
        .map(String::from);
    let sender = waiting().lock().ok().and_then(|mut w| w.remove(session));
    if let Some(sender) = sender {
        let _ = sender.send(stream);
    }
}

impl Session {
    /// Ends the tracing this session started (`Tracing.start` with `ReturnAsStream`) and
    /// returns the handle of the stream to read the trace from with `IO.read`; waits for
    /// Chromium to hand it over for at most `limit`.
    pub async fn end_tracing(&self, limit: Duration) -> Result<String, BrowserError> {
        let id = self.state.page.session_id().inner().clone();
        let (sender, rescued) = oneshot::channel();
        if let Ok(mut w) = waiting().lock() {
            w.insert(id.clone(), sender);
        }
        let typed = self
            .state
            .page
            .event_listener::<EventTracingComplete>()
            .await;
        let ended = self.cdp("Tracing.end", json!({})).await;
        let complete = async {
            let Ok(mut typed) = typed else {
                return rescued.await.ok().flatten();
            };
            tokio::select! {
                e = typed.next() => e.and_then(|e| e.stream.as_ref().map(|s| s.inner().clone())),
                r = rescued => r.ok().flatten(),
            }
        };
        let stream = match ended {
            Ok(_) => tokio::time::timeout(limit, complete).await.ok().flatten(),
            Err(e) => {
                if let Ok(mut w) = waiting().lock() {
                    w.remove(&id);
                }
                return Err(e);
            }
        };
        if let Ok(mut w) = waiting().lock() {
            w.remove(&id);
        }
        stream.ok_or_else(|| BrowserError::Cdp("Chromium did not hand over its trace".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecodable_tracing_complete_still_reaches_its_session() {
        let (sender, mut got) = oneshot::channel();
        waiting().lock().unwrap().insert("S7".into(), sender);
        rescue(
            r#"{"method":"Tracing.tracingComplete","sessionId":"other","params":{"stream":"x"}}"#,
        );
        assert!(
            got.try_recv().is_err(),
            "another session's trace is not ours"
        );
        rescue("{not json \"Tracing.tracingComplete\"");
        rescue(
            r#"{"method":"Tracing.tracingComplete","sessionId":"S7","params":{"dataLossOccurred":"new shape","stream":"42"}}"#,
        );
        assert_eq!(got.try_recv().unwrap(), Some("42".to_string()));
        assert!(!waiting().lock().unwrap().contains_key("S7"));
    }
}

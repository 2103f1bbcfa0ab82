//! Page-level primitives of a session against real pages of the demo site in a real
//! Chromium: load states, navigation errors, dialogs, frames (same- and cross-origin,
//! nested), tabs and windows, and the console and network records.

#[path = "../common/mod.rs"]
mod common;

mod dialogs;
mod frames;
mod navigation;
mod records;
mod windows;

use common::{site, HANG_GUARD};
use serde_json::{json, Value};
use webrunner::browser::{BrowserError, Session};

/// `{site}{path}`.
pub async fn url(path: &str) -> String {
    format!("{}{path}", site().await.base_url())
}

/// A new tab of the shared browser.
pub async fn session() -> Session {
    common::browser()
        .await
        .new_session()
        .await
        .expect("a new session")
}

/// Awaits `call`, failing the test should it never finish (not a speed limit).
pub async fn guard<T>(what: &str, call: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(HANG_GUARD, call)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer after {HANG_GUARD:?}, a hang"))
}

pub async fn eval(s: &Session, expression: &str) -> Value {
    s.evaluate(expression)
        .await
        .unwrap_or_else(|e| panic!("{expression}: {e}"))
}

/// What the slow-load page has: its ready state, whether the slow image arrived, and what
/// the request made after `load` brought.
pub async fn progress(s: &Session) -> (String, bool, String) {
    let v = eval(
        s,
        "({ ready: document.readyState, img: !!(document.getElementById('slow-img') && document.getElementById('slow-img').complete && document.getElementById('slow-img').naturalWidth > 0), xhr: (document.getElementById('xhr') || {}).textContent || '' })",
    )
    .await;
    (
        v["ready"].as_str().unwrap().to_string(),
        v["img"].as_bool().unwrap(),
        v["xhr"].as_str().unwrap().to_string(),
    )
}

/// Clicks `#id` of the top document with real mouse events through CDP; the last event's
/// result is returned (a dialog the click opens may hold it up).
pub async fn mouse_click(s: &Session, id: &str) -> Result<Value, BrowserError> {
    let at = eval(
        s,
        &format!("(() => {{ const r = document.getElementById('{id}').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"),
    )
    .await;
    click_at(s, at[0].as_f64().unwrap(), at[1].as_f64().unwrap()).await
}

pub async fn click_at(s: &Session, x: f64, y: f64) -> Result<Value, BrowserError> {
    let mut last = Ok(Value::Null);
    for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
        last = s
            .cdp(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": if kind == "mouseMoved" { "none" } else { "left" }, "buttons": buttons, "clickCount": 1 }),
            )
            .await;
        if let Err(e) = &last {
            if !matches!(e, BrowserError::DialogOpened { .. }) {
                panic!("{kind}: {e}");
            }
        }
    }
    last
}

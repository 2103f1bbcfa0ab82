//! Windows and tabs of a session's browser context: their handles (CDP target ids), opening
//! and closing them, a [`Session`] for another one, and the window's geometry through
//! `Browser.getWindowBounds`/`Browser.setWindowBounds`.

use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::target::{
    CreateTargetParams, GetTargetsParams, TargetId, TargetInfo,
};
use serde_json::{json, Value};

use super::cdp::doing;
use super::health::SessionState;
use super::{BrowserError, Session};

/// How long a window's new bounds may take to show.
const SETTLE_LIMIT: Duration = Duration::from_secs(2);
/// How long a tab that just opened may take to become reachable.
const ATTACH_LIMIT: Duration = Duration::from_secs(10);

/// A window's position and size, in screen pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WindowRect {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
}

/// An open tab or window of a browser context.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WindowInfo {
    /// Its handle.
    pub handle: String,
    /// Its document's title.
    pub title: String,
    /// Its URL.
    pub url: String,
}

impl Session {
    /// The tabs and windows of this session's browser context, oldest first.
    pub async fn windows(&self) -> Result<Vec<WindowInfo>, BrowserError> {
        let core = &self.state.core;
        let call = core.cdp.execute(GetTargetsParams::default());
        let targets = match tokio::time::timeout(ATTACH_LIMIT, call).await {
            Ok(Ok(r)) => r.result.target_infos,
            Ok(Err(e)) => {
                return Err(self
                    .fatal()
                    .unwrap_or_else(|| BrowserError::Cdp(format!("listing the windows: {e}"))))
            }
            Err(_) => {
                return Err(BrowserError::Timeout {
                    what: "the browser to list the windows".into(),
                    seconds: ATTACH_LIMIT.as_secs_f64(),
                })
            }
        };
        let mine = |t: &TargetInfo| {
            t.r#type == "page" && t.browser_context_id.as_ref() == self.state.context.as_ref()
        };
        let mut list: Vec<WindowInfo> = targets
            .into_iter()
            .filter(mine)
            .map(|t| WindowInfo {
                handle: t.target_id.inner().clone(),
                title: t.title,
                url: t.url,
            })
            .collect();
        let order = self
            .state
            .window_order
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default();
        list.sort_by_key(|w| {
            order
                .iter()
                .position(|h| *h == w.handle)
                .unwrap_or(usize::MAX)
        });
        Ok(list)
    }

    /// The handles of this session's tabs and windows, oldest first.
    pub async fn window_handles(&self) -> Result<Vec<String>, BrowserError> {
        Ok(self
            .windows()
            .await?
            .into_iter()
            .map(|w| w.handle)
            .collect())
    }

    /// This session's handle.
    pub fn current_window_handle(&self) -> String {
        self.state.target.inner().clone()
    }

    /// Opens a blank tab (`kind` "tab") or window ("window") in this session's browser
    /// context and returns its handle; the current session stays where it is.
    pub async fn new_window(&self, kind: &str) -> Result<String, BrowserError> {
        let new_window = match kind.to_ascii_lowercase().as_str() {
            "tab" => false,
            "window" => true,
            other => {
                return Err(BrowserError::Invalid(format!(
                    "unknown window kind {other:?}; use tab or window"
                )))
            }
        };
        let mut params = CreateTargetParams::new("about:blank");
        params.browser_context_id = self.state.context.clone();
        params.new_window = Some(new_window);
        let call = self.state.core.cdp.execute(params);
        match tokio::time::timeout(ATTACH_LIMIT, call).await {
            Ok(Ok(r)) => Ok(r.result.target_id.inner().clone()),
            Ok(Err(e)) => Err(self
                .fatal()
                .unwrap_or_else(|| BrowserError::Cdp(format!("opening a new {kind}: {e}")))),
            Err(_) => Err(BrowserError::Timeout {
                what: format!("a new {kind} to open"),
                seconds: ATTACH_LIMIT.as_secs_f64(),
            }),
        }
    }

    /// A session for the tab or window `handle` of this session's browser context, with
    /// health, dialogs, frames, console and network records of its own (recorded from now
    /// on). Closing it closes that tab only.
    pub async fn for_handle(&self, handle: &str) -> Result<Session, BrowserError> {
        if handle == self.current_window_handle() {
            return Ok(self.clone());
        }
        let windows = self.windows().await?;
        if !windows.iter().any(|w| w.handle == handle) {
            let open: Vec<String> = windows
                .iter()
                .map(|w| format!("{} ({:?})", w.handle, w.title))
                .collect();
            return Err(BrowserError::NoSuchWindow(format!(
                "{handle:?}; open windows: {}",
                open.join(", ")
            )));
        }
        let core = self.state.core.clone();
        let start = Instant::now();
        let page = loop {
            match core.cdp.get_page(TargetId::new(handle)).await {
                Ok(page) => break page,
                Err(e) if start.elapsed() >= ATTACH_LIMIT => {
                    return Err(BrowserError::Cdp(format!("reaching window {handle}: {e}")))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let order = Some(self.state.window_order.clone());
        let state = SessionState::start(core, page, self.state.context.clone(), order).await?;
        let session = Session::new(state);
        session.replay_state().await?;
        Ok(session)
    }

    /// Closes this tab or window only (its browser context and other tabs stay).
    pub async fn close_window(&self) -> Result<(), BrowserError> {
        self.state.close_tab().await
    }

    async fn window_id(&self) -> Result<Value, BrowserError> {
        let window = self
            .cdp(
                "Browser.getWindowForTarget",
                json!({ "targetId": self.current_window_handle() }),
            )
            .await
            .map_err(doing("finding the window"))?;
        Ok(window["windowId"].clone())
    }

    /// The window's position and size.
    pub async fn window_rect(&self) -> Result<WindowRect, BrowserError> {
        let id = self.window_id().await?;
        let bounds = self
            .cdp("Browser.getWindowBounds", json!({ "windowId": id }))
            .await
            .map_err(doing("reading the window's bounds"))?;
        let b = &bounds["bounds"];
        let n = |k: &str| b[k].as_i64().unwrap_or_default();
        Ok(WindowRect {
            x: n("left"),
            y: n("top"),
            width: n("width"),
            height: n("height"),
        })
    }

    /// The window's state: `normal`, `minimized`, `maximized` or `fullscreen`.
    pub async fn window_state(&self) -> Result<String, BrowserError> {
        let id = self.window_id().await?;
        let bounds = self
            .cdp("Browser.getWindowBounds", json!({ "windowId": id }))
            .await
            .map_err(doing("reading the window's state"))?;
        Ok(bounds["bounds"]["windowState"]
            .as_str()
            .unwrap_or("normal")
            .to_string())
    }

    /// Moves and resizes the window (the parts given), restoring it to `normal` first, and
    /// returns its new rectangle.
    pub async fn set_window_rect(
        &self,
        x: Option<i64>,
        y: Option<i64>,
        width: Option<i64>,
        height: Option<i64>,
    ) -> Result<WindowRect, BrowserError> {
        if width.is_some_and(|w| w <= 0) || height.is_some_and(|h| h <= 0) {
            return Err(BrowserError::Invalid(
                "a window's width and height must be positive".into(),
            ));
        }
        self.set_window_state("normal").await?;
        let mut bounds = json!({});
        for (key, v) in [
            ("left", x),
            ("top", y),
            ("width", width),
            ("height", height),
        ] {
            if let Some(v) = v {
                bounds[key] = json!(v);
            }
        }
        let id = self.window_id().await?;
        self.cdp(
            "Browser.setWindowBounds",
            json!({ "windowId": id, "bounds": bounds }),
        )
        .await
        .map_err(doing("moving or resizing the window"))?;
        // Chromium applies new bounds a moment after it answers.
        let start = Instant::now();
        loop {
            let rect = self.window_rect().await?;
            let wanted = [
                (x, rect.x),
                (y, rect.y),
                (width, rect.width),
                (height, rect.height),
            ];
            let done = wanted
                .iter()
                .all(|(want, got)| want.is_none_or(|w| w == *got));
            if done || start.elapsed() >= SETTLE_LIMIT {
                return Ok(rect);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Maximizes the window.
    pub async fn maximize(&self) -> Result<WindowRect, BrowserError> {
        self.set_window_state("maximized").await?;
        self.window_rect().await
    }

    /// Minimizes the window.
    pub async fn minimize(&self) -> Result<WindowRect, BrowserError> {
        self.set_window_state("minimized").await?;
        self.window_rect().await
    }

    /// Makes the window fill the screen.
    pub async fn fullscreen(&self) -> Result<WindowRect, BrowserError> {
        self.set_window_state("fullscreen").await?;
        self.window_rect().await
    }

    async fn set_window_state(&self, state: &str) -> Result<(), BrowserError> {
        let current = self.window_state().await?;
        if current == state {
            return Ok(());
        }
        // Chromium changes a non-normal window only back to normal.
        if current != "normal" && state != "normal" {
            Box::pin(self.set_window_state("normal")).await?;
        }
        let id = self.window_id().await?;
        self.cdp(
            "Browser.setWindowBounds",
            json!({ "windowId": id, "bounds": { "windowState": state } }),
        )
        .await
        .map_err(doing(&format!("making the window {state}")))?;
        let start = Instant::now();
        while self.window_state().await? != state && start.elapsed() < SETTLE_LIMIT {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}

impl Session {
    /// Has Chromium report again what happened in the tab before this session watched it:
    /// its frames' execution contexts and its load state.
    async fn replay_state(&self) -> Result<(), BrowserError> {
        let what = doing("attaching to the window");
        self.cdp("Runtime.disable", json!({}))
            .await
            .map_err(&what)?;
        self.cdp("Runtime.enable", json!({})).await.map_err(&what)?;
        self.cdp(
            "Page.setLifecycleEventsEnabled",
            json!({ "enabled": false }),
        )
        .await
        .map_err(&what)?;
        self.cdp("Page.setLifecycleEventsEnabled", json!({ "enabled": true }))
            .await
            .map_err(&what)?;
        Ok(())
    }
}

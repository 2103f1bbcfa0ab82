//! A tab of the CDP backend as a [`Session`]: navigation, evaluation, screenshots and raw
//! CDP, every call guarded so that a crashed, hung or closed tab fails it at once.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::types::{Command, Method, MethodId};
use serde_json::{json, Value};

use super::health::SessionState;
use super::{BrowserError, WaitUntil};

/// How long the plain navigation calls wait for the page.
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(30);

/// A raw DevTools protocol call whose result is plain JSON.
#[derive(Debug)]
pub(super) struct RawCommand {
    method: String,
    params: Value,
}

impl RawCommand {
    pub(super) fn new(method: &str, params: Value) -> RawCommand {
        RawCommand {
            method: method.to_string(),
            params,
        }
    }
}

impl serde::Serialize for RawCommand {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.params.serialize(s)
    }
}

impl Method for RawCommand {
    fn identifier(&self) -> MethodId {
        Cow::Owned(self.method.clone())
    }
}

impl Command for RawCommand {
    type Response = Value;
}

/// One browser tab, in a browser context of its own: navigation, evaluation, screenshots
/// and raw CDP. Clones share the tab and its state.
#[derive(Debug, Clone)]
pub struct Session {
    pub(super) state: Arc<SessionState>,
}

impl Session {
    pub(super) fn new(state: SessionState) -> Session {
        Session {
            state: Arc::new(state),
        }
    }

    /// The chromiumoxide page, for callers that need its full API (its calls are not
    /// guarded; prefer the session's own).
    pub fn page(&self) -> &chromiumoxide::Page {
        &self.state.page
    }

    /// Why this session can never be used again (its tab crashed or hung, or the browser
    /// closed), once that happened; every call then fails at once with this error.
    pub fn fatal(&self) -> Option<BrowserError> {
        self.state.fatal()
    }

    /// How long a stalled call's probe of the page may go unanswered before the page counts
    /// as hung (5 s unless set). The probe starts after the call has waited 2 s, or this
    /// limit when shorter. Shared by every clone.
    pub fn set_unresponsive_after(&self, limit: Duration) {
        self.state.set_unresponsive_after(limit);
    }

    /// The limit set by [`Session::set_unresponsive_after`].
    pub fn unresponsive_after(&self) -> Duration {
        self.state.unresponsive_after()
    }

    /// Sends a raw DevTools protocol command (`Domain.method`) and returns its JSON result.
    /// `Runtime.evaluate` (and `Runtime.callFunctionOn` without an object) run in the
    /// current frame unless the params name a context.
    pub async fn cdp(&self, method: &str, params: Value) -> Result<Value, BrowserError> {
        let valid = method
            .split_once('.')
            .is_some_and(|(d, m)| !d.is_empty() && !m.is_empty() && !m.contains('.'));
        if !valid {
            return Err(BrowserError::Invalid(format!(
                "CDP method must look like `Domain.method`, got {method:?}"
            )));
        }
        let mut params = if params.is_null() { json!({}) } else { params };
        if !params.is_object() {
            return Err(BrowserError::Invalid(format!(
                "CDP params for {method} must be an object"
            )));
        }
        let in_frame = match method {
            "Runtime.evaluate" if params.get("contextId").is_none() => Some("contextId"),
            "Runtime.callFunctionOn"
                if params.get("objectId").is_none()
                    && params.get("executionContextId").is_none() =>
            {
                Some("executionContextId")
            }
            _ => None,
        };
        if let Some(key) = in_frame {
            if let Some(id) = self.frame_context().await? {
                params[key] = json!(id);
            }
        }
        self.raw(method, params).await
    }

    /// Sends `method` as it is, guarded.
    pub(super) async fn raw(&self, method: &str, params: Value) -> Result<Value, BrowserError> {
        // Calls a dialog does not hold up: answering it, and the browser's own domains.
        let dialog_blocks = !(method == "Page.handleJavaScriptDialog"
            || method.starts_with("Browser.")
            || method.starts_with("Target."));
        let tap = self.state.core.tap.as_ref().map(|t| (t, params.clone()));
        let call = async {
            self.state
                .page
                .execute(RawCommand::new(method, params))
                .await
                .map_err(|e| BrowserError::Cdp(format!("{method}: {e}")))
        };
        let answer = self
            .state
            .guard_with(call, dialog_blocks)
            .await
            .map(|r| r.result);
        if let Some((tap, params)) = tap {
            let recorded = match &answer {
                Ok(v) => tap.record(method, &params, Ok(v)),
                Err(e) => tap.record(method, &params, Err(&e.to_string())),
            };
            if let Err(e) = recorded {
                tracing::warn!("{e}");
            }
        }
        answer
    }

    /// Navigates to `url` and waits for the `load` event, for 30 s at most.
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        self.goto_with(url, WaitUntil::Load, NAVIGATION_TIMEOUT)
            .await
    }

    /// Waits until the document's `readyState` is `complete`.
    pub async fn wait_loaded(&self, timeout: Duration) -> Result<(), BrowserError> {
        let start = Instant::now();
        loop {
            let state = unless_fatal(self.evaluate("document.readyState").await)?;
            if matches!(&state, Ok(Value::String(s)) if s == "complete") {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(BrowserError::Timeout {
                    what: "the page to load".into(),
                    seconds: timeout.as_secs_f64(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the document that was current when `window.__webrunnerBeforeClick` was
    /// set has been replaced by a new one that finished loading.
    pub async fn wait_new_document(&self) -> Result<(), BrowserError> {
        let start = Instant::now();
        let timeout = Duration::from_secs(30);
        loop {
            let state = unless_fatal(
                self.evaluate("window.__webrunnerBeforeClick ? 'old' : document.readyState")
                    .await,
            )?;
            if matches!(&state, Ok(Value::String(s)) if s == "complete") {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(BrowserError::Timeout {
                    what: "the page the click opened to load".into(),
                    seconds: timeout.as_secs_f64(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Moves `delta` entries through the tab's history (-1 back, +1 forward) and waits for
    /// the `load` event, for 30 s at most. Fails when there is no such entry.
    pub async fn history_go(&self, delta: i64) -> Result<(), BrowserError> {
        self.history_go_with(delta, WaitUntil::Load, NAVIGATION_TIMEOUT)
            .await
    }

    /// Reloads the page and waits for the `load` event, for 30 s at most.
    pub async fn reload(&self) -> Result<(), BrowserError> {
        self.reload_with(WaitUntil::Load, NAVIGATION_TIMEOUT).await
    }

    /// Evaluates a JavaScript expression (awaiting promises) in the current frame and
    /// returns its JSON value.
    pub async fn evaluate(&self, expression: &str) -> Result<Value, BrowserError> {
        let mut tries = 0;
        loop {
            let context = self.frame_context().await?;
            match self.evaluate_in(expression, context).await {
                Err(e) if context.is_some() && context_gone(&e) && tries < 20 => tries += 1,
                other => return other,
            }
            // The frame's document went away under the call: look for its next one.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Evaluates `expression` in execution context `context` (the top document's when
    /// `None`).
    pub(super) async fn evaluate_in(
        &self,
        expression: &str,
        context: Option<i64>,
    ) -> Result<Value, BrowserError> {
        let mut params = json!({
            "expression": expression,
            "returnByValue": true,
            "awaitPromise": true,
            "userGesture": true,
        });
        if let Some(id) = context {
            params["contextId"] = json!(id);
        }
        script_result(self.raw("Runtime.evaluate", params).await?)
    }

    /// Runs `function_body` as a function with `args` (JSON values) in the current frame
    /// and returns its value.
    pub async fn call_function(
        &self,
        function_body: &str,
        args: &[Value],
    ) -> Result<Value, BrowserError> {
        let mut tries = 0;
        loop {
            let context = self.frame_context().await?;
            match self.call_function_in(function_body, args, context).await {
                Err(e) if context.is_some() && context_gone(&e) && tries < 20 => tries += 1,
                other => return other,
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// [`Session::call_function`] in execution context `context`.
    pub(super) async fn call_function_in(
        &self,
        function_body: &str,
        args: &[Value],
        context: Option<i64>,
    ) -> Result<Value, BrowserError> {
        let args_json =
            serde_json::to_string(args).map_err(|e| BrowserError::Invalid(e.to_string()))?;
        let expression =
            format!("(async function() {{ {function_body} \n}}).apply(null, {args_json})");
        self.evaluate_in(&expression, context).await
    }

    /// The URL of the top document (whatever frame is current).
    pub async fn url(&self) -> Result<String, BrowserError> {
        Ok(self
            .evaluate_in("location.href", None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The title of the top document.
    pub async fn title(&self) -> Result<String, BrowserError> {
        Ok(self
            .evaluate_in("document.title", None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The page's HTML.
    pub async fn content(&self) -> Result<String, BrowserError> {
        let call = async { Ok(self.state.page.content().await?) };
        self.state
            .guard(call)
            .await
            .map_err(doing("reading the page's HTML"))
    }

    /// A PNG of the viewport, or of the whole page when `full_page`.
    pub async fn screenshot(&self, full_page: bool) -> Result<Vec<u8>, BrowserError> {
        let params = ScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .full_page(full_page)
            .build();
        let call = async { Ok(self.state.page.screenshot(params).await?) };
        self.state
            .guard(call)
            .await
            .map_err(doing("taking a screenshot"))
    }

    /// A PNG of the viewport.
    pub async fn screenshot_png(&self) -> Result<Vec<u8>, BrowserError> {
        self.screenshot(false).await
    }

    /// Resizes the browser window (the viewport follows) and returns the window's new size.
    pub async fn set_window_size(
        &self,
        width: u32,
        height: u32,
    ) -> Result<(u32, u32), BrowserError> {
        let window = self.cdp("Browser.getWindowForTarget", json!({})).await?;
        let id = window["windowId"].clone();
        let id = &id;
        self.cdp(
            "Browser.setWindowBounds",
            json!({ "windowId": id, "bounds": { "width": width, "height": height, "windowState": "normal" } }),
        )
        .await?;
        // The page sees the new size once the resize reaches the renderer.
        let start = Instant::now();
        while self.evaluate("window.innerWidth").await?.as_u64() != Some(u64::from(width))
            && start.elapsed() < Duration::from_secs(2)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let bounds = self
            .cdp("Browser.getWindowBounds", json!({ "windowId": id }))
            .await?;
        Ok((
            bounds["bounds"]["width"].as_u64().unwrap_or_default() as u32,
            bounds["bounds"]["height"].as_u64().unwrap_or_default() as u32,
        ))
    }

    /// Closes the tab and disposes its browser context (with everything stored in it).
    /// Works, within a few seconds at most, when the tab has crashed or hangs; does nothing
    /// when the browser is gone or another clone closed it already.
    pub async fn close(self) -> Result<(), BrowserError> {
        self.state.close().await
    }
}

/// Whether a call failed because the execution context it named is gone.
fn context_gone(e: &BrowserError) -> bool {
    matches!(e, BrowserError::Cdp(m) if m.contains("Cannot find context with specified id"))
}

/// Keeps a failed poll as a result to try again, unless the session is dead: that ends the
/// polling with its error.
fn unless_fatal<T>(
    polled: Result<T, BrowserError>,
) -> Result<Result<T, BrowserError>, BrowserError> {
    match polled {
        Err(e) if e.is_fatal() => Err(e),
        other => Ok(other),
    }
}

/// Turns a `Runtime.evaluate`/`callFunctionOn` result into a value or a script error.
pub(super) fn script_result(result: Value) -> Result<Value, BrowserError> {
    if let Some(details) = result.get("exceptionDetails") {
        let text = details["exception"]["description"]
            .as_str()
            .or_else(|| details["text"].as_str())
            .unwrap_or("uncaught exception");
        let first_line = text.lines().next().unwrap_or(text);
        return Err(BrowserError::Script(first_line.to_string()));
    }
    let obj = &result["result"];
    if obj["type"] == "undefined" {
        return Ok(Value::Null);
    }
    Ok(obj.get("value").cloned().unwrap_or(Value::Null))
}

/// Says what was being done in a protocol error or a time-out of the browser's answer.
pub(super) fn doing(what: &str) -> impl Fn(BrowserError) -> BrowserError + '_ {
    move |e| match e {
        BrowserError::Cdp(m) => BrowserError::Cdp(format!("{what}: {m}")),
        BrowserError::Timeout { what: w, seconds } => BrowserError::Timeout {
            what: format!("{w} while {what}"),
            seconds,
        },
        other => other,
    }
}

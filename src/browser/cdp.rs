//! The CDP backend: launches Chromium through chromiumoxide (one browser, one temporary
//! profile) and wraps a page as a [`Session`].

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::types::{Command, Method, MethodId};
use futures::StreamExt;
use serde_json::{json, Value};

use super::{find_chromium, BrowserError};

/// How to launch Chromium.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Show a window instead of running headless.
    pub headed: bool,
    /// The binary; found with [`find_chromium`] when `None`.
    pub executable: Option<PathBuf>,
    /// Initial window size in CSS pixels.
    pub window_size: (u32, u32),
    /// Extra command-line switches, e.g. `--lang=de`.
    pub args: Vec<String>,
    /// How long Chromium may take to start.
    pub launch_timeout: Duration,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            headed: false,
            executable: None,
            window_size: (1280, 800),
            args: Vec::new(),
            launch_timeout: Duration::from_secs(30),
        }
    }
}

/// A running Chromium with its own temporary profile; closed by [`Browser::close`] or on drop.
pub struct Browser {
    inner: chromiumoxide::Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").finish_non_exhaustive()
    }
}

impl Browser {
    /// Starts Chromium. Fails when no binary is found or it does not start in time.
    pub async fn launch(options: BrowserOptions) -> Result<Browser, BrowserError> {
        let executable = match &options.executable {
            Some(p) => p.clone(),
            None => find_chromium()?,
        };
        let launch_err = |message: String| BrowserError::Launch {
            path: executable.display().to_string(),
            message,
        };
        let profile = tempfile::Builder::new()
            .prefix("webrunner-profile-")
            .tempdir()
            .map_err(|e| launch_err(format!("cannot create a profile folder: {e}")))?;
        let (w, h) = options.window_size;
        let mut builder = chromiumoxide::BrowserConfig::builder()
            .chrome_executable(&executable)
            .user_data_dir(profile.path())
            .viewport(None)
            .window_size(w, h)
            .launch_timeout(options.launch_timeout)
            .request_timeout(Duration::from_secs(60))
            .no_sandbox()
            .args([
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
            ])
            .args(options.args.iter().map(String::as_str));
        builder = if options.headed {
            builder.with_head()
        } else {
            builder.new_headless_mode()
        };
        let config = builder.build().map_err(launch_err)?;
        let (inner, mut handler) = chromiumoxide::Browser::launch(config)
            .await
            .map_err(|e| launch_err(e.to_string()))?;
        let mut inner = inner;
        if let Some(pid) = inner.get_mut_child().and_then(|c| c.as_mut_inner().id()) {
            spawn_watchdog(pid);
        }
        let handler = tokio::spawn(async move {
            // Events Chromium sends that chromiumoxide cannot decode arrive as errors here;
            // they do not end the connection, so only the end of the stream stops the loop.
            while handler.next().await.is_some() {}
        });
        Ok(Browser {
            inner,
            handler,
            _profile: profile,
        })
    }

    /// Opens a new tab and returns it as a session.
    pub async fn new_session(&self) -> Result<Session, BrowserError> {
        let page = self.inner.new_page("about:blank").await?;
        Ok(Session { page })
    }

    /// The browser's product and version, e.g. `Chrome/156.0.8078.73`.
    pub async fn version(&self) -> Result<String, BrowserError> {
        Ok(self.inner.version().await?.product.clone())
    }

    /// Closes Chromium and waits for it to exit.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.inner.close()).await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.inner.wait()).await;
        self.handler.abort();
    }
}

/// Starts a small shell that kills Chromium if this process dies without closing it (a
/// test binary's shared browser, or a run stopped by a signal), so no browser outlives us.
fn spawn_watchdog(chromium_pid: u32) {
    let me = std::process::id();
    let script = format!(
        "while kill -0 {me} 2>/dev/null && kill -0 {chromium_pid} 2>/dev/null; do sleep 1; done; kill -9 {chromium_pid} 2>/dev/null"
    );
    let child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = child {
        std::thread::spawn(move || child.wait());
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(child) = self.inner.get_mut_child() {
            let _ = child.as_mut_inner().start_kill();
        }
        self.handler.abort();
    }
}

/// A raw DevTools protocol call whose result is plain JSON.
#[derive(Debug)]
struct RawCommand {
    method: String,
    params: Value,
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

/// One browser tab: navigation, evaluation, screenshots and raw CDP.
#[derive(Debug, Clone)]
pub struct Session {
    page: chromiumoxide::Page,
}

impl Session {
    /// The chromiumoxide page, for callers that need its full API.
    pub fn page(&self) -> &chromiumoxide::Page {
        &self.page
    }

    /// Sends a raw DevTools protocol command (`Domain.method`) and returns its JSON result.
    pub async fn cdp(&self, method: &str, params: Value) -> Result<Value, BrowserError> {
        let valid = method
            .split_once('.')
            .is_some_and(|(d, m)| !d.is_empty() && !m.is_empty() && !m.contains('.'));
        if !valid {
            return Err(BrowserError::Invalid(format!(
                "CDP method must look like `Domain.method`, got {method:?}"
            )));
        }
        let params = if params.is_null() { json!({}) } else { params };
        if !params.is_object() {
            return Err(BrowserError::Invalid(format!(
                "CDP params for {method} must be an object"
            )));
        }
        let resp = self
            .page
            .execute(RawCommand {
                method: method.to_string(),
                params,
            })
            .await
            .map_err(|e| BrowserError::Cdp(format!("{method}: {e}")))?;
        Ok(resp.result)
    }

    /// Navigates to `url` and waits for the load to finish.
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        let result = self.cdp("Page.navigate", json!({ "url": url })).await?;
        if let Some(err) = result.get("errorText").and_then(Value::as_str) {
            return Err(BrowserError::Cdp(format!("cannot open {url}: {err}")));
        }
        self.wait_loaded(Duration::from_secs(30)).await
    }

    /// Waits until the document's `readyState` is `complete`.
    pub async fn wait_loaded(&self, timeout: Duration) -> Result<(), BrowserError> {
        let start = Instant::now();
        loop {
            let state = self.evaluate("document.readyState").await;
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
            let state = self
                .evaluate("window.__webrunnerBeforeClick ? 'old' : document.readyState")
                .await;
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
    /// the load. Fails when there is no such entry.
    pub async fn history_go(&self, delta: i64) -> Result<(), BrowserError> {
        let history = self.cdp("Page.getNavigationHistory", json!({})).await?;
        let current = history["currentIndex"].as_i64().unwrap_or(0);
        let entries = history["entries"].as_array().cloned().unwrap_or_default();
        let target = current + delta;
        let entry = usize::try_from(target)
            .ok()
            .and_then(|i| entries.get(i))
            .ok_or_else(|| {
                BrowserError::Invalid(format!(
                    "there is no page to go {} to",
                    if delta < 0 { "back" } else { "forward" }
                ))
            })?;
        self.cdp(
            "Page.navigateToHistoryEntry",
            json!({ "entryId": entry["id"] }),
        )
        .await?;
        let want = entry["url"].as_str().unwrap_or_default().to_string();
        let start = Instant::now();
        while self.url().await.unwrap_or_default() != want
            && start.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.wait_loaded(Duration::from_secs(30)).await
    }

    /// Reloads the page and waits for the load.
    pub async fn reload(&self) -> Result<(), BrowserError> {
        self.cdp("Page.reload", json!({})).await?;
        tokio::time::sleep(Duration::from_millis(30)).await;
        self.wait_loaded(Duration::from_secs(30)).await
    }

    /// Evaluates a JavaScript expression (awaiting promises) and returns its JSON value.
    pub async fn evaluate(&self, expression: &str) -> Result<Value, BrowserError> {
        let result = self
            .cdp(
                "Runtime.evaluate",
                json!({
                    "expression": expression,
                    "returnByValue": true,
                    "awaitPromise": true,
                    "userGesture": true,
                }),
            )
            .await?;
        script_result(result)
    }

    /// Runs `function_body` as a function with `args` (JSON values) and returns its value.
    pub async fn call_function(
        &self,
        function_body: &str,
        args: &[Value],
    ) -> Result<Value, BrowserError> {
        let args_json =
            serde_json::to_string(args).map_err(|e| BrowserError::Invalid(e.to_string()))?;
        let expression =
            format!("(async function() {{ {function_body} \n}}).apply(null, {args_json})");
        self.evaluate(&expression).await
    }

    /// The current URL.
    pub async fn url(&self) -> Result<String, BrowserError> {
        Ok(self
            .evaluate("location.href")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The document title.
    pub async fn title(&self) -> Result<String, BrowserError> {
        Ok(self
            .evaluate("document.title")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The page's HTML.
    pub async fn content(&self) -> Result<String, BrowserError> {
        Ok(self.page.content().await?)
    }

    /// A PNG of the viewport, or of the whole page when `full_page`.
    pub async fn screenshot(&self, full_page: bool) -> Result<Vec<u8>, BrowserError> {
        let params = ScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .full_page(full_page)
            .build();
        Ok(self.page.screenshot(params).await?)
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

    /// Closes the tab.
    pub async fn close(self) -> Result<(), BrowserError> {
        Ok(self.page.close().await?)
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

//! What a session sends and keeps besides pages: cookies, extra request headers, the user
//! agent, blocked URLs, and the page's source.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::cdp::doing;
use super::{BrowserError, Session};

impl Session {
    /// The cookies the current page can see, as CDP cookie objects.
    pub async fn cookies(&self) -> Result<Vec<Value>, BrowserError> {
        let v = self
            .cdp("Network.getCookies", json!({}))
            .await
            .map_err(doing("reading the cookies"))?;
        Ok(v["cookies"].as_array().cloned().unwrap_or_default())
    }

    /// Sets a cookie: `cookie` holds CDP `Network.setCookie` fields (`name`, `value`, and
    /// `url` or `domain`, `path`, `expires`, `httpOnly`, `secure`, `sameSite`); without `url`
    /// and `domain` it is set for the current page's URL.
    pub async fn set_cookie(&self, cookie: Value) -> Result<(), BrowserError> {
        let Value::Object(mut params) = cookie else {
            return Err(BrowserError::Invalid("a cookie must be an object".into()));
        };
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| BrowserError::Invalid("a cookie needs a `name` (string)".into()))?
            .to_string();
        if !params.get("value").is_some_and(Value::is_string) {
            return Err(BrowserError::Invalid(format!(
                "cookie {name:?} needs a `value` (string)"
            )));
        }
        if !params.contains_key("url") && !params.contains_key("domain") {
            params.insert("url".into(), json!(self.url().await?));
        }
        let r = self
            .cdp("Network.setCookie", Value::Object(params))
            .await
            .map_err(doing(&format!("setting cookie {name:?}")))?;
        if r.get("success") == Some(&Value::Bool(false)) {
            return Err(BrowserError::Invalid(format!(
                "the browser refused cookie {name:?}"
            )));
        }
        Ok(())
    }

    /// Deletes the cookies named `name` that the current page can see.
    pub async fn delete_cookie(&self, name: &str) -> Result<(), BrowserError> {
        let url = self.url().await?;
        self.cdp("Network.deleteCookies", json!({ "name": name, "url": url }))
            .await
            .map_err(doing(&format!("deleting cookie {name:?}")))?;
        Ok(())
    }

    /// Deletes every cookie of this session's browser context.
    pub async fn clear_cookies(&self) -> Result<(), BrowserError> {
        self.cdp("Network.clearBrowserCookies", json!({}))
            .await
            .map_err(doing("clearing the cookies"))?;
        Ok(())
    }

    /// Sends `headers` with every request of this tab from now on (replacing those set
    /// before; the run's `traceparent` is kept).
    pub async fn set_extra_http_headers(
        &self,
        headers: BTreeMap<String, String>,
    ) -> Result<(), BrowserError> {
        if let Ok(mut h) = self.state.headers.lock() {
            h.extra = headers;
        }
        self.send_headers().await
    }

    /// Sets (or, with `None`, removes) the `traceparent` header every request carries.
    pub async fn set_traceparent(&self, traceparent: Option<&str>) -> Result<(), BrowserError> {
        if let Ok(mut h) = self.state.headers.lock() {
            h.traceparent = traceparent.map(str::to_string);
        }
        self.send_headers().await
    }

    async fn send_headers(&self) -> Result<(), BrowserError> {
        let headers = match self.state.headers.lock() {
            Ok(h) => {
                let mut all: serde_json::Map<String, Value> =
                    h.extra.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                if let Some(tp) = &h.traceparent {
                    all.insert("traceparent".into(), json!(tp));
                }
                all
            }
            Err(_) => serde_json::Map::new(),
        };
        self.cdp("Network.setExtraHTTPHeaders", json!({ "headers": headers }))
            .await
            .map_err(doing("setting the request headers"))?;
        Ok(())
    }

    /// Makes this tab send `user_agent` (to servers and as `navigator.userAgent`).
    pub async fn set_user_agent(&self, user_agent: &str) -> Result<(), BrowserError> {
        self.cdp(
            "Network.setUserAgentOverride",
            json!({ "userAgent": user_agent }),
        )
        .await
        .map_err(doing("setting the user agent"))?;
        Ok(())
    }

    /// Blocks the page's requests (resources, `fetch`, XHR) whose URL matches one of
    /// `patterns` (`*` is a wildcard); they fail with `net::ERR_BLOCKED_BY_CLIENT`.
    /// Navigations of the tab itself are not blocked (Chromium does not apply the list to
    /// them).
    pub async fn block_urls(&self, patterns: &[String]) -> Result<(), BrowserError> {
        self.cdp("Network.setBlockedURLs", json!({ "urls": patterns }))
            .await
            .map_err(doing("blocking URLs"))?;
        Ok(())
    }

    /// Lets every URL through again.
    pub async fn unblock_urls(&self) -> Result<(), BrowserError> {
        self.block_urls(&[]).await
    }

    /// The current frame's document as HTML.
    pub async fn page_source(&self) -> Result<String, BrowserError> {
        let html = self
            .evaluate(
                "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '') + document.documentElement.outerHTML",
            )
            .await?;
        Ok(html.as_str().unwrap_or_default().to_string())
    }
}

/// The request headers a session sends.
#[derive(Debug, Default)]
pub(super) struct Headers {
    extra: BTreeMap<String, String>,
    traceparent: Option<String>,
}

//! The webhook sink: each alert is POSTed as JSON to a URL, with a time limit per try and a
//! few tries with linear back-off. A webhook that is down costs at most its tries; the
//! failure is reported to the monitor, which logs it and goes on.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, USER_AGENT};

use super::alert::{alert_line, Alert, AlertError, AlertFuture, AlertSink};
use crate::executor::{Clock, SystemClock};

/// How a webhook is called.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WebhookOptions {
    /// Time limit of one try, connection included (default 5 s).
    pub timeout: Duration,
    /// Tries in all, at least 1 (default 3).
    pub attempts: u32,
    /// After failed try k, wait `backoff × k` before the next (default 0.5 s).
    pub backoff: Duration,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            timeout: Duration::from_secs(5),
            attempts: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// POSTs each alert's JSON to a URL. A 2xx answer is success; other answers, connection
/// errors and timeouts are tried again, except 4xx answers other than 408 and 429, which no
/// retry can change.
pub struct WebhookSink {
    url: reqwest::Url,
    client: reqwest::Client,
    options: WebhookOptions,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("url", &self.url.as_str())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl WebhookSink {
    /// A sink for `url` with the default options. Fails when the URL is not an `http://`
    /// URL: this build speaks plain HTTP only (no TLS), so an `https://` webhook needs an
    /// HTTP relay.
    pub fn new(url: &str) -> Result<WebhookSink, AlertError> {
        WebhookSink::with_options(url, WebhookOptions::default())
    }

    /// A sink for `url` with the given options; see [`WebhookSink::new`].
    pub fn with_options(url: &str, options: WebhookOptions) -> Result<WebhookSink, AlertError> {
        let bad = |message: String| AlertError::BadUrl {
            url: url.to_string(),
            message,
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        match parsed.scheme() {
            "http" => {}
            "https" => {
                return Err(bad(
                    "https is not supported (this build has no TLS); use an http:// endpoint or a local relay".into(),
                ))
            }
            other => return Err(bad(format!("scheme {other:?} is not http"))),
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host".into()));
        }
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .build()
            .map_err(|e| bad(format!("cannot set up an HTTP client: {}", error_chain(&e))))?;
        Ok(WebhookSink {
            url: parsed,
            client,
            options: WebhookOptions {
                attempts: options.attempts.max(1),
                ..options
            },
            clock: Arc::new(SystemClock),
        })
    }

    /// Replaces the clock the back-off sleeps go through.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// The URL.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// One try: `Ok` on 2xx, else the failure and whether trying again could help.
    async fn try_once(&self, body: &[u8]) -> Result<(), (String, bool)> {
        let sent = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, concat!("webrunner/", env!("CARGO_PKG_VERSION")))
            .body(body.to_vec())
            .send()
            .await;
        match sent {
            Ok(resp) if resp.status().is_success() => Ok(()),
            Ok(resp) => {
                let status = resp.status();
                let retry =
                    !status.is_client_error() || status.as_u16() == 408 || status.as_u16() == 429;
                Err((format!("answered HTTP {status}"), retry))
            }
            Err(e) if e.is_timeout() => Err((
                format!(
                    "no answer within {:.1} s",
                    self.options.timeout.as_secs_f64()
                ),
                true,
            )),
            Err(e) => Err((error_chain(&e), true)),
        }
    }
}

impl AlertSink for WebhookSink {
    fn send<'a>(&'a self, alert: &'a Alert) -> AlertFuture<'a> {
        Box::pin(async move {
            let body = alert_line(alert)?;
            let mut attempt = 0;
            loop {
                attempt += 1;
                let (message, retry) = match self.try_once(&body).await {
                    Ok(()) => return Ok(()),
                    Err(failure) => failure,
                };
                if !retry || attempt >= self.options.attempts {
                    return Err(AlertError::Webhook {
                        url: self.url.to_string(),
                        attempts: attempt,
                        message,
                    });
                }
                self.clock.sleep(self.options.backoff * attempt).await;
            }
        })
    }
}

/// An error and its causes, `outer: inner: innermost`, without repeats.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

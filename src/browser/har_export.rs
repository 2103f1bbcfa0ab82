//! A session's network capture as HAR 1.2 (`run --har`): pages, entries with request and
//! response headers, status, timings, sizes and MIME type, and response bodies when they
//! were asked for.

use chromiumoxide::cdp::browser_protocol::network::{self, ResourceTiming};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use webrunner_har::writer::{Creator, Entry, Har, Header, Log, NameValue, Response, Timings};

use super::network_log::NetworkLog;
use super::Session;

/// How long [`Session::har`] waits for responses that are still arriving.
const SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The HAR response (status, version, MIME type, headers) of a CDP response.
pub(super) fn response_of(r: &network::Response) -> Response {
    let version = http_version(r.protocol.as_deref());
    let mut out = Response::new(
        r.status,
        r.status_text.clone(),
        version,
        r.mime_type.clone(),
    );
    out.headers = headers(r.headers.inner());
    out
}

pub(super) fn headers(v: &Value) -> Vec<Header> {
    let mut out: Vec<Header> = v
        .as_object()
        .map(|m| {
            m.iter()
                .flat_map(|(k, v)| {
                    // CDP joins repeated headers with newlines.
                    let text = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    text.split('\n')
                        .map(|line| Header::new(k.clone(), line))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| {
        a.name
            .to_ascii_lowercase()
            .cmp(&b.name.to_ascii_lowercase())
    });
    out
}

pub(super) fn query_string(url: &str) -> Vec<NameValue> {
    let Some((_, query)) = url.split_once('?') else {
        return Vec::new();
    };
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            NameValue {
                name: n.to_string(),
                value: v.to_string(),
                comment: None,
            }
        })
        .collect()
}

pub(super) fn http_version(protocol: Option<&str>) -> String {
    match protocol {
        Some("h2") => "HTTP/2".into(),
        Some("h3") => "HTTP/3".into(),
        Some(p) if !p.is_empty() => p.to_ascii_uppercase(),
        _ => "HTTP/1.1".into(),
    }
}

pub(super) fn wall_time(seconds: f64) -> String {
    let nanos = (seconds * 1e9) as i128;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// HAR timings from CDP's resource timing (milliseconds relative to `request_time`) and the
/// time the body finished (seconds, same clock).
fn timings(t: Option<&ResourceTiming>, request_time: f64, end: Option<f64>) -> Timings {
    let mut out = Timings::default();
    let Some(t) = t else {
        if let Some(end) = end {
            out.wait = ((end - request_time) * 1000.0).max(0.0);
        }
        return out;
    };
    let span = |a: f64, b: f64| if a >= 0.0 && b >= a { b - a } else { -1.0 };
    let first = [t.dns_start, t.connect_start, t.send_start]
        .into_iter()
        .find(|v| *v >= 0.0)
        .unwrap_or(0.0);
    out.blocked = first.max(0.0);
    out.dns = span(t.dns_start, t.dns_end);
    out.connect = span(t.connect_start, t.connect_end);
    out.ssl = span(t.ssl_start, t.ssl_end);
    out.send = span(t.send_start, t.send_end).max(0.0);
    out.wait = span(t.send_end, t.receive_headers_end).max(0.0);
    out.receive = end
        .map(|e| ((e - t.request_time) * 1000.0 - t.receive_headers_end).max(0.0))
        .unwrap_or(0.0);
    out
}

/// The HAR of what `log` captured: every request that ended (one still in flight is left
/// out), with its page.
fn to_har(log: &NetworkLog, browser_version: Option<String>) -> Har {
    let mut har = Har {
        log: Log::new(Creator::new("webrunner", env!("CARGO_PKG_VERSION"))),
    };
    har.log.browser = browser_version.map(|v| {
        let (name, version) = v.split_once('/').unwrap_or(("Chromium", v.as_str()));
        Creator::new(name, version)
    });
    for id in &log.order {
        let Some(p) = log.pending.get(id) else {
            continue;
        };
        if p.end.is_none() {
            continue;
        }
        let Some(request) = p.request.clone() else {
            continue;
        };
        let response = match (p.response.clone(), &p.failed) {
            (Some(mut r), _) => {
                if let Some(total) = p.total_bytes {
                    let header_bytes = p.header_bytes.min(total);
                    r.headers_size = header_bytes as i64;
                    r.body_size = (total - header_bytes).max(0.0) as i64;
                    r.content.size = r.body_size;
                }
                if let Some(b) = &p.body {
                    let text = b["body"].as_str().unwrap_or_default().to_string();
                    let base64 = b["base64Encoded"].as_bool().unwrap_or(false);
                    if !base64 {
                        r.content.size = text.len() as i64;
                    }
                    r.content.text = Some(text);
                    r.content.encoding = base64.then(|| "base64".to_string());
                }
                r
            }
            (None, failed) => {
                let mut r = Response::new(0, "", "", "x-unknown");
                r.comment = failed.clone();
                r
            }
        };
        let t = timings(p.timing.as_ref(), p.request_time, p.end);
        let mut entry = Entry::new(p.started.clone(), request, response);
        entry.time = t.total_ms();
        entry.timings = t;
        entry.pageref = p.pageref.clone();
        entry.server_ip_address = p.server_ip.clone();
        entry.connection = p.connection.clone();
        har.log.entries.push(entry);
    }
    har.log.pages = log.pages.clone();
    har
}

impl Session {
    /// The HAR of this tab's traffic since the session opened. Responses still arriving
    /// (a body being fetched, the last bytes on their way) get up to a second to settle;
    /// requests still in flight after that are left out.
    pub async fn har(&self, browser_version: Option<String>) -> Har {
        // What the browser sent before now (the last response of the flow among it) is taken
        // in first; only then does "settled" mean anything.
        self.flush_events(true).await;
        let started = std::time::Instant::now();
        while !self.network_settled() && started.elapsed() < SETTLE_LIMIT {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        match self.state.events.network.lock() {
            Ok(log) => to_har(&log, browser_version),
            Err(_) => to_har(&NetworkLog::default(), browser_version),
        }
    }

    /// Keeps every request from now on (not only the last ten thousand) and, with `bodies`,
    /// fetches each response's body: what `run --har` needs.
    pub fn record_har(&self, bodies: bool) {
        self.state.events.record_har(bodies);
    }

    fn network_settled(&self) -> bool {
        self.state
            .events
            .network
            .lock()
            .map(|log| log.settled())
            .unwrap_or(true)
    }
}

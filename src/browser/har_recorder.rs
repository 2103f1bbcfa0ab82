//! Records a session's network traffic as HAR 1.2 from CDP `Network` and `Page` events:
//! pages (one per main-frame navigation), entries with request and response headers,
//! status, timings, sizes and MIME type, and response bodies only when asked for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
    ResourceTiming,
};
use chromiumoxide::cdp::browser_protocol::page::{EventFrameNavigated, EventLoadEventFired};
use futures::StreamExt;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use webrunner_har::writer::{
    Creator, Entry, Har, Header, Log, NameValue, Page, PageTimings, PostData, Request, Response,
    Timings,
};

use super::{BrowserError, Session};

/// One request in flight or finished.
#[derive(Debug, Default)]
struct Pending {
    pageref: Option<String>,
    started: String,
    request_time: f64,
    request: Option<Request>,
    response: Option<Response>,
    timing: Option<ResourceTiming>,
    header_bytes: f64,
    end: Option<f64>,
    failed: Option<String>,
    total_bytes: Option<f64>,
    body: Option<Value>,
    server_ip: Option<String>,
    connection: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    order: Vec<String>,
    pending: HashMap<String, Pending>,
    pages: Vec<Page>,
    page_start: f64,
    /// Response bodies asked for and not yet answered.
    bodies_in_flight: usize,
}

/// How long [`HarRecorder::finish`] waits for responses that are still arriving.
const SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Collects a session's traffic until [`HarRecorder::finish`].
pub struct HarRecorder {
    state: Arc<Mutex<State>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for HarRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HarRecorder").finish_non_exhaustive()
    }
}

fn headers(v: &Value) -> Vec<Header> {
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

fn query_string(url: &str) -> Vec<NameValue> {
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

fn http_version(protocol: Option<&str>) -> String {
    match protocol {
        Some("h2") => "HTTP/2".into(),
        Some("h3") => "HTTP/3".into(),
        Some(p) if !p.is_empty() => p.to_ascii_uppercase(),
        _ => "HTTP/1.1".into(),
    }
}

fn wall_time(seconds: f64) -> String {
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

impl HarRecorder {
    /// Starts recording `session`; with `content`, response bodies are fetched when each
    /// response finishes loading.
    pub async fn attach(session: &Session, content: bool) -> Result<HarRecorder, BrowserError> {
        let page = session.page();
        let state = Arc::new(Mutex::new(State::default()));
        let mut tasks = Vec::new();

        let mut sent = page.event_listener::<EventRequestWillBeSent>().await?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(e) = sent.next().await {
                let id = e.request_id.inner().clone();
                let req = &e.request;
                let mut request = Request::new(req.method.clone(), req.url.clone(), "HTTP/1.1");
                request.headers = headers(req.headers.inner());
                request.query_string = query_string(&req.url);
                if req.has_post_data == Some(true) {
                    let text: String = req
                        .post_data_entries
                        .iter()
                        .flatten()
                        .filter_map(|p| p.bytes.as_ref())
                        .filter_map(|b| {
                            use base64::Engine as _;
                            let text: &str = b.as_ref();
                            base64::engine::general_purpose::STANDARD.decode(text).ok()
                        })
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .collect();
                    let mime = request
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-type"))
                        .map(|h| h.value.clone())
                        .unwrap_or_default();
                    request.body_size = text.len() as i64;
                    request.post_data = Some(PostData {
                        mime_type: mime,
                        params: Vec::new(),
                        text,
                        comment: None,
                    });
                } else {
                    request.body_size = 0;
                }
                let Ok(mut s) = st.lock() else { return };
                let pageref = s.pages.last().map(|p| p.id.clone());
                // A redirect reuses the request id: the previous hop becomes its own entry.
                if let Some(r) = &e.redirect_response {
                    if let Some(mut prev) = s.pending.remove(&id) {
                        let hop = format!("{id}#{}", s.order.len());
                        s.order
                            .iter_mut()
                            .filter(|o| **o == id)
                            .for_each(|o| *o = hop.clone());
                        let mut resp = Response::new(
                            r.status,
                            r.status_text.clone(),
                            http_version(r.protocol.as_deref()),
                            r.mime_type.clone(),
                        );
                        resp.headers = headers(r.headers.inner());
                        resp.redirect_url = req.url.clone();
                        prev.response = Some(resp);
                        prev.timing = r.timing.clone();
                        prev.end = Some(*e.timestamp.inner());
                        s.pending.insert(hop, prev);
                    }
                }
                // Events of one request reach their listeners in any order across listeners,
                // so every listener fills its part of the same entry.
                if !s.pending.contains_key(&id) {
                    s.order.push(id.clone());
                }
                let p = s.pending.entry(id).or_default();
                if p.pageref.is_none() {
                    p.pageref = pageref;
                }
                p.started = wall_time(*e.wall_time.inner());
                p.request_time = *e.timestamp.inner();
                if let (Some(old), true) = (&p.request, request.headers.is_empty()) {
                    request.headers = old.headers.clone();
                }
                let version = p.request.as_ref().map(|r| r.http_version.clone());
                p.request = Some(request);
                if let (Some(v), Some(r)) = (version, p.request.as_mut()) {
                    r.http_version = v;
                }
            }
        }));

        let mut received = page.event_listener::<EventResponseReceived>().await?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(e) = received.next().await {
                let r = &e.response;
                let mut resp = Response::new(
                    r.status,
                    r.status_text.clone(),
                    http_version(r.protocol.as_deref()),
                    r.mime_type.clone(),
                );
                resp.headers = headers(r.headers.inner());
                resp.redirect_url = resp
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("location"))
                    .map(|h| h.value.clone())
                    .unwrap_or_default();
                let Ok(mut s) = st.lock() else { return };
                let id = e.request_id.inner().clone();
                if !s.pending.contains_key(&id) {
                    s.order.push(id.clone());
                }
                let p = s.pending.entry(id).or_default();
                let req = p
                    .request
                    .get_or_insert_with(|| Request::new("GET", r.url.clone(), "HTTP/1.1"));
                req.http_version = resp.http_version.clone();
                if let Some(h) = &r.request_headers {
                    req.headers = headers(h.inner());
                }
                p.header_bytes = r.encoded_data_length;
                p.timing = r.timing.clone();
                p.server_ip = r.remote_ip_address.clone();
                p.connection = Some(format!("{}", r.connection_id as i64));
                p.response = Some(resp);
            }
        }));

        let mut finished = page.event_listener::<EventLoadingFinished>().await?;
        let st = state.clone();
        let body_session = content.then(|| session.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(e) = finished.next().await {
                let id = e.request_id.inner().clone();
                {
                    let Ok(mut s) = st.lock() else { return };
                    if !s.pending.contains_key(&id) {
                        s.order.push(id.clone());
                    }
                    let p = s.pending.entry(id.clone()).or_default();
                    p.end = Some(*e.timestamp.inner());
                    p.total_bytes = Some(e.encoded_data_length);
                    if body_session.is_some() {
                        s.bodies_in_flight += 1;
                    }
                }
                let Some(session) = &body_session else {
                    continue;
                };
                let body = session
                    .cdp("Network.getResponseBody", json!({ "requestId": id }))
                    .await
                    .ok();
                let Ok(mut s) = st.lock() else { return };
                s.bodies_in_flight -= 1;
                if let Some(p) = s.pending.get_mut(&id) {
                    p.body = body;
                }
            }
        }));

        let mut failed = page.event_listener::<EventLoadingFailed>().await?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(e) = failed.next().await {
                let Ok(mut s) = st.lock() else { return };
                let id = e.request_id.inner().clone();
                if !s.pending.contains_key(&id) {
                    s.order.push(id.clone());
                }
                let p = s.pending.entry(id).or_default();
                p.end = Some(*e.timestamp.inner());
                p.failed = Some(e.error_text.clone());
            }
        }));

        let mut navigated = page.event_listener::<EventFrameNavigated>().await?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(e) = navigated.next().await {
                if e.frame.parent_id.is_some() {
                    continue;
                }
                let Ok(mut s) = st.lock() else { return };
                let id = format!("page_{}", s.pages.len() + 1);
                let started = time::OffsetDateTime::now_utc()
                    .format(&Rfc3339)
                    .unwrap_or_default();
                s.pages.push(Page {
                    started_date_time: started,
                    id: id.clone(),
                    title: e.frame.url.clone(),
                    page_timings: PageTimings {
                        on_content_load: -1.0,
                        on_load: -1.0,
                        comment: None,
                    },
                    comment: None,
                });
                // The document request itself came before the navigation committed.
                for p in s.pending.values_mut() {
                    if p.pageref.is_none() {
                        p.pageref = Some(id.clone());
                    }
                }
                s.page_start = 0.0;
            }
        }));

        let mut loaded = page.event_listener::<EventLoadEventFired>().await?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(e) = loaded.next().await {
                let Ok(mut s) = st.lock() else { return };
                let page_id = s.pages.last().map(|p| p.id.clone());
                let start = s
                    .pending
                    .values()
                    .filter(|p| p.pageref == page_id)
                    .map(|p| p.request_time)
                    .fold(f64::INFINITY, f64::min);
                if let Some(page) = s.pages.last_mut() {
                    if start.is_finite() {
                        page.page_timings.on_load =
                            ((*e.timestamp.inner() - start) * 1000.0).max(0.0);
                    }
                }
            }
        }));

        session.cdp("Network.enable", json!({})).await?;
        session.cdp("Page.enable", json!({})).await?;
        Ok(HarRecorder { state, tasks })
    }

    /// Whether no body is being fetched and every answered request has finished loading.
    fn settled(&self) -> bool {
        let Ok(s) = self.state.lock() else {
            return true;
        };
        s.bodies_in_flight == 0
            && s.pending
                .values()
                .all(|p| p.end.is_some() || p.response.is_none())
    }

    /// Stops recording and returns the HAR. Responses that are still arriving (a body being
    /// fetched, a response whose last bytes are on their way) get up to a second to settle;
    /// requests still in flight after that are left out.
    pub async fn finish(self, browser_version: Option<String>) -> Har {
        let started = std::time::Instant::now();
        while !self.settled() && started.elapsed() < SETTLE_LIMIT {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        for t in &self.tasks {
            t.abort();
        }
        let mut har = Har {
            log: Log::new(Creator::new("webrunner", env!("CARGO_PKG_VERSION"))),
        };
        har.log.browser = browser_version.map(|v| {
            let (name, version) = v.split_once('/').unwrap_or(("Chromium", v.as_str()));
            Creator::new(name, version)
        });
        let Ok(mut s) = self.state.lock() else {
            return har;
        };
        let order = std::mem::take(&mut s.order);
        for id in order {
            let Some(p) = s.pending.remove(&id) else {
                continue;
            };
            if p.end.is_none() {
                continue;
            }
            let Some(request) = p.request else { continue };
            let response = match (p.response, &p.failed) {
                (Some(mut r), _) => {
                    if let Some(total) = p.total_bytes {
                        let header_bytes = p.header_bytes.min(total);
                        r.headers_size = header_bytes as i64;
                        r.body_size = (total - header_bytes).max(0.0) as i64;
                        r.content.size = r.body_size;
                    }
                    if let Some(b) = p.body {
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
            let mut entry = Entry::new(p.started, request, response);
            entry.time = t.total_ms();
            entry.timings = t;
            entry.pageref = p.pageref;
            entry.server_ip_address = p.server_ip;
            entry.connection = p.connection;
            har.log.entries.push(entry);
        }
        har.log.pages = std::mem::take(&mut s.pages);
        har
    }
}

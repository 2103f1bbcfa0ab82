//! A session's network traffic as it happens, from CDP `Network` and `Page` events: one
//! capture that serves both the evidence of each action ([`NetworkEntry`]: method, URL,
//! status, timing, size, failure, the action that sent it) and `run --har` (pages, headers,
//! timings and bodies, turned into HAR by `har_export`).

use std::collections::{HashMap, VecDeque};

use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
    ResourceTiming,
};
use chromiumoxide::cdp::browser_protocol::page::{EventFrameNavigated, EventLoadEventFired};
use serde_json::Value;
use webrunner_har::writer::{Header, Page, PageTimings, PostData, Request, Response};
use webrunner_record::NetworkEntry;

use super::har_export::{headers, query_string, response_of, wall_time};

/// One request in flight or finished.
#[derive(Debug, Default)]
pub(super) struct Pending {
    pub(super) pageref: Option<String>,
    /// Wall-clock start, RFC 3339.
    pub(super) started: String,
    /// Wall-clock start, milliseconds since the Unix epoch.
    pub(super) started_ms: f64,
    /// Start on the browser's monotonic clock (seconds).
    pub(super) request_time: f64,
    pub(super) request: Option<Request>,
    pub(super) response: Option<Response>,
    pub(super) timing: Option<ResourceTiming>,
    pub(super) header_bytes: f64,
    /// End on the browser's monotonic clock (seconds).
    pub(super) end: Option<f64>,
    pub(super) failed: Option<String>,
    pub(super) total_bytes: Option<f64>,
    pub(super) body: Option<Value>,
    pub(super) server_ip: Option<String>,
    pub(super) connection: Option<String>,
    pub(super) resource_type: Option<String>,
    /// The action that was running when it was sent.
    pub(super) action: Option<usize>,
}

impl Pending {
    /// The request as evidence.
    fn entry(&self) -> Option<NetworkEntry> {
        let request = self.request.as_ref()?;
        let status = self.response.as_ref().map(|r| r.status);
        Some(NetworkEntry {
            method: request.method.clone(),
            url: request.url.clone(),
            status,
            mime_type: self.response.as_ref().map(|r| r.content.mime_type.clone()),
            resource_type: self.resource_type.clone(),
            timestamp_ms: self.started_ms,
            duration_ms: self
                .end
                .map(|end| ((end - self.request_time) * 1000.0).max(0.0)),
            size: self.total_bytes,
            failure: self.failed.clone(),
            action: self.action,
        })
    }
}

/// What a session's network did; see the module documentation.
#[derive(Debug, Default)]
pub(super) struct NetworkLog {
    /// Request ids (a redirect hop gets `id#n`) in the order they were sent.
    pub(super) order: VecDeque<String>,
    pub(super) pending: HashMap<String, Pending>,
    pub(super) pages: Vec<Page>,
    /// Response bodies asked for and not yet answered.
    pub(super) bodies_in_flight: usize,
}

impl NetworkLog {
    /// A request was sent while action `action` ran. Keeps at most `keep` requests (the
    /// oldest go first).
    pub(super) fn on_request(
        &mut self,
        e: &EventRequestWillBeSent,
        action: Option<usize>,
        keep: usize,
    ) {
        let id = e.request_id.inner().clone();
        let mut request = request_of(e);
        let pageref = self.pages.last().map(|p| p.id.clone());
        // A redirect reuses the request id: the previous hop becomes its own entry.
        if let Some(r) = &e.redirect_response {
            if let Some(mut prev) = self.pending.remove(&id) {
                let hop = format!("{id}#{}", self.order.len());
                if let Some(o) = self.order.iter_mut().rev().find(|o| **o == id) {
                    *o = hop.clone();
                }
                let mut resp = response_of(r);
                resp.redirect_url = e.request.url.clone();
                prev.response = Some(resp);
                prev.timing = r.timing.clone();
                prev.end = Some(*e.timestamp.inner());
                self.pending.insert(hop, prev);
            }
        }
        let p = self.slot(&id);
        if p.pageref.is_none() {
            p.pageref = pageref;
        }
        p.started = wall_time(*e.wall_time.inner());
        p.started_ms = *e.wall_time.inner() * 1000.0;
        p.request_time = *e.timestamp.inner();
        p.resource_type = e.r#type.as_ref().map(|t| t.as_ref().to_string());
        p.action = action;
        // Events of one request may come in any order: keep what the response told first.
        if let (Some(old), true) = (&p.request, request.headers.is_empty()) {
            request.headers = old.headers.clone();
        }
        if let Some(old) = &p.request {
            request.http_version = old.http_version.clone();
        }
        p.request = Some(request);
        while self.order.len() > keep {
            if let Some(old) = self.order.pop_front() {
                self.pending.remove(&old);
            }
        }
    }

    /// The entry of request `id`, created (and placed last) when new.
    fn slot(&mut self, id: &str) -> &mut Pending {
        if !self.pending.contains_key(id) {
            self.order.push_back(id.to_string());
        }
        self.pending.entry(id.to_string()).or_default()
    }

    /// A response's headers arrived.
    pub(super) fn on_response(&mut self, e: &EventResponseReceived) {
        let r = &e.response;
        let mut resp = response_of(r);
        resp.redirect_url = location(&resp.headers);
        let p = self.slot(e.request_id.inner());
        let req = p
            .request
            .get_or_insert_with(|| Request::new("GET", r.url.clone(), "HTTP/1.1"));
        req.http_version = resp.http_version.clone();
        if let Some(h) = &r.request_headers {
            req.headers = headers(h.inner());
        }
        if p.resource_type.is_none() {
            p.resource_type = Some(e.r#type.as_ref().to_string());
        }
        p.header_bytes = r.encoded_data_length;
        p.timing = r.timing.clone();
        p.server_ip = r.remote_ip_address.clone();
        p.connection = Some(format!("{}", r.connection_id as i64));
        p.response = Some(resp);
    }

    /// A response finished loading; with `bodies`, its body is being fetched (returns true).
    pub(super) fn on_finished(&mut self, e: &EventLoadingFinished, bodies: bool) -> bool {
        let p = self.slot(e.request_id.inner());
        p.end = Some(*e.timestamp.inner());
        p.total_bytes = Some(e.encoded_data_length);
        let fetch = bodies && p.response.is_some();
        if fetch {
            self.bodies_in_flight += 1;
        }
        fetch
    }

    /// The body of request `id` (the answer to `Network.getResponseBody`) arrived.
    pub(super) fn on_body(&mut self, id: &str, body: Option<Value>) {
        self.bodies_in_flight = self.bodies_in_flight.saturating_sub(1);
        if let Some(p) = self.pending.get_mut(id) {
            p.body = body;
        }
    }

    /// A request failed (a network error, blocked, cancelled).
    pub(super) fn on_failed(&mut self, e: &EventLoadingFailed) {
        let p = self.slot(e.request_id.inner());
        p.end = Some(*e.timestamp.inner());
        let mut reason = e.error_text.clone();
        if let Some(blocked) = &e.blocked_reason {
            reason.push_str(&format!(" (blocked: {})", blocked.as_ref()));
        }
        if e.canceled == Some(true) && !reason.contains("ABORTED") {
            reason.push_str(" (cancelled)");
        }
        p.failed = Some(reason);
        if p.resource_type.is_none() {
            p.resource_type = Some(e.r#type.as_ref().to_string());
        }
    }

    /// A frame navigated: a main-frame navigation opens a new HAR page.
    pub(super) fn on_navigated(&mut self, e: &EventFrameNavigated) {
        if e.frame.parent_id.is_some() {
            return;
        }
        let id = format!("page_{}", self.pages.len() + 1);
        let started = wall_time(now_seconds());
        self.pages.push(Page {
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
        for p in self.pending.values_mut() {
            if p.pageref.is_none() {
                p.pageref = Some(id.clone());
            }
        }
    }

    /// The current page fired `load`.
    pub(super) fn on_load(&mut self, e: &EventLoadEventFired) {
        let page_id = self.pages.last().map(|p| p.id.clone());
        let start = self
            .pending
            .values()
            .filter(|p| p.pageref == page_id)
            .map(|p| p.request_time)
            .fold(f64::INFINITY, f64::min);
        if let Some(page) = self.pages.last_mut() {
            if start.is_finite() {
                page.page_timings.on_load = ((*e.timestamp.inner() - start) * 1000.0).max(0.0);
            }
        }
    }

    /// Whether no body is being fetched and every answered request has finished loading.
    pub(super) fn settled(&self) -> bool {
        self.bodies_in_flight == 0
            && self
                .pending
                .values()
                .all(|p| p.end.is_some() || p.response.is_none())
    }

    /// Every request, in the order sent.
    pub(super) fn entries(&self) -> Vec<NetworkEntry> {
        let mut out: Vec<NetworkEntry> = self
            .order
            .iter()
            .filter_map(|id| self.pending.get(id)?.entry())
            .collect();
        // The events of two requests may be taken in out of order: the browser's time rules.
        out.sort_by(|a, b| a.timestamp_ms.total_cmp(&b.timestamp_ms));
        out
    }

    /// The requests sent while action `index` ran (the log is in the order sent, so this
    /// looks back only as far as that action's first request).
    pub(super) fn entries_of(&self, index: usize) -> Vec<NetworkEntry> {
        let mut out: Vec<NetworkEntry> = self
            .order
            .iter()
            .rev()
            .filter_map(|id| self.pending.get(id))
            .take_while(|p| p.action.is_some_and(|a| a >= index))
            .filter(|p| p.action == Some(index))
            .filter_map(Pending::entry)
            .collect();
        out.reverse();
        out.sort_by(|a, b| a.timestamp_ms.total_cmp(&b.timestamp_ms));
        out
    }
}

/// The HAR request of a `requestWillBeSent`.
fn request_of(e: &EventRequestWillBeSent) -> Request {
    let req = &e.request;
    let mut request = Request::new(req.method.clone(), req.url.clone(), "HTTP/1.1");
    request.headers = headers(req.headers.inner());
    request.query_string = query_string(&req.url);
    request.body_size = 0;
    if req.has_post_data == Some(true) {
        use base64::Engine as _;
        let text: String = req
            .post_data_entries
            .iter()
            .flatten()
            .filter_map(|p| p.bytes.as_ref())
            .filter_map(|b| {
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
    }
    request
}

fn location(headers: &[Header]) -> String {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("location"))
        .map(|h| h.value.clone())
        .unwrap_or_default()
}

/// Now in seconds since the Unix epoch.
fn now_seconds() -> f64 {
    now_ms() / 1000.0
}

/// Now in milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default()
}

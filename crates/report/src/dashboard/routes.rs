//! The dashboard's routes and the layer every response passes through: security headers
//! on all of them, and on a loopback server the refusal of non-loopback `Host` names.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body::{Frame, SizeHint};
use serde::Deserialize;
use webrunner_record::Summary;

use crate::live::LiveRun;
use crate::screenshots::image_type;

const APP_JS: &str = include_str!("../../assets/dashboard/app.js");
const APP_CSS: &str = include_str!("../../assets/dashboard/app.css");

/// The largest screenshot the dashboard serves.
const MAX_SCREENSHOT_BYTES: u64 = 64 * 1024 * 1024;

/// The router over `live`; `loopback_only` turns on the `Host` check.
pub fn router(live: LiveRun, loopback_only: bool) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/app.js", get(app_js))
        .route("/app.css", get(app_css))
        .route("/records", get(records))
        .route("/screenshots/{name}", get(screenshot))
        .fallback(not_found)
        .with_state(live)
        .layer(middleware::from_fn_with_state(loopback_only, guard))
}

/// Adds the security headers to every response, and refuses requests addressed to a
/// non-loopback name when the server listens on loopback.
async fn guard(State(loopback_only): State<bool>, request: Request, next: Next) -> Response {
    let mut response = if loopback_only && !host_is_loopback(request.headers().get(header::HOST)) {
        text(
            StatusCode::FORBIDDEN,
            "this dashboard answers only to loopback host names (localhost, 127.0.0.1, [::1])\n",
        )
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// True when a `Host` header names a loopback host (or is absent, as from HTTP/1.0 tools).
fn host_is_loopback(host: Option<&HeaderValue>) -> bool {
    let Some(host) = host else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, _)) => return ip.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()),
            None => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The page, with the run as it is now (see `templates/dashboard/index.html`).
#[derive(askama::Template)]
#[template(path = "dashboard/index.html")]
struct Page {
    summary: Summary,
    planned: usize,
    finished: bool,
    running: String,
}

async fn index(State(live): State<LiveRun>) -> Response {
    let (summary, planned, finished, running) = live.first_paint();
    let page = Page {
        summary,
        planned,
        finished,
        running,
    };
    match askama::Template::render(&page) {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        // Rendering into a String only fails if a value's Display does; none of these do.
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot render the page\n",
        ),
    }
}

async fn app_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
        .into_response()
}

async fn app_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS).into_response()
}

async fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "not found\n")
}

#[derive(Deserialize)]
struct RecordsQuery {
    since: Option<usize>,
}

async fn records(State(live): State<LiveRun>, Query(q): Query<RecordsQuery>) -> Response {
    let (head, tail) = live.payload_chunks(q.since.unwrap_or(0));
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::new(Chunks::new([head, tail])),
    )
        .into_response()
}

async fn screenshot(State(live): State<LiveRun>, Path(name): Path<String>) -> Response {
    // The name is only ever a key into the records' own screenshots, never part of a path.
    let Some(path) = live.screenshot(&name) else {
        return not_found().await;
    };
    let small = tokio::fs::metadata(&path)
        .await
        .is_ok_and(|m| m.is_file() && m.len() <= MAX_SCREENSHOT_BYTES);
    if !small {
        return not_found().await;
    }
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return not_found().await;
    };
    match image_type(&bytes) {
        Some(mime) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        None => not_found().await,
    }
}

/// A response body made of a few shared byte chunks, with its exact length known (so it is
/// sent with `Content-Length`, without copying the chunks together).
struct Chunks {
    chunks: VecDeque<Bytes>,
    remaining: u64,
}

impl Chunks {
    fn new<const N: usize>(chunks: [Bytes; N]) -> Chunks {
        let remaining = chunks.iter().map(|c| c.len() as u64).sum();
        Chunks {
            chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect(),
            remaining,
        }
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        Poll::Ready(this.chunks.pop_front().map(|chunk| {
            this.remaining -= chunk.len() as u64;
            Ok(Frame::data(chunk))
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    #[test]
    fn loopback_host_names_pass_and_others_do_not() {
        for ok in [
            "localhost",
            "localhost:8080",
            "LOCALHOST.",
            "app.localhost:1",
            "127.0.0.1:9",
            "127.1.2.3",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(host_is_loopback(Some(&h(ok))), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "10.0.0.1",
            "[::2]:80",
            "[::1",
            "localhost.evil.example",
            "0.0.0.0",
        ] {
            assert!(!host_is_loopback(Some(&h(bad))), "{bad}");
        }
        assert!(host_is_loopback(None));
    }
}

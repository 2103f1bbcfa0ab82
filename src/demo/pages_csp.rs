//! Pages with a Content-Security-Policy for the CSP collector (`/probes/csp-*`): an inline
//! script blocked while the page loads, a data: image blocked on a second page, a
//! report-only policy whose inline script runs but is reported, and a page without a policy.

use axum::http::header::{HeaderName, CONTENT_SECURITY_POLICY};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

const REPORT_ONLY: HeaderName = HeaderName::from_static("content-security-policy-report-only");

/// A 1×1 GIF as a data: URI (blocked where `img-src` leaves out `data:`).
const PIXEL: &str = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";

const INLINE: &str = "<!doctype html><title>CSP inline</title>\
<p id=status>blocked</p>\
<script>document.getElementById('status').textContent = 'ran';</script>\
<a id=next href=\"/probes/csp-image\">next</a>";

fn image() -> String {
    format!(
        "<!doctype html><title>CSP image</title><p id=status>image page</p>\
         <img id=pixel alt=pixel src=\"{PIXEL}\">"
    )
}

const REPORTED: &str = "<!doctype html><title>CSP report-only</title>\
<p id=status>blocked</p>\
<script>document.getElementById('status').textContent = 'ran';</script>";

const CLEAN: &str = "<!doctype html><title>CSP clean</title><p id=status>clean</p>\
<script>document.getElementById('status').textContent = 'ran';</script>";

/// The routes of these pages.
pub(super) fn routes() -> Router {
    Router::new()
        .route(
            "/probes/csp-inline",
            get(|| async {
                (
                    [(CONTENT_SECURITY_POLICY, "script-src 'self'")],
                    Html(INLINE),
                )
            }),
        )
        .route(
            "/probes/csp-image",
            get(|| async {
                ([(CONTENT_SECURITY_POLICY, "img-src 'self'")], Html(image())).into_response()
            }),
        )
        .route(
            "/probes/csp-report-only",
            get(|| async { ([(REPORT_ONLY, "script-src 'self'")], Html(REPORTED)) }),
        )
        .route("/probes/csp-clean", get(|| async { Html(CLEAN) }))
}

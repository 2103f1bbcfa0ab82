//! The built-in demo site: a few real pages served by axum on loopback (a login form, a
//! product list, a button whose result appears after a delay, an element that appears late,
//! a playground of form elements, and the interaction pages of [`interaction_pages`]: forms,
//! hover, frames, windows, dialogs, timing, drag and drop, keys, storage), plus the bundled
//! flow that `webrunner demo` runs.
//! Every page shows the W3C `traceparent` header its request carried.

mod interaction_pages;
mod pages;
mod pages_csp;
pub mod pages_input;
mod pages_page;
mod pages_probes;

use std::net::SocketAddr;

use axum::extract::{Form, Query};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;

/// The flow `webrunner demo` runs; `{base}` stands for the site's address.
pub const DEMO_FLOW: &str = include_str!("demo_flow.json");

/// A running demo site; stops when dropped.
#[derive(Debug)]
pub struct DemoSite {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl DemoSite {
    /// Serves the site on `127.0.0.1` at a free port.
    pub async fn start() -> std::io::Result<DemoSite> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router()).await;
        });
        Ok(DemoSite { addr, task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bundled demo flow with this site's address filled in.
    pub fn flow_text(&self) -> String {
        DEMO_FLOW.replace("{base}", &self.base_url())
    }
}

impl Drop for DemoSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn traceparent(headers: &HeaderMap) -> String {
    headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// `body` in the site's layout (see [`pages::Page`]).
fn page(headers: &HeaderMap, body: &'static str) -> Html<String> {
    render(&pages::Page::new(body, &traceparent(headers)))
}

/// A page template rendered; rendering into a String fails only if a value's `Display` does,
/// and none of the pages' values do.
fn render(page: &impl askama::Template) -> Html<String> {
    Html(page.render().unwrap_or_default())
}

#[derive(serde::Deserialize)]
struct Login {
    username: String,
    password: String,
}

#[derive(serde::Deserialize)]
struct Delay {
    ms: Option<u64>,
}

fn router() -> Router {
    let mut router = Router::new();
    for &(path, body) in interaction_pages::ALL {
        router = router.route(path, get(move |h: HeaderMap| async move { page(&h, body) }));
    }
    router
        .route(
            "/",
            get(|h: HeaderMap| async move { page(&h, pages::INDEX) }),
        )
        .route(
            "/login",
            get(|h: HeaderMap| async move { page(&h, pages::LOGIN) }),
        )
        .route(
            "/login",
            post(|h: HeaderMap, Form(f): Form<Login>| async move {
                if f.username.is_empty() || f.password != "secret" {
                    page(&h, pages::LOGIN_FAILED)
                } else {
                    render(&pages::Welcome {
                        user: &f.username,
                        traceparent: &traceparent(&h),
                    })
                }
            }),
        )
        .route(
            "/products",
            get(|h: HeaderMap| async move { page(&h, pages::PRODUCTS) }),
        )
        .route(
            "/delayed",
            get(|h: HeaderMap| async move { page(&h, pages::DELAYED) }),
        )
        .route(
            "/late",
            get(|h: HeaderMap| async move { page(&h, pages::LATE) }),
        )
        .route(
            "/playground",
            get(|h: HeaderMap| async move { page(&h, pages::PLAYGROUND) }),
        )
        .route("/input/wait", get(|| async { Html(pages_input::WAIT) }))
        .route("/input/forms", get(|| async { Html(pages_input::FORMS) }))
        .route(
            "/api/slow",
            get(|Query(d): Query<Delay>| async move {
                let ms = d.ms.unwrap_or(600).min(10_000);
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                axum::Json(serde_json::json!({ "result": "Loaded after delay" }))
            }),
        )
        .route(
            "/pages/slow-load",
            get(|h: HeaderMap| async move { page(&h, pages_page::SLOW_LOAD) }),
        )
        .route(
            "/pages/never-loads",
            get(|h: HeaderMap| async move { page(&h, pages_page::NEVER_LOADS) }),
        )
        .route(
            "/pages/dialogs",
            get(|h: HeaderMap| async move { page(&h, pages_page::DIALOGS) }),
        )
        .route(
            "/pages/frames",
            get(|h: HeaderMap| async move { page(&h, pages_page::FRAMES) }),
        )
        .route(
            "/pages/frame-child",
            get(|h: HeaderMap| async move { page(&h, pages_page::FRAME_CHILD) }),
        )
        .route(
            "/pages/frame-grandchild",
            get(|h: HeaderMap| async move { page(&h, pages_page::FRAME_GRANDCHILD) }),
        )
        .route(
            "/pages/windows",
            get(|h: HeaderMap| async move { page(&h, pages_page::WINDOWS) }),
        )
        .route(
            "/pages/second-window",
            get(|h: HeaderMap| async move { page(&h, pages_page::SECOND_WINDOW) }),
        )
        .route(
            "/pages/console",
            get(|h: HeaderMap| async move { page(&h, pages_page::CONSOLE) }),
        )
        .route(
            "/pages/evidence",
            get(|h: HeaderMap| async move { page(&h, pages_page::EVIDENCE) }),
        )
        .route(
            "/probes/leak",
            get(|h: HeaderMap| async move { page(&h, pages_probes::LEAK) }),
        )
        .route(
            "/probes/clean",
            get(|h: HeaderMap| async move { page(&h, pages_probes::CLEAN) }),
        )
        .route("/pages/slow-image", get(pages_page::slow_image))
        .route("/pages/status", get(pages_page::status))
        .merge(pages_csp::routes())
        .route(
            "/api/traceparent",
            get(|h: HeaderMap| async move {
                axum::Json(serde_json::json!({ "traceparent": traceparent(&h) }))
            }),
        )
}

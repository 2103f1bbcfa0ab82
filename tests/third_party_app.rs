//! A real third-party web application, not written here: TodoMVC's vanilla JavaScript
//! example from the npm package `todomvc` 0.1.1, which `scripts/setup` unpacks into the cache
//! folder (never into the repository). It is served on loopback and driven by
//! `examples/python_style/third_party/todomvc.json`, a flow in the Python WebRunner's command
//! vocabulary that adds three items by typing and Enter, edits one by double-click,
//! completes one, deletes one through its hover-only button, filters and clears completed.
//! Without the app the test skips with a note, except under `CI=true` where it fails.

mod common;

use std::path::{Path, PathBuf};

use axum::extract::Path as UrlPath;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::{executor, rt};
use webrunner::{parse_flow, Settings, Status};

/// Where `scripts/setup` unpacks the app (same rule as there).
fn app_dir() -> PathBuf {
    let cache = std::env::var_os("WEBRUNNER_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("webrunner")))
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/webrunner")
        });
    cache.join("todomvc-0.1.1/examples/vanillajs")
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Serves the files under `root` (no path leaves it).
async fn serve_file(root: PathBuf, rel: String) -> Response {
    if rel.split('/').any(|part| part == ".." || part.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = root.join(&rel);
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&path))], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Starts the static server on a free loopback port; returns its base URL.
async fn serve(root: PathBuf) -> String {
    let app = Router::new().route(
        "/{*path}",
        get(move |UrlPath(rel): UrlPath<String>| serve_file(root.clone(), rel)),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[test]
fn todomvc_items_are_added_edited_completed_and_deleted() {
    let dir = app_dir();
    if !dir.join("index.html").is_file() {
        let note = format!(
            "TodoMVC is not installed at {} (scripts/setup installs it)",
            dir.display()
        );
        common::missing_tool(&note);
        return;
    }
    let flow_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/python_style/third_party/todomvc.json");
    let text = std::fs::read_to_string(&flow_path).unwrap();
    rt().block_on(async {
        let base = serve(dir).await;
        let flow = parse_flow("todomvc.json", &text.replace("{base}", &base)).unwrap();
        let mut ex = executor().await;
        // Up to 30 s an action: a shared, busy machine (nothing here depends on it).
        ex.set_settings(Settings {
            action_timeout: std::time::Duration::from_secs(30),
            ..Settings::default()
        });
        let records = ex.run_flow(&flow).await.to_vec();
        ex.shutdown().await;
        let failed: Vec<String> = records
            .iter()
            .filter(|r| r.status != Status::Passed)
            .map(|r| {
                format!(
                    "  action {} {} {:?}: {}",
                    r.index,
                    r.command,
                    r.kwargs,
                    r.error.as_deref().unwrap_or("(no error)")
                )
            })
            .collect();
        assert!(
            failed.is_empty(),
            "todomvc.json: {} of {} actions did not pass:\n{}",
            failed.len(),
            records.len(),
            failed.join("\n")
        );
        // The app's own storage holds what the flow left: one item, edited, not completed.
        let stored = records
            .iter()
            .rev()
            .find(|r| r.command == "WR_local_storage_get")
            .map(|r| r.result.clone())
            .unwrap();
        let todos: serde_json::Value = serde_json::from_str(stored.as_str().unwrap()).unwrap();
        let todos = todos["todos"].as_array().unwrap();
        assert_eq!(todos.len(), 1, "{todos:?}");
        assert_eq!(todos[0]["title"], "Buy oat milk");
        assert_eq!(todos[0]["completed"], false);
    });
}

/// The same flow through the Python WebRunner (`je_web_runner`, Selenium, chromedriver):
/// proves it is written the way that runner reads it.
#[test]
fn todomvc_flow_passes_in_the_python_webrunner() {
    if !common::python_webrunner_available() {
        return;
    }
    let dir = app_dir();
    if !dir.join("index.html").is_file() {
        // todomvc_items_are_added_edited_completed_and_deleted says so (and fails under CI).
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = rt().block_on(serve(dir));
    let output = std::process::Command::new("python3")
        .arg(root.join("bench/py/run_flows.py"))
        .args(["--base", &base])
        .arg(root.join("examples/python_style/third_party/todomvc.json"))
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "the flow failed in the Python WebRunner:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

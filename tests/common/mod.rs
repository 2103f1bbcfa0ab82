//! Shared fixtures of the integration tests: one tokio runtime, one Chromium and one demo
//! site per test binary; each test gets its own tab through its own executor. [`cli`] runs
//! the `webrunner` binary.
#![allow(dead_code)]

pub mod cli;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use webrunner::browser::{Browser, BrowserOptions};
use webrunner::demo::DemoSite;
use webrunner::Executor;

/// How long a test waits for something that must end before it calls it a hang and fails.
/// Not a speed limit: what a test proves never depends on it.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// The runtime every test of this binary runs on (the browser lives on it).
pub fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// A Chromium of the caller's own. Tests fail (never skip) when it cannot start.
pub async fn launch() -> Browser {
    Browser::launch(BrowserOptions::default())
        .await
        .unwrap_or_else(|e| panic!("these tests need Chromium: {e}"))
}

/// The binary's shared Chromium.
pub async fn browser() -> Arc<Browser> {
    static BROWSER: tokio::sync::OnceCell<Arc<Browser>> = tokio::sync::OnceCell::const_new();
    BROWSER
        .get_or_init(|| async { Arc::new(launch().await) })
        .await
        .clone()
}

/// The binary's demo site.
pub async fn site() -> &'static DemoSite {
    static SITE: tokio::sync::OnceCell<DemoSite> = tokio::sync::OnceCell::const_new();
    SITE.get_or_init(|| async { DemoSite::start().await.expect("demo site") })
        .await
}

/// An executor that opens its own tab in the shared browser.
pub async fn executor() -> Executor {
    let mut ex = Executor::new();
    ex.use_browser(browser().await);
    ex
}

/// Sends `sig` (e.g. `-KILL`) to process `pid`, failing the test when that fails.
pub fn signal(pid: u32, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {sig} {pid} failed");
}

/// Notes that an outside tool a test needs is missing: a visible skip on a developer's
/// machine, a failure under `CI=true` (where `scripts/test` installs every such tool).
pub fn missing_tool(note: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{note}");
    }
    // Straight to the stderr handle: libtest hides `eprintln!` of a passing test.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("SKIPPED: {note}\n").as_bytes(),
    );
}

/// Whether the Python WebRunner and chromedriver are installed (`scripts/test` installs
/// them); when not, [`missing_tool`] says so.
pub fn python_webrunner_available() -> bool {
    let ok = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ok("python3", &["-c", "import je_web_runner"]) && ok("chromedriver", &["--version"]) {
        return true;
    }
    missing_tool("the Python WebRunner (pip install je-web-runner) or chromedriver is missing");
    false
}

/// The `node_modules` folder where `scripts/npm-tool` installed npm package `pkg` at
/// `version` (`scripts/test` installs the ones the tests use), when it is there; when not,
/// [`missing_tool`] says so.
pub fn npm_tool(pkg: &str, version: &str) -> Option<std::path::PathBuf> {
    let cache = std::env::var_os("WEBRUNNER_CACHE")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME").map(|d| std::path::Path::new(&d).join("webrunner"))
        })
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cache/webrunner"))
        })?;
    let dir_name: String = pkg
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let modules = cache
        .join(format!("{}-{version}", dir_name.trim_start_matches('_')))
        .join("node_modules");
    if modules.join(pkg).join("package.json").is_file() && which("node") {
        return Some(modules);
    }
    missing_tool(&format!(
        "npm package {pkg}@{version} or node is missing (scripts/npm-tool {pkg} {version})"
    ));
    None
}

fn which(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

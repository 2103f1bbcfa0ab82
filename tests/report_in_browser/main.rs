//! The run reports in a real Chromium driven by webrunner's own CDP backend: the live
//! dashboard watched while a real flow runs, the replay studio opened from `file://`, JUnit
//! XML read by the browser's XML parser, and hostile record text shown as text in both pages.
//! Screenshots of the pages are kept under `target/test-artifacts/`.

#[path = "../common/mod.rs"]
mod common;

mod dashboard;
mod junit;
mod replay;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{browser, site};
use serde_json::{json, Value};
use webrunner::browser::Session;
use webrunner::{parse_flow, Executor, Record, Status, Try};
use webrunner_report::LiveRun;

/// A new tab that counts Content-Security-Policy violations in `window.__violations`.
async fn tab() -> Session {
    let session = browser().await.new_session().await.expect("new tab");
    session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"}),
        )
        .await
        .expect("install the CSP listener");
    session
}

fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact folder");
    dir
}

async fn keep_screenshot(session: &Session, name: &str) {
    let png = session.screenshot_png().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(artifacts_dir().join(name), png).expect("write artifact");
}

/// Evaluates `js` (which must produce a JSON string) and parses it.
async fn read(session: &Session, js: &str) -> Value {
    let text = session
        .evaluate(js)
        .await
        .unwrap_or_else(|e| panic!("{js}: {e}"));
    serde_json::from_str(text.as_str().unwrap_or_else(|| panic!("{js} gave {text}")))
        .expect("JSON from the page")
}

/// Polls `js` (a boolean expression) until true, for at most `secs`.
async fn wait_until(session: &Session, js: &str, secs: u64) {
    let start = Instant::now();
    loop {
        if session.evaluate(js).await.ok() == Some(Value::Bool(true)) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "waited {secs} s for {js}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A real run of the bundled demo flow (one step fails on purpose, one passes on retry),
/// with failure screenshots; every record holds each of its attempts in `tries`.
struct DemoRun {
    records: Vec<Record>,
    shots: tempfile::TempDir,
}

async fn demo_run() -> &'static DemoRun {
    static RUN: tokio::sync::OnceCell<DemoRun> = tokio::sync::OnceCell::const_new();
    RUN.get_or_init(|| async {
        let shots = tempfile::tempdir().expect("temp dir");
        let live = LiveRun::new();
        let mut ex = Executor::new();
        ex.use_browser(browser().await);
        ex.set_failure_screenshot_dir(shots.path())
            .expect("screenshot dir");
        ex.add_sink(Box::new(live.clone()));
        let flow =
            parse_flow("demo_flow.json", &site().await.flow_text()).expect("demo flow parses");
        let records = ex.run_flow(&flow).await.to_vec();
        let failures = ex.finish().await;
        assert!(failures.is_empty(), "no sink failed: {failures:?}");
        ex.shutdown().await;
        assert_eq!(
            live.records(),
            records,
            "the live run holds every record as run"
        );
        assert!(
            records
                .iter()
                .any(|r| r.failed() && r.artifacts.screenshot.is_some()),
            "the demo has a failure with a screenshot"
        );
        assert!(
            records.iter().any(|r| r.flaky),
            "the demo has a step that passes on retry"
        );
        for r in &records {
            assert_eq!(r.tries.len(), r.attempts as usize, "{r:?}");
        }
        DemoRun { records, shots }
    })
    .await
}

const SCRIPT_TAG: &str = "<script>window.__pwned = 'script tag'</script>";
const IMG_ONERROR: &str = "<img src=x onerror=\"window.__pwned = 'img onerror'\">";
const TEXTAREA_BREAK: &str =
    "</textarea><svg onload=\"window.__pwned = 'svg onload'\"></svg>'\"&amp;";
const ATTR_BREAK: &str = "\" autofocus onfocus=\"window.__pwned='attr'\" x=\"";

fn hostile_try(attempt: u32, status: Status, error: Option<String>) -> Try {
    Try {
        attempt,
        started_at: format!("2026-01-01T00:00:0{attempt}Z"),
        duration_ms: 125.0,
        status,
        error,
        artifacts: Default::default(),
    }
}

/// A failed record whose two attempts failed with hostile errors, and a passed one.
fn hostile_records() -> Vec<Record> {
    let base = Record {
        index: 0,
        command: SCRIPT_TAG.to_string(),
        args: vec![Value::from(IMG_ONERROR)],
        kwargs: serde_json::from_value(json!({ "css": TEXTAREA_BREAK })).expect("kwargs"),
        status: Status::Failed,
        started_at: "2026-01-01T00:00:00Z".to_string(),
        duration_ms: 250.0,
        attempts: 2,
        flaky: false,
        result: Value::Null,
        error: Some(format!("{TEXTAREA_BREAK} {IMG_ONERROR}")),
        artifacts: Default::default(),
        trace_id: None,
        flow: Some(ATTR_BREAK.to_string()),
        tries: vec![
            hostile_try(
                1,
                Status::Failed,
                Some(format!("{SCRIPT_TAG} {ATTR_BREAK}")),
            ),
            hostile_try(
                2,
                Status::Failed,
                Some(format!("{TEXTAREA_BREAK} {IMG_ONERROR}")),
            ),
        ],
        dialogs: vec![],
        console: vec![],
        network: vec![],
        csp: Vec::new(),
    };
    let mut second = base.clone();
    second.index = 1;
    second.command = IMG_ONERROR.to_string();
    second.status = Status::Passed;
    second.error = None;
    second.result = Value::from(SCRIPT_TAG);
    second.started_at = "2026-01-01T00:00:01Z".to_string();
    second.attempts = 1;
    second.tries = vec![hostile_try(1, Status::Passed, None)];
    vec![base, second]
}

/// Nothing the hostile text could have done happened: no flag, no CSP violation, no script
/// but the page's own, and no element of a kind the payloads hold exists below `root`.
async fn assert_nothing_ran(page: &Session, root: &str) {
    // Give an injected image's error handler time to fire, had one been created.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let v = read(
        page,
        &format!(
            "JSON.stringify({{pwned: window.__pwned === undefined ? null : window.__pwned, \
             violations: window.__violations, \
             scripts: document.scripts.length, \
             injected: document.querySelectorAll('{root} svg:not([viewBox]), {root} textarea, {root} img:not(.thumb):not(.full):not(#lightbox-img), {root} [onerror], {root} [onload], {root} [onfocus]').length}})"
        ),
    )
    .await;
    // The page's own script is its only one.
    assert_eq!(
        v,
        json!({"pwned": null, "violations": [], "scripts": 1, "injected": 0})
    );
}

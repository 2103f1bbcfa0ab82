//! Synthetic monitoring end to end: a flow checked in real Chromium against a local site that
//! the test breaks and then repairs between ticks, with alerts POSTed to a real local HTTP
//! receiver. Through the library (`SyntheticMonitor` + `FlowCheck`) and through the
//! `webrunner monitor` binary (webhook, alerts file, stdout and state file at once).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};
use serde_json::Value;
use webrunner::browser::BrowserOptions;
use webrunner::monitor::{CheckStatus, FlowCheck, SharedBrowser, SyntheticMonitor, WebhookSink};
use webrunner::parse_flow;

/// The site under watch: `/status` says "ok", or answers 503 "down" while broken. `broken`
/// is flipped by the test; `down_hits` breaks the page for those (1-based) visits instead.
#[derive(Clone, Default)]
struct Site {
    broken: Arc<AtomicBool>,
    visits: Arc<AtomicUsize>,
    down_hits: Arc<Vec<usize>>,
}

async fn status_page(State(site): State<Site>) -> (StatusCode, Html<&'static str>) {
    let visit = site.visits.fetch_add(1, Ordering::SeqCst) + 1;
    if site.broken.load(Ordering::SeqCst) || site.down_hits.contains(&visit) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<!doctype html><title>Status</title><p id=state>down</p>"),
        )
    } else {
        (
            StatusCode::OK,
            Html("<!doctype html><title>Status</title><p id=state>ok</p>"),
        )
    }
}

/// The alerts a webhook receiver got, in order.
type Received = Arc<Mutex<Vec<Value>>>;

async fn hook(State(got): State<Received>, body: String) -> StatusCode {
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    got.lock().expect("receiver lock").push(value);
    StatusCode::NO_CONTENT
}

/// Serves the site and the webhook receiver on loopback; returns (site base, hook URL).
async fn serve(site: Site, got: Received) -> (String, String) {
    let site_app = axum::Router::new()
        .route("/status", get(status_page))
        .with_state(site);
    let hook_app = axum::Router::new()
        .route("/hook", post(hook))
        .with_state(got);
    let a = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind site");
    let b = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind hook");
    let base = format!("http://{}", a.local_addr().expect("site addr"));
    let hook_url = format!("http://{}/hook", b.local_addr().expect("hook addr"));
    tokio::spawn(async move { axum::serve(a, site_app).await });
    tokio::spawn(async move { axum::serve(b, hook_app).await });
    (base, hook_url)
}

fn flow_text(base: &str) -> String {
    serde_json::json!([
        ["WR_to_url", [format!("{base}/status")]],
        ["WR_assert_text", {"css": "#state", "text": "ok"}]
    ])
    .to_string()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// (check, previous, current) of each alert.
fn transitions(alerts: &[Value]) -> Vec<(String, Value, String)> {
    alerts
        .iter()
        .map(|a| {
            assert_eq!(a["event"], "synthetic.transition", "{a}");
            (
                a["check"].as_str().unwrap_or("").to_string(),
                a["previous"].clone(),
                a["current"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_site_broken_then_repaired_between_ticks_sends_one_red_and_one_green_webhook() {
    rt().block_on(async {
        let site = Site::default();
        let got = Received::default();
        let (base, hook_url) = serve(site.clone(), got.clone()).await;
        let browser = SharedBrowser::new(BrowserOptions::default());
        let flow = parse_flow("status.json", &flow_text(&base)).expect("flow parses");
        let mut monitor = SyntheticMonitor::new(WebhookSink::new(&hook_url).expect("webhook"));
        monitor
            .register("status", FlowCheck::new(flow, browser.clone()), 1, 1)
            .expect("register");

        let mut statuses = Vec::new();
        for (tick, broken) in [false, true, true, false, false].into_iter().enumerate() {
            site.broken.store(broken, Ordering::SeqCst);
            let results = monitor.tick_once().await;
            assert_eq!(results.len(), 1);
            let r = &results[0];
            assert_eq!(r.status == CheckStatus::Red, broken, "tick {tick}: {r:?}");
            if broken {
                let error = r.error.as_deref().unwrap_or("");
                assert!(
                    error.contains("#state"),
                    "the failing action's error: {error}"
                );
            }
            statuses.push((r.status, r.transitioned));
        }
        browser.close().await;

        assert_eq!(
            statuses,
            [
                (CheckStatus::Green, false),
                (CheckStatus::Red, true),
                (CheckStatus::Red, false),
                (CheckStatus::Green, true),
                (CheckStatus::Green, false),
            ]
        );
        assert_eq!(
            site.visits.load(Ordering::SeqCst),
            5,
            "the flow ran every tick"
        );
        assert_eq!(browser.launches(), 1, "one browser for every tick");
        let alerts = got.lock().expect("receiver lock").clone();
        assert_eq!(
            transitions(&alerts),
            [
                ("status".into(), Value::from("green"), "red".into()),
                ("status".into(), Value::from("red"), "green".into()),
            ],
            "{alerts:?}"
        );
        assert!(alerts[0]["error"].as_str().unwrap_or("").contains("#state"));
        assert!(alerts[1]["error"].is_null());
        assert!(alerts[0]["duration_seconds"].as_f64().unwrap_or(-1.0) > 0.0);
    });
}

#[test]
fn the_monitor_command_alerts_every_sink_once_per_change_and_keeps_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = rt();
    // Visits 2 and 3 of the page fail: tick 1 green, 2 red (alert), 3 red, 4 and 5 green (alert).
    let site = Site {
        down_hits: Arc::new(vec![2, 3]),
        ..Site::default()
    };
    let got = Received::default();
    let (base, hook_url) = runtime.block_on(serve(site.clone(), got.clone()));
    let flow = dir.path().join("status.json");
    std::fs::write(&flow, flow_text(&base)).expect("write flow");
    let alerts_file = dir.path().join("alerts.jsonl");
    let state_file = dir.path().join("state.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_webrunner"))
        .args([
            "monitor",
            "status.json",
            "--interval",
            "0.1",
            "--iterations",
            "5",
        ])
        .args(["--webhook", &hook_url, "--alerts-file", "alerts.jsonl"])
        .args(["--state", "state.json"])
        .current_dir(dir.path())
        .output()
        .expect("run webrunner monitor");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "green at the end: {stderr}");
    assert_eq!(site.visits.load(Ordering::SeqCst), 5, "{stderr}");

    let expected = [
        (
            "status.json".to_string(),
            Value::from("green"),
            "red".to_string(),
        ),
        (
            "status.json".to_string(),
            Value::from("red"),
            "green".to_string(),
        ),
    ];
    let webhook = got.lock().expect("receiver lock").clone();
    assert_eq!(transitions(&webhook), expected, "webhook: {webhook:?}");
    let lines = |bytes: &[u8]| -> Vec<Value> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    };
    let stdout_alerts = lines(&output.stdout);
    assert_eq!(transitions(&stdout_alerts), expected, "stdout");
    let file_alerts = lines(&std::fs::read(&alerts_file).expect("alerts file"));
    assert_eq!(
        file_alerts, stdout_alerts,
        "the file holds what stdout printed"
    );
    assert_eq!(file_alerts, webhook, "the webhook got the same alerts");
    let state: Value =
        serde_json::from_slice(&std::fs::read(&state_file).expect("state file")).expect("JSON");
    assert_eq!(state["checks"]["status.json"]["status"], "green", "{state}");

    // A restart with the saved state and a healthy site alerts nothing.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_webrunner"))
        .args([
            "monitor",
            "status.json",
            "--interval",
            "0",
            "--iterations",
            "1",
        ])
        .args(["--alerts-file", "alerts.jsonl", "--state", "state.json"])
        .current_dir(dir.path())
        .output()
        .expect("run webrunner monitor again");
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(
        again.stdout.is_empty(),
        "no alert after a restart in the same state"
    );
    assert_eq!(
        lines(&std::fs::read(&alerts_file).expect("alerts file")).len(),
        2
    );
    drop(runtime);
}

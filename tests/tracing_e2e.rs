//! Tracing end to end: a real flow in Chromium — one action that passes, one that passes on
//! its second attempt, one that fails — with the OpenTelemetry layer exporting to a real
//! OTLP receiver, against a local site that records the `traceparent` header of every
//! request it gets. Asserts what the receiver got (names, attributes, error status, attempt
//! children, `service.name`) and that the page's requests joined each action's trace.
#![cfg(feature = "otel")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use webrunner::run::{run_flows, RunOptions};
use webrunner::{parse_flow, Record, Settings, Status};
use webrunner_otel::receiver::{OtlpReceiver, ReceivedSpan, Transport};
use webrunner_otel::OtlpExportConfig;

/// Every request the site got: path with query, and its `traceparent` header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

async fn record(State(seen): State<Seen>, uri: Uri, headers: HeaderMap) -> Html<&'static str> {
    let traceparent = headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    if let Ok(mut seen) = seen.lock() {
        seen.push((path.clone(), traceparent));
    }
    if path.starts_with("/api/") {
        Html("{}")
    } else {
        Html("<!doctype html><title>Shop</title><h1 id=\"title\">Shop</h1>")
    }
}

/// Starts the site on 127.0.0.1 with a free port; returns its base URL.
async fn start_site(seen: Seen) -> String {
    let app = Router::new()
        .route("/start", get(record))
        .route("/api/ping", get(record))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind test site");
    let addr = listener.local_addr().expect("test site address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

const FLOW: &str = r##"[
  ["WR_to_url", ["{base}/start"]],
  ["WR_execute_script", {"script": "window.__n = (window.__n || 0) + 1; const n = window.__n; return fetch('/api/ping?attempt=' + n).then(() => { if (n < 2) { throw new Error('backend not ready (attempt ' + n + ')'); } return n; });"}],
  ["WR_assert_text", {"css": "#title", "text": "Checkout complete"}]
]"##;

/// What one traced run produced.
struct FlowRun {
    records: Vec<Record>,
    /// Every request the site got: path with query, and its `traceparent`.
    seen: Vec<(String, Option<String>)>,
    stats: webrunner_otel::ExportStats,
}

/// Runs the flow with tracing exported to `config`: the library installs the export for
/// this run and flushes it before `run_flows` returns.
fn run_flow(config: OtlpExportConfig, service: &str) -> FlowRun {
    let config = config.with_service_name(service).expect("service name");
    let seen: Seen = Arc::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let outcome = rt.block_on(async {
        let base = start_site(Arc::clone(&seen)).await;
        let flow = parse_flow("tracing.json", &FLOW.replace("{base}", &base)).expect("flow");
        let mut settings = Settings::default();
        settings.set_retry_policy(1.0, 0.0).expect("retry policy");
        let options = RunOptions {
            settings,
            out: Some(tempfile::tempdir().expect("temp dir").keep()),
            tracing: Some(config),
            ..RunOptions::default()
        };
        run_flows(&[flow], options).await.expect("run")
    });
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    FlowRun {
        records: outcome.records,
        seen,
        stats: outcome.spans.expect("span export stats"),
    }
}

fn span<'a>(spans: &'a [ReceivedSpan], name: &str) -> &'a ReceivedSpan {
    let mut named = spans.iter().filter(|s| s.name == name);
    let found = named.next().unwrap_or_else(|| {
        panic!(
            "no span {name:?} among {:?}",
            spans.iter().map(|s| &s.name).collect::<Vec<_>>()
        )
    });
    assert!(named.next().is_none(), "more than one span named {name:?}");
    found
}

#[test]
fn a_chromium_flow_exports_action_spans_over_grpc_and_the_page_requests_join_their_traces() {
    let receiver = OtlpReceiver::start().expect("receiver");
    let config = OtlpExportConfig::new(receiver.grpc_endpoint()).expect("config");
    let FlowRun {
        records,
        seen,
        stats,
    } = run_flow(config, "e2e-shop");

    // The run itself: pass, pass on retry, fail.
    assert_eq!(records.len(), 3, "{records:#?}");
    assert_eq!(records[0].status, Status::Passed, "{:?}", records[0].error);
    assert_eq!(
        (records[1].status, records[1].attempts, records[1].flaky),
        (Status::Passed, 2, true),
        "{:?}",
        records[1]
    );
    assert_eq!(
        (records[2].status, records[2].attempts),
        (Status::Failed, 2)
    );
    let error = records[2].error.clone().expect("error text");
    assert!(
        records[2].artifacts.screenshot.is_some(),
        "{:?}",
        records[2]
    );

    // Every span reached the collector, and the summary counts agree.
    assert_eq!(stats.undelivered, 0, "{stats:?}");
    let spans = receiver.wait_for_spans(stats.exported as usize, Duration::from_secs(5));
    assert_eq!(spans.len() as u64, stats.exported);
    assert!(spans.iter().all(|s| s.transport == Transport::Grpc));
    assert!(
        spans.iter().all(|s| s.service_name() == Some("e2e-shop")),
        "{spans:#?}"
    );

    for (index, record) in records.iter().enumerate() {
        let action = span(&spans, &record.command);
        let trace_id = record
            .trace_id
            .as_deref()
            .expect("record carries its trace id");
        assert_eq!(action.trace_id, trace_id);
        assert_eq!(action.parent_span_id, None);
        assert_eq!(action.kind, "internal");
        assert_eq!(
            action.str_attr("webrunner.command"),
            Some(record.command.as_str())
        );
        assert_eq!(action.int_attr("webrunner.index"), Some(index as i64));
        assert_eq!(
            action.int_attr("webrunner.attempts"),
            Some(i64::from(record.attempts))
        );
        assert_eq!(
            action.str_attr("webrunner.status"),
            Some(record.status.as_str())
        );
        for n in 1..=record.attempts {
            let attempt = span(&spans, &format!("{} attempt {n}", record.command));
            assert_eq!(
                attempt.parent_span_id.as_deref(),
                Some(action.span_id.as_str())
            );
            assert_eq!(attempt.trace_id, action.trace_id);
            assert_eq!(attempt.int_attr("webrunner.attempt"), Some(i64::from(n)));
        }
    }
    // Distinct actions, distinct traces.
    assert_ne!(records[0].trace_id, records[1].trace_id);

    // The retried action: its first attempt failed, the action did not.
    let retried = span(&spans, "WR_execute_script");
    assert_eq!(retried.status_code, "unset");
    let first = span(&spans, "WR_execute_script attempt 1");
    assert_eq!(first.status_code, "error");
    assert!(
        first
            .str_attr("error")
            .unwrap_or("")
            .contains("backend not ready (attempt 1)"),
        "{first:#?}"
    );
    assert_eq!(
        span(&spans, "WR_execute_script attempt 2").status_code,
        "unset"
    );

    // The failed action: error status with the record's error; its last attempt's span
    // carries that attempt's own error (the same text: the last attempt settles the record).
    let failed = span(&spans, "WR_assert_text");
    assert_eq!(failed.status_code, "error");
    assert_eq!(failed.str_attr("error"), Some(error.as_str()));
    assert_eq!(
        failed.status_message, error,
        "the status description must carry the error (field otel.status_description)"
    );
    let last = span(&spans, "WR_assert_text attempt 2");
    assert_eq!(last.status_code, "error");
    assert_eq!(last.str_attr("error"), Some(error.as_str()));
    assert_eq!(records[2].tries[1].error.as_deref(), Some(error.as_str()));

    // The page's own requests carried the traceparent of the action that made them.
    let traceparent_of = |path: &str| -> Vec<String> {
        seen.iter()
            .filter(|(p, _)| p == path)
            .map(|(_, tp)| tp.clone().unwrap_or_else(|| format!("none on {path}")))
            .collect()
    };
    let open = span(&spans, "WR_to_url");
    assert_eq!(
        traceparent_of("/start"),
        [format!("00-{}-{}-01", open.trace_id, open.span_id)],
        "{seen:#?}"
    );
    let script = format!("00-{}-{}-01", retried.trace_id, retried.span_id);
    // Both attempts' requests carry the action span's traceparent (not an attempt's).
    let pings = [
        traceparent_of("/api/ping?attempt=1"),
        traceparent_of("/api/ping?attempt=2"),
    ];
    assert_eq!(pings, [[script.clone()], [script]], "{seen:#?}");
}

#[test]
fn a_chromium_flow_exports_over_http_protobuf_too() {
    let receiver = OtlpReceiver::start().expect("receiver");
    let config = OtlpExportConfig::new(receiver.http_endpoint())
        .and_then(|c| c.with_protocol("http"))
        .expect("config");
    let FlowRun {
        records,
        seen,
        stats,
    } = run_flow(config, "e2e-http");
    assert_eq!(records.len(), 3);
    assert_eq!(stats.undelivered, 0, "{stats:?}");
    let spans = receiver.wait_for_spans(stats.exported as usize, Duration::from_secs(5));
    assert!(spans
        .iter()
        .all(|s| s.transport == Transport::Http && s.service_name() == Some("e2e-http")));
    let open = span(&spans, "WR_to_url");
    assert_eq!(Some(open.trace_id.as_str()), records[0].trace_id.as_deref());
    let start = seen
        .iter()
        .find(|(p, _)| p == "/start")
        .and_then(|(_, tp)| tp.clone());
    assert_eq!(
        start,
        Some(format!("00-{}-{}-01", open.trace_id, open.span_id))
    );
    assert_eq!(span(&spans, "WR_assert_text").status_code, "error");
}

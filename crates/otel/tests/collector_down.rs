//! A collector that is down (nobody listening) or hangs (accepts, never answers): shutdown
//! still returns, within its bound, and counts every span it could not deliver.

mod common;

use std::time::Duration;

use common::{flow_with_retry_and_failure, run_like_executor, StatusFields};
use webrunner_otel::receiver::{closed_endpoint, StallingCollector};
use webrunner_otel::{executor_tracing, OtlpExportConfig, Protocol};

fn run_against(
    endpoint: String,
    protocol: Protocol,
    timeout: Duration,
) -> webrunner_otel::ExportStats {
    let config = OtlpExportConfig::new(endpoint)
        .unwrap()
        .with_protocol(protocol.as_str())
        .unwrap()
        .with_timeout(timeout)
        .unwrap();
    let (dispatch, guard) = executor_tracing("svc", Some(config)).unwrap();
    tracing::dispatcher::with_default(&dispatch, || {
        run_like_executor(&flow_with_retry_and_failure(), StatusFields::Description)
    });
    guard.shutdown()
}

fn assert_all_undelivered(stats: &webrunner_otel::ExportStats) {
    assert_eq!(stats.ended, 9, "{stats:?}");
    assert_eq!(stats.exported, 0, "{stats:?}");
    assert_eq!(stats.undelivered, 9, "{stats:?}");
    assert!(stats.failed_batches >= 1, "{stats:?}");
    assert!(stats.last_error.is_some(), "{stats:?}");
    assert!(
        stats
            .summary()
            .starts_with("0 spans exported, 9 undelivered"),
        "{}",
        stats.summary()
    );
}

#[test]
fn grpc_collector_down_shutdown_returns_and_counts_every_span_undelivered() {
    let stats = run_against(
        closed_endpoint().unwrap(),
        Protocol::Grpc,
        Duration::from_secs(10),
    );
    assert_all_undelivered(&stats);
}

#[test]
fn http_collector_down_shutdown_returns_and_counts_every_span_undelivered() {
    let stats = run_against(
        closed_endpoint().unwrap(),
        Protocol::Http,
        Duration::from_secs(10),
    );
    assert_all_undelivered(&stats);
}

#[test]
fn grpc_collector_that_never_answers_is_cut_off_at_shutdown_despite_a_long_timeout() {
    let stalled = StallingCollector::start().unwrap();
    let stats = run_against(stalled.endpoint(), Protocol::Grpc, Duration::from_secs(60));
    assert_all_undelivered(&stats);
    assert!(
        stats
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("imed out"),
        "{stats:?}"
    );
}

#[test]
fn http_collector_that_never_answers_is_cut_off_at_shutdown_despite_a_long_timeout() {
    let stalled = StallingCollector::start().unwrap();
    let stats = run_against(stalled.endpoint(), Protocol::Http, Duration::from_secs(60));
    assert_all_undelivered(&stats);
    assert!(
        stats
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("imed out"),
        "{stats:?}"
    );
}

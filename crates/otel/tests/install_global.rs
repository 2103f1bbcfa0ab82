//! `install_executor_tracing` installs one process-wide subscriber: async actions running on
//! a multi-threaded runtime still export as correct span trees, and a second install is
//! refused. The only test in this binary, as the global subscriber can be set once.

use std::time::Duration;

use tracing::{field, Instrument};
use webrunner_otel::receiver::OtlpReceiver;
use webrunner_otel::{
    install_executor_tracing, trace_context, OtlpExportConfig, OtlpExporterError,
};

async fn action(
    index: usize,
    command: &str,
    fail_first: bool,
) -> Option<webrunner_otel::TraceContext> {
    let span = tracing::info_span!(
        target: "webrunner::executor",
        "action",
        otel.name = %command,
        otel.kind = "internal",
        webrunner.command = %command,
        webrunner.index = index as i64,
        webrunner.attempts = field::Empty,
        webrunner.status = field::Empty,
    );
    let ids = trace_context(&span);
    let parent = span.clone();
    let attempts = async move {
        let mut n = 0;
        loop {
            n += 1;
            let attempt = tracing::info_span!(
                target: "webrunner::executor",
                parent: &parent,
                "attempt",
                otel.name = %format!("{command} attempt {n}"),
                webrunner.attempt = n as i64,
                otel.status_code = field::Empty,
            );
            let failed = async {
                // Crossing an await point may resume on another worker thread.
                tokio::time::sleep(Duration::from_millis(2)).await;
                fail_first && n == 1
            }
            .instrument(attempt.clone())
            .await;
            if failed {
                attempt.record("otel.status_code", "ERROR");
            } else {
                return n;
            }
        }
    }
    .instrument(span.clone())
    .await;
    span.record("webrunner.attempts", attempts as i64);
    span.record("webrunner.status", "passed");
    ids
}

#[test]
fn installed_tracing_exports_async_actions_from_worker_threads_and_refuses_a_second_install() {
    let receiver = OtlpReceiver::start().unwrap();
    let config = OtlpExportConfig::new(receiver.grpc_endpoint()).unwrap();
    let guard = install_executor_tracing("global-svc", Some(config)).unwrap();
    assert!(guard.is_exporting());
    assert_eq!(guard.service_name(), "global-svc");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ids = runtime.block_on(async {
        let a = tokio::spawn(action(0, "WR_open", false));
        let b = tokio::spawn(action(1, "WR_flaky", true));
        (a.await.unwrap(), b.await.unwrap())
    });

    let again = install_executor_tracing("other", None).unwrap_err();
    assert!(
        matches!(again, OtlpExporterError::AlreadyInstalled),
        "{again:?}"
    );

    let stats = guard.shutdown();
    assert_eq!(
        (stats.ended, stats.exported, stats.undelivered),
        (5, 5, 0),
        "{stats:?}"
    );
    let spans = receiver.wait_for_spans(5, Duration::from_secs(5));
    let by_name = |name: &str| {
        spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{name} missing: {spans:#?}"))
    };
    let flaky = by_name("WR_flaky");
    assert_eq!(Some(flaky.trace_id.clone()), ids.1.map(|c| c.trace_id));
    assert_eq!(flaky.int_attr("webrunner.attempts"), Some(2));
    for n in [1, 2] {
        let attempt = by_name(&format!("WR_flaky attempt {n}"));
        assert_eq!(
            attempt.parent_span_id.as_deref(),
            Some(flaky.span_id.as_str())
        );
    }
    assert_eq!(by_name("WR_flaky attempt 1").status_code, "error");
    let open = by_name("WR_open");
    assert_eq!(Some(open.trace_id.clone()), ids.0.map(|c| c.trace_id));
    assert_ne!(open.trace_id, flaky.trace_id);
    assert!(spans.iter().all(|s| s.service_name() == Some("global-svc")));
}

//! Spans shaped like the executor's, exported over gRPC and over HTTP/protobuf to a real OTLP
//! receiver: names, attributes, error status, attempt children, resource, trace ids.

mod common;

use std::time::Duration;

use common::{flow_with_retry_and_failure, run_like_executor, StatusFields};
use webrunner_otel::receiver::{OtlpReceiver, ReceivedSpan, Transport};
use webrunner_otel::{executor_tracing, trace_context, OtlpExportConfig, Protocol};

fn config_for(receiver: &OtlpReceiver, protocol: Protocol) -> OtlpExportConfig {
    let endpoint = match protocol {
        Protocol::Grpc => receiver.grpc_endpoint(),
        Protocol::Http => receiver.http_endpoint(),
    };
    OtlpExportConfig::new(endpoint)
        .unwrap()
        .with_protocol(protocol.as_str())
        .unwrap()
        .with_header("x-team", "checkout")
        .unwrap()
}

fn find<'a>(spans: &'a [ReceivedSpan], name: &str) -> &'a ReceivedSpan {
    spans.iter().find(|s| s.name == name).unwrap_or_else(|| {
        panic!(
            "no span named {name:?} among {:?}",
            spans.iter().map(|s| &s.name).collect::<Vec<_>>()
        )
    })
}

fn export_flow_and_check(protocol: Protocol, transport: Transport) {
    let receiver = OtlpReceiver::start().unwrap();
    let (dispatch, guard) =
        executor_tracing("shop-tests", Some(config_for(&receiver, protocol))).unwrap();
    let outcomes = tracing::dispatcher::with_default(&dispatch, || {
        run_like_executor(&flow_with_retry_and_failure(), StatusFields::Description)
    });
    let stats = guard.shutdown();
    // 3 action spans, 1 + 2 + 2 attempt spans, 1 capture span.
    assert_eq!(stats.ended, 9, "{stats:?}");
    assert_eq!(stats.exported, 9, "{stats:?}");
    assert_eq!(stats.undelivered, 0, "{stats:?}");

    let spans = receiver.wait_for_spans(9, Duration::from_secs(5));
    assert_eq!(spans.len(), 9, "{spans:#?}");
    assert!(spans.iter().all(|s| s.transport == transport));
    assert!(
        spans.iter().all(|s| s.service_name() == Some("shop-tests")),
        "{spans:#?}"
    );
    assert!(spans.iter().all(|s| s.scope == "webrunner"));

    // Every action is a root span of its own trace, named after its command.
    for (index, outcome) in outcomes.iter().enumerate() {
        let action = find(&spans, outcome.command);
        assert_eq!(action.parent_span_id, None);
        assert_eq!(action.kind, "internal");
        assert_eq!(action.str_attr("webrunner.command"), Some(outcome.command));
        assert_eq!(action.int_attr("webrunner.index"), Some(index as i64));
        assert_eq!(
            action.int_attr("webrunner.attempts"),
            Some(outcome.attempts as i64)
        );
        let ctx = outcome
            .context
            .as_ref()
            .expect("trace context of an exported span");
        assert_eq!(ctx.trace_id, action.trace_id);
        assert_eq!(ctx.span_id, action.span_id);
        assert_eq!(
            ctx.traceparent,
            format!("00-{}-{}-01", action.trace_id, action.span_id)
        );
        // Attempt children hang under their action, in the same trace.
        for n in 1..=outcome.attempts {
            let attempt = find(&spans, &format!("{} attempt {n}", outcome.command));
            assert_eq!(
                attempt.parent_span_id.as_deref(),
                Some(action.span_id.as_str())
            );
            assert_eq!(attempt.trace_id, action.trace_id);
            assert_eq!(attempt.int_attr("webrunner.attempt"), Some(n as i64));
        }
    }

    let passed = find(&spans, "WR_to_url");
    assert_eq!(passed.str_attr("webrunner.status"), Some("passed"));
    assert_eq!(passed.status_code, "unset");
    assert_eq!(passed.str_attr("error"), None);

    let retried = find(&spans, "WR_click");
    assert_eq!(retried.str_attr("webrunner.status"), Some("passed"));
    assert_eq!(retried.status_code, "unset");
    let first = find(&spans, "WR_click attempt 1");
    assert_eq!(first.status_code, "error");
    assert_eq!(first.str_attr("error"), Some("element #later not found"));
    assert_eq!(find(&spans, "WR_click attempt 2").status_code, "unset");

    let failed = find(&spans, "WR_assert_text");
    assert_eq!(failed.str_attr("webrunner.status"), Some("failed"));
    assert_eq!(failed.status_code, "error");
    assert_eq!(failed.status_message, "text 'Welcome' not found in #title");
    assert_eq!(
        failed.str_attr("error"),
        Some("text 'Welcome' not found in #title")
    );
    let capture = find(&spans, "capture_failure_artifacts");
    assert_eq!(
        capture.parent_span_id.as_deref(),
        Some(failed.span_id.as_str())
    );
    assert_eq!(capture.trace_id, failed.trace_id);

    // Only the failing action captured artifacts.
    assert_eq!(
        spans
            .iter()
            .filter(|s| s.name == "capture_failure_artifacts")
            .count(),
        1
    );

    // The configured header travelled with every request.
    let requests = receiver.requests();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("x-team").map(String::as_str) == Some("checkout")),
        "{requests:#?}"
    );
}

#[test]
fn executor_spans_arrive_over_grpc_with_names_attributes_status_and_attempt_children() {
    export_flow_and_check(Protocol::Grpc, Transport::Grpc);
}

#[test]
fn executor_spans_arrive_over_http_protobuf_with_names_attributes_status_and_attempt_children() {
    export_flow_and_check(Protocol::Http, Transport::Http);
}

#[test]
fn otel_status_message_field_is_only_an_attribute_and_leaves_the_description_empty() {
    let receiver = OtlpReceiver::start().unwrap();
    let (dispatch, guard) =
        executor_tracing("svc", Some(config_for(&receiver, Protocol::Grpc))).unwrap();
    tracing::dispatcher::with_default(&dispatch, || {
        run_like_executor(&flow_with_retry_and_failure()[2..], StatusFields::Message)
    });
    assert_eq!(guard.shutdown().exported, 4);
    let spans = receiver.wait_for_spans(4, Duration::from_secs(5));
    let failed = find(&spans, "WR_assert_text");
    assert_eq!(failed.status_code, "error");
    assert_eq!(
        failed.status_message, "",
        "otel.status_message is a plain attribute; the description comes from otel.status_description"
    );
    assert_eq!(
        failed.str_attr("otel.status_message"),
        Some("text 'Welcome' not found in #title")
    );
}

#[test]
fn without_an_exporter_spans_still_get_trace_ids_and_nothing_is_counted() {
    let (dispatch, guard) = executor_tracing("svc", None).unwrap();
    let outcomes = tracing::dispatcher::with_default(&dispatch, || {
        run_like_executor(&flow_with_retry_and_failure(), StatusFields::Description)
    });
    assert!(!guard.is_exporting());
    let ids: Vec<_> = outcomes
        .iter()
        .map(|o| o.context.clone().expect("ids without exporter"))
        .collect();
    for ctx in &ids {
        assert_eq!(ctx.trace_id.len(), 32);
        assert!(ctx
            .trace_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(ctx.trace_id, "0".repeat(32));
        assert_eq!(ctx.span_id.len(), 16);
        assert!(ctx.sampled);
    }
    // Each action starts a trace of its own.
    assert_ne!(ids[0].trace_id, ids[1].trace_id);
    assert_eq!(guard.shutdown(), Default::default());
}

#[test]
fn trace_context_is_none_without_an_opentelemetry_layer() {
    let span = tracing::info_span!(target: "webrunner::executor", "action");
    assert_eq!(trace_context(&span), None);
    let plain = tracing::Dispatch::new(tracing_subscriber_registry());
    tracing::dispatcher::with_default(&plain, || {
        let span = tracing::info_span!(target: "webrunner::executor", "action");
        assert_eq!(trace_context(&span), None);
    });
}

fn tracing_subscriber_registry() -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry()
}

#[test]
fn spans_of_other_crates_below_warn_are_not_exported() {
    let receiver = OtlpReceiver::start().unwrap();
    let (dispatch, guard) =
        executor_tracing("svc", Some(config_for(&receiver, Protocol::Grpc))).unwrap();
    tracing::dispatcher::with_default(&dispatch, || {
        tracing::info_span!(target: "hyper::client", "noise").in_scope(|| {});
        tracing::warn_span!(target: "opentelemetry_sdk", "feedback").in_scope(|| {});
        tracing::info_span!(target: "webrunner::executor", "kept").in_scope(|| {});
    });
    let stats = guard.shutdown();
    assert_eq!(stats.exported, 1, "{stats:?}");
    let spans = receiver.wait_for_spans(1, Duration::from_secs(5));
    assert_eq!(
        spans.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["kept"]
    );
}

#[test]
fn events_become_span_events_and_fields_recorded_late_still_count() {
    let receiver = OtlpReceiver::start().unwrap();
    let (dispatch, guard) =
        executor_tracing("svc", Some(config_for(&receiver, Protocol::Http))).unwrap();
    tracing::dispatcher::with_default(&dispatch, || {
        let span = tracing::info_span!(
            target: "webrunner::executor",
            "request",
            otel.name = tracing::field::Empty,
            otel.kind = "CLIENT",
            // i64: tracing-opentelemetry exports a u64 field as its decimal text.
            retries = 0_i64,
            ratio = 0.5,
            cached = true,
        );
        span.in_scope(|| {
            tracing::warn!(target: "webrunner::executor", code = 7_i64, "screenshot not taken");
            tracing::info!(target: "webrunner::executor", "still going");
        });
        span.record("otel.name", "GET /cart");
        span.record("retries", 2_i64);
        let failing = tracing::info_span!(target: "webrunner::executor", parent: &span, "inner");
        failing.in_scope(|| tracing::error!(target: "webrunner::executor", "gave up"));
    });
    assert_eq!(guard.shutdown().exported, 2);
    let spans = receiver.wait_for_spans(2, Duration::from_secs(5));
    let request = find(&spans, "GET /cart");
    assert_eq!(request.kind, "client");
    assert_eq!(request.int_attr("retries"), Some(2));
    assert_eq!(request.events, ["screenshot not taken", "still going"]);
    assert_eq!(request.status_code, "unset");
    assert!(request.end_unix_nanos >= request.start_unix_nanos);
    let inner = find(&spans, "inner");
    assert_eq!(
        inner.parent_span_id.as_deref(),
        Some(request.span_id.as_str())
    );
    assert_eq!(inner.trace_id, request.trace_id);
    assert_eq!(inner.events, ["gave up"]);
    assert_eq!(inner.status_code, "error", "an ERROR event marks its span");
}

#[test]
fn configure_otlp_export_adds_a_batch_exporter_to_a_callers_provider() {
    use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};

    let receiver = OtlpReceiver::start().unwrap();
    let config = config_for(&receiver, Protocol::Http)
        .with_service_name("from-config")
        .unwrap();
    let provider = webrunner_otel::configure_otlp_export(
        webrunner_otel::SdkTracerProvider::builder(),
        &config,
    )
    .unwrap()
    .build();
    let tracer = provider.tracer("caller");
    let mut span = tracer.start("hand-made");
    span.end();
    provider.shutdown().unwrap();
    let spans = receiver.wait_for_spans(1, Duration::from_secs(5));
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].name, "hand-made");
    assert_eq!(spans[0].scope, "caller");
    assert_eq!(spans[0].service_name(), Some("from-config"));
    assert_eq!(spans[0].transport, Transport::Http);
}

#[test]
fn tracing_built_and_shut_down_inside_an_async_runtime_still_exports() {
    let receiver = OtlpReceiver::start().unwrap();
    let config = config_for(&receiver, Protocol::Grpc);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let stats = runtime.block_on(async move {
        // As a CLI's async main would: set up, run, shut down, all from async code.
        let (dispatch, guard) = executor_tracing("async-svc", Some(config)).unwrap();
        tracing::dispatcher::with_default(&dispatch, || {
            run_like_executor(
                &flow_with_retry_and_failure()[..1],
                StatusFields::Description,
            )
        });
        tokio::task::yield_now().await;
        guard.shutdown()
    });
    assert_eq!(
        (stats.ended, stats.exported, stats.undelivered),
        (2, 2, 0),
        "{stats:?}"
    );
    let spans = receiver.wait_for_spans(2, Duration::from_secs(5));
    assert!(spans.iter().all(|s| s.service_name() == Some("async-svc")));
    drop(runtime);
}

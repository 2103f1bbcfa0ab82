//! Connects the executor to OpenTelemetry: reads the trace id and W3C `traceparent` off an
//! action's span, so records carry `trace_id` and the page's requests carry `traceparent`.

use crate::executor::TraceIds;

/// The executor's [`TraceHook`](crate::executor::TraceHook) for OpenTelemetry:
/// `executor.set_trace_hook(webrunner::otel_trace_hook)` after
/// [`install_executor_tracing`](crate::install_executor_tracing). Gives `None` when the span
/// is not recorded by an OpenTelemetry layer.
pub fn otel_trace_hook(span: &tracing::Span) -> Option<TraceIds> {
    webrunner_otel::trace_context(span).map(|c| TraceIds {
        trace_id: c.trace_id,
        traceparent: c.traceparent,
    })
}

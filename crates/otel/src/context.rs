//! `trace_context`: the OpenTelemetry ids of a `tracing` span — its trace id for the record
//! and its W3C `traceparent` for the page's requests — when the OpenTelemetry layer is on.

use opentelemetry::trace::TraceContextExt;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The OpenTelemetry identity of one span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// The trace id, 32 lower-case hex digits.
    pub trace_id: String,
    /// The span id, 16 lower-case hex digits.
    pub span_id: String,
    /// The W3C Trace Context header value `00-<trace id>-<span id>-<flags>`, flags `01` when
    /// the span is sampled.
    pub traceparent: String,
    /// Whether the span is sampled (recorded and exported).
    pub sampled: bool,
}

/// The ids of `span`, or `None` when the span is disabled or no OpenTelemetry layer is
/// installed (then nothing is traced and there is nothing to propagate).
///
/// The span's OpenTelemetry counterpart is started here if it was not yet (its start time is
/// the `tracing` span's creation time either way), which fixes its name: record `otel.name`
/// before asking for its ids.
pub fn trace_context(span: &tracing::Span) -> Option<TraceContext> {
    if span.is_disabled() {
        return None;
    }
    let cx = span.context();
    let otel_span = cx.span();
    let sc = otel_span.span_context();
    if !sc.is_valid() {
        return None;
    }
    let trace_id = sc.trace_id().to_string();
    let span_id = sc.span_id().to_string();
    let traceparent = format!("00-{trace_id}-{span_id}-{:02x}", sc.trace_flags().to_u8());
    Some(TraceContext {
        trace_id,
        span_id,
        traceparent,
        sampled: sc.is_sampled(),
    })
}

//! `trace_context`: the OpenTelemetry ids of a `tracing` span — its trace id for the record
//! and its W3C `traceparent` for the page's requests — when the OpenTelemetry layer is on.

use crate::layer::span_context;

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
/// The span must be one the crate's OpenTelemetry layer saw ([`install_executor_tracing`]
/// or [`executor_tracing`]); its ids are fixed when it is created.
///
/// [`install_executor_tracing`]: crate::install_executor_tracing
/// [`executor_tracing`]: crate::executor_tracing
pub fn trace_context(span: &tracing::Span) -> Option<TraceContext> {
    let sc = span
        .with_subscriber(|(id, dispatch)| span_context(id, dispatch))
        .flatten()?;
    if !sc.is_valid() {
        return None;
    }
    let trace_id = hex(&sc.trace_id().to_bytes());
    let span_id = hex(&sc.span_id().to_bytes());
    let sampled = sc.is_sampled();
    let mut traceparent = String::with_capacity(55);
    traceparent.push_str("00-");
    traceparent.push_str(&trace_id);
    traceparent.push('-');
    traceparent.push_str(&span_id);
    traceparent.push('-');
    traceparent.push_str(&hex(&[sc.trace_flags().to_u8()]));
    Some(TraceContext {
        trace_id,
        span_id,
        traceparent,
        sampled,
    })
}

/// Lower-case hex digits of `bytes` (ids are formatted for every action, so without the
/// formatting machinery).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hex;
    use opentelemetry::trace::{SpanId, TraceId};

    #[test]
    fn hex_matches_the_ids_own_formatting() {
        let trace = TraceId::from_bytes([
            0, 1, 0x7f, 0x80, 0xab, 0xff, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xfe,
        ]);
        assert_eq!(hex(&trace.to_bytes()), trace.to_string());
        let span = SpanId::from_bytes([0xde, 0xad, 0, 0xbe, 0xef, 1, 0x10, 0x0f]);
        assert_eq!(hex(&span.to_bytes()), span.to_string());
        assert_eq!(hex(&[1]), "01");
    }
}

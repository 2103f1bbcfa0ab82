//! OpenTelemetry tracing and OTLP export for webrunner runs.
//!
//! - [`install_executor_tracing`] installs a `tracing` subscriber whose OpenTelemetry layer
//!   turns the executor's spans into OpenTelemetry spans, exported over OTLP when an
//!   [`OtlpExportConfig`] is given; the returned [`TracingGuard`] flushes them at the end,
//!   spending at most about a second on a collector that is down, and reports
//!   [`ExportStats`].
//! - [`OtlpExportConfig`] (with [`OtlpExportConfig::from_env`] for the standard
//!   `OTEL_EXPORTER_OTLP_*` / `OTEL_SERVICE_NAME` variables), [`build_exporter`] and
//!   [`configure_otlp_export`] are the seed's OTLP wiring, for gRPC and HTTP/protobuf.
//! - [`trace_context`] gives a span's trace id and W3C `traceparent`, for records and for the
//!   headers of the page's own requests.
//! - With the `test-receiver` feature, [`receiver`] is a real OTLP collector (gRPC and HTTP)
//!   for tests and benchmarks.
//!
//! ```no_run
//! use webrunner_otel::{install_executor_tracing, trace_context, OtlpExportConfig};
//!
//! # fn main() -> Result<(), webrunner_otel::OtlpExporterError> {
//! // The OTEL_EXPORTER_OTLP_* variables, or an explicit configuration.
//! let export = match OtlpExportConfig::from_env()? {
//!     Some(config) => Some(config),
//!     None => Some(OtlpExportConfig::new("http://127.0.0.1:4317")?.with_protocol("grpc")?),
//! };
//! let guard = install_executor_tracing("checkout-tests", export)?;
//!
//! let span = tracing::info_span!(target: "webrunner::executor", "action", otel.name = "WR_to_url");
//! if let Some(ids) = trace_context(&span) {
//!     println!("trace {} / traceparent {}", ids.trace_id, ids.traceparent);
//! }
//! drop(span);
//!
//! let stats = guard.shutdown(); // at most about a second if the collector is down
//! eprintln!("{}", stats.summary());
//! # Ok(())
//! # }
//! ```
//!
//! # The span fields the OpenTelemetry layer understands
//!
//! The layer is `tracing-opentelemetry`'s (0.34, over the `opentelemetry` 0.33 crates); it
//! turns each `tracing` span into one OpenTelemetry span, handed to the batch exporter when the
//! `tracing` span closes. It does no work when a span is entered or left (no context
//! activation), so async code polled many times pays nothing extra. Every span is sampled.
//!
//! | field | effect |
//! |---|---|
//! | `otel.name` | the OpenTelemetry span name (default: the `tracing` span's name); may be recorded until the OpenTelemetry span starts: when it closes, when [`trace_context`] asks for its ids, or when a child span is created with it as explicit parent |
//! | `otel.kind` | `internal`, `client`, `server`, `producer` or `consumer` (any case); until the span starts, as `otel.name` |
//! | `otel.status_code` | `ok` or `error` (any case): status OK, or ERROR with an empty description |
//! | `otel.status_description` | status ERROR with this text as its description (alone, no `otel.status_code` needed) |
//!
//! Record `otel.status_description` after `otel.status_code`: until the OpenTelemetry span
//! starts the last status recorded counts; after, OK is final and an ERROR with a
//! description outlives a bare one (the SDK's order).
//! `otel.status_message` is not special: it is a plain attribute. Every other field becomes
//! an attribute of the same name with its value's type (`i64`, `f64`, `bool`, string; `u64`,
//! `%` and `?` values as strings), also when recorded later; a field recorded twice is sent
//! twice, and readers (like the test receiver) keep the last value. So the executor's spans
//! declare their late fields `field::Empty` and record each once, numbers as `i64`.
//! An event inside a span becomes a span event named by its message, with `level`, `target`
//! and its other fields as attributes; an ERROR-level event also sets the span's status to
//! ERROR.
//!
//! Spans and events reach the OpenTelemetry layer when their target starts with `webrunner`
//! (INFO and up) or they are WARN/ERROR from elsewhere; the OpenTelemetry, tonic, h2, hyper
//! and reqwest crates are never traced, so the exporter cannot feed itself.
#![forbid(unsafe_code)]

mod config;
mod context;
pub mod env;
mod error;
mod exporter;
mod install;
mod processor;
#[cfg(feature = "test-receiver")]
pub mod receiver;

pub use config::{
    OtlpExportConfig, Protocol, DEFAULT_SERVICE_NAME, DEFAULT_TIMEOUT, HTTP_TRACES_PATH,
};
pub use context::{trace_context, TraceContext};
pub use env::ExportOverrides;
pub use error::OtlpExporterError;
pub use exporter::{build_exporter, ExportHandle, ExportStats, OtlpSpanExporter};
pub use install::{
    executor_tracing, install_executor_tracing, TracingGuard, SCOPE_NAME, SHUTDOWN_BUDGET,
};
pub use processor::{configure_otlp_export, configure_otlp_export_with_handle};

/// Re-exported so callers can build a provider for [`configure_otlp_export`] without naming
/// the SDK crate themselves.
pub use opentelemetry_sdk::trace::{SdkTracerProvider, TracerProviderBuilder};

/// The SDK's tracer provider builder under the name the seed's API uses.
pub type SdkTracerProviderBuilder = TracerProviderBuilder;

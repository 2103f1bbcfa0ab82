//! `install_executor_tracing`: a `tracing` subscriber whose OpenTelemetry layer turns the
//! executor's spans into OpenTelemetry spans (exported over OTLP when a configuration is
//! given), and the [`TracingGuard`] that flushes them, within a bounded time, at the end.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, Registry};

use crate::config::OtlpExportConfig;
use crate::error::OtlpExporterError;
use crate::exporter::{ExportHandle, ExportStats};
use crate::processor::{configure_otlp_export_with_handle, service_resource};

/// The instrumentation scope spans are reported under.
pub const SCOPE_NAME: &str = "webrunner";

/// How long flushing at shutdown may take in total when the collector is down or slow.
pub const SHUTDOWN_BUDGET: Duration = Duration::from_secs(1);

/// Keeps the tracer provider of a run; [`TracingGuard::shutdown`] (or dropping it) flushes
/// the spans still queued, spending at most about [`SHUTDOWN_BUDGET`] on a collector that
/// does not answer.
#[derive(Debug)]
pub struct TracingGuard {
    provider: Option<SdkTracerProvider>,
    export: Option<ExportHandle>,
    service: String,
    final_stats: Option<ExportStats>,
}

impl TracingGuard {
    /// Whether spans are exported (an OTLP configuration was given).
    pub fn is_exporting(&self) -> bool {
        self.export.is_some()
    }

    /// The `service.name` spans are reported under.
    pub fn service_name(&self) -> &str {
        &self.service
    }

    /// The tracer provider, to add instrumentation of one's own.
    pub fn provider(&self) -> Option<&SdkTracerProvider> {
        self.provider.as_ref()
    }

    /// Counts so far (all zero without an exporter).
    pub fn stats(&self) -> ExportStats {
        if let Some(s) = &self.final_stats {
            return s.clone();
        }
        self.export
            .as_ref()
            .map(ExportHandle::stats)
            .unwrap_or_default()
    }

    /// Flushes and stops export, and returns what became of the spans. Spends at most about
    /// [`SHUTDOWN_BUDGET`] waiting for a collector that is down or slow; spans it could not
    /// deliver are counted in [`ExportStats::undelivered`]. Spans ended after this are
    /// dropped.
    pub fn shutdown(mut self) -> ExportStats {
        self.finish()
    }

    fn finish(&mut self) -> ExportStats {
        if let Some(provider) = self.provider.take() {
            if let Some(handle) = &self.export {
                handle.limit_remaining_time(SHUTDOWN_BUDGET);
            }
            // The exporter cuts every export at the budget; the extra margin only covers the
            // batch thread's own bookkeeping.
            if let Err(e) =
                provider.shutdown_with_timeout(SHUTDOWN_BUDGET + Duration::from_millis(250))
            {
                tracing::debug!(target: "webrunner_otel", "tracer provider shutdown: {e}");
            }
            self.final_stats = Some(
                self.export
                    .as_ref()
                    .map(ExportHandle::stats)
                    .unwrap_or_default(),
            );
        }
        self.stats()
    }
}

impl Drop for TracingGuard {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Which spans and events the OpenTelemetry layer sees: everything of webrunner's own crates
/// from INFO up, other crates' warnings and errors, nothing of the OpenTelemetry crates
/// themselves (their diagnostics must not feed back into the spans they export).
fn otel_filter() -> Targets {
    Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("webrunner", LevelFilter::INFO)
        .with_target("opentelemetry", LevelFilter::OFF)
        .with_target("tonic", LevelFilter::OFF)
        .with_target("h2", LevelFilter::OFF)
        .with_target("hyper", LevelFilter::OFF)
        .with_target("reqwest", LevelFilter::OFF)
}

/// The stderr log filter: `RUST_LOG` when it parses as `target=level` directives, else
/// warnings and errors except the OpenTelemetry crates' own (a down collector is reported in
/// the run summary instead).
fn log_filter() -> Targets {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| s.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_default(LevelFilter::WARN)
                .with_target("opentelemetry", LevelFilter::OFF)
        })
}

/// The tracer provider of a run: with the batch OTLP exporter when `export` is given, else
/// without any processor (spans still get ids, for records and page headers).
fn provider_for(
    service: &str,
    export: Option<OtlpExportConfig>,
) -> Result<(SdkTracerProvider, Option<ExportHandle>), OtlpExporterError> {
    let service = service.trim();
    if service.is_empty() {
        return Err(OtlpExporterError::EmptyServiceName);
    }
    let builder = SdkTracerProvider::builder();
    let (builder, handle) = match export {
        Some(mut config) => {
            config.service_name = service.to_string();
            let (b, h) = configure_otlp_export_with_handle(builder, &config)?;
            (b, Some(h))
        }
        None => (builder.with_resource(service_resource(service)), None),
    };
    Ok((builder.build(), handle))
}

/// The registry with `tracing-opentelemetry`'s layer over `provider` (and, for the process-wide
/// subscriber, the stderr log). The layer adds no thread, target, location or busy/idle
/// attributes, and does nothing when a span is entered or left (no context activation): a
/// span's parent is the `tracing` span it was created in.
fn subscriber_for(
    provider: &SdkTracerProvider,
    log_to_stderr: bool,
) -> impl tracing::Subscriber + Send + Sync + 'static {
    let scope = InstrumentationScope::builder(SCOPE_NAME)
        .with_version(env!("CARGO_PKG_VERSION"))
        .build();
    let otel = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer_with_scope(scope))
        .with_threads(false)
        .with_tracked_inactivity(false)
        .with_target(false)
        .with_location(false)
        .with_context_activation(false)
        .with_filter(otel_filter());
    let log = log_to_stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_filter(log_filter())
    });
    Registry::default().with(otel).with(log)
}

/// A subscriber with the OpenTelemetry layer, not installed anywhere: for tests and
/// benchmarks, which set it per thread (`tracing::dispatcher::with_default`) so several can
/// coexist in one process. `service` becomes the `service.name` resource attribute and wins
/// over `export.service_name`.
///
/// Fails when `service` is empty or the export configuration is refused.
pub fn executor_tracing(
    service: &str,
    export: Option<OtlpExportConfig>,
) -> Result<(tracing::Dispatch, TracingGuard), OtlpExporterError> {
    let (provider, handle) = provider_for(service, export)?;
    let dispatch = tracing::Dispatch::new(subscriber_for(&provider, false));
    Ok((dispatch, guard(provider, handle, service)))
}

fn guard(provider: SdkTracerProvider, export: Option<ExportHandle>, service: &str) -> TracingGuard {
    TracingGuard {
        provider: Some(provider),
        export,
        service: service.trim().to_string(),
        final_stats: None,
    }
}

/// Installs, for the whole process, a `tracing` subscriber that turns every executor span
/// into an OpenTelemetry span of service `service`, exported over OTLP as `export` says (or
/// only given ids, for records and page headers, when `export` is `None`), plus a stderr log
/// of warnings (`RUST_LOG` overrides). Also sets the W3C trace-context propagator as the
/// global one.
///
/// Keep the returned guard and call [`TracingGuard::shutdown`] before the program exits.
/// Fails when `service` is empty, when the export configuration is refused, or with
/// `AlreadyInstalled` when the process already has a global subscriber.
pub fn install_executor_tracing(
    service: &str,
    export: Option<OtlpExportConfig>,
) -> Result<TracingGuard, OtlpExporterError> {
    let (provider, handle) = provider_for(service, export)?;
    let subscriber = subscriber_for(&provider, true);
    let guard = guard(provider, handle, service);
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| OtlpExporterError::AlreadyInstalled)?;
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    Ok(guard)
}

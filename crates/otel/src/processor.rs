//! `configure_otlp_export`: puts a batch span processor with the OTLP exporter on a tracer
//! provider builder, wrapped so every ended span is counted (the run summary's "undelivered"
//! is ended minus exported).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Span, SpanData, SpanProcessor, TracerProviderBuilder,
};
use opentelemetry_sdk::Resource;

use crate::config::OtlpExportConfig;
use crate::error::OtlpExporterError;
use crate::exporter::{build_exporter, Counters, ExportHandle};

/// A batch span processor that counts the spans it is given.
#[derive(Debug)]
struct CountingBatchProcessor {
    inner: BatchSpanProcessor,
    counters: Arc<Counters>,
}

impl SpanProcessor for CountingBatchProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.counters.ended.fetch_add(1, Ordering::Relaxed);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Adds OTLP export to a tracer provider: the exporter [`build_exporter`] makes for `config`
/// behind a batch span processor (batch settings from the standard `OTEL_BSP_*` variables),
/// and a resource whose `service.name` is `config.service_name`.
///
/// Returns the builder to go on with; fails as [`build_exporter`] does.
pub fn configure_otlp_export(
    builder: TracerProviderBuilder,
    config: &OtlpExportConfig,
) -> Result<TracerProviderBuilder, OtlpExporterError> {
    configure_otlp_export_with_handle(builder, config).map(|(b, _)| b)
}

/// [`configure_otlp_export`], also returning the handle that reads the exporter's counts
/// and bounds its time at shutdown.
pub fn configure_otlp_export_with_handle(
    builder: TracerProviderBuilder,
    config: &OtlpExportConfig,
) -> Result<(TracerProviderBuilder, ExportHandle), OtlpExporterError> {
    let (processor, handle) = counting_batch_processor(config)?;
    Ok((
        builder
            .with_resource(service_resource(&config.service_name))
            .with_span_processor(processor),
        handle,
    ))
}

/// The resource spans are reported under: `service.name` plus the SDK's defaults (the
/// `OTEL_RESOURCE_ATTRIBUTES` variable, `telemetry.sdk.*`).
pub(crate) fn service_resource(service: &str) -> Resource {
    Resource::builder()
        .with_service_name(service.to_string())
        .build()
}

fn counting_batch_processor(
    config: &OtlpExportConfig,
) -> Result<(CountingBatchProcessor, ExportHandle), OtlpExporterError> {
    let exporter = build_exporter(config)?;
    let handle = exporter.handle();
    let batch = BatchSpanProcessor::builder(exporter)
        .with_batch_config(BatchConfigBuilder::default().build())
        .build();
    let processor = CountingBatchProcessor {
        inner: batch,
        counters: Arc::clone(handle.counters()),
    };
    Ok((processor, handle))
}

//! The span exporter: an OTLP exporter (gRPC via tonic, or HTTP/protobuf via reqwest) that
//! runs on its own small tokio runtime, counts what it delivered and what it could not, and
//! never lets one export — nor all exports after shutdown begins — run past a time bound.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_otlp::{WithExportConfig, WithHttpConfig, WithTonicConfig};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use crate::config::{OtlpExportConfig, Protocol};
use crate::error::OtlpExporterError;

/// Span counts of one exporter, readable while it runs and after shutdown.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Spans that ended and were handed to the batch processor.
    pub(crate) ended: AtomicU64,
    /// Spans the collector accepted.
    pub(crate) exported: AtomicU64,
    /// Spans in batches whose export failed or ran out of time.
    pub(crate) failed: AtomicU64,
    /// Export calls that failed.
    pub(crate) failed_batches: AtomicU64,
    /// The last export error, for the run summary.
    pub(crate) last_error: Mutex<Option<String>>,
    /// When set, exports must finish by then (shutdown's budget).
    pub(crate) deadline: Mutex<Option<Instant>>,
}

/// What became of the spans of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportStats {
    /// Spans that ended while an exporter was attached.
    pub ended: u64,
    /// Spans the collector accepted.
    pub exported: u64,
    /// Spans that ended but never reached the collector: failed or timed-out exports, a full
    /// queue, or the shutdown bound running out. `ended - exported`.
    pub undelivered: u64,
    /// How many export calls failed.
    pub failed_batches: u64,
    /// The last export error, if any.
    pub last_error: Option<String>,
}

impl ExportStats {
    /// A one-line summary such as `12 spans exported, 0 undelivered`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} spans exported, {} undelivered",
            self.exported, self.undelivered
        );
        if let Some(e) = &self.last_error {
            s.push_str(&format!(" (last error: {e})"));
        }
        s
    }
}

/// A handle on an exporter's counters and time bound, kept by whoever shuts it down.
#[derive(Debug, Clone)]
pub struct ExportHandle {
    counters: Arc<Counters>,
}

impl ExportHandle {
    /// The counts so far.
    pub fn stats(&self) -> ExportStats {
        let c = &self.counters;
        let ended = c.ended.load(Ordering::Acquire);
        let exported = c.exported.load(Ordering::Acquire);
        ExportStats {
            ended,
            exported,
            undelivered: ended.saturating_sub(exported),
            failed_batches: c.failed_batches.load(Ordering::Acquire),
            last_error: c.last_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    /// From now on every export must be over within `budget` in total: later exports get
    /// only what is left, and none once it is spent.
    pub fn limit_remaining_time(&self, budget: Duration) {
        if let Ok(mut d) = self.counters.deadline.lock() {
            let new = Instant::now() + budget;
            *d = Some(d.map_or(new, |old| old.min(new)));
        }
    }

    pub(crate) fn counters(&self) -> &Arc<Counters> {
        &self.counters
    }
}

/// The tokio runtime exports run on; shut down in the background when dropped, so dropping it
/// from async code never blocks.
struct ExportRuntime {
    runtime: Option<tokio::runtime::Runtime>,
}

impl ExportRuntime {
    fn start() -> Result<ExportRuntime, OtlpExporterError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("webrunner-otlp")
            .enable_all()
            .build()
            .map_err(OtlpExporterError::Runtime)?;
        Ok(ExportRuntime {
            runtime: Some(runtime),
        })
    }

    fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.runtime.as_ref().map(|r| r.handle())
    }
}

impl Drop for ExportRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// An OTLP span exporter with counting and a time bound; see the module documentation.
/// Made by [`build_exporter`]; usually handed to a batch span processor by
/// [`crate::configure_otlp_export`].
pub struct OtlpSpanExporter {
    inner: Arc<opentelemetry_otlp::SpanExporter>,
    runtime: Arc<ExportRuntime>,
    handle: ExportHandle,
    timeout: Duration,
    protocol: Protocol,
    endpoint: String,
}

impl fmt::Debug for OtlpSpanExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpSpanExporter")
            .field("protocol", &self.protocol)
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Builds the exporter `config` describes: gRPC (tonic) or HTTP/protobuf, with its headers
/// and timeout, running on a runtime of its own so it works from sync and async callers.
///
/// Fails when the configuration is invalid (see [`OtlpExportConfig::validate`]), when the
/// endpoint needs TLS (`https`), which this build does not include, or when the exporter
/// cannot be constructed.
pub fn build_exporter(config: &OtlpExportConfig) -> Result<OtlpSpanExporter, OtlpExporterError> {
    config.validate()?;
    let endpoint = config.resolved_endpoint()?;
    if endpoint.starts_with("https://") {
        return Err(OtlpExporterError::BadEndpoint {
            endpoint: config.endpoint.clone(),
            reason: "TLS (https) is not built into this exporter; use an http:// endpoint \
                     (for example a local collector) or set insecure for a host:port endpoint"
                .to_string(),
        });
    }
    let build_err = |e: opentelemetry_otlp::ExporterBuildError| OtlpExporterError::Build {
        protocol: config.protocol.as_str(),
        endpoint: endpoint.clone(),
        reason: e.to_string(),
    };
    let runtime = ExportRuntime::start()?;
    let inner = match config.protocol {
        Protocol::Grpc => {
            let mut metadata = tonic::metadata::MetadataMap::new();
            for (name, value) in &config.headers {
                let key =
                    tonic::metadata::MetadataKey::from_bytes(name.to_ascii_lowercase().as_bytes())
                        .map_err(|e| OtlpExporterError::BadHeader {
                            name: name.clone(),
                            reason: e.to_string(),
                        })?;
                let value = value.parse().map_err(|_| OtlpExporterError::BadHeader {
                    name: name.clone(),
                    reason: "the value cannot be gRPC metadata".to_string(),
                })?;
                metadata.insert(key, value);
            }
            // The channel's background task must live on our runtime.
            let _entered = runtime.handle().map(|h| h.enter());
            opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint.clone())
                .with_timeout(config.timeout)
                .with_metadata(metadata)
                .build()
                .map_err(build_err)?
        }
        Protocol::Http => {
            let headers: HashMap<String, String> = config.headers.clone().into_iter().collect();
            opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(endpoint.clone())
                .with_timeout(config.timeout)
                .with_headers(headers)
                .build()
                .map_err(build_err)?
        }
    };
    Ok(OtlpSpanExporter {
        inner: Arc::new(inner),
        runtime: Arc::new(runtime),
        handle: ExportHandle {
            counters: Arc::new(Counters::default()),
        },
        timeout: config.timeout,
        protocol: config.protocol,
        endpoint,
    })
}

impl OtlpSpanExporter {
    /// A handle to read this exporter's counts and to bound its remaining time.
    pub fn handle(&self) -> ExportHandle {
        self.handle.clone()
    }

    /// The URL exports go to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The protocol exports use.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// How long the next export may take: the configured timeout, cut to what is left of the
    /// shutdown budget; `None` when that budget is spent.
    fn time_limit(&self) -> Option<Duration> {
        let deadline = self.handle.counters.deadline.lock().ok().and_then(|d| *d);
        match deadline {
            None => Some(self.timeout),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                (!left.is_zero()).then(|| left.min(self.timeout))
            }
        }
    }
}

fn record_failure(counters: &Counters, spans: u64, error: &OTelSdkError) {
    counters.failed.fetch_add(spans, Ordering::AcqRel);
    counters.failed_batches.fetch_add(1, Ordering::AcqRel);
    if let Ok(mut last) = counters.last_error.lock() {
        *last = Some(error.to_string());
    }
}

impl SpanExporter for OtlpSpanExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        let spans = batch.len() as u64;
        let limit = self.time_limit();
        let inner = Arc::clone(&self.inner);
        let counters = Arc::clone(&self.handle.counters);
        let handle = self.runtime.handle().cloned();
        async move {
            let outcome = match (limit, handle) {
                (None, _) => Err(OTelSdkError::Timeout(Duration::ZERO)),
                (Some(_), None) => Err(OTelSdkError::AlreadyShutdown),
                (Some(limit), Some(handle)) => {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    handle.spawn(async move {
                        let result = tokio::time::timeout(limit, inner.export(batch)).await;
                        let _ = tx.send(result);
                    });
                    match rx.await {
                        Ok(Ok(result)) => result,
                        Ok(Err(_elapsed)) => Err(OTelSdkError::Timeout(limit)),
                        Err(_) => Err(OTelSdkError::InternalFailure(
                            "the export task stopped before answering".to_string(),
                        )),
                    }
                }
            };
            match &outcome {
                Ok(()) => {
                    counters.exported.fetch_add(spans, Ordering::AcqRel);
                }
                Err(e) => record_failure(&counters, spans, e),
            }
            outcome
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.set_resource(resource),
            // Only reachable if an export were still running, which set_resource (called once
            // while the provider is built) never overlaps with.
            None => {
                tracing::warn!(target: "webrunner_otel", "OTLP resource not updated: an export was running")
            }
        }
    }
}

//! webrunner: run JSON web-automation flows in a real headless Chromium and make every run
//! observable — records, failure screenshots, retries, spans, reports and triage tools.
#![forbid(unsafe_code)]

pub mod action;
pub mod browser;
pub mod commands;
pub mod demo;
pub mod executor;
pub mod failure;
pub mod monitor;
pub mod probes;
pub mod run;
pub mod settings;
pub mod stop;
pub mod terminal;
pub mod timeline;

pub use action::{load_flow, parse_flow, Action, Flow, FlowError};
pub use executor::{ActionError, CommandRegistry, Context, Executor};
pub use monitor::SyntheticMonitor;
pub use probes::csp::{CspViolation, CspViolationCollector};
pub use probes::leak::{detect_growth, LeakError, LeakReport, MemoryLeakError};
pub use settings::Settings;
pub use stop::StopSignal;
pub use webrunner_record::{
    Artifacts, ConsoleEntry, DialogNote, Evidence, NetworkEntry, Record, Reporter, RunEvent,
    RunSink, SinkError, SinkFailure, Status, Summary, Try,
};

pub use webrunner_cluster::{cluster_failures, cluster_summary, normalise_error, ClusterError};
pub use webrunner_har::{diff_har, diff_har_files, HarDiffError};
pub use webrunner_report::{
    export_replay_studio, start_dashboard, write_junit, DashboardHandle, LiveRun,
};

/// Failure clustering (the `webrunner-cluster` crate).
pub use webrunner_bundle as bundle;
pub use webrunner_bundle::{extract_bundle, FailureBundle, FailureBundleError};
pub use webrunner_bus as bus;
pub use webrunner_bus::{
    load_recording, CdpRecorder, CdpReplayer, CdpTapError, EventBus, EventBusError, EventEnvelope,
};
pub use webrunner_cluster as cluster;
/// HAR reading, diffing and writing (the `webrunner-har` crate).
pub use webrunner_har as har;
/// OpenTelemetry tracing and OTLP export (the `webrunner-otel` crate; cargo feature `otel`).
#[cfg(feature = "otel")]
pub use webrunner_otel as otel;
#[cfg(feature = "otel")]
pub use webrunner_otel::{
    build_exporter, configure_otlp_export, install_executor_tracing, OtlpExportConfig,
    OtlpExporterError, TracingGuard,
};
/// Run reports: dashboard, replay studio, JUnit (the `webrunner-report` crate).
pub use webrunner_report as report;

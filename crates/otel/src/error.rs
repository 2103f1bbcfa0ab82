//! The one error type of this crate: what was wrong with an OTLP export configuration or with
//! installing tracing, and where it came from.

use std::time::Duration;

/// Why an OTLP export configuration was refused, or why tracing could not be set up.
///
/// Every message names the offending value and, for environment variables, the variable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtlpExporterError {
    /// The endpoint is empty (or only whitespace).
    #[error("OTLP endpoint is empty: give a URL such as http://127.0.0.1:4317")]
    EmptyEndpoint,
    /// The protocol is neither `grpc` nor `http` (`http/protobuf`).
    #[error(
        "unknown OTLP protocol {0:?}: use \"grpc\" or \"http\" (also written \"http/protobuf\")"
    )]
    UnknownProtocol(String),
    /// The timeout is zero, negative or not a number.
    #[error("OTLP timeout must be greater than 0, got {0}")]
    NonPositiveTimeout(String),
    /// The endpoint is not a URL this exporter can use.
    #[error("OTLP endpoint {endpoint:?} is not usable: {reason}")]
    BadEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A header name or value cannot be sent.
    #[error("OTLP header {name:?} cannot be sent: {reason}")]
    BadHeader {
        /// The header name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The service name is empty.
    #[error(
        "service name is empty: give the name spans are reported under (for example \"webrunner\")"
    )]
    EmptyServiceName,
    /// An `OTEL_*` environment variable holds a value that cannot be used.
    #[error("environment variable {name}={value:?} is not usable: {reason}")]
    BadEnvVar {
        /// The variable's name.
        name: String,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The OpenTelemetry exporter could not be built from a valid configuration.
    #[error("building the OTLP {protocol} exporter for {endpoint:?} failed: {reason}")]
    Build {
        /// `grpc` or `http`.
        protocol: &'static str,
        /// The endpoint it was built for.
        endpoint: String,
        /// The underlying error.
        reason: String,
    },
    /// The background runtime that carries exports could not be started.
    #[error("starting the OTLP export thread failed: {0}")]
    Runtime(#[source] std::io::Error),
    /// A global `tracing` subscriber is already installed in this process.
    #[error("a global tracing subscriber is already installed in this process; install_executor_tracing must be called once, before any other subscriber")]
    AlreadyInstalled,
}

impl OtlpExporterError {
    /// The error for a timeout that is not strictly positive.
    pub(crate) fn timeout(value: Duration) -> OtlpExporterError {
        OtlpExporterError::NonPositiveTimeout(format!("{value:?}"))
    }
}

//! `OtlpExportConfig`: where and how spans are sent (endpoint, protocol, headers, timeout,
//! plaintext or TLS, service name), with the validation SPEC §2 asks for.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::error::OtlpExporterError;

/// The default export timeout (10 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default service name, `webrunner`.
pub const DEFAULT_SERVICE_NAME: &str = "webrunner";
/// The path an OTLP/HTTP collector receives traces on.
pub const HTTP_TRACES_PATH: &str = "/v1/traces";

/// The wire protocol spans are exported with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// OTLP over gRPC (tonic), usually port 4317. The default.
    #[default]
    Grpc,
    /// OTLP over HTTP with protobuf bodies (`POST /v1/traces`), usually port 4318.
    Http,
}

impl Protocol {
    /// The short name: `grpc` or `http`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::Http => "http",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Protocol {
    type Err = OtlpExporterError;

    /// Accepts `grpc`, `http` and `http/protobuf` (the `OTEL_EXPORTER_OTLP_PROTOCOL`
    /// spelling), ignoring case and surrounding spaces; anything else (including
    /// `http/json`, which this exporter does not speak) is `UnknownProtocol`.
    fn from_str(s: &str) -> Result<Protocol, OtlpExporterError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "grpc" => Ok(Protocol::Grpc),
            "http" | "http/protobuf" => Ok(Protocol::Http),
            _ => Err(OtlpExporterError::UnknownProtocol(s.to_string())),
        }
    }
}

/// Caller-supplied OTLP wiring: where spans go and how.
///
/// Build it with [`OtlpExportConfig::new`] and the `with_*` methods (each validates what it
/// sets), from the standard environment with [`OtlpExportConfig::from_env`], or as a struct
/// literal followed by [`OtlpExportConfig::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct OtlpExportConfig {
    /// The collector's URL. gRPC: `http://host:4317`. HTTP: `http://host:4318` (the
    /// `/v1/traces` path is added when the URL has no path) or the full traces URL. Without a
    /// scheme, `http://` is assumed when `insecure` is set and `https://` otherwise.
    pub endpoint: String,
    /// gRPC (default) or HTTP/protobuf.
    pub protocol: Protocol,
    /// Extra headers (gRPC metadata) sent with every export, e.g. an API key.
    pub headers: BTreeMap<String, String>,
    /// How long one export may take; must be greater than zero. Default 10 s.
    pub timeout: Duration,
    /// Plaintext without TLS for endpoints given without a scheme.
    pub insecure: bool,
    /// The `service.name` resource attribute. Default `webrunner`.
    pub service_name: String,
}

impl OtlpExportConfig {
    /// A gRPC configuration for `endpoint` with the defaults (10 s timeout, no headers,
    /// service `webrunner`). Fails with `EmptyEndpoint` for an empty endpoint and
    /// `BadEndpoint` for one that is not a URL.
    pub fn new(endpoint: impl Into<String>) -> Result<OtlpExportConfig, OtlpExporterError> {
        let config = OtlpExportConfig {
            endpoint: endpoint.into().trim().to_string(),
            protocol: Protocol::Grpc,
            headers: BTreeMap::new(),
            timeout: DEFAULT_TIMEOUT,
            insecure: false,
            service_name: DEFAULT_SERVICE_NAME.to_string(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Sets the protocol from its name (`grpc`, `http`, `http/protobuf`); any other name is
    /// `UnknownProtocol`.
    pub fn with_protocol(mut self, protocol: &str) -> Result<OtlpExportConfig, OtlpExporterError> {
        self.protocol = protocol.parse()?;
        Ok(self)
    }

    /// Sets the export timeout; zero is `NonPositiveTimeout`.
    pub fn with_timeout(
        mut self,
        timeout: Duration,
    ) -> Result<OtlpExportConfig, OtlpExporterError> {
        if timeout.is_zero() {
            return Err(OtlpExporterError::timeout(timeout));
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// Sets the export timeout in seconds (the seed's float form); zero, negative, infinite
    /// or NaN is `NonPositiveTimeout`.
    pub fn with_timeout_secs(self, seconds: f64) -> Result<OtlpExportConfig, OtlpExporterError> {
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err(OtlpExporterError::NonPositiveTimeout(format!(
                "{seconds} s"
            )));
        }
        let timeout = Duration::try_from_secs_f64(seconds)
            .map_err(|_| OtlpExporterError::NonPositiveTimeout(format!("{seconds} s")))?;
        self.with_timeout(timeout)
    }

    /// Adds a header sent with every export; a name or value that HTTP cannot carry is
    /// `BadHeader`.
    pub fn with_header(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<OtlpExportConfig, OtlpExporterError> {
        let (name, value) = (name.into(), value.into());
        check_header(&name, &value)?;
        self.headers.insert(name, value);
        Ok(self)
    }

    /// Sets whether a scheme-less endpoint is reached over plaintext.
    pub fn with_insecure(mut self, insecure: bool) -> OtlpExportConfig {
        self.insecure = insecure;
        self
    }

    /// Sets the `service.name` resource attribute; an empty name is `EmptyServiceName`.
    pub fn with_service_name(
        mut self,
        service_name: impl Into<String>,
    ) -> Result<OtlpExportConfig, OtlpExporterError> {
        let name = service_name.into().trim().to_string();
        if name.is_empty() {
            return Err(OtlpExporterError::EmptyServiceName);
        }
        self.service_name = name;
        Ok(self)
    }

    /// Checks every field: a non-empty endpoint that is an `http`/`https` URL (or
    /// `host:port`), a timeout greater than zero, a non-empty service name and headers HTTP
    /// can carry. Returns the first problem found.
    pub fn validate(&self) -> Result<(), OtlpExporterError> {
        if self.endpoint.trim().is_empty() {
            return Err(OtlpExporterError::EmptyEndpoint);
        }
        if self.timeout.is_zero() {
            return Err(OtlpExporterError::timeout(self.timeout));
        }
        if self.service_name.trim().is_empty() {
            return Err(OtlpExporterError::EmptyServiceName);
        }
        for (name, value) in &self.headers {
            check_header(name, value)?;
        }
        self.resolved_endpoint().map(|_| ())
    }

    /// The URL exports actually go to: the scheme filled in for a `host:port` endpoint and,
    /// for HTTP, `/v1/traces` appended when the URL has no path. Fails with `EmptyEndpoint`
    /// or `BadEndpoint`.
    pub fn resolved_endpoint(&self) -> Result<String, OtlpExporterError> {
        let raw = self.endpoint.trim();
        if raw.is_empty() {
            return Err(OtlpExporterError::EmptyEndpoint);
        }
        let bad = |reason: &str| OtlpExporterError::BadEndpoint {
            endpoint: raw.to_string(),
            reason: reason.to_string(),
        };
        let with_scheme = if raw.contains("://") {
            raw.to_string()
        } else if self.insecure {
            format!("http://{raw}")
        } else {
            format!("https://{raw}")
        };
        let uri: http::Uri = with_scheme
            .parse()
            .map_err(|e: http::uri::InvalidUri| bad(&format!("not a URL ({e})")))?;
        match uri.scheme_str() {
            Some("http") | Some("https") => {}
            Some(other) => return Err(bad(&format!("scheme {other:?} is not http or https"))),
            None => return Err(bad("no scheme")),
        }
        if uri.authority().is_none_or(|a| a.host().is_empty()) {
            return Err(bad("no host"));
        }
        if uri.query().is_some() && self.protocol == Protocol::Grpc {
            return Err(bad("a gRPC endpoint cannot carry a query string"));
        }
        if self.protocol == Protocol::Http
            && matches!(uri.path(), "" | "/")
            && uri.query().is_none()
        {
            return Ok(format!(
                "{}{HTTP_TRACES_PATH}",
                with_scheme.trim_end_matches('/')
            ));
        }
        Ok(with_scheme)
    }

    /// Whether the resolved endpoint uses TLS (`https`).
    pub fn uses_tls(&self) -> Result<bool, OtlpExporterError> {
        Ok(self.resolved_endpoint()?.starts_with("https://"))
    }
}

/// Checks that a header can travel in HTTP/1.1, HTTP/2 and gRPC metadata.
fn check_header(name: &str, value: &str) -> Result<(), OtlpExporterError> {
    let bad = |reason: &str| OtlpExporterError::BadHeader {
        name: name.to_string(),
        reason: reason.to_string(),
    };
    if name.is_empty() {
        return Err(bad("the name is empty"));
    }
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(bad("the name has characters a header name cannot hold"));
    }
    if name.to_ascii_lowercase().ends_with("-bin") {
        return Err(bad("binary (-bin) metadata is not supported"));
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err(bad("the value has control or non-ASCII characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_less_endpoint_takes_http_when_insecure_and_https_otherwise() {
        let mut c = OtlpExportConfig::new("collector:4317").unwrap();
        assert_eq!(c.resolved_endpoint().unwrap(), "https://collector:4317");
        c.insecure = true;
        assert_eq!(c.resolved_endpoint().unwrap(), "http://collector:4317");
    }

    #[test]
    fn http_endpoint_without_path_gets_the_traces_path_and_a_full_url_is_kept() {
        let c = OtlpExportConfig::new("http://127.0.0.1:4318/")
            .unwrap()
            .with_protocol("http")
            .unwrap();
        assert_eq!(
            c.resolved_endpoint().unwrap(),
            "http://127.0.0.1:4318/v1/traces"
        );
        let c = OtlpExportConfig::new("http://h:1/custom/traces")
            .unwrap()
            .with_protocol("http/protobuf")
            .unwrap();
        assert_eq!(c.resolved_endpoint().unwrap(), "http://h:1/custom/traces");
    }

    #[test]
    fn non_http_scheme_is_a_bad_endpoint() {
        let err = OtlpExportConfig::new("ftp://h:21").unwrap_err();
        assert!(
            matches!(err, OtlpExporterError::BadEndpoint { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("ftp://h:21"), "{err}");
    }

    #[test]
    fn header_with_newline_is_refused_with_its_name() {
        let err = OtlpExportConfig::new("http://h:1")
            .unwrap()
            .with_header("x-key", "a\nb")
            .unwrap_err();
        assert!(err.to_string().contains("x-key"), "{err}");
    }
}

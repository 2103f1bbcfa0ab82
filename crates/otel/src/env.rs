//! Reads the standard OpenTelemetry environment variables (`OTEL_EXPORTER_OTLP_*`,
//! `OTEL_SERVICE_NAME`) into an [`OtlpExportConfig`]; the traces-specific variable wins over
//! the general one, as the OpenTelemetry specification says.

use std::time::Duration;

use crate::config::{
    OtlpExportConfig, Protocol, DEFAULT_SERVICE_NAME, DEFAULT_TIMEOUT, HTTP_TRACES_PATH,
};
use crate::error::OtlpExporterError;

/// `OTEL_EXPORTER_OTLP_ENDPOINT`: base URL; for HTTP, `/v1/traces` is appended to it.
pub const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: the traces URL, used as it is.
pub const TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
/// `OTEL_EXPORTER_OTLP_PROTOCOL`: `grpc` or `http/protobuf`.
pub const PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
/// `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`.
pub const TRACES_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
/// `OTEL_EXPORTER_OTLP_HEADERS`: `name=value,name2=value2`, values percent-encoded.
pub const HEADERS: &str = "OTEL_EXPORTER_OTLP_HEADERS";
/// `OTEL_EXPORTER_OTLP_TRACES_HEADERS`.
pub const TRACES_HEADERS: &str = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
/// `OTEL_EXPORTER_OTLP_TIMEOUT`: milliseconds.
pub const TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TIMEOUT";
/// `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`.
pub const TRACES_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT";
/// `OTEL_EXPORTER_OTLP_INSECURE`: `true` or `false`.
pub const INSECURE: &str = "OTEL_EXPORTER_OTLP_INSECURE";
/// `OTEL_EXPORTER_OTLP_TRACES_INSECURE`.
pub const TRACES_INSECURE: &str = "OTEL_EXPORTER_OTLP_TRACES_INSECURE";
/// `OTEL_SERVICE_NAME`.
pub const SERVICE_NAME: &str = "OTEL_SERVICE_NAME";

/// Every variable this module reads, for callers that want to tell whether any is set.
pub const ALL: [&str; 11] = [
    ENDPOINT,
    TRACES_ENDPOINT,
    PROTOCOL,
    TRACES_PROTOCOL,
    HEADERS,
    TRACES_HEADERS,
    TIMEOUT,
    TRACES_TIMEOUT,
    INSECURE,
    TRACES_INSECURE,
    SERVICE_NAME,
];

/// Explicit settings (command-line flags) that win over the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOverrides {
    /// `--otlp-endpoint`: used as given (see [`OtlpExportConfig::endpoint`]).
    pub endpoint: Option<String>,
    /// `--otlp-protocol`: `grpc` or `http`.
    pub protocol: Option<String>,
    /// `--service-name`.
    pub service_name: Option<String>,
}

/// A variable's value; set-but-blank counts as unset.
struct Var {
    name: &'static str,
    value: String,
}

fn lookup_pair(
    lookup: &dyn Fn(&str) -> Option<String>,
    specific: &'static str,
    general: &'static str,
) -> Option<Var> {
    [specific, general].into_iter().find_map(|name| {
        lookup(name)
            .filter(|v| !v.trim().is_empty())
            .map(|value| Var { name, value })
    })
}

fn bad_var(var: &Var, reason: impl Into<String>) -> OtlpExporterError {
    OtlpExporterError::BadEnvVar {
        name: var.name.to_string(),
        value: var.value.clone(),
        reason: reason.into(),
    }
}

impl OtlpExportConfig {
    /// The configuration the process environment describes, or `None` when neither
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` nor `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
    ///
    /// Also reads the protocol, headers, timeout (milliseconds), insecure flag and
    /// `OTEL_SERVICE_NAME`. A variable holding an unusable value is `BadEnvVar` naming it.
    pub fn from_env() -> Result<Option<OtlpExportConfig>, OtlpExporterError> {
        OtlpExportConfig::from_env_vars(|name| std::env::var(name).ok())
    }

    /// [`OtlpExportConfig::from_env`] over any variable source (a map in tests).
    pub fn from_env_vars(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<OtlpExportConfig>, OtlpExporterError> {
        OtlpExportConfig::from_env_and_overrides(lookup, &ExportOverrides::default())
    }

    /// The environment's configuration with explicit settings on top: what the command line
    /// uses (`--otlp-endpoint`, `--otlp-protocol`, `--service-name` win over `OTEL_*`).
    /// `None` when no endpoint is given either way.
    pub fn from_env_and_overrides(
        lookup: impl Fn(&str) -> Option<String>,
        overrides: &ExportOverrides,
    ) -> Result<Option<OtlpExportConfig>, OtlpExporterError> {
        let lookup: &dyn Fn(&str) -> Option<String> = &lookup;
        let protocol = match &overrides.protocol {
            Some(p) => p.parse::<Protocol>()?,
            None => match lookup_pair(lookup, TRACES_PROTOCOL, PROTOCOL) {
                Some(var) => var.value.parse::<Protocol>().map_err(|_| {
                    bad_var(
                        &var,
                        "use \"grpc\" or \"http/protobuf\" (http/json is not supported)",
                    )
                })?,
                None => Protocol::Grpc,
            },
        };
        let endpoint = match &overrides.endpoint {
            Some(e) => {
                if e.trim().is_empty() {
                    return Err(OtlpExporterError::EmptyEndpoint);
                }
                e.trim().to_string()
            }
            None => match endpoint_from_env(lookup, protocol) {
                Some(e) => e,
                None => return Ok(None),
            },
        };
        let mut config = OtlpExportConfig {
            endpoint,
            protocol,
            headers: Default::default(),
            timeout: DEFAULT_TIMEOUT,
            insecure: false,
            service_name: DEFAULT_SERVICE_NAME.to_string(),
        };
        if let Some(var) = lookup_pair(lookup, TRACES_HEADERS, HEADERS) {
            for (name, value) in parse_headers(&var)? {
                config = config
                    .with_header(name, value)
                    .map_err(|e| bad_var(&var, e.to_string()))?;
            }
        }
        if let Some(var) = lookup_pair(lookup, TRACES_TIMEOUT, TIMEOUT) {
            let ms: i64 = var
                .value
                .trim()
                .parse()
                .map_err(|_| bad_var(&var, "expected a whole number of milliseconds"))?;
            if ms <= 0 {
                return Err(bad_var(&var, "the timeout must be greater than 0 ms"));
            }
            config.timeout = Duration::from_millis(ms.unsigned_abs());
        }
        if let Some(var) = lookup_pair(lookup, TRACES_INSECURE, INSECURE) {
            config.insecure = match var.value.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(bad_var(&var, "expected true or false")),
            };
        }
        let service = match &overrides.service_name {
            Some(s) => Some(s.clone()),
            None => lookup(SERVICE_NAME).filter(|s| !s.trim().is_empty()),
        };
        if let Some(service) = service {
            config = config.with_service_name(service)?;
        }
        config.validate()?;
        Ok(Some(config))
    }
}

/// The endpoint the environment names: the traces variable as it is, else the general one
/// (with `/v1/traces` appended for HTTP).
fn endpoint_from_env(
    lookup: &dyn Fn(&str) -> Option<String>,
    protocol: Protocol,
) -> Option<String> {
    if let Some(e) = lookup(TRACES_ENDPOINT).filter(|e| !e.trim().is_empty()) {
        return Some(e.trim().to_string());
    }
    let base = lookup(ENDPOINT).filter(|e| !e.trim().is_empty())?;
    let base = base.trim();
    Some(match protocol {
        Protocol::Grpc => base.to_string(),
        Protocol::Http => format!("{}{HTTP_TRACES_PATH}", base.trim_end_matches('/')),
    })
}

/// Parses `name=value,name2=value2` (W3C baggage style: spaces around items are ignored,
/// values are percent-decoded).
fn parse_headers(var: &Var) -> Result<Vec<(String, String)>, OtlpExporterError> {
    let mut out = Vec::new();
    for item in var.value.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let Some((name, value)) = item.split_once('=') else {
            return Err(bad_var(var, format!("entry {item:?} has no '='")));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(bad_var(var, format!("entry {item:?} has no name")));
        }
        let value = percent_decode(value.trim())
            .ok_or_else(|| bad_var(var, format!("entry {item:?} has a broken %-escape")))?;
        out.push((name.to_string(), value));
    }
    Ok(out)
}

/// Decodes `%XX` escapes; `None` for a truncated or non-hex escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_turns_escapes_into_bytes_and_rejects_broken_ones() {
        assert_eq!(
            percent_decode("Basic%20abc%3D").as_deref(),
            Some("Basic abc=")
        );
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        assert_eq!(percent_decode("bad%2"), None);
        assert_eq!(percent_decode("bad%zz"), None);
    }
}

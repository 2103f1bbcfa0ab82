//! The standard `OTEL_EXPORTER_OTLP_*` and `OTEL_SERVICE_NAME` variables, read from a map so
//! tests do not race on the process environment.

use std::collections::HashMap;
use std::time::Duration;

use webrunner_otel::{ExportOverrides, OtlpExportConfig, OtlpExporterError, Protocol};

fn read(vars: &[(&str, &str)]) -> Result<Option<OtlpExportConfig>, OtlpExporterError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    OtlpExportConfig::from_env_vars(|name| map.get(name).cloned())
}

#[test]
fn no_endpoint_variable_means_no_export_even_with_other_variables_set() {
    assert_eq!(read(&[]).unwrap(), None);
    assert_eq!(
        read(&[
            ("OTEL_SERVICE_NAME", "svc"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        ])
        .unwrap(),
        None
    );
    assert_eq!(
        read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "  ")]).unwrap(),
        None
    );
}

#[test]
fn general_endpoint_is_a_base_url_for_http_and_the_address_for_grpc() {
    let c = read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")])
        .unwrap()
        .unwrap();
    assert_eq!(c.protocol, Protocol::Grpc);
    assert_eq!(c.resolved_endpoint().unwrap(), "http://collector:4317");
    let c = read(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/otlp/"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(c.protocol, Protocol::Http);
    assert_eq!(
        c.resolved_endpoint().unwrap(),
        "http://collector:4318/otlp/v1/traces"
    );
}

#[test]
fn traces_endpoint_wins_over_the_general_one_and_is_used_as_it_is() {
    let c = read(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://general:4318"),
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://traces:4318/custom",
        ),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(c.resolved_endpoint().unwrap(), "http://traces:4318/custom");
}

#[test]
fn headers_timeout_insecure_and_service_name_are_read() {
    let c = read(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            " api-key = s3cr%3Dt , x-team=qa,",
        ),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ("OTEL_EXPORTER_OTLP_INSECURE", "TRUE"),
        ("OTEL_SERVICE_NAME", "checkout-e2e"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(c.headers.get("api-key").map(String::as_str), Some("s3cr=t"));
    assert_eq!(c.headers.get("x-team").map(String::as_str), Some("qa"));
    assert_eq!(c.timeout, Duration::from_millis(2500));
    assert!(c.insecure);
    assert_eq!(c.resolved_endpoint().unwrap(), "http://collector:4317");
    assert_eq!(c.service_name, "checkout-e2e");
}

#[test]
fn traces_specific_variables_win_over_general_ones() {
    let c = read(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "3000"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "a=1"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(c.protocol, Protocol::Http);
    assert_eq!(c.timeout, Duration::from_secs(3));
    assert_eq!(c.headers.keys().collect::<Vec<_>>(), ["b"]);
}

#[test]
fn unusable_values_are_errors_naming_the_variable() {
    let cases: [(&str, &str, &str); 6] = [
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon", "milliseconds"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "0", "greater than 0"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "-5", "greater than 0"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "not supported"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "novalue", "no '='"),
        ("OTEL_EXPORTER_OTLP_INSECURE", "yes", "true or false"),
    ];
    for (name, value, hint) in cases {
        let err = read(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"),
            (name, value),
        ])
        .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, OtlpExporterError::BadEnvVar { .. }),
            "{name}={value}: {err:?}"
        );
        assert!(
            text.contains(name) && text.contains(value) && text.contains(hint),
            "{text}"
        );
    }
}

#[test]
fn command_line_settings_win_over_the_environment() {
    let map: HashMap<&str, &str> = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "k=v"),
        ("OTEL_SERVICE_NAME", "from-env"),
    ]
    .into_iter()
    .collect();
    let lookup = |name: &str| map.get(name).map(|v| v.to_string());
    let overrides = ExportOverrides {
        endpoint: Some("http://flag:4318".into()),
        protocol: Some("http".into()),
        service_name: Some("from-flag".into()),
    };
    let c = OtlpExportConfig::from_env_and_overrides(lookup, &overrides)
        .unwrap()
        .unwrap();
    assert_eq!(c.resolved_endpoint().unwrap(), "http://flag:4318/v1/traces");
    assert_eq!(c.service_name, "from-flag");
    assert_eq!(c.headers.get("k").map(String::as_str), Some("v"));
    // A flag endpoint alone is enough; a bad flag protocol is refused.
    let none = |_: &str| None;
    let c = OtlpExportConfig::from_env_and_overrides(
        none,
        &ExportOverrides {
            endpoint: Some("http://f:1".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .unwrap();
    assert_eq!(c.protocol, Protocol::Grpc);
    let err = OtlpExportConfig::from_env_and_overrides(
        none,
        &ExportOverrides {
            endpoint: Some("http://f:1".into()),
            protocol: Some("udp".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, OtlpExporterError::UnknownProtocol(_)));
    assert_eq!(
        OtlpExportConfig::from_env_and_overrides(none, &ExportOverrides::default()).unwrap(),
        None
    );
}

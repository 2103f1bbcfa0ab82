//! `OtlpExportConfig` validation: empty endpoint, unknown protocol and non-positive timeout
//! are errors that say what was wrong; the defaults are the seed's.

use std::time::Duration;

use webrunner_otel::{
    build_exporter, configure_otlp_export, OtlpExportConfig, OtlpExporterError, Protocol,
    SdkTracerProvider,
};

#[test]
fn defaults_are_grpc_ten_seconds_service_webrunner_no_headers() {
    let c = OtlpExportConfig::new("http://127.0.0.1:4317").unwrap();
    assert_eq!(c.protocol, Protocol::Grpc);
    assert_eq!(c.timeout, Duration::from_secs(10));
    assert_eq!(c.service_name, "webrunner");
    assert!(c.headers.is_empty());
    assert!(!c.insecure);
}

#[test]
fn empty_or_blank_endpoint_is_refused() {
    for endpoint in ["", "   "] {
        let err = OtlpExportConfig::new(endpoint).unwrap_err();
        assert!(matches!(err, OtlpExporterError::EmptyEndpoint), "{err:?}");
        assert!(err.to_string().contains("empty"), "{err}");
    }
}

#[test]
fn unknown_protocol_is_refused_and_named_in_the_message() {
    let err = OtlpExportConfig::new("http://h:4317")
        .unwrap()
        .with_protocol("thrift")
        .unwrap_err();
    assert!(
        matches!(&err, OtlpExporterError::UnknownProtocol(p) if p == "thrift"),
        "{err:?}"
    );
    assert!(err.to_string().contains("\"thrift\""), "{err}");
    assert!("http/json".parse::<Protocol>().is_err());
}

#[test]
fn protocol_names_are_grpc_http_and_http_protobuf_in_any_case() {
    assert_eq!("grpc".parse::<Protocol>().unwrap(), Protocol::Grpc);
    assert_eq!("HTTP".parse::<Protocol>().unwrap(), Protocol::Http);
    assert_eq!(
        " http/protobuf ".parse::<Protocol>().unwrap(),
        Protocol::Http
    );
}

#[test]
fn zero_negative_and_nan_timeouts_are_refused() {
    let base = OtlpExportConfig::new("http://h:4317").unwrap();
    let err = base.clone().with_timeout(Duration::ZERO).unwrap_err();
    assert!(
        matches!(err, OtlpExporterError::NonPositiveTimeout(_)),
        "{err:?}"
    );
    for secs in [0.0, -1.5, f64::NAN, f64::INFINITY] {
        let err = base.clone().with_timeout_secs(secs).unwrap_err();
        assert!(
            matches!(err, OtlpExporterError::NonPositiveTimeout(_)),
            "{secs}: {err:?}"
        );
        assert!(err.to_string().contains("greater than 0"), "{err}");
    }
    assert_eq!(
        base.with_timeout_secs(2.5).unwrap().timeout,
        Duration::from_millis(2500)
    );
}

#[test]
fn validate_catches_each_problem_of_a_struct_literal() {
    let good = OtlpExportConfig::new("http://h:4317").unwrap();
    assert!(good.validate().is_ok());
    let mut c = good.clone();
    c.endpoint.clear();
    assert!(matches!(
        c.validate(),
        Err(OtlpExporterError::EmptyEndpoint)
    ));
    let mut c = good.clone();
    c.timeout = Duration::ZERO;
    assert!(matches!(
        c.validate(),
        Err(OtlpExporterError::NonPositiveTimeout(_))
    ));
    let mut c = good.clone();
    c.service_name = " ".into();
    assert!(matches!(
        c.validate(),
        Err(OtlpExporterError::EmptyServiceName)
    ));
    let mut c = good.clone();
    c.headers.insert("bad header".into(), "v".into());
    assert!(matches!(
        c.validate(),
        Err(OtlpExporterError::BadHeader { .. })
    ));
    let mut c = good;
    c.endpoint = "http://".into();
    assert!(matches!(
        c.validate(),
        Err(OtlpExporterError::BadEndpoint { .. })
    ));
}

#[test]
fn build_exporter_refuses_an_invalid_config_before_building_anything() {
    let mut c = OtlpExportConfig::new("http://h:4317").unwrap();
    c.timeout = Duration::ZERO;
    assert!(matches!(
        build_exporter(&c),
        Err(OtlpExporterError::NonPositiveTimeout(_))
    ));
    assert!(matches!(
        configure_otlp_export(SdkTracerProvider::builder(), &c),
        Err(OtlpExporterError::NonPositiveTimeout(_))
    ));
}

#[test]
fn https_endpoint_is_refused_because_tls_is_not_built_in() {
    for protocol in ["grpc", "http"] {
        let c = OtlpExportConfig::new("https://otlp.example:4317")
            .unwrap()
            .with_protocol(protocol)
            .unwrap();
        let err = build_exporter(&c).unwrap_err();
        assert!(err.to_string().contains("TLS"), "{err}");
    }
    // host:port without insecure means TLS too.
    let c = OtlpExportConfig::new("collector:4317").unwrap();
    assert!(build_exporter(&c).is_err());
    assert!(build_exporter(&c.with_insecure(true)).is_ok());
}

#[test]
fn build_exporter_resolves_the_http_traces_path() {
    let c = OtlpExportConfig::new("http://127.0.0.1:4318")
        .unwrap()
        .with_protocol("http")
        .unwrap();
    let exporter = build_exporter(&c).unwrap();
    assert_eq!(exporter.endpoint(), "http://127.0.0.1:4318/v1/traces");
    assert_eq!(exporter.protocol(), Protocol::Http);
}

#[test]
fn empty_service_name_is_refused_by_config_and_by_install() {
    let err = OtlpExportConfig::new("http://h:1")
        .unwrap()
        .with_service_name("")
        .unwrap_err();
    assert!(matches!(err, OtlpExporterError::EmptyServiceName));
    let err = webrunner_otel::executor_tracing("  ", None).unwrap_err();
    assert!(matches!(err, OtlpExporterError::EmptyServiceName));
}

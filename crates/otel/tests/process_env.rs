//! `OtlpExportConfig::from_env` reads the real process environment. The only test in this
//! binary, so changing the environment races with nothing.

use webrunner_otel::{OtlpExportConfig, Protocol};

#[test]
fn from_env_reads_the_process_environment() {
    for name in webrunner_otel::env::ALL {
        std::env::remove_var(name);
    }
    assert_eq!(OtlpExportConfig::from_env().unwrap(), None);
    std::env::set_var(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "http://127.0.0.1:4318/v1/traces",
    );
    std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    std::env::set_var("OTEL_SERVICE_NAME", "nightly");
    let c = OtlpExportConfig::from_env().unwrap().unwrap();
    assert_eq!(c.protocol, Protocol::Http);
    assert_eq!(c.service_name, "nightly");
    assert_eq!(
        c.resolved_endpoint().unwrap(),
        "http://127.0.0.1:4318/v1/traces"
    );
}

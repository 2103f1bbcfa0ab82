//! `webrunner run --otlp-endpoint`: the binary exports a span per action to a real OTLP
//! receiver over gRPC and over HTTP/protobuf, the records carry the spans' trace ids, and a
//! collector that is down leaves a summary line counting what could not be delivered.
//! (The flow needs no browser: a no-op sleep and an unknown command.)

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use webrunner_otel::receiver::{closed_endpoint, OtlpReceiver, ReceivedSpan};

const FLOW: &str = r#"[["WR_sleep", [0]], ["WR_no_such_command"]]"#;

fn run(dir: &Path, endpoint: &str, protocol: &str) -> Output {
    std::fs::write(dir.join("flow.json"), FLOW).expect("write flow");
    Command::new(env!("CARGO_BIN_EXE_webrunner"))
        .args([
            "run",
            "flow.json",
            "--out",
            "out",
            "--otlp-endpoint",
            endpoint,
        ])
        .args([
            "--otlp-protocol",
            protocol,
            "--service-name",
            "cli-checkout",
        ])
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_SERVICE_NAME")
        .current_dir(dir)
        .output()
        .expect("run webrunner")
}

fn records(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("out/records.json")).expect("records.json");
    serde_json::from_str(&text).expect("records JSON")
}

fn named<'a>(spans: &'a [ReceivedSpan], name: &str) -> &'a ReceivedSpan {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name:?} in {spans:#?}"))
}

fn check_export(protocol: &str) {
    let receiver = OtlpReceiver::start().expect("receiver");
    let endpoint = match protocol {
        "grpc" => receiver.grpc_endpoint(),
        _ => receiver.http_endpoint(),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &endpoint, protocol);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "one action fails: {stderr}");
    assert!(stderr.contains("spans: 4 exported"), "{stderr}");

    let spans = receiver.wait_for_spans(4, Duration::from_secs(10));
    assert!(spans
        .iter()
        .all(|s| s.service_name() == Some("cli-checkout")));
    let records = records(dir.path());
    for (record, command) in records.iter().zip(["WR_sleep", "WR_no_such_command"]) {
        let span = named(&spans, command);
        assert_eq!(span.str_attr("webrunner.command"), Some(command));
        assert_eq!(record["trace_id"].as_str(), Some(span.trace_id.as_str()));
        let attempt = named(&spans, &format!("{command} attempt 1"));
        assert_eq!(
            attempt.parent_span_id.as_deref(),
            Some(span.span_id.as_str())
        );
    }
    let failed = named(&spans, "WR_no_such_command");
    assert_eq!(failed.status_code, "error");
    assert!(
        failed.status_message.contains("unknown command"),
        "{failed:?}"
    );
    assert_eq!(named(&spans, "WR_sleep").status_code, "unset");
}

#[test]
fn run_exports_a_span_per_action_over_grpc_to_the_collector_named_on_the_command_line() {
    check_export("grpc");
}

#[test]
fn run_exports_a_span_per_action_over_http_protobuf_too() {
    check_export("http");
}

#[test]
fn a_collector_that_is_down_does_not_fail_the_run_and_the_summary_counts_the_lost_spans() {
    let endpoint = closed_endpoint().expect("closed endpoint");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &endpoint, "grpc");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "only the failed action counts: {stderr}"
    );
    assert!(
        stderr.contains("spans: 0 exported, 4 could not be delivered"),
        "{stderr}"
    );
    let records = records(dir.path());
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["status"], "passed");
}

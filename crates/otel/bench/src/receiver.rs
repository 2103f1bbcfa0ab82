//! A local OTLP collector on the command line, to see what a `webrunner run` exports: prints
//! its gRPC and HTTP endpoints, waits `--seconds` (default 30), then prints one line per span
//! received: transport, service, trace id, span id, parent, name, status, attributes.
#![forbid(unsafe_code)]

use std::time::Duration;

use webrunner_otel::receiver::OtlpReceiver;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut seconds: u64 = 30;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--seconds", Some(v)) => seconds = v,
            _ => {
                eprintln!("usage: otlp-receiver [--seconds N]");
                std::process::exit(2);
            }
        }
    }
    let receiver = match OtlpReceiver::start() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("otlp-receiver: {e}");
            std::process::exit(1);
        }
    };
    println!("grpc {}", receiver.grpc_endpoint());
    println!("http {}", receiver.http_endpoint());
    std::thread::sleep(Duration::from_secs(seconds));
    for s in receiver.spans() {
        let attrs: Vec<String> = s
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        println!(
            "{:?}\t{}\t{}\t{}\t{}\t{}\t{} {:?}\t{}",
            s.transport,
            s.service_name().unwrap_or("-"),
            s.trace_id,
            s.span_id,
            s.parent_span_id.as_deref().unwrap_or("-"),
            s.name,
            s.status_code,
            s.status_message,
            attrs.join(" ")
        );
    }
}

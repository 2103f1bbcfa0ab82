//! Browser loop: N x (click a button, read its text) through the executor and real Chromium,
//! against URL (a page whose `#counter` button counts its clicks). Prints steps per second.
//! With `off` as third argument, the evidence capture (console and network per record) is off;
//! with `trace`, the flow is traced (`run --trace on`: screencast and performance trace, the
//! zip written at the end is part of the time).
//! Usage: cargo run --release --example bench_browser_loop -- URL N [off|trace]

use webrunner::{Action, Executor, Status};

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| {
        eprintln!("usage: bench_browser_loop URL N");
        std::process::exit(2)
    });
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let mode = args.next().unwrap_or_default();
    let traces = tempfile::tempdir().expect("temporary folder");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut ex = Executor::new();
        ex.set_settings(webrunner::Settings {
            capture: mode != "off",
            trace: if mode == "trace" {
                webrunner::settings::TraceMode::On
            } else {
                webrunner::settings::TraceMode::Off
            },
            output_dir: Some(traces.path().to_path_buf()),
            ..webrunner::Settings::default()
        });
        // A first flow starts Chromium, so that the loop's flow times only itself.
        ex.run_actions(
            "start",
            vec![Action::new("WR_to_url").kwarg("url", url.as_str())],
        )
        .await;
        // One flow (each flow gets a fresh browser context): open the page, then the loop.
        let mut actions = Vec::with_capacity(2 * n + 1);
        actions.push(Action::new("WR_to_url").kwarg("url", url.as_str()));
        for _ in 0..n {
            actions.push(Action::new("WR_element_click").kwarg("id", "counter"));
            actions.push(Action::new("WR_element_text").kwarg("id", "counter"));
        }
        let records = ex.run_actions("loop", actions).await.to_vec();
        let ended = time::OffsetDateTime::now_utc();
        assert_eq!(records[0].status, Status::Passed, "{:?}", records[0].error);
        // The loop's time: from the end of the navigation to the end of the flow (with
        // `trace`, the trace written).
        let opened = time::OffsetDateTime::parse(
            &records[0].started_at,
            &time::format_description::well_known::Rfc3339,
        )
        .expect("started_at is RFC 3339");
        let dt = (ended - opened).as_seconds_f64() - records[0].duration_ms / 1000.0;
        let last = records.last().map(|r| r.result.clone());
        if last != Some(serde_json::json!(n.to_string())) {
            eprintln!("the loop did not run: last read {last:?}");
            std::process::exit(1);
        }
        println!("{:.1}", n as f64 / dt);
        ex.shutdown().await;
    });
}

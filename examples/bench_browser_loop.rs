//! Browser loop: N x (click a button, read its text) through the executor and real Chromium,
//! against URL (a page whose `#counter` button counts its clicks). Prints steps per second.
//! With `off` as third argument, the evidence capture (console and network per record) is off.
//! Usage: cargo run --release --example bench_browser_loop -- URL N [off]

use webrunner::{Action, Executor, Status};

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| {
        eprintln!("usage: bench_browser_loop URL N");
        std::process::exit(2)
    });
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let capture = args.next().as_deref() != Some("off");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut ex = Executor::new();
        ex.set_settings(webrunner::Settings {
            capture,
            ..webrunner::Settings::default()
        });
        // One flow (each flow gets a fresh browser context): open the page, then the loop.
        let mut actions = Vec::with_capacity(2 * n + 1);
        actions.push(Action::new("WR_to_url").kwarg("url", url.as_str()));
        for _ in 0..n {
            actions.push(Action::new("WR_element_click").kwarg("id", "counter"));
            actions.push(Action::new("WR_element_text").kwarg("id", "counter"));
        }
        let t = std::time::Instant::now();
        let records = ex.run_actions("loop", actions).await.to_vec();
        let total = t.elapsed().as_secs_f64();
        assert_eq!(records[0].status, Status::Passed, "{:?}", records[0].error);
        // The loop's time: everything after the page was open.
        let dt = total - records[0].duration_ms / 1000.0;
        let last = records.last().map(|r| r.result.clone());
        if last != Some(serde_json::json!(n.to_string())) {
            eprintln!("the loop did not run: last read {last:?}");
            std::process::exit(1);
        }
        println!("{:.1}", n as f64 / dt);
        ex.shutdown().await;
    });
}

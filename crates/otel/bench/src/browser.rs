//! Measures what tracing costs a real browser action: N x (click a counter button, read its
//! text) on the demo site's playground page in real Chromium, through the webrunner executor,
//! with no subscriber, with the OpenTelemetry layer but no exporter, and with batch export
//! over gRPC and over HTTP to a local OTLP receiver. The modes take turns round by round (so
//! a change in the machine's load falls on all of them) and each figure is the median over
//! the rounds of the mean per action: wall clock, and CPU time of this process (every thread:
//! executor, CDP connection, exporter and the in-process receiver; Chromium's own processes
//! are not counted, tracing does not run there). Prints `metric<TAB>value<TAB>unit<TAB>note`
//! lines; progress goes to stderr.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use webrunner::demo::DemoSite;
use webrunner::{Action, Executor, Status};
use webrunner_otel::receiver::OtlpReceiver;
use webrunner_otel::{executor_tracing, OtlpExportConfig, TracingGuard};

/// The allocator the `webrunner` binary uses, so the figures are those of a real run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU time of every thread of this process, in nanoseconds (Linux `schedstat`).
fn process_cpu_ns() -> u64 {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(Result::ok)
                .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
                .filter_map(|s| {
                    s.split_whitespace()
                        .next()
                        .and_then(|v| v.parse::<u64>().ok())
                })
                .sum()
        })
        .unwrap_or(0)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    NoSubscriber,
    NoExporter,
    Grpc,
    Http,
}

impl Mode {
    const ALL: [Mode; 4] = [Mode::NoSubscriber, Mode::NoExporter, Mode::Grpc, Mode::Http];

    fn name(self) -> &'static str {
        match self {
            Mode::NoSubscriber => "no_subscriber",
            Mode::NoExporter => "tracing_no_exporter",
            Mode::Grpc => "tracing_grpc_batch",
            Mode::Http => "tracing_http_batch",
        }
    }
}

/// Mean wall time and process CPU time per action of one round, in microseconds.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall_us: f64,
    cpu_us: f64,
}

fn die(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what}: {e}");
    std::process::exit(1)
}

/// The tracing of one round: none, or a subscriber exporting as `mode` says.
fn tracing_for(mode: Mode, receiver: &OtlpReceiver) -> Option<(tracing::Dispatch, TracingGuard)> {
    let config = |endpoint: String, protocol: &str| {
        OtlpExportConfig::new(endpoint)
            .and_then(|c| c.with_protocol(protocol))
            .unwrap_or_else(|e| die("config", e))
    };
    let export = match mode {
        Mode::NoSubscriber => return None,
        Mode::NoExporter => None,
        Mode::Grpc => Some(config(receiver.grpc_endpoint(), "grpc")),
        Mode::Http => Some(config(receiver.http_endpoint(), "http")),
    };
    Some(executor_tracing("bench", export).unwrap_or_else(|e| die("tracing setup", e)))
}

/// One round: a fresh executor opens the page (not counted), then `n` x (click, read).
async fn round(url: &str, n: usize, mode: Mode, receiver: &OtlpReceiver) -> Sample {
    let traced = tracing_for(mode, receiver);
    let mut ex = Executor::new();
    if let Some((dispatch, _)) = &traced {
        ex.trace_to(dispatch.clone());
    }
    let open = ex
        .run_action(0, &Action::new("WR_to_url").kwarg("url", url))
        .await;
    if open.status != Status::Passed {
        die("open the page", format!("{:?}", open.error));
    }
    let click = Action::new("WR_element_click").kwarg("id", "counter");
    let read = Action::new("WR_element_text").kwarg("id", "counter");
    let (t0, c0) = (Instant::now(), process_cpu_ns());
    for i in 0..n {
        for action in [&click, &read] {
            let record = ex.run_action(1 + i, action).await;
            if record.failed() {
                die("browser action", format!("{:?}", record.error));
            }
        }
    }
    let wall = t0.elapsed();
    let cpu = process_cpu_ns().saturating_sub(c0);
    ex.shutdown().await;
    if let Some((_, guard)) = traced {
        let stats = guard.shutdown();
        if stats.ended > 0 && stats.exported < stats.ended {
            eprintln!("  {}: {}", mode.name(), stats.summary());
        }
    }
    let actions = (2 * n) as f64;
    Sample {
        wall_us: wall.as_secs_f64() * 1e6 / actions,
        cpu_us: cpu as f64 / 1e3 / actions,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut n: usize = 200;
    let mut rounds: usize = 5;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--steps", Some(v)) => n = v,
            ("--rounds", Some(v)) => rounds = v,
            _ => {
                eprintln!("usage: tracing-browser [--steps N] [--rounds R]");
                std::process::exit(2);
            }
        }
    }
    let (n, rounds) = (n.max(1), rounds.max(1));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| die("tokio runtime", e));
    let receiver = OtlpReceiver::start().unwrap_or_else(|e| die("OTLP receiver", e));
    let site = rt
        .block_on(DemoSite::start())
        .unwrap_or_else(|e| die("demo site", e));
    let url = format!("{}/playground", site.base_url());
    let mut samples: Vec<(Mode, Vec<Sample>)> = Mode::ALL.iter().map(|m| (*m, vec![])).collect();
    // One warm-up round of each mode, not counted (first launch, page cache, JIT).
    for mode in Mode::ALL {
        rt.block_on(round(&url, n / 4 + 1, mode, &receiver));
    }
    for r in 0..rounds {
        // Each round starts with another mode, so none always runs first.
        for k in 0..Mode::ALL.len() {
            let mode = Mode::ALL[(r + k) % Mode::ALL.len()];
            eprintln!(
                "round {}/{rounds}: {} x 2 actions, {}",
                r + 1,
                n,
                mode.name()
            );
            let s = rt.block_on(round(&url, n, mode, &receiver));
            if let Some((_, list)) = samples.iter_mut().find(|(m, _)| *m == mode) {
                list.push(s);
            }
        }
    }
    std::thread::sleep(Duration::from_millis(100));
    let stat = |mode: Mode, f: fn(&Sample) -> f64| {
        samples
            .iter()
            .find(|(m, _)| *m == mode)
            .map(|(_, list)| median(list.iter().map(f).collect()))
            .unwrap_or(f64::NAN)
    };
    let note = format!(
        "per browser action (click or read text), {n} x 2 actions x {rounds} rounds, median"
    );
    for mode in Mode::ALL {
        println!(
            "browser_action_{}_wall\t{:.1}\tus\t{note}",
            mode.name(),
            stat(mode, |s| s.wall_us)
        );
        println!(
            "browser_action_{}_process_cpu\t{:.1}\tus\tall threads of the webrunner process",
            mode.name(),
            stat(mode, |s| s.cpu_us)
        );
    }
    let base_wall = stat(Mode::NoSubscriber, |s| s.wall_us);
    let base_cpu = stat(Mode::NoSubscriber, |s| s.cpu_us);
    for mode in [Mode::NoExporter, Mode::Grpc, Mode::Http] {
        let wall = stat(mode, |s| s.wall_us);
        let cpu = stat(mode, |s| s.cpu_us);
        println!(
            "tracing_overhead_per_browser_action_{}_wall\t{:.1}\tus\tvs no subscriber ({:+.1}% of the action)",
            mode.name(),
            wall - base_wall,
            (wall - base_wall) / base_wall * 100.0
        );
        println!(
            "tracing_overhead_per_browser_action_{}_process_cpu\t{:.1}\tus\tvs no subscriber",
            mode.name(),
            cpu - base_cpu
        );
    }
    // Round-to-round spread of the baseline: what a difference must exceed to be seen.
    if let Some((_, list)) = samples.iter().find(|(m, _)| *m == Mode::NoSubscriber) {
        let walls: Vec<f64> = list.iter().map(|s| s.wall_us).collect();
        let lo = walls.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = walls.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        println!(
            "browser_action_no_subscriber_wall_spread\t{:.1}\tus\tmax - min over the rounds",
            hi - lo
        );
    }
    drop(site);
}

//! Measures what tracing costs the executor per action: no-op actions run through
//! `webrunner::Executor::run_action` with no subscriber (baseline), with the OpenTelemetry
//! layer but no exporter, and with batch export over gRPC and HTTP to a local OTLP receiver;
//! also how long shutdown takes when the collector is down. Prints
//! `metric<TAB>value<TAB>unit<TAB>note` lines; progress goes to stderr.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use serde_json::Value;
use webrunner::executor::{handler, CommandDoc};
use webrunner::{Action, Executor};
use webrunner_otel::receiver::{closed_endpoint, OtlpReceiver};
use webrunner_otel::{executor_tracing, ExportStats, OtlpExportConfig, TracingGuard};

/// The allocator the `webrunner` binary uses, so the figures are those of a real run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NOOP: CommandDoc = CommandDoc::new("bench", "does nothing", &[], "null");

fn executor(traced: Option<&tracing::Dispatch>) -> Executor {
    let mut ex = Executor::new();
    ex.registry_mut().register(
        "WR_noop",
        NOOP,
        handler(|_ctx, _call| Box::pin(async { Ok(Value::Null) })),
    );
    if let Some(dispatch) = traced {
        ex.trace_to(dispatch.clone());
    }
    ex
}

/// CPU time this thread has run, in nanoseconds (Linux `/proc/thread-self/schedstat`); the
/// machine may be shared, so CPU time is steadier than wall time.
fn thread_cpu_ns() -> u64 {
    schedstat_ns("/proc/thread-self/schedstat")
}

/// CPU time of every thread of this process (the exporter and the in-process receiver too).
fn process_cpu_ns() -> u64 {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(Result::ok)
                .map(|t| schedstat_ns(&format!("{}/schedstat", t.path().display())))
                .sum()
        })
        .unwrap_or(0)
}

fn schedstat_ns(path: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Mean time per action of one round, in nanoseconds.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    wall: f64,
    thread_cpu: f64,
    process_cpu: f64,
}

/// Actions between two pauses of a paced run: 512 spans, a quarter of the SDK's default
/// queue, so the exporter keeps up as it does in a real run whose actions take milliseconds.
const PACE: usize = 256;

/// Runs `n` no-op actions on a fresh executor and returns the mean cost per action. With
/// `pause`, calls it every [`PACE`] actions (to let the exporter drain its queue) and leaves
/// the pause out: its wall time and this thread's CPU are not counted; what other threads do
/// meanwhile (exporting the spans) is, in the process CPU figure.
fn run_actions(
    rt: &tokio::runtime::Runtime,
    n: usize,
    traced: Option<&tracing::Dispatch>,
    pause: Option<&dyn Fn()>,
) -> Sample {
    let action = Action::new("WR_noop");
    rt.block_on(async {
        let mut ex = executor(traced);
        let (mut paused_wall, mut paused_cpu) = (0u64, 0u64);
        let (t0, c0, p0) = (Instant::now(), thread_cpu_ns(), process_cpu_ns());
        for i in 0..n {
            let record = ex.run_action(i, &action).await;
            if record.failed() {
                eprintln!("no-op action failed: {:?}", record.error);
                std::process::exit(1);
            }
            if let Some(pause) = pause.filter(|_| (i + 1) % PACE == 0) {
                let (w, c) = (Instant::now(), thread_cpu_ns());
                pause();
                paused_wall += w.elapsed().as_nanos() as u64;
                paused_cpu += thread_cpu_ns().saturating_sub(c);
            }
        }
        let wall = (t0.elapsed().as_nanos() as u64).saturating_sub(paused_wall);
        let (c1, p1) = (thread_cpu_ns(), process_cpu_ns());
        let per = |v: u64| v as f64 / n as f64;
        Sample {
            wall: per(wall),
            thread_cpu: per(c1.saturating_sub(c0).saturating_sub(paused_cpu)),
            process_cpu: per(p1.saturating_sub(p0).saturating_sub(paused_cpu)),
        }
    })
}

/// Per-field medians of `rounds` rounds of `n` actions each, after one warm-up round.
fn measure(
    rt: &tokio::runtime::Runtime,
    n: usize,
    rounds: usize,
    traced: Option<&tracing::Dispatch>,
    pause: Option<&dyn Fn()>,
) -> Sample {
    run_actions(rt, n / 10 + 1, traced, pause);
    let samples: Vec<Sample> = (0..rounds)
        .map(|_| run_actions(rt, n, traced, pause))
        .collect();
    let median = |f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Sample {
        wall: median(|s| s.wall),
        thread_cpu: median(|s| s.thread_cpu),
        process_cpu: median(|s| s.process_cpu),
    }
}

/// Waits (up to `limit`) until the exporter has delivered every span ended so far, or an
/// export failed.
fn drain(guard: &TracingGuard, limit: Duration) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let s = guard.stats();
        if s.exported >= s.ended || s.failed_batches > 0 {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn line(metric: &str, value: f64, unit: &str, note: &str) {
    println!("{metric}\t{value:.3}\t{unit}\t{note}");
}

/// How a traced run is driven.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Drive {
    /// Pauses every [`PACE`] actions until the exporter has caught up (not counted).
    Paced,
    /// No pauses: the executor outruns the exporter, spans pile up in the queue.
    Burst,
    /// No pauses, and shutdown right after (for the flush time).
    Flush,
}

/// Measures `rounds` rounds of `n` traced actions driven as `drive` says; except for
/// [`Drive::Flush`], waits until the exporter has delivered what is queued before shutting
/// down. Returns the per-action cost, the final counts and the shutdown time.
fn traced_run(
    rt: &tokio::runtime::Runtime,
    n: usize,
    rounds: usize,
    export: Option<OtlpExportConfig>,
    drive: Drive,
) -> (Sample, ExportStats, Duration) {
    let (dispatch, guard) = match executor_tracing("bench", export) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("tracing setup failed: {e}");
            std::process::exit(1);
        }
    };
    let exporting = guard.is_exporting();
    let pause = || drain(&guard, Duration::from_secs(10));
    let pause: Option<&dyn Fn()> = (exporting && drive == Drive::Paced).then_some(&pause);
    let per_action = measure(rt, n, rounds, Some(&dispatch), pause);
    if exporting && drive != Drive::Flush {
        drain(&guard, Duration::from_secs(60));
    }
    let t0 = Instant::now();
    let stats = guard.shutdown();
    (per_action, stats, t0.elapsed())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut n: usize = 20_000;
    let mut rounds: usize = 5;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--actions", Some(v)) => n = v,
            ("--rounds", Some(v)) => rounds = v,
            _ => {
                eprintln!("usage: tracing-overhead [--actions N] [--rounds R]");
                std::process::exit(2);
            }
        }
    }
    let n = n.max(1);
    let rounds = rounds.max(1);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokio runtime: {e}");
            std::process::exit(1);
        }
    };
    let receiver = match OtlpReceiver::start() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("OTLP receiver: {e}");
            std::process::exit(1);
        }
    };
    let config = |endpoint: String, protocol: &str| {
        OtlpExportConfig::new(endpoint)
            .and_then(|c| c.with_protocol(protocol))
            .unwrap_or_else(|e| {
                eprintln!("config: {e}");
                std::process::exit(1);
            })
    };

    eprintln!("baseline: {n} no-op actions x {rounds} rounds, no subscriber");
    let base = measure(&rt, n, rounds, None, None);
    eprintln!("tracing, no exporter");
    let (plain, _, _) = traced_run(&rt, n, rounds, None, Drive::Paced);
    let run = |endpoint: String, protocol: &str, drive: Drive, n: usize, rounds: usize| {
        eprintln!("tracing + batch export over {protocol}, {n} actions, {drive:?}");
        traced_run(&rt, n, rounds, Some(config(endpoint, protocol)), drive)
    };
    let (grpc, grpc_stats, _) = run(receiver.grpc_endpoint(), "grpc", Drive::Paced, n, rounds);
    let (http, http_stats, _) = run(receiver.http_endpoint(), "http", Drive::Paced, n, rounds);
    let (grpc_burst, grpc_burst_stats, _) =
        run(receiver.grpc_endpoint(), "grpc", Drive::Burst, n, rounds);
    let (_, grpc_flush_stats, grpc_flush) =
        run(receiver.grpc_endpoint(), "grpc", Drive::Flush, 1000, 1);
    let (_, http_flush_stats, http_flush) =
        run(receiver.http_endpoint(), "http", Drive::Flush, 1000, 1);
    eprintln!("collector down: shutdown time");
    let down_endpoint = closed_endpoint().unwrap_or_else(|e| {
        eprintln!("closed endpoint: {e}");
        std::process::exit(1);
    });
    let (_, down_stats, down_flush) = run(down_endpoint, "grpc", Drive::Flush, 1000, 1);

    let us = |v: f64| v / 1000.0;
    let spans_note = |s: &ExportStats| {
        format!(
            "{} of {} spans delivered, {} undelivered",
            s.exported, s.ended, s.undelivered
        )
    };
    let report = |name: &str, s: &Sample, note: &str| {
        line(&format!("{name}_thread_cpu"), us(s.thread_cpu), "us", note);
        line(
            &format!("{name}_wall"),
            us(s.wall),
            "us",
            "wall clock, machine shared",
        );
        line(
            &format!("{name}_process_cpu"),
            us(s.process_cpu),
            "us",
            "all threads: executor, exporter, in-process receiver",
        );
    };
    report(
        "executor_noop_action_no_subscriber",
        &base,
        &format!("per action; {n} actions x {rounds} rounds, median"),
    );
    report(
        "executor_noop_action_tracing_no_exporter",
        &plain,
        "OpenTelemetry layer + trace hook, no exporter",
    );
    report(
        "executor_noop_action_tracing_grpc_batch",
        &grpc,
        &format!(
            "paced: exporter drained every {PACE} actions (pause not counted); {}",
            spans_note(&grpc_stats)
        ),
    );
    report(
        "executor_noop_action_tracing_http_batch",
        &http,
        &format!("paced; {}", spans_note(&http_stats)),
    );
    report(
        "executor_noop_action_tracing_grpc_burst",
        &grpc_burst,
        &format!(
            "no pauses, the queue grows while the exporter lags; {}",
            spans_note(&grpc_burst_stats)
        ),
    );
    line(
        "tracing_overhead_per_action_no_exporter",
        us(plain.thread_cpu - base.thread_cpu),
        "us",
        "executor thread CPU vs no subscriber",
    );
    line(
        "tracing_overhead_per_action_grpc_batch",
        us(grpc.thread_cpu - base.thread_cpu),
        "us",
        "goal <= 5 us; executor thread CPU vs no subscriber",
    );
    line(
        "tracing_overhead_per_action_http_batch",
        us(http.thread_cpu - base.thread_cpu),
        "us",
        "goal <= 5 us; executor thread CPU vs no subscriber",
    );
    line(
        "tracing_overhead_per_action_grpc_batch_all_threads",
        us(grpc.process_cpu - base.process_cpu),
        "us",
        "incl. export thread and the in-process receiver decoding",
    );
    line(
        "tracing_overhead_per_action_grpc_burst",
        us(grpc_burst.thread_cpu - base.thread_cpu),
        "us",
        "executor thread CPU vs no subscriber, no pauses",
    );
    line(
        "shutdown_flush_grpc",
        grpc_flush.as_secs_f64() * 1000.0,
        "ms",
        &format!("live local receiver; {}", spans_note(&grpc_flush_stats)),
    );
    line(
        "shutdown_flush_http",
        http_flush.as_secs_f64() * 1000.0,
        "ms",
        &format!("live local receiver; {}", spans_note(&http_flush_stats)),
    );
    line(
        "shutdown_collector_down",
        down_flush.as_secs_f64() * 1000.0,
        "ms",
        &format!("goal about 1000 ms; {}", spans_note(&down_stats)),
    );
}

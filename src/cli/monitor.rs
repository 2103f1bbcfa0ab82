//! `webrunner monitor FLOW...`: runs each flow as a synthetic check, tick after tick, in one
//! headless Chromium, and alerts when a check turns red or green again.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use webrunner::browser::BrowserOptions;
use webrunner::monitor::{
    AlertSinks, CheckOptions, CheckResult, CheckStatus, FileSink, Flap, FlowCheck,
    FlowCheckOptions, MonitorError, MonitorState, SharedBrowser, StdoutSink, StopSignal,
    SyntheticMonitor, WebhookSink,
};
use webrunner::{load_flow, Flow};

use super::{seconds, EXIT_FAILED, EXIT_OK};

const AFTER_HELP: &str = "\
Each flow file is one check, named after its path. A check fails when any of its actions
fails; it turns red after --failure-threshold failed runs in a row and green again after
--recovery-threshold passed runs in a row.

Alerts are sent only when a check changes status, never while a status holds; a check that
is red on its first run alerts too (with \"previous\": null). An alert is one JSON object:
  {\"event\": \"synthetic.transition\", \"check\": \"site.json\", \"previous\": \"green\",
   \"current\": \"red\", \"error\": \"...\", \"duration_seconds\": 1.2}
It is always printed as one line on stdout, appended as one line to --alerts-file, and
POSTed to each --webhook (5 s limit per try, 3 tries with 0.5 s and 1 s pauses; a webhook
that is down is reported on stderr and never stops the monitor). Progress goes to stderr.

--flap K/N suppresses flapping: a check turns red only when, besides the failure
threshold, at least K of its last N runs failed, and turns green again only when fewer than
K of its last N runs failed (besides the recovery threshold). With --flap 2/5 a single
failure never alerts, and a check that alternates between passing and failing alerts once
and stays red.

--state FILE keeps every check's status, counters and flap window across restarts, so a
restart neither repeats an alert nor forgets a red check. It is rewritten atomically after
every tick. A state file that cannot be read is an error (exit 2), never silently reset.

Without --iterations the monitor runs until Ctrl-C (or SIGTERM), which stops it after the
current tick; a second Ctrl-C quits at once.

Exit codes: 0 every check green at the end, 1 a check red at the end, 2 bad usage or input.";

/// Arguments of `webrunner monitor`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct MonitorArgs {
    /// Flow files (JSON), each one check named after its path.
    #[arg(required = true)]
    pub flows: Vec<PathBuf>,
    /// Seconds to pause between ticks.
    #[arg(long, default_value_t = 60.0, value_name = "S")]
    pub interval: f64,
    /// Stop after this many ticks (default: until Ctrl-C).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// Failed runs in a row before a check turns red.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub failure_threshold: u32,
    /// Passed runs in a row before a red check turns green.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub recovery_threshold: u32,
    /// Flap suppression: alert red only when K of the last N runs failed (see below).
    #[arg(long, value_name = "K/N")]
    pub flap: Option<Flap>,
    /// POST each alert as JSON to this http:// URL (repeatable).
    #[arg(long, value_name = "URL")]
    pub webhook: Vec<String>,
    /// Append each alert as one JSON line to this file.
    #[arg(long, value_name = "FILE")]
    pub alerts_file: Option<PathBuf>,
    /// Keep the checks' state in this JSON file across restarts.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A run of a flow that takes longer fails.
    #[arg(long, default_value_t = 120.0, value_name = "S")]
    pub check_timeout: f64,
    /// Extra attempts for a failed action.
    #[arg(long, default_value_t = 0)]
    pub retries: i64,
    /// Seconds to wait after failed attempt k, times k.
    #[arg(long, default_value_t = 0.0)]
    pub backoff: f64,
    /// Failed actions write a screenshot here; its path is part of the alert's error.
    #[arg(long, value_name = "DIR")]
    pub screenshots: Option<PathBuf>,
    /// Refuse commands that run caller-supplied script (for untrusted flow files).
    #[arg(long)]
    pub no_scripts: bool,
    /// Show the browser window.
    #[arg(long)]
    pub headed: bool,
}

/// Runs the subcommand: 0 when every check ends green, 1 when one ends red.
pub fn execute(args: MonitorArgs) -> anyhow::Result<u8> {
    let flows = load_flows(&args.flows)?;
    seconds("interval", args.interval)?;
    seconds("backoff", args.backoff)?;
    let timeout = seconds("check-timeout", args.check_timeout)?;
    if timeout.is_zero() {
        anyhow::bail!("--check-timeout must be more than 0 seconds");
    }
    let mut sinks = AlertSinks::new().with(StdoutSink);
    if let Some(path) = &args.alerts_file {
        sinks.push(FileSink::open(path)?);
    }
    for url in &args.webhook {
        sinks.push(WebhookSink::new(url)?);
    }
    let saved = match &args.state {
        Some(path) => MonitorState::load(path)?,
        None => None,
    };
    let rt = super::runtime()?;
    rt.block_on(monitor(args, flows, sinks, saved, timeout))
}

/// Loads the flows; two with the same path or one without actions are refused.
fn load_flows(paths: &[PathBuf]) -> anyhow::Result<Vec<Flow>> {
    let mut seen = HashSet::new();
    let mut flows = Vec::new();
    for path in paths {
        let flow = load_flow(path)?;
        if flow.actions.is_empty() {
            anyhow::bail!(
                "{}: the flow has no actions, so there is nothing to check",
                flow.name
            );
        }
        if !seen.insert(flow.name.clone()) {
            anyhow::bail!("{}: given twice; each flow is one check", flow.name);
        }
        flows.push(flow);
    }
    Ok(flows)
}

async fn monitor(
    args: MonitorArgs,
    flows: Vec<Flow>,
    sinks: AlertSinks,
    saved: Option<MonitorState>,
    timeout: Duration,
) -> anyhow::Result<u8> {
    let browser = SharedBrowser::new(BrowserOptions {
        headed: args.headed,
        ..BrowserOptions::default()
    });
    let run_options = FlowCheckOptions {
        retries: args.retries,
        backoff: args.backoff,
        scripts_enabled: !args.no_scripts,
        failure_screenshot_dir: args.screenshots.clone(),
    };
    let options = CheckOptions {
        failure_threshold: args.failure_threshold,
        recovery_threshold: args.recovery_threshold,
        flap: args.flap,
        timeout: Some(timeout),
    };
    let mut monitor = SyntheticMonitor::new(sinks);
    let count = flows.len();
    for flow in flows {
        let name = flow.name.clone();
        let check = FlowCheck::with_options(flow, browser.clone(), run_options.clone());
        monitor.register_with(&name, check, options)?;
    }
    if let Some(saved) = saved {
        monitor.restore(saved);
    }
    if let Some(path) = &args.state {
        // Written once before the first tick, so an unwritable path fails at once.
        monitor.state().save(path)?;
    }
    let stop = StopSignal::new();
    listen_for_stop(stop.clone());
    let every = match args.iterations {
        Some(n) => format!("{n} tick(s)"),
        None => "until Ctrl-C".to_string(),
    };
    eprintln!(
        "monitoring {count} flow(s), {every}, {} s between ticks",
        args.interval
    );
    let state_path = args.state.clone();
    let ticks = monitor
        .run_until(args.iterations, args.interval, &stop, |tick, results, m| {
            if let Some(path) = &state_path {
                m.state().save(path)?;
            }
            print_tick(tick, results);
            Ok::<(), MonitorError>(())
        })
        .await
        .context("monitor stopped");
    browser.close().await;
    let ticks = ticks?;
    let red: Vec<&str> = monitor
        .check_names()
        .into_iter()
        .filter(|n| monitor.status(n) == Some(CheckStatus::Red))
        .collect();
    let why = if stop.is_stopped() { " (stopped)" } else { "" };
    if red.is_empty() {
        eprintln!("{ticks} tick(s){why}: every check green");
        Ok(EXIT_OK)
    } else {
        eprintln!("{ticks} tick(s){why}: red: {}", red.join(", "));
        Ok(EXIT_FAILED)
    }
}

/// One stderr line per check and tick.
fn print_tick(tick: u64, results: &[CheckResult]) {
    for r in results {
        let change = if r.transitioned { " (alerted)" } else { "" };
        match &r.error {
            None => eprintln!(
                "tick {tick}: {} {}{change} in {:.2} s",
                r.name, r.status, r.duration_seconds
            ),
            Some(e) => eprintln!(
                "tick {tick}: {} {}{change} in {:.2} s: {}",
                r.name,
                r.status,
                r.duration_seconds,
                e.replace('\n', " ")
            ),
        }
    }
}

/// The first Ctrl-C or SIGTERM asks the loop to stop after the current tick; a second
/// Ctrl-C quits at once.
fn listen_for_stop(stop: StopSignal) {
    tokio::spawn(async move {
        if wait_for_signal().await {
            eprintln!("stopping after the current tick (Ctrl-C again to quit at once)");
            stop.stop();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

/// Waits for Ctrl-C or (on Unix) SIGTERM; false if neither can be listened for.
async fn wait_for_signal() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                r = tokio::signal::ctrl_c() => r.is_ok(),
                _ = term.recv() => true,
            };
        }
    }
    tokio::signal::ctrl_c().await.is_ok()
}

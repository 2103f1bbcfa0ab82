//! `webrunner monitor FLOW...`: runs each flow as a synthetic check, tick after tick, in one
//! headless Chromium, and alerts when a check turns red or green again.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use webrunner::browser::BrowserOptions;
use webrunner::monitor::{
    AlertSinks, CheckOptions, CheckResult, CheckStatus, FileSink, Flap, FlowCheck, MonitorError,
    MonitorState, SharedBrowser, StdoutSink, StopSignal, SyntheticMonitor, WebhookSink,
};
use webrunner::settings::{checked_backoff, checked_retries};
use webrunner::terminal::escape_for_terminal;
use webrunner::{load_flow, Flow, Settings};

use super::{seconds, EXIT_FAILED, EXIT_OK};

const AFTER_HELP: &str = "\
Each flow file is one check, named after its path. A check fails when any of its actions
fails; it turns red after --failure-threshold failed runs in a row and green again after
--recovery-threshold passed runs in a row.

Alerts are sent only when a check changes status, never while a status holds; a check that
is red on its first run alerts too (with \"previous\": null). An alert is one JSON object:
  {\"event\": \"synthetic.transition\", \"check\": \"site.json\", \"previous\": \"green\",
   \"current\": \"red\", \"error\": \"...\", \"duration_seconds\": 1.2}
It is always printed as one line on stdout, appended as one line to --alerts-file, published
on --bus (topic synthetic.transition), and POSTed to each --webhook (5 s limit per try, 3 tries with 0.5 s and 1 s pauses; a webhook
that is down is reported on stderr and never stops the monitor). Progress goes to stderr.

--flap K/N suppresses flapping: a check turns red only when, besides the failure
threshold, at least K of its last N runs failed, and turns green again only when fewer than
K of its last N runs failed (besides the recovery threshold). With --flap 2/5 a single
failure never alerts, and a check that alternates between passing and failing alerts once
and stays red.

--state FILE keeps every check's status, counters and flap window across restarts, so a
restart neither repeats an alert nor forgets a red check. It is rewritten atomically after
every tick. A state file that cannot be read is an error (exit 2), never silently reset.

Without --iterations the monitor runs until Ctrl-C (or SIGTERM), which stops it at once: a
tick under way is dropped (it sends no alert and changes no state) and Chromium is closed.

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
    /// Publish each alert on this event bus (topic synthetic.transition): a file shared with
    /// Python WebRunner processes, or redis://host:port/stream.
    #[arg(long, value_name = "PATH|URL")]
    pub bus: Option<String>,
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
    let timeout = check_number_flags(&args)?;
    let flows = load_flows(&args.flows)?;
    let mut sinks = AlertSinks::new().with(StdoutSink);
    if let Some(path) = &args.alerts_file {
        sinks.push(FileSink::open(path)?);
    }
    for url in &args.webhook {
        sinks.push(WebhookSink::new(url)?);
    }
    if let Some(bus) = &args.bus {
        let bus = webrunner::bus::open_bus(bus, Some("webrunner-monitor"))?;
        sinks.push(webrunner::monitor::BusSink::new(bus));
    }
    let saved = match &args.state {
        Some(path) => MonitorState::load(path)?,
        None => None,
    };
    let rt = super::runtime()?;
    rt.block_on(monitor(args, flows, sinks, saved, timeout))
}

/// Checks the flags that are seconds or retries (finite, at most a day, at most
/// `MAX_RETRIES`) and returns the check time-out.
fn check_number_flags(args: &MonitorArgs) -> anyhow::Result<Duration> {
    seconds("interval", args.interval)?;
    checked_backoff("--backoff", args.backoff)?;
    checked_retries("--retries", args.retries as f64)?;
    let timeout = seconds("check-timeout", args.check_timeout)?;
    if timeout.is_zero() {
        anyhow::bail!("--check-timeout must be more than 0 seconds");
    }
    Ok(timeout)
}

/// Loads the flows; two with the same path or one without actions are refused.
fn load_flows(paths: &[PathBuf]) -> anyhow::Result<Vec<Flow>> {
    let mut seen = HashSet::new();
    let mut flows = Vec::new();
    for path in paths {
        let flow = load_flow(path)?;
        super::check::before_run(std::slice::from_ref(&flow))?;
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
    let browser_options = BrowserOptions {
        headed: args.headed,
        ..BrowserOptions::default()
    };
    let browser = SharedBrowser::new(browser_options.clone());
    let mut settings = Settings {
        scripts_enabled: !args.no_scripts,
        screenshot_dir: args.screenshots.clone(),
        browser: browser_options,
        ..Settings::default()
    };
    settings.set_retry_policy(args.retries as f64, args.backoff)?;
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
        let check = FlowCheck::with_settings(flow, browser.clone(), settings.clone());
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
        eprintln!(
            "{ticks} tick(s){why}: red: {}",
            escape_for_terminal(&red.join(", "))
        );
        Ok(EXIT_FAILED)
    }
}

/// One stderr line per check and tick (names and errors escaped for the terminal).
fn print_tick(tick: u64, results: &[CheckResult]) {
    for r in results {
        let change = if r.transitioned { " (alerted)" } else { "" };
        let name = escape_for_terminal(&r.name);
        match &r.error {
            None => eprintln!(
                "tick {tick}: {name} {}{change} in {:.2} s",
                r.status, r.duration_seconds
            ),
            Some(e) => eprintln!(
                "tick {tick}: {name} {}{change} in {:.2} s: {}",
                r.status,
                r.duration_seconds,
                escape_for_terminal(e)
            ),
        }
    }
}

/// Ctrl-C or SIGTERM stops the loop at once, dropping the tick under way.
fn listen_for_stop(stop: StopSignal) {
    tokio::spawn(async move {
        if wait_for_signal().await {
            eprintln!("stopping: the tick under way is dropped (no alert, no state change)");
            stop.stop();
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: MonitorArgs,
    }

    fn check(flags: &[&str]) -> anyhow::Result<Duration> {
        let mut argv = vec!["monitor", "site.json"];
        argv.extend_from_slice(flags);
        let cli = Cli::try_parse_from(argv)?;
        check_number_flags(&cli.args)
    }

    #[test]
    fn number_flags_out_of_range_are_bad_input_naming_the_flag() {
        for (flag, value) in [
            ("--interval", "1e300"),
            ("--interval", "NaN"),
            ("--interval", "-1"),
            ("--check-timeout", "inf"),
            ("--check-timeout", "0"),
            ("--backoff", "1e300"),
            ("--retries", "1000000"),
        ] {
            let e = check(&[&format!("{flag}={value}")])
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(flag), "{flag} {value}: {e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
    }

    #[test]
    fn number_flags_in_range_pass() {
        assert_eq!(check(&[]).unwrap(), Duration::from_secs(120));
        let t = check(&[
            "--interval=0.5",
            "--check-timeout=86400",
            "--backoff=-1",
            "--retries=-2",
        ]);
        assert_eq!(t.unwrap(), Duration::from_secs(86_400));
    }
}

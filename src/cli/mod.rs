//! Subcommand dispatch for the `webrunner` binary. Each subcommand lives in its own file and
//! stays thin: parse, call the library, print. Exit codes: 0 success, 1 what was checked
//! failed, 2 bad usage or bad input (one line on stderr).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bundle;
mod bus;
mod check;
mod cluster;
mod commands;
mod dashboard;
mod demo;
mod har_diff;
mod leak;
mod monitor;
mod progress;
mod replay;
mod run;
mod timeline;

/// Exit code when everything checked passed.
pub const EXIT_OK: u8 = 0;
/// Exit code when an action, assertion or budget failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for bad usage or bad input.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Output format for subcommands whose result is data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON on stdout.
    Json,
}

#[derive(Debug, Parser)]
#[command(
    name = "webrunner",
    version,
    about = "Run JSON web-automation flows in headless Chromium and make every run observable"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run flow files in headless Chromium.
    Run(run::RunArgs),
    /// Run the bundled flow against the built-in demo site.
    Demo(demo::DemoArgs),
    /// Run flows as synthetic checks on an interval, alerting on state changes.
    Monitor(monitor::MonitorArgs),
    /// Print the reference of every WR_* command (Markdown, or `--format json`).
    Commands(commands::CommandsArgs),
    /// Check flow files without a browser: unknown commands and keywords, missing or
    /// mistyped parameters, each with its file, line and action.
    Check(check::CheckArgs),
    /// Compare two HAR files: added, removed and changed requests.
    HarDiff(har_diff::HarDiffArgs),
    /// Group failure messages by cause.
    Cluster(cluster::ClusterArgs),
    /// Build a self-contained replay.html from saved records.
    Replay(replay::ReplayArgs),
    /// Serve the live dashboard over a saved records.json.
    Dashboard(dashboard::DashboardArgs),
    /// Merge spans, console messages and responses into one chronological JSON list.
    Timeline(timeline::TimelineArgs),
    /// Failure bundles: create from a run folder, extract safely, verify, rerun.
    Bundle(bundle::BundleArgs),
    /// Memory-leak probe: SETUP_FLOW once, then ACTION_FLOW repeated while the heap, DOM
    /// nodes and listeners are sampled after forced garbage collection; exit 1 on a leak.
    Leak(leak::LeakArgs),
    /// The event bus shared with Python WebRunner processes: publish, poll and wait on a
    /// bus file or a redis://host:port/stream.
    Bus(bus::BusArgs),
}

/// `v` seconds from the flag `--flag`; a negative, NaN or too large value (more than a day)
/// is bad input.
pub fn seconds(flag: &str, v: f64) -> anyhow::Result<std::time::Duration> {
    let what = format!("--{flag}");
    Ok(webrunner::settings::checked_seconds(&what, v)?)
}

/// The screenshot folder of a saved run: `given` (which must be a folder), else the
/// `screenshots` folder beside the records file when there is one.
pub fn screenshots_folder(
    records: &std::path::Path,
    given: Option<&std::path::Path>,
) -> anyhow::Result<Option<std::path::PathBuf>> {
    if let Some(dir) = given {
        anyhow::ensure!(
            dir.is_dir(),
            "--screenshots {}: not a folder",
            dir.display()
        );
        return Ok(Some(dir.to_path_buf()));
    }
    let beside = records.parent().map(|p| p.join("screenshots"));
    Ok(beside.filter(|b| b.is_dir()))
}

/// A tokio runtime for subcommands that drive the browser or serve HTTP.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Parses the command line, runs the subcommand and maps its outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run::execute(args),
        Command::Demo(args) => demo::execute(args),
        Command::Commands(args) => commands::execute(args),
        Command::Check(args) => check::execute(args),
        Command::Monitor(args) => monitor::execute(args),
        Command::HarDiff(args) => har_diff::execute(args),
        Command::Cluster(args) => cluster::execute(args),
        Command::Replay(args) => replay::execute(args),
        Command::Dashboard(args) => dashboard::execute(args),
        Command::Timeline(args) => timeline::execute(args),
        Command::Bundle(args) => bundle::execute(args),
        Command::Leak(args) => leak::execute(args),
        Command::Bus(args) => bus::execute(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let line = format!("{err:#}").replace('\n', " ");
            eprintln!(
                "webrunner: {}",
                webrunner::terminal::escape_for_terminal(&line)
            );
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

//! `webrunner run FLOW...`: runs flow files in headless Chromium into an output folder.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use webrunner::browser::BrowserOptions;
use webrunner::run::{run_flows, RunOptions, RunOutcome};
use webrunner::{load_flow, Flow};

use super::{Format, EXIT_FAILED, EXIT_OK};

/// Options shared by `run` and `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// Output folder for records.json, screenshots/ and the reports.
    #[arg(long, default_value = "webrunner-out")]
    pub out: PathBuf,
    /// Extra attempts for a failed action.
    #[arg(long, default_value_t = 0)]
    pub retries: i64,
    /// Seconds to wait after failed attempt k, times k.
    #[arg(long, default_value_t = 0.0)]
    pub backoff: f64,
    /// Stop each flow at its first failed action.
    #[arg(long)]
    pub fail_fast: bool,
    /// Refuse commands that run caller-supplied script (for untrusted flow files).
    #[arg(long)]
    pub no_scripts: bool,
    /// Show the browser window.
    #[arg(long)]
    pub headed: bool,
    /// Print the summary and records as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `webrunner run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Flow files (JSON): a list of actions or {"webdriver_wrapper": [...]}.
    #[arg(required = true)]
    pub flows: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: RunFlags,
}

impl RunFlags {
    /// Library options from the flags.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            out: self.out.clone(),
            retries: self.retries,
            backoff: self.backoff,
            fail_fast: self.fail_fast,
            scripts: !self.no_scripts,
            browser: BrowserOptions {
                headed: self.headed,
                ..BrowserOptions::default()
            },
            observers: vec![Arc::new(super::progress::Progress::new())],
            trace_hook: None,
        }
    }
}

/// Runs the subcommand.
pub fn execute(args: RunArgs) -> anyhow::Result<u8> {
    let flows = args
        .flows
        .iter()
        .map(|p| load_flow(p))
        .collect::<Result<Vec<Flow>, _>>()?;
    if args.flags.backoff < 0.0 || !args.flags.backoff.is_finite() {
        anyhow::bail!("--backoff must be a number of seconds ≥ 0");
    }
    let rt = super::runtime()?;
    let outcome = rt.block_on(run_flows(&flows, args.flags.options()))?;
    report(&outcome, args.flags.format)
}

/// Prints the outcome and returns the exit code (1 when an action failed).
pub fn report(outcome: &RunOutcome, format: Format) -> anyhow::Result<u8> {
    let s = outcome.summary;
    match format {
        Format::Json => {
            let files: serde_json::Map<String, serde_json::Value> = outcome
                .files
                .iter()
                .map(|(k, p)| (k.clone(), serde_json::json!(p.display().to_string())))
                .collect();
            let v = serde_json::json!({
                "summary": s,
                "seconds": outcome.seconds,
                "files": files,
                "records": outcome.records,
            });
            println!("{}", serde_json::to_string_pretty(&v).context("printing JSON")?);
        }
        Format::Text => {
            println!(
                "{} actions: {} passed, {} failed ({} flaky) in {:.1} s",
                s.total, s.passed, s.failed, s.flaky, outcome.seconds
            );
            for r in outcome.records.iter().filter(|r| r.failed()) {
                println!(
                    "  failed: {} #{} {}: {}",
                    r.flow.as_deref().unwrap_or("-"),
                    r.index,
                    r.command,
                    r.error.as_deref().unwrap_or("")
                );
            }
            for (kind, path) in &outcome.files {
                println!("  {kind:<12} {}", path.display());
            }
        }
    }
    Ok(if s.failed > 0 { EXIT_FAILED } else { EXIT_OK })
}

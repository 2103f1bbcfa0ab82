//! `webrunner leak SETUP_FLOW ACTION_FLOW`: runs the setup flow once (open the page, log in),
//! then the action flow's actions `--warmup` times and `--iterations` times more in the same
//! page, sampling memory after forced garbage collection (SPEC §8, `detect_growth`), and
//! prints the report. Exit 0 when clean, 1 on a leak, 2 on bad input or when the probe could
//! not measure (a flow file that does not load, an action of either flow that fails, a
//! browser that does not answer).

use std::path::PathBuf;

use webrunner::probes::leak::{detect_growth, LeakError, LeakReport};
use webrunner::{load_flow, Executor, Settings};

use super::{Format, EXIT_FAILED, EXIT_OK};

/// Arguments of `webrunner leak`.
#[derive(Debug, clap::Args)]
pub struct LeakArgs {
    /// Flow run once first, e.g. opening the page and logging in.
    pub setup_flow: PathBuf,
    /// Flow whose actions make one iteration, run in the same page.
    pub action_flow: PathBuf,
    /// Measured iterations (at least 2).
    #[arg(long, default_value_t = 10)]
    pub iterations: usize,
    /// Unmeasured rounds before the baseline sample (caches, lazy code).
    #[arg(long, default_value_t = 1)]
    pub warmup: usize,
    /// Heap growth per iteration, in bytes, above which the page leaks (default 102400).
    #[arg(long, value_name = "BYTES")]
    pub budget: Option<u64>,
    /// Show the browser window.
    #[arg(long)]
    pub headed: bool,
    /// Print the report as text or JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the probe and prints its report.
pub fn execute(args: LeakArgs) -> anyhow::Result<u8> {
    anyhow::ensure!(
        args.iterations >= 2,
        "--iterations must be at least 2, got {}",
        args.iterations
    );
    anyhow::ensure!(args.warmup <= 1000, "--warmup must be at most 1000");
    anyhow::ensure!(
        args.iterations <= 10_000,
        "--iterations must be at most 10000"
    );
    let setup = load_flow(&args.setup_flow)?;
    let action = load_flow(&args.action_flow)?;
    super::check::before_run(&[setup.clone(), action.clone()])?;
    let mut settings = Settings {
        capture: false,
        ..Settings::default()
    };
    settings.browser.headed = args.headed;
    let rt = super::runtime()?;
    let (report, leaking) = rt.block_on(async {
        let mut ex = Executor::new();
        ex.set_settings(settings);
        let outcome = probe(&mut ex, &setup, &action, &args).await;
        ex.shutdown().await;
        outcome
    })?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => print!("{}", text(&report)),
    }
    Ok(if leaking { EXIT_FAILED } else { EXIT_OK })
}

async fn probe(
    ex: &mut Executor,
    setup: &webrunner::Flow,
    action: &webrunner::Flow,
    args: &LeakArgs,
) -> anyhow::Result<(LeakReport, bool)> {
    let failed = |flow: &str, r: &webrunner::Record| {
        format!(
            "{flow} flow, action #{} ({}) failed: {}",
            r.index,
            r.command,
            r.error.as_deref().unwrap_or("not run")
        )
    };
    if let Some(r) = ex.run_flow(setup).await.iter().find(|r| r.failed()) {
        anyhow::bail!("{}", failed("setup", r));
    }
    // The action flow's own folder for the paths its actions name.
    ex.context().settings.flow_dir = action.path.as_deref().and_then(|p| p.parent()).map(|d| {
        if d.as_os_str().is_empty() {
            ".".into()
        } else {
            d.to_path_buf()
        }
    });
    let session = ex.context().session().await?;
    let step = async || -> Result<(), String> {
        for (index, a) in action.actions.iter().enumerate() {
            let r = ex.run_action(index, a).await;
            if r.failed() {
                return Err(failed("action", r));
            }
        }
        Ok(())
    };
    match detect_growth(&session, step, args.iterations, args.warmup, args.budget).await {
        Ok(report) => Ok((report, false)),
        Err(LeakError::Leak(e)) => Ok((*e.report, true)),
        Err(e) => Err(e.into()),
    }
}

fn text(r: &LeakReport) -> String {
    let mut out = format!(
        "{} after {} iterations ({} warm-up, {:.0} ms each)\n",
        if r.leaking { "LEAK" } else { "clean" },
        r.iterations,
        r.warmup,
        r.ms_per_iteration
    );
    out.push_str(&format!(
        "heap: {:+.0} bytes/iteration (R² {:.2}, budget {}), {:+} bytes in all\n",
        r.slope_bytes_per_iter, r.r_squared, r.budget_bytes, r.delta_bytes
    ));
    out.push_str(&format!(
        "per iteration: {:+.1} DOM nodes, {:+.1} listeners, {:+.1} documents\n",
        r.nodes_per_iter, r.listeners_per_iter, r.documents_per_iter
    ));
    for reason in &r.reasons {
        out.push_str(&format!("  {reason}\n"));
    }
    out
}

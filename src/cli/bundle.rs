//! `webrunner bundle create|extract|verify|rerun`: failure bundles from a run folder, opened
//! safely, checked against their manifest, and replayed against the live site.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use webrunner::failure::{bundle_path, failure_bundle, FailureInput, FLOW_ENTRY};
use webrunner::terminal::escape_for_terminal;
use webrunner::timeline::run_dir::flow_evidence;
use webrunner::{parse_flow, Evidence};

use super::run::{interrupted_code, report, run_until_signal, RunFlags};
use super::{EXIT_FAILED, EXIT_OK};

/// Arguments of `webrunner bundle`.
#[derive(Debug, clap::Args)]
pub struct BundleArgs {
    #[command(subcommand)]
    pub command: BundleCommand,
}

/// What to do with bundles.
#[derive(Debug, clap::Subcommand)]
pub enum BundleCommand {
    /// Write the bundle of each failed action of a run folder (or of one, with --flow and
    /// --index) into its bundles/ folder, or to -o.
    Create {
        /// The run folder (with records.json).
        #[arg(long, value_name = "DIR")]
        run: PathBuf,
        /// Only the failed actions of this flow (as named in records.json).
        #[arg(long)]
        flow: Option<String>,
        /// Only the action at this index.
        #[arg(long)]
        index: Option<usize>,
        /// Where the bundle goes (a .zip file for one bundle, else a folder).
        #[arg(short, long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Check every file against the manifest's sha256 and size, then write them into a
    /// folder; a bundle with an entry escaping the folder, a symlink, a decompression bomb, a
    /// missing manifest or file, or a checksum mismatch writes nothing.
    Extract {
        /// The bundle.
        bundle: PathBuf,
        /// The folder to write into (created).
        #[arg(short, long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Check every file of each bundle against its manifest (sha256 and size).
    Verify {
        /// The bundles.
        #[arg(required = true)]
        bundles: Vec<PathBuf>,
    },
    /// Run the bundled flow up to and including the failed action against the live site:
    /// exit 1 when it fails again (reproduced), 0 when it passes now.
    Rerun {
        /// The bundle.
        bundle: PathBuf,
        #[command(flatten)]
        flags: RunFlags,
    },
}

/// Runs `webrunner bundle`.
pub fn execute(args: BundleArgs) -> anyhow::Result<u8> {
    match args.command {
        BundleCommand::Create {
            run,
            flow,
            index,
            out,
        } => create(&run, flow.as_deref(), index, out.as_deref()),
        BundleCommand::Extract { bundle, out } => {
            let written = webrunner::bundle::extract_to(&bundle, &out)?;
            println!(
                "{} files written to {}",
                written.len(),
                escape_for_terminal(&out.display().to_string())
            );
            Ok(EXIT_OK)
        }
        BundleCommand::Verify { bundles } => verify(&bundles),
        BundleCommand::Rerun { bundle, flags } => rerun(&bundle, &flags),
    }
}

fn verify(bundles: &[PathBuf]) -> anyhow::Result<u8> {
    let mut code = EXIT_OK;
    for path in bundles {
        let shown = path.display().to_string();
        let shown = escape_for_terminal(&shown);
        match webrunner::bundle::verify(path) {
            Ok(report) => println!("ok: {shown}: {} files match", report.checked.len()),
            Err(e) => {
                println!("failed: {}", escape_for_terminal(&e.to_string()));
                code = EXIT_FAILED;
            }
        }
    }
    Ok(code)
}

fn create(
    run: &Path,
    flow: Option<&str>,
    index: Option<usize>,
    out: Option<&Path>,
) -> anyhow::Result<u8> {
    let records = webrunner::report::load_records(&run.join("records.json"))?;
    let failed: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.failed() && !r.tries.is_empty())
        .filter(|(_, r)| flow.is_none_or(|f| r.flow.as_deref() == Some(f)))
        .filter(|(_, r)| index.is_none_or(|i| r.index == i))
        .map(|(at, _)| at)
        .collect();
    anyhow::ensure!(
        !failed.is_empty(),
        "{}: no failed action{}",
        run.join("records.json").display(),
        match (flow, index) {
            (None, None) => String::new(),
            _ => " matches --flow/--index".to_string(),
        }
    );
    let one_file = out.filter(|o| o.extension().is_some_and(|e| e == "zip"));
    anyhow::ensure!(
        one_file.is_none() || failed.len() == 1,
        "{} failed actions match; give -o a folder, or choose one with --flow and --index",
        failed.len()
    );
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| run.join("bundles"));
    let cwd = std::env::current_dir().unwrap_or_default();
    for at in failed {
        let r = &records[at];
        let flow_start = records[..at]
            .iter()
            .rposition(|x| x.flow != r.flow || x.index >= r.index)
            .map_or(0, |p| p + 1);
        let flow_records = &records[flow_start..=at];
        // The run's complete lists when they are there, else what the records hold.
        let evidence =
            flow_evidence(run, r.flow.as_deref(), r.index)?.unwrap_or_else(|| Evidence {
                console: flow_records
                    .iter()
                    .flat_map(|x| x.console.clone())
                    .collect(),
                network: flow_records
                    .iter()
                    .flat_map(|x| x.network.clone())
                    .collect(),
            });
        let flow_file = r.flow.as_deref().map(Path::new).filter(|p| p.is_file());
        let input = FailureInput {
            failed: r,
            flow_records,
            run_records: &records[..=at],
            evidence: &evidence,
            flow_text: flow_file.and_then(|p| std::fs::read_to_string(p).ok()),
            flow_file,
            base: &cwd,
            screenshots: Some(&run.join("screenshots")),
        };
        let bundle = failure_bundle(&input)?;
        let path = match one_file {
            Some(file) => file.to_path_buf(),
            None => {
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                bundle_path(&dir, r)
            }
        };
        bundle.write(&path)?;
        println!("{}", escape_for_terminal(&path.display().to_string()));
    }
    Ok(EXIT_OK)
}

fn rerun(path: &Path, flags: &RunFlags) -> anyhow::Result<u8> {
    let bundle = webrunner::extract_bundle(path)?;
    let shown = path.display();
    let text = bundle
        .files
        .get(FLOW_ENTRY)
        .with_context(|| format!("{shown}: no {FLOW_ENTRY} in the bundle, nothing to rerun"))?;
    let meta = &bundle.manifest.metadata;
    let index = meta
        .get("index")
        .and_then(|v| v.as_u64())
        .with_context(|| format!("{shown}: the manifest's metadata has no action index"))?
        as usize;
    let name = meta
        .get("flow")
        .and_then(|v| v.as_str())
        .unwrap_or("bundle")
        .to_string();
    let text = String::from_utf8_lossy(text);
    let mut flow =
        parse_flow(&name, &text).with_context(|| format!("{shown}: its {FLOW_ENTRY}"))?;
    anyhow::ensure!(
        index < flow.actions.len(),
        "{shown}: the failed action #{index} is not in the bundled flow ({} actions)",
        flow.actions.len()
    );
    flow.actions.truncate(index + 1);
    flow.lines.truncate(index + 1);
    let flows = [flow];
    super::check::before_run(&flows)?;
    let mut options = flags.options()?;
    options.title = format!("rerun of {}", bundle.manifest.test_name);
    let rt = super::runtime()?;
    let outcome = run_until_signal(options, &flows, &rt)?;
    report(&outcome, flags.format)?;
    if let Some(code) = interrupted_code(&outcome) {
        return Ok(code);
    }
    let last = outcome.records.iter().find(|r| r.index == index);
    Ok(match last {
        Some(r) if r.failed() => {
            println!(
                "reproduced: action #{index} {} failed again: {}",
                escape_for_terminal(&r.command),
                escape_for_terminal(r.error.as_deref().unwrap_or(""))
            );
            EXIT_FAILED
        }
        Some(r) => {
            println!(
                "not reproduced: action #{index} {} passed",
                escape_for_terminal(&r.command)
            );
            EXIT_OK
        }
        None => {
            println!("not reproduced: the flow stopped before action #{index}");
            EXIT_FAILED
        }
    })
}

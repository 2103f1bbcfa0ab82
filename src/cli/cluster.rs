//! `webrunner cluster FILE`: groups the failures of a JSON failure list, a `records.json` or
//! a JUnit XML report by cause and prints the largest clusters as a table or as the seed's
//! `cluster_summary` JSON.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use webrunner_cluster::{cluster_file, cluster_summary, summary_json, summary_table, Rules};

use crate::cli::{Format, EXIT_OK};

/// Which signature rules to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesArg {
    /// Triage rules: same cause together, different causes apart, with "why grouped".
    #[default]
    Default,
    /// The Python WebRunner's rules and JSON, exactly.
    Seed,
}

/// Arguments of `webrunner cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// A JSON list of failures ({function_name, exception|error, file_path}), a records.json,
    /// or a JUnit XML report.
    pub file: PathBuf,
    /// Show only the N largest clusters (N ≤ 0 shows none).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub top: Option<i64>,
    /// Output format: a readable table, or cluster_summary JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Signature rules: `default` (by cause) or `seed` (the Python WebRunner's).
    #[arg(long, value_enum, default_value_t = RulesArg::Default)]
    pub rules: RulesArg,
}

/// Runs the subcommand: exit 0 with the clusters printed; bad input is an error (exit 2).
pub fn execute(args: ClusterArgs) -> anyhow::Result<u8> {
    let rules = match args.rules {
        RulesArg::Default => Rules::Default,
        RulesArg::Seed => Rules::Seed,
    };
    let result = cluster_file(&args.file, args.top, rules)?;
    let text = match args.format {
        Format::Json => {
            let mut json = summary_json(&cluster_summary(&result.clusters));
            json.push('\n');
            json
        }
        Format::Text => summary_table(&result.clusters, result.failures, result.total_clusters),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(EXIT_OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(EXIT_OK),
        Err(e) => Err(e).context("cannot write to stdout"),
    }
}

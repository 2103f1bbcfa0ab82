//! `webrunner har-diff LEFT RIGHT`: compares two HAR files (SPEC §5) and prints the added,
//! removed and status-changed requests as a table, or the seed's JSON with `--format json`.
//! Options add multiset matching, URL normalisation, timing and size thresholds; with
//! `--fail-on-change` any difference exits 1.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use webrunner_har::{diff_har_files_with, render_table, DiffOptions, DiffReport, MatchMode};

use crate::cli::{Format, EXIT_FAILED, EXIT_OK};

/// How entries of the two files are paired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchArg {
    /// One entry per METHOD + URL, the later one wins (the Python WebRunner's rule).
    #[default]
    Key,
    /// Every entry counts: a repeated request that disappeared or appeared is reported.
    Multiset,
}

/// Arguments of `webrunner har-diff`.
#[derive(Debug, clap::Args)]
pub struct HarDiffArgs {
    /// The baseline HAR file.
    pub left: PathBuf,
    /// The HAR file compared with the baseline.
    pub right: PathBuf,
    /// Output format: a readable table, or JSON ({added, removed, changed}, plus slower and
    /// resized when their thresholds are given).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// How entries are paired: `key` or `multiset`.
    #[arg(long = "match", value_enum, value_name = "MODE", default_value_t = MatchArg::Key)]
    pub match_mode: MatchArg,
    /// Drop this query parameter from URLs before comparing (repeatable; `*` drops the whole
    /// query string).
    #[arg(long, value_name = "NAME")]
    pub ignore_query: Vec<String>,
    /// Compare URLs without scheme, host and port (e.g. staging against production).
    #[arg(long)]
    pub ignore_host: bool,
    /// Report requests whose total time or `wait` grew by more than PCT percent.
    #[arg(long, value_name = "PCT", value_parser = parse_pct)]
    pub timing_threshold: Option<f64>,
    /// Report requests whose response size changed by more than PCT percent (0: any change).
    #[arg(long, value_name = "PCT", value_parser = parse_pct)]
    pub size_threshold: Option<f64>,
    /// Exit 1 when anything was added, removed, changed, slower or resized.
    #[arg(long)]
    pub fail_on_change: bool,
    /// Accept JSONP-wrapped HAR files (`callback({...});`) by unwrapping them.
    #[arg(long)]
    pub allow_jsonp: bool,
}

/// A percentage: a finite number ≥ 0.
fn parse_pct(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(pct) if pct.is_finite() && pct >= 0.0 => Ok(pct),
        _ => Err(format!("expected a percentage ≥ 0, got {text:?}")),
    }
}

impl HarDiffArgs {
    fn options(&self) -> DiffOptions {
        DiffOptions {
            match_mode: match self.match_mode {
                MatchArg::Key => MatchMode::Key,
                MatchArg::Multiset => MatchMode::Multiset,
            },
            ignore_query: self.ignore_query.clone(),
            ignore_host: self.ignore_host,
            timing_threshold_pct: self.timing_threshold,
            size_threshold_pct: self.size_threshold,
            allow_jsonp: self.allow_jsonp,
        }
    }
}

/// Runs the subcommand: exit 0 with the diff printed, 1 with `--fail-on-change` when there
/// are differences; unreadable or malformed input is an error (exit 2).
pub fn execute(args: HarDiffArgs) -> anyhow::Result<u8> {
    let report = diff_har_files_with(&args.left, &args.right, &args.options())?;
    match print(&report, args.format) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write to stdout"),
    }
    Ok(if args.fail_on_change && report.has_changes() {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

fn print(report: &DiffReport, format: Format) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, report)?;
            out.write_all(b"\n")?;
        }
        Format::Text => out.write_all(render_table(report).as_bytes())?,
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: HarDiffArgs,
    }

    fn har(entries: &[(&str, &str, i64)]) -> String {
        let entries: Vec<serde_json::Value> = entries
            .iter()
            .map(|(m, u, s)| {
                serde_json::json!({"request": {"method": m, "url": u}, "response": {"status": s}})
            })
            .collect();
        serde_json::json!({"log": {"entries": entries}}).to_string()
    }

    fn files(left: &str, right: &str) -> (tempfile::TempDir, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let l = dir.path().join("left.har");
        let r = dir.path().join("right.har");
        std::fs::write(&l, left).unwrap();
        std::fs::write(&r, right).unwrap();
        let (l, r) = (l.display().to_string(), r.display().to_string());
        (dir, l, r)
    }

    fn run(argv: &[&str]) -> anyhow::Result<u8> {
        let wrapper =
            Wrapper::try_parse_from(std::iter::once("har-diff").chain(argv.iter().copied()))?;
        execute(wrapper.args)
    }

    #[test]
    fn fail_on_change_exits_1_only_when_something_differs() {
        let (_dir, l, r) = files(&har(&[("GET", "/a", 200)]), &har(&[("GET", "/a", 500)]));
        assert_eq!(run(&[&l, &r, "--format", "json"]).unwrap(), EXIT_OK);
        assert_eq!(run(&[&l, &r, "--fail-on-change"]).unwrap(), EXIT_FAILED);
        assert_eq!(run(&[&l, &l, "--fail-on-change"]).unwrap(), EXIT_OK);
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let (_dir, l, _) = files(&har(&[]), &har(&[]));
        let err = run(&[&l, "/nonexistent/x.har"]).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("/nonexistent/x.har") && text.contains("not found"),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn options_reach_the_diff() {
        let args = Wrapper::try_parse_from([
            "har-diff",
            "a",
            "b",
            "--match",
            "multiset",
            "--ignore-query",
            "ts",
            "--ignore-query",
            "v",
            "--ignore-host",
            "--timing-threshold",
            "20",
            "--size-threshold",
            "0",
            "--allow-jsonp",
        ])
        .unwrap()
        .args;
        let o = args.options();
        assert_eq!(o.match_mode, MatchMode::Multiset);
        assert_eq!(o.ignore_query, vec!["ts".to_owned(), "v".to_owned()]);
        assert!(o.ignore_host && o.allow_jsonp);
        assert_eq!(o.timing_threshold_pct, Some(20.0));
        assert_eq!(o.size_threshold_pct, Some(0.0));
    }

    #[test]
    fn negative_or_non_numeric_thresholds_are_rejected() {
        assert!(
            Wrapper::try_parse_from(["har-diff", "a", "b", "--timing-threshold", "-5"]).is_err()
        );
        assert!(
            Wrapper::try_parse_from(["har-diff", "a", "b", "--size-threshold", "NaN"]).is_err()
        );
        assert!(Wrapper::try_parse_from(["har-diff", "a", "b", "--size-threshold", "x"]).is_err());
    }
}

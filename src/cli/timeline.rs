//! `webrunner timeline --spans F --console F --responses F` or `webrunner timeline --run DIR`:
//! merges spans, console messages and responses (SPEC §6) and prints the event list as JSON,
//! as the Python WebRunner's `build` would give it, or as a Chrome trace
//! (`--format chrome-trace`).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use webrunner::timeline::{self, chrome_trace, run_dir, Timeline, TimelineEvent};

use crate::cli::EXIT_OK;

/// What `webrunner timeline` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TimelineFormat {
    /// The event list, exactly as the Python WebRunner's `build` gives it.
    #[default]
    Json,
    /// A Chrome trace-event file for Chrome DevTools' Performance panel or Perfetto.
    ChromeTrace,
}

/// Arguments of `webrunner timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// JSON list of spans `{name, start_ms|start, end_ms|end, attrs}`.
    #[arg(long, value_name = "FILE")]
    pub spans: Option<PathBuf>,
    /// JSON list of console messages `{type, text, location, timestamp_ms|ts}`.
    #[arg(long, value_name = "FILE")]
    pub console: Option<PathBuf>,
    /// JSON list of responses `{method, status, url, ok, timestamp_ms|ts}`.
    #[arg(long, value_name = "FILE")]
    pub responses: Option<PathBuf>,
    /// A run folder (`webrunner run … --out DIR`): its records as spans, with console.json
    /// and network.json (else the records' own lists) and an optional spans.json. Not
    /// combined with --spans, --console or --responses.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["spans", "console", "responses"])]
    pub run: Option<PathBuf>,
    /// `json` (the event list) or `chrome-trace`.
    #[arg(long, value_enum, default_value_t)]
    pub format: TimelineFormat,
}

/// The text of one source file (`null`, an empty source, when not given).
fn read(flag: &str, path: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    let Some(path) = path else {
        return Ok(b"null".to_vec());
    };
    std::fs::read(path).with_context(|| format!("--{flag} {}", path.display()))
}

/// The file behind an error of the source `source_name`.
fn file_of(args: &TimelineArgs, source_name: &str) -> String {
    let (flag, path) = match source_name {
        "spans" => ("spans", &args.spans),
        "console" => ("console", &args.console),
        _ => ("responses", &args.responses),
    };
    path.as_ref()
        .map(|p| format!("--{flag} {}", p.display()))
        .unwrap_or_default()
}

/// Prints the timeline of the three source files.
fn from_files(args: &TimelineArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let spans = read("spans", args.spans.as_deref())?;
    let console = read("console", args.console.as_deref())?;
    let responses = read("responses", args.responses.as_deref())?;
    let named =
        |e: timeline::TimelineError| anyhow::anyhow!("{}: {e}", file_of(args, e.source_name));
    let list = Timeline::read(&spans, &console, &responses).map_err(named)?;
    match args.format {
        TimelineFormat::Json => list.write_json(out)?,
        TimelineFormat::ChromeTrace => chrome(&list.events(), out)?,
    }
    Ok(())
}

fn chrome(events: &[TimelineEvent], out: &mut impl Write) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &chrome_trace::chrome_trace(events))?;
    writeln!(out)?;
    Ok(())
}

/// Runs `webrunner timeline`.
pub fn execute(args: TimelineArgs) -> anyhow::Result<u8> {
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match &args.run {
        Some(dir) => {
            let events =
                run_dir::build_run(dir).with_context(|| format!("--run {}", dir.display()))?;
            match args.format {
                TimelineFormat::Json => timeline::write_events(&events, &mut out)?,
                TimelineFormat::ChromeTrace => chrome(&events, &mut out)?,
            }
        }
        None => from_files(&args, &mut out)?,
    }
    out.flush()?;
    Ok(EXIT_OK)
}

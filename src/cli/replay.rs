//! `webrunner replay`: builds the self-contained replay studio (one HTML file, screenshots
//! embedded) from a saved `records.json`.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{screenshots_folder, Format, EXIT_OK};

/// Arguments of `webrunner replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The records file: a run's `records.json`, or a saved dashboard `/records` payload.
    #[arg(value_name = "RECORDS")]
    records: PathBuf,
    /// Folder of failure screenshots. A record's screenshot is looked up here by file name
    /// when its recorded path does not exist; a failed record without one gets the first
    /// `*_<command>.png` here. Default: the `screenshots` folder beside RECORDS, if any.
    #[arg(long, value_name = "DIR")]
    screenshots: Option<PathBuf>,
    /// Where to write the page.
    #[arg(
        short = 'o',
        long = "out",
        value_name = "OUT",
        default_value = "replay.html"
    )]
    out: PathBuf,
    /// The page's title.
    #[arg(long, default_value = "webrunner replay")]
    title: String,
    /// Output format of the summary line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Reads the records, writes the page, prints where. Exit 0 when written; an unreadable or
/// malformed records file, or an unwritable OUT, is bad input (exit 2).
pub fn execute(args: ReplayArgs) -> anyhow::Result<u8> {
    let records = webrunner_report::load_records(&args.records)?;
    let screenshots = screenshots_folder(&args.records, args.screenshots.as_deref())?;
    let written = webrunner_report::export_replay_studio(
        &args.out,
        &records,
        screenshots.as_deref(),
        &args.title,
    )
    .with_context(|| format!("replay of {}", args.records.display()))?;
    let summary = webrunner_record::Summary::of(&records);
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "path": written.display().to_string(),
                "records": summary.total,
                "passed": summary.passed,
                "failed": summary.failed,
                "flaky": summary.flaky,
            })
        ),
        Format::Text => println!(
            "replay studio: {} ({} records, {} failed)",
            written.display(),
            summary.total,
            summary.failed
        ),
    }
    Ok(EXIT_OK)
}

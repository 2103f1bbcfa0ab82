//! `webrunner replay`: builds the self-contained replay studio (one HTML file, screenshots
//! embedded) from a saved `records.json`.

use std::path::{Path, PathBuf};

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

/// Reads the records, writes the page (by temporary file and rename), prints where. Exit 0
/// when written; an unreadable or malformed records file, an unwritable OUT, or an OUT that
/// is RECORDS itself, is bad input (exit 2).
pub fn execute(args: ReplayArgs) -> anyhow::Result<u8> {
    refuse_own_input(&args.records, &args.out)?;
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

/// Refuses an OUT that is the RECORDS file itself, however it is spelled: the same path
/// through `./` or `..`, a symlink to it, or a hard link (the same file on disk).
fn refuse_own_input(records: &Path, out: &Path) -> anyhow::Result<()> {
    if same_file(records, out) {
        anyhow::bail!(
            "replay: OUT {} is the records file {} it reads; choose another --out",
            out.display(),
            records.display()
        );
    }
    Ok(())
}

/// True when `a` and `b` (both existing, symlinks followed) are one file.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(ca), Ok(cb)) => ca == cb,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_onto_its_own_records_file_is_refused_however_spelled() {
        let dir = tempfile::tempdir().unwrap();
        let records = dir.path().join("records.json");
        std::fs::write(&records, "[]").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&records, &link).unwrap();
        let hard = dir.path().join("hard.json");
        std::fs::hard_link(&records, &hard).unwrap();
        let dotted = dir
            .path()
            .join(".")
            .join("sub")
            .join("..")
            .join("records.json");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for out in [&records, &link, &hard, &dotted] {
            let e = refuse_own_input(&records, out).unwrap_err().to_string();
            assert!(e.contains("is the records file"), "{e}");
        }
        assert!(refuse_own_input(&link, &records).is_err());
    }

    #[test]
    fn another_or_a_new_out_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let records = dir.path().join("records.json");
        std::fs::write(&records, "[]").unwrap();
        let other = dir.path().join("other.html");
        std::fs::write(&other, "old").unwrap();
        assert!(refuse_own_input(&records, &other).is_ok());
        assert!(refuse_own_input(&records, &dir.path().join("replay.html")).is_ok());
    }
}

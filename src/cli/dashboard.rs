//! `webrunner dashboard`: serves the live dashboard over a saved `records.json` until
//! interrupted (or for a set time).

use std::path::PathBuf;

use super::{screenshots_folder, seconds, Format, EXIT_OK};

/// Arguments of `webrunner dashboard`.
#[derive(Debug, clap::Args)]
pub struct DashboardArgs {
    /// The records file: a run's `records.json`, or a saved dashboard `/records` payload.
    #[arg(value_name = "RECORDS")]
    records: PathBuf,
    /// Address to listen on. Loopback by default; any other address exposes the run's
    /// records to whoever can reach it.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Folder of screenshots to look records' screenshots up in by file name (and for failed
    /// records without one, by the `*_<command>.png` rule). Default: the `screenshots`
    /// folder beside RECORDS, if any.
    #[arg(long, value_name = "DIR")]
    screenshots: Option<PathBuf>,
    /// Stop after this many seconds instead of at Ctrl+C.
    #[arg(long, value_name = "SECONDS")]
    serve_for: Option<f64>,
    /// Output format of the line that says where the dashboard is.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Serves the saved run; exit 0 when stopped. A bad records file, a host that does not
/// resolve or an address that cannot be bound is bad input (exit 2).
pub fn execute(args: DashboardArgs) -> anyhow::Result<u8> {
    let serve_for = args
        .serve_for
        .map(|secs| seconds("serve-for", secs))
        .transpose()?;
    let records = webrunner_report::load_records(&args.records)?;
    let screenshots = screenshots_folder(&args.records, args.screenshots.as_deref())?;
    let count = records.len();
    let live = webrunner_report::LiveRun::from_records(records, screenshots.as_deref());
    let dashboard = webrunner_report::start_dashboard(&args.host, args.port, live)?;
    let addr = dashboard.addr();
    if let Some(warning) = dashboard.exposure_warning() {
        eprintln!("webrunner: warning: {warning}");
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({"url": dashboard.url(), "addr": addr.to_string(), "records": count})
        ),
        Format::Text => println!(
            "dashboard: {} ({count} records; {})",
            dashboard.url(),
            match args.serve_for {
                Some(s) => format!("stops after {s} s"),
                None => "Ctrl+C to stop".to_string(),
            }
        ),
    }
    super::runtime()?.block_on(async {
        match serve_for {
            Some(limit) => {
                tokio::select! {
                    _ = tokio::time::sleep(limit) => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    });
    dashboard.stop();
    Ok(EXIT_OK)
}

//! `webrunner run FLOW...`: runs flow files in headless Chromium into an output folder.

use std::path::PathBuf;

use anyhow::Context as _;
use webrunner::browser::BrowserOptions;
use webrunner::run::{run_flows, RunOptions, RunOutcome};
use webrunner::settings::{checked_backoff, checked_retries, checked_seconds};
use webrunner::terminal::escape_for_terminal;
use webrunner::{load_flow, Flow, Settings};

use super::{Format, EXIT_FAILED, EXIT_OK};

/// Options shared by `run` and `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// Output folder for records.json, screenshots/ and the reports.
    #[arg(long, default_value = "webrunner-out")]
    pub out: PathBuf,
    /// Extra attempts for a failed action (0 to 100).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub retries: i64,
    /// Seconds to wait after failed attempt k, times k.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub backoff: f64,
    /// Seconds an element action waits for its element to be actionable (attached, visible,
    /// stable, enabled, not covered) before it fails (default 5).
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    /// Stop each flow at its first failed action.
    #[arg(long)]
    pub fail_fast: bool,
    /// Refuse commands that run caller-supplied script (for untrusted flow files).
    #[arg(long)]
    pub no_scripts: bool,
    /// Show the browser window.
    #[arg(long)]
    pub headed: bool,
    /// Serve the live dashboard during the run (default 127.0.0.1 and a free port).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:0")]
    pub dashboard: Option<String>,
    /// Export a span per action to this OTLP collector (also OTEL_EXPORTER_OTLP_ENDPOINT).
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,
    /// OTLP protocol: grpc or http (HTTP/protobuf); default grpc or OTEL_EXPORTER_OTLP_PROTOCOL.
    #[arg(long, value_name = "PROTOCOL")]
    pub otlp_protocol: Option<String>,
    /// The service.name of exported spans (default webrunner or OTEL_SERVICE_NAME).
    #[arg(long)]
    pub service_name: Option<String>,
    /// Record the run's network into run.har (HAR 1.2) in the output folder.
    #[arg(long)]
    pub har: bool,
    /// With --har, also record response bodies.
    #[arg(long, requires = "har")]
    pub har_content: bool,
    /// Write a failure bundle per failed action into bundles/ of the output folder: its
    /// screenshot, DOM, console, network, timeline, the flow file and the records so far.
    #[arg(long)]
    pub bundle_on_failure: bool,
    /// Do not tie the page's console messages and requests to each record, nor keep the DOM
    /// of a failed attempt.
    #[arg(long, conflicts_with = "bundle_on_failure")]
    pub no_capture: bool,
    /// Collect Content-Security-Policy violations (enforced and report-only) into each
    /// action's record; needed by WR_csp_assert_none and WR_csp_assert_no_directive.
    #[arg(long)]
    pub csp_report: bool,
    /// Keep a trace of each flow in traces/ of the output folder, in Playwright's trace
    /// format (`playwright show-trace`): on, retain-on-failure (kept for failed flows) or off.
    #[arg(long, value_name = "MODE", default_value = "off",
          value_parser = clap::builder::PossibleValuesParser::new(["on", "retain-on-failure", "off"]))]
    pub trace: String,
    /// Publish run.started, action.finished (each record) and run.finished on this event bus:
    /// a file shared with Python WebRunner processes, or redis://host:port/stream.
    #[arg(long, value_name = "PATH|URL")]
    pub bus: Option<String>,
    /// Record every raw DevTools call of the run into this file, one JSON line each
    /// (the Python WebRunner's CDP recording format).
    #[arg(long, value_name = "FILE")]
    pub cdp_record: Option<PathBuf>,
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
    /// The run's settings from the flags; a number out of bounds is an error naming its flag.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut settings = Settings {
            retries: checked_retries("--retries", self.retries as f64)?,
            backoff: checked_backoff("--backoff", self.backoff)?,
            scripts_enabled: !self.no_scripts,
            fail_fast: self.fail_fast,
            capture: !self.no_capture,
            csp_report: self.csp_report,
            trace: self.trace.parse().map_err(anyhow::Error::msg)?,
            browser: BrowserOptions {
                headed: self.headed,
                cdp_record: match &self.cdp_record {
                    Some(path) => Some(std::sync::Arc::new(webrunner::CdpRecorder::create(path)?)),
                    None => None,
                },
                ..BrowserOptions::default()
            },
            ..Settings::default()
        };
        if let Some(t) = self.timeout {
            let t = checked_seconds("--timeout", t)?;
            anyhow::ensure!(!t.is_zero(), "--timeout must be more than 0 seconds");
            settings.action_timeout = t;
        }
        Ok(settings)
    }

    /// Library options from the flags: settings, dashboard address, OTLP configuration (flag
    /// or `OTEL_*`), progress on stderr.
    pub fn options(&self) -> anyhow::Result<RunOptions> {
        let dashboard = match &self.dashboard {
            None => None,
            Some(addr) => Some(parse_host_port(addr)?),
        };
        let mut sinks: Vec<Box<dyn webrunner::RunSink>> =
            vec![Box::new(super::progress::Progress::new())];
        if let Some(bus) = &self.bus {
            let bus = webrunner::bus::open_bus(bus, Some("webrunner"))?;
            sinks.push(Box::new(webrunner::run::BusSink::new(bus)));
        }
        Ok(RunOptions {
            settings: self.settings()?,
            out: Some(self.out.clone()),
            dashboard,
            title: "webrunner run".into(),
            har: self.har.then_some(self.har_content),
            bundle_on_failure: self.bundle_on_failure,
            tracing: self.otlp()?,
            sinks,
            ..RunOptions::default()
        })
    }

    /// The OTLP configuration from the flags and the `OTEL_*` variables; `None` when no
    /// endpoint is given (then nothing is traced and nothing slows down).
    fn otlp(&self) -> anyhow::Result<Option<webrunner::OtlpExportConfig>> {
        let overrides = webrunner::otel::ExportOverrides {
            endpoint: self.otlp_endpoint.clone(),
            protocol: self.otlp_protocol.clone(),
            service_name: self.service_name.clone(),
        };
        let config = webrunner::OtlpExportConfig::from_env_and_overrides(
            |name| std::env::var(name).ok(),
            &overrides,
        )?;
        if config.is_none() && (self.otlp_protocol.is_some() || self.service_name.is_some()) {
            anyhow::bail!("--otlp-protocol and --service-name need an OTLP endpoint (--otlp-endpoint or OTEL_EXPORTER_OTLP_ENDPOINT)");
        }
        Ok(config)
    }
}

/// Runs flows, stopping at once on Ctrl-C (SIGINT) or SIGTERM, and prints what the outputs
/// and the span export reported.
pub fn run_until_signal(
    options: RunOptions,
    flows: &[Flow],
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<RunOutcome> {
    let stop = options.stop.clone();
    let listener = rt.spawn(async move {
        let name = wait_for_signal().await;
        if let Some(name) = name {
            eprintln!("webrunner: {name}: stopping (writing what finished)");
            stop.stop_because(name);
        }
    });
    let outcome = rt.block_on(run_flows(flows, options));
    listener.abort();
    let outcome = outcome?;
    if let Some(stats) = &outcome.spans {
        if stats.undelivered > 0 {
            eprintln!(
                "spans: {} exported, {} could not be delivered ({})",
                stats.exported,
                stats.undelivered,
                stats.last_error.as_deref().unwrap_or("no detail")
            );
        } else {
            eprintln!("spans: {} exported", stats.exported);
        }
    }
    for failure in &outcome.sink_failures {
        eprintln!("webrunner: output failed: {failure}");
    }
    Ok(outcome)
}

/// Waits for SIGINT or SIGTERM and names it; `None` when neither can be listened for.
async fn wait_for_signal() -> Option<&'static str> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok()?;
    let mut int = signal(SignalKind::interrupt()).ok()?;
    tokio::select! {
        _ = int.recv() => Some("SIGINT"),
        _ = term.recv() => Some("SIGTERM"),
    }
}

/// The exit code of an interrupted run: 130 for SIGINT, 143 for SIGTERM.
pub fn interrupted_code(outcome: &RunOutcome) -> Option<u8> {
    match outcome.interrupted.as_deref() {
        Some("SIGTERM") => Some(143),
        Some(_) => Some(130),
        None => None,
    }
}

/// Splits `HOST:PORT` (`[::1]:8080` for IPv6); a bare port means loopback.
pub fn parse_host_port(addr: &str) -> anyhow::Result<(String, u16)> {
    let bad = || anyhow::anyhow!("--dashboard {addr:?}: expected HOST:PORT, e.g. 127.0.0.1:8080");
    if let Ok(port) = addr.parse::<u16>() {
        return Ok(("127.0.0.1".into(), port));
    }
    let (host, port) = addr.rsplit_once(':').ok_or_else(bad)?;
    let port = port.parse::<u16>().map_err(|_| bad())?;
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

/// Runs the subcommand.
pub fn execute(args: RunArgs) -> anyhow::Result<u8> {
    let flows = args
        .flows
        .iter()
        .map(|p| load_flow(p))
        .collect::<Result<Vec<Flow>, _>>()?;
    super::check::before_run(&flows)?;
    let options = args.flags.options()?;
    let rt = super::runtime()?;
    let outcome = run_until_signal(options, &flows, &rt)?;
    let code = report(&outcome, args.flags.format)?;
    Ok(interrupted_code(&outcome).unwrap_or(code))
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
            println!(
                "{}",
                serde_json::to_string_pretty(&v).context("printing JSON")?
            );
        }
        Format::Text => {
            println!(
                "{} actions: {} passed, {} failed ({} flaky) in {:.1} s",
                s.total, s.passed, s.failed, s.flaky, outcome.seconds
            );
            for r in outcome.records.iter().filter(|r| r.failed()) {
                println!(
                    "  failed: {} #{} {}: {}",
                    escape_for_terminal(r.flow.as_deref().unwrap_or("-")),
                    r.index,
                    escape_for_terminal(&r.command),
                    escape_for_terminal(r.error.as_deref().unwrap_or(""))
                );
            }
            for (kind, path) in &outcome.files {
                println!(
                    "  {kind:<12} {}",
                    escape_for_terminal(&path.display().to_string())
                );
            }
            if let Some(why) = &outcome.interrupted {
                println!("  interrupted by {why}: the records and reports hold what finished");
            }
        }
    }
    Ok(if s.failed > 0 { EXIT_FAILED } else { EXIT_OK })
}

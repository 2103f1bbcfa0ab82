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
    /// Library options from the flags (the dashboard address checked here).
    pub fn options(&self) -> anyhow::Result<RunOptions> {
        let dashboard = match &self.dashboard {
            None => None,
            Some(addr) => Some(parse_host_port(addr)?),
        };
        Ok(RunOptions {
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
            dashboard,
            title: "webrunner run".into(),
            har: self.har.then_some(self.har_content),
        })
    }

    /// Installs tracing when an OTLP endpoint is given (flag or `OTEL_*`); without one,
    /// nothing is installed and nothing slows down.
    pub fn tracing(&self) -> anyhow::Result<Option<webrunner::TracingGuard>> {
        let overrides = webrunner::otel::ExportOverrides {
            endpoint: self.otlp_endpoint.clone(),
            protocol: self.otlp_protocol.clone(),
            service_name: self.service_name.clone(),
        };
        let config = webrunner::OtlpExportConfig::from_env_and_overrides(
            |name| std::env::var(name).ok(),
            &overrides,
        )?;
        let Some(config) = config else {
            if self.otlp_protocol.is_some() || self.service_name.is_some() {
                anyhow::bail!("--otlp-protocol and --service-name need an OTLP endpoint (--otlp-endpoint or OTEL_EXPORTER_OTLP_ENDPOINT)");
            }
            return Ok(None);
        };
        let service = config.service_name.clone();
        Ok(Some(webrunner::install_executor_tracing(
            &service,
            Some(config),
        )?))
    }
}

/// Runs flows with tracing as the flags say and reports the outcome.
pub fn run_with_tracing(
    flags: &RunFlags,
    mut options: RunOptions,
    flows: &[Flow],
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<RunOutcome> {
    let guard = rt.block_on(async { flags.tracing() })?;
    if guard.is_some() {
        options.trace_hook = Some(webrunner::otel_trace_hook);
    }
    let outcome = rt.block_on(run_flows(flows, options));
    if let Some(guard) = guard {
        let stats =
            rt.block_on(async { tokio::task::spawn_blocking(move || guard.shutdown()).await })?;
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
    Ok(outcome?)
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
    if args.flags.backoff < 0.0 || !args.flags.backoff.is_finite() {
        anyhow::bail!("--backoff must be a number of seconds ≥ 0");
    }
    let options = args.flags.options()?;
    let rt = super::runtime()?;
    let outcome = run_with_tracing(&args.flags, options, &flows, &rt)?;
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

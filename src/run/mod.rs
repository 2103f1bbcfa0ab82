//! A whole run: flows through one executor and one browser, with every output a sink of the
//! run's events — `records.json` (a journal, complete at every moment), the live dashboard,
//! JUnit, the replay studio, spans, progress, `run.har` and the event bus. The command
//! line's `run`, `demo` and `monitor` all go through [`run_flows`]; the library installs and
//! flushes tracing itself when the options carry an OTLP configuration.

mod bundle_sink;
mod bus_sink;
mod evidence_sink;
mod har_sink;
mod journal;
mod out_dir;
#[cfg(feature = "otel")]
pub(crate) mod spans;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use webrunner_record::{Record, RunSink, SinkFailure, Summary};
use webrunner_report::{start_dashboard, JunitSink, LiveRun, ReplaySink};

pub use bundle_sink::BundleSink;
pub use bus_sink::{BusSink, ACTION_FINISHED, RUN_FINISHED, RUN_STARTED};
pub use evidence_sink::{EvidenceSink, InFlow};
pub use har_sink::HarSink;
pub use journal::RecordsJournal;
pub use out_dir::{OutDir, OutDirError, LOCK_FILE};

use crate::action::Flow;
use crate::browser::Browser;
use crate::executor::Executor;
use crate::settings::Settings;
use crate::stop::StopSignal;

/// How to run: the settings every flow starts from, where the outputs go, and who observes.
pub struct RunOptions {
    /// The run's settings (retries, back-off, script policy, fail-fast, time-outs, browser).
    pub settings: Settings,
    /// The output folder; `None` writes no files (the synthetic monitor's checks).
    pub out: Option<PathBuf>,
    /// Serve the live dashboard during the run on this host and port (0: a free port).
    pub dashboard: Option<(String, u16)>,
    /// The replay studio's title.
    pub title: String,
    /// Record the run's network into `run.har`: `Some(true)` with response bodies.
    pub har: Option<bool>,
    /// Write a failure bundle per failed action into `bundles/` of the output folder.
    pub bundle_on_failure: bool,
    /// Export a span per action over OTLP (the library installs and flushes it).
    #[cfg(feature = "otel")]
    pub tracing: Option<crate::OtlpExportConfig>,
    /// More sinks (progress lines, a bus…).
    pub sinks: Vec<Box<dyn RunSink>>,
    /// Run in this already running browser instead of launching one; it is not closed.
    pub browser: Option<Arc<Browser>>,
    /// Stops the run at once when given (a signal): what finished is kept and reported.
    pub stop: StopSignal,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            settings: Settings::default(),
            out: Some(PathBuf::from("webrunner-out")),
            dashboard: None,
            title: "webrunner run".into(),
            har: None,
            bundle_on_failure: false,
            #[cfg(feature = "otel")]
            tracing: None,
            sinks: Vec::new(),
            browser: None,
            stop: StopSignal::new(),
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Every record, flow after flow.
    pub records: Vec<Record>,
    /// Counts.
    pub summary: Summary,
    /// Files written, by kind (`records`, `screenshots`, …).
    pub files: Vec<(String, PathBuf)>,
    /// Wall time in seconds.
    pub seconds: f64,
    /// The live dashboard's address, when one was served.
    pub dashboard: Option<String>,
    /// Outputs that failed (each once), e.g. a report that could not be written.
    pub sink_failures: Vec<SinkFailure>,
    /// Why the run stopped early, when a stop signal was given.
    pub interrupted: Option<String>,
    /// What the span export did, when tracing was on.
    #[cfg(feature = "otel")]
    pub spans: Option<webrunner_otel::ExportStats>,
}

/// Why a run could not start or could not save its results.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The output folder is unusable.
    #[error("output folder {path}: {message}")]
    Out {
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The output folder cannot be taken (not ours, in use by another run, unwritable).
    #[error("{0}")]
    OutDir(#[from] OutDirError),
    /// The dashboard could not start.
    #[error("{0}")]
    Dashboard(#[from] webrunner_report::DashboardError),
    /// A result file could not be written.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Tracing could not be set up.
    #[cfg(feature = "otel")]
    #[error("{0}")]
    Tracing(#[from] crate::OtlpExporterError),
}

/// Runs `flows` in order through one executor (one browser, a fresh context per flow) and
/// writes the outputs into the output folder as the run goes. Flows that fail do not stop
/// the run; a stop signal ends it at once with what finished written.
pub async fn run_flows(flows: &[Flow], options: RunOptions) -> Result<RunOutcome, RunError> {
    let start = Instant::now();
    let mut settings = options.settings;
    let mut ex = Executor::new();
    let mut files = Vec::new();
    let mut shots = None;
    let mut out_dir = None;
    if let Some(out) = &options.out {
        let taken = OutDir::prepare(out)?;
        let dir = taken.screenshots();
        out_dir = Some(taken);
        settings.screenshot_dir = Some(dir.clone());
        settings.output_dir = Some(out.clone());
        let records = out.join("records.json");
        let journal = RecordsJournal::create(&records).map_err(|e| RunError::Write {
            path: records.clone(),
            message: e.to_string(),
        })?;
        ex.add_sink(Box::new(journal));
        let replay = out.join("replay.html");
        ex.add_sink(Box::new(ReplaySink::new(
            &replay,
            Some(dir.clone()),
            &options.title,
        )));
        let junit = out.join("junit.xml");
        ex.add_sink(Box::new(JunitSink::new(&junit)));
        let (console, network) = (out.join("console.json"), out.join("network.json"));
        ex.add_sink(Box::new(EvidenceSink::new(
            console.clone(),
            network.clone(),
        )));
        files.push(("console".to_string(), console));
        files.push(("network".to_string(), network));
        if options.bundle_on_failure {
            let bundles = out.join("bundles");
            ex.add_sink(Box::new(BundleSink::new(bundles.clone(), flows)));
            files.push(("bundles".to_string(), bundles));
        }
        if settings.trace != crate::settings::TraceMode::Off {
            files.push(("traces".to_string(), out.join("traces")));
        }
        files.push(("records".to_string(), records));
        files.push(("screenshots".into(), dir.clone()));
        files.push(("replay".into(), replay));
        files.push(("junit".into(), junit));
        shots = Some(dir);
    }
    if let Some(dir) = settings
        .screenshot_dir
        .as_ref()
        .filter(|_| options.out.is_none())
    {
        std::fs::create_dir_all(dir).map_err(|e| RunError::Out {
            path: dir.clone(),
            message: e.to_string(),
        })?;
    }
    ex.set_settings(settings);
    ex.set_stop_signal(options.stop.clone());
    if let Some(b) = options.browser {
        ex.use_browser(b);
    }
    let dashboard = match &options.dashboard {
        Some((host, port)) => {
            let live = LiveRun::new();
            if let Some(dir) = &shots {
                live.add_screenshot_dir(dir);
            }
            let handle = start_dashboard(host, *port, live.clone())?;
            ex.add_sink(Box::new(live));
            Some(handle)
        }
        None => None,
    };
    let dashboard_url = dashboard.as_ref().map(|d| d.url());
    if let Some(warning) = dashboard.as_ref().and_then(|d| d.exposure_warning()) {
        eprintln!("webrunner: warning: {warning}");
    }
    if let Some(url) = &dashboard_url {
        eprintln!("dashboard: {url}");
    }
    #[cfg(feature = "otel")]
    let guard = match options.tracing {
        Some(config) => {
            let service = config.service_name.clone();
            let (dispatch, guard) = webrunner_otel::executor_tracing(&service, Some(config))?;
            ex.trace_to(dispatch);
            Some(guard)
        }
        None => None,
    };
    for sink in options.sinks {
        ex.add_sink(sink);
    }
    if let Some(content) = options.har {
        let capture = ex.record_har(content);
        if let Some(out) = &out_dir {
            let path = out.file("run.har");
            ex.add_sink(Box::new(HarSink::new(path.clone(), capture)));
            files.push(("har".to_string(), path));
        }
    }
    ex.plan(flows);
    for flow in flows {
        if options.stop.is_stopped() {
            break;
        }
        ex.run_flow(flow).await;
    }
    // Closing the sessions hands their network recordings to the HAR sink, which writes
    // when the sinks finish.
    ex.shutdown().await;
    let sink_failures = ex.finish().await;
    #[cfg(feature = "otel")]
    let spans = match guard {
        Some(g) => tokio::task::spawn_blocking(move || g.shutdown()).await.ok(),
        None => None,
    };
    drop(dashboard);
    drop(out_dir);
    let records = ex.records().to_vec();
    Ok(RunOutcome {
        summary: Summary::of(&records),
        records,
        files,
        seconds: start.elapsed().as_secs_f64(),
        dashboard: dashboard_url,
        sink_failures,
        interrupted: options.stop.is_stopped().then(|| options.stop.reason()),
        #[cfg(feature = "otel")]
        spans,
    })
}

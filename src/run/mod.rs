//! A whole run: flows through one executor and one browser into one output folder
//! (`records.json`, `screenshots/`, and the reports). The command line's `run`, `demo` and
//! `monitor` all go through here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use webrunner_record::{Record, RunObserver, Summary};
use webrunner_report::{export_replay_studio, start_dashboard, write_junit_with_attempts, LiveRun};

use crate::action::Flow;
use crate::browser::BrowserOptions;
use crate::executor::{Executor, TraceHook};

/// How to run.
#[derive(Clone)]
pub struct RunOptions {
    /// The output folder.
    pub out: PathBuf,
    /// Extra attempts after a failure.
    pub retries: i64,
    /// Back-off seconds (linear).
    pub backoff: f64,
    /// Stop each flow at its first failure.
    pub fail_fast: bool,
    /// Allow commands that run caller-supplied script.
    pub scripts: bool,
    /// Browser launch options.
    pub browser: BrowserOptions,
    /// Sinks that observe the run.
    pub observers: Vec<Arc<dyn RunObserver>>,
    /// Reads trace ids off action spans (set when tracing is installed).
    pub trace_hook: Option<TraceHook>,
    /// Serve the live dashboard during the run on this host and port (0: a free port).
    pub dashboard: Option<(String, u16)>,
    /// The replay studio's title.
    pub title: String,
    /// Record the run's network into `run.har`: `Some(true)` with response bodies.
    pub har: Option<bool>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            out: PathBuf::from("webrunner-out"),
            retries: 0,
            backoff: 0.0,
            fail_fast: false,
            scripts: true,
            browser: BrowserOptions::default(),
            observers: Vec::new(),
            trace_hook: None,
            dashboard: None,
            title: "webrunner run".into(),
            har: None,
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
}

/// Checks that `out` can take a run's results without destroying anything else: it may be
/// missing, empty, or a previous run's folder (one holding `records.json`).
pub fn prepare_out_dir(out: &Path) -> Result<(), RunError> {
    let err = |message: String| RunError::Out {
        path: out.to_path_buf(),
        message,
    };
    if out.exists() {
        if !out.is_dir() {
            return Err(err("exists and is not a folder".into()));
        }
        let mut entries = std::fs::read_dir(out).map_err(|e| err(e.to_string()))?;
        let empty = entries.next().is_none();
        if !empty && !out.join("records.json").is_file() {
            return Err(err(
                "is not empty and holds no records.json, so it is not a webrunner output folder; choose another --out".into(),
            ));
        }
    }
    std::fs::create_dir_all(out.join("screenshots")).map_err(|e| err(e.to_string()))
}

/// Runs `flows` in order through one executor (one browser) and writes `records.json` into
/// the output folder. Flows that fail do not stop the run.
pub async fn run_flows(flows: &[Flow], options: RunOptions) -> Result<RunOutcome, RunError> {
    prepare_out_dir(&options.out)?;
    let start = Instant::now();
    let shots = options.out.join("screenshots");
    let mut ex = Executor::new();
    ex.set_failure_screenshot_dir(&shots)
        .map_err(|e| RunError::Out {
            path: shots.clone(),
            message: e.to_string(),
        })?;
    ex.set_retry_policy(options.retries, options.backoff);
    ex.set_fail_fast(options.fail_fast);
    ex.set_scripts_enabled(options.scripts);
    ex.set_browser_options(options.browser.clone());
    if let Some(hook) = options.trace_hook {
        ex.set_trace_hook(hook);
    }
    for o in &options.observers {
        ex.add_observer(o.clone());
    }
    // The live state feeds the dashboard and keeps every attempt's error for JUnit.
    let live = LiveRun::new();
    live.add_screenshot_dir(&shots);
    live.plan(flows.iter().map(|f| f.actions.len()).sum());
    ex.add_observer(Arc::new(live.clone()));
    let dashboard = match &options.dashboard {
        Some((host, port)) => Some(start_dashboard(host, *port, live.clone())?),
        None => None,
    };
    let dashboard_url = dashboard.as_ref().map(|d| d.url());
    if let Some(warning) = dashboard.as_ref().and_then(|d| d.exposure_warning()) {
        eprintln!("webrunner: warning: {warning}");
    }
    if let Some(url) = &dashboard_url {
        eprintln!("dashboard: {url}");
    }
    if let Some(content) = options.har {
        ex.context().record_har(content);
    }
    let mut records = Vec::new();
    for flow in flows {
        // Each flow starts from the run's settings, whatever the previous flow changed.
        ex.set_retry_policy(options.retries, options.backoff);
        ex.context().settings.screenshot_dir = Some(shots.clone());
        records.extend_from_slice(ex.run_flow(flow).await);
    }
    let har = ex.context().take_har().await;
    ex.shutdown().await;
    live.finish();
    let mut files = Vec::new();
    if let Some(har) = har {
        let path = options.out.join("run.har");
        webrunner_har::writer::write_har(&path, &har).map_err(|e| RunError::Write {
            path: path.clone(),
            message: e.to_string(),
        })?;
        files.push(("har".to_string(), path));
    }
    let records_path = options.out.join("records.json");
    write_json(&records_path, &records)?;
    let replay = options.out.join("replay.html");
    export_replay_studio(&replay, &records, Some(&shots), &options.title).map_err(|e| {
        RunError::Write {
            path: replay.clone(),
            message: e.to_string(),
        }
    })?;
    let junit = options.out.join("junit.xml");
    write_junit_with_attempts(&junit, &records, &live.attempt_log()).map_err(|e| {
        RunError::Write {
            path: junit.clone(),
            message: e.to_string(),
        }
    })?;
    Ok(RunOutcome {
        summary: Summary::of(&records),
        records,
        files: [
            ("records".to_string(), records_path),
            ("screenshots".into(), shots),
            ("replay".into(), replay),
            ("junit".into(), junit),
        ]
        .into_iter()
        .chain(files)
        .collect(),
        seconds: start.elapsed().as_secs_f64(),
        dashboard: dashboard_url,
    })
}

/// Writes `value` as pretty JSON, replacing the file atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), RunError> {
    let werr = |message: String| RunError::Write {
        path: path.to_path_buf(),
        message,
    };
    let text = serde_json::to_vec_pretty(value).map_err(|e| werr(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| werr(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| werr(e.to_string()))
}

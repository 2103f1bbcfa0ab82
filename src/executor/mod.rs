//! The executor: runs actions through the command registry and turns each into one
//! [`Record`]. It owns the run loop — attempts with linear back-off, the script gate, the
//! failure screenshot, one `tracing` span per action (a child per attempt and one around
//! artifact capture) — and fans every finished record out to the run's observers.

mod call;
mod clock;
mod context;
mod registry;
pub mod screenshot;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tracing::{field, Instrument};
use webrunner_record::{Artifacts, Record, RunObserver, Status};

pub use call::Call;
pub use clock::{Clock, RecordingClock, SystemClock};
pub use context::{anymap, locator_of, Context, Settings};
pub use registry::{
    handler, CommandDoc, CommandEntry, CommandFuture, CommandHandler, CommandRegistry, Param,
};

use crate::action::{Action, Flow};
use crate::browser::{Browser, BrowserError, BrowserOptions};

/// Why one attempt of an action failed.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// No command of that name is registered.
    #[error("unknown command {0:?} (see `webrunner commands` for the list)")]
    UnknownCommand(String),
    /// An argument is missing or of the wrong type.
    #[error("{0}")]
    BadArgument(String),
    /// The command runs caller-supplied script and scripts are switched off.
    #[error("{0} runs caller-supplied script, which is switched off for this run (--no-scripts)")]
    ScriptsDisabled(String),
    /// The browser reported an error.
    #[error("{0}")]
    Browser(#[from] BrowserError),
    /// What the command checked did not hold (an assertion), or it failed for another reason.
    #[error("{0}")]
    Failed(String),
}

impl ActionError {
    /// Whether another attempt could succeed: not for unknown commands, bad arguments or the
    /// script gate, which no retry can change.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ActionError::Browser(_) | ActionError::Failed(_))
    }
}

/// Gives the OpenTelemetry trace id and W3C `traceparent` of a span, when tracing is on.
pub type TraceHook = fn(&tracing::Span) -> Option<TraceIds>;

/// The ids of an action's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceIds {
    /// 32 hex digits.
    pub trace_id: String,
    /// `00-<trace id>-<span id>-<flags>`.
    pub traceparent: String,
}

/// Runs actions and flows; see the module documentation.
pub struct Executor {
    registry: CommandRegistry,
    ctx: Context,
    fail_fast: bool,
    flow: Option<String>,
    trace_hook: Option<TraceHook>,
}

impl Default for Executor {
    fn default() -> Self {
        Executor::new()
    }
}

impl Executor {
    /// An executor with every built-in command.
    pub fn new() -> Executor {
        Executor::with_registry(CommandRegistry::with_builtins())
    }

    /// An executor with the given commands.
    pub fn with_registry(registry: CommandRegistry) -> Executor {
        Executor {
            registry,
            ctx: Context::default(),
            fail_fast: false,
            flow: None,
            trace_hook: None,
        }
    }

    /// The commands, to add or replace some.
    pub fn registry_mut(&mut self) -> &mut CommandRegistry {
        &mut self.registry
    }

    /// The commands.
    pub fn registry(&self) -> &CommandRegistry {
        &self.registry
    }

    /// The run context (settings, browser, records).
    pub fn context(&mut self) -> &mut Context {
        &mut self.ctx
    }

    /// Failed actions write a PNG of the page into `dir` (created here).
    pub fn set_failure_screenshot_dir(&mut self, dir: impl AsRef<Path>) -> std::io::Result<()> {
        self.ctx.set_failure_screenshot_dir(dir.as_ref())
    }

    /// Up to `retries` more attempts after a failure, sleeping `backoff × k` seconds after
    /// failed attempt k. Negative values clamp to 0.
    pub fn set_retry_policy(&mut self, retries: i64, backoff: f64) {
        self.ctx.set_retry_policy(retries as f64, backoff);
    }

    /// Replaces the clock that back-off sleeps go through.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.ctx.clock = clock;
    }

    /// Switches commands that run caller-supplied script on or off.
    pub fn set_scripts_enabled(&mut self, enabled: bool) {
        self.ctx.settings.scripts_enabled = enabled;
    }

    /// Stops a flow at its first failed action.
    pub fn set_fail_fast(&mut self, fail_fast: bool) {
        self.fail_fast = fail_fast;
    }

    /// How Chromium is launched when a command first needs it.
    pub fn set_browser_options(&mut self, options: BrowserOptions) {
        self.ctx.browser_options = options;
    }

    /// Shares an already running browser: the executor opens its own tab in it and never
    /// closes the browser itself.
    pub fn use_browser(&mut self, browser: Arc<Browser>) {
        self.ctx.browser = Some(browser);
    }

    /// Adds a sink that observes every following action.
    pub fn add_observer(&mut self, observer: Arc<dyn RunObserver>) {
        self.ctx.add_observer(observer);
    }

    /// Sets the function that reads trace ids off action spans; with it, records carry a
    /// `trace_id` and the page's requests carry the action's `traceparent`.
    pub fn set_trace_hook(&mut self, hook: TraceHook) {
        self.trace_hook = Some(hook);
    }

    /// Every record of this executor so far.
    pub fn records(&self) -> &[Record] {
        &self.ctx.records
    }

    /// Runs a flow and returns its records; stops early on failure under fail-fast.
    pub async fn run_flow(&mut self, flow: &Flow) -> &[Record] {
        self.flow = Some(flow.name.clone());
        for o in &self.ctx.observers {
            o.flow_started(&flow.name, flow.actions.len());
        }
        let start = self.ctx.records.len();
        for (index, action) in flow.actions.iter().enumerate() {
            if self.run_action(index, action).await.failed() && self.fail_fast {
                break;
            }
        }
        let records = &self.ctx.records[start..];
        for o in &self.ctx.observers {
            o.flow_finished(&flow.name, records);
        }
        self.flow = None;
        records
    }

    /// Runs actions as a flow named `name`.
    pub async fn run_actions(&mut self, name: &str, actions: Vec<Action>) -> &[Record] {
        self.run_flow(&Flow {
            name: name.to_string(),
            actions,
        })
        .await
    }

    /// Closes the browser, if one is open.
    pub async fn shutdown(&mut self) {
        self.ctx.close_browser().await;
    }

    /// Runs one action (all its attempts) and returns its record, which is also kept and
    /// handed to every observer.
    pub async fn run_action(&mut self, index: usize, action: &Action) -> &Record {
        for o in &self.ctx.observers {
            o.action_started(index, &action.command);
        }
        let span = tracing::info_span!(
            "action",
            otel.name = action.command.as_str(),
            otel.kind = "internal",
            webrunner.command = action.command.as_str(),
            webrunner.index = index as i64,
            webrunner.attempts = field::Empty,
            webrunner.status = field::Empty,
            otel.status_code = field::Empty,
            otel.status_description = field::Empty,
            error = field::Empty,
        );
        let ids = self.trace_hook.and_then(|hook| hook(&span));
        let started_at = OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default();
        let t0 = Instant::now();
        let (attempts, outcome) = self
            .attempts(index, action, &span, ids.as_ref())
            .instrument(span.clone())
            .await;
        let mut artifacts = Artifacts::default();
        let (status, result, error) = match outcome {
            Ok(v) => (Status::Passed, v, None),
            Err(e) => {
                let mut text = e.to_string();
                let capture = tracing::info_span!(parent: &span, "capture_failure_artifacts", otel.name = "capture_failure_artifacts");
                if let Some(path) = self
                    .capture_failure(&action.command)
                    .instrument(capture)
                    .await
                {
                    text.push_str(&format!(" (failure screenshot: {path})"));
                    artifacts.screenshot = Some(path);
                }
                (Status::Failed, Value::Null, Some(text))
            }
        };
        span.record("webrunner.attempts", attempts as i64);
        span.record("webrunner.status", status.as_str());
        if let Some(e) = &error {
            span.record("otel.status_code", "ERROR");
            span.record("otel.status_description", e.as_str());
            span.record("error", e.as_str());
        }
        let record = Record {
            index,
            command: action.command.clone(),
            args: action.args.clone(),
            kwargs: action.kwargs.clone(),
            status,
            started_at,
            duration_ms: t0.elapsed().as_secs_f64() * 1000.0,
            attempts,
            flaky: status == Status::Passed && attempts > 1,
            result,
            error,
            artifacts,
            trace_id: ids.map(|i| i.trace_id),
            flow: self.flow.clone(),
        };
        for o in &self.ctx.observers {
            o.action_finished(&record);
        }
        self.ctx.records.push(record);
        &self.ctx.records[self.ctx.records.len() - 1]
    }

    async fn attempts(
        &mut self,
        index: usize,
        action: &Action,
        span: &tracing::Span,
        ids: Option<&TraceIds>,
    ) -> (u32, Result<Value, ActionError>) {
        let entry = self.registry.get(&action.command).cloned();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let attempt_span = tracing::info_span!(
                parent: span,
                "attempt",
                otel.name = format!("{} attempt {attempt}", action.command).as_str(),
                webrunner.attempt = attempt as i64,
                error = field::Empty,
                otel.status_code = field::Empty,
            );
            let outcome = match &entry {
                None => Err(ActionError::UnknownCommand(action.command.clone())),
                Some(e) if e.doc.runs_script && !self.ctx.settings.scripts_enabled => {
                    Err(ActionError::ScriptsDisabled(action.command.clone()))
                }
                Some(e) => {
                    self.ctx.traceparent = ids.map(|i| i.traceparent.clone());
                    self.ctx.send_traceparent().await;
                    e.handler
                        .call(&mut self.ctx, action)
                        .instrument(attempt_span.clone())
                        .await
                }
            };
            let err = match outcome {
                Ok(v) => return (attempt, Ok(v)),
                Err(e) => e,
            };
            attempt_span.record("error", err.to_string().as_str());
            attempt_span.record("otel.status_code", "ERROR");
            let retries = self.ctx.settings.retries;
            if attempt > retries || !err.is_retryable() {
                return (attempt, Err(err));
            }
            for o in &self.ctx.observers {
                o.attempt_failed(index, attempt, &err.to_string());
            }
            let backoff = self.ctx.settings.backoff * f64::from(attempt);
            if backoff > 0.0 {
                let clock = self.ctx.clock.clone();
                clock.sleep(Duration::from_secs_f64(backoff)).await;
            }
        }
    }

    /// Writes the failure screenshot, if a folder is set and a browser is open.
    async fn capture_failure(&mut self, command: &str) -> Option<String> {
        let dir = self.ctx.settings.screenshot_dir.clone()?;
        let session = self.ctx.open_session()?.clone();
        let png = match tokio::time::timeout(Duration::from_secs(10), session.screenshot(false))
            .await
        {
            Ok(Ok(png)) => png,
            Ok(Err(e)) => {
                tracing::warn!("failure screenshot not taken: {e}");
                return None;
            }
            Err(_) => {
                tracing::warn!("failure screenshot not taken: the browser did not answer in 10 s");
                return None;
            }
        };
        match screenshot::write_screenshot(&dir, command, &png) {
            Ok(path) => Some(path.display().to_string()),
            Err(e) => {
                tracing::warn!("failure screenshot not written to {}: {e}", dir.display());
                None
            }
        }
    }
}

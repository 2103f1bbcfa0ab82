//! The executor: runs actions through the command registry and turns each into one
//! [`Record`] that holds every attempt. It owns the run loop — attempts with linear back-off,
//! the script gate, a failure screenshot per failed attempt, a fresh browser context per
//! flow, flows cut short when their browser died, and stopping at once when asked — and emits
//! every step as a [`RunEvent`] to the run's sinks (see `webrunner_record::events`). It knows
//! nothing about outputs: records.json, reports, progress and spans are all sinks.

mod browser_slot;
mod call;
mod check;
mod clock;
mod context;
mod dialogs;
mod error;
mod evidence;
mod limit;
mod params;
mod registry;
pub mod screenshot;
mod trace;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use webrunner_record::{
    Artifacts, FlowPlan, Record, Reporter, RunEvent, RunSink, SinkFailure, Status, Summary, Try,
};

pub(crate) use browser_slot::empty_har;
pub use browser_slot::SharedHar;
pub use call::Call;
pub use check::Finding;
pub(crate) use clock::now_rfc3339;
pub use clock::{Clock, RecordingClock, SystemClock};
pub use context::{locator_of, Context, LocatorSpec};
pub use error::ActionError;
pub use params::{
    checked_pixels, is_strategy, Kind, Param, Signature, LOCATOR_KEYS, LOCATOR_KWARG,
    MAX_WINDOW_PIXELS,
};
pub use registry::{
    handler, CommandDoc, CommandEntry, CommandFuture, CommandHandler, CommandRegistry,
};

use crate::action::{Action, Flow};
use crate::browser::{Browser, BrowserOptions};
use crate::settings::{LimitError, Settings};
use crate::stop::StopSignal;

/// The ids of an action's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceIds {
    /// 32 hex digits.
    pub trace_id: String,
    /// `00-<trace id>-<span id>-<flags>`.
    pub traceparent: String,
}

/// The one thing the run loop takes from tracing: the ids of the running action's span,
/// read right after `ActionStarted` was emitted, so the record carries its `trace_id` and
/// the page's requests its `traceparent`. The tracing sink implements it.
pub trait Propagation: Send + Sync {
    /// The running action's ids, when it has a span.
    fn current(&self) -> Option<TraceIds>;
}

/// Runs actions and flows; see the module documentation.
pub struct Executor {
    registry: CommandRegistry,
    ctx: Context,
    /// The run's settings: every flow starts from them.
    base: Settings,
    reporter: Reporter,
    propagation: Option<Arc<dyn Propagation>>,
    flow: Option<String>,
    stop: StopSignal,
    /// Whether the action after the one running handles a dialog (so one may stay open).
    next_handles_dialog: bool,
    /// The running flow's trace (`run --trace`).
    trace: Option<trace::FlowTrace>,
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
            base: Settings::default(),
            reporter: Reporter::new(),
            propagation: None,
            flow: None,
            stop: StopSignal::new(),
            next_handles_dialog: false,
            trace: None,
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

    /// What commands see: the session, the current element, the flow's settings.
    pub fn context(&mut self) -> &mut Context {
        &mut self.ctx
    }

    /// The run's settings (each flow starts from them).
    pub fn settings(&self) -> &Settings {
        &self.base
    }

    /// Replaces the run's settings; they apply from the next action on.
    pub fn set_settings(&mut self, settings: Settings) {
        self.ctx.settings = settings.clone();
        self.base = settings;
    }

    fn update(&mut self, change: impl Fn(&mut Settings)) {
        change(&mut self.base);
        change(&mut self.ctx.settings);
    }

    /// Failed actions write a PNG of the page into `dir` (created here).
    pub fn set_failure_screenshot_dir(&mut self, dir: impl AsRef<Path>) -> std::io::Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        self.update(|s| s.screenshot_dir = Some(dir.to_path_buf()));
        Ok(())
    }

    /// Up to `retries` more attempts after a failure, sleeping `backoff × k` seconds after
    /// failed attempt k. Negative values clamp to 0; more than
    /// [`MAX_RETRIES`](crate::settings::MAX_RETRIES) retries or a back-off that is not a
    /// number of seconds up to a day is an error, and nothing changes.
    pub fn set_retry_policy(&mut self, retries: i64, backoff: f64) -> Result<(), LimitError> {
        self.base.set_retry_policy(retries as f64, backoff)?;
        self.ctx.settings.retries = self.base.retries;
        self.ctx.settings.backoff = self.base.backoff;
        Ok(())
    }

    /// Replaces the clock that back-off sleeps go through.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.ctx.clock = clock;
    }

    /// Switches commands that run caller-supplied script on or off.
    pub fn set_scripts_enabled(&mut self, enabled: bool) {
        self.update(|s| s.scripts_enabled = enabled);
    }

    /// Stops a flow at its first failed action.
    pub fn set_fail_fast(&mut self, fail_fast: bool) {
        self.update(|s| s.fail_fast = fail_fast);
    }

    /// How Chromium is launched when a command first needs it.
    pub fn set_browser_options(&mut self, options: BrowserOptions) {
        self.update(|s| s.browser = options.clone());
    }

    /// Shares an already running browser: the executor opens its own tabs in it and never
    /// closes the browser itself.
    pub fn use_browser(&mut self, browser: Arc<Browser>) {
        self.ctx.browser.use_browser(browser);
    }

    /// Records the network of every session from now on (bodies too with `content`); what
    /// closed sessions captured is in the returned handle, and [`Executor::take_har`] ends the
    /// recording.
    pub fn record_har(&mut self, content: bool) -> SharedHar {
        self.ctx.browser.record_har(content)
    }

    /// Ends the HAR recording and returns it (`None` when not recording).
    pub async fn take_har(&mut self) -> Option<webrunner_har::writer::Har> {
        self.ctx.browser.take_har().await
    }

    /// Adds a sink that observes every following event on its own thread.
    pub fn add_sink(&mut self, sink: Box<dyn RunSink>) {
        self.reporter.add(sink);
    }

    /// Adds a sink called on the run loop itself (it must return at once: the tracing sink).
    pub fn add_inline_sink(&mut self, sink: Box<dyn RunSink>) {
        self.reporter.add_inline(sink);
    }

    /// Traces every following action as an OpenTelemetry span (a child per attempt) in
    /// `dispatch` — the run's own dispatcher from `webrunner_otel::executor_tracing`, not the
    /// process-wide one — and gives records their `trace_id` and the page's requests the
    /// action's `traceparent`.
    #[cfg(feature = "otel")]
    pub fn trace_to(&mut self, dispatch: tracing::Dispatch) {
        let (sink, ids) = crate::run::spans::SpanSink::new(dispatch);
        self.add_inline_sink(Box::new(sink));
        self.set_propagation(ids);
    }

    /// Where the run loop reads the running action's trace ids from.
    pub fn set_propagation(&mut self, propagation: Arc<dyn Propagation>) {
        self.propagation = Some(propagation);
    }

    /// The signal that stops the run at once: the running action fails as interrupted and
    /// nothing more runs.
    pub fn set_stop_signal(&mut self, stop: StopSignal) {
        self.stop = stop;
    }

    /// Every record of this executor so far.
    pub fn records(&self) -> &[Record] {
        &self.ctx.records
    }

    /// Tells the sinks which flows are about to run (`RunPlanned`).
    pub fn plan(&mut self, flows: &[Flow]) {
        self.emit(|| RunEvent::RunPlanned {
            flows: flows
                .iter()
                .map(|f| FlowPlan {
                    name: f.name.clone(),
                    actions: f.actions.len(),
                })
                .collect(),
        });
    }

    fn emit(&mut self, event: impl FnOnce() -> RunEvent) {
        if !self.reporter.is_empty() {
            self.reporter.emit(event());
        }
    }

    /// Runs a flow and returns its records. The flow starts from the run's settings in a
    /// fresh browser context. It stops early on failure under fail-fast; when its browser
    /// died, its remaining actions are recorded as not run; when the run is stopped, nothing
    /// more runs.
    pub async fn run_flow(&mut self, flow: &Flow) -> &[Record] {
        self.flow = Some(flow.name.clone());
        self.emit(|| RunEvent::FlowStarted {
            flow: flow.name.clone(),
            planned: flow.actions.len(),
        });
        self.ctx.settings = self.base.clone();
        self.ctx.settings.flow_dir = flow.path.as_deref().and_then(Path::parent).map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
            .to_path_buf()
        });
        self.ctx.element = None;
        self.ctx.test_objects.clear();
        if self.ctx.open_session().is_some() {
            self.ctx.browser.close_session().await;
        }
        self.begin_trace(flow).await;
        let start = self.ctx.records.len();
        self.ctx.records.reserve(flow.actions.len());
        let mut dead: Option<String> = None;
        for (index, action) in flow.actions.iter().enumerate() {
            if self.stop.is_stopped() {
                break;
            }
            if let Some(reason) = &dead {
                let reason = reason.clone();
                self.not_run(index, action, &reason);
                continue;
            }
            self.next_handles_dialog = flow
                .actions
                .get(index + 1)
                .is_some_and(crate::commands::handles_dialog);
            let failed = self.run_action(index, action).await.failed();
            self.next_handles_dialog = false;
            if failed {
                if let Some(fatal) = self.ctx.browser.fatal() {
                    dead = Some(format!(
                        "not run: {fatal} during action #{index} ({})",
                        action.command
                    ));
                    continue;
                }
                if self.ctx.settings.fail_fast {
                    break;
                }
            }
        }
        self.end_trace().await;
        let evidence = if self.ctx.settings.capture && !self.reporter.is_empty() {
            self.ctx.browser.flush(true).await;
            self.ctx.browser.evidence()
        } else {
            Default::default()
        };
        if dead.is_some() {
            // The next flow opens a fresh session (and a fresh browser if this one died).
            self.ctx.browser.close_session().await;
        }
        let summary = Summary::of(&self.ctx.records[start..]);
        self.emit(|| RunEvent::FlowFinished {
            flow: flow.name.clone(),
            summary,
            evidence,
        });
        self.flow = None;
        &self.ctx.records[start..]
    }

    /// Runs actions as a flow named `name`.
    pub async fn run_actions(&mut self, name: &str, actions: Vec<Action>) -> &[Record] {
        self.run_flow(&Flow {
            name: name.to_string(),
            actions,
            lines: Vec::new(),
            path: None,
        })
        .await
    }

    /// Ends the run: tells the sinks (`RunFinished`), waits until each has taken every event
    /// and finished, and returns the failures of those that failed.
    pub async fn finish(&mut self) -> Vec<SinkFailure> {
        let interrupted = self.stop.is_stopped().then(|| self.stop.reason());
        let summary = Summary::of(&self.ctx.records);
        self.emit(|| RunEvent::RunFinished {
            summary,
            interrupted,
        });
        let reporter = std::mem::take(&mut self.reporter);
        tokio::task::spawn_blocking(move || reporter.finish())
            .await
            .unwrap_or_else(|_| Vec::new())
    }

    /// Closes the browser, if one is open.
    pub async fn shutdown(&mut self) {
        self.ctx.close_browser().await;
    }

    fn not_run(&mut self, index: usize, action: &Action, reason: &str) {
        let mut record = Record::not_run(
            index,
            &action.command,
            action.args.clone(),
            action.kwargs.clone(),
            reason,
        );
        record.started_at = now_rfc3339();
        record.flow = self.flow.clone();
        self.finish_record(record);
    }

    fn finish_record(&mut self, mut record: Record) -> &Record {
        self.trace_finished(&mut record);
        if !self.reporter.is_empty() {
            self.reporter.emit(RunEvent::ActionFinished {
                record: record.clone(),
            });
        }
        self.ctx.records.push(record);
        &self.ctx.records[self.ctx.records.len() - 1]
    }

    /// Runs one action (all its attempts) and returns its record, which is also kept and
    /// handed to every sink.
    pub async fn run_action(&mut self, index: usize, action: &Action) -> &Record {
        if !self.reporter.is_empty() {
            self.reporter.emit(RunEvent::ActionStarted {
                flow: self.flow.clone(),
                index,
                command: action.command.clone(),
            });
        }
        self.trace_started(index, action);
        let ids = self.propagation.as_ref().and_then(|p| p.current());
        let t0 = Instant::now();
        self.ctx.browser.set_action(index);
        let mut closed = dialogs::before(&mut self.ctx, action, self.next_handles_dialog).await;
        let bound = self.registry.bind(action);
        let mut tries: Vec<Try> = Vec::new();
        let mut result = Value::Null;
        loop {
            let attempt = tries.len() as u32 + 1;
            self.emit(|| RunEvent::AttemptStarted { index, attempt });
            let started_at = now_rfc3339();
            let ta = Instant::now();
            let outcome = match &bound {
                Err(e) => Err(e.again()),
                Ok((e, _)) if e.doc.runs_script && !self.ctx.settings.scripts_enabled => {
                    Err(ActionError::ScriptsDisabled(action.command.clone()))
                }
                Ok((e, call)) => {
                    self.ctx
                        .browser
                        .set_traceparent(ids.as_ref().map(|i| i.traceparent.clone()))
                        .await;
                    let (limit, what) = limit::attempt_limit(
                        &self.ctx.settings,
                        &e.doc,
                        call,
                        self.ctx.open_session().is_some(),
                    );
                    let stop = &self.stop;
                    tokio::select! {
                        biased;
                        out = e.handler.call(&mut self.ctx, call) => out,
                        () = stop.stopped() => Err(ActionError::Interrupted(stop.reason())),
                        () = tokio::time::sleep(limit) => Err(ActionError::Failed(format!(
                            "{} did not finish within {:.1} s ({what})",
                            action.command,
                            limit.as_secs_f64()
                        ))),
                    }
                }
            };
            let outcome = dialogs::settle(outcome, self.next_handles_dialog);
            let (status, error, artifacts, retry) = match outcome {
                Ok(v) => {
                    result = v;
                    (Status::Passed, None, Artifacts::default(), false)
                }
                Err(err) => {
                    let mut text = err.to_string();
                    let artifacts = screenshot::failure(&self.ctx, &action.command).await;
                    if let Some(path) = &artifacts.screenshot {
                        text.push_str(&format!(" (failure screenshot: {path})"));
                    }
                    let retry = err.is_retryable()
                        && attempt <= self.ctx.settings.retries
                        && self.ctx.browser.fatal().is_none()
                        && !self.stop.is_stopped();
                    (Status::Failed, Some(text), artifacts, retry)
                }
            };
            let t = Try {
                attempt,
                started_at,
                duration_ms: ta.elapsed().as_secs_f64() * 1000.0,
                status,
                error,
                artifacts,
            };
            if !self.reporter.is_empty() {
                self.reporter.emit(RunEvent::AttemptFinished {
                    flow: self.flow.clone(),
                    index,
                    command: action.command.clone(),
                    attempt: t.clone(),
                    will_retry: retry,
                });
            }
            tries.push(t);
            if !retry {
                break;
            }
            let backoff = self.ctx.settings.backoff_after(attempt);
            if !backoff.is_zero() {
                let clock = self.ctx.clock.clone();
                let stop = self.stop.clone();
                tokio::select! {
                    () = clock.sleep(backoff) => {}
                    () = stop.stopped() => {}
                }
            }
        }
        let mut record = Record::from_tries(
            index,
            &action.command,
            action.args.clone(),
            action.kwargs.clone(),
            tries,
        );
        record.result = result;
        record.duration_ms = t0.elapsed().as_secs_f64() * 1000.0;
        record.trace_id = ids.map(|i| i.trace_id);
        record.flow = self.flow.clone();
        closed.extend(dialogs::after(&self.ctx));
        record.dialogs = closed;
        self.add_evidence(&mut record).await;
        self.finish_record(record)
    }
}

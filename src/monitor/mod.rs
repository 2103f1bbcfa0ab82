//! Synthetic monitoring (SPEC §9): checks run again and again, each green or red, and an
//! alert goes to the sink only when a check changes status — never while a status holds —
//! or when a check is red on its first evaluation.
//!
//! A check is anything implementing [`Check`] (an async closure will do); [`FlowCheck`] runs
//! a flow in one shared real browser. Alerts go to any [`AlertSink`]: [`StdoutSink`] (a JSON
//! line), [`FileSink`] (appended JSON lines), [`WebhookSink`] (HTTP POST with time limit and
//! retries), [`BusSink`] (the event bus), several at once through [`AlertSinks`]. The state of
//! every check can be saved and restored ([`MonitorState`]) so a restart neither repeats an
//! alert nor forgets a red check.
//!
//! ```no_run
//! use webrunner::monitor::{AlertSinks, FileSink, StdoutSink, SyntheticMonitor};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sinks = AlertSinks::new().with(StdoutSink).with(FileSink::open("alerts.jsonl")?);
//! let mut monitor = SyntheticMonitor::new(sinks);
//! monitor.register("always-fine", || async { Ok(()) }, 1, 1)?;
//! let results = monitor.run_for(3, 60.0).await?;
//! # Ok(()) }
//! ```

mod alert;
mod check;
mod flow_check;
mod state;

mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::FutureExt as _;
use serde::{Deserialize, Serialize};

pub use crate::stop::StopSignal;
pub use alert::{
    alert_line, Alert, AlertError, AlertFuture, AlertSink, AlertSinks, BusSink, FileSink,
    StdoutSink, TRANSITION_EVENT,
};
pub use check::{Check, CheckFuture, CheckOptions};
pub use flow_check::{FlowCheck, SharedBrowser};
pub use state::{
    CheckState, CheckStatus, Flap, FlapError, MonitorState, Outcome, Rule, StateError, Transition,
    MAX_FLAP_RUNS, STATE_VERSION,
};
pub use webhook::{WebhookOptions, WebhookSink};

use crate::executor::{Clock, SystemClock};

/// The outcome of one check in one tick:
/// `{name, status, duration_seconds, transitioned, error, timestamp}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's name.
    pub name: String,
    /// Its status after this run.
    pub status: CheckStatus,
    /// How long the run took.
    pub duration_seconds: f64,
    /// Whether this run alerted (a change of status, or red on the first evaluation).
    pub transitioned: bool,
    /// Why the run failed; `null` when it passed.
    pub error: Option<String>,
    /// When the run ended, in seconds since the Unix epoch.
    pub timestamp: f64,
}

/// Why the monitor refused a request.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// A check was registered without a name.
    #[error("a check needs a non-empty name")]
    EmptyName,
    /// A threshold below 1.
    #[error("check {name:?}: {which} must be at least 1, got {value}")]
    BadThreshold {
        /// The check.
        name: String,
        /// `failure_threshold` or `recovery_threshold`.
        which: &'static str,
        /// The value given.
        value: u32,
    },
    /// `run_for` with no iterations.
    #[error("iterations must be greater than 0, got {0}")]
    BadIterations(u64),
    /// A negative or non-finite interval.
    #[error("interval_seconds must be a number of seconds ≥ 0, got {0}")]
    BadInterval(f64),
    /// Saving or loading state failed.
    #[error(transparent)]
    State(#[from] StateError),
}

struct Registered {
    name: String,
    check: Box<dyn Check>,
    options: CheckOptions,
}

type AlertErrorHandler = Box<dyn Fn(&AlertError) + Send + Sync>;

/// Runs registered checks tick after tick and alerts on status changes; see the module
/// documentation.
pub struct SyntheticMonitor {
    sink: Box<dyn AlertSink>,
    clock: Arc<dyn Clock>,
    checks: Vec<Registered>,
    states: BTreeMap<String, CheckState>,
    on_alert_error: AlertErrorHandler,
    alert_failures: u64,
}

impl std::fmt::Debug for SyntheticMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticMonitor")
            .field(
                "checks",
                &self.checks.iter().map(|c| &c.name).collect::<Vec<_>>(),
            )
            .field("states", &self.states)
            .finish_non_exhaustive()
    }
}

impl SyntheticMonitor {
    /// A monitor with no checks that sends alerts to `alert_sink`. Alerts a sink fails to
    /// deliver are reported on stderr (see [`SyntheticMonitor::set_alert_error_handler`]).
    pub fn new(alert_sink: impl AlertSink + 'static) -> SyntheticMonitor {
        SyntheticMonitor {
            sink: Box::new(alert_sink),
            clock: Arc::new(SystemClock),
            checks: Vec::new(),
            states: BTreeMap::new(),
            on_alert_error: Box::new(|e| eprintln!("webrunner monitor: alert not delivered: {e}")),
            alert_failures: 0,
        }
    }

    /// Replaces the clock that the pause between ticks goes through.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// Replaces what happens when a sink fails to deliver an alert (default: one line on
    /// stderr). The monitor goes on either way.
    pub fn set_alert_error_handler(
        &mut self,
        handler: impl Fn(&AlertError) + Send + Sync + 'static,
    ) {
        self.on_alert_error = Box::new(handler);
    }

    /// Registers `check` as `name` with the given thresholds (SPEC defaults: 1 and 1).
    /// Fails on an empty name or a threshold below 1. Registering a name again replaces the
    /// check and starts its state afresh.
    pub fn register(
        &mut self,
        name: &str,
        check: impl Check + 'static,
        failure_threshold: u32,
        recovery_threshold: u32,
    ) -> Result<(), MonitorError> {
        self.register_with(
            name,
            check,
            CheckOptions {
                failure_threshold,
                recovery_threshold,
                ..CheckOptions::default()
            },
        )
    }

    /// Registers `check` as `name` with full options (flap suppression, time limit). Fails
    /// like [`SyntheticMonitor::register`]. A state restored earlier for `name` is kept.
    pub fn register_with(
        &mut self,
        name: &str,
        check: impl Check + 'static,
        options: CheckOptions,
    ) -> Result<(), MonitorError> {
        if name.is_empty() {
            return Err(MonitorError::EmptyName);
        }
        for (which, value) in [
            ("failure_threshold", options.failure_threshold),
            ("recovery_threshold", options.recovery_threshold),
        ] {
            if value < 1 {
                return Err(MonitorError::BadThreshold {
                    name: name.to_string(),
                    which,
                    value,
                });
            }
        }
        let entry = Registered {
            name: name.to_string(),
            check: Box::new(check),
            options,
        };
        match self.checks.iter_mut().find(|c| c.name == name) {
            Some(existing) => {
                *existing = entry;
                self.states.insert(name.to_string(), CheckState::default());
            }
            None => self.checks.push(entry),
        }
        Ok(())
    }

    /// The registered checks' names, in registration order.
    pub fn check_names(&self) -> Vec<&str> {
        self.checks.iter().map(|c| c.name.as_str()).collect()
    }

    /// A check's status; `None` before its first evaluation or for an unknown name.
    pub fn status(&self, name: &str) -> Option<CheckStatus> {
        self.states.get(name).and_then(|s| s.status)
    }

    /// Whether any registered check is red.
    pub fn any_red(&self) -> bool {
        self.checks
            .iter()
            .any(|c| self.status(&c.name) == Some(CheckStatus::Red))
    }

    /// Every check's state, for saving. States restored for checks that are not registered
    /// now are included, so a run over fewer flows does not forget the others.
    pub fn state(&self) -> MonitorState {
        MonitorState {
            checks: self.states.clone(),
            ..MonitorState::default()
        }
    }

    /// Takes over saved states (replacing current ones of the same names).
    pub fn restore(&mut self, state: MonitorState) {
        self.states.extend(state.checks);
    }

    /// How many alerts a sink failed to deliver so far.
    pub fn alert_failures(&self) -> u64 {
        self.alert_failures
    }

    /// Runs every registered check once, in registration order, alerting on changes, and
    /// returns one result per check. A check that panics or exceeds its time limit fails.
    pub async fn tick_once(&mut self) -> Vec<CheckResult> {
        let outcomes = self.run_checks().await;
        self.apply(outcomes).await
    }

    /// Runs every check once and returns how each went, changing no state.
    async fn run_checks(&mut self) -> Vec<(Result<(), String>, f64, f64)> {
        let mut outcomes = Vec::with_capacity(self.checks.len());
        for c in &mut self.checks {
            let start = Instant::now();
            let outcome = run_guarded(c.check.as_mut(), c.options.timeout).await;
            outcomes.push((outcome, start.elapsed().as_secs_f64(), unix_now()));
        }
        outcomes
    }

    /// Applies one tick's outcomes (in check order): state changes and alerts.
    async fn apply(&mut self, outcomes: Vec<(Result<(), String>, f64, f64)>) -> Vec<CheckResult> {
        let mut results = Vec::with_capacity(self.checks.len());
        for (c, (outcome, duration_seconds, timestamp)) in self.checks.iter().zip(outcomes) {
            let state = self.states.entry(c.name.clone()).or_default();
            let error = outcome.err();
            if let Some(e) = &error {
                state.last_error = Some(e.clone());
            }
            state.last_run_at = Some(timestamp);
            let kind = if error.is_some() {
                Outcome::Failed
            } else {
                Outcome::Passed
            };
            let t = state.observe(kind, &c.options.rule());
            if t.alert {
                let alert = Alert {
                    event: TRANSITION_EVENT.to_string(),
                    check: c.name.clone(),
                    previous: t.previous,
                    current: t.current,
                    error: error.clone(),
                    duration_seconds,
                };
                if let Err(e) = self.sink.send(&alert).await {
                    self.alert_failures += 1;
                    (self.on_alert_error)(&e);
                }
            }
            results.push(CheckResult {
                name: c.name.clone(),
                status: t.current,
                duration_seconds,
                transitioned: t.alert,
                error,
                timestamp,
            });
        }
        results
    }

    /// Runs `iterations` ticks with a pause of `interval_seconds` between them (none after
    /// the last) and returns every result, tick after tick. Fails when `iterations` is 0 or
    /// the interval is negative or not a number.
    pub async fn run_for(
        &mut self,
        iterations: u64,
        interval_seconds: f64,
    ) -> Result<Vec<CheckResult>, MonitorError> {
        if iterations == 0 {
            return Err(MonitorError::BadIterations(0));
        }
        let mut all = Vec::new();
        self.run_until(
            Some(iterations),
            interval_seconds,
            &StopSignal::new(),
            |_, results, _| {
                all.extend_from_slice(results);
                Ok(())
            },
        )
        .await?;
        Ok(all)
    }

    /// Runs ticks until `iterations` (when given) are done or `stop` is given, pausing
    /// `interval_seconds` between ticks. A stop request ends the
    /// pause at once, or ends the tick under way without applying it (no alert, no state
    /// change). After each tick,
    /// `after_tick(tick number from 1, results, monitor)` runs (to save state, print); its
    /// error ends the loop. Returns the number of ticks run. Fails like
    /// [`SyntheticMonitor::run_for`] on bad arguments.
    pub async fn run_until<F>(
        &mut self,
        iterations: Option<u64>,
        interval_seconds: f64,
        stop: &StopSignal,
        mut after_tick: F,
    ) -> Result<u64, MonitorError>
    where
        F: FnMut(u64, &[CheckResult], &SyntheticMonitor) -> Result<(), MonitorError>,
    {
        if iterations == Some(0) {
            return Err(MonitorError::BadIterations(0));
        }
        if !interval_seconds.is_finite() || interval_seconds < 0.0 {
            return Err(MonitorError::BadInterval(interval_seconds));
        }
        let interval = Duration::try_from_secs_f64(interval_seconds)
            .map_err(|_| MonitorError::BadInterval(interval_seconds))?;
        let mut ticks = 0u64;
        while !stop.is_stopped() {
            // A tick cut short by a stop request sends no alert and changes no state.
            // Biased: Ctrl-C on a terminal also reaches Chromium, whose death could otherwise
            // end the tick (as a false failure) in the same instant.
            let outcomes = tokio::select! {
                biased;
                () = stop.stopped() => break,
                o = self.run_checks() => o,
            };
            if stop.is_stopped() {
                break;
            }
            let results = self.apply(outcomes).await;
            ticks += 1;
            after_tick(ticks, &results, self)?;
            if iterations.is_some_and(|n| ticks >= n) || stop.is_stopped() {
                break;
            }
            if interval.is_zero() {
                tokio::task::yield_now().await;
            } else {
                let clock = self.clock.clone();
                tokio::select! {
                    () = clock.sleep(interval) => {}
                    () = stop.stopped() => break,
                }
            }
        }
        Ok(ticks)
    }
}

/// Runs a check once, turning a panic or an exceeded time limit into a failure.
async fn run_guarded(check: &mut dyn Check, timeout: Option<Duration>) -> Result<(), String> {
    let run = std::panic::AssertUnwindSafe(check.run()).catch_unwind();
    let caught = match timeout {
        None => run.await,
        Some(limit) => match tokio::time::timeout(limit, run).await {
            Ok(caught) => caught,
            Err(_) => {
                return Err(format!(
                    "the check did not finish within {:.1} s",
                    limit.as_secs_f64()
                ))
            }
        },
    };
    caught.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(format!("the check panicked: {what}"))
    })
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

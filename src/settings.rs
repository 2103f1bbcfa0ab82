//! The run's settings as one typed value, shared by the executor, `run`, `demo` and
//! `monitor`, and the checks every number from outside (flags, flow files) goes through
//! before it becomes a setting, a sleep or a time-out.
//!
//! A flow's own `WR_set_retry_policy`, `WR_implicitly_wait`, … change the settings for the
//! rest of that flow only: every flow starts from the run's settings.

use std::path::PathBuf;
use std::time::Duration;

use crate::browser::BrowserOptions;

/// Most extra attempts an action may be given.
pub const MAX_RETRIES: u32 = 100;
/// Longest sleep, wait or time-out, in seconds (a day).
pub const MAX_SECONDS: f64 = 86_400.0;

/// A number from outside that is not usable: what it was for, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be {want}, got {got}")]
pub struct LimitError {
    /// What the number was for (`--backoff`, `WR_sleep: seconds`, …).
    pub what: String,
    /// What it must be.
    pub want: String,
    /// The value as given.
    pub got: String,
}

/// Seconds as a [`Duration`]: finite, ≥ 0 and at most a day; anything else is an error
/// naming `what`.
pub fn checked_seconds(what: &str, v: f64) -> Result<Duration, LimitError> {
    if v.is_finite() && (0.0..=MAX_SECONDS).contains(&v) {
        return Ok(Duration::from_secs_f64(v));
    }
    Err(LimitError {
        what: what.to_string(),
        want: format!("a number of seconds from 0 to {MAX_SECONDS}"),
        got: format!("{v:?}"),
    })
}

/// A retry count: negative clamps to 0 (the seed's rule), fractions round down; more than
/// [`MAX_RETRIES`], infinite or NaN is an error naming `what`.
pub fn checked_retries(what: &str, v: f64) -> Result<u32, LimitError> {
    if v.is_nan() || v > f64::from(MAX_RETRIES) {
        return Err(LimitError {
            what: what.to_string(),
            want: format!("a number of retries from 0 to {MAX_RETRIES}"),
            got: format!("{v:?}"),
        });
    }
    Ok(if v > 0.0 { v as u32 } else { 0 })
}

/// A back-off in seconds: negative clamps to 0 (the seed's rule); otherwise as
/// [`checked_seconds`].
pub fn checked_backoff(what: &str, v: f64) -> Result<Duration, LimitError> {
    if v < 0.0 {
        return Ok(Duration::ZERO);
    }
    checked_seconds(what, v)
}

/// When a flow's trace is kept (Playwright's retention modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceMode {
    /// No trace.
    #[default]
    Off,
    /// A trace of every flow.
    On,
    /// Traces are recorded for every flow but kept only for flows that failed.
    RetainOnFailure,
}

impl std::str::FromStr for TraceMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" => Ok(TraceMode::Off),
            "on" => Ok(TraceMode::On),
            "retain-on-failure" => Ok(TraceMode::RetainOnFailure),
            other => Err(format!(
                "trace mode must be on, retain-on-failure or off, got {other:?}"
            )),
        }
    }
}

/// How actions run: one value for the whole run, copied into each flow.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Extra attempts after a failed one (at most [`MAX_RETRIES`]).
    pub retries: u32,
    /// Back-off: after failed attempt k the executor sleeps `backoff × k`.
    pub backoff: Duration,
    /// False refuses commands that run caller-supplied script (`--no-scripts`).
    pub scripts_enabled: bool,
    /// Stop a flow at its first failed action.
    pub fail_fast: bool,
    /// How long an element action waits for its element to be actionable (attached,
    /// visible, stable, enabled, not covered) before it fails: `--timeout`,
    /// `WR_implicitly_wait`, `WR_set_timeout`.
    pub action_timeout: Duration,
    /// How long a navigation waits for its page to load (`WR_set_page_load_timeout`).
    pub page_load_timeout: Duration,
    /// How long an asynchronous script may run (`WR_set_script_timeout`).
    pub script_timeout: Duration,
    /// Default time limit of explicit waits.
    pub wait_timeout: Duration,
    /// Where failure screenshots (and DOM snapshots) go; `None` takes none.
    pub screenshot_dir: Option<PathBuf>,
    /// Tie the page's console messages and requests to each action's record, and keep the
    /// DOM of a failed attempt (`--no-capture` turns it off).
    pub capture: bool,
    /// Collect the pages' Content-Security-Policy violations from the first script on, into
    /// each action's record (`--csp-report`); `WR_csp_assert_*` need it.
    pub csp_report: bool,
    /// When a trace of each flow is kept (`run --trace`): Playwright-format zips under
    /// `traces/` of the output folder.
    pub trace: TraceMode,
    /// How Chromium is launched when a command first needs it.
    pub browser: BrowserOptions,
    /// The folder of the flow file that is running, when it came from a file: files the
    /// flow reads (uploads) are looked up here first.
    pub flow_dir: Option<PathBuf>,
    /// The run's output folder. Files a flow asks to write (screenshots, …) with a relative
    /// path land here; with scripts switched off (an untrusted flow) they must stay inside it.
    pub output_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retries: 0,
            backoff: Duration::ZERO,
            scripts_enabled: true,
            fail_fast: false,
            action_timeout: Duration::from_secs(5),
            page_load_timeout: Duration::from_secs(30),
            script_timeout: Duration::from_secs(30),
            wait_timeout: Duration::from_secs(10),
            screenshot_dir: None,
            capture: true,
            csp_report: false,
            trace: TraceMode::Off,
            browser: BrowserOptions::default(),
            output_dir: None,
            flow_dir: None,
        }
    }
}

impl Settings {
    /// Sets the retry policy from numbers given by a user (flag, flow or API): negative values
    /// clamp to 0; non-finite or too large ones are an error.
    pub fn set_retry_policy(&mut self, retries: f64, backoff: f64) -> Result<(), LimitError> {
        let r = checked_retries("retries", retries)?;
        let b = checked_backoff("backoff", backoff)?;
        self.retries = r;
        self.backoff = b;
        Ok(())
    }

    /// The sleep after failed attempt `attempt` (1-based): `backoff × attempt`.
    pub fn backoff_after(&self, attempt: u32) -> Duration {
        self.backoff.saturating_mul(attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_outside_are_bounded() {
        assert!(checked_seconds("WR_sleep: seconds", 1e300).is_err());
        assert!(checked_seconds("x", f64::NAN).is_err());
        assert!(checked_seconds("x", -1.0).is_err());
        assert_eq!(checked_seconds("x", 1.5), Ok(Duration::from_millis(1500)));
        assert!(checked_retries("--retries", 1e12).is_err());
        assert_eq!(checked_retries("--retries", -3.0), Ok(0));
        assert_eq!(checked_backoff("--backoff", -1.0), Ok(Duration::ZERO));
        let e = checked_backoff("--backoff", 1e300).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--backoff must be a number of seconds from 0 to 86400, got 1e300"
        );
    }

    #[test]
    fn a_bad_retry_policy_leaves_the_settings_as_they_were() {
        let mut s = Settings::default();
        s.set_retry_policy(2.0, 0.5).unwrap();
        assert!(s.set_retry_policy(2.0, f64::INFINITY).is_err());
        assert_eq!((s.retries, s.backoff), (2, Duration::from_millis(500)));
        assert_eq!(s.backoff_after(3), Duration::from_millis(1500));
    }
}

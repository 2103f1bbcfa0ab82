//! What the monitor remembers about each check — green or red, the consecutive pass and
//! failure counts, the recent runs kept for flap suppression — the rule that moves a check
//! between green and red, and the state file that carries all of it across restarts.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Whether a check is healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Passing (or not yet failing often enough to count as down).
    Green,
    /// Failing often enough to alert.
    Red,
}

impl CheckStatus {
    /// `"green"` or `"red"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Green => "green",
            CheckStatus::Red => "red",
        }
    }
}

impl std::fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one run of a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The check returned `Ok`.
    Passed,
    /// The check returned an error, panicked or ran out of time.
    Failed,
}

/// Flap suppression: a check turns red only when at least `failures` of its last `runs`
/// runs failed (on top of the failure threshold), and turns green again only once fewer than
/// `failures` of its last `runs` runs failed (on top of the recovery threshold). A single
/// failure among passes then never alerts, and (when N ≥ 2K) a check that alternates between
/// passing and failing alerts once and stays red instead of alerting on every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flap {
    failures: u32,
    runs: u32,
}

/// The largest flap window accepted.
pub const MAX_FLAP_RUNS: u32 = 10_000;

impl Flap {
    /// `failures` of the last `runs` runs. Fails unless `1 ≤ failures ≤ runs ≤ 10000`.
    pub fn new(failures: u32, runs: u32) -> Result<Flap, FlapError> {
        if failures < 1 || failures > runs || runs > MAX_FLAP_RUNS {
            return Err(FlapError(format!(
                "{failures}/{runs}: K/N needs 1 ≤ K ≤ N ≤ {MAX_FLAP_RUNS}"
            )));
        }
        Ok(Flap { failures, runs })
    }

    /// K: how many of the window's runs must have failed.
    pub fn failures(self) -> u32 {
        self.failures
    }

    /// N: how many recent runs the window holds.
    pub fn runs(self) -> u32 {
        self.runs
    }
}

impl FromStr for Flap {
    type Err = FlapError;

    /// Parses `K/N`, e.g. `2/5`.
    fn from_str(s: &str) -> Result<Flap, FlapError> {
        let bad = || {
            FlapError(format!(
                "{s:?}: expected K/N, e.g. 2/5 (alert when 2 of the last 5 runs failed)"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k = k.trim().parse::<u32>().map_err(|_| bad())?;
        let n = n.trim().parse::<u32>().map_err(|_| bad())?;
        Flap::new(k, n)
    }
}

impl std::fmt::Display for Flap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.failures, self.runs)
    }
}

/// A flap window that is not `K/N` with `1 ≤ K ≤ N ≤ 10000`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("flap window {0}")]
pub struct FlapError(String);

/// The rule one check's status follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Consecutive failures before the check turns red (≥ 1).
    pub failure_threshold: u32,
    /// Consecutive passes before a red check turns green (≥ 1).
    pub recovery_threshold: u32,
    /// Optional flap suppression.
    pub flap: Option<Flap>,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            failure_threshold: 1,
            recovery_threshold: 1,
            flap: None,
        }
    }
}

/// What one run did to a check's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The status before the run; `None` on the check's first evaluation.
    pub previous: Option<CheckStatus>,
    /// The status after the run.
    pub current: CheckStatus,
    /// Whether this run changes what the check reports: the status changed, or the check is
    /// red on its first evaluation. A check green on its first evaluation does not alert.
    pub alert: bool,
}

/// Everything the monitor remembers about one check; this is what the state file holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckState {
    /// The status; `None` until the first evaluation.
    pub status: Option<CheckStatus>,
    /// Failures in a row, up to the latest run.
    pub consecutive_failures: u32,
    /// Passes in a row, up to the latest run.
    pub consecutive_successes: u32,
    /// The latest runs, oldest first, at most the flap window's N (empty without flap
    /// suppression).
    #[serde(default)]
    pub recent: VecDeque<Outcome>,
    /// The error of the latest failed run.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the check last ran, in seconds since the Unix epoch.
    #[serde(default)]
    pub last_run_at: Option<f64>,
}

impl CheckState {
    /// Counts one run and moves the status by `rule`:
    /// red once `failure_threshold` runs in a row failed (and, with flap suppression, at
    /// least K of the last N failed); green once `recovery_threshold` runs in a row passed
    /// (and, with flap suppression, fewer than K of the last N failed); otherwise the status
    /// holds — green on a first evaluation that meets neither condition.
    pub fn observe(&mut self, outcome: Outcome, rule: &Rule) -> Transition {
        match outcome {
            Outcome::Passed => {
                self.consecutive_successes = self.consecutive_successes.saturating_add(1);
                self.consecutive_failures = 0;
            }
            Outcome::Failed => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                self.consecutive_successes = 0;
            }
        }
        let (window_red, window_clear) = match rule.flap {
            Some(flap) => {
                self.recent.push_back(outcome);
                while self.recent.len() > flap.runs as usize {
                    self.recent.pop_front();
                }
                let failed = self
                    .recent
                    .iter()
                    .filter(|o| **o == Outcome::Failed)
                    .count();
                let red = failed >= flap.failures as usize;
                (red, !red)
            }
            None => {
                self.recent.clear();
                (true, true)
            }
        };
        let previous = self.status;
        let current = if self.consecutive_failures >= rule.failure_threshold && window_red {
            CheckStatus::Red
        } else if self.consecutive_successes >= rule.recovery_threshold && window_clear {
            CheckStatus::Green
        } else {
            previous.unwrap_or(CheckStatus::Green)
        };
        self.status = Some(current);
        let alert = match previous {
            None => current == CheckStatus::Red,
            Some(p) => p != current,
        };
        Transition {
            previous,
            current,
            alert,
        }
    }
}

/// The version written into state files.
pub const STATE_VERSION: u32 = 1;

/// Every check's state, by check name: the content of a `--state` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorState {
    /// Always [`STATE_VERSION`].
    pub version: u32,
    /// Each check's state.
    pub checks: BTreeMap<String, CheckState>,
}

impl Default for MonitorState {
    fn default() -> Self {
        MonitorState {
            version: STATE_VERSION,
            checks: BTreeMap::new(),
        }
    }
}

/// Why a state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but cannot be read.
    #[error("cannot read state file {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file is not a monitor state file (bad JSON, wrong shape, unknown version).
    #[error("state file {path} is not usable monitor state: {message}; repair it or delete it to start afresh")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its place in the file.
        message: String,
    },
    /// The file cannot be written.
    #[error("cannot write state file {path}: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl MonitorState {
    /// Reads a state file; `Ok(None)` when there is no file yet. Fails when the file cannot
    /// be read or does not hold monitor state (an empty file included) — it is never
    /// silently replaced by a fresh state.
    pub fn load(path: &Path) -> Result<Option<MonitorState>, StateError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StateError::Read {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })
            }
        };
        let corrupt = |message: String| StateError::Corrupt {
            path: path.to_path_buf(),
            message,
        };
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let state: MonitorState = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let at = e.path().to_string();
            let inner = e.into_inner();
            if at == "." || at.is_empty() {
                corrupt(inner.to_string())
            } else {
                corrupt(format!("at {at}: {inner}"))
            }
        })?;
        de.end().map_err(|e| corrupt(e.to_string()))?;
        if state.version != STATE_VERSION {
            return Err(corrupt(format!(
                "version {} is not the supported version {STATE_VERSION}",
                state.version
            )));
        }
        Ok(Some(state))
    }

    /// Writes the state atomically: a temporary file in the same folder, flushed to disk,
    /// then renamed over `path`, so a crash leaves either the old or the new state.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let werr = |message: String| StateError::Write {
            path: path.to_path_buf(),
            message,
        };
        let text = serde_json::to_vec_pretty(self).map_err(|e| werr(e.to_string()))?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".webrunner-state-")
            .tempfile_in(dir)
            .map_err(|e| werr(e.to_string()))?;
        tmp.write_all(&text).map_err(|e| werr(e.to_string()))?;
        tmp.write_all(b"\n").map_err(|e| werr(e.to_string()))?;
        tmp.as_file().sync_all().map_err(|e| werr(e.to_string()))?;
        tmp.persist(path).map_err(|e| werr(e.error.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;

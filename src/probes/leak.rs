//! The memory-leak probe (SPEC §8): repeat an action and watch what the page keeps. Before
//! every sample the probe forces garbage collection (`HeapProfiler.collectGarbage`), then
//! reads the JS heap (`Performance.getMetrics`, `JSHeapUsedSize`) and the live DOM nodes,
//! documents and event listeners (`Memory.getDOMCounters`, else `Performance.getMetrics`),
//! all through raw CDP calls — never `performance.memory`, so a page without it is measured
//! the same. (`Memory.getDOMCountersForLeakDetection` is not used: it crashes the renderer of
//! a release Chromium.) A least squares line through the samples gives each quantity's growth
//! per iteration and the heap's R². The heap and the counters are those of the tab's renderer
//! process (a tab of its own browser context shares it with no other tab).
//!
//! A page is **leaking** when either
//! - its heap grows by more than the budget per iteration ([`DEFAULT_BUDGET_BYTES`], 100 KiB,
//!   when none is given) along a line that fits (R² at least [`MIN_HEAP_R2`]: a steady climb,
//!   not one jump or garbage-collection noise), or
//! - its DOM nodes, documents or event listeners grow steadily: at least
//!   [`MIN_COUNT_PER_ITER`] more per iteration with R² at least [`MIN_COUNT_R2`].

use std::fmt::Display;
use std::time::Instant;

use serde::Serialize;
use serde_json::{json, Value};

use crate::browser::{BrowserError, Session};

/// The heap growth per iteration (bytes) above which a page leaks when no budget is given.
pub const DEFAULT_BUDGET_BYTES: u64 = 100 * 1024;
/// The least R² of the heap's line for its slope to count as a leak.
pub const MIN_HEAP_R2: f64 = 0.6;
/// The least growth per iteration of DOM nodes, documents or listeners that counts as a leak.
pub const MIN_COUNT_PER_ITER: f64 = 0.5;
/// The least R² of a counter's line for its growth to count as a leak.
pub const MIN_COUNT_R2: f64 = 0.9;

/// One measurement, taken after forced garbage collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// 0 is the baseline after the warm-up rounds; k is after the k-th measured iteration.
    pub iteration: usize,
    /// The JS heap in use (`JSHeapUsedSize`).
    pub used_heap_bytes: u64,
    /// Live DOM nodes.
    pub nodes: u64,
    /// Live documents.
    pub documents: u64,
    /// JS event listeners.
    pub listeners: u64,
}

/// What the probe found; see the module documentation for when it is `leaking`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakReport {
    /// The baseline, then one sample per iteration.
    pub samples: Vec<Sample>,
    /// Least squares heap growth per iteration.
    pub slope_bytes_per_iter: f64,
    /// The last sample's heap minus the baseline's.
    pub delta_bytes: i64,
    /// Least squares growth of DOM nodes per iteration.
    pub nodes_per_iter: f64,
    /// Least squares growth of documents per iteration.
    pub documents_per_iter: f64,
    /// Least squares growth of event listeners per iteration.
    pub listeners_per_iter: f64,
    /// R² of the heap's line (0 when the heap did not change at all).
    pub r_squared: f64,
    /// Whether the page leaks.
    pub leaking: bool,
    /// Why it leaks (empty when it does not).
    pub reasons: Vec<String>,
    /// The heap budget per iteration that applied.
    pub budget_bytes: u64,
    /// Measured iterations.
    pub iterations: usize,
    /// Warm-up rounds run before the baseline.
    pub warmup: usize,
    /// Where the heap figure came from (always a CDP call).
    pub heap_source: String,
    /// Where the node, document and listener counts came from.
    pub counters_source: String,
    /// Wall time per round (warm-up and measured), action and sampling included.
    pub ms_per_iteration: f64,
}

/// A slope over the budget, or DOM objects that pile up: the page leaks.
#[derive(Debug, Clone, thiserror::Error)]
#[error("memory leak: {}", .report.reasons.join("; "))]
pub struct MemoryLeakError {
    /// The full report.
    pub report: Box<LeakReport>,
}

/// Why [`detect_growth`] gives no clean report.
#[derive(Debug, thiserror::Error)]
pub enum LeakError {
    /// Fewer than 2 iterations: no growth can be measured.
    #[error("the leak probe needs at least 2 iterations, got {0}")]
    TooFewIterations(usize),
    /// The action failed in round `round` (1-based, warm-up rounds first).
    #[error("the action failed in round {round}: {message}")]
    Action {
        /// The round.
        round: usize,
        /// The action's error.
        message: String,
    },
    /// A measurement failed.
    #[error("cannot measure memory: {0}")]
    Browser(#[from] BrowserError),
    /// The page leaks.
    #[error(transparent)]
    Leak(#[from] MemoryLeakError),
}

/// A least squares line through `ys` at x = 0, 1, 2…
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Growth per step.
    pub slope: f64,
    /// Coefficient of determination; 0 when the values do not vary.
    pub r_squared: f64,
}

/// Fits a line through `ys` (at x = 0, 1, 2…) by least squares.
pub fn fit(ys: &[f64]) -> Fit {
    let n = ys.len() as f64;
    if ys.len() < 2 {
        return Fit {
            slope: 0.0,
            r_squared: 0.0,
        };
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mean_x;
        let dy = y - mean_y;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    let slope = sxy / sxx;
    let r_squared = if syy > 0.0 {
        ((sxy * sxy) / (sxx * syy)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Fit { slope, r_squared }
}

impl LeakReport {
    /// The report of `samples` (baseline first) under `budget_bytes`; the timing and source
    /// fields are left for the caller.
    pub fn from_samples(samples: Vec<Sample>, budget_bytes: u64, warmup: usize) -> LeakReport {
        let series =
            |f: fn(&Sample) -> u64| -> Vec<f64> { samples.iter().map(|s| f(s) as f64).collect() };
        let heap = fit(&series(|s| s.used_heap_bytes));
        let nodes = fit(&series(|s| s.nodes));
        let documents = fit(&series(|s| s.documents));
        let listeners = fit(&series(|s| s.listeners));
        let delta_bytes = match (samples.first(), samples.last()) {
            (Some(a), Some(b)) => b.used_heap_bytes as i64 - a.used_heap_bytes as i64,
            _ => 0,
        };
        let mut reasons = Vec::new();
        if heap.slope > budget_bytes as f64 && heap.r_squared >= MIN_HEAP_R2 {
            reasons.push(format!(
                "the JS heap grows by {:.0} bytes per iteration (budget {budget_bytes}, R² {:.2})",
                heap.slope, heap.r_squared
            ));
        }
        for (what, f) in [
            ("DOM nodes", nodes),
            ("documents", documents),
            ("event listeners", listeners),
        ] {
            if f.slope >= MIN_COUNT_PER_ITER && f.r_squared >= MIN_COUNT_R2 {
                reasons.push(format!(
                    "{what} grow by {:.1} per iteration (R² {:.2})",
                    f.slope, f.r_squared
                ));
            }
        }
        LeakReport {
            iterations: samples.len().saturating_sub(1),
            samples,
            slope_bytes_per_iter: heap.slope,
            delta_bytes,
            nodes_per_iter: nodes.slope,
            documents_per_iter: documents.slope,
            listeners_per_iter: listeners.slope,
            r_squared: heap.r_squared,
            leaking: !reasons.is_empty(),
            reasons,
            budget_bytes,
            warmup,
            heap_source: "Performance.getMetrics".into(),
            counters_source: String::new(),
            ms_per_iteration: 0.0,
        }
    }
}

/// Runs `action` `warmup` times, takes a baseline sample, then runs it `iterations` times
/// with a sample after each, and returns the report — or [`LeakError::Leak`] holding it when
/// the page leaks (a heap slope over `budget` bytes per iteration, [`DEFAULT_BUDGET_BYTES`]
/// when `None`, or DOM objects that pile up; see the module documentation). Fewer than 2
/// iterations is an error, and so is a failed action.
pub async fn detect_growth<E: Display>(
    session: &Session,
    mut action: impl AsyncFnMut() -> Result<(), E>,
    iterations: usize,
    warmup: usize,
    budget: Option<u64>,
) -> Result<LeakReport, LeakError> {
    if iterations < 2 {
        return Err(LeakError::TooFewIterations(iterations));
    }
    let started = Instant::now();
    session.cdp("Performance.enable", json!({})).await?;
    let mut sampler = Sampler::default();
    let sampled = rounds(session, &mut action, &mut sampler, iterations, warmup).await;
    // The metrics domain goes back off whatever happened.
    let _ = session.cdp("Performance.disable", json!({})).await;
    let samples = sampled?;
    let mut report =
        LeakReport::from_samples(samples, budget.unwrap_or(DEFAULT_BUDGET_BYTES), warmup);
    report.counters_source = sampler.source.name().into();
    report.ms_per_iteration =
        started.elapsed().as_secs_f64() * 1000.0 / (warmup + iterations) as f64;
    if report.leaking {
        return Err(MemoryLeakError {
            report: Box::new(report),
        }
        .into());
    }
    Ok(report)
}

/// The warm-up rounds, the baseline sample, then a round and a sample per iteration.
async fn rounds<E: Display>(
    session: &Session,
    action: &mut impl AsyncFnMut() -> Result<(), E>,
    sampler: &mut Sampler,
    iterations: usize,
    warmup: usize,
) -> Result<Vec<Sample>, LeakError> {
    let mut samples = Vec::with_capacity(iterations + 1);
    for round in 1..=warmup + iterations {
        if round == warmup + 1 {
            samples.push(sampler.sample(session, 0).await?);
        }
        action().await.map_err(|e| LeakError::Action {
            round,
            message: e.to_string(),
        })?;
        if round > warmup {
            samples.push(sampler.sample(session, round - warmup).await?);
        }
    }
    Ok(samples)
}

/// Where the counts come from: the best method the browser answers, found at the first
/// sample and kept.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Counters {
    #[default]
    DomCounters,
    Metrics,
}

impl Counters {
    fn name(self) -> &'static str {
        match self {
            Counters::DomCounters => "Memory.getDOMCounters",
            Counters::Metrics => "Performance.getMetrics",
        }
    }
}

#[derive(Default)]
struct Sampler {
    source: Counters,
    /// Whether the first sample fixed the source.
    checked: bool,
}

/// The counts of one sample: nodes, documents, listeners.
type Counts = (u64, u64, u64);

impl Sampler {
    async fn sample(
        &mut self,
        session: &Session,
        iteration: usize,
    ) -> Result<Sample, BrowserError> {
        session
            .cdp("HeapProfiler.collectGarbage", json!({}))
            .await?;
        let counted = match self.source {
            Counters::Metrics => None,
            s => match session
                .cdp(s.name(), json!({}))
                .await
                .map(|v| counts(s, &v))
            {
                Ok(Some(c)) => Some(c),
                // Not in this browser, or an answer of another shape: fall back at the
                // baseline; later, never mix sources within one series.
                Ok(None) | Err(BrowserError::Cdp(_)) if !self.checked => {
                    self.source = Counters::Metrics;
                    None
                }
                Ok(None) => {
                    return Err(BrowserError::Cdp(format!("{}: no counts", s.name())));
                }
                Err(e) => return Err(e),
            },
        };
        self.checked = true;
        let metrics = session.cdp("Performance.getMetrics", json!({})).await?;
        let metric = |name: &str| -> Option<u64> {
            metrics["metrics"]
                .as_array()?
                .iter()
                .find(|m| m["name"] == name)?["value"]
                .as_f64()
                .map(|v| v.max(0.0) as u64)
        };
        let used_heap_bytes = metric("JSHeapUsedSize").ok_or_else(|| {
            BrowserError::Cdp("Performance.getMetrics gave no JSHeapUsedSize".into())
        })?;
        let (nodes, documents, listeners) = counted.unwrap_or((
            metric("Nodes").unwrap_or(0),
            metric("Documents").unwrap_or(0),
            metric("JSEventListeners").unwrap_or(0),
        ));
        Ok(Sample {
            iteration,
            used_heap_bytes,
            nodes,
            documents,
            listeners,
        })
    }
}

/// The counts in the answer of `source`, when it has them.
fn counts(source: Counters, v: &Value) -> Option<Counts> {
    let n = |v: &Value| v.as_u64();
    match source {
        Counters::DomCounters => Some((
            n(&v["nodes"])?,
            n(&v["documents"])?,
            n(&v["jsEventListeners"])?,
        )),
        Counters::Metrics => None,
    }
}

#[cfg(test)]
mod tests;

//! The diff result types and the comparison of two [`HarIndex`]es.

use serde::{Deserialize, Serialize};

use crate::error::{HarDiffError, HarShapeProblem};
use crate::index::{HarIndex, Key, Occurrence};
use crate::options::{DiffOptions, MatchMode};

/// A request present on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStatus {
    /// Upper-cased method (`""` when the entry has none).
    pub method: String,
    /// URL as compared (normalised when URL options are set).
    pub url: String,
    /// Response status (0 when absent or not an integer).
    pub status: i64,
    /// 1-based occurrence of the key in its file (multiset match only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<usize>,
}

/// A request present on both sides with a different status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Upper-cased method.
    pub method: String,
    /// URL as compared.
    pub url: String,
    /// Status on the left.
    pub left_status: i64,
    /// Status on the right.
    pub right_status: i64,
    /// 1-based occurrence of the key (multiset match only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<usize>,
}

/// The seed's result: `{"added": [...], "removed": [...], "changed": [...]}`.
///
/// `added` follows the right file's order of first appearance, `removed` and `changed` the
/// left file's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarDiff {
    /// Requests only on the right.
    pub added: Vec<RequestStatus>,
    /// Requests only on the left.
    pub removed: Vec<RequestStatus>,
    /// Requests on both sides whose status differs.
    pub changed: Vec<StatusChange>,
}

impl HarDiff {
    /// True when nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// A paired request that got slower by more than the timing threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingChange {
    /// Upper-cased method.
    pub method: String,
    /// URL as compared.
    pub url: String,
    /// Total time on the left, ms.
    pub left_time_ms: Option<f64>,
    /// Total time on the right, ms.
    pub right_time_ms: Option<f64>,
    /// `timings.wait` on the left, ms.
    pub left_wait_ms: Option<f64>,
    /// `timings.wait` on the right, ms.
    pub right_wait_ms: Option<f64>,
    /// Largest growth of the two, in percent (one decimal).
    pub growth_pct: f64,
    /// 1-based occurrence of the key (multiset match only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<usize>,
}

/// A paired request whose response size changed by more than the size threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeChange {
    /// Upper-cased method.
    pub method: String,
    /// URL as compared.
    pub url: String,
    /// Response size on the left, bytes.
    pub left_size: f64,
    /// Response size on the right, bytes.
    pub right_size: f64,
    /// Change in percent of the left size (one decimal); `None` when the left size is 0.
    pub change_pct: Option<f64>,
    /// 1-based occurrence of the key (multiset match only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<usize>,
}

/// Counts about one side, for summaries (not serialised).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideSummary {
    /// The file path (or `left` / `right`).
    pub source_name: String,
    /// Elements of `log.entries`.
    pub entries: usize,
    /// Entries skipped for having neither method nor URL.
    pub skipped: usize,
    /// Distinct (METHOD, url) keys.
    pub keys: usize,
}

/// The result of a diff with [`DiffOptions`]: the seed's three lists, plus `slower` and
/// `resized` when their thresholds are set. With default options it serialises exactly as
/// [`HarDiff`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiffReport {
    /// Added, removed and status-changed requests.
    #[serde(flatten)]
    pub diff: HarDiff,
    /// Requests slower by more than the timing threshold (present when one is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slower: Option<Vec<TimingChange>>,
    /// Requests whose size changed by more than the size threshold (present when one is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resized: Option<Vec<SizeChange>>,
    /// The left side's counts.
    #[serde(skip)]
    pub left: SideSummary,
    /// The right side's counts.
    #[serde(skip)]
    pub right: SideSummary,
}

impl DiffReport {
    /// True when any list (added, removed, changed, slower, resized) is non-empty.
    pub fn has_changes(&self) -> bool {
        !self.diff.is_empty()
            || self.slower.as_ref().is_some_and(|v| !v.is_empty())
            || self.resized.as_ref().is_some_and(|v| !v.is_empty())
    }
}

/// Compares two indexes.
///
/// # Errors
/// [`HarDiffError::NotHar`] when a compared entry's `response` is neither an object nor
/// empty (the seed fails on it too, in the same order: right-only, left-only, then common).
pub fn diff_indexes(
    left: &HarIndex,
    right: &HarIndex,
    options: &DiffOptions,
) -> Result<DiffReport, HarDiffError> {
    let pairs = match options.match_mode {
        MatchMode::Key => key_pairs(left, right)?,
        MatchMode::Multiset => multiset_pairs(left, right)?,
    };
    let mut report = DiffReport {
        diff: HarDiff {
            added: pairs.added,
            removed: pairs.removed,
            changed: Vec::new(),
        },
        slower: options.timing_threshold_pct.map(|_| Vec::new()),
        resized: options.size_threshold_pct.map(|_| Vec::new()),
        left: summary(left),
        right: summary(right),
    };
    for pair in &pairs.common {
        let (l, r) = (pair.left, pair.right);
        if pair.left_status != pair.right_status {
            report.diff.changed.push(StatusChange {
                method: pair.key.method().to_owned(),
                url: pair.key.url().to_owned(),
                left_status: pair.left_status,
                right_status: pair.right_status,
                occurrence: pair.occurrence,
            });
        }
        if let (Some(list), Some(threshold)) = (&mut report.slower, options.timing_threshold_pct) {
            let growth = [growth_pct(l.time, r.time), growth_pct(l.wait, r.wait)]
                .into_iter()
                .flatten()
                .fold(None, |max: Option<f64>, g| {
                    Some(max.map_or(g, |m| m.max(g)))
                });
            if let Some(growth) = growth.filter(|g| *g > threshold) {
                list.push(TimingChange {
                    method: pair.key.method().to_owned(),
                    url: pair.key.url().to_owned(),
                    left_time_ms: l.time,
                    right_time_ms: r.time,
                    left_wait_ms: l.wait,
                    right_wait_ms: r.wait,
                    growth_pct: round1(growth),
                    occurrence: pair.occurrence,
                });
            }
        }
        if let (Some(list), Some(threshold)) = (&mut report.resized, options.size_threshold_pct) {
            if let (Some(ls), Some(rs)) = (l.size, r.size) {
                let change = (ls > 0.0).then(|| (rs - ls).abs() / ls * 100.0);
                let over = match change {
                    Some(pct) => pct > threshold,
                    None => rs != ls,
                };
                if over {
                    list.push(SizeChange {
                        method: pair.key.method().to_owned(),
                        url: pair.key.url().to_owned(),
                        left_size: ls,
                        right_size: rs,
                        change_pct: change.map(|c| round1(if rs < ls { -c } else { c })),
                        occurrence: pair.occurrence,
                    });
                }
            }
        }
    }
    Ok(report)
}

fn summary(index: &HarIndex) -> SideSummary {
    SideSummary {
        source_name: index.source_name.clone(),
        entries: index.entries,
        skipped: index.skipped,
        keys: index.table.len(),
    }
}

/// Growth from `left` to `right` in percent; `None` unless both are known and `left > 0`.
fn growth_pct(left: Option<f64>, right: Option<f64>) -> Option<f64> {
    match (left, right) {
        (Some(l), Some(r)) if l > 0.0 && r >= 0.0 => Some((r - l) / l * 100.0),
        _ => None,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A left and a right occurrence paired for comparison.
struct Pair<'a> {
    key: &'a Key,
    left: &'a Occurrence,
    right: &'a Occurrence,
    left_status: i64,
    right_status: i64,
    occurrence: Option<usize>,
}

struct Pairs<'a> {
    added: Vec<RequestStatus>,
    removed: Vec<RequestStatus>,
    /// In the left file's order.
    common: Vec<Pair<'a>>,
}

/// The status of an occurrence, or the seed's failure on a `response` that is not an object.
fn status_of(index: &HarIndex, occurrence: &Occurrence) -> Result<i64, HarDiffError> {
    occurrence.status.map_err(|found| HarDiffError::NotHar {
        source_name: index.source_name.clone(),
        problem: HarShapeProblem::ResponseNotObject {
            index: occurrence.position,
            found,
        },
    })
}

fn one_sided(
    index: &HarIndex,
    key: &Key,
    occurrence: &Occurrence,
    nth: Option<usize>,
) -> Result<RequestStatus, HarDiffError> {
    Ok(RequestStatus {
        method: key.method().to_owned(),
        url: key.url().to_owned(),
        status: status_of(index, occurrence)?,
        occurrence: nth,
    })
}

/// For each left key (in order), the index of the same key in the right table.
fn match_keys(left: &HarIndex, right: &HarIndex) -> (Vec<Option<usize>>, Vec<bool>) {
    let mut right_matched = vec![false; right.table.len()];
    let left_to_right = left
        .table
        .keys()
        .map(|key| {
            let found = right.table.get_index_of(key);
            if let Some(j) = found {
                right_matched[j] = true;
            }
            found
        })
        .collect();
    (left_to_right, right_matched)
}

/// Seed pairing: one (the last) occurrence per key.
fn key_pairs<'a>(left: &'a HarIndex, right: &'a HarIndex) -> Result<Pairs<'a>, HarDiffError> {
    let (left_to_right, right_matched) = match_keys(left, right);
    let mut pairs = Pairs {
        added: Vec::new(),
        removed: Vec::new(),
        common: Vec::new(),
    };
    for ((key, occurrences), matched) in right.table.iter().zip(&right_matched) {
        if !matched {
            pairs
                .added
                .push(one_sided(right, key, occurrences.last(), None)?);
        }
    }
    for ((key, occurrences), found) in left.table.iter().zip(&left_to_right) {
        if found.is_none() {
            pairs
                .removed
                .push(one_sided(left, key, occurrences.last(), None)?);
        }
    }
    for ((key, occurrences), found) in left.table.iter().zip(&left_to_right) {
        let Some((_, right_occurrences)) = found.and_then(|j| right.table.get_index(j)) else {
            continue;
        };
        let (l, r) = (occurrences.last(), right_occurrences.last());
        pairs.common.push(Pair {
            key,
            left: l,
            right: r,
            left_status: status_of(left, l)?,
            right_status: status_of(right, r)?,
            occurrence: None,
        });
    }
    Ok(pairs)
}

/// Multiset pairing: the n-th occurrence of a key on the left with the n-th on the right.
/// Unpaired occurrences are added/removed; every list follows its file's entry order.
fn multiset_pairs<'a>(left: &'a HarIndex, right: &'a HarIndex) -> Result<Pairs<'a>, HarDiffError> {
    let (left_to_right, _) = match_keys(left, right);
    // For each right key, how many of its occurrences pair with left ones.
    let mut left_count = vec![0; right.table.len()];
    for ((_, occurrences), found) in left.table.iter().zip(&left_to_right) {
        if let Some(count) = found.and_then(|j| left_count.get_mut(j)) {
            *count = occurrences.len();
        }
    }
    let mut added: Vec<(usize, RequestStatus)> = Vec::new();
    let mut removed: Vec<(usize, RequestStatus)> = Vec::new();
    let mut common: Vec<Pair<'a>> = Vec::new();
    for ((key, right_occurrences), paired) in right.table.iter().zip(&left_count) {
        for (n, occurrence) in right_occurrences.iter().enumerate().skip(*paired) {
            let item = one_sided(right, key, occurrence, Some(n + 1))?;
            added.push((occurrence.position, item));
        }
    }
    for ((key, left_occurrences), found) in left.table.iter().zip(&left_to_right) {
        let right_occurrences = found.and_then(|j| right.table.get_index(j)).map(|(_, o)| o);
        for (n, l) in left_occurrences.iter().enumerate() {
            match right_occurrences.and_then(|o| o.get(n)) {
                None => removed.push((l.position, one_sided(left, key, l, Some(n + 1))?)),
                Some(r) => common.push(Pair {
                    key,
                    left: l,
                    right: r,
                    left_status: status_of(left, l)?,
                    right_status: status_of(right, r)?,
                    occurrence: Some(n + 1),
                }),
            }
        }
    }
    added.sort_by_key(|(position, _)| *position);
    removed.sort_by_key(|(position, _)| *position);
    common.sort_by_key(|pair| pair.left.position);
    Ok(Pairs {
        added: added.into_iter().map(|(_, item)| item).collect(),
        removed: removed.into_iter().map(|(_, item)| item).collect(),
        common,
    })
}

//! Options of the extended diff modes. `DiffOptions::default()` is the seed behaviour.

/// How entries of the two files are paired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MatchMode {
    /// One entry per (METHOD, url) key, the later entry wins (the seed behaviour).
    #[default]
    Key,
    /// Every entry counts: the n-th occurrence of a key on the left is paired with the n-th on
    /// the right, so a repeated request that disappeared (or appeared) is reported.
    Multiset,
}

/// Options for [`crate::diff_har_files_with`] and [`crate::diff_har_with`].
///
/// The default reproduces the seed exactly: key match, URLs compared verbatim, no timing or
/// size comparison, JSONP rejected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffOptions {
    /// How entries are paired.
    pub match_mode: MatchMode,
    /// Query parameters removed from URLs before comparing (exact, case-sensitive names,
    /// compared after percent-decoding). `*` removes the whole query string.
    pub ignore_query: Vec<String>,
    /// Compare URLs without scheme, host and port (`https://a.example/x?q` → `/x?q`), e.g.
    /// staging against production.
    pub ignore_host: bool,
    /// Report paired requests whose total time or `timings.wait` grew by more than this many
    /// percent. Only compared when the left value is greater than zero.
    pub timing_threshold_pct: Option<f64>,
    /// Report paired requests whose response size changed by more than this many percent
    /// (either way; `0` reports any change). The size is `response.content.size`, or
    /// `response.bodySize` when the content size is absent or negative.
    pub size_threshold_pct: Option<f64>,
    /// Accept JSONP-wrapped documents (`callback({...});`) by unwrapping them.
    pub allow_jsonp: bool,
}

impl DiffOptions {
    /// True when URLs are rewritten before keying.
    pub(crate) fn normalises_urls(&self) -> bool {
        self.ignore_host || !self.ignore_query.is_empty()
    }

    /// True when entries' timings and sizes are compared (and so must be read).
    pub(crate) fn wants_metrics(&self) -> bool {
        self.timing_threshold_pct.is_some() || self.size_threshold_pct.is_some()
    }
}

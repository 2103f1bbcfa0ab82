//! Browser-side probes (SPEC §8): measurements a test takes from inside the page — the
//! memory-leak probe ([`leak::detect_growth`]) and the Content-Security-Policy violation
//! collector ([`csp::CspViolationCollector`]) and the trace recorder
//! ([`trace::TraceRecorder`]).

pub mod csp;
pub mod leak;
pub mod trace;

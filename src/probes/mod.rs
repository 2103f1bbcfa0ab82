//! Browser-side probes: the Content-Security-Policy violation collector.

pub mod csp;

//! Browser-side probes (SPEC §8): measurements a test takes from inside the page, such as
//! [`leak::detect_growth`], the memory-leak probe.

pub mod leak;

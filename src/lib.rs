//! webrunner: run JSON web-automation flows in a real headless Chromium and make every run
//! observable — records, failure screenshots, retries, spans, reports and triage tools.
#![forbid(unsafe_code)]

pub use webrunner_record::{Artifacts, Record, RunObserver, Status, Summary};

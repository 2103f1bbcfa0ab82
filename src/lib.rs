//! webrunner: run JSON web-automation flows in a real headless Chromium and make every run
//! observable — records, failure screenshots, retries, spans, reports and triage tools.
#![forbid(unsafe_code)]

pub mod action;
pub mod browser;
pub mod commands;
pub mod demo;
pub mod executor;
pub mod run;

pub use action::{load_flow, parse_flow, Action, Flow, FlowError};
pub use executor::{ActionError, CommandRegistry, Context, Executor};
pub use webrunner_record::{Artifacts, Record, RunObserver, Status, Summary};

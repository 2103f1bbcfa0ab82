//! The Python WebRunner's command vocabulary against real pages of the demo site in a real
//! Chromium: test objects, browser choice and time-outs, reports and Python builtins, waits,
//! page commands and web storage, each in positional and keyword form under the Python
//! parameter names, with the errors of bad calls.

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod pages;

use std::time::Duration;

use base64::Engine as _;
use common::{executor, rt, site};
use serde_json::json;
use webrunner::{parse_flow, Executor, Record, Settings, Status};

async fn run(ex: &mut Executor, flow: &str) -> Vec<Record> {
    let base = site().await.base_url();
    let flow = parse_flow("test", &flow.replace("{base}", &base)).expect("flow parses");
    ex.run_flow(&flow).await.to_vec()
}

/// An executor whose actions may take up to 30 s: the machine running the tests is shared
/// and busy, and the executor cuts an action at its time-out (what a test proves never
/// depends on it).
async fn roomy_executor() -> Executor {
    let mut ex = executor().await;
    ex.set_settings(roomy());
    ex
}

fn roomy() -> Settings {
    Settings {
        action_timeout: Duration::from_secs(30),
        ..Settings::default()
    }
}

fn passed(records: &[Record], indices: &[usize]) {
    for &i in indices {
        let r = &records[i];
        assert_eq!(
            r.status,
            Status::Passed,
            "#{i} {} failed: {:?}",
            r.command,
            r.error
        );
    }
}

fn error(records: &[Record], i: usize) -> String {
    let r = &records[i];
    assert_eq!(
        r.status,
        Status::Failed,
        "#{i} {} passed: {:?}",
        r.command,
        r.result
    );
    r.error.clone().unwrap_or_default()
}

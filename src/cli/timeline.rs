//! `webrunner timeline --spans F --console F --responses F`: merges spans, console messages
//! and responses (SPEC §6) and prints the event list as JSON, as the Python WebRunner's
//! `build` would give it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;
use webrunner::timeline;

use crate::cli::EXIT_OK;

/// Arguments of `webrunner timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// JSON list of spans `{name, start_ms|start, end_ms|end, attrs}`.
    #[arg(long, value_name = "FILE")]
    pub spans: Option<PathBuf>,
    /// JSON list of console messages `{type, text, location, timestamp_ms|ts}`.
    #[arg(long, value_name = "FILE")]
    pub console: Option<PathBuf>,
    /// JSON list of responses `{method, status, url, ok, timestamp_ms|ts}`.
    #[arg(long, value_name = "FILE")]
    pub responses: Option<PathBuf>,
}

/// Reads one source file as JSON.
fn read(flag: &str, path: Option<&Path>) -> anyhow::Result<Option<Value>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read(path).with_context(|| format!("--{flag} {}", path.display()))?;
    let value = serde_json::from_slice(&text)
        .with_context(|| format!("--{flag} {}: not valid JSON", path.display()))?;
    Ok(Some(value))
}

/// Runs `webrunner timeline`.
pub fn execute(args: TimelineArgs) -> anyhow::Result<u8> {
    let spans = read("spans", args.spans.as_deref())?;
    let console = read("console", args.console.as_deref())?;
    let responses = read("responses", args.responses.as_deref())?;
    let events =
        timeline::build(spans.as_ref(), console.as_ref(), responses.as_ref()).map_err(|e| {
            let file = |flag: &str, p: &Option<PathBuf>| {
                p.as_ref()
                    .map(|p| format!("--{flag} {}", p.display()))
                    .unwrap_or_default()
            };
            let path = match e.source_name {
                "spans" => file("spans", &args.spans),
                "console" => file("console", &args.console),
                _ => file("responses", &args.responses),
            };
            anyhow::anyhow!("{path}: {e}")
        })?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", timeline::to_json(&events))?;
    Ok(EXIT_OK)
}

//! `webrunner check FLOW...`: validates flows without a browser (unknown commands, unknown
//! or missing parameters, wrong types, numbers out of range), each finding with its file,
//! line and action index; `run` and `monitor` make the same check before they start.

use std::path::PathBuf;

use clap::Args;
use webrunner::executor::Finding;
use webrunner::{load_flow, CommandRegistry, Flow};

use super::Format;

/// Arguments of `webrunner check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Flow files to check.
    #[arg(required = true)]
    pub flows: Vec<PathBuf>,
    /// `text` (one line per finding) or `json` (a list of findings).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the subcommand: exit 0 when every flow is sound, 1 when a flow has findings, 2 when
/// a file is not a flow.
pub fn execute(args: CheckArgs) -> anyhow::Result<u8> {
    let registry = CommandRegistry::with_builtins();
    let mut findings = Vec::new();
    let mut actions = 0;
    for path in &args.flows {
        let flow = load_flow(path)?;
        actions += flow.actions.len();
        findings.extend(registry.check_flow(&flow));
    }
    match args.format {
        Format::Json => {
            let list: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "flow": f.flow, "line": f.line, "index": f.index,
                        "command": f.command, "message": f.message,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        Format::Text => {
            for f in &findings {
                println!(
                    "{}",
                    webrunner::terminal::escape_for_terminal(&f.to_string())
                );
            }
            let files = args.flows.len();
            println!(
                "{} in {files} flow{} ({actions} actions)",
                match findings.len() {
                    0 => "no problems".to_string(),
                    1 => "1 problem".to_string(),
                    n => format!("{n} problems"),
                },
                if files == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if findings.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_FAILED
    })
}

/// The check `run` and `monitor` make before they start: a number out of range refuses the
/// run (the error is that finding); other findings are printed as warnings and fail just
/// their action when it runs.
pub fn before_run(flows: &[Flow]) -> anyhow::Result<()> {
    let registry = CommandRegistry::with_builtins();
    let findings: Vec<Finding> = flows.iter().flat_map(|f| registry.check_flow(f)).collect();
    if let Some(f) = findings.iter().find(|f| f.refuses) {
        anyhow::bail!("{f}");
    }
    for f in &findings {
        eprintln!(
            "warning: {}",
            webrunner::terminal::escape_for_terminal(&f.to_string())
        );
    }
    Ok(())
}

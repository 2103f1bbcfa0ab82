//! `run --bundle-on-failure` as a sink: for every action that failed (after all its
//! attempts), `bundles/<flow>-<index>-<command>.zip` in the output folder with the failure's
//! screenshot and DOM, its flow's console and network up to it, the timeline, the flow file
//! and the run's records so far (see [`crate::failure`]). Written beside the run, never
//! delaying it.

use std::collections::HashMap;
use std::path::PathBuf;

use webrunner_record::{Evidence, Record, RunEvent, RunSink, SinkError};

use crate::action::Flow;
use crate::failure::{bundle_path, failure_bundle, FailureInput};

/// A flow as the bundles need it: its file and its text.
struct FlowSource {
    file: Option<PathBuf>,
    text: String,
}

/// Writes a bundle per failed action; see the module documentation.
pub struct BundleSink {
    dir: PathBuf,
    base: PathBuf,
    flows: HashMap<String, FlowSource>,
    records: Vec<Record>,
    /// Where the running flow's records start in `records`.
    flow_start: usize,
    /// The running flow's evidence up to its last failure.
    evidence: Evidence,
    written: Vec<PathBuf>,
}

impl BundleSink {
    /// A sink writing into `dir` (created when the first bundle is written) the bundles of
    /// `flows`; relative artifact paths in records are read against the working folder.
    pub fn new(dir: PathBuf, flows: &[Flow]) -> BundleSink {
        let flows = flows
            .iter()
            .map(|f| {
                let text = f
                    .path
                    .as_ref()
                    .and_then(|p| std::fs::read_to_string(p).ok())
                    .unwrap_or_else(|| flow_json(f));
                let source = FlowSource {
                    file: f.path.clone(),
                    text,
                };
                (f.name.clone(), source)
            })
            .collect();
        BundleSink {
            dir,
            base: std::env::current_dir().unwrap_or_default(),
            flows,
            records: Vec::new(),
            flow_start: 0,
            evidence: Evidence::default(),
            written: Vec::new(),
        }
    }

    fn write(&mut self, failed: &Record) -> Result<(), SinkError> {
        let source = failed.flow.as_ref().and_then(|f| self.flows.get(f));
        let input = FailureInput {
            failed,
            flow_records: &self.records[self.flow_start..],
            run_records: &self.records,
            evidence: &self.evidence,
            flow_text: source.map(|s| s.text.clone()),
            flow_file: source.and_then(|s| s.file.as_deref()),
            base: &self.base,
            screenshots: None,
        };
        let bundle = failure_bundle(&input)?;
        match std::fs::symlink_metadata(&self.dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a symlink; webrunner does not write through one",
                    self.dir.display()
                )
                .into())
            }
            _ => std::fs::create_dir_all(&self.dir)?,
        }
        let path = bundle_path(&self.dir, failed);
        bundle.write(&path)?;
        self.written.push(path);
        Ok(())
    }
}

/// A flow's actions as the JSON list a flow file holds.
fn flow_json(flow: &Flow) -> String {
    let actions: Vec<serde_json::Value> = flow
        .actions
        .iter()
        .map(|a| serde_json::json!([a.command, a.args, a.kwargs]))
        .collect();
    serde_json::to_string_pretty(&actions).unwrap_or_else(|_| "[]".into())
}

impl RunSink for BundleSink {
    fn name(&self) -> String {
        self.dir.display().to_string()
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        match event {
            RunEvent::FlowStarted { .. } => {
                self.flow_start = self.records.len();
                self.evidence = Evidence::default();
            }
            RunEvent::FlowEvidence { evidence, .. } => self.evidence = evidence.clone(),
            RunEvent::ActionFinished { record } => {
                self.records.push(record.clone());
                // An action that never ran (its flow had stopped) has nothing to show.
                if record.failed() && !record.tries.is_empty() {
                    self.write(record)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

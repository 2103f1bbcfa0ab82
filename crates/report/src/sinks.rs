//! Report files as run sinks: [`JunitSink`] and [`ReplaySink`] keep every finished record of
//! a run and write their file once, when the run's reporter finishes them. What they write is
//! exactly what [`write_junit`] and [`export_replay_studio`] write for the same records;
//! the replay studio also shows each flow's complete console and network from its
//! `FlowFinished` event.
//!
//! [`export_replay_studio`]: crate::export_replay_studio

use std::path::PathBuf;

use webrunner_record::{Record, RunEvent, RunSink, SinkError};

use crate::junit::write_junit;
use crate::replay::{export_replay_page, FlowEvidence};

/// Collects the records of `ActionFinished` events.
fn collect(records: &mut Vec<Record>, event: &RunEvent) {
    if let RunEvent::ActionFinished { record } = event {
        records.push(record.clone());
    }
}

/// Writes JUnit XML for a run's records when the run finishes (see [`write_junit`]).
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// use webrunner_record::Reporter;
/// use webrunner_report::JunitSink;
///
/// let out = dir.path().join("junit.xml");
/// let mut reporter = Reporter::new();
/// reporter.add(Box::new(JunitSink::new(&out)));
/// assert!(reporter.finish().is_empty());
/// assert!(std::fs::read_to_string(&out)?.contains("<testsuites"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JunitSink {
    path: PathBuf,
    records: Vec<Record>,
}

impl JunitSink {
    /// A sink that writes `path` when the run finishes.
    pub fn new(path: impl Into<PathBuf>) -> JunitSink {
        JunitSink {
            path: path.into(),
            records: Vec::new(),
        }
    }
}

impl RunSink for JunitSink {
    fn name(&self) -> String {
        format!("JUnit XML {}", self.path.display())
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        collect(&mut self.records, event);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        write_junit(&self.path, &self.records)?;
        Ok(())
    }
}

/// Writes the replay studio for a run's records when the run finishes (see
/// [`export_replay_studio`]). A flow whose `FlowFinished` event carries evidence is shown from
/// that evidence, which is complete (a record holds what had come when its action ended);
/// without it, the page is the one [`export_replay_studio`] writes.
///
/// [`export_replay_studio`]: crate::export_replay_studio
#[derive(Debug, Clone)]
pub struct ReplaySink {
    path: PathBuf,
    screenshot_dir: Option<PathBuf>,
    title: String,
    records: Vec<Record>,
    flows: Vec<FlowEvidence>,
    /// Where the running flow's records start.
    flow_start: usize,
}

impl ReplaySink {
    /// A sink that writes the page titled `title` to `path` when the run finishes, looking
    /// for screenshots also in `screenshot_dir`.
    pub fn new(
        path: impl Into<PathBuf>,
        screenshot_dir: Option<PathBuf>,
        title: impl Into<String>,
    ) -> ReplaySink {
        ReplaySink {
            path: path.into(),
            screenshot_dir,
            title: title.into(),
            records: Vec::new(),
            flows: Vec::new(),
            flow_start: 0,
        }
    }
}

impl RunSink for ReplaySink {
    fn name(&self) -> String {
        format!("replay studio {}", self.path.display())
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        collect(&mut self.records, event);
        match event {
            RunEvent::FlowStarted { .. } => self.flow_start = self.records.len(),
            RunEvent::FlowFinished { flow, evidence, .. } => {
                let start = self.flow_start.min(self.records.len());
                self.flows.push(FlowEvidence {
                    flow: flow.clone(),
                    evidence: evidence.clone(),
                    rows: start..self.records.len(),
                });
                self.flow_start = self.records.len();
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        export_replay_page(
            &self.path,
            &self.records,
            &self.flows,
            self.screenshot_dir.as_deref(),
            &self.title,
        )?;
        Ok(())
    }
}

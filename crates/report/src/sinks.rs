//! Report files as run sinks: [`JunitSink`] and [`ReplaySink`] keep every finished record of
//! a run and write their file once, when the run's reporter finishes them. What they write is
//! exactly what [`write_junit`] and [`export_replay_studio`] write for the same records.

use std::path::PathBuf;

use webrunner_record::{Record, RunEvent, RunSink, SinkError};

use crate::junit::write_junit;
use crate::replay::export_replay_studio;

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
/// [`export_replay_studio`]).
#[derive(Debug, Clone)]
pub struct ReplaySink {
    path: PathBuf,
    screenshot_dir: Option<PathBuf>,
    title: String,
    records: Vec<Record>,
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
        }
    }
}

impl RunSink for ReplaySink {
    fn name(&self) -> String {
        format!("replay studio {}", self.path.display())
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        collect(&mut self.records, event);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        export_replay_studio(
            &self.path,
            &self.records,
            self.screenshot_dir.as_deref(),
            &self.title,
        )?;
        Ok(())
    }
}

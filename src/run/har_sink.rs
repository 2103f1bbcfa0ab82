//! `run.har` as a sink: the browser records each session's network (that capture needs the
//! session's own DevTools events, so it lives with the browser); this sink writes what the
//! closed sessions captured into one HAR 1.2 file when the run finishes.

use std::path::PathBuf;

use webrunner_record::{RunEvent, RunSink, SinkError};

use crate::executor::SharedHar;

/// Writes the run's HAR when the run finishes; see the module documentation.
pub struct HarSink {
    path: PathBuf,
    capture: SharedHar,
}

impl HarSink {
    /// A sink writing `capture` (from [`Executor::record_har`](crate::Executor::record_har))
    /// to `path` at the end of the run.
    pub fn new(path: PathBuf, capture: SharedHar) -> HarSink {
        HarSink { path, capture }
    }
}

impl RunSink for HarSink {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn event(&mut self, _event: &RunEvent) -> Result<(), SinkError> {
        Ok(())
    }

    /// Runs after the run closed its sessions, so every session's recording is in.
    fn finish(&mut self) -> Result<(), SinkError> {
        let har = self
            .capture
            .lock()
            .map_err(|_| "the recording was poisoned by a panic")?
            .take()
            .unwrap_or_else(crate::executor::empty_har);
        let mut bytes = Vec::new();
        webrunner_har::writer::write_har_to(&mut bytes, &har)?;
        webrunner_report::write_file_atomic(&self.path, &bytes)?;
        Ok(())
    }
}

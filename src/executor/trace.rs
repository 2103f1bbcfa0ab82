//! `run --trace`: a [`TraceRecorder`] per flow — started on the flow's first tab before its
//! first action, told of every action, and stopped after the last one, also when an action
//! failed or the browser died. Under `retain-on-failure` the zip of a passing flow is
//! deleted; a failed action's record names the zip.

use std::path::PathBuf;

use webrunner_record::{Record, Status};

use super::Executor;
use crate::action::{Action, Flow};
use crate::probes::trace::TraceRecorder;
use crate::settings::TraceMode;

/// The trace of the running flow.
pub(crate) struct FlowTrace {
    recorder: TraceRecorder,
    path: PathBuf,
    failed: bool,
}

impl Executor {
    /// Starts the flow's trace when the settings ask for one (opening the tab it records).
    pub(super) async fn begin_trace(&mut self, flow: &Flow) {
        self.trace = None;
        if self.ctx.settings.trace == TraceMode::Off {
            return;
        }
        let dir = match &self.ctx.settings.output_dir {
            Some(out) => out.join("traces"),
            None => PathBuf::from("trace-out"),
        };
        let mut recorder = TraceRecorder::new(dir);
        let session = self.ctx.session().await.ok();
        let name = crate::failure::flow_stem(&flow.name);
        if recorder.open(session.as_ref(), &name).await.is_err() {
            return;
        }
        if let Some(path) = &flow.path {
            recorder.set_source(path, &flow.lines);
        }
        let Some(path) = recorder.path().map(|p| p.to_path_buf()) else {
            return;
        };
        self.trace = Some(FlowTrace {
            recorder,
            path,
            failed: false,
        });
    }

    /// Action `index` starts.
    pub(super) fn trace_started(&mut self, index: usize, action: &Action) {
        if let Some(t) = self.trace.as_mut() {
            t.recorder
                .action_started(index, &action.command, &action.args, &action.kwargs);
        }
    }

    /// `record` is final: the trace takes it, and a failed one names the trace's zip.
    pub(super) fn trace_finished(&mut self, record: &mut Record) {
        if let Some(t) = self.trace.as_mut() {
            if record.status == Status::Failed {
                t.failed = true;
                record.artifacts.trace = Some(t.path.display().to_string());
            }
            t.recorder.action_finished(record);
        }
    }

    /// Writes the flow's trace (or, under `retain-on-failure`, deletes it when the flow
    /// passed).
    pub(super) async fn end_trace(&mut self) {
        let Some(mut t) = self.trace.take() else {
            return;
        };
        let sessions: Vec<_> = self.ctx.browser.tab_sessions().cloned().collect();
        match t.recorder.stop(&sessions).await {
            Ok(_) if !t.failed && self.ctx.settings.trace == TraceMode::RetainOnFailure => {
                t.recorder.discard_last();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("{e}"),
        }
    }
}

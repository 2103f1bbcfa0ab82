//! The tracing sink: an OpenTelemetry span per action, named after its command, with a child
//! span per attempt, built from the run's events on the run loop itself (so each span times
//! what it stands for). It also gives the run loop the running action's trace ids
//! ([`Propagation`]), so records carry `trace_id` and the page's requests `traceparent`.
//!
//! The spans go to the run's own `tracing` dispatcher, not the process-wide one, so a library
//! user gets exactly what `webrunner run --otlp-endpoint` gets, and several runs can trace in
//! one process.

use std::sync::{Arc, Mutex};

use tracing::field;
use webrunner_record::{RunEvent, RunSink, SinkError, Status};

use crate::executor::{Propagation, TraceIds};

/// The running action's ids, shared between the sink and the run loop.
#[derive(Default)]
pub(crate) struct CurrentIds(Mutex<Option<TraceIds>>);

impl CurrentIds {
    fn set(&self, ids: Option<TraceIds>) {
        if let Ok(mut c) = self.0.lock() {
            *c = ids;
        }
    }
}

impl Propagation for CurrentIds {
    fn current(&self) -> Option<TraceIds> {
        self.0.lock().ok().and_then(|c| c.clone())
    }
}

/// See the module documentation.
pub(crate) struct SpanSink {
    dispatch: tracing::Dispatch,
    action: Option<tracing::Span>,
    attempt: Option<tracing::Span>,
    command: String,
    current: Arc<CurrentIds>,
}

impl SpanSink {
    /// A sink creating its spans in `dispatch`, and the ids it shares with the run loop.
    pub(crate) fn new(dispatch: tracing::Dispatch) -> (SpanSink, Arc<CurrentIds>) {
        let current = Arc::new(CurrentIds::default());
        let sink = SpanSink {
            dispatch,
            action: None,
            attempt: None,
            command: String::new(),
            current: current.clone(),
        };
        (sink, current)
    }
}

impl SpanSink {
    /// Ends `span` inside the run's dispatcher: the registry releases a closed child's hold
    /// on its parent through the current dispatcher, so outside it the action span would
    /// never close.
    fn close(&self, span: tracing::Span) {
        tracing::dispatcher::with_default(&self.dispatch, move || drop(span));
    }
}

impl RunSink for SpanSink {
    fn name(&self) -> String {
        "spans".into()
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        match event {
            RunEvent::ActionStarted {
                flow,
                index,
                command,
            } => {
                let span = tracing::dispatcher::with_default(&self.dispatch, || {
                    tracing::info_span!(
                        "action",
                        otel.name = command.as_str(),
                        otel.kind = "internal",
                        webrunner.command = command.as_str(),
                        webrunner.index = *index as i64,
                        webrunner.flow = flow.as_deref().unwrap_or(""),
                        webrunner.attempts = field::Empty,
                        webrunner.status = field::Empty,
                        otel.status_code = field::Empty,
                        otel.status_description = field::Empty,
                        error = field::Empty,
                    )
                });
                self.current
                    .set(webrunner_otel::trace_context(&span).map(|c| TraceIds {
                        trace_id: c.trace_id,
                        traceparent: c.traceparent,
                    }));
                self.action = Some(span);
                self.command.clone_from(command);
            }
            RunEvent::AttemptStarted { attempt, .. } => {
                if let Some(parent) = &self.action {
                    let span = tracing::dispatcher::with_default(&self.dispatch, || {
                        tracing::info_span!(
                            parent: parent,
                            "attempt",
                            otel.name = format!("{} attempt {attempt}", self.command).as_str(),
                            webrunner.attempt = *attempt as i64,
                            error = field::Empty,
                            otel.status_code = field::Empty,
                        )
                    });
                    self.attempt = Some(span);
                }
            }
            RunEvent::AttemptFinished { attempt, .. } => {
                if let Some(span) = self.attempt.take() {
                    if let Some(e) = &attempt.error {
                        span.record("error", e.as_str());
                        span.record("otel.status_code", "ERROR");
                    }
                    self.close(span);
                }
            }
            RunEvent::ActionFinished { record } => {
                if let Some(span) = self.action.take() {
                    span.record("webrunner.attempts", i64::from(record.attempts));
                    span.record("webrunner.status", record.status.as_str());
                    if let (Status::Failed, Some(e)) = (record.status, &record.error) {
                        span.record("otel.status_code", "ERROR");
                        span.record("otel.status_description", e.as_str());
                        span.record("error", e.as_str());
                    }
                    self.close(span);
                }
                self.current.set(None);
            }
            _ => {}
        }
        Ok(())
    }
}

//! Spans shaped like the executor's (one per action, a child per attempt, one around failure
//! capture), created with the same `tracing` macros and fields, for the export tests.

#![allow(dead_code)]

use tracing::field;
use webrunner_otel::{trace_context, TraceContext};

/// How each attempt of a scripted action ends.
pub struct ScriptedAction {
    pub command: &'static str,
    /// `Ok(())` passes, `Err(text)` fails; the action stops at the first pass.
    pub attempts: Vec<Result<(), &'static str>>,
}

/// What the test learns from running one scripted action.
pub struct ActionOutcome {
    pub command: &'static str,
    pub context: Option<TraceContext>,
    pub attempts: usize,
    pub error: Option<&'static str>,
}

/// Which status fields the action span records on failure.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StatusFields {
    /// `otel.status_code = "ERROR"` + `otel.status_description = <error>` (what the layer
    /// understands).
    Description,
    /// `otel.status_code = "ERROR"` + `otel.status_message = <error>` (a field the layer does
    /// not treat specially).
    Message,
}

/// Runs `actions` the way the executor does, inside whatever subscriber is the default.
pub fn run_like_executor(actions: &[ScriptedAction], fields: StatusFields) -> Vec<ActionOutcome> {
    actions
        .iter()
        .enumerate()
        .map(|(index, action)| run_action(index, action, fields))
        .collect()
}

fn run_action(index: usize, action: &ScriptedAction, fields: StatusFields) -> ActionOutcome {
    let command = action.command;
    let span = match fields {
        StatusFields::Description => tracing::info_span!(
            target: "webrunner::executor",
            "action",
            otel.name = %command,
            otel.kind = "internal",
            webrunner.command = %command,
            webrunner.index = index as i64,
            webrunner.attempts = field::Empty,
            webrunner.status = field::Empty,
            otel.status_code = field::Empty,
            otel.status_description = field::Empty,
            error = field::Empty,
        ),
        StatusFields::Message => tracing::info_span!(
            target: "webrunner::executor",
            "action",
            otel.name = %command,
            otel.kind = "internal",
            webrunner.command = %command,
            webrunner.index = index as i64,
            webrunner.attempts = field::Empty,
            webrunner.status = field::Empty,
            otel.status_code = field::Empty,
            otel.status_message = field::Empty,
            error = field::Empty,
        ),
    };
    // The executor reads the ids right after creating the span, before running it.
    let context = trace_context(&span);
    let mut attempts = 0;
    let mut error = None;
    for (n, outcome) in action.attempts.iter().enumerate() {
        attempts = n + 1;
        let attempt = tracing::info_span!(
            target: "webrunner::executor",
            parent: &span,
            "attempt",
            otel.name = %format!("{command} attempt {attempts}"),
            webrunner.attempt = attempts as i64,
            error = field::Empty,
            otel.status_code = field::Empty,
        );
        let _entered = attempt.enter();
        match outcome {
            Ok(()) => {
                error = None;
                break;
            }
            Err(e) => {
                attempt.record("error", *e);
                attempt.record("otel.status_code", "ERROR");
                error = Some(*e);
            }
        }
    }
    if error.is_some() {
        let capture = tracing::info_span!(
            target: "webrunner::executor",
            parent: &span,
            "capture_failure_artifacts",
            otel.name = "capture_failure_artifacts"
        );
        capture.in_scope(|| {});
    }
    span.record("webrunner.attempts", attempts as i64);
    span.record(
        "webrunner.status",
        if error.is_some() { "failed" } else { "passed" },
    );
    if let Some(e) = error {
        span.record("otel.status_code", "ERROR");
        match fields {
            StatusFields::Description => span.record("otel.status_description", e),
            StatusFields::Message => span.record("otel.status_message", e),
        };
        span.record("error", e);
    }
    ActionOutcome {
        command,
        context,
        attempts,
        error,
    }
}

/// A flow with one action that passes, one that passes on its second attempt and one that
/// fails both attempts.
pub fn flow_with_retry_and_failure() -> Vec<ScriptedAction> {
    vec![
        ScriptedAction {
            command: "WR_to_url",
            attempts: vec![Ok(())],
        },
        ScriptedAction {
            command: "WR_click",
            attempts: vec![Err("element #later not found"), Ok(())],
        },
        ScriptedAction {
            command: "WR_assert_text",
            attempts: vec![
                Err("text 'Welcome' not found in #title"),
                Err("text 'Welcome' not found in #title"),
            ],
        },
    ]
}

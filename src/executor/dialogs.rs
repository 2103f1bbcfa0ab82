//! JavaScript dialogs around an action: a dialog stays open only when the next action
//! handles it (`WR_alert_accept`, `WR_switch` to `alert`, …); otherwise it is dismissed as
//! soon as it opens. Either way no dialog blocks the run, and every dialog closed on the
//! flow's behalf is noted in the record of the action during which it closed.

use webrunner_record::DialogNote;

use super::Context;
use crate::action::Action;
use crate::browser::{DialogEvent, DialogPolicy};

fn note(e: DialogEvent) -> DialogNote {
    DialogNote {
        kind: e.kind,
        message: e.message,
        outcome: e.outcome,
    }
}

/// Before `this` runs: a dialog left open for it is dismissed unless `this` handles dialogs,
/// and dialogs that open during it are kept only when `next` handles them. Returns what was
/// closed.
pub(super) async fn before(
    ctx: &mut Context,
    this: &Action,
    next_handles: bool,
) -> Vec<DialogNote> {
    let mut notes = Vec::new();
    let policy = if next_handles {
        DialogPolicy::Keep
    } else {
        DialogPolicy::Dismiss
    };
    ctx.set_dialog_policy(policy);
    let Some(session) = ctx.open_session().cloned() else {
        return notes;
    };
    if !crate::commands::handles_dialog(this) {
        if let Some(open) = session.dialog() {
            if session.dismiss_dialog().await.is_ok() {
                notes.push(DialogNote {
                    kind: open.kind,
                    message: open.message,
                    outcome: "dismissed".into(),
                });
            }
        }
    }
    notes
}

/// After an action: the dialogs closed automatically while it ran.
pub(super) fn after(ctx: &Context) -> Vec<DialogNote> {
    ctx.open_session()
        .map(|s| s.take_dialog_log().into_iter().map(note).collect())
        .unwrap_or_default()
}

/// An attempt's outcome once its dialog is accounted for: an action that opened a dialog the
/// next action handles (its held browser call ended with `DialogOpened`) did its part.
pub(super) fn settle(
    outcome: Result<serde_json::Value, super::ActionError>,
    next_handles: bool,
) -> Result<serde_json::Value, super::ActionError> {
    match outcome {
        Err(super::ActionError::Browser(crate::browser::BrowserError::DialogOpened { .. }))
            if next_handles =>
        {
            Ok(serde_json::Value::Null)
        }
        other => other,
    }
}

//! JavaScript dialogs (alert, confirm, prompt, beforeunload) of a session: a watcher that
//! either dismisses each dialog at once and logs it ([`DialogPolicy::Dismiss`]) or keeps it
//! open for the next action ([`DialogPolicy::Keep`]), and the calls that read, accept and
//! dismiss the open one. While a kept dialog is open, page calls it blocks end with
//! [`BrowserError::DialogOpened`] instead of waiting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::{
    EventJavascriptDialogClosed, EventJavascriptDialogOpening, HandleJavaScriptDialogParams,
};
use futures::StreamExt;
use serde_json::json;
use tokio::sync::watch;

use super::{BrowserError, Session};

/// How long a page call may stay unanswered while a kept dialog is open before it counts as
/// blocked by the dialog.
const BLOCKED_AFTER: Duration = Duration::from_millis(400);
/// How long the automatic answer to a dialog may take.
const ANSWER_LIMIT: Duration = Duration::from_secs(5);
/// How many closed dialogs the log keeps.
const LOG_LIMIT: usize = 1000;

/// What happens to a JavaScript dialog that opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DialogPolicy {
    /// Dismissed at once and logged (a `beforeunload` dialog is accepted, so that leaving
    /// the page works as WebDriver does it).
    #[default]
    Dismiss,
    /// Left open for the next action to read, accept or dismiss.
    Keep,
}

/// An open JavaScript dialog.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dialog {
    /// `alert`, `confirm`, `prompt` or `beforeunload`.
    pub kind: String,
    /// The text it shows.
    pub message: String,
    /// A prompt's default answer.
    pub default_prompt: Option<String>,
}

/// A dialog that was closed automatically.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DialogEvent {
    /// `alert`, `confirm`, `prompt` or `beforeunload`.
    pub kind: String,
    /// The text it showed.
    pub message: String,
    /// `dismissed` or `accepted`.
    pub outcome: String,
}

/// A session's dialog state, shared with its watcher.
#[derive(Debug)]
pub(super) struct Dialogs {
    keep: AtomicBool,
    open: watch::Sender<Option<Dialog>>,
    log: Mutex<Vec<DialogEvent>>,
}

impl Dialogs {
    pub(super) fn new() -> Dialogs {
        Dialogs {
            keep: AtomicBool::new(false),
            open: watch::channel(None).0,
            log: Mutex::new(Vec::new()),
        }
    }

    fn keep(&self) -> bool {
        self.keep.load(Ordering::SeqCst)
    }

    /// Whether a dialog is open now.
    pub(super) fn is_open(&self) -> bool {
        self.open.borrow().is_some()
    }

    fn record(&self, dialog: Dialog, accepted: bool) {
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= LOG_LIMIT {
                log.remove(0);
            }
            log.push(DialogEvent {
                kind: dialog.kind,
                message: dialog.message,
                outcome: if accepted { "accepted" } else { "dismissed" }.into(),
            });
        }
    }

    /// Resolves once a dialog kept open has blocked the caller for a moment: the error a
    /// page call that the dialog holds up ends with.
    pub(super) async fn blocking(&self) -> BrowserError {
        let mut rx = self.open.subscribe();
        loop {
            let open = rx.borrow_and_update().is_some();
            if open && self.keep() {
                tokio::time::sleep(BLOCKED_AFTER).await;
                if let Some(d) = self.open.borrow().clone() {
                    return BrowserError::DialogOpened {
                        kind: d.kind,
                        message: d.message,
                    };
                }
                continue;
            }
            if rx.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }
}

/// Starts the watcher of `page`'s dialogs.
pub(super) async fn watch(
    page: &chromiumoxide::Page,
    dialogs: Arc<Dialogs>,
) -> Result<tokio::task::JoinHandle<()>, BrowserError> {
    let mut opening = page
        .event_listener::<EventJavascriptDialogOpening>()
        .await?;
    let mut closing = page.event_listener::<EventJavascriptDialogClosed>().await?;
    let page = page.clone();
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(e) = opening.next() => {
                    let dialog = Dialog {
                        kind: e.r#type.as_ref().to_string(),
                        message: e.message.clone(),
                        default_prompt: e.default_prompt.clone(),
                    };
                    dialogs.open.send_replace(Some(dialog.clone()));
                    if !dialogs.keep() {
                        let accept = dialog.kind == "beforeunload";
                        let answer = page.execute(HandleJavaScriptDialogParams::new(accept));
                        if let Ok(Ok(_)) = tokio::time::timeout(ANSWER_LIMIT, answer).await {
                            dialogs.open.send_replace(None);
                            tracing::info!(kind = %dialog.kind, message = %dialog.message, "dialog closed automatically");
                            dialogs.record(dialog, accept);
                        }
                    }
                }
                Some(_) = closing.next() => {
                    dialogs.open.send_replace(None);
                }
                else => return,
            }
        }
    }))
}

impl Session {
    /// Sets what happens to dialogs that open from now on (shared by every clone).
    pub fn set_dialog_policy(&self, policy: DialogPolicy) {
        self.state
            .dialogs
            .keep
            .store(policy == DialogPolicy::Keep, Ordering::SeqCst);
    }

    /// The policy set by [`Session::set_dialog_policy`].
    pub fn dialog_policy(&self) -> DialogPolicy {
        if self.state.dialogs.keep() {
            DialogPolicy::Keep
        } else {
            DialogPolicy::Dismiss
        }
    }

    /// The dialog open now, if any.
    pub fn dialog(&self) -> Option<Dialog> {
        self.state.dialogs.open.borrow().clone()
    }

    /// The open dialog, waiting up to `timeout` for one to open.
    pub async fn wait_dialog(&self, timeout: Duration) -> Result<Dialog, BrowserError> {
        let mut rx = self.state.dialogs.open.subscribe();
        let wait = async {
            rx.wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|d| d.clone())
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(Some(d)) => Ok(d),
            _ => Err(BrowserError::Timeout {
                what: "a JavaScript dialog (alert, confirm or prompt) to open".into(),
                seconds: timeout.as_secs_f64(),
            }),
        }
    }

    /// Accepts the open dialog (OK), answering a prompt with `prompt_text` when given.
    pub async fn accept_dialog(&self, prompt_text: Option<&str>) -> Result<Dialog, BrowserError> {
        self.answer_dialog(true, prompt_text).await
    }

    /// Dismisses the open dialog (Cancel).
    pub async fn dismiss_dialog(&self) -> Result<Dialog, BrowserError> {
        self.answer_dialog(false, None).await
    }

    /// The dialogs closed automatically since the last call, oldest first.
    pub fn take_dialog_log(&self) -> Vec<DialogEvent> {
        self.state
            .dialogs
            .log
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }

    async fn answer_dialog(
        &self,
        accept: bool,
        prompt_text: Option<&str>,
    ) -> Result<Dialog, BrowserError> {
        let Some(dialog) = self.dialog() else {
            return Err(BrowserError::Invalid(format!(
                "cannot {} a dialog: none is open",
                if accept { "accept" } else { "dismiss" }
            )));
        };
        let mut params = json!({ "accept": accept });
        if let Some(text) = prompt_text {
            params["promptText"] = json!(text);
        }
        self.cdp("Page.handleJavaScriptDialog", params)
            .await
            .map_err(|e| match e {
                BrowserError::Cdp(m) => BrowserError::Cdp(format!(
                    "cannot answer the {} {:?}: {m}",
                    dialog.kind, dialog.message
                )),
                other => other,
            })?;
        self.state.dialogs.open.send_replace(None);
        Ok(dialog)
    }
}

//! What a command can reach: the browser session (opened on first use), the current
//! element, the flow's settings (which commands such as `WR_set_retry_policy` may change for
//! the rest of their flow), the clock and the state commands keep between calls. Run
//! bookkeeping — records, sinks, trace state — is the executor's and out of reach here.

use std::sync::Arc;

use super::browser_slot::BrowserSlot;
use super::{ActionError, Clock, SystemClock};
use crate::browser::{Element, Locator, Session};
use crate::settings::Settings;

/// Everything a command can reach.
pub struct Context {
    /// The flow's settings; they start as the run's settings at every flow.
    pub settings: Settings,
    pub(crate) browser: BrowserSlot,
    pub(crate) element: Option<Locator>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) extensions: anymap::Extensions,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            settings: Settings::default(),
            browser: BrowserSlot::default(),
            element: None,
            clock: Arc::new(SystemClock),
            extensions: anymap::Extensions::default(),
        }
    }
}

impl Context {
    /// The open session, if any (never launches a browser).
    pub fn open_session(&self) -> Option<&Session> {
        self.browser.open_session()
    }

    /// The session, opening a browser (or a new tab of a shared one) on first use. Fails at
    /// once when the session died (browser closed, tab crashed, page unresponsive).
    pub async fn session(&mut self) -> Result<Session, ActionError> {
        Ok(self.browser.session(&self.settings.browser).await?)
    }

    /// Opens a new tab in a fresh browser context, launching Chromium first when no browser
    /// is running.
    pub async fn open_browser(&mut self) -> Result<Session, ActionError> {
        self.element = None;
        Ok(self.browser.open(&self.settings.browser).await?)
    }

    /// Closes the tab, and Chromium when no one else shares it.
    pub async fn close_browser(&mut self) {
        self.element = None;
        self.browser.close().await;
    }

    /// Makes tab or window `handle` of the session's browser context the one
    /// [`Context::session`] returns.
    pub async fn switch_to_window(&mut self, handle: &str) -> Result<Session, ActionError> {
        self.element = None;
        Ok(self.browser.switch_to_window(handle).await?)
    }

    /// Switches to the oldest tab whose title contains `pattern`, or else matches it as a
    /// regular expression.
    pub async fn switch_to_window_by_title(
        &mut self,
        pattern: &str,
    ) -> Result<Session, ActionError> {
        self.element = None;
        Ok(self.browser.switch_to_window_by_title(pattern).await?)
    }

    /// Switches to the oldest tab whose URL contains `pattern`, or else matches it as a
    /// regular expression.
    pub async fn switch_to_window_by_url(&mut self, pattern: &str) -> Result<Session, ActionError> {
        self.element = None;
        Ok(self.browser.switch_to_window_by_url(pattern).await?)
    }

    /// Closes the current tab and switches to the oldest one left; returns the handles left
    /// (none: the session closed with its last tab).
    pub async fn close_window(&mut self) -> Result<Vec<String>, ActionError> {
        self.element = None;
        Ok(self.browser.close_window().await?)
    }

    /// What happens to JavaScript dialogs in every tab of the session from now on.
    pub fn set_dialog_policy(&mut self, policy: crate::browser::DialogPolicy) {
        self.browser.set_dialog_policy(policy);
    }

    /// The element a command means: the call's locator when it has one (which also becomes
    /// the current element), else the one found last. Waits up to the implicit wait.
    pub async fn element(&mut self, call: &super::Call) -> Result<Element, ActionError> {
        let locator = match locator_of(call)? {
            Some(l) => {
                self.element = Some(l.clone());
                l
            }
            None => self.element.clone().ok_or_else(|| {
                ActionError::BadArgument(format!(
                    "{}: no element given (css, xpath, id or by_text) and none found before with WR_find_element",
                    call.command
                ))
            })?,
        };
        let session = self.session().await?;
        let element = Element::new(session, locator);
        if !self.settings.implicit_wait.is_zero() {
            element
                .wait_for("present", self.settings.implicit_wait)
                .await?;
        }
        Ok(element)
    }

    /// Shared state that commands keep between calls (for instance a running dashboard).
    pub fn extensions(&mut self) -> &mut anymap::Extensions {
        &mut self.extensions
    }
}

/// The locator given in a call: one of the kwargs `css`, `xpath`, `id`, `by_text`, or `by` +
/// `value` (also as the first two args when the first names a strategy).
pub fn locator_of(call: &super::Call) -> Result<Option<Locator>, ActionError> {
    for (key, by) in [
        ("css", "css"),
        ("xpath", "xpath"),
        ("id", "id"),
        ("by_text", "text"),
    ] {
        if let Some(v) = call.kwargs.get(key) {
            let value = v.as_str().ok_or_else(|| {
                ActionError::BadArgument(format!(
                    "{}: locator `{key}` must be a string",
                    call.command
                ))
            })?;
            return Ok(Some(Locator::new(by, value)?));
        }
    }
    if let (Some(by), Some(value)) = (call.kwargs.get("by"), call.kwargs.get("value")) {
        if let (Some(by), Some(value)) = (by.as_str(), value.as_str()) {
            return Ok(Some(Locator::new(by, value)?));
        }
    }
    if let (Some(by), Some(value)) = (
        call.args.first().and_then(|v| v.as_str()),
        call.args.get(1).and_then(|v| v.as_str()),
    ) {
        if let Ok(l) = Locator::new(by, value) {
            return Ok(Some(l));
        }
    }
    Ok(None)
}

/// A small type map for state that commands keep in the context.
pub mod anymap {
    use std::any::{Any, TypeId};
    use std::collections::HashMap;

    /// Values keyed by their type.
    #[derive(Default)]
    pub struct Extensions {
        map: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    }

    impl Extensions {
        /// Stores `value`, returning the previous value of its type.
        pub fn insert<T: Any + Send + Sync>(&mut self, value: T) -> Option<T> {
            self.map
                .insert(TypeId::of::<T>(), Box::new(value))
                .and_then(|b| b.downcast().ok().map(|b| *b))
        }

        /// Takes the value of type `T` out.
        pub fn remove<T: Any + Send + Sync>(&mut self) -> Option<T> {
            self.map
                .remove(&TypeId::of::<T>())
                .and_then(|b| b.downcast().ok().map(|b| *b))
        }

        /// The value of type `T`.
        pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
            self.map
                .get(&TypeId::of::<T>())
                .and_then(|b| b.downcast_ref())
        }
    }
}

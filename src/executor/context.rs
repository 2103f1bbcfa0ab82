//! What a command can reach: the browser session (opened on first use), the current
//! element, the flow's settings (which commands such as `WR_set_retry_policy` may change for
//! the rest of their flow), the clock and the action chain queued for `WR_perform`. Run
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
    pub(crate) test_objects: std::collections::BTreeMap<String, Locator>,
    pub(crate) records: Vec<webrunner_record::Record>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The steps queued by the action-chain commands until `WR_perform`.
    pub(crate) chain: crate::commands::action_chains::Chain,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            settings: Settings::default(),
            browser: BrowserSlot::default(),
            element: None,
            test_objects: Default::default(),
            records: Vec::new(),
            clock: Arc::new(SystemClock),
            chain: Default::default(),
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
        let session = self.browser.session(&self.settings.browser).await?;
        self.watch_csp(&session).await?;
        Ok(session)
    }

    /// With `--csp-report`, collects the tab's Content-Security-Policy violations (once).
    async fn watch_csp(&self, session: &Session) -> Result<(), ActionError> {
        if self.settings.csp_report {
            session.install_csp().await?;
        }
        Ok(())
    }

    /// Opens a new tab in a fresh browser context, launching Chromium first when no browser
    /// is running.
    pub async fn open_browser(&mut self) -> Result<Session, ActionError> {
        self.element = None;
        let session = self.browser.open(&self.settings.browser).await?;
        self.watch_csp(&session).await?;
        Ok(session)
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
    /// the current element), else the current one. Its actions wait for actionability up to
    /// the action time-out.
    pub async fn element(&mut self, call: &super::Call) -> Result<Element, ActionError> {
        let locator = match self.locator(call)? {
            Some(l) => {
                self.element = Some(l.clone());
                l
            }
            None => self.element.clone().ok_or_else(|| {
                ActionError::BadArgument(format!(
                    "{}: no element given (a locator such as css, xpath, id, by_text, or element_name) and none found before with WR_find_element",
                    call.command
                ))
            })?,
        };
        let session = self.session().await?;
        Ok(Element::new(session, locator).with_timeout(self.settings.action_timeout))
    }

    /// The locator the call names, if any, with a test object's name (`element_name`)
    /// resolved through the ones saved by `WR_SaveTestObject`.
    pub fn locator(&self, call: &super::Call) -> Result<Option<Locator>, ActionError> {
        match locator_of(call)? {
            Some(LocatorSpec::Locator(l)) => Ok(Some(l)),
            Some(LocatorSpec::TestObject(name)) => self.test_object(&call.command, &name).map(Some),
            None => Ok(None),
        }
    }

    /// The test object saved under `name`.
    pub fn test_object(&self, command: &str, name: &str) -> Result<Locator, ActionError> {
        self.test_objects.get(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = self.test_objects.keys().map(String::as_str).collect();
            ActionError::BadArgument(format!(
                "{command}: no test object named {name:?} (save one with WR_SaveTestObject first){}",
                if known.is_empty() {
                    String::new()
                } else {
                    format!("; saved: {}", known.join(", "))
                }
            ))
        })
    }

    /// Saves a test object (a named locator) for `element_name` lookups.
    pub fn save_test_object(&mut self, name: &str, locator: Locator) {
        self.test_objects.insert(name.to_string(), locator);
    }

    /// Forgets every saved test object.
    pub fn clear_test_objects(&mut self) {
        self.test_objects.clear();
    }

    /// Makes `locator` the current element.
    pub fn set_current_element(&mut self, locator: Option<Locator>) {
        self.element = locator;
    }

    /// The records of the run so far (every finished action of every flow), for commands
    /// that write reports.
    pub fn records(&self) -> &[webrunner_record::Record] {
        &self.records
    }
}

/// What a call's locator keywords name: a locator, or a saved test object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocatorSpec {
    /// A locator given in the call.
    Locator(Locator),
    /// The name of a test object saved with `WR_SaveTestObject`.
    TestObject(String),
}

/// The locator given in a call (its locator keywords: see [`super::LOCATOR_KEYS`]). More
/// than one strategy is an error naming them.
pub fn locator_of(call: &super::Call) -> Result<Option<LocatorSpec>, ActionError> {
    // A bound call holds them in one object; a call built by hand at the top level.
    let keys = match call.kwargs.get(super::params::LOCATOR_KWARG) {
        Some(serde_json::Value::Object(map)) => map,
        _ => &call.kwargs,
    };
    let text = |key: &str| -> Result<Option<&str>, ActionError> {
        match keys.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ActionError::BadArgument(format!(
                "{}: locator `{key}` must be a string",
                call.command
            ))),
        }
    };
    const STRATEGIES: &[(&str, &str)] = &[
        ("css", "css"),
        ("xpath", "xpath"),
        ("id", "id"),
        ("by_text", "text"),
        ("class_name", "class_name"),
        ("tag_name", "tag_name"),
        ("link_text", "link_text"),
        ("partial_link_text", "partial_link_text"),
        ("label", "label"),
        ("placeholder", "placeholder"),
        ("test_id", "test_id"),
    ];
    let mut found: Vec<(&str, LocatorSpec)> = Vec::new();
    for (key, by) in STRATEGIES {
        if let Some(v) = text(key)? {
            found.push((key, LocatorSpec::Locator(Locator::new(by, v)?)));
        }
    }
    if let Some(role) = text("role")? {
        let exact = matches!(
            call.kwargs.get("exact"),
            Some(serde_json::Value::Bool(true))
        );
        found.push((
            "role",
            LocatorSpec::Locator(Locator::role(role, text("name")?, exact)),
        ));
    } else if let Some(v) = text("name")? {
        found.push(("name", LocatorSpec::Locator(Locator::new("name", v)?)));
    }
    if let Some(v) = text("element_name")? {
        found.push(("element_name", LocatorSpec::TestObject(v.to_string())));
    }
    match (text("by")?, text("value")?) {
        (Some(by), Some(value)) => {
            found.push(("by", LocatorSpec::Locator(Locator::new(by, value)?)));
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(ActionError::BadArgument(format!(
                "{}: `by` and `value` go together (by: the strategy, value: what to look for)",
                call.command
            )))
        }
        (None, None) => {}
    }
    if found.len() > 1 {
        let keys: Vec<&str> = found.iter().map(|(k, _)| *k).collect();
        return Err(ActionError::BadArgument(format!(
            "{}: give one locator, found {}",
            call.command,
            keys.join(" and ")
        )));
    }
    Ok(found.pop().map(|(_, spec)| spec))
}

//! Elements: a locator bound to a session, resolved afresh on every operation (as
//! Playwright's locators are), so it never goes stale across navigations. This file holds the
//! element itself and its reads; the actions are in `element_actions.rs`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::actionability::Need;
use super::{BrowserError, Locator, Session};

/// How long element operations wait for their element unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A located element of a session.
#[derive(Debug, Clone)]
pub struct Element {
    pub(super) session: Session,
    pub(super) locator: Locator,
    pub(super) nth: usize,
    pub(super) timeout: Duration,
}

impl Element {
    /// Binds `locator` to `session` (nothing is looked up yet); the first match is meant.
    pub fn new(session: Session, locator: Locator) -> Element {
        Element {
            session,
            locator,
            nth: 0,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same element with another actionability timeout (5 s unless set).
    pub fn with_timeout(self, timeout: Duration) -> Element {
        Element { timeout, ..self }
    }

    /// The `index`-th match (from 0) of the same locator.
    pub fn nth(self, index: usize) -> Element {
        Element { nth: index, ..self }
    }

    /// The locator.
    pub fn locator(&self) -> &Locator {
        &self.locator
    }

    /// The session the element belongs to.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The actionability timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(super) fn spec(&self) -> Value {
        self.locator.spec(self.nth)
    }

    /// How many elements match the locator now (no waiting).
    pub async fn count(&self) -> Result<usize, BrowserError> {
        let function = format!(
            "{}\nreturn findAll(arguments[0]).length;",
            super::locator::FINDER
        );
        let v = match self.session.call_function(&function, &[self.spec()]).await {
            Ok(v) => v,
            Err(BrowserError::Script(e)) => {
                return Err(BrowserError::Invalid(format!("{}: {e}", self.locator)))
            }
            Err(e) => return Err(e),
        };
        Ok(v.as_u64().unwrap_or(0) as usize)
    }

    /// True when the element exists now.
    pub async fn exists(&self) -> Result<bool, BrowserError> {
        Ok(self.probe("return true;", &[]).await?.is_some())
    }

    /// True when the element exists and is visible now (Selenium's `is_displayed`, without
    /// waiting: a missing element is not visible).
    pub async fn is_visible(&self) -> Result<bool, BrowserError> {
        let v = self
            .probe(
                "return visible(el) && el.checkVisibility({ opacityProperty: true });",
                &[],
            )
            .await?;
        Ok(v == Some(Value::Bool(true)))
    }

    /// Whether the element is displayed (waits for it to be attached).
    pub async fn is_displayed(&self) -> Result<bool, BrowserError> {
        let v = self
            .read(
                "return visible(el) && el.checkVisibility({ opacityProperty: true });",
                &[],
            )
            .await?;
        Ok(v == Value::Bool(true))
    }

    /// Whether the element is enabled (not disabled natively, by a fieldset or by
    /// `aria-disabled`).
    pub async fn is_enabled(&self) -> Result<bool, BrowserError> {
        let v = self
            .read(
                "return !(el.matches(':disabled') || el.closest('[aria-disabled=true]'));",
                &[],
            )
            .await?;
        Ok(v == Value::Bool(true))
    }

    /// Whether a checkbox or radio is checked, or an option selected.
    pub async fn is_selected(&self) -> Result<bool, BrowserError> {
        let v = self
            .read(
                "return el.checked === true || el.selected === true || el.getAttribute('aria-checked') === 'true' || el.getAttribute('aria-selected') === 'true';",
                &[],
            )
            .await?;
        Ok(v == Value::Bool(true))
    }

    /// A short description of the element, e.g. `<button id="go" class="primary">`.
    pub async fn describe(&self) -> Result<String, BrowserError> {
        Ok(str_of(self.read("return describe(el);", &[]).await?))
    }

    /// Runs a read once the element is attached.
    pub(super) async fn read(&self, body: &str, extra: &[Value]) -> Result<Value, BrowserError> {
        self.when_ready(Need::ATTACHED, "read", body, extra).await
    }

    /// Waits until `condition` holds (`present`, `visible`, `hidden`, `absent`), polling.
    pub async fn wait_for(&self, condition: &str, timeout: Duration) -> Result<(), BrowserError> {
        let start = Instant::now();
        loop {
            let ok = match condition {
                "present" | "attached" => self.exists().await?,
                "visible" => self.is_visible().await?,
                "hidden" => !self.is_visible().await?,
                "absent" | "detached" => !self.exists().await?,
                other => {
                    return Err(BrowserError::Invalid(format!(
                        "unknown wait condition {other:?}; use present, visible, hidden or absent"
                    )))
                }
            };
            if ok {
                return Ok(());
            }
            if start.elapsed() >= timeout {
                return Err(BrowserError::Timeout {
                    what: format!("{} to be {condition}", self.locator),
                    seconds: timeout.as_secs_f64(),
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The element's visible text (`innerText`), or its value for inputs and textareas.
    pub async fn text(&self) -> Result<String, BrowserError> {
        let v = self
            .read(
                "if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return el.value; return textOf(el);",
                &[],
            )
            .await?;
        Ok(str_of(v))
    }

    /// The element's `innerText`.
    pub async fn inner_text(&self) -> Result<String, BrowserError> {
        Ok(str_of(self.read("return textOf(el);", &[]).await?))
    }

    /// The element's `innerHTML`.
    pub async fn inner_html(&self) -> Result<String, BrowserError> {
        Ok(str_of(self.read("return el.innerHTML;", &[]).await?))
    }

    /// Selenium's `get_attribute`: the property of that name when the element has one
    /// (booleans as `"true"` or `None`), else the attribute; `None` when neither is set.
    pub async fn attribute(&self, name: &str) -> Result<Option<String>, BrowserError> {
        let v = self
            .read(
                r#"const n = a[0];
const p = el[n];
if (p !== undefined && p !== null && typeof p !== 'object' && typeof p !== 'function') {
  if (typeof p === 'boolean') return p ? 'true' : null;
  if (p !== '' || el.hasAttribute(n)) return String(p);
}
return el.getAttribute(n);"#,
                &[json!(name)],
            )
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// The attribute as written in the HTML (`getAttribute`), or `None`.
    pub async fn dom_attribute(&self, name: &str) -> Result<Option<String>, BrowserError> {
        let v = self
            .read("return el.getAttribute(a[0]);", &[json!(name)])
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// A DOM property's value as JSON (null when unset or not serialisable).
    pub async fn property(&self, name: &str) -> Result<Value, BrowserError> {
        self.read(
            "const v = el[a[0]]; try { return JSON.parse(JSON.stringify(v === undefined ? null : v)); } catch (e) { return String(v); }",
            &[json!(name)],
        )
        .await
    }

    /// A computed CSS value, e.g. `css_value("color")` → `rgb(0, 0, 0)`.
    pub async fn css_value(&self, property: &str) -> Result<String, BrowserError> {
        let v = self
            .read(
                "return getComputedStyle(el).getPropertyValue(a[0]);",
                &[json!(property)],
            )
            .await?;
        Ok(str_of(v))
    }
}

/// A JSON string's text ("" for anything else).
pub(super) fn str_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        _ => String::new(),
    }
}

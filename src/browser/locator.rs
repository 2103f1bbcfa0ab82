//! Locators and elements. An [`Element`] is a locator bound to a session and is resolved
//! afresh on every operation (as Playwright's locators are), so it never goes stale across
//! navigations. Clicks are real mouse events dispatched through CDP at the element's centre,
//! after checking that the element is visible and not covered.

use std::fmt;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::page::{
    EventFrameRequestedNavigation, EventFrameStartedNavigating,
};
use futures::StreamExt;
use serde_json::{json, Value};

use super::{BrowserError, Session};

/// How to find an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// A CSS selector.
    Css(String),
    /// An XPath expression.
    XPath(String),
    /// An element id.
    Id(String),
    /// The innermost element whose visible text contains this text.
    Text(String),
}

impl Locator {
    /// Builds a locator from a strategy name (`css`, `xpath`, `id`, `text`) and a value.
    pub fn new(by: &str, value: &str) -> Result<Locator, BrowserError> {
        let value = value.to_string();
        match by.to_ascii_lowercase().replace(' ', "_").as_str() {
            "css" | "css_selector" => Ok(Locator::Css(value)),
            "xpath" => Ok(Locator::XPath(value)),
            "id" => Ok(Locator::Id(value)),
            "text" | "link_text" => Ok(Locator::Text(value)),
            other => Err(BrowserError::Invalid(format!(
                "unknown locator strategy {other:?}; use css, xpath, id or text"
            ))),
        }
    }

    /// A role locator (Playwright's getByRole), with an optional accessible name.
    pub fn role(role: &str, name: Option<&str>, exact: bool) -> Result<Locator, BrowserError> {
        let _ = (role, name, exact);
        Err(BrowserError::Invalid(
            "role locators are not supported yet".into(),
        ))
    }

    fn parts(&self) -> (&'static str, &str) {
        match self {
            Locator::Css(v) => ("css", v),
            Locator::XPath(v) => ("xpath", v),
            Locator::Id(v) => ("id", v),
            Locator::Text(v) => ("text", v),
        }
    }
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (by, value) = self.parts();
        write!(f, "{by}={value:?}")
    }
}

/// The finder shared by every element operation: `find(by, value)` returns the element or null.
const FINDER: &str = r#"
const find = (by, value) => {
  if (by === 'css') return document.querySelector(value);
  if (by === 'id') return document.getElementById(value);
  if (by === 'xpath') {
    return document.evaluate(value, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
  }
  const has = (el) => (el.innerText !== undefined ? el.innerText : el.textContent || '').includes(value);
  let found = null;
  const walk = (el) => {
    for (const child of el.children) {
      if (has(child)) { found = child; walk(child); return; }
    }
  };
  if (document.body && has(document.body)) { found = document.body; walk(document.body); }
  return found === document.body ? null : found;
};
const visible = (el) => {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && s.opacity !== '0';
};
"#;

/// A located element of a session.
#[derive(Debug, Clone)]
pub struct Element {
    session: Session,
    locator: Locator,
}

impl Element {
    /// Binds `locator` to `session` (nothing is looked up yet).
    pub fn new(session: Session, locator: Locator) -> Element {
        Element { session, locator }
    }

    /// The locator.
    pub fn locator(&self) -> &Locator {
        &self.locator
    }

    /// Runs `body` with `el` bound to the element; a missing element is `NoSuchElement`.
    async fn with_element(&self, body: &str, extra: &[Value]) -> Result<Value, BrowserError> {
        let (by, value) = self.locator.parts();
        let mut args = vec![json!(by), json!(value)];
        args.extend_from_slice(extra);
        let function = format!(
            "{FINDER}\nconst el = find(arguments[0], arguments[1]);\nif (!el) return {{ __missing: true }};\nconst a = Array.prototype.slice.call(arguments, 2);\n{body}"
        );
        let value = self.session.call_function(&function, &args).await?;
        if value.get("__missing") == Some(&Value::Bool(true)) {
            return Err(BrowserError::NoSuchElement(self.locator.to_string()));
        }
        Ok(value)
    }

    /// True when the element exists now.
    pub async fn exists(&self) -> Result<bool, BrowserError> {
        match self.with_element("return true;", &[]).await {
            Ok(_) => Ok(true),
            Err(BrowserError::NoSuchElement(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// True when the element exists and is visible.
    pub async fn is_visible(&self) -> Result<bool, BrowserError> {
        match self.with_element("return visible(el);", &[]).await {
            Ok(v) => Ok(v == Value::Bool(true)),
            Err(BrowserError::NoSuchElement(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A short description of the element, e.g. `<button id="go">`.
    pub async fn describe(&self) -> Result<String, BrowserError> {
        let v = self
            .with_element(
                "return '<' + el.tagName.toLowerCase() + (el.id ? ' id=\"' + el.id + '\"' : '') + '>';",
                &[],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
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

    /// Clicks the element with real mouse events at its centre. Fails when the element is
    /// missing, invisible or covered by another element.
    pub async fn click(&self) -> Result<(), BrowserError> {
        let point = self
            .with_element(
                r#"el.scrollIntoView({ block: 'center', inline: 'center' });
if (!visible(el)) return { error: 'is not visible' };
const r = el.getBoundingClientRect();
const x = r.left + r.width / 2, y = r.top + r.height / 2;
const top = document.elementFromPoint(x, y);
if (top && top !== el && !el.contains(top)) {
  return { error: 'is covered by <' + top.tagName.toLowerCase() + (top.id ? ' id="' + top.id + '"' : '') + '>' };
}
const nav = el.closest('a[href], area[href]') !== null
  || (el.closest('button, input[type=submit], input[type=image]') !== null && el.closest('form') !== null
      && (el.closest('button, input').type || 'submit') !== 'button');
return { x, y, nav };"#,
                &[],
            )
            .await?;
        if let Some(err) = point.get("error").and_then(Value::as_str) {
            return Err(BrowserError::Invalid(format!(
                "cannot click {}: it {err}",
                self.locator
            )));
        }
        let (x, y) = (point["x"].clone(), point["y"].clone());
        let page = self.session.page();
        let mut requested = page
            .event_listener::<EventFrameRequestedNavigation>()
            .await?;
        let mut started = page.event_listener::<EventFrameStartedNavigating>().await?;
        self.session
            .evaluate("window.__webrunnerBeforeClick = true")
            .await?;
        for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
            self.session
                .cdp(
                    "Input.dispatchMouseEvent",
                    json!({ "type": kind, "x": x, "y": y, "button": if kind == "mouseMoved" { "none" } else { "left" }, "buttons": buttons, "clickCount": 1 }),
                )
                .await?;
        }
        // A click that submits a form or follows a link asks for a navigation while the
        // mouse events are handled; its event is already queued when the last one returns.
        // Links and submit buttons get a short grace for the request to arrive; anything
        // else is checked at once, so plain clicks cost nothing extra.
        let grace = if point["nav"] == Value::Bool(true) {
            Duration::from_millis(500)
        } else {
            Duration::ZERO
        };
        tokio::task::yield_now().await;
        let navigating = tokio::time::timeout(
            grace,
            futures::future::select(requested.next(), started.next()),
        )
        .await
        .is_ok();
        if navigating {
            self.session.wait_new_document().await?;
        }
        Ok(())
    }

    /// Focuses the element and types `text` into it (appending to what it holds).
    pub async fn type_text(&self, text: &str) -> Result<(), BrowserError> {
        let ok = self
            .with_element(
                "el.scrollIntoView({ block: 'center' }); el.focus(); return document.activeElement === el || el.contains(document.activeElement);",
                &[],
            )
            .await?;
        if ok != Value::Bool(true) {
            return Err(BrowserError::Invalid(format!(
                "cannot type into {}: it does not take focus",
                self.locator
            )));
        }
        self.session
            .cdp("Input.insertText", json!({ "text": text }))
            .await?;
        Ok(())
    }

    /// Empties an input, textarea or editable element, firing `input` and `change`.
    pub async fn clear(&self) -> Result<(), BrowserError> {
        self.with_element(
            r#"if ('value' in el) { el.value = ''; } else if (el.isContentEditable) { el.textContent = ''; } else { return { error: true }; }
el.dispatchEvent(new Event('input', { bubbles: true }));
el.dispatchEvent(new Event('change', { bubbles: true }));
return true;"#,
            &[],
        )
        .await
        .and_then(|v| {
            if v.get("error").is_some() {
                Err(BrowserError::Invalid(format!("cannot clear {}: it is not editable", self.locator)))
            } else {
                Ok(())
            }
        })
    }

    /// The element's visible text (`innerText`), or its value for inputs.
    pub async fn text(&self) -> Result<String, BrowserError> {
        let v = self
            .with_element(
                "if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return el.value; return el.innerText !== undefined ? el.innerText : el.textContent;",
                &[],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// An attribute's value, or `None` when the element lacks it.
    pub async fn attribute(&self, name: &str) -> Result<Option<String>, BrowserError> {
        let v = self
            .with_element("return el.getAttribute(a[0]);", &[json!(name)])
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// A DOM property's value as JSON (null when unset or not serialisable).
    pub async fn property(&self, name: &str) -> Result<Value, BrowserError> {
        self.with_element(
            "const v = el[a[0]]; try { return JSON.parse(JSON.stringify(v === undefined ? null : v)); } catch (e) { return String(v); }",
            &[json!(name)],
        )
        .await
    }
}

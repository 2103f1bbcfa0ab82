//! What an [`Element`] can be made to do — click, hover, type, clear, check, select, upload,
//! submit, scroll, picture — each after waiting until the element is actionable. Clicks are
//! real mouse events at the element's centre, typing real key events; a click or submit
//! that opens a new document waits for it to load.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use chromiumoxide::cdp::browser_protocol::page::{
    EventFrameRequestedNavigation, EventFrameStartedNavigating,
};
use futures::StreamExt;
use serde_json::{json, Value};

use super::actionability::Need;
use super::element::{str_of, Element};
use super::input::{self, Input, MouseButton};
use super::locator::FINDER;
use super::BrowserError;

/// The centre of a ready element and whether clicking it may navigate (a link, or a submit
/// button of a form); marks the document so that a new one can be told apart.
const POINT: &str = r#"window.__webrunnerBeforeClick = true;
const nav = el.closest('a[href], area[href]') !== null
  || (el.closest('button, input[type=submit], input[type=image]') !== null && el.closest('form') !== null
      && (el.closest('button, input').type || 'submit') !== 'button');
return { x, y, nav };"#;

/// Focuses the element (the caret goes to the end when it was not focused yet).
const FOCUS: &str = r#"const root = el.getRootNode();
if (root.activeElement !== el && !el.contains(root.activeElement)) {
  el.focus();
  if (typeof el.setSelectionRange === 'function') {
    try { const n = el.value.length; el.setSelectionRange(n, n); } catch (e) {}
  } else if (el.isContentEditable) {
    const r = document.createRange(); r.selectNodeContents(el); r.collapse(false);
    const s = getSelection(); s.removeAllRanges(); s.addRange(r);
  }
}
const now = root.activeElement;
return now === el || el.contains(now);"#;

/// Typing and clearing: a visible, enabled, editable text field.
const TYPING: Need = Need {
    visible: true,
    enabled: true,
    editable: true,
    scroll: true,
    ..Need::ATTACHED
}
.of_kind("text");

impl Element {
    async fn point(&self, need: Need, action: &str) -> Result<(f64, f64, bool), BrowserError> {
        let v = self.when_ready(need, action, POINT, &[]).await?;
        Ok((
            v["x"].as_f64().unwrap_or_default(),
            v["y"].as_f64().unwrap_or_default(),
            v["nav"] == Value::Bool(true),
        ))
    }

    /// Clicks the element with real mouse events at its centre, once it is actionable. A
    /// click that opens a new document waits for it to load.
    pub async fn click(&self) -> Result<(), BrowserError> {
        self.click_with(MouseButton::Left, 1, "click").await
    }

    /// Double-clicks the element (two clicks and a `dblclick`).
    pub async fn double_click(&self) -> Result<(), BrowserError> {
        self.click_with(MouseButton::Left, 2, "double-click").await
    }

    /// Right-clicks the element (`contextmenu`).
    pub async fn right_click(&self) -> Result<(), BrowserError> {
        self.click_with(MouseButton::Right, 1, "right-click").await
    }

    async fn click_with(
        &self,
        button: MouseButton,
        count: u32,
        action: &str,
    ) -> Result<(), BrowserError> {
        let (x, y, nav) = self.point(Need::CLICK, action).await?;
        let nav = nav && button == MouseButton::Left;
        let input = Input::new(&self.session);
        self.navigating(nav, input.mouse_click(x, y, button, count))
            .await
    }

    /// Runs `act`; when it asked for a navigation, waits for the new document to load.
    async fn navigating(
        &self,
        likely: bool,
        act: impl Future<Output = Result<(), BrowserError>>,
    ) -> Result<(), BrowserError> {
        let page = self.session.page();
        let mut requested = page
            .event_listener::<EventFrameRequestedNavigation>()
            .await?;
        let mut started = page.event_listener::<EventFrameStartedNavigating>().await?;
        act.await?;
        // A click that submits a form or follows a link asks for a navigation while the
        // input is handled; its event is already queued when the last event returns.
        // Links and submit buttons get a short grace for the request to arrive; anything
        // else is checked at once, so plain clicks cost nothing extra.
        let grace = if likely {
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

    /// Moves the mouse over the element's centre, once it is visible, stable and not
    /// covered (it need not be enabled).
    pub async fn hover(&self) -> Result<(), BrowserError> {
        let (x, y, _) = self.point(Need::HOVER, "hover over").await?;
        Input::new(&self.session).mouse_move(x, y).await
    }

    /// Focuses the element.
    pub async fn focus(&self) -> Result<(), BrowserError> {
        let ok = self.when_ready(Need::ATTACHED, "focus", FOCUS, &[]).await?;
        if ok != Value::Bool(true) {
            return Err(BrowserError::Invalid(format!(
                "cannot focus {}: it does not take focus",
                self.locator
            )));
        }
        Ok(())
    }

    /// Types `text` into the element with real key events, once it is a visible, enabled,
    /// editable text field (a text-like input, textarea or contenteditable): it is focused
    /// and every character is a key press (keydown, keypress, input, keyup). WebDriver key
    /// code points (U+E000–U+E05D) are those keys; a modifier stays held until U+E000 or the
    /// end of the text. Fails with advice on selects, file inputs, checkboxes and others.
    pub async fn type_text(&self, text: &str) -> Result<(), BrowserError> {
        let ok = self.when_ready(TYPING, "type into", FOCUS, &[]).await?;
        if ok != Value::Bool(true) {
            return Err(BrowserError::Invalid(format!(
                "cannot type into {}: it does not take focus",
                self.locator
            )));
        }
        let mut held = 0;
        let typed = input::type_keys(&self.session, text, &mut held).await;
        let released = input::release(&self.session, held, held).await;
        typed.and(released)
    }

    /// Empties a text field, firing `input` and `change`, once it is editable.
    pub async fn clear(&self) -> Result<(), BrowserError> {
        self.when_ready(
            TYPING,
            "clear",
            r#"if (el.isContentEditable && !('value' in el)) { el.textContent = ''; } else { el.value = ''; }
el.dispatchEvent(new Event('input', { bubbles: true }));
el.dispatchEvent(new Event('change', { bubbles: true }));
return true;"#,
            &[],
        )
        .await?;
        Ok(())
    }

    /// Checks a checkbox or radio button by clicking it; nothing happens when it is checked.
    pub async fn check(&self) -> Result<(), BrowserError> {
        self.set_checked(true).await
    }

    /// Unchecks a checkbox by clicking it; nothing happens when it is not checked.
    pub async fn uncheck(&self) -> Result<(), BrowserError> {
        self.set_checked(false).await
    }

    async fn set_checked(&self, want: bool) -> Result<(), BrowserError> {
        let action = if want { "check" } else { "uncheck" };
        let v = self
            .when_ready(
                Need::CLICK.of_kind("check"),
                action,
                "return { x, y, checked: el.checked, radio: el.type === 'radio' };",
                &[],
            )
            .await?;
        if v["checked"] == Value::Bool(want) {
            return Ok(());
        }
        if !want && v["radio"] == Value::Bool(true) {
            return Err(BrowserError::Invalid(format!(
                "cannot uncheck {}: a radio button is unchecked by checking another of its group",
                self.locator
            )));
        }
        let (x, y) = (
            v["x"].as_f64().unwrap_or_default(),
            v["y"].as_f64().unwrap_or_default(),
        );
        Input::new(&self.session)
            .mouse_click(x, y, MouseButton::Left, 1)
            .await?;
        let now = self.probe("return el.checked;", &[]).await?;
        if now != Some(Value::Bool(want)) {
            return Err(BrowserError::Invalid(format!(
                "cannot {action} {}: clicking it left it {}",
                self.locator,
                if want { "unchecked" } else { "checked" }
            )));
        }
        Ok(())
    }

    /// Selects the option of a `<select>` whose visible text is `text` (spaces trimmed).
    pub async fn select_by_text(&self, text: &str) -> Result<(), BrowserError> {
        self.select("text", json!(text)).await
    }

    /// Selects the option whose `value` is `value`.
    pub async fn select_by_value(&self, value: &str) -> Result<(), BrowserError> {
        self.select("value", json!(value)).await
    }

    /// Selects the option at `index` (from 0).
    pub async fn select_by_index(&self, index: usize) -> Result<(), BrowserError> {
        self.select("index", json!(index)).await
    }

    async fn select(&self, by: &str, want: Value) -> Result<(), BrowserError> {
        let need = Need {
            visible: true,
            enabled: true,
            ..Need::ATTACHED
        }
        .of_kind("select");
        let v = self
            .when_ready(
                need,
                "select an option of",
                r#"const opts = [...el.options];
let i = -1;
if (a[0] === 'text') i = opts.findIndex((o) => norm(o.text) === norm(a[1]));
else if (a[0] === 'value') i = opts.findIndex((o) => o.value === a[1]);
else i = a[1] < opts.length ? a[1] : -1;
if (i < 0) return { missing: opts.map((o) => (a[0] === 'value' ? o.value : norm(o.text))) };
if (opts[i].disabled) return { disabled: true };
if (el.multiple) opts[i].selected = true; else el.selectedIndex = i;
el.dispatchEvent(new Event('input', { bubbles: true }));
el.dispatchEvent(new Event('change', { bubbles: true }));
return { selected: i };"#,
                &[json!(by), want.clone()],
            )
            .await?;
        let what = match by {
            "index" => format!("at index {want}"),
            _ => format!("with {by} {want}"),
        };
        if let Some(list) = v.get("missing").and_then(Value::as_array) {
            let names: Vec<String> = list.iter().map(Value::to_string).collect();
            let has = if names.is_empty() {
                "it has no options".to_string()
            } else {
                format!("it has {}", names.join(", "))
            };
            return Err(BrowserError::Invalid(format!(
                "cannot select the option {what} in {}: there is none; {has}",
                self.locator
            )));
        }
        if v.get("disabled").is_some() {
            return Err(BrowserError::Invalid(format!(
                "cannot select the option {what} in {}: it is disabled",
                self.locator
            )));
        }
        Ok(())
    }

    /// Sets the files of a file input (as a person choosing them would; `input` and
    /// `change` fire). Every path must name an existing file.
    pub async fn set_files(&self, files: &[PathBuf]) -> Result<(), BrowserError> {
        let mut paths = Vec::with_capacity(files.len());
        for f in files {
            let abs = std::fs::canonicalize(f).map_err(|e| {
                BrowserError::Invalid(format!("cannot upload {}: {e}", f.display()))
            })?;
            if !abs.is_file() {
                return Err(BrowserError::Invalid(format!(
                    "cannot upload {}: it is not a file",
                    f.display()
                )));
            }
            paths.push(abs.display().to_string());
        }
        let need = Need {
            enabled: true,
            ..Need::ATTACHED
        }
        .of_kind("file");
        self.when_ready(need, "upload files to", "return true;", &[])
            .await?;
        let object = self.object_id().await?;
        let set = self
            .session
            .cdp(
                "DOM.setFileInputFiles",
                json!({ "files": paths, "objectId": object }),
            )
            .await;
        let _ = self
            .session
            .cdp("Runtime.releaseObject", json!({ "objectId": object }))
            .await;
        set.map(|_| ())
    }

    /// A remote object id of the element (release it with `Runtime.releaseObject`), for
    /// CDP calls that take one.
    pub async fn object_id(&self) -> Result<String, BrowserError> {
        let spec = serde_json::to_string(&self.spec())
            .map_err(|e| BrowserError::Invalid(e.to_string()))?;
        let result = self
            .session
            .cdp(
                "Runtime.evaluate",
                json!({ "expression": format!("(() => {{ {FINDER}\nreturn find({spec}); }})()") }),
            )
            .await?;
        let result = if result.get("exceptionDetails").is_some() {
            super::cdp::script_result(result).map(|_| Value::Null)?
        } else {
            result
        };
        result["result"]["objectId"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| BrowserError::NoSuchElement(self.locator.to_string()))
    }

    /// Submits the element's form (the element itself when it is a form) the way a submit
    /// button would (`requestSubmit`, so `submit` handlers run), waiting for the new page.
    pub async fn submit(&self) -> Result<(), BrowserError> {
        let act = async {
            let v = self
                .when_ready(
                    Need::ATTACHED,
                    "submit",
                    r#"const f = el.tagName === 'FORM' ? el : (el.form || el.closest('form'));
if (!f) return false;
window.__webrunnerBeforeClick = true;
f.requestSubmit();
return true;"#,
                    &[],
                )
                .await?;
            if v != Value::Bool(true) {
                return Err(BrowserError::Invalid(format!(
                    "cannot submit {}: it is not in a form",
                    self.locator
                )));
            }
            Ok(())
        };
        self.navigating(true, act).await
    }

    /// Scrolls the element into view (when its centre is outside the viewport), once it is
    /// visible and stable.
    pub async fn scroll_into_view(&self) -> Result<(), BrowserError> {
        self.when_ready(Need::SHOWN, "scroll to", "return true;", &[])
            .await?;
        Ok(())
    }

    /// The element's centre in viewport CSS pixels, after scrolling it into view, once it
    /// is visible and stable (the point action chains move to).
    pub async fn center(&self) -> Result<(f64, f64), BrowserError> {
        let v = self
            .when_ready(Need::SHOWN, "find the centre of", "return { x, y };", &[])
            .await?;
        Ok((
            v["x"].as_f64().unwrap_or_default(),
            v["y"].as_f64().unwrap_or_default(),
        ))
    }

    /// A PNG of the element's box (scrolled into view first).
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        let v = self
            .when_ready(
                Need::SHOWN,
                "take a picture of",
                "return { x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height };",
                &[],
            )
            .await?;
        let clip =
            json!({ "x": v["x"], "y": v["y"], "width": v["w"], "height": v["h"], "scale": 1 });
        let shot = self
            .session
            .cdp(
                "Page.captureScreenshot",
                json!({ "format": "png", "clip": clip }),
            )
            .await?;
        base64::engine::general_purpose::STANDARD
            .decode(str_of(shot["data"].clone()))
            .map_err(|e| BrowserError::Cdp(format!("Page.captureScreenshot: {e}")))
    }
}

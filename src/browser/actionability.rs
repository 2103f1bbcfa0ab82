//! Actionability, as Playwright defines it: before an action the element must be attached,
//! visible, stable (the same box in two animation frames), enabled (for actions that change
//! it), editable (for typing) and must receive a hit at its centre. One in-page call polls
//! these on animation frames for up to a second; the Rust side repeats calls until the
//! element's timeout. The page remembers each element's box and the frame since which it
//! has had it, so an element that kept its box since an earlier check is stable at once; a
//! new or moved one costs a frame.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::element::Element;
use super::locator::FINDER;
use super::BrowserError;

/// Which checks an operation needs before it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Need {
    /// Visible: a non-empty box and not `visibility: hidden` / `display: none`.
    pub visible: bool,
    /// The same box over two consecutive frames.
    pub stable: bool,
    /// Not disabled (natively, by a fieldset, or `aria-disabled`).
    pub enabled: bool,
    /// Not read-only.
    pub editable: bool,
    /// The centre point hits the element (not covered); implies scrolling into view.
    pub hit: bool,
    /// Scroll the element into view when its centre is outside the viewport.
    pub scroll: bool,
    /// The kind of element the operation works on: `text`, `check`, `select`, `file`.
    pub kind: Option<&'static str>,
}

impl Need {
    /// Reads: the element exists.
    pub const ATTACHED: Need = Need {
        visible: false,
        stable: false,
        enabled: false,
        editable: false,
        hit: false,
        scroll: false,
        kind: None,
    };
    /// Hover, and the point of an action chain: visible, stable, hit.
    pub const HOVER: Need = Need {
        visible: true,
        stable: true,
        hit: true,
        scroll: true,
        ..Need::ATTACHED
    };
    /// Clicks: everything but editable.
    pub const CLICK: Need = Need {
        enabled: true,
        ..Need::HOVER
    };
    /// Scrolling into view and taking a picture: visible and stable.
    pub const SHOWN: Need = Need {
        visible: true,
        stable: true,
        scroll: true,
        ..Need::ATTACHED
    };

    /// These checks for elements of `kind`.
    pub const fn of_kind(self, kind: &'static str) -> Need {
        Need {
            kind: Some(kind),
            ..self
        }
    }
}

/// The in-page wait: `arguments` are the locator spec, the needs, the time budget in ms,
/// then the operation's own arguments (`a`). Returns `{ ok: <body's value> }`,
/// `{ fail: <last failed check> }` or `{ wrong: <kind>, desc }`.
const WAIT: &str = r#"
const [spec, need, budget] = arguments;
const a = Array.prototype.slice.call(arguments, 3);
const until = performance.now() + budget;
const frame = () => new Promise((resolve) => {
  let done = false;
  const end = () => { if (!done) { done = true; resolve(); } };
  requestAnimationFrame(end);
  // No frame came (a hidden tab): the time that passed counts as one.
  setTimeout(() => { if (!done) window.__webrunnerTicks = (window.__webrunnerTicks || 0) + 1; end(); }, 50);
});
const frameNow = () => document.timeline.currentTime + '/' + (window.__webrunnerTicks || 0);
const kindOf = (el) => {
  const t = el.tagName;
  if (t === 'SELECT') return 'select';
  if (t === 'TEXTAREA') return 'text';
  if (t === 'INPUT') {
    const ty = (el.getAttribute('type') || 'text').toLowerCase();
    if (ty === 'file') return 'file';
    if (ty === 'checkbox' || ty === 'radio') return 'check';
    if (['button', 'submit', 'reset', 'image', 'hidden', 'range', 'color'].includes(ty)) return 'other';
    return 'text';
  }
  if (el.isContentEditable) return 'text';
  return 'other';
};
const hitAt = (x, y) => {
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return null;
  let h = document.elementFromPoint(x, y);
  while (h && h.shadowRoot) {
    const inner = h.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === h) break;
    h = inner;
  }
  return h;
};
const inside = (n, el) => { while (n) { if (n === el) return true; n = n.parentNode || n.host || null; } return false; };
const same = (p, q) => p.left === q.left && p.top === q.top && p.width === q.width && p.height === q.height;
// The box each element had when last seen here, and the frame since which it has had it:
// an element is stable once it has kept its box into a later animation frame.
const boxes = window.__webrunnerBoxes || (window.__webrunnerBoxes = new WeakMap());
let last = 'not attached (no element matches)';
for (;;) {
  const el = find(spec);
  if (!el) { last = 'not attached (no element matches)'; }
  else if (need.kind && kindOf(el) !== need.kind) { return { wrong: kindOf(el), desc: describe(el) }; }
  else if (need.visible && !visible(el)) { last = 'not visible'; }
  else if (need.enabled && (el.matches(':disabled') || el.closest('[aria-disabled=true]'))) { last = 'disabled'; }
  else if (need.editable && (el.readOnly || el.getAttribute('aria-readonly') === 'true')) { last = 'not editable (read-only)'; }
  else {
    let b = el.getBoundingClientRect();
    if (need.scroll) {
      const cx = b.left + b.width / 2, cy = b.top + b.height / 2;
      if (cx < 0 || cy < 0 || cx >= innerWidth || cy >= innerHeight) {
        el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
        b = el.getBoundingClientRect();
      }
    }
    let still = true;
    if (need.stable) {
      const seen = boxes.get(el), now = frameNow();
      if (!seen || !same(seen.box, b)) {
        if (seen) last = 'moving';
        boxes.set(el, { box: b, since: now });
        still = false;
      } else {
        still = seen.since !== now;
      }
    }
    if (still) {
      const x = b.left + b.width / 2, y = b.top + b.height / 2;
      let top = el;
      if (need.hit) top = hitAt(x, y);
      if (!top) last = 'outside the viewport';
      else if (!inside(top, el)) last = 'covered by ' + describe(top);
      else return { ok: ((el, b, x, y) => { BODY })(el, b, x, y) };
    }
  }
  if (performance.now() >= until) return { fail: last };
  await frame();
}
"#;

/// Checks whether an element is there and runs `body` on it at once, without waiting:
/// `{ ok: <body's value> }` or `{ missing: true }`.
const PROBE: &str = r#"
const [spec] = arguments;
const a = Array.prototype.slice.call(arguments, 1);
const el = find(spec);
if (!el) return { missing: true };
return { ok: ((el) => { BODY })(el) };
"#;

/// The longest a single in-page wait may run before it reports back.
const MAX_CALL: Duration = Duration::from_secs(1);

impl Element {
    /// Waits until the element passes `need`, then runs `body` in the page (a function body
    /// with `el`, its box `b`, its centre `x`/`y` and the extra arguments `a`) and returns
    /// its value. Times out after the element's timeout naming the last failed check.
    pub(super) async fn when_ready(
        &self,
        need: Need,
        action: &str,
        body: &str,
        extra: &[Value],
    ) -> Result<Value, BrowserError> {
        let function = format!("{FINDER}\n{}", WAIT.replace("BODY", body));
        let need_json = json!({
            "visible": need.visible, "stable": need.stable, "enabled": need.enabled,
            "editable": need.editable, "hit": need.hit, "scroll": need.scroll, "kind": need.kind,
        });
        let start = Instant::now();
        loop {
            let left = self.timeout.saturating_sub(start.elapsed());
            let budget = left.min(MAX_CALL).as_millis() as u64;
            let mut args = vec![self.spec(), need_json.clone(), json!(budget)];
            args.extend_from_slice(extra);
            let last = match self.session.call_function(&function, &args).await {
                Ok(v) => {
                    if v.get("ok").is_some() || v.get("wrong").is_some() {
                        return self.settle(v, need, action);
                    }
                    v["fail"].as_str().unwrap_or("unknown").to_string()
                }
                Err(e) if transient(&e) => "not attached (the page was changing)".to_string(),
                Err(BrowserError::Script(e)) => {
                    return Err(BrowserError::Invalid(format!(
                        "cannot {action} {}: {e}",
                        self.locator
                    )))
                }
                Err(e) => return Err(e),
            };
            if start.elapsed() >= self.timeout {
                let last = match last.strip_suffix("(no element matches)") {
                    Some(head) => format!("{head}(no element matches {})", self.locator),
                    None => last,
                };
                let what = match need {
                    Need::ATTACHED => format!("{} to be attached: {last}", self.locator),
                    _ => format!("{} to be actionable: {last}", self.locator),
                };
                return Err(BrowserError::Timeout {
                    what,
                    seconds: self.timeout.as_secs_f64(),
                });
            }
        }
    }

    /// Turns a ready or wrong-kind answer into the body's value or a clear error.
    fn settle(&self, v: Value, need: Need, action: &str) -> Result<Value, BrowserError> {
        if let Some(kind) = v.get("wrong").and_then(Value::as_str) {
            let desc = v["desc"].as_str().unwrap_or("an element");
            let advice = match (need.kind, kind) {
                (Some("text"), "select") => format!(
                    "it is a {desc}; use WR_element_select_by_visible_text/_by_value/_by_index"
                ),
                (Some("text"), "file") => {
                    format!("it is a file input ({desc}); use WR_upload_file")
                }
                (Some("text"), "check") => format!(
                    "it is a checkbox or radio ({desc}); use WR_element_check/WR_element_uncheck"
                ),
                (Some("text"), _) => format!("it is not editable (a {desc})"),
                (Some("check"), _) => format!("it is a {desc}, not a checkbox or radio button"),
                (Some("select"), _) => format!("it is a {desc}, not a <select>"),
                (Some("file"), _) => format!("it is a {desc}, not a file input"),
                _ => format!("it is a {desc}"),
            };
            return Err(BrowserError::Invalid(format!(
                "cannot {action} {}: {advice}",
                self.locator
            )));
        }
        Ok(v.get("ok").cloned().unwrap_or(Value::Null))
    }

    /// Runs `body` (with `el` and extra arguments `a`) on the element now, without
    /// waiting; `None` when no element matches.
    pub(super) async fn probe(
        &self,
        body: &str,
        extra: &[Value],
    ) -> Result<Option<Value>, BrowserError> {
        let function = format!("{FINDER}\n{}", PROBE.replace("BODY", body));
        let mut args = vec![self.spec()];
        args.extend_from_slice(extra);
        let v = match self.session.call_function(&function, &args).await {
            Ok(v) => v,
            Err(BrowserError::Script(e)) => {
                return Err(BrowserError::Invalid(format!("{}: {e}", self.locator)))
            }
            Err(e) => return Err(e),
        };
        if v.get("missing").is_some() {
            return Ok(None);
        }
        Ok(Some(v.get("ok").cloned().unwrap_or(Value::Null)))
    }
}

/// Whether a failed call only met a page between documents (worth trying again).
fn transient(e: &BrowserError) -> bool {
    let text = e.to_string();
    text.contains("context was destroyed")
        || text.contains("Cannot find context")
        || text.contains("Execution context")
}

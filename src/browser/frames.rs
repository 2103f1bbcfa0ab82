//! Frames: a session has a current frame (the top document unless switched, as with
//! WebDriver's `switch_to.frame`), and its scripts — so every element operation — run in that
//! frame's document, through the frame's default execution context as CDP reports it
//! (`Runtime.executionContextCreated`; a frame that navigates gets a new one). Chromium runs
//! with site isolation off, so cross-origin frames live in the page's own renderer and are
//! reached the same way.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chromiumoxide::cdp::js_protocol::runtime::{
    EventExecutionContextCreated, EventExecutionContextDestroyed, EventExecutionContextsCleared,
};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::cdp::doing;
use super::{BrowserError, Session};

/// How long a frame that is (re)loading may take to get a document scripts can run in.
const CONTEXT_WAIT: Duration = Duration::from_secs(10);

/// How long a frame may be without a document before it is looked for in the frame tree.
const GONE_CHECK_AFTER: Duration = Duration::from_millis(500);

/// Whether the CDP frame tree `tree` holds frame `id`.
fn tree_has(tree: &Value, id: &str) -> bool {
    tree["frame"]["id"].as_str() == Some(id)
        || tree["childFrames"]
            .as_array()
            .is_some_and(|c| c.iter().any(|t| tree_has(t, id)))
}

/// A frame element to switch to, looked up in the current frame's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameRef {
    /// The n-th `<iframe>`/`<frame>` of the document (0-based).
    Index(u32),
    /// The frame element whose `name` or `id` is this.
    NameOrId(String),
    /// The frame element matched by this CSS selector.
    Css(String),
}

impl fmt::Display for FrameRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameRef::Index(i) => write!(f, "frame #{i}"),
            FrameRef::NameOrId(n) => write!(f, "frame named {n:?}"),
            FrameRef::Css(c) => write!(f, "frame at css={c:?}"),
        }
    }
}

/// One frame of the current chain.
#[derive(Debug, Clone)]
struct Entry {
    frame_id: String,
    asked: String,
}

/// A session's frames: the default execution context of each and the current chain.
#[derive(Debug)]
pub(super) struct Frames {
    contexts: Mutex<HashMap<String, (i64, String)>>,
    chain: Mutex<Vec<Entry>>,
    changed: watch::Sender<u64>,
}

impl Frames {
    pub(super) fn new() -> Frames {
        Frames {
            contexts: Mutex::new(HashMap::new()),
            chain: Mutex::new(Vec::new()),
            changed: watch::channel(0).0,
        }
    }

    fn chain(&self) -> Vec<Entry> {
        self.chain.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn set_chain(&self, chain: Vec<Entry>) {
        if let Ok(mut c) = self.chain.lock() {
            *c = chain;
        }
    }

    fn context_of(&self, frame: &str) -> Option<i64> {
        self.contexts.lock().ok()?.get(frame).map(|c| c.0)
    }

    fn update(&self, f: impl FnOnce(&mut HashMap<String, (i64, String)>)) {
        if let Ok(mut m) = self.contexts.lock() {
            f(&mut m);
        }
        self.changed.send_modify(|n| *n += 1);
    }
}

/// Starts following the execution contexts of `page`'s frames.
pub(super) async fn watch(
    page: &chromiumoxide::Page,
    frames: Arc<Frames>,
) -> Result<tokio::task::JoinHandle<()>, BrowserError> {
    let mut created = page
        .event_listener::<EventExecutionContextCreated>()
        .await?;
    let mut destroyed = page
        .event_listener::<EventExecutionContextDestroyed>()
        .await?;
    let mut cleared = page
        .event_listener::<EventExecutionContextsCleared>()
        .await?;
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(e) = created.next() => {
                    let aux = e.context.aux_data.clone().unwrap_or(Value::Null);
                    if aux["isDefault"] == Value::Bool(true) {
                        if let Some(frame) = aux["frameId"].as_str() {
                            let context = (*e.context.id.inner(), e.context.unique_id.clone());
                            let frame = frame.to_string();
                            frames.update(|m| { m.insert(frame, context); });
                        }
                    }
                }
                Some(e) = destroyed.next() => {
                    let gone = &e.execution_context_unique_id;
                    frames.update(|m| m.retain(|_, v| v.1 != *gone));
                }
                Some(_) = cleared.next() => frames.update(HashMap::clear),
                else => return,
            }
        }
    }))
}

/// Finds the frame element `arguments[0]`/`[1]` names in the document; returns its index
/// among the document's frame elements, or what frames there are.
const FIND_FRAME: &str = r#"
const [by, value] = arguments;
const all = Array.from(document.querySelectorAll('iframe, frame'));
const describe = (el, i) => '#' + i + ' <' + el.tagName.toLowerCase()
  + (el.id ? ' id="' + el.id + '"' : '') + (el.name ? ' name="' + el.name + '"' : '')
  + (el.getAttribute('src') ? ' src="' + el.getAttribute('src') + '"' : '') + '>';
let el = null;
if (by === 'index') el = all[value] || null;
else if (by === 'name') el = all.find((f) => f.name === value || f.id === value) || null;
else {
  el = document.querySelector(value);
  if (el && all.indexOf(el) < 0) return { error: 'it matches <' + el.tagName.toLowerCase() + '>, not a frame element' };
}
if (el) return { index: all.indexOf(el) };
return { error: 'no such frame', frames: all.map(describe) };
"#;

impl Session {
    /// The default execution context of the current frame (`None` for the top document),
    /// waiting a while for a frame that is loading to get one.
    pub(super) async fn frame_context(&self) -> Result<Option<i64>, BrowserError> {
        let frames = &self.state.frames;
        let Some(current) = frames.chain().pop() else {
            return Ok(None);
        };
        let mut rx = frames.changed.subscribe();
        let start = Instant::now();
        let mut looked = false;
        loop {
            rx.borrow_and_update();
            if let Some(id) = frames.context_of(&current.frame_id) {
                return Ok(Some(id));
            }
            // A frame that stays without a document for a moment may be gone for good.
            if !looked && start.elapsed() >= GONE_CHECK_AFTER {
                looked = true;
                let tree = self.raw("Page.getFrameTree", json!({})).await?;
                if !tree_has(&tree["frameTree"], &current.frame_id) {
                    return Err(BrowserError::NoSuchFrame(format!(
                        "the current frame ({}) is gone (its page navigated or the frame element was removed); switch to the default content or the parent frame",
                        current.asked
                    )));
                }
            }
            let left = CONTEXT_WAIT.saturating_sub(start.elapsed());
            if left.is_zero() {
                return Err(BrowserError::NoSuchFrame(format!(
                    "the current frame ({}) is gone or has no document after {:.1}s; switch to the default content or the parent frame",
                    current.asked,
                    CONTEXT_WAIT.as_secs_f64()
                )));
            }
            let wait = if looked { left } else { GONE_CHECK_AFTER };
            let _ = tokio::time::timeout(wait, rx.changed()).await;
        }
    }

    /// Makes the frame `frame` of the current frame the current one.
    pub async fn switch_to_frame(&self, frame: &FrameRef) -> Result<(), BrowserError> {
        let context = self.frame_context().await?;
        let (by, value) = match frame {
            FrameRef::Index(i) => ("index", json!(i)),
            FrameRef::NameOrId(n) => ("name", json!(n)),
            FrameRef::Css(c) => ("css", json!(c)),
        };
        let found = self
            .call_function_in(FIND_FRAME, &[json!(by), value], context)
            .await?;
        let Some(index) = found.get("index").and_then(Value::as_u64) else {
            let error = found["error"].as_str().unwrap_or("no such frame");
            let frames = found["frames"].as_array().map(|list| {
                let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
                if names.is_empty() {
                    "the document has no frames".to_string()
                } else {
                    format!("its frames: {}", names.join(", "))
                }
            });
            return Err(BrowserError::NoSuchFrame(match frames {
                Some(frames) => format!("{frame}: {error} in {}; {frames}", self.frame_name()),
                None => format!("{frame}: {error}"),
            }));
        };
        let mut params = json!({
            "expression": format!("document.querySelectorAll('iframe, frame')[{index}]"),
            "returnByValue": false,
        });
        if let Some(id) = context {
            params["contextId"] = json!(id);
        }
        let what = format!("switching to {frame}");
        let element = self
            .cdp("Runtime.evaluate", params)
            .await
            .map_err(doing(&what))?;
        let object = element["result"]["objectId"].clone();
        let node = self
            .cdp("DOM.describeNode", json!({ "objectId": object }))
            .await
            .map_err(doing(&what))?;
        let _ = self
            .cdp("Runtime.releaseObject", json!({ "objectId": object }))
            .await;
        let Some(frame_id) = node["node"]["frameId"].as_str() else {
            return Err(BrowserError::NoSuchFrame(format!(
                "{frame}: the frame element has no document"
            )));
        };
        let mut chain = self.state.frames.chain();
        chain.push(Entry {
            frame_id: frame_id.to_string(),
            asked: frame.to_string(),
        });
        self.state.frames.set_chain(chain);
        Ok(())
    }

    /// Switches from the top document through `frames` in turn.
    pub async fn frame_chain(&self, frames: &[FrameRef]) -> Result<(), BrowserError> {
        self.switch_to_default_content();
        for frame in frames {
            self.switch_to_frame(frame).await?;
        }
        Ok(())
    }

    /// Makes the parent of the current frame the current one (nothing at the top).
    pub fn switch_to_parent_frame(&self) {
        let mut chain = self.state.frames.chain();
        chain.pop();
        self.state.frames.set_chain(chain);
    }

    /// Makes the top document the current one.
    pub fn switch_to_default_content(&self) {
        self.state.frames.set_chain(Vec::new());
    }

    /// How deep the current frame is (0 for the top document).
    pub fn frame_depth(&self) -> usize {
        self.state.frames.chain().len()
    }

    /// The current frame as it was asked for, e.g. `frame named "inner" in frame #0`.
    pub fn frame_name(&self) -> String {
        let chain = self.state.frames.chain();
        if chain.is_empty() {
            return "the top document".into();
        }
        chain
            .iter()
            .rev()
            .map(|e| e.asked.clone())
            .collect::<Vec<_>>()
            .join(" in ")
    }

    /// Where the current frame's viewport starts in the top page's viewport, in CSS pixels:
    /// the sum over the chain of each frame element's box plus its border and padding.
    pub async fn frame_offset(&self) -> Result<(f64, f64), BrowserError> {
        let (mut x, mut y) = (0.0, 0.0);
        for entry in self.state.frames.chain() {
            let what = format!("measuring where {} is", entry.asked);
            let owner = self
                .cdp("DOM.getFrameOwner", json!({ "frameId": entry.frame_id }))
                .await
                .map_err(doing(&what))?;
            let node = self
                .cdp(
                    "DOM.resolveNode",
                    json!({ "backendNodeId": owner["backendNodeId"] }),
                )
                .await
                .map_err(doing(&what))?;
            let object = node["object"]["objectId"].clone();
            let at = self
                .cdp(
                    "Runtime.callFunctionOn",
                    json!({
                        "objectId": object,
                        "functionDeclaration": "function() { const r = this.getBoundingClientRect(); const s = getComputedStyle(this); const px = (v) => parseFloat(v) || 0; return [r.left + px(s.borderLeftWidth) + px(s.paddingLeft), r.top + px(s.borderTopWidth) + px(s.paddingTop)]; }",
                        "returnByValue": true,
                    }),
                )
                .await
                .map_err(doing(&what))?;
            let _ = self
                .cdp("Runtime.releaseObject", json!({ "objectId": object }))
                .await;
            let point = super::cdp::script_result(at)?;
            x += point[0].as_f64().unwrap_or_default();
            y += point[1].as_f64().unwrap_or_default();
        }
        Ok((x, y))
    }
}

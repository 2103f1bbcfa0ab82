//! Windows, frames and dialogs: tabs and windows of the flow's browser context (handles,
//! new, close, switch by handle, title or URL), window geometry, frames (Selenium's
//! `switch_to.frame`, parent, default content, a chain of selectors) and JavaScript dialogs
//! (accept, dismiss, read). A dialog a flow does not handle never blocks it: the executor
//! dismisses it and notes it in the action's record.

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::browser::{BrowserError, Dialog, FrameRef, WindowRect};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

fn rect(r: WindowRect) -> Value {
    json!({ "x": r.x, "y": r.y, "width": r.width, "height": r.height })
}

fn dialog(d: Dialog) -> Value {
    json!({ "type": d.kind, "text": d.message, "default_prompt": d.default_prompt })
}

async fn geometry(ctx: &mut Context, call: &Call, what: &str) -> Result<Value, ActionError> {
    let s = ctx.session().await?;
    let int = |name: &str| -> Result<Option<i64>, ActionError> {
        Ok(call.opt_f64(name)?.map(|v| v.round() as i64))
    };
    let r = match what {
        "maximize" => s.maximize().await?,
        "minimize" => s.minimize().await?,
        "fullscreen" => s.fullscreen().await?,
        "set" => {
            s.set_window_rect(int("x")?, int("y")?, int("width")?, int("height")?)
                .await?
        }
        "position" => s.set_window_rect(int("x")?, int("y")?, None, None).await?,
        _ => s.window_rect().await?,
    };
    Ok(match what {
        "get_position" => json!({ "x": r.x, "y": r.y }),
        _ => rect(r),
    })
}

async fn handles(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.session().await?.window_handles().await?))
}

async fn current_handle(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.session().await?.current_window_handle()))
}

async fn new_window(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let kind = call.opt_str("type_hint")?.unwrap_or("tab").to_string();
    let handle = ctx.session().await?.new_window(&kind).await?;
    ctx.switch_to_window(&handle).await?;
    Ok(json!(handle))
}

async fn close_window(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.close_window().await?))
}

/// Switches to the oldest tab whose title or URL matches, waiting up to the action time-out
/// for one to match (a tab a click just opened may not have loaded its page yet).
async fn switch_window(ctx: &mut Context, call: &Call, by: &str) -> Result<Value, ActionError> {
    let pattern = call.str("pattern")?.to_string();
    let deadline = std::time::Instant::now() + ctx.settings.action_timeout;
    loop {
        let switched = match by {
            "title" => ctx.switch_to_window_by_title(&pattern).await,
            _ => ctx.switch_to_window_by_url(&pattern).await,
        };
        match switched {
            Ok(s) => return Ok(json!(s.current_window_handle())),
            Err(ActionError::Browser(BrowserError::NoSuchWindow(_)))
                if std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A frame as Selenium's `switch_to.frame` takes it: an index, or a name or id.
fn frame_ref(call: &Call, v: &Value) -> Result<FrameRef, ActionError> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .and_then(|i| u32::try_from(i).ok())
            .map(FrameRef::Index)
            .ok_or_else(|| {
                ActionError::BadArgument(format!(
                    "{}: a frame index is a whole number ≥ 0, got {n}",
                    call.command
                ))
            }),
        Value::String(s) => Ok(FrameRef::NameOrId(s.clone())),
        _ => Err(ActionError::BadArgument(format!(
            "{}: a frame is its index, or its name or id",
            call.command
        ))),
    }
}

async fn switch(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let kind = call.str("switch_type")?.to_ascii_lowercase();
    let target = call.get("switch_target_name").cloned();
    let session = ctx.session().await?;
    match kind.as_str() {
        "frame" => {
            let Some(t) = target else {
                return Err(ActionError::BadArgument(format!(
                    "{}: switching to a frame needs `switch_target_name` (its index, name or id)",
                    call.command
                )));
            };
            session.switch_to_frame(&frame_ref(call, &t)?).await?;
            ctx.set_current_element(None);
            Ok(json!(session.frame_name()))
        }
        "parent_frame" => {
            session.switch_to_parent_frame();
            ctx.set_current_element(None);
            nothing()
        }
        "default_content" => {
            session.switch_to_default_content();
            ctx.set_current_element(None);
            nothing()
        }
        "window" => {
            let handle = target.as_ref().and_then(Value::as_str).ok_or_else(|| {
                ActionError::BadArgument(format!(
                    "{}: switching to a window needs `switch_target_name` (its handle)",
                    call.command
                ))
            })?;
            ctx.switch_to_window(handle).await?;
            nothing()
        }
        "alert" => Ok(dialog(session.wait_dialog(ctx.settings.action_timeout).await?)),
        "active_element" => Ok(session
            .evaluate("(() => { const e = document.activeElement; return e ? '<' + e.tagName.toLowerCase() + (e.id ? ' id=\"' + e.id + '\"' : '') + '>' : null; })()")
            .await?),
        other => Err(ActionError::BadArgument(format!(
            "{}: unknown switch_type {other:?}; use frame, parent_frame, default_content, window, alert or active_element",
            call.command
        ))),
    }
}

async fn frame_chain(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let selectors: Vec<FrameRef> = call
        .strings("selectors")
        .into_iter()
        .map(FrameRef::Css)
        .collect();
    let session = ctx.session().await?;
    session.frame_chain(&selectors).await?;
    ctx.set_current_element(None);
    Ok(json!(session.frame_name()))
}

async fn back_to_default(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.session().await?.switch_to_default_content();
    ctx.set_current_element(None);
    nothing()
}

async fn alert(ctx: &mut Context, call: &Call, what: &str) -> Result<Value, ActionError> {
    let session = ctx.session().await?;
    let open = session.wait_dialog(ctx.settings.action_timeout).await?;
    Ok(match what {
        "accept" => dialog(session.accept_dialog(call.opt_str("prompt_text")?).await?),
        "dismiss" => dialog(session.dismiss_dialog().await?),
        _ => json!(open.message),
    })
}

/// Whether `action` handles a dialog the action before it left open (the alert commands,
/// and `WR_switch` to `alert`): before it, the executor keeps a dialog open instead of
/// dismissing it.
pub fn handles_dialog(action: &crate::action::Action) -> bool {
    match action.command.as_str() {
        "WR_alert_accept" | "WR_alert_dismiss" | "WR_alert_text" => true,
        "WR_switch" => action
            .kwargs
            .get("switch_type")
            .or_else(|| action.args.first())
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("alert")),
        _ => false,
    }
}

const PATTERN: &[Param] = &[Param::req(
    "pattern",
    Kind::Str,
    "a substring, or else a regular expression",
)];

pub(super) fn register(r: &mut CommandRegistry) {
    type Geo = (&'static str, &'static str, &'static str, &'static [Param]);
    const GEOMETRY: &[Geo] = &[
        (
            "WR_maximize_window",
            "maximize",
            "Maximizes the browser window.",
            &[],
        ),
        (
            "WR_minimize_window",
            "minimize",
            "Minimizes the browser window.",
            &[],
        ),
        (
            "WR_fullscreen_window",
            "fullscreen",
            "Makes the browser window fill the screen.",
            &[],
        ),
        (
            "WR_get_window_rect",
            "get",
            "Reads the window's position and size.",
            &[],
        ),
        (
            "WR_get_window_position",
            "get_position",
            "Reads the window's position.",
            &[],
        ),
        (
            "WR_set_window_rect",
            "set",
            "Moves and resizes the window; what is not given stays.",
            params![
                Param::opt("x", Kind::Number, "left edge"),
                Param::opt("y", Kind::Number, "top edge"),
                Param::opt("width", Kind::Pixels, "width"),
                Param::opt("height", Kind::Pixels, "height"),
            ],
        ),
        (
            "WR_set_window_position",
            "position",
            "Moves the window.",
            params![
                Param::req("x", Kind::Number, "left edge"),
                Param::req("y", Kind::Number, "top edge"),
                Param::opt(
                    "window_handle",
                    Kind::Str,
                    "optional, only `current` (the Python WebRunner's default)"
                ),
            ],
        ),
    ];
    for &(name, what, summary, params) in GEOMETRY {
        r.register(
            name,
            doc(
                "windows",
                summary,
                params,
                "`{x, y, width, height}` of the window",
            ),
            handler(move |c, a| Box::pin(geometry(c, a, what))),
        );
    }
    r.register(
        "WR_get_window_handles",
        doc(
            "windows",
            "Lists the handles of the flow's tabs and windows, oldest first.",
            &[],
            "the handles",
        ),
        handler(|c, a| Box::pin(handles(c, a))),
    );
    r.register(
        "WR_get_current_window_handle",
        doc(
            "windows",
            "Reads the handle of the tab commands act on.",
            &[],
            "the handle",
        ),
        handler(|c, a| Box::pin(current_handle(c, a))),
    );
    r.register(
        "WR_new_window",
        doc(
            "windows",
            "Opens a new tab or window in the flow's browser context and switches to it.",
            params![Param::opt(
                "type_hint",
                Kind::Str,
                "optional, `tab` (default) or `window`"
            )],
            "its handle",
        ),
        handler(|c, a| Box::pin(new_window(c, a))),
    );
    r.register(
        "WR_close_window",
        doc(
            "windows",
            "Closes the current tab and switches to the oldest one left.",
            &[],
            "the handles left",
        ),
        handler(|c, a| Box::pin(close_window(c, a))),
    );
    r.register(
        "WR_switch_to_window_by_title",
        doc("windows", "Switches to the oldest tab whose title contains `pattern` (or matches it as a regular expression).", PATTERN, "its handle"),
        handler(|c, a| Box::pin(switch_window(c, a, "title"))),
    );
    r.register(
        "WR_switch_to_window_by_url",
        doc("windows", "Switches to the oldest tab whose URL contains `pattern` (or matches it as a regular expression).", PATTERN, "its handle"),
        handler(|c, a| Box::pin(switch_window(c, a, "url"))),
    );
    r.register(
        "WR_switch",
        doc(
            "windows",
            "Selenium's `switch_to`: `frame` (by index, name or id; element commands then act inside it), `parent_frame`, `default_content`, `window` (by handle), `alert` (waits for a dialog and returns it; handle it with WR_alert_accept or WR_alert_dismiss) or `active_element`.",
            params![
                Param::req("switch_type", Kind::Str, "frame, parent_frame, default_content, window, alert or active_element"),
                Param::opt("switch_target_name", Kind::Any, "the frame's index, name or id, or the window's handle"),
            ],
            "the frame's path, the dialog `{type, text, default_prompt}`, the active element's description, or null",
        ),
        handler(|c, a| Box::pin(switch(c, a))),
    );
    r.register(
        "WR_iframe_switch_chain",
        doc(
            "windows",
            "Switches from the top document into nested frames, each found by a CSS selector in the one before.",
            params![Param::req("selectors", Kind::Strings, "the frames' CSS selectors, outermost first")],
            "the frame's path",
        ),
        handler(|c, a| Box::pin(frame_chain(c, a))),
    );
    r.register(
        "WR_iframe_back_to_default",
        doc("windows", "Switches back to the top document.", &[], "null"),
        handler(|c, a| Box::pin(back_to_default(c, a))),
    );
    r.register(
        "WR_alert_accept",
        doc(
            "windows",
            "Accepts the open dialog (OK), answering a prompt with `prompt_text`; waits up to the action time-out for one to open.",
            params![Param::opt("prompt_text", Kind::Str, "optional: the answer to a prompt")],
            "the dialog `{type, text, default_prompt}`",
        ),
        handler(|c, a| Box::pin(alert(c, a, "accept"))),
    );
    r.register(
        "WR_alert_dismiss",
        doc(
            "windows",
            "Dismisses the open dialog (Cancel); waits up to the action time-out for one to open.",
            &[],
            "the dialog `{type, text, default_prompt}`",
        ),
        handler(|c, a| Box::pin(alert(c, a, "dismiss"))),
    );
    r.register(
        "WR_alert_text",
        doc(
            "windows",
            "Reads the open dialog's text; waits up to the action time-out for one to open.",
            &[],
            "the text",
        ),
        handler(|c, a| Box::pin(alert(c, a, "text"))),
    );
}

//! The page: scripts (synchronous and asynchronous), raw CDP, its source, screenshots,
//! scrolling, window size and cookies.

use std::path::Path;

use base64::Engine as _;
use serde_json::{json, Value};

use super::paths::{output_path, write_output, Target};
use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandDoc, CommandRegistry, Context, Kind, Param};

async fn execute_script(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let script = call.str("script")?.to_string();
    let args = match call.kwargs.get("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return Err(ActionError::BadArgument(format!(
                "{}: `args` must be a list",
                call.command
            )))
        }
    };
    Ok(ctx.session().await?.call_function(&script, &args).await?)
}

async fn execute_cdp(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let method = call.str("cmd")?.to_string();
    let params = call.get("cmd_args").cloned().unwrap_or(json!({}));
    Ok(ctx.session().await?.cdp(&method, params).await?)
}

async fn save_screenshot(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let full = call.opt_bool("full_page")?.unwrap_or(false);
    write_screenshot(ctx, call, full).await
}

async fn save_full_page_screenshot(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    write_screenshot(ctx, call, true).await
}

/// Writes a PNG of the page (the whole page when `full`) to the call's `file_path`.
async fn write_screenshot(
    ctx: &mut Context,
    call: &Call,
    full: bool,
) -> Result<Value, ActionError> {
    let given = Path::new(call.str("file_path")?);
    let path = output_path(&ctx.settings, &call.command, given, Target::File)?;
    let png = ctx.session().await?.screenshot(full).await?;
    write_output(&call.command, &path, &png)?;
    Ok(json!(path.display().to_string()))
}

async fn screenshot_base64(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    let png = ctx.session().await?.screenshot(false).await?;
    Ok(json!(base64::engine::general_purpose::STANDARD.encode(png)))
}

async fn page_source(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.session().await?.content().await?))
}

async fn scroll(ctx: &mut Context, script: &str) -> Result<Value, ActionError> {
    ctx.session().await?.evaluate(script).await?;
    nothing()
}

/// Starts the caller's script (`body`) with its arguments and a callback after them; the
/// callback stores what it is given in the page under `arguments[0]` for [`ASYNC_POLL`].
fn async_starter(body: &str) -> String {
    format!(
        r#"const __id = arguments[0];
const __args = Array.prototype.slice.call(arguments, 1);
const __store = (window.__webrunnerAsync = window.__webrunnerAsync || {{}});
__store[__id] = {{ done: false }};
const __done = (v) => {{
  if (!__store[__id] || __store[__id].done) return;
  __store[__id] = {{ done: true, value: v === undefined ? null : v }};
}};
(function() {{ {body}
}}).apply(null, __args.concat([__done]));
return true;"#
    )
}

/// Reads (and forgets) the outcome of the asynchronous script `arguments[0]`: `{done}`,
/// `{done, value}`, or `{gone}` when the page was replaced meanwhile.
const ASYNC_POLL: &str = r#"const s = window.__webrunnerAsync && window.__webrunnerAsync[arguments[0]];
if (!s) return { gone: true };
if (!s.done) return { done: false };
delete window.__webrunnerAsync[arguments[0]];
return { done: true, value: s.value };"#;

async fn execute_async_script(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = format!(
        "s{}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let script = call.str("script")?;
    let mut args = vec![json!(id)];
    if let Some(Value::Array(a)) = call.get("args") {
        args.extend(a.iter().cloned());
    }
    let limit = ctx.settings.script_timeout;
    let session = ctx.session().await?;
    session.call_function(&async_starter(script), &args).await?;
    let start = std::time::Instant::now();
    loop {
        let state = session.call_function(ASYNC_POLL, &[json!(id)]).await?;
        if state.get("gone") == Some(&Value::Bool(true)) {
            return Err(ActionError::Failed(format!(
                "{}: the page was replaced before the script called its callback",
                call.command
            )));
        }
        if state.get("done") == Some(&Value::Bool(true)) {
            return Ok(state.get("value").cloned().unwrap_or(Value::Null));
        }
        if start.elapsed() >= limit {
            return Err(ActionError::Failed(format!(
                "{}: timed out after {:.1}s waiting for the script to call its callback (its last argument); the script time-out is set by WR_set_script_timeout",
                call.command,
                limit.as_secs_f64()
            )));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn window_size(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let (Some(w), Some(h)) = (call.opt_u32("width")?, call.opt_u32("height")?) else {
        return Err(ActionError::BadArgument(format!(
            "{}: give `width` and `height`",
            call.command
        )));
    };
    let session = ctx.session().await?;
    let (width, height) = session.set_window_size(w, h).await?;
    Ok(json!({ "width": width, "height": height }))
}

async fn get_cookies(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    let v = ctx
        .session()
        .await?
        .cdp("Network.getCookies", json!({}))
        .await?;
    Ok(v.get("cookies").cloned().unwrap_or(json!([])))
}

async fn add_cookie(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    // Selenium's form: one `cookie_dict`; ours: its fields as parameters.
    let mut cookie = match call.get("cookie_dict") {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for key in ["name", "value", "url", "domain", "path"] {
        if let Some(v) = call.get(key) {
            cookie.insert(key.into(), v.clone());
        }
    }
    for key in ["name", "value"] {
        if !cookie.get(key).is_some_and(Value::is_string) {
            return Err(ActionError::BadArgument(format!(
                "{}: the cookie needs a `{key}` (a string), in `cookie_dict` or as a parameter",
                call.command
            )));
        }
    }
    ctx.session()
        .await?
        .set_cookie(Value::Object(cookie))
        .await?;
    nothing()
}

async fn delete_all_cookies(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.session()
        .await?
        .cdp("Network.clearBrowserCookies", json!({}))
        .await?;
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    const SCRIPT: CommandDoc = doc(
            "page",
            "Runs a JavaScript function body in the page (`arguments` holds `args`); promises are awaited.",
            params![
                Param::req("script", Kind::Str, "the function body, e.g. `return document.title`"),
                Param::opt("args", Kind::List, "optional: the arguments the script gets as `arguments` (the remaining args)").rest(),
            ],
            "what the script returns, as JSON",
        )
        .scripted();
    r.register(
        "WR_execute_script",
        SCRIPT,
        handler(|c, a| Box::pin(execute_script(c, a))),
    );
    const CDP: CommandDoc = doc(
        "page",
        "Sends a raw DevTools protocol command to the page.",
        params![
            Param::req("cmd", Kind::Str, "`Domain.method`").aka(&["method"]),
            Param::opt("cmd_args", Kind::Object, "optional object").aka(&["params"]),
        ],
        "the command's result object",
    )
    .scripted();
    r.register(
        "WR_execute_cdp_cmd",
        CDP.also(&["WR_cdp"]),
        handler(|c, a| Box::pin(execute_cdp(c, a))),
    );
    r.register(
        "WR_save_screenshot",
        doc(
            "page",
            "Writes a PNG of the page to a file (parent folders are created). A relative path is relative to the run's output folder; under `--no-scripts` the file must be inside it.",
            params![
                Param::req("file_path", Kind::Str, "the file").aka(&["path", "filename"]),
                Param::opt("full_page", Kind::Bool, "optional, default false: capture beyond the viewport"),
            ],
            "the path written",
        ),
        handler(|c, a| Box::pin(save_screenshot(c, a))),
    );
    r.register(
        "WR_save_full_page_screenshot",
        doc(
            "page",
            "Writes a PNG of the whole page, beyond the viewport, to a file (as `WR_save_screenshot` with `full_page`).",
            params![Param::req("file_path", Kind::Str, "the file").aka(&["path", "filename"])],
            "the path written",
        ),
        handler(|c, a| Box::pin(save_full_page_screenshot(c, a))),
    );
    r.register(
        "WR_get_screenshot_as_png",
        doc(
            "page",
            "Takes a PNG of the viewport. JSON cannot hold bytes, so the PNG comes back base64-encoded (the same as `WR_get_screenshot_as_base64`).",
            &[],
            "the PNG, base64-encoded (string)",
        ),
        handler(|c, a| Box::pin(screenshot_base64(c, a))),
    );
    r.register(
        "WR_get_screenshot_as_base64",
        doc(
            "page",
            "Takes a PNG of the viewport.",
            &[],
            "the PNG, base64-encoded (string)",
        ),
        handler(|c, a| Box::pin(screenshot_base64(c, a))),
    );
    r.register(
        "WR_get_page_source",
        doc(
            "page",
            "Reads the page's HTML as it is now (the live DOM, serialised).",
            &[],
            "the HTML (string)",
        ),
        handler(|c, a| Box::pin(page_source(c, a))),
    );
    r.register(
        "WR_scroll_to_top",
        doc("page", "Scrolls the page to its top.", &[], "null"),
        handler(|c, _a| Box::pin(scroll(c, "window.scrollTo(0, 0)"))),
    );
    r.register(
        "WR_scroll_to_bottom",
        doc("page", "Scrolls the page to its bottom.", &[], "null"),
        handler(|c, _a| {
            Box::pin(scroll(
                c,
                "window.scrollTo(0, document.documentElement.scrollHeight)",
            ))
        }),
    );
    const ASYNC: CommandDoc = doc(
            "page",
            "Runs an asynchronous JavaScript function body with Selenium's semantics: the script gets `args` as `arguments` and, after them, a callback as its last argument; the action returns what the callback is called with, and fails when it is not called within the script time-out (`WR_set_script_timeout`, default 30 s).",
            params![
                Param::req("script", Kind::Str, "the function body, e.g. `const done = arguments[arguments.length - 1]; setTimeout(() => done(42), 10)`"),
                Param::opt("args", Kind::List, "optional: the arguments before the callback (the remaining args)").rest(),
            ],
            "the value given to the callback, as JSON",
        )
        .scripted();
    r.register(
        "WR_execute_async_script",
        ASYNC,
        handler(|c, a| Box::pin(execute_async_script(c, a))),
    );
    r.register(
        "WR_set_window_size",
        doc(
            "page",
            "Resizes the browser window.",
            params![
                Param::req("width", Kind::Pixels, "CSS pixels, 1 to 16384"),
                Param::req("height", Kind::Pixels, "CSS pixels, 1 to 16384"),
            ],
            "`{width, height}` of the window afterwards",
        ),
        handler(|c, a| Box::pin(window_size(c, a))),
    );
    r.register(
        "WR_get_cookies",
        doc(
            "page",
            "Reads the cookies the page can see.",
            &[],
            "a list of CDP cookie objects",
        ),
        handler(|c, a| Box::pin(get_cookies(c, a))),
    );
    r.register(
        "WR_add_cookie",
        doc(
            "page",
            "Sets a cookie, for the current page's URL unless `url` or `domain` is given: Selenium's `cookie_dict` (`name`, `value`, `path`, `domain`, `secure`, `httpOnly`, `expiry`, `sameSite`) or its fields as parameters.",
            params![
                Param::opt("cookie_dict", Kind::Object, "the cookie, Selenium's form"),
                Param::opt("name", Kind::Str, "cookie name"),
                Param::opt("value", Kind::Str, "cookie value"),
                Param::opt("url", Kind::Str, "optional"),
                Param::opt("domain", Kind::Str, "optional"),
                Param::opt("path", Kind::Str, "optional"),
            ],
            "null",
        ),
        handler(|c, a| Box::pin(add_cookie(c, a))),
    );
    r.register(
        "WR_delete_all_cookies",
        doc("page", "Deletes every cookie of the browser.", &[], "null"),
        handler(|c, a| Box::pin(delete_all_cookies(c, a))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_async_starter_passes_the_callback_last_and_keeps_the_script() {
        let w = async_starter("arguments[arguments.length - 1](1)");
        assert!(w.contains("__args.concat([__done])"), "{w}");
        assert!(w.contains("{ arguments[arguments.length - 1](1)\n}"), "{w}");
    }
}

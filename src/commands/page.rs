//! The page: scripts, raw CDP, screenshots, window size and cookies.

use std::path::Path;

use serde_json::{json, Value};

use super::paths::{output_path, Target};
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
    let given = Path::new(call.str("file_path")?);
    let path = output_path(&ctx.settings, &call.command, given, Target::File)?;
    let full = call.opt_bool("full_page")?.unwrap_or(false);
    let png = ctx.session().await?.screenshot(full).await?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            ActionError::Failed(format!(
                "{}: cannot create {}: {e}",
                call.command,
                dir.display()
            ))
        })?;
    }
    webrunner_report::write_file_atomic(&path, &png).map_err(|e| {
        ActionError::Failed(format!(
            "{}: cannot write {}: {e}",
            call.command,
            path.display()
        ))
    })?;
    Ok(json!(path.display().to_string()))
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
    let name = call.str("name")?;
    let value = call.str("value")?;
    let session = ctx.session().await?;
    let mut params = json!({ "name": name, "value": value });
    match (call.opt_str("url")?, call.opt_str("domain")?) {
        (Some(url), _) => params["url"] = json!(url),
        (None, Some(domain)) => params["domain"] = json!(domain),
        (None, None) => params["url"] = json!(session.url().await?),
    }
    if let Some(path) = call.opt_str("path")? {
        params["path"] = json!(path);
    }
    let r = session.cdp("Network.setCookie", params).await?;
    if r.get("success") == Some(&Value::Bool(false)) {
        return Err(ActionError::Failed(format!(
            "the browser refused cookie {name:?}"
        )));
    }
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
    const SCRIPT: CommandDoc = CommandDoc {
        runs_script: true,
        ..doc(
            "page",
            "Runs a JavaScript function body in the page (`arguments` holds `args`); promises are awaited.",
            params![
                Param::req("script", Kind::Str, "the function body, e.g. `return document.title`"),
                Param::opt("args", Kind::List, "optional: the arguments the script gets as `arguments` (the remaining args)").rest(),
            ],
            "what the script returns, as JSON",
        )
    };
    r.register(
        "WR_execute_script",
        SCRIPT,
        handler(|c, a| Box::pin(execute_script(c, a))),
    );
    const CDP: CommandDoc = CommandDoc {
        runs_script: true,
        ..doc(
            "page",
            "Sends a raw DevTools protocol command to the page.",
            params![
                Param::req("cmd", Kind::Str, "`Domain.method`").aka(&["method"]),
                Param::opt("cmd_args", Kind::Object, "optional object").aka(&["params"]),
            ],
            "the command's result object",
        )
    };
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
            "Sets a cookie, for the current page's URL unless `url` or `domain` is given.",
            params![
                Param::req("name", Kind::Str, "cookie name"),
                Param::req("value", Kind::Str, "cookie value"),
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

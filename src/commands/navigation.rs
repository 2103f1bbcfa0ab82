//! Navigation: open a URL, move through history, reload, read the URL and title.

use std::time::Duration;

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::browser::WaitUntil;
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

/// How far a navigation must come (`wait_until`, default `load`) and for how long
/// (`timeout`, default the page-load time-out).
fn until(ctx: &Context, call: &Call) -> Result<(WaitUntil, Duration), ActionError> {
    let until = match call.opt_str("wait_until")? {
        Some(s) => s
            .parse::<WaitUntil>()
            .map_err(|e| ActionError::BadArgument(format!("{}: {e}", call.command)))?,
        None => WaitUntil::Load,
    };
    let timeout = call
        .opt_seconds("timeout")?
        .unwrap_or(ctx.settings.page_load_timeout);
    Ok((until, timeout))
}

async fn to_url(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let url = call.str("url")?;
    super::paths::check_url(&ctx.settings, &call.command, url)?;
    let (until, timeout) = until(ctx, call)?;
    ctx.session().await?.goto_with(url, until, timeout).await?;
    nothing()
}

async fn history(ctx: &mut Context, call: &Call, delta: i64) -> Result<Value, ActionError> {
    let (until, timeout) = until(ctx, call)?;
    let session = ctx.session().await?;
    if delta == 0 {
        session.reload_with(until, timeout).await?;
    } else {
        session.history_go_with(delta, until, timeout).await?;
    }
    nothing()
}

async fn load_state(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let mut renamed = call.clone();
    if let Some(state) = renamed.kwargs.remove("state") {
        renamed.kwargs.insert("wait_until".into(), state);
    }
    let (until, timeout) = until(ctx, &renamed)?;
    ctx.session()
        .await?
        .wait_for_load_state(until, timeout)
        .await?;
    nothing()
}

async fn current_url(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.session().await?.url().await?))
}

async fn title(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.session().await?.title().await?))
}

pub(super) fn register(r: &mut CommandRegistry) {
    const WAIT_UNTIL: Param = Param::opt(
        "wait_until",
        Kind::Str,
        "optional: `commit`, `domcontentloaded`, `load` (default) or `networkidle`",
    );
    const TIMEOUT: Param = Param::opt(
        "timeout",
        Kind::Seconds,
        "optional seconds; default the page-load time-out (30 s, WR_set_page_load_timeout)",
    );
    const URL: &[Param] = &[
        Param::req("url", Kind::Str, "the address to open"),
        WAIT_UNTIL,
        TIMEOUT,
    ];
    const HISTORY: &[Param] = &[WAIT_UNTIL, TIMEOUT];
    r.register(
        "WR_to_url",
        doc(
            "navigation",
            "Opens a URL and waits until the page has come as far as `wait_until` says (its `load` event unless told otherwise). A failed navigation says why (connection refused, name not resolved, …); a time-out says what the page reached.",
            URL,
            "null",
        ),
        handler(|c, a| Box::pin(to_url(c, a))),
    );
    r.register(
        "WR_back",
        doc("navigation", "Goes back one page in the tab's history and waits for the load; fails when there is none.", HISTORY, "null"),
        handler(|c, a| Box::pin(history(c, a, -1))),
    );
    r.register(
        "WR_forward",
        doc("navigation", "Goes forward one page in the tab's history and waits for the load; fails when there is none.", HISTORY, "null"),
        handler(|c, a| Box::pin(history(c, a, 1))),
    );
    r.register(
        "WR_refresh",
        doc(
            "navigation",
            "Reloads the page and waits for the load.",
            HISTORY,
            "null",
        )
        .also(&["WR_reload"]),
        handler(|c, a| Box::pin(history(c, a, 0))),
    );
    r.register(
        "WR_current_url",
        doc(
            "navigation",
            "Reads the page's URL.",
            &[],
            "the URL (string)",
        )
        .also(&["WR_get_current_url"]),
        handler(|c, a| Box::pin(current_url(c, a))),
    );
    r.register(
        "WR_title",
        doc(
            "navigation",
            "Reads the page's title.",
            &[],
            "the title (string)",
        )
        .also(&["WR_get_title"]),
        handler(|c, a| Box::pin(title(c, a))),
    );
    r.register(
        "WR_wait_for_load_state",
        doc(
            "navigation",
            "Waits until the current page has come as far as `state` (Playwright's `wait_for_load_state`).",
            params![
                Param::opt("state", Kind::Str, "optional: `commit`, `domcontentloaded`, `load` (default) or `networkidle`").aka(&["wait_until"]),
                TIMEOUT,
            ],
            "null",
        ),
        handler(|c, a| Box::pin(load_state(c, a))),
    );
}

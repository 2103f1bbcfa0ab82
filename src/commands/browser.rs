//! Opening and closing the browser.

use serde_json::json;

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context};

async fn open(ctx: &mut Context, _call: &Call) -> Result<serde_json::Value, ActionError> {
    if ctx.open_session().is_none() {
        ctx.open_browser().await?;
    }
    let session = ctx.session().await?;
    let ua = session.evaluate("navigator.userAgent").await?;
    Ok(json!({ "user_agent": ua }))
}

async fn quit(ctx: &mut Context, _call: &Call) -> Result<serde_json::Value, ActionError> {
    ctx.close_browser().await;
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    const OPEN: crate::executor::CommandDoc = doc(
        "browser",
        "Opens Chromium (headless unless the run is `--headed`). Commands that need a browser open one themselves, so this is optional.",
        &[],
        "`{user_agent}` of the browser",
    );
    const QUIT: crate::executor::CommandDoc = doc(
        "browser",
        "Closes the browser; a later browser command opens a fresh one.",
        &[],
        "null",
    );
    r.register(
        "WR_open_browser",
        OPEN,
        handler(|c, a| Box::pin(open(c, a))),
    );
    r.register(
        "WR_quit",
        QUIT.also(&["WR_quit_all", "WR_single_quit"]),
        handler(|c, a| Box::pin(quit(c, a))),
    );
}

//! Navigation: open a URL, move through history, reload, read the URL and title.

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

async fn to_url(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let url = call.str("url")?;
    super::paths::check_url(&ctx.settings, &call.command, url)?;
    ctx.session().await?.goto(url).await?;
    nothing()
}

async fn back(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.session().await?.history_go(-1).await?;
    nothing()
}

async fn forward(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.session().await?.history_go(1).await?;
    nothing()
}

async fn refresh(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.session().await?.reload().await?;
    nothing()
}

async fn current_url(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.session().await?.url().await?))
}

async fn title(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.session().await?.title().await?))
}

pub(super) fn register(r: &mut CommandRegistry) {
    const URL: &[Param] = params![Param::req("url", Kind::Str, "the address to open")];
    r.register(
        "WR_to_url",
        doc(
            "navigation",
            "Opens a URL and waits for the page to load.",
            URL,
            "null",
        ),
        handler(|c, a| Box::pin(to_url(c, a))),
    );
    r.register(
        "WR_back",
        doc("navigation", "Goes back one page in the tab's history and waits for the load; fails when there is none.", &[], "null"),
        handler(|c, a| Box::pin(back(c, a))),
    );
    r.register(
        "WR_forward",
        doc("navigation", "Goes forward one page in the tab's history and waits for the load; fails when there is none.", &[], "null"),
        handler(|c, a| Box::pin(forward(c, a))),
    );
    r.register(
        "WR_refresh",
        doc(
            "navigation",
            "Reloads the page and waits for the load.",
            &[],
            "null",
        )
        .also(&["WR_reload"]),
        handler(|c, a| Box::pin(refresh(c, a))),
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
}

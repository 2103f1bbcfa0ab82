//! Cookies, request headers, the user agent and URL blocking of the flow's tab, and what
//! the page logged and received: console messages and responses (kept from the moment the
//! tab opened), with the Python WebRunner's checks on them.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};
use webrunner_record::{ConsoleEntry, NetworkEntry};

async fn get_cookie(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let name = call.str("name")?;
    let cookies = ctx.session().await?.cookies().await?;
    Ok(cookies
        .into_iter()
        .find(|c| c["name"].as_str() == Some(name))
        .unwrap_or(Value::Null))
}

async fn delete_cookie(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    ctx.session()
        .await?
        .delete_cookie(call.str("name")?)
        .await?;
    nothing()
}

async fn headers(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let mut map = BTreeMap::new();
    if let Some(Value::Object(h)) = call.get("headers") {
        for (k, v) in h {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            map.insert(k.clone(), v);
        }
    }
    ctx.session().await?.set_extra_http_headers(map).await?;
    nothing()
}

async fn user_agent(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    ctx.session()
        .await?
        .set_user_agent(call.str("user_agent")?)
        .await?;
    nothing()
}

async fn block(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let patterns = call.strings("patterns");
    ctx.session().await?.block_urls(&patterns).await?;
    Ok(json!(patterns))
}

async fn unblock(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.session().await?.unblock_urls().await?;
    nothing()
}

/// A console message as the Python WebRunner lists it (`type`, `text`) with where it came
/// from.
fn message(m: &ConsoleEntry) -> Value {
    json!({ "type": m.level, "text": m.text, "url": m.url, "line": m.line, "column": m.column, "time": m.timestamp_ms })
}

fn response(r: &NetworkEntry) -> Value {
    json!({ "url": r.url, "method": r.method, "status": r.status, "mime_type": r.mime_type, "time": r.timestamp_ms })
}

/// The requests of the current tab that were answered.
fn answered(list: Vec<NetworkEntry>) -> impl Iterator<Item = NetworkEntry> {
    list.into_iter().filter(|r| r.status.is_some())
}

async fn console(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    let list = ctx.session().await?.console_messages();
    Ok(Value::Array(list.iter().map(message).collect()))
}

async fn responses(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    let list = ctx.session().await?.network_requests();
    Ok(Value::Array(answered(list).map(|r| response(&r)).collect()))
}

/// Up to three items of `bad`, for a failure message.
fn first_three(bad: &[Value]) -> String {
    let shown: Vec<String> = bad.iter().take(3).map(Value::to_string).collect();
    let more = bad.len().saturating_sub(3);
    format!(
        "{}{}",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

async fn no_console_errors(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    let list = ctx.session().await?.console_messages();
    let bad: Vec<Value> = list
        .iter()
        .filter(|m| m.level == "error")
        .map(message)
        .collect();
    if bad.is_empty() {
        return nothing();
    }
    Err(ActionError::Failed(format!(
        "{} console error{}: {}",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" },
        first_three(&bad)
    )))
}

async fn no_status_from(ctx: &mut Context, _call: &Call, from: i64) -> Result<Value, ActionError> {
    let list = ctx.session().await?.network_requests();
    let bad: Vec<Value> = answered(list)
        .filter(|r| r.status.is_some_and(|s| s >= from))
        .map(|r| response(&r))
        .collect();
    if bad.is_empty() {
        return nothing();
    }
    Err(ActionError::Failed(format!(
        "{} response{} with status {}: {}",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" },
        if from >= 500 { "5xx" } else { "4xx or 5xx" },
        first_three(&bad)
    )))
}

async fn get_log(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let kind = call.str("log_type")?;
    if kind != "browser" {
        return Err(ActionError::BadArgument(format!(
            "{}: log type {kind:?} is not kept; `browser` (the page's console) is",
            call.command
        )));
    }
    let list = ctx.session().await?.console_messages();
    Ok(Value::Array(
        list.iter()
            .map(|m| {
                let level = match m.level.as_str() {
                    "error" => "SEVERE",
                    "warning" => "WARNING",
                    "debug" | "verbose" => "DEBUG",
                    _ => "INFO",
                };
                json!({ "level": level, "message": m.text, "source": "console-api", "timestamp": m.timestamp_ms as i64 })
            })
            .collect(),
    ))
}

const NAME: &[Param] = &[Param::req("name", Kind::Str, "the cookie's name")];

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_get_cookie",
        doc(
            "network",
            "Reads one cookie the page can see.",
            NAME,
            "the cookie (CDP fields), or null",
        ),
        handler(|c, a| Box::pin(get_cookie(c, a))),
    );
    r.register(
        "WR_delete_cookie",
        doc(
            "network",
            "Deletes the cookie named `name` that the page can see.",
            NAME,
            "null",
        ),
        handler(|c, a| Box::pin(delete_cookie(c, a))),
    );
    r.register(
        "WR_set_extra_http_headers",
        doc(
            "network",
            "Sends these headers with every request of the tab from now on (replacing those set before).",
            params![Param::req("headers", Kind::Object, "header names and values")],
            "null",
        ),
        handler(|c, a| Box::pin(headers(c, a))),
    );
    r.register(
        "WR_set_user_agent",
        doc(
            "network",
            "Sets the user agent the tab's requests and `navigator.userAgent` show.",
            params![Param::req("user_agent", Kind::Str, "the user agent")],
            "null",
        ),
        handler(|c, a| Box::pin(user_agent(c, a))),
    );
    r.register(
        "WR_block_urls",
        doc(
            "network",
            "Makes requests whose URL matches a pattern fail (`*` is a wildcard), e.g. `*.png`.",
            params![Param::req("patterns", Kind::Strings, "the URL patterns")],
            "the patterns",
        ),
        handler(|c, a| Box::pin(block(c, a))),
    );
    r.register(
        "WR_unblock_urls",
        doc("network", "Lets every URL through again.", &[], "null"),
        handler(|c, a| Box::pin(unblock(c, a))),
    );
    r.register(
        "WR_console_messages",
        doc("network", "Lists what the page logged to its console (and uncaught exceptions, as errors) since the tab opened.", &[], "`[{type, text, url, line, column, time}]`"),
        handler(|c, a| Box::pin(console(c, a))),
    );
    r.register(
        "WR_network_responses",
        doc(
            "network",
            "Lists the responses the page received since the tab opened.",
            &[],
            "`[{url, method, status, mime_type, time}]`",
        ),
        handler(|c, a| Box::pin(responses(c, a))),
    );
    r.register(
        "WR_assert_no_console_errors",
        doc("network", "Fails when the page logged a console error or threw an uncaught exception since the tab opened, showing the first three.", &[], "null"),
        handler(|c, a| Box::pin(no_console_errors(c, a))),
    );
    r.register(
        "WR_assert_no_5xx",
        doc(
            "network",
            "Fails when a response since the tab opened had a 5xx status, showing the first three.",
            &[],
            "null",
        ),
        handler(|c, a| Box::pin(no_status_from(c, a, 500))),
    );
    r.register(
        "WR_assert_no_4xx_or_5xx",
        doc("network", "Fails when a response since the tab opened had a 4xx or 5xx status, showing the first three.", &[], "null"),
        handler(|c, a| Box::pin(no_status_from(c, a, 400))),
    );
    r.register(
        "WR_get_log",
        doc(
            "network",
            "Selenium's `get_log`: `browser` gives the console as `{level, message, source, timestamp}` (levels SEVERE, WARNING, INFO, DEBUG).",
            params![Param::req("log_type", Kind::Str, "`browser`")],
            "the entries",
        ),
        handler(|c, a| Box::pin(get_log(c, a))),
    );
}

//! Waits: for an element state, the URL, the title, the document's ready state or a script
//! condition, and plain sleeps. Polling waits look every 50 ms and end with "timed out after
//! Xs waiting for …; it is …" (the implicit wait is in `timeouts`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::browser::Element;
use crate::executor::{ActionError, Call, CommandDoc, CommandRegistry, Context, Kind, Param};

async fn explicit_wait(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let condition = call.opt_str("condition")?.unwrap_or("visible").to_string();
    let timeout = call
        .opt_seconds("timeout")?
        .unwrap_or(ctx.settings.wait_timeout);
    ctx.element(call)
        .await?
        .wait_for(&condition, timeout)
        .await?;
    nothing()
}

async fn wait_for_condition(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let script = call.str("script")?.to_string();
    let timeout = call
        .opt_seconds("timeout")?
        .unwrap_or(ctx.settings.wait_timeout);
    let session = ctx.session().await?;
    let start = Instant::now();
    loop {
        let v = session.call_function(&script, &[]).await?;
        let truthy = !matches!(v, Value::Null | Value::Bool(false))
            && v.as_f64() != Some(0.0)
            && v.as_str() != Some("");
        if truthy {
            return Ok(v);
        }
        if start.elapsed() >= timeout {
            return Err(ActionError::Failed(format!(
                "timed out after {:.1}s waiting for the script to return a truthy value",
                timeout.as_secs_f64()
            )));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// How often the polling waits look.
const POLL: Duration = Duration::from_millis(50);

/// The element states `WR_wait_for_element` takes, each with the condition it waits for.
const STATES: &[(&str, &str)] = &[
    ("attached", "present"),
    ("present", "present"),
    ("visible", "visible"),
    ("clickable", "clickable"),
    ("hidden", "hidden"),
    ("detached", "absent"),
    ("absent", "absent"),
];

/// The condition a `state` waits for, or an error listing the states.
fn condition_of(command: &str, state: &str) -> Result<&'static str, ActionError> {
    let s = state.trim().to_ascii_lowercase();
    STATES
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, c)| *c)
        .ok_or_else(|| {
            let names: Vec<&str> = STATES.iter().map(|(n, _)| *n).collect();
            ActionError::BadArgument(format!(
                "{command}: `state` {state:?} is not a state; use one of {}",
                names.join(", ")
            ))
        })
}

async fn wait_for_element(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let selector = call.str("selector")?;
    let by = call.opt_str("by")?.unwrap_or("css selector");
    let condition = condition_of(&call.command, call.opt_str("state")?.unwrap_or("visible"))?;
    let timeout = call
        .opt_seconds("timeout")?
        .unwrap_or(ctx.settings.wait_timeout);
    let locator = super::test_objects::selenium_locator(&call.command, "by", by, selector)?;
    let session = ctx.session().await?;
    let el = Element::new(session, locator.clone());
    if condition == "clickable" {
        wait_clickable(&el, timeout).await?;
    } else {
        el.wait_for(condition, timeout).await?;
    }
    if matches!(condition, "present" | "visible" | "clickable") {
        ctx.set_current_element(Some(locator));
        return Ok(json!(el.describe().await?));
    }
    nothing()
}

/// Waits until the element is visible and enabled (Selenium's `element_to_be_clickable`).
async fn wait_clickable(el: &Element, timeout: Duration) -> Result<(), ActionError> {
    let now = el.clone().with_timeout(Duration::ZERO);
    let start = Instant::now();
    loop {
        if now.is_visible().await? && now.is_enabled().await.unwrap_or(false) {
            return Ok(());
        }
        if start.elapsed() >= timeout {
            return Err(ActionError::Failed(format!(
                "timed out after {:.1}s waiting for {} to be clickable (visible and enabled)",
                timeout.as_secs_f64(),
                el.locator()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `read` until `holds` accepts what it read; on time-out the error says what was
/// awaited and what was read last. Errors while reading (a page being replaced) count as
/// "not yet" unless the session is dead.
async fn poll_until(
    ctx: &mut Context,
    timeout: Duration,
    what: &str,
    read: &str,
    holds: impl Fn(&str) -> bool,
) -> Result<Value, ActionError> {
    let session = ctx.session().await?;
    let start = Instant::now();
    loop {
        let last = match session.evaluate(read).await {
            Ok(v) => {
                let text = v.as_str().unwrap_or_default().to_string();
                if holds(&text) {
                    return Ok(json!(text));
                }
                format!("{text:?}")
            }
            Err(e) if e.is_fatal() => return Err(e.into()),
            Err(e) => format!("unreadable ({e})"),
        };
        if start.elapsed() >= timeout {
            return Err(ActionError::Failed(format!(
                "timed out after {:.1}s waiting for {what}; it is {last}",
                timeout.as_secs_f64()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn wait_for_url(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let pattern = call.str("pattern")?.to_string();
    let timeout = call
        .opt_seconds("timeout")?
        .unwrap_or(ctx.settings.wait_timeout);
    let what = format!("the URL to contain {pattern:?}");
    poll_until(ctx, timeout, &what, "location.href", |u| {
        u.contains(&pattern)
    })
    .await
}

async fn wait_for_title(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let pattern = call.str("pattern")?.to_string();
    let timeout = call
        .opt_seconds("timeout")?
        .unwrap_or(ctx.settings.wait_timeout);
    let what = format!("the title to contain {pattern:?}");
    poll_until(ctx, timeout, &what, "document.title", |t| {
        t.contains(&pattern)
    })
    .await
}

async fn wait_for_ready_state(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let timeout = call
        .opt_seconds("timeout")?
        .unwrap_or(Duration::from_secs(30));
    poll_until(
        ctx,
        timeout,
        "document.readyState to be \"complete\"",
        "document.readyState",
        |s| s == "complete",
    )
    .await
}

async fn explict_wait(_ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    call.seconds("wait_time")?;
    if call.get("method").is_some() {
        return Err(ActionError::BadArgument(format!(
            "{}: `method` is a Python callable, which a JSON flow cannot hold; wait with WR_wait_for_element, WR_wait_for_url, WR_wait_for_title or WR_wait_for_condition (a JavaScript condition) instead",
            call.command
        )));
    }
    nothing()
}

async fn sleep(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let d = call.seconds("seconds")?;
    let clock = ctx.clock.clone();
    clock.sleep(d).await;
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_explicit_wait",
        doc(
            "waits",
            "Waits until the element is `present`, `visible`, `hidden` or `absent`.",
            params![
                Param::opt("condition", Kind::Str, "optional, default `visible`"),
                Param::opt(
                    "timeout",
                    Kind::Seconds,
                    "optional seconds (0 to 86400), default 10"
                ),
            ],
            "null",
        )
        .on_element(),
        handler(|c, a| Box::pin(explicit_wait(c, a))),
    );
    const COND: CommandDoc = doc(
            "waits",
            "Runs a JavaScript function body (e.g. `return window.ready`) until it returns a truthy value.",
            params![
                Param::req("script", Kind::Str, "the function body"),
                Param::opt("timeout", Kind::Seconds, "optional seconds (0 to 86400), default 10"),
            ],
            "the truthy value",
        )
        .scripted();
    r.register(
        "WR_wait_for_condition",
        COND,
        handler(|c, a| Box::pin(wait_for_condition(c, a))),
    );
    const TIMEOUT_10: Param = Param::opt(
        "timeout",
        Kind::Seconds,
        "optional seconds (0 to 86400), default 10",
    );
    r.register(
        "WR_wait_for_element",
        doc(
            "waits",
            "Waits until the element `by` + `selector` names reaches `state`: `attached`/`present` (in the document), `visible`, `clickable` (visible and enabled), `hidden` (invisible or gone), `detached`/`absent` (gone). For `attached`, `visible` and `clickable` it becomes the current element.",
            params![
                Param::req("selector", Kind::Str, "what to look for, e.g. `#result`"),
                Param::opt("by", Kind::Str, "optional, default `css selector`: a Selenium strategy (`css selector`, `xpath`, `id`, `link text`, or `CSS_SELECTOR`, `XPATH`, …)"),
                TIMEOUT_10,
                Param::opt("state", Kind::Str, "optional, default `visible`"),
            ],
            "for `attached`, `visible` and `clickable` a short description of the element, else null",
        ),
        handler(|c, a| Box::pin(wait_for_element(c, a))),
    );
    r.register(
        "WR_wait_for_url",
        doc(
            "waits",
            "Waits until the page URL contains `pattern` (a plain substring, as Selenium's `url_contains`).",
            params![
                Param::req("pattern", Kind::Str, "the text the URL must contain"),
                TIMEOUT_10,
            ],
            "the URL",
        ),
        handler(|c, a| Box::pin(wait_for_url(c, a))),
    );
    r.register(
        "WR_wait_for_title",
        doc(
            "waits",
            "Waits until the page title contains `pattern` (a plain substring, as Selenium's `title_contains`).",
            params![
                Param::req("pattern", Kind::Str, "the text the title must contain"),
                TIMEOUT_10,
            ],
            "the title",
        ),
        handler(|c, a| Box::pin(wait_for_title(c, a))),
    );
    r.register(
        "WR_wait_for_ready_state",
        doc(
            "waits",
            "Waits until `document.readyState` is `complete`.",
            params![Param::opt(
                "timeout",
                Kind::Seconds,
                "optional seconds (0 to 86400), default 30"
            )],
            "`\"complete\"`",
        ),
        handler(|c, a| Box::pin(wait_for_ready_state(c, a))),
    );
    r.register(
        "WR_explict_wait",
        doc(
            "waits",
            "The Python WebRunner's explicit wait (its spelling). Without `method` it waits for nothing, as there; `method` (a Python callable) cannot come from JSON and is refused with a pointer to the waits that can.",
            params![
                Param::req("wait_time", Kind::Seconds, "seconds (0 to 86400)"),
                Param::opt("method", Kind::Any, "refused: a Python callable"),
                Param::opt("until_type", Kind::Bool, "optional, accepted: true waits until, false until not"),
            ],
            "null",
        ),
        handler(|c, a| Box::pin(explict_wait(c, a))),
    );
    r.register(
        "WR_sleep",
        doc(
            "waits",
            "Pauses the flow.",
            params![Param::req(
                "seconds",
                Kind::Seconds,
                "how long, in seconds (0 to 86400)"
            )],
            "null",
        ),
        handler(|c, a| Box::pin(sleep(c, a))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_map_to_conditions_and_others_are_refused() {
        assert_eq!(condition_of("c", "attached").unwrap(), "present");
        assert_eq!(condition_of("c", "Visible").unwrap(), "visible");
        assert_eq!(condition_of("c", "detached").unwrap(), "absent");
        assert_eq!(condition_of("c", "hidden").unwrap(), "hidden");
        assert_eq!(condition_of("c", "clickable").unwrap(), "clickable");
        let e = condition_of("WR_wait_for_element", "enabled")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("WR_wait_for_element: `state` \"enabled\""),
            "{e}"
        );
        assert!(e.contains("attached, present, visible, clickable"), "{e}");
    }
}

//! Waits: the implicit wait of element lookups, explicit waits for an element state or a
//! script condition, and plain sleeps.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::limits::{IMPLICIT_SECONDS, SLEEP_SECONDS, WAIT_TIMEOUT};
use super::{doc, handler, nothing, LOCATOR};
use crate::executor::{ActionError, Call, CommandDoc, CommandRegistry, Context, Param};

async fn implicitly_wait(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    ctx.settings.implicit_wait = IMPLICIT_SECONDS.required_duration(call)?;
    nothing()
}

async fn explicit_wait(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let condition = call
        .optional_str("condition", 0)?
        .unwrap_or("visible")
        .to_string();
    let timeout = WAIT_TIMEOUT
        .duration(call)?
        .unwrap_or(ctx.settings.wait_timeout);
    let saved = std::mem::replace(&mut ctx.settings.implicit_wait, Duration::ZERO);
    let el = ctx.element(call).await;
    ctx.settings.implicit_wait = saved;
    el?.wait_for(&condition, timeout).await?;
    nothing()
}

async fn wait_for_condition(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let script = call.required_str("script", 0)?.to_string();
    let timeout = WAIT_TIMEOUT
        .duration(call)?
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

async fn sleep(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let d = SLEEP_SECONDS.required_duration(call)?;
    let clock = ctx.clock.clone();
    clock.sleep(d).await;
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_implicitly_wait",
        doc(
            "waits",
            "Sets how long element commands wait for their element to appear (default 0).",
            &[Param {
                name: "seconds",
                doc: "the wait, in seconds (0 to 86400)",
            }],
            "null",
        ),
        handler(|c, a| Box::pin(implicitly_wait(c, a))),
    );
    r.register(
        "WR_explicit_wait",
        doc(
            "waits",
            "Waits until the element is `present`, `visible`, `hidden` or `absent`.",
            &[
                Param {
                    name: "condition",
                    doc: "optional, default `visible`",
                },
                Param {
                    name: "timeout",
                    doc: "optional seconds (0 to 86400), default 10",
                },
                LOCATOR,
            ],
            "null",
        ),
        handler(|c, a| Box::pin(explicit_wait(c, a))),
    );
    const COND: CommandDoc = CommandDoc {
        runs_script: true,
        ..doc(
            "waits",
            "Runs a JavaScript function body (e.g. `return window.ready`) until it returns a truthy value.",
            &[
                Param { name: "script", doc: "the function body" },
                Param { name: "timeout", doc: "optional seconds (0 to 86400), default 10" },
            ],
            "the truthy value",
        )
    };
    r.register(
        "WR_wait_for_condition",
        COND,
        handler(|c, a| Box::pin(wait_for_condition(c, a))),
    );
    r.register(
        "WR_sleep",
        doc(
            "waits",
            "Pauses the flow.",
            &[Param {
                name: "seconds",
                doc: "how long, in seconds (0 to 86400)",
            }],
            "null",
        ),
        handler(|c, a| Box::pin(sleep(c, a))),
    );
}

//! Waits: the implicit wait of element lookups, explicit waits for an element state or a
//! script condition, and plain sleeps.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandDoc, CommandRegistry, Context, Kind, Param};

async fn implicitly_wait(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    ctx.settings.action_timeout = call.seconds("time_to_wait")?;
    nothing()
}

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

async fn sleep(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let d = call.seconds("seconds")?;
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
            params![Param::req(
                "time_to_wait",
                Kind::Seconds,
                "the wait, in seconds (0 to 86400)"
            )
            .aka(&["seconds"])],
            "null",
        ),
        handler(|c, a| Box::pin(implicitly_wait(c, a))),
    );
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
    const COND: CommandDoc = CommandDoc {
        runs_script: true,
        ..doc(
            "waits",
            "Runs a JavaScript function body (e.g. `return window.ready`) until it returns a truthy value.",
            params![
                Param::req("script", Kind::Str, "the function body"),
                Param::opt("timeout", Kind::Seconds, "optional seconds (0 to 86400), default 10"),
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

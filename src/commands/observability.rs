//! Observability settings reachable from a flow: the failure screenshot folder and the retry
//! policy.

use serde_json::Value;

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Param};

async fn set_screenshot_dir(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let path = std::path::PathBuf::from(call.required_str("path", 0)?);
    ctx.set_failure_screenshot_dir(&path)
        .map_err(|e| ActionError::Failed(format!("cannot create {}: {e}", path.display())))?;
    nothing()
}

async fn set_retry_policy(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let retries = call.optional_f64("retries", 0)?.unwrap_or(0.0);
    let backoff = call.optional_f64("backoff", 1)?.unwrap_or(0.0);
    ctx.set_retry_policy(retries, backoff);
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_set_failure_screenshot_dir",
        doc(
            "observability",
            "Failed actions from here on write a PNG of the page into this folder (created).",
            &[Param {
                name: "path",
                doc: "the folder",
            }],
            "null",
        ),
        handler(|c, a| Box::pin(set_screenshot_dir(c, a))),
    );
    r.register(
        "WR_set_retry_policy",
        doc(
            "observability",
            "Actions from here on get `retries` more attempts, sleeping `backoff × k` seconds after failed attempt k; negative values count as 0.",
            &[
                Param { name: "retries", doc: "extra attempts" },
                Param { name: "backoff", doc: "seconds" },
            ],
            "null",
        ),
        handler(|c, a| Box::pin(set_retry_policy(c, a))),
    );
}

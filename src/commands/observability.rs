//! Observability settings reachable from a flow: the failure screenshot folder and the retry
//! policy.

use std::path::Path;

use serde_json::Value;

use super::paths::{output_path, Target};
use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

async fn set_screenshot_dir(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let given = Path::new(call.str("path")?);
    let dir = output_path(&ctx.settings, &call.command, given, Target::Folder)?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        ActionError::Failed(format!(
            "{}: cannot create {}: {e}",
            call.command,
            dir.display()
        ))
    })?;
    // For an untrusted flow, checked again now that it exists (the path is absolute by
    // now): a folder swapped for a symlink meanwhile is caught.
    let dir = if ctx.settings.scripts_enabled {
        dir
    } else {
        output_path(&ctx.settings, &call.command, &dir, Target::Folder)?
    };
    ctx.settings.screenshot_dir = Some(dir);
    nothing()
}

async fn set_retry_policy(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let retries = call.opt_f64("retries")?.unwrap_or(0.0);
    let backoff = call.opt_f64("backoff")?.unwrap_or(0.0);
    ctx.settings
        .set_retry_policy(retries, backoff)
        .map_err(|e| ActionError::BadArgument(format!("{}: {e}", call.command)))?;
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_set_failure_screenshot_dir",
        doc(
            "observability",
            "Failed actions from here on write a PNG of the page into this folder (created). A relative path is relative to the run's output folder; under `--no-scripts` the folder must be inside it.",
            params![Param::req("path", Kind::Str, "the folder")],
            "null",
        ),
        handler(|c, a| Box::pin(set_screenshot_dir(c, a))),
    );
    r.register(
        "WR_set_retry_policy",
        doc(
            "observability",
            "Actions from here on get `retries` more attempts, sleeping `backoff × k` seconds after failed attempt k; negative values count as 0.",
            params![
                Param::opt("retries", Kind::Retries, "optional, default 0: extra attempts (at most 100)"),
                Param::opt("backoff", Kind::Backoff, "optional, default 0: seconds (at most 86400)"),
            ],
            "null",
        ),
        handler(|c, a| Box::pin(set_retry_policy(c, a))),
    );
}

//! Content-Security-Policy checks on what the flow's tab reported since it opened
//! (collected with `run --csp-report`, `Settings::csp_report`).

use serde_json::Value;

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};
use crate::probes::csp::{check_no_directive, check_none, CspError, CspViolation};

/// Every violation of the tab up to now; an error naming `--csp-report` when not collected.
async fn violations(ctx: &mut Context, call: &Call) -> Result<Vec<CspViolation>, ActionError> {
    if !ctx.settings.csp_report {
        return Err(ActionError::Failed(format!(
            "{}: Content-Security-Policy violations are not collected in this run; run it with --csp-report",
            call.command
        )));
    }
    let session = ctx.session().await?;
    session.flush_events(true).await;
    Ok(session.csp_violations())
}

fn failed(e: CspError) -> ActionError {
    match e {
        CspError::Browser(b) => ActionError::Browser(b),
        CspError::Violations(_) => ActionError::Failed(e.to_string()),
    }
}

async fn assert_none(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    check_none(violations(ctx, call).await?).map_err(failed)?;
    nothing()
}

async fn assert_no_directive(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let directive = call.str("directive")?.to_string();
    check_no_directive(violations(ctx, call).await?, &directive).map_err(failed)?;
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_csp_assert_none",
        doc(
            "csp",
            "Fails when the tab reported any Content-Security-Policy violation (enforced or report-only) since it opened, naming each one's directive and blocked URI. Needs `run --csp-report`.",
            &[],
            "null",
        ),
        handler(|c, a| Box::pin(assert_none(c, a))),
    );
    r.register(
        "WR_csp_assert_no_directive",
        doc(
            "csp",
            "Fails when the tab reported a violation of `directive` since it opened (`script-src` also matches `script-src-elem` and `script-src-attr`). Needs `run --csp-report`.",
            params![Param::req("directive", Kind::Str, "a CSP directive, e.g. `img-src`")],
            "null",
        ),
        handler(|c, a| Box::pin(assert_no_directive(c, a))),
    );
}

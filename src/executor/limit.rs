//! How long one attempt of an action may run before the executor stops it.

use std::time::Duration;

use super::{CommandDoc, Kind};
use crate::action::Action;
use crate::settings::Settings;

/// How long one attempt of `call` may take, and the setting that says so: a script
/// command its script time-out, a navigation its page-load time-out, an element command
/// its action time-out and then a page load (a click may open a page), anything else the
/// action time-out — each plus what the call asks to wait for itself (the sum of its
/// seconds parameters; a wait's `timeout` defaults to the wait time-out) and a margin for
/// the browser's round trips. A safety net: commands end their own waits first, with a
/// clearer error.
pub(super) fn attempt_limit(
    s: &Settings,
    doc: &CommandDoc,
    call: &Action,
    browser_open: bool,
) -> (Duration, &'static str) {
    let own = doc
        .params
        .iter()
        .filter(|p| p.kind == Kind::Seconds)
        .map(|p| match call.opt_seconds(p.name) {
            Ok(Some(d)) => d,
            _ if p.name == "timeout" => s.wait_timeout,
            _ => Duration::ZERO,
        })
        .fold(Duration::ZERO, Duration::saturating_add);
    let (base, what) = if doc.runs_script {
        (
            s.script_timeout,
            "the script time-out, WR_set_script_timeout",
        )
    } else if doc.group == "navigation" {
        (
            s.page_load_timeout,
            "the page-load time-out, WR_set_page_load_timeout",
        )
    } else if doc.locator {
        (
            s.action_timeout.saturating_add(s.page_load_timeout),
            "the action and page-load time-outs, --timeout",
        )
    } else {
        (s.action_timeout, "the action time-out, --timeout")
    };
    // A command that launches Chromium (the first one that needs a browser, or one that
    // starts a new one) may also take the launch's own time-out.
    let launch = if !browser_open || doc.group == "browser" {
        s.browser.launch_timeout
    } else {
        Duration::ZERO
    };
    let margin = Duration::from_secs(10);
    (
        base.saturating_add(own)
            .saturating_add(launch)
            .saturating_add(margin),
        what,
    )
}

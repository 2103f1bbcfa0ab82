//! Time-outs a flow sets for the rest of its run, under Selenium's names: how long element
//! actions wait for their element, navigations for their page and asynchronous scripts for
//! their callback.

use std::time::Duration;

use serde_json::Value;

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};
use crate::settings::Settings;

/// Which time-out a command sets.
#[derive(Debug, Clone, Copy)]
enum Which {
    Action,
    PageLoad,
    Script,
}

fn set(settings: &mut Settings, which: Which, d: Duration) {
    match which {
        Which::Action => settings.action_timeout = d,
        Which::PageLoad => settings.page_load_timeout = d,
        Which::Script => settings.script_timeout = d,
    }
}

async fn set_timeout(
    ctx: &mut Context,
    call: &Call,
    param: &str,
    which: Which,
) -> Result<Value, ActionError> {
    let d = call.seconds(param)?;
    set(&mut ctx.settings, which, d);
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    const ACTION: &str = "Sets how long element actions wait for their element to be actionable (attached, visible, stable, enabled, not covered) before they fail, for the rest of the flow (default 5 s or `--timeout`).";
    r.register(
        "WR_implicitly_wait",
        doc(
            "timeouts",
            ACTION,
            params![Param::req(
                "time_to_wait",
                Kind::Seconds,
                "the wait, in seconds (0 to 86400)"
            )
            .aka(&["seconds"])],
            "null",
        ),
        handler(|c, a| Box::pin(set_timeout(c, a, "time_to_wait", Which::Action))),
    );
    r.register(
        "WR_set_timeout",
        doc(
            "timeouts",
            ACTION,
            params![Param::req(
                "timeout",
                Kind::Seconds,
                "the wait, in seconds (0 to 86400)"
            )],
            "null",
        ),
        handler(|c, a| Box::pin(set_timeout(c, a, "timeout", Which::Action))),
    );
    r.register(
        "WR_set_page_load_timeout",
        doc(
            "timeouts",
            "Sets how long a navigation waits for its page to load, for the rest of the flow (default 30 s).",
            params![Param::req(
                "time_to_wait",
                Kind::Seconds,
                "seconds (0 to 86400)"
            )],
            "null",
        ),
        handler(|c, a| Box::pin(set_timeout(c, a, "time_to_wait", Which::PageLoad))),
    );
    r.register(
        "WR_set_script_timeout",
        doc(
            "timeouts",
            "Sets how long `WR_execute_async_script` waits for its script to call back, for the rest of the flow (default 30 s).",
            params![Param::req(
                "time_to_wait",
                Kind::Seconds,
                "seconds (0 to 86400)"
            )],
            "null",
        ),
        handler(|c, a| Box::pin(set_timeout(c, a, "time_to_wait", Which::Script))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_command_sets_its_own_time_out() {
        let mut s = Settings::default();
        set(&mut s, Which::Action, Duration::from_secs(2));
        set(&mut s, Which::PageLoad, Duration::from_secs(3));
        set(&mut s, Which::Script, Duration::from_secs(4));
        assert_eq!(s.action_timeout, Duration::from_secs(2));
        assert_eq!(s.page_load_timeout, Duration::from_secs(3));
        assert_eq!(s.script_timeout, Duration::from_secs(4));
    }
}

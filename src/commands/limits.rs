//! The numeric parameters of the built-in commands (seconds, retries, back-off, window
//! sizes), in one table that both the commands and the check made before a run read: a
//! number a command would refuse is refused before anything runs.

use std::time::Duration;

use crate::action::Flow;
use crate::executor::{ActionError, Call};
use crate::settings::{checked_backoff, checked_retries, checked_seconds, LimitError};

/// Largest window width or height accepted, in CSS pixels.
pub const MAX_WINDOW_PIXELS: u32 = 16_384;

/// Which check a number goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A sleep, wait or time-out: [`checked_seconds`].
    Seconds,
    /// A retry count: [`checked_retries`].
    Retries,
    /// A back-off: [`checked_backoff`].
    Backoff,
    /// A window dimension: a whole number from 1 to [`MAX_WINDOW_PIXELS`].
    Pixels,
}

/// A number that passed its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    /// Seconds or back-off.
    Duration(Duration),
    /// Retries or pixels.
    Count(u32),
}

/// One numeric parameter of a command: its name (kwarg), its position (arg) and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Number {
    pub(crate) name: &'static str,
    pub(crate) pos: usize,
    pub(crate) kind: Kind,
}

/// `WR_sleep`'s pause.
pub(crate) const SLEEP_SECONDS: Number = Number::new("seconds", 0, Kind::Seconds);
/// `WR_implicitly_wait`'s wait.
pub(crate) const IMPLICIT_SECONDS: Number = Number::new("seconds", 0, Kind::Seconds);
/// The time limit of `WR_explicit_wait` and `WR_wait_for_condition`.
pub(crate) const WAIT_TIMEOUT: Number = Number::new("timeout", 1, Kind::Seconds);
/// `WR_set_retry_policy`'s extra attempts.
pub(crate) const RETRIES: Number = Number::new("retries", 0, Kind::Retries);
/// `WR_set_retry_policy`'s back-off.
pub(crate) const BACKOFF: Number = Number::new("backoff", 1, Kind::Backoff);
/// `WR_set_window_size`'s width.
pub(crate) const WIDTH: Number = Number::new("width", 0, Kind::Pixels);
/// `WR_set_window_size`'s height.
pub(crate) const HEIGHT: Number = Number::new("height", 1, Kind::Pixels);

/// Every built-in command that takes numbers, with those numbers. The commands read their
/// numbers through these same entries.
pub(crate) const NUMBER_PARAMS: &[(&str, &[Number])] = &[
    ("WR_sleep", &[SLEEP_SECONDS]),
    ("WR_implicitly_wait", &[IMPLICIT_SECONDS]),
    ("WR_explicit_wait", &[WAIT_TIMEOUT]),
    ("WR_wait_for_condition", &[WAIT_TIMEOUT]),
    ("WR_set_retry_policy", &[RETRIES, BACKOFF]),
    ("WR_set_window_size", &[WIDTH, HEIGHT]),
];

/// How long `call` itself asks to wait (a sleep's seconds, a wait's time-out, `default_wait`
/// for a wait that names none), from the table above; zero for commands that wait for no
/// time of their own.
pub fn own_wait(call: &Call, default_wait: Duration) -> Duration {
    NUMBER_PARAMS
        .iter()
        .filter(|(name, _)| *name == call.command)
        .flat_map(|(_, numbers)| numbers.iter())
        .filter(|n| matches!(n.kind, Kind::Seconds))
        .map(|n| match n.duration(call) {
            Ok(Some(d)) => d,
            Ok(None) if n.name == WAIT_TIMEOUT.name => default_wait,
            _ => Duration::ZERO,
        })
        .fold(Duration::ZERO, |a, b| a.saturating_add(b))
}

impl Number {
    const fn new(name: &'static str, pos: usize, kind: Kind) -> Number {
        Number { name, pos, kind }
    }

    /// Checks `v` as this parameter's kind of number.
    pub(crate) fn check(&self, v: f64) -> Result<Checked, LimitError> {
        match self.kind {
            Kind::Seconds => checked_seconds(self.name, v).map(Checked::Duration),
            Kind::Backoff => checked_backoff(self.name, v).map(Checked::Duration),
            Kind::Retries => checked_retries(self.name, v).map(Checked::Count),
            Kind::Pixels => checked_pixels(self.name, v).map(Checked::Count),
        }
    }

    /// The parameter as given in `call` (kwarg or arg), unchecked; `None` when not given.
    /// For commands that hand the number to a check of their own ([`Settings`]'s).
    ///
    /// [`Settings`]: crate::settings::Settings
    pub(crate) fn raw(&self, call: &Call) -> Result<Option<f64>, ActionError> {
        call.optional_f64(self.name, self.pos)
    }

    /// The parameter as given in `call` (kwarg or arg), checked; `None` when not given. A
    /// value of the wrong type or out of range is a bad argument naming the command.
    pub(crate) fn read(&self, call: &Call) -> Result<Option<Checked>, ActionError> {
        let Some(v) = self.raw(call)? else {
            return Ok(None);
        };
        self.check(v)
            .map(Some)
            .map_err(|e| ActionError::BadArgument(format!("{}: {e}", call.command)))
    }

    /// The parameter as a duration (for seconds and back-off).
    pub(crate) fn duration(&self, call: &Call) -> Result<Option<Duration>, ActionError> {
        match self.read(call)? {
            Some(Checked::Duration(d)) => Ok(Some(d)),
            Some(Checked::Count(n)) => Ok(Some(Duration::from_secs(u64::from(n)))),
            None => Ok(None),
        }
    }

    /// The parameter as a whole number (for retries and pixels).
    pub(crate) fn count(&self, call: &Call) -> Result<Option<u32>, ActionError> {
        match self.read(call)? {
            Some(Checked::Count(n)) => Ok(Some(n)),
            Some(Checked::Duration(d)) => Ok(Some(u32::try_from(d.as_secs()).unwrap_or(u32::MAX))),
            None => Ok(None),
        }
    }

    /// The parameter as a duration; missing is a bad argument.
    pub(crate) fn required_duration(&self, call: &Call) -> Result<Duration, ActionError> {
        self.duration(call)?.ok_or_else(|| {
            ActionError::BadArgument(format!(
                "{}: missing argument `{}` (give it as kwarg \"{}\" or at args position {})",
                call.command, self.name, self.name, self.pos
            ))
        })
    }
}

/// A window dimension: a whole number of CSS pixels from 1 to [`MAX_WINDOW_PIXELS`].
fn checked_pixels(what: &str, v: f64) -> Result<u32, LimitError> {
    if v.fract() == 0.0 && (1.0..=f64::from(MAX_WINDOW_PIXELS)).contains(&v) {
        return Ok(v as u32);
    }
    Err(LimitError {
        what: what.to_string(),
        want: format!("a whole number of CSS pixels from 1 to {MAX_WINDOW_PIXELS}"),
        got: format!("{v:?}"),
    })
}

/// Why a flow's numbers were refused before it ran.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flow} action #{index} ({command}): {reason}")]
pub struct FlowNumberError {
    /// The flow's name (its file, usually).
    pub flow: String,
    /// The action's 0-based index, as in its record.
    pub index: usize,
    /// The command.
    pub command: String,
    /// What was wrong with which parameter.
    pub reason: String,
}

/// Checks the numeric parameters of every built-in command in `flow` (seconds, time-outs,
/// retries, back-off, window sizes) the way the commands themselves will, so a flow with
/// `["WR_sleep", [1e300]]` is refused before anything runs. The first bad number is the
/// error, e.g. `flow.json action #3 (WR_sleep): seconds must be a number of seconds from 0
/// to 86400, got 1e300`. Commands that take no numbers, and unknown commands, pass.
pub fn check_flow_numbers(flow: &Flow) -> Result<(), FlowNumberError> {
    for (index, action) in flow.actions.iter().enumerate() {
        let Some((_, numbers)) = NUMBER_PARAMS.iter().find(|(c, _)| *c == action.command) else {
            continue;
        };
        for n in *numbers {
            let refused = |reason: String| FlowNumberError {
                flow: flow.name.clone(),
                index,
                command: action.command.clone(),
                reason,
            };
            // The command's own reading, less the command name its message starts with.
            if let Err(e) = n.read(action) {
                let text = e.to_string();
                let prefix = format!("{}: ", action.command);
                let reason = text.strip_prefix(&prefix).unwrap_or(&text).to_string();
                return Err(refused(reason));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::executor::CommandRegistry;

    fn flow(actions: Vec<Action>) -> Flow {
        Flow {
            name: "flow.json".into(),
            actions,
        }
    }

    #[test]
    fn a_huge_sleep_is_refused_before_the_run_naming_action_and_value() {
        let f = flow(vec![
            Action::new("WR_to_url").arg("about:blank"),
            Action::new("WR_sleep").arg(0.5),
            Action::new("WR_title"),
            Action::new("WR_sleep").arg(1e300),
        ]);
        let e = check_flow_numbers(&f).unwrap_err();
        assert_eq!(
            e.to_string(),
            "flow.json action #3 (WR_sleep): seconds must be a number of seconds from 0 to 86400, got 1e300"
        );
        assert_eq!(e.index, 3);
    }

    #[test]
    fn every_kind_of_bad_number_is_refused_by_name() {
        let cases = [
            (
                Action::new("WR_implicitly_wait").kwarg("seconds", -1.0),
                "seconds",
            ),
            (
                Action::new("WR_explicit_wait").kwarg("timeout", 1e20),
                "timeout",
            ),
            (
                Action::new("WR_wait_for_condition")
                    .arg("return 1")
                    .arg(1e300),
                "timeout",
            ),
            (Action::new("WR_sleep").kwarg("seconds", "1e300"), "seconds"),
            (
                Action::new("WR_set_retry_policy").kwarg("retries", 1e12),
                "retries",
            ),
            (
                Action::new("WR_set_retry_policy").arg(1).arg(1e300),
                "backoff",
            ),
            (Action::new("WR_set_window_size").arg(0).arg(600), "width"),
            (
                Action::new("WR_set_window_size")
                    .arg(800)
                    .arg(4_000_000_000u64),
                "height",
            ),
            (
                Action::new("WR_set_window_size").arg(800.5).arg(600),
                "width",
            ),
            (Action::new("WR_sleep").arg("soon"), "seconds"),
        ];
        for (action, param) in cases {
            let command = action.command.clone();
            let e = check_flow_numbers(&flow(vec![action])).unwrap_err();
            let text = e.to_string();
            assert!(
                text.starts_with(&format!("flow.json action #0 ({command}): ")),
                "{text}"
            );
            assert!(text.contains(param), "{text}");
        }
    }

    #[test]
    fn good_numbers_and_other_commands_pass() {
        let f = flow(vec![
            Action::new("WR_sleep").kwarg("seconds", 0),
            Action::new("WR_sleep").arg("86400"),
            Action::new("WR_implicitly_wait").arg(2.5),
            Action::new("WR_explicit_wait").arg("visible"),
            Action::new("WR_set_retry_policy")
                .kwarg("retries", -3)
                .kwarg("backoff", -1),
            Action::new("WR_set_window_size").arg(1280).arg(720),
            Action::new("WR_no_such_command").arg(1e300),
            Action::new("WR_to_url").arg("https://example.org"),
        ]);
        assert_eq!(check_flow_numbers(&f), Ok(()));
    }

    #[test]
    fn the_table_names_only_registered_commands_and_documented_parameters() {
        let r = CommandRegistry::with_builtins();
        for (command, numbers) in NUMBER_PARAMS {
            let entry = r.get(command).unwrap_or_else(|| panic!("{command}"));
            for n in *numbers {
                let documented = entry.doc.params.get(n.pos).map(|p| p.name);
                assert_eq!(documented, Some(n.name), "{command} at {}", n.pos);
            }
        }
    }

    #[test]
    fn documented_limits_are_the_checked_ones() {
        let r = CommandRegistry::with_builtins();
        for (command, numbers) in NUMBER_PARAMS {
            for n in *numbers {
                let doc = r.get(command).and_then(|e| e.doc.params.get(n.pos));
                let doc = doc.map(|p| p.doc).unwrap_or_default();
                let limit = match n.kind {
                    Kind::Seconds | Kind::Backoff => crate::settings::MAX_SECONDS.to_string(),
                    Kind::Retries => crate::settings::MAX_RETRIES.to_string(),
                    Kind::Pixels => MAX_WINDOW_PIXELS.to_string(),
                };
                assert!(doc.contains(&limit), "{command} {}: {doc}", n.name);
            }
        }
    }

    #[test]
    fn commands_report_a_bad_number_with_their_name_and_the_value() {
        let call = Action::new("WR_sleep").arg(1e300);
        let e = SLEEP_SECONDS.duration(&call).unwrap_err();
        assert!(matches!(e, ActionError::BadArgument(_)));
        assert_eq!(
            e.to_string(),
            "WR_sleep: seconds must be a number of seconds from 0 to 86400, got 1e300"
        );
        let call = Action::new("WR_set_window_size").arg(1e9).arg(1);
        assert!(WIDTH
            .count(&call)
            .unwrap_err()
            .to_string()
            .contains("got 1000000000.0"));
    }
}

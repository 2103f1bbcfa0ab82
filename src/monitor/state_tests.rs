//! The transition table: thresholds, recovery, no repeated alert while a status holds, the
//! cold start, and flap suppression.

use super::*;

fn rule(failure_threshold: u32, recovery_threshold: u32, flap: Option<(u32, u32)>) -> Rule {
    Rule {
        failure_threshold,
        recovery_threshold,
        flap: flap.map(|(k, n)| Flap::new(k, n).unwrap()),
    }
}

/// Feeds `runs` (`p` passed, `f` failed) to a fresh state and returns the status after each
/// run (`G`/`R`) and the runs that alerted, as `previous>current` at that index.
fn play(rule: Rule, runs: &str) -> (String, Vec<String>) {
    let mut state = CheckState::default();
    let mut statuses = String::new();
    let mut alerts = Vec::new();
    for (i, c) in runs.chars().enumerate() {
        let outcome = if c == 'p' {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        let t = state.observe(outcome, &rule);
        statuses.push(if t.current == CheckStatus::Red {
            'R'
        } else {
            'G'
        });
        if t.alert {
            let prev = t.previous.map_or("none", CheckStatus::as_str);
            alerts.push(format!("{i}:{prev}>{}", t.current));
        }
        if let Some(flap) = rule.flap {
            assert!(
                state.recent.len() <= flap.runs() as usize,
                "window trimmed to N"
            );
        } else {
            assert!(
                state.recent.is_empty(),
                "no window without flap suppression"
            );
        }
    }
    (statuses, alerts)
}

/// (failure threshold, recovery threshold, flap, runs, statuses, alerts)
type Row = (
    u32,
    u32,
    Option<(u32, u32)>,
    &'static str,
    &'static str,
    &'static [&'static str],
);

#[test]
fn transition_table() {
    let table: &[Row] = &[
        // Cold start: red on the first evaluation alerts (no previous), green does not.
        (1, 1, None, "f", "R", &["0:none>red"]),
        (1, 1, None, "p", "G", &[]),
        // One alert per change, none while the status holds.
        (1, 1, None, "fffff", "RRRRR", &["0:none>red"]),
        (1, 1, None, "ppppp", "GGGGG", &[]),
        (
            1,
            1,
            None,
            "pfffpp",
            "GRRRGG",
            &["1:green>red", "4:red>green"],
        ),
        // Below the failure threshold on a cold start the check is green, then turns red.
        (2, 1, None, "ff", "GR", &["1:green>red"]),
        // Failures must be consecutive: a pass resets the count.
        (3, 1, None, "ffpfff", "GGGGGR", &["5:green>red"]),
        (3, 1, None, "ffpffpff", "GGGGGGGG", &[]),
        // Recovery needs recovery_threshold passes in a row; a failure in between resets it.
        (1, 2, None, "fpfpp", "RRRRG", &["0:none>red", "4:red>green"]),
        (
            1,
            3,
            None,
            "fpppf",
            "RRRGR",
            &["0:none>red", "3:red>green", "4:green>red"],
        ),
        // Both thresholds together.
        (
            2,
            2,
            None,
            "pffpfpp",
            "GGRRRRG",
            &["2:green>red", "6:red>green"],
        ),
    ];
    for (ft, rt, flap, runs, statuses, alerts) in table {
        let (got, got_alerts) = play(rule(*ft, *rt, *flap), runs);
        assert_eq!(&got, statuses, "thresholds {ft}/{rt}, runs {runs}");
        assert_eq!(got_alerts, *alerts, "thresholds {ft}/{rt}, runs {runs}");
    }
}

#[test]
fn flap_suppression_ignores_a_single_failure_among_passes() {
    let (statuses, alerts) = play(rule(1, 1, Some((2, 5))), "ppfppppppfpp");
    assert_eq!(statuses, "GGGGGGGGGGGG");
    assert!(alerts.is_empty(), "{alerts:?}");
    // The same runs without flap suppression alert on every change.
    let (_, alerts) = play(rule(1, 1, None), "ppfppppppfpp");
    assert_eq!(alerts.len(), 4, "{alerts:?}");
}

#[test]
fn flap_suppression_alerts_once_for_a_check_that_alternates() {
    let (statuses, alerts) = play(rule(1, 1, Some((2, 5))), "pfpfpfpfpf");
    assert_eq!(statuses, "GGGRRRRRRR");
    assert_eq!(alerts, ["3:green>red"]);
}

#[test]
fn flap_suppression_turns_green_only_once_the_window_clears() {
    let (statuses, alerts) = play(rule(1, 1, Some((2, 5))), "ffpppp");
    // Red after the second failure; green only when fewer than 2 of the last 5 failed.
    assert_eq!(statuses, "GRRRRG");
    assert_eq!(alerts, ["1:green>red", "5:red>green"]);
}

#[test]
fn flap_suppression_still_needs_the_failure_threshold() {
    // 2 of the last 3 failed at run 2, but not 2 in a row until run 4.
    let (statuses, alerts) = play(rule(2, 1, Some((2, 3))), "pfpff");
    assert_eq!(statuses, "GGGGR");
    assert_eq!(alerts, ["4:green>red"]);
}

#[test]
fn a_restored_red_state_does_not_alert_again_and_recovers_with_an_alert() {
    let r = rule(1, 1, None);
    let mut state = CheckState::default();
    state.observe(Outcome::Failed, &r);
    let text = serde_json::to_string(&state).unwrap();
    let mut restored: CheckState = serde_json::from_str(&text).unwrap();
    let t = restored.observe(Outcome::Failed, &r);
    assert_eq!(
        (t.previous, t.current, t.alert),
        (Some(CheckStatus::Red), CheckStatus::Red, false)
    );
    let t = restored.observe(Outcome::Passed, &r);
    assert_eq!(
        (t.previous, t.current, t.alert),
        (Some(CheckStatus::Red), CheckStatus::Green, true)
    );
}

#[test]
fn a_smaller_flap_window_after_a_restart_trims_the_kept_runs() {
    let mut state = CheckState::default();
    for _ in 0..8 {
        state.observe(Outcome::Failed, &rule(1, 1, Some((3, 8))));
    }
    assert_eq!(state.recent.len(), 8);
    let t = state.observe(Outcome::Passed, &rule(1, 1, Some((1, 2))));
    assert_eq!(state.recent, [Outcome::Failed, Outcome::Passed]);
    assert_eq!(
        t.current,
        CheckStatus::Red,
        "1 of the last 2 failed: stays red"
    );
}

#[test]
fn flap_windows_parse_as_k_of_n() {
    let f: Flap = "2/5".parse().unwrap();
    assert_eq!((f.failures(), f.runs()), (2, 5));
    assert_eq!(f.to_string(), "2/5");
    assert_eq!(" 1 / 1 ".parse::<Flap>().unwrap(), Flap::new(1, 1).unwrap());
    for bad in ["", "2", "2/", "/5", "a/5", "2/b", "-1/5", "2/5/7"] {
        let e = bad.parse::<Flap>().unwrap_err().to_string();
        assert!(e.contains("expected K/N"), "{bad:?}: {e}");
    }
    for bad in ["0/5", "6/5", "0/0", "1/10001"] {
        let e = bad.parse::<Flap>().unwrap_err().to_string();
        assert!(e.contains("1 ≤ K ≤ N ≤ 10000"), "{bad:?}: {e}");
    }
}

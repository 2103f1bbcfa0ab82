//! The `webrunner` binary against hostile or careless input: numbers far out of range, an
//! output that is the input, control characters meant for the terminal, and untrusted flows
//! that try to write outside the output folder. None of these may panic or write where it
//! should not; bad input exits 2 with one line on stderr.

mod common;

use common::cli::{records, stderr, webrunner};

#[test]
fn a_sleep_of_1e300_seconds_exits_2_before_anything_runs_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flow.json"),
        r#"[["WR_title"], ["WR_sleep", [1e300]]]"#,
    )
    .unwrap();
    let o = webrunner(dir.path(), &["run", "flow.json", "--out", "out"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("action #1 (WR_sleep)"), "{err}");
    assert!(err.contains("1e300"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!dir.path().join("out/records.json").exists(), "nothing ran");
}

#[test]
fn a_monitor_interval_of_1e300_seconds_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.json"), r#"[["WR_title"]]"#).unwrap();
    for interval in ["1e300", "NaN", "inf"] {
        let o = webrunner(
            dir.path(),
            &[
                "monitor",
                "site.json",
                "--iterations",
                "1",
                "--interval",
                interval,
            ],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{interval}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("--interval"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
}

#[test]
fn replay_onto_its_own_records_file_is_refused_and_leaves_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.json");
    std::fs::write(&records, "[]").unwrap();
    std::os::unix::fs::symlink(&records, dir.path().join("link.html")).unwrap();
    for out in ["records.json", "./records.json", "link.html"] {
        let o = webrunner(dir.path(), &["replay", "records.json", "-o", out]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{out}: {err}");
        assert!(err.contains("is the records file"), "{err}");
        assert_eq!(std::fs::read_to_string(&records).unwrap(), "[]");
    }
    let o = webrunner(dir.path(), &["replay", "records.json", "-o", "replay.html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("replay.html").is_file());
}

#[test]
fn control_characters_in_a_command_name_reach_stderr_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flow.json"),
        r#"[["WR_\u001b]0;owned\u0007\u001b[2J"]]"#,
    )
    .unwrap();
    let o = webrunner(dir.path(), &["run", "flow.json", "--out", "out"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("#0 WR_\\x1b]0;owned\\x07\\x1b[2J"), "{err}");
}

#[test]
fn an_untrusted_flow_cannot_write_outside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::write(
        dir.path().join("flow.json"),
        format!(
            r#"[["WR_save_screenshot", ["../escaped.png"]],
                ["WR_set_failure_screenshot_dir", [{:?}]]]"#,
            outside.display().to_string()
        ),
    )
    .unwrap();
    let o = webrunner(
        dir.path(),
        &["run", "flow.json", "--out", "out", "--no-scripts"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!dir.path().join("escaped.png").exists());
    assert!(!outside.exists());
    let records = records(&dir.path().join("out"));
    assert_eq!(records.len(), 2);
    for r in &records {
        let e = r.error.as_deref().unwrap_or_default();
        assert!(e.contains("inside the output folder"), "{e}");
        assert!(e.starts_with(&r.command), "{e}");
    }
}

#[test]
fn an_untrusted_flow_cannot_open_file_urls_and_a_trusted_one_can() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.html"), "<title>secret</title>").unwrap();
    let url = format!("file://{}/secret.html", dir.path().display());
    std::fs::write(
        dir.path().join("flow.json"),
        serde_json::json!([["WR_to_url", {"url": url}], ["WR_title"]]).to_string(),
    )
    .unwrap();
    let o = webrunner(
        dir.path(),
        &["run", "flow.json", "--out", "out", "--no-scripts"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let untrusted = records(&dir.path().join("out"));
    let e = untrusted[0].error.as_deref().unwrap_or_default();
    assert!(e.contains("file:// URLs are not opened"), "{e}");
    assert_ne!(untrusted[1].result, serde_json::json!("secret"));
    let o = webrunner(dir.path(), &["run", "flow.json", "--out", "trusted"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let trusted = records(&dir.path().join("trusted"));
    assert_eq!(trusted[1].result, serde_json::json!("secret"));
}

#[test]
fn check_names_file_line_and_action_of_each_problem_without_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flow.json"),
        "[\n  [\"WR_to_url\", {\"url\": \"http://127.0.0.1:9/\"}],\n  [\"WR_element_click\", {\"csss\": \"#go\"}],\n  [\"WR_to_ulr\", [\"x\"]],\n  [\"WR_sleep\", {\"seconds\": \"soon\"}]\n]\n",
    )
    .unwrap();
    let o = webrunner(dir.path(), &["check", "flow.json"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("flow.json:3: action #1 (WR_element_click): unknown keyword `csss` (did you mean `css`?)"), "{out}");
    assert!(
        lines[1].starts_with("flow.json:4: action #2 (WR_to_ulr): unknown command"),
        "{out}"
    );
    assert!(lines[1].contains("did you mean WR_to_url?"), "{out}");
    assert!(
        lines[2].starts_with("flow.json:5: action #3 (WR_sleep): argument `seconds` must be"),
        "{out}"
    );
    assert_eq!(lines[3], "3 problems in 1 flow (4 actions)");
    let o = webrunner(dir.path(), &["check", "flow.json", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["line"], 3);
    assert_eq!(v[0]["index"], 1);
    std::fs::write(
        dir.path().join("ok.json"),
        r#"[["WR_to_url", ["http://x/"]]]"#,
    )
    .unwrap();
    let o = webrunner(dir.path(), &["check", "ok.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn run_prints_what_check_finds_before_it_starts_and_fails_just_that_action() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flow.json"),
        "[[\"WR_title\"],\n [\"WR_title\", {\"csss\": \"#x\"}]]",
    )
    .unwrap();
    let o = webrunner(dir.path(), &["run", "flow.json", "--out", "out"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("warning: flow.json:2: action #1 (WR_title): unknown keyword `csss`"),
        "{err}"
    );
    let records = records(&dir.path().join("out"));
    assert!(records[1]
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("unknown keyword `csss`"));
}

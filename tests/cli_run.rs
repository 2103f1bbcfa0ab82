//! The `webrunner` binary end to end: `run` and `demo` in a fresh temp folder per test,
//! exit codes (0 ok, 1 failed action, 2 bad input) and the output folder.

mod common;

use common::cli::{records, stderr, webrunner};

#[test]
fn bad_flow_files_exit_2_with_a_one_line_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, needle) in [
        (
            "broken.json",
            "[[\"WR_quit\"],\n oops]",
            "broken.json: not valid JSON at line 2, column 2",
        ),
        (
            "shape.json",
            "[[\"WR_quit\"], [1]]",
            "shape.json: action 1: the first element must be the command name",
        ),
        (
            "top.json",
            "{\"steps\": []}",
            "top.json: expected a list of actions",
        ),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
        let o = webrunner(dir.path(), &["run", name]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(needle), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            !dir.path().join("webrunner-out").exists(),
            "nothing runs on bad input"
        );
    }
    let o = webrunner(dir.path(), &["run", "missing.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.json"));
}

#[test]
fn a_failed_action_exits_1_and_leaves_records_and_a_screenshot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flow.json"),
        r##"{"webdriver_wrapper": [["WR_to_url", ["data:text/html,<title>T</title><p id=p>hi</p>"]], ["WR_assert_text", {"css": "#p", "text": "bye"}], ["WR_title"]]}"##,
    )
    .unwrap();
    let o = webrunner(
        dir.path(),
        &["run", "flow.json", "--out", "out", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["summary"]["failed"], 1);
    assert_eq!(v["summary"]["passed"], 2);
    let records = records(&dir.path().join("out"));
    assert_eq!(records.len(), 3);
    assert_eq!(records[2].result, "T");
    let shot = records[1].artifacts.screenshot.as_deref().unwrap();
    assert!(dir.path().join(shot).is_file(), "{shot}");
    assert!(shot.starts_with("out/screenshots/"));
}

#[test]
fn an_output_folder_that_is_not_ours_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    std::fs::write(dir.path().join("mine/thesis.txt"), "precious").unwrap();
    std::fs::write(dir.path().join("flow.json"), "[]").unwrap();
    let o = webrunner(dir.path(), &["run", "flow.json", "--out", "mine"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a webrunner output folder"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine/thesis.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn demo_fails_one_step_on_purpose_and_passes_one_on_retry() {
    let dir = tempfile::tempdir().unwrap();
    let o = webrunner(dir.path(), &["demo", "--out", "demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let records = records(&dir.path().join("demo"));
    let failed: Vec<_> = records.iter().filter(|r| r.failed()).collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].error.as_deref().unwrap().contains("$99.00"));
    assert!(records
        .iter()
        .any(|r| r.flaky && r.command == "WR_assert_visible"));
    let shot = failed[0].artifacts.screenshot.as_deref().unwrap();
    assert!(dir.path().join(shot).is_file());
    assert!(dir.path().join("demo/demo-flow.json").is_file());
}

#[test]
fn a_run_whose_dashboard_listens_on_every_interface_warns_about_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.json"), r#"[["WR_sleep", [0]]]"#).unwrap();
    let o = webrunner(dir.path(), &["run", "f.json", "--dashboard", "0.0.0.0:0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: the dashboard listens on every network interface"),
        "{}",
        stderr(&o)
    );
    let o = webrunner(dir.path(), &["run", "f.json", "--dashboard"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

#[test]
fn commands_prints_the_reference_as_markdown_and_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let o = webrunner(dir.path(), &["commands"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let markdown = String::from_utf8_lossy(&o.stdout).to_string();
    let on_disk =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md")).unwrap();
    assert_eq!(
        markdown, on_disk,
        "docs/commands.md is what the binary prints"
    );
    let o = webrunner(dir.path(), &["commands", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = list.as_array().unwrap();
    let input = list
        .iter()
        .find(|c| c["name"] == "WR_element_input")
        .unwrap();
    assert_eq!(input["aliases"], serde_json::json!(["WR_input_to_element"]));
    assert_eq!(input["element"], serde_json::json!(true));
    assert_eq!(input["params"][0]["name"], "input_value");
    assert_eq!(input["params"][0]["aliases"], serde_json::json!(["text"]));
    assert_eq!(input["params"][0]["required"], serde_json::json!(true));
    assert!(list.len() > 100, "{}", list.len());
}

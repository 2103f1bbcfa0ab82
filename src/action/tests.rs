//! Unit tests of the flow parser.

use super::*;
use serde_json::json;

#[test]
fn all_four_action_shapes_parse() {
    let flow = parse_flow(
        "f.json",
        r#"[["WR_quit"], ["WR_to_url", {"url": "http://x"}], ["WR_sleep", [1]], ["WR_x", [1, 2], {"k": true}]]"#,
    )
    .unwrap();
    assert_eq!(flow.actions.len(), 4);
    assert_eq!(flow.actions[0], Action::new("WR_quit"));
    assert_eq!(flow.actions[1].kwargs["url"], json!("http://x"));
    assert_eq!(flow.actions[2].args, vec![json!(1)]);
    assert_eq!(flow.actions[3].args, vec![json!(1), json!(2)]);
    assert_eq!(flow.actions[3].kwargs["k"], json!(true));
}

#[test]
fn webdriver_wrapper_object_form_parses() {
    let flow = parse_flow("f", r#"{"webdriver_wrapper": [["WR_quit"]]}"#).unwrap();
    assert_eq!(flow.actions, vec![Action::new("WR_quit")]);
}

#[test]
fn byte_order_mark_is_accepted() {
    assert!(parse_flow("f", "\u{feff}[]").unwrap().actions.is_empty());
}

#[test]
fn not_json_reports_line_and_column() {
    let err = parse_flow("flow.json", "[\n  [\"WR_quit\"],\n  oops\n]").unwrap_err();
    match &err {
        FlowError::NotJson { line, column, .. } => {
            assert_eq!(*line, 3);
            assert_eq!(*column, 3);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err
        .to_string()
        .starts_with("flow.json: not valid JSON at line 3, column 3"));
}

#[test]
fn malformed_action_names_its_index_and_expected_shape() {
    for (text, needle) in [
        (r#"[["WR_quit"], "WR_x"]"#, "must be a list, found a string"),
        (r#"[["WR_quit"], []]"#, "is an empty list"),
        (
            r#"[["WR_quit"], [3]]"#,
            "command name (a string), found a number",
        ),
        (r#"[["WR_quit"], ["WR_x", 5]]"#, "found a number"),
        (
            r#"[["WR_quit"], ["WR_x", {}, []]]"#,
            "second must be a list",
        ),
        (r#"[["WR_quit"], ["WR_x", [], {}, 1]]"#, "at most 3"),
        (r#"[["WR_quit"], [""]]"#, "empty"),
    ] {
        let err = parse_flow("f.json", text).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, FlowError::Action { index: 1, .. }), "{msg}");
        assert!(msg.contains("action 1"), "{msg}");
        assert!(msg.contains(needle), "{msg} lacks {needle}");
        assert!(msg.contains("expected [\"WR_name\"]"), "{msg}");
    }
}

#[test]
fn wrong_top_level_shapes_are_errors() {
    assert!(matches!(parse_flow("f", "3"), Err(FlowError::Shape { .. })));
    assert!(matches!(
        parse_flow("f", "{}"),
        Err(FlowError::Shape { .. })
    ));
    assert!(matches!(
        parse_flow("f", r#"{"webdriver_wrapper": 1}"#),
        Err(FlowError::Shape { .. })
    ));
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let err = load_flow(Path::new("/nonexistent/flow.json")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/flow.json"));
}

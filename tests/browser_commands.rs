//! Every built-in command against real pages in a real Chromium.

mod common;

use common::{executor, rt, site};
use serde_json::json;
use webrunner::{parse_flow, Executor, Record, Status};

async fn run(ex: &mut Executor, flow: &str) -> Vec<Record> {
    let base = site().await.base_url();
    let flow = parse_flow("test", &flow.replace("{base}", &base)).expect("flow parses");
    ex.run_flow(&flow).await.to_vec()
}

fn assert_all_passed(records: &[Record]) {
    for r in records {
        assert_eq!(
            r.status,
            Status::Passed,
            "{} failed: {:?}",
            r.command,
            r.error
        );
    }
}

#[test]
fn navigation_commands_move_through_history() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_open_browser"], ["WR_to_url", ["{base}/login"]], ["WR_to_url", {"url": "{base}/products"}],
                ["WR_back"], ["WR_current_url"], ["WR_forward"], ["WR_title"], ["WR_refresh"], ["WR_title"]]"###,
        )
        .await;
        assert_all_passed(&records);
        assert!(records[4].result.as_str().unwrap().ends_with("/login"));
        assert_eq!(records[6].result, json!("Products"));
        assert_eq!(records[8].result, json!("Products"));
        ex.shutdown().await;
    });
}

#[test]
fn back_without_history_fails_clearly() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/"]], ["WR_back"], ["WR_back"]]"###,
        )
        .await;
        // about:blank is the first entry, so one back works and the second has nowhere to go.
        assert_eq!(records[1].status, Status::Passed);
        assert_eq!(records[2].status, Status::Failed);
        assert!(records[2]
            .error
            .as_deref()
            .unwrap()
            .contains("no page to go back"));
        ex.shutdown().await;
    });
}

#[test]
fn login_form_submits_through_real_http() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/login"]],
                ["WR_find_element", {"id": "username"}], ["WR_element_input", {"text": "ada <b>"}],
                ["WR_input_to_element", {"css": "#password", "text": "secret"}],
                ["WR_click_element", {"by_text": "Sign in"}],
                ["WR_assert_title", ["Welcome"]],
                ["WR_assert_text", {"css": "#welcome", "text": "Welcome, ada <b>!", "exact": true}],
                ["WR_assert_url", {"url": "/login"}]]"###,
        )
        .await;
        assert_all_passed(&records);
        ex.shutdown().await;
    });
}

#[test]
fn element_reads_text_attribute_property_and_clears() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/playground"]],
                ["WR_element_text", {"css": "#name"}],
                ["WR_element_clear", {"css": "#name"}],
                ["WR_element_input", {"css": "#name", "text": "typed"}],
                ["WR_element_property", {"css": "#name", "name": "value"}],
                ["WR_element_attribute", {"xpath": "//a[@id='link']", "name": "data-kind"}],
                ["WR_element_attribute", {"css": "#link", "name": "missing"}],
                ["WR_element_click", {"css": "#agree"}],
                ["WR_element_property", {"css": "#agree", "name": "checked"}],
                ["WR_element_text", {"by_text": "needle"}],
                ["WR_element_input", {"css": "#notes", "text": "new", "clear": true}],
                ["WR_element_text", {"css": "#notes"}]]"###,
        )
        .await;
        assert_all_passed(&records);
        assert_eq!(records[1].result, json!("initial"));
        assert_eq!(records[4].result, json!("typed"));
        assert_eq!(records[5].result, json!("nav"));
        assert_eq!(records[6].result, json!(null));
        assert_eq!(records[8].result, json!(true));
        assert_eq!(records[9].result, json!("needle text here"));
        assert_eq!(records[11].result, json!("new"));
        ex.shutdown().await;
    });
}

#[test]
fn clicks_are_real_and_refuse_covered_or_hidden_elements() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/playground"]],
                ["WR_element_click", {"css": "#counter"}], ["WR_element_click", {"css": "#counter"}],
                ["WR_element_text", {"css": "#counter"}],
                ["WR_element_click", {"css": "#covered"}],
                ["WR_element_click", {"css": "#hidden"}],
                ["WR_element_click", {"css": "#nope"}],
                ["WR_element_click", {"css": "##bad"}]]"###,
        )
        .await;
        assert_eq!(records[3].result, json!("2"));
        let err = |i: usize| records[i].error.clone().unwrap_or_default();
        assert!(err(4).contains("to be actionable: covered by <div id=\"overlay\">"), "{}", err(4));
        assert!(err(5).contains("not visible"), "{}", err(5));
        assert!(err(6).contains("waiting for css=\"#nope\" to be actionable: not attached (no element matches css=\"#nope\")"), "{}", err(6));
        assert!(err(7).contains("SyntaxError") || err(7).contains("not a valid selector"), "{}", err(7));
        ex.shutdown().await;
    });
}

#[test]
fn assertions_fail_with_expected_and_found() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/products"]],
                ["WR_assert_title", ["Products"]], ["WR_assert_title", ["Nope"]],
                ["WR_assert_url", ["/products"]], ["WR_assert_url", {"url": "/cart", "exact": false}],
                ["WR_assert_text", {"css": "#cart-total", "text": "$0.00"}],
                ["WR_assert_text", {"css": "#cart-total", "text": "$1.00"}],
                ["WR_assert_visible", {"id": "products"}],
                ["WR_to_url", ["{base}/playground"]],
                ["WR_assert_visible", {"css": "#hidden"}],
                ["WR_assert_visible", {"css": "#absent"}]]"###,
        )
        .await;
        let status: Vec<_> = records.iter().map(|r| r.status).collect();
        use Status::{Failed as F, Passed as P};
        assert_eq!(status, vec![P, P, F, P, F, P, F, P, P, F, F]);
        assert_eq!(
            records[2].error.as_deref(),
            Some("expected the title to be \"Nope\", found \"Products\"")
        );
        assert!(records[6].error.as_deref().unwrap().contains("found \"$0.00\""));
        assert!(records[9].error.as_deref().unwrap().contains("hidden"));
        assert!(records[10].error.as_deref().unwrap().contains("no element matches"));
        ex.shutdown().await;
    });
}

#[test]
fn waits_for_elements_and_conditions() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/delayed"]],
                ["WR_element_click", {"css": "#load"}],
                ["WR_explicit_wait", {"by_text": "Loaded after delay", "timeout": 5}],
                ["WR_wait_for_condition", {"script": "return document.getElementById('result').textContent.length", "timeout": 2}],
                ["WR_explicit_wait", {"css": "#never", "condition": "present", "timeout": 0.3}],
                ["WR_to_url", ["{base}/late"]],
                ["WR_implicitly_wait", [3]],
                ["WR_element_text", {"css": "#late"}],
                ["WR_sleep", [0.05]],
                ["WR_explicit_wait", {"css": "#late", "condition": "sideways"}]]"###,
        )
        .await;
        let failed: Vec<usize> = records.iter().filter(|r| r.failed()).map(|r| r.index).collect();
        assert_eq!(failed, vec![4, 9], "{records:#?}");
        assert_eq!(records[3].result, json!(18));
        assert!(records[4].error.as_deref().unwrap().contains("timed out after 0.3s"));
        assert_eq!(records[7].result, json!("I was late"));
        assert!(records[9].error.as_deref().unwrap().contains("unknown wait condition"));
        ex.shutdown().await;
    });
}

#[test]
fn scripts_cdp_window_screenshots_and_cookies_work() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let shot = dir.path().join("nested/shot.png");
        let flow = format!(
            r###"[["WR_to_url", ["{{base}}/products"]],
                ["WR_execute_script", {{"script": "return arguments[0] + document.querySelectorAll('.product').length", "args": [10]}}],
                ["WR_execute_script", ["return Promise.resolve({{a: [1, 'x']}})"]],
                ["WR_execute_script", ["throw new Error('boom')"]],
                ["WR_execute_cdp_cmd", {{"method": "Runtime.evaluate", "params": {{"expression": "6*7", "returnByValue": true}}}}],
                ["WR_cdp", {{"method": "NoDot"}}],
                ["WR_set_window_size", {{"width": 900, "height": 700}}],
                ["WR_save_screenshot", {{"path": {shot:?}, "full_page": true}}],
                ["WR_add_cookie", {{"name": "flavour", "value": "oat"}}],
                ["WR_get_cookies"],
                ["WR_delete_all_cookies"],
                ["WR_get_cookies"]]"###
        );
        let mut ex = executor().await;
        let records = run(&mut ex, &flow).await;
        assert_eq!(records[1].result, json!(13));
        assert_eq!(records[2].result, json!({"a": [1, "x"]}));
        assert!(records[3].error.as_deref().unwrap().contains("Error: boom"));
        assert_eq!(records[4].result["result"]["value"], json!(42));
        assert!(records[5].error.as_deref().unwrap().contains("Domain.method"));
        assert_eq!(records[6].result, json!({"width": 900, "height": 700}));
        let session = ex.context().open_session().cloned().unwrap();
        assert_eq!(session.evaluate("window.innerWidth").await.unwrap(), json!(900));
        let png = std::fs::read(&shot).expect("screenshot written");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let cookies = records[9].result.as_array().unwrap();
        assert!(cookies.iter().any(|c| c["name"] == "flavour" && c["value"] == "oat"));
        assert_eq!(records[11].result, json!([]));
        ex.shutdown().await;
    });
}

#[test]
fn no_scripts_refuses_script_commands_only() {
    rt().block_on(async {
        let mut ex = executor().await;
        ex.set_scripts_enabled(false);
        ex.set_retry_policy(3, 0.0).expect("retry policy");
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/"]], ["WR_execute_script", ["return 1"]],
                ["WR_execute_cdp_cmd", ["Browser.getVersion"]], ["WR_wait_for_condition", ["return true"]], ["WR_title"]]"###,
        )
        .await;
        let status: Vec<_> = records.iter().map(|r| r.status).collect();
        assert_eq!(status, vec![Status::Passed, Status::Failed, Status::Failed, Status::Failed, Status::Passed]);
        for r in &records[1..4] {
            assert!(r.error.as_deref().unwrap().contains("--no-scripts"), "{:?}", r.error);
            assert_eq!(r.attempts, 1, "the gate is not retried");
        }
        ex.shutdown().await;
    });
}

#[test]
fn bad_arguments_fail_the_action_with_a_named_parameter() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url"], ["WR_to_url", {"url": 5}], ["WR_element_click"], ["WR_set_window_size", {"width": -1, "height": 2}]]"###,
        )
        .await;
        assert!(records[0].error.as_deref().unwrap().contains("missing argument `url`"));
        assert!(records[1].error.as_deref().unwrap().contains("`url` must be a string, found a number"));
        assert!(records[2].error.as_deref().unwrap().contains("no element given"));
        assert!(records[3].error.as_deref().unwrap().contains("whole number"));
        ex.shutdown().await;
    });
}

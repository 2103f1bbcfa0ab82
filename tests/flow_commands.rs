//! The flow-level behaviour of the interaction commands against real pages in a real
//! Chromium: actionability through `WR_element_click` (each wait and each time-out),
//! dialogs a flow handles or leaves (never hanging), the console and network checks,
//! request headers and URL blocking, keywords a command does not take, and untrusted
//! uploads.

mod common;

use common::{executor, rt, site};
use serde_json::json;
use webrunner::{parse_flow, Executor, Record, Status};

async fn run(ex: &mut Executor, flow: &str) -> Vec<Record> {
    let base = site().await.base_url();
    let flow = parse_flow("flow.json", &flow.replace("{base}", &base)).expect("flow parses");
    ex.run_flow(&flow).await.to_vec()
}

fn failed(records: &[Record]) -> Vec<usize> {
    records
        .iter()
        .filter(|r| r.failed())
        .map(|r| r.index)
        .collect()
}

fn error(r: &Record) -> String {
    r.error.clone().unwrap_or_default()
}

#[test]
fn clicks_wait_for_late_covered_disabled_and_moving_elements_without_retries() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/input/wait"]],
                ["WR_element_click", {"css": "#late"}],
                ["WR_element_click", {"css": "#covered"}],
                ["WR_element_click", {"css": "#disabled"}],
                ["WR_element_click", {"css": "#slide"}],
                ["WR_element_text", {"css": "#out"}]]"###,
        )
        .await;
        assert_eq!(failed(&records), Vec::<usize>::new(), "{records:#?}");
        for r in &records {
            assert_eq!(r.attempts, 1, "{} needed no retry", r.command);
        }
        let seen = records[5].result.as_str().unwrap_or_default().to_string();
        for name in ["late", "covered", "disabled", "slide"] {
            assert!(seen.contains(name), "the page saw {seen:?}");
        }
        ex.shutdown().await;
    });
}

#[test]
fn each_check_that_never_holds_fails_with_its_own_message() {
    rt().block_on(async {
        let mut ex = executor().await;
        let page = concat!(
            "data:text/html,<style>@keyframes s { from { left: 0 } to { left: 100px } }</style>",
            "<span style='position:relative;display:inline-block'><button id=c>c</button>",
            "<span style='position:absolute;inset:0' class='veil'></span></span>",
            "<button id=d disabled>d</button><button id=h style='visibility:hidden'>h</button>",
            "<button id=m style='animation: s .3s linear infinite alternate;position:relative'>m</button>"
        );
        let flow = json!([["WR_set_timeout", [0.8]], ["WR_to_url", [page]],
            ["WR_element_click", {"css": "#c"}],
            ["WR_element_click", {"css": "#d"}],
            ["WR_element_click", {"css": "#h"}],
            ["WR_element_click", {"css": "#m"}],
            ["WR_element_click", {"css": "#none"}]])
        .to_string();
        let records = run(&mut ex, &flow).await;
        assert_eq!(failed(&records), vec![2, 3, 4, 5, 6], "{records:#?}");
        let expect = [
            (2, "covered by <span class=\"veil\">"),
            (3, "disabled"),
            (4, "not visible"),
            (5, "moving"),
            (6, "css=\"#none\""),
        ];
        for (i, words) in expect {
            let e = error(&records[i]);
            assert!(e.contains("timed out after 0.8s"), "{e}");
            assert!(e.contains(words), "#{i}: {e}");
        }
        ex.shutdown().await;
    });
}

#[test]
fn a_dialog_the_flow_handles_stays_open_for_it_and_one_it_ignores_is_dismissed_and_noted() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/pages/dialogs"]],
                ["WR_element_click", {"css": "#prompt"}],
                ["WR_alert_text"],
                ["WR_alert_accept", {"prompt_text": "Grace"}],
                ["WR_element_text", {"css": "#result"}],
                ["WR_element_click", {"css": "#confirm"}],
                ["WR_element_text", {"css": "#result"}],
                ["WR_element_click", {"css": "#alert"}],
                ["WR_switch", {"switch_type": "alert"}],
                ["WR_alert_dismiss"],
                ["WR_element_text", {"css": "#result"}]]"###,
        )
        .await;
        assert_eq!(failed(&records), Vec::<usize>::new(), "{records:#?}");
        assert_eq!(records[2].result, json!("Your name?"));
        assert_eq!(records[4].result, json!("name: Grace"));
        // Nothing handles the confirm: it is dismissed at once and noted where it opened.
        assert_eq!(records[6].result, json!("cancelled"));
        let noted = &records[5].dialogs;
        assert_eq!(noted.len(), 1, "{records:#?}");
        assert_eq!(
            (
                noted[0].kind.as_str(),
                noted[0].message.as_str(),
                noted[0].outcome.as_str()
            ),
            ("confirm", "Delete it?", "dismissed")
        );
        assert_eq!(records[8].result["type"], json!("alert"));
        assert_eq!(records[10].result, json!("alert closed"));
        assert!(records
            .iter()
            .filter(|r| r.index != 5)
            .all(|r| r.dialogs.is_empty()));
        let saved = serde_json::to_value(&records[5]).unwrap();
        assert_eq!(saved["dialogs"][0]["type"], json!("confirm"));
        ex.shutdown().await;
    });
}

#[test]
fn console_and_network_checks_see_what_the_page_did() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/login"]],
                ["WR_assert_no_console_errors"], ["WR_assert_no_4xx_or_5xx"],
                ["WR_to_url", ["{base}/pages/console"]],
                ["WR_wait_for_title", ["Console done"]],
                ["WR_console_messages"], ["WR_network_responses"], ["WR_get_log", ["browser"]],
                ["WR_assert_no_console_errors"], ["WR_assert_no_5xx"], ["WR_assert_no_4xx_or_5xx"],
                ["WR_get_log", ["performance"]]]"###,
        )
        .await;
        assert_eq!(failed(&records), vec![8, 9, 10, 11], "{records:#?}");
        let types: Vec<&str> = records[5]
            .result
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["type"].as_str())
            .collect();
        assert!(
            types.contains(&"warning") && types.contains(&"error"),
            "{types:?}"
        );
        let statuses: Vec<i64> = records[6]
            .result
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["status"].as_i64())
            .collect();
        assert!(
            statuses.contains(&404) && statuses.contains(&500),
            "{statuses:?}"
        );
        let severe = records[7].result.as_array().unwrap();
        assert!(severe.iter().any(|e| e["level"] == "SEVERE"), "{severe:?}");
        assert!(
            error(&records[8]).contains("something broke"),
            "{}",
            error(&records[8])
        );
        assert!(
            error(&records[9]).contains("status 5xx"),
            "{}",
            error(&records[9])
        );
        assert!(
            error(&records[10]).contains("404"),
            "{}",
            error(&records[10])
        );
        assert!(
            error(&records[11]).contains("`browser`"),
            "{}",
            error(&records[11])
        );
        ex.shutdown().await;
    });
}

#[test]
fn headers_user_agent_and_blocked_urls_reach_the_server_and_the_page() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/login"]],
                ["WR_set_user_agent", ["webrunner-test/1.0"]],
                ["WR_set_extra_http_headers", [{"X-Test": "yes"}]],
                ["WR_block_urls", [["*/api/*"]]],
                ["WR_execute_script", ["return fetch('/api/traceparent').then(() => 'loaded', () => 'blocked')"]],
                ["WR_unblock_urls"],
                ["WR_execute_script", ["return fetch('/api/traceparent').then(() => 'loaded', () => 'blocked')"]],
                ["WR_execute_script", ["return navigator.userAgent"]]]"###,
        )
        .await;
        assert_eq!(failed(&records), Vec::<usize>::new(), "{records:#?}");
        assert_eq!(records[4].result, json!("blocked"));
        assert_eq!(records[6].result, json!("loaded"));
        assert_eq!(records[7].result, json!("webrunner-test/1.0"));
        ex.shutdown().await;
    });
}

#[test]
fn a_keyword_a_command_does_not_take_fails_its_action_listing_the_ones_it_does() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/playground"]],
                ["WR_element_click", {"csss": "#counter"}],
                ["WR_input_to_element", {"css": "#name", "input_valu": "x"}],
                ["WR_element_text", {"css": "#counter"}]]"###,
        )
        .await;
        assert_eq!(failed(&records), vec![1, 2], "{records:#?}");
        let e = error(&records[1]);
        assert!(
            e.starts_with("WR_element_click: unknown keyword `csss` (did you mean `css`?)"),
            "{e}"
        );
        assert!(e.contains("a locator: css, xpath, id"), "{e}");
        let e = error(&records[2]);
        assert!(e.contains("unknown keyword `input_valu`"), "{e}");
        assert!(e.contains("input_value (or text)"), "{e}");
        assert_eq!(records[1].attempts, 1);
        assert_eq!(
            records[3].result,
            json!("0"),
            "the misspelt click clicked nothing"
        );
        assert_eq!(records[3].status, Status::Passed);
        ex.shutdown().await;
    });
}

#[test]
fn an_untrusted_flow_uploads_only_from_its_own_folder_or_the_output() {
    rt().block_on(async {
        let flow_dir = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::write(flow_dir.path().join("mine.txt"), "hello").unwrap();
        let secret = tempfile::NamedTempFile::new().unwrap();
        let base = site().await.base_url();
        let text = serde_json::json!([
            ["WR_to_url", [format!("{base}/input/forms")]],
            ["WR_upload_file", {"input_selector": "input[type=file]", "file_path": "mine.txt"}],
            ["WR_upload_file", {"input_selector": "input[type=file]", "file_path": secret.path()}]
        ])
        .to_string();
        let path = flow_dir.path().join("flow.json");
        std::fs::write(&path, &text).unwrap();
        let flow = webrunner::load_flow(&path).unwrap();
        let mut ex = executor().await;
        let mut settings = ex.settings().clone();
        settings.scripts_enabled = false;
        settings.output_dir = Some(out.path().to_path_buf());
        ex.set_settings(settings);
        let records = ex.run_flow(&flow).await.to_vec();
        assert_eq!(failed(&records), vec![2], "{records:#?}");
        assert!(records[1].result[0].as_str().unwrap().ends_with("mine.txt"));
        assert!(
            error(&records[2]).contains("may only read files in its own folder"),
            "{}",
            error(&records[2])
        );
        ex.shutdown().await;
    });
}

/// A page that logs what happens to its elements into `#log`.
const EVENTS_PAGE: &str = concat!(
    "data:text/html,<title>events</title><style>body{height:3000px}%23far{position:absolute;top:2500px}",
    "%23box{width:120px;height:80px;background:%23ccd;color:rgb(1, 2, 3)}</style>",
    "<form id=f onsubmit=\"event.preventDefault();note('submit')\"><input id=t name=t><button id=off disabled>off</button></form>",
    "<div id=box ondblclick=\"note('dblclick')\" oncontextmenu=\"event.preventDefault();note('contextmenu')\" ",
    "onmousedown=\"note('down:'+event.offsetX)\" onmouseup=\"note('up')\"><b>bold</b> text</div><p id=log></p>",
    "<button id=far>far</button><script>function note(s){document.getElementById('log').textContent+=s+' '}",
    "document.getElementById('t').onfocus=()=>note('focus');addEventListener('wheel',()=>note('wheel'),{once:true})</script>"
);

#[test]
fn element_actions_and_reads_beyond_click_and_type() {
    rt().block_on(async {
        let mut ex = executor().await;
        let flow = json!([["WR_to_url", [EVENTS_PAGE]],
            ["WR_element_double_click", {"css": "#box"}],
            ["WR_element_right_click", {"css": "#box"}],
            ["WR_element_focus", {"css": "#t"}],
            ["WR_element_submit", {"css": "#t"}],
            ["WR_element_inner_html", {"css": "#box"}],
            ["WR_element_inner_text", {"css": "#box"}],
            ["WR_element_is_enabled", {"css": "#off"}],
            ["WR_element_is_enabled", {"css": "#t"}],
            ["WR_element_value_of_css_property", {"css": "#box", "property_name": "color"}],
            ["WR_element_scroll_into_view", {"css": "#far"}],
            ["WR_execute_script", ["return window.scrollY > 1000"]],
            ["WR_element_text", {"css": "#log"}]])
        .to_string();
        let records = run(&mut ex, &flow).await;
        assert_eq!(failed(&records), Vec::<usize>::new(), "{records:#?}");
        assert_eq!(records[5].result, json!("<b>bold</b> text"));
        assert_eq!(records[6].result, json!("bold text"));
        assert_eq!(records[7].result, json!(false));
        assert_eq!(records[8].result, json!(true));
        assert_eq!(records[9].result, json!("rgb(1, 2, 3)"));
        assert_eq!(records[11].result, json!(true));
        let log = records[12].result.as_str().unwrap_or_default().to_string();
        for event in ["dblclick", "contextmenu", "focus", "submit"] {
            assert!(log.contains(event), "{log}");
        }
        ex.shutdown().await;
    });
}

#[test]
fn action_chains_move_with_offsets_drag_by_offset_pause_scroll_and_reset() {
    rt().block_on(async {
        let mut ex = executor().await;
        let flow = json!([["WR_to_url", [EVENTS_PAGE]],
            ["WR_SaveTestObject", ["box", "id"]],
            ["WR_move_to_element_with_offset", ["box", -50, 0]],
            ["WR_left_click_and_hold"],
            ["WR_pause", [0.05]],
            ["WR_release"],
            ["WR_perform"],
            ["WR_drag_and_drop_offset", ["box", 10, 0]],
            ["WR_scroll", [0, 200]],
            ["WR_perform"],
            ["WR_left_double_click", ["box"]],
            ["WR_reset_actions"],
            ["WR_perform"],
            // A wheel event reaches the page asynchronously (as in a browser a person uses).
            ["WR_wait_for_condition", ["return document.getElementById('log').textContent.includes('wheel')", 5]],
            ["WR_element_text", {"css": "#log"}]])
        .to_string();
        let records = run(&mut ex, &flow).await;
        assert_eq!(failed(&records), Vec::<usize>::new(), "{records:#?}");
        assert_eq!(records[6].result, json!({"performed": 4}));
        assert_eq!(records[9].result, json!({"performed": 4}));
        assert_eq!(
            records[12].result,
            json!({"performed": 0}),
            "reset dropped the double click"
        );
        let log = records[14].result.as_str().unwrap_or_default().to_string();
        // 50 px left of the centre of a 120 px box is 10 px from its left edge.
        assert!(log.starts_with("down:10 up "), "{log}");
        assert!(log.contains("wheel"), "{log}");
        assert!(!log.contains("dblclick"), "{log}");
        ex.shutdown().await;
    });
}

#[test]
fn tabs_window_geometry_frame_chains_and_load_states() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", {"url": "{base}/pages/frames", "wait_until": "domcontentloaded"}],
                ["WR_wait_for_load_state", ["networkidle"]],
                ["WR_iframe_switch_chain", [["#same", "iframe"]]],
                ["WR_element_click", {"css": "#count"}],
                ["WR_element_text", {"css": "#count"}],
                ["WR_iframe_back_to_default"],
                ["WR_title"],
                ["WR_get_current_window_handle"],
                ["WR_new_window", ["tab"]],
                ["WR_get_window_handles"],
                ["WR_get_current_window_handle"],
                ["WR_set_window_rect", {"x": 10, "y": 20, "width": 700, "height": 500}],
                ["WR_set_window_position", [30, 40]],
                ["WR_get_window_position"],
                ["WR_maximize_window"],
                ["WR_fullscreen_window"],
                ["WR_minimize_window"],
                ["WR_switch", ["window", "no-such-handle"]],
                ["WR_switch_to_window_by_title", ["Frames"]],
                ["WR_title"]]"###,
        )
        .await;
        assert_eq!(
            failed(&records),
            vec![17],
            "only the made-up handle fails: {records:#?}"
        );
        assert_eq!(records[4].result, json!("1"));
        assert_eq!(records[6].result, json!("Frames"));
        let first = records[7].result.as_str().unwrap().to_string();
        let handles = records[9].result.as_array().unwrap().clone();
        assert_eq!(handles.len(), 2, "{handles:?}");
        assert_eq!(handles[0], json!(first));
        assert_eq!(records[10].result, handles[1], "the new tab is current");
        assert_eq!(records[11].result["width"], json!(700));
        assert_eq!(records[13].result, json!({"x": 30, "y": 40}));
        assert!(records[14].result["width"].as_i64().unwrap() >= 700);
        assert_eq!(records[18].result, json!(first));
        assert_eq!(records[19].result, json!("Frames"));
        ex.shutdown().await;
    });
}

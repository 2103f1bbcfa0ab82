//! Reports, Python builtins, waits, page reads, storage, and checking without a browser.

use super::*;

#[test]
fn reports_are_written_with_the_python_names_and_are_readable() {
    rt().block_on(async {
        let out = tempfile::tempdir().unwrap();
        let mut ex = roomy_executor().await;
        ex.set_settings(Settings {
            output_dir: Some(out.path().to_path_buf()),
            ..roomy()
        });
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/products"]],
                ["WR_assert_title", ["Not the title"]],
                ["WR_generate_html_report", ["rep"]],
                ["WR_generate_json_report", {"json_file_name": "sub/rep"}],
                ["WR_generate_xml_report", ["rep"]],
                ["WR_generate_junit_xml_report", {"junit_file_name": "rep"}],
                ["WR_generate_json_report"],
                ["WR_generate_html_report", {"name": "x"}]]"###,
        )
        .await;
        passed(&records, &[0, 2, 3, 4, 5, 6]);
        let root = out.path();
        let written: Vec<String> = records[3].result.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        assert_eq!(
            written,
            [root.join("sub/rep_success.json"), root.join("sub/rep_failure.json")]
                .map(|p| p.display().to_string())
        );
        let ok = webrunner::report::load_records(&root.join("sub/rep_success.json")).unwrap();
        let bad = webrunner::report::load_records(&root.join("sub/rep_failure.json")).unwrap();
        // The reports hold the actions finished before them: two, then three with the html one.
        assert_eq!(ok.iter().map(|r| r.command.as_str()).collect::<Vec<_>>(), ["WR_to_url", "WR_generate_html_report"]);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].error.as_deref().unwrap().contains("Not the title"));
        assert!(root.join("default_name_success.json").is_file());
        let xml_ok = std::fs::read_to_string(root.join("rep_success.xml")).unwrap();
        let xml_bad = std::fs::read_to_string(root.join("rep_failure.xml")).unwrap();
        assert!(xml_ok.contains("<Success_Test1>") && xml_ok.contains("<function_name>WR_to_url</function_name>"), "{xml_ok}");
        assert!(xml_bad.contains("<Failure_Test1>") && xml_bad.contains("Not the title"), "{xml_bad}");
        let junit = std::fs::read_to_string(root.join("rep_junit.xml")).unwrap();
        assert_eq!(junit.matches("<testcase").count(), 5, "{junit}");
        assert!(junit.contains("<failure"), "{junit}");
        let e = error(&records, 7);
        assert!(e.contains("unknown keyword `name`") && e.contains("html_name"), "{e}");
        // The replay page opens in the browser and shows the actions.
        let html = root.join("rep.html");
        let flow = format!(
            r###"[["WR_to_url", ["file://{}"]], ["WR_execute_script", ["return document.body.innerText"]]]"###,
            html.display()
        );
        let records = run(&mut ex, &flow).await;
        passed(&records, &[0, 1]);
        let text = records[1].result.as_str().unwrap();
        assert!(text.contains("WR_assert_title"), "{text}");
        ex.shutdown().await;
    });
}

#[test]
fn untrusted_flows_write_reports_only_inside_the_output_folder() {
    rt().block_on(async {
        let out = tempfile::tempdir().unwrap();
        let mut ex = roomy_executor().await;
        ex.set_settings(Settings {
            output_dir: Some(out.path().to_path_buf()),
            scripts_enabled: false,
            ..roomy()
        });
        let records = run(
            &mut ex,
            r###"[["WR_generate_junit_xml_report", ["../escaped"]],
                ["WR_generate_junit_xml_report", ["inside"]]]"###,
        )
        .await;
        assert!(error(&records, 0).contains("inside the output folder"));
        passed(&records, &[1]);
        assert!(out.path().join("inside_junit.xml").is_file());
        assert!(!out
            .path()
            .parent()
            .unwrap()
            .join("escaped_junit.xml")
            .exists());
        ex.shutdown().await;
    });
}

#[test]
fn python_builtins_print_sleep_and_packages() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_add_package_to_executor", ["time"]],
                ["time_sleep", [0.01]],
                ["time_sleep", {"secs": 0}],
                ["print", ["hello", 1, true], {"sep": "-"}],
                ["print", {"args": ["a"], "end": "!"}],
                ["WR_set_record_enable", [false]],
                ["WR_add_package_to_executor", {"package": "os"}],
                ["time_sleep", {"seconds": 1}],
                ["print", ["x"], {"file": "out.txt"}],
                ["WR_add_package_to_executor"]]"###,
        )
        .await;
        passed(&records, &[0, 1, 2, 3, 4, 5]);
        assert_eq!(records[3].result, json!("hello-1-true\n"));
        assert_eq!(records[4].result, json!("a!"));
        let e = error(&records, 6);
        assert!(
            e.contains("package \"os\" cannot be added") && !e.contains('\n'),
            "{e}"
        );
        let e = error(&records, 7);
        assert!(
            e.contains("unknown keyword `seconds`") && e.contains("secs"),
            "{e}"
        );
        assert!(error(&records, 8).contains("unknown keyword `file`"));
        assert!(error(&records, 9).contains("missing argument `package`"));
        ex.shutdown().await;
    });
}

#[test]
fn waits_for_elements_url_title_and_ready_state_and_their_time_outs() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/late"]],
                ["WR_wait_for_element", ["#late", "css selector", 10, "visible"]],
                ["WR_element_text"],
                ["WR_wait_for_element", {"selector": "//p[@id='late']", "by": "XPATH", "state": "attached"}],
                ["WR_wait_for_element", {"selector": "nope", "by": "ID", "state": "detached", "timeout": 1}],
                ["WR_wait_for_element", {"selector": "#nope", "timeout": 0.3}],
                ["WR_wait_for_element", {"selector": "#late", "state": "clickable"}],
                ["WR_wait_for_element", {"css": "#late"}],
                ["WR_execute_script", ["setTimeout(() => { history.pushState({}, '', '/later'); document.title = 'Changed title'; }, 200)"]],
                ["WR_wait_for_url", ["/later", 5]],
                ["WR_wait_for_title", {"pattern": "Changed"}],
                ["WR_wait_for_url", {"pattern": "/never", "timeout": 0.3}],
                ["WR_wait_for_title", ["never", 0.2]],
                ["WR_wait_for_ready_state"],
                ["WR_wait_for_ready_state", {"timeout": 5}],
                ["WR_explict_wait", [1]],
                ["WR_explict_wait", {"wait_time": 1, "method": "lambda d: True"}],
                ["WR_explict_wait"],
                ["WR_wait_for_url"],
                ["WR_execute_script", ["document.body.insertAdjacentHTML('beforeend', '<button id=off disabled>Off</button>')"]],
                ["WR_wait_for_element", ["#off", "css selector", 0.3, "clickable"]],
                ["WR_wait_for_element", {"selector": "#off", "state": "enabled"}]]"###,
        )
        .await;
        passed(&records, &[0, 1, 2, 3, 4, 6, 8, 9, 10, 13, 14, 15, 19]);
        assert_eq!(records[1].result, json!("<p id=\"late\">"));
        assert_eq!(records[2].result, json!("I was late"));
        let e = error(&records, 5);
        assert!(e.contains("timed out after 0.3s waiting for css=\"#nope\" to be visible"), "{e}");
        assert_eq!(records[6].result, json!("<p id=\"late\">"));
        let e = error(&records, 20);
        assert!(e.contains("timed out after 0.3s waiting for css=\"#off\" to be clickable"), "{e}");
        let e = error(&records, 21);
        assert!(e.contains("`state` \"enabled\" is not a state"), "{e}");
        let e = error(&records, 7);
        assert!(e.contains("unknown keyword `css`") && e.contains("selector; by; timeout; state"), "{e}");
        assert!(records[9].result.as_str().unwrap().ends_with("/later"));
        assert_eq!(records[10].result, json!("Changed title"));
        let e = error(&records, 11);
        assert!(e.contains("timed out after 0.3s waiting for the URL to contain \"/never\"; it is \"http://"), "{e}");
        assert!(e.ends_with("/later\""), "{e}");
        let e = error(&records, 12);
        assert!(e.contains("timed out after 0.2s waiting for the title to contain \"never\"; it is \"Changed title\""), "{e}");
        assert_eq!(records[13].result, json!("complete"));
        assert_eq!(records[15].result, json!(null));
        assert!(error(&records, 16).contains("`method` is a Python callable"));
        assert!(error(&records, 17).contains("missing argument `wait_time`"));
        assert!(error(&records, 18).contains("missing argument `pattern`"));
        ex.shutdown().await;
    });
}

#[test]
fn page_source_screenshots_scrolling_and_scripts() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full.png");
        let plain = dir.path().join("plain.png");
        let flow = format!(
            r###"[["WR_to_url", ["{{base}}/playground"]],
                ["WR_get_page_source"],
                ["WR_get_screenshot_as_png"],
                ["WR_get_screenshot_as_base64"],
                ["WR_execute_script", ["document.body.style.height = '5000px'; return arguments[0] + arguments[1]", 2, 3]],
                ["WR_save_full_page_screenshot", [{full:?}]],
                ["WR_save_screenshot", {{"path": {plain:?}}}],
                ["WR_scroll_to_bottom"],
                ["WR_execute_script", ["return window.scrollY"]],
                ["WR_scroll_to_top"],
                ["WR_execute_script", ["return window.scrollY"]],
                ["WR_execute_async_script", ["const done = arguments[arguments.length - 1]; setTimeout(() => done(arguments[0] + 1), 50)", 41]],
                ["WR_execute_async_script", {{"script": "arguments[2]({{n: arguments.length, a: arguments[0], b: arguments[1]}})", "args": ["x", [1]]}}],
                ["WR_execute_async_script", ["throw new Error('boom')"]],
                ["WR_execute_async_script", ["arguments[0]()"]],
                ["WR_save_full_page_screenshot", {{"file_path": {full:?}, "full_page": true}}],
                ["WR_get_page_source", ["extra"]]]"###
        );
        let mut ex = roomy_executor().await;
        let records = run(&mut ex, &flow).await;
        passed(&records, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]);
        assert!(records[1].result.as_str().unwrap().contains("id=\"deep\""));
        for i in [2, 3] {
            let png = base64::engine::general_purpose::STANDARD
                .decode(records[i].result.as_str().unwrap())
                .unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        }
        assert_eq!(records[4].result, json!(5));
        let full_png = std::fs::read(&full).unwrap();
        let plain_png = std::fs::read(&plain).unwrap();
        assert_eq!(&full_png[..8], b"\x89PNG\r\n\x1a\n");
        // PNG height is at bytes 20..24 of the IHDR chunk: the full page is the taller.
        let height = |png: &[u8]| u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert!(height(&full_png) >= 5000, "{}", height(&full_png));
        assert!(height(&plain_png) < 5000, "{}", height(&plain_png));
        assert!(records[8].result.as_f64().unwrap() > 1000.0, "{}", records[8].result);
        assert_eq!(records[10].result, json!(0));
        assert_eq!(records[11].result, json!(42));
        assert_eq!(records[12].result, json!({"n": 3, "a": "x", "b": [1]}));
        assert!(error(&records, 13).contains("boom"));
        assert_eq!(records[14].result, json!(null));
        assert!(error(&records, 15).contains("unknown keyword `full_page`"));
        assert!(error(&records, 16).contains("takes at most 0 positional arguments"));
        ex.shutdown().await;
    });
}

#[test]
fn local_and_session_storage_round_trip() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/playground"]],
                ["WR_local_storage_set", {"key": "k", "value": "v"}],
                ["WR_local_storage_set", {"key": "n", "value": 5}],
                ["WR_refresh"],
                ["WR_local_storage_get", ["k"]],
                ["WR_local_storage_get", {"key": "n"}],
                ["WR_local_storage_all"],
                ["WR_local_storage_remove", ["k"]],
                ["WR_local_storage_get", ["k"]],
                ["WR_local_storage_clear"],
                ["WR_local_storage_all"],
                ["WR_session_storage_set", {"key": "s", "value": "one"}],
                ["WR_session_storage_get", ["s"]],
                ["WR_execute_script", ["return localStorage.length + sessionStorage.length"]],
                ["WR_session_storage_clear"],
                ["WR_session_storage_get", ["s"]],
                ["WR_local_storage_get", {"name": "k"}],
                ["WR_local_storage_set", ["k"]]]"###,
        )
        .await;
        passed(&records, &(0..16).collect::<Vec<_>>());
        assert_eq!(records[4].result, json!("v"));
        assert_eq!(records[5].result, json!("5"));
        assert_eq!(records[6].result, json!({"k": "v", "n": "5"}));
        assert_eq!(records[8].result, json!(null));
        assert_eq!(records[10].result, json!({}));
        assert_eq!(records[12].result, json!("one"));
        assert_eq!(records[13].result, json!(1));
        assert_eq!(records[15].result, json!(null));
        let e = error(&records, 16);
        assert!(
            e.contains("unknown keyword `name`") && e.contains("it takes: key"),
            "{e}"
        );
        assert!(error(&records, 17).contains("missing argument `value`"));
        ex.shutdown().await;
    });
}

#[test]
fn storage_set_takes_key_and_value_by_position() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/playground"]],
                ["WR_local_storage_set", ["k", "v"]],
                ["WR_session_storage_set", ["s", 2]],
                ["WR_execute_script", ["return [localStorage.getItem('k'), sessionStorage.getItem('s')]"]]]"###,
        )
        .await;
        passed(&records, &[0, 1, 2, 3]);
        assert_eq!(records[3].result, json!(["v", "2"]));
        ex.shutdown().await;
    });
}

/// A flow written for the Python WebRunner checks clean without a browser; its mistakes are
/// found with their line and the parameters taken.
#[test]
fn python_webrunner_flows_check_without_a_browser() {
    let flow = parse_flow(
        "python.json",
        r###"[
  ["WR_add_package_to_executor", ["time"]],
  ["WR_set_driver", {"webdriver_name": "chrome", "options": ["--headless"]}],
  ["WR_implicitly_wait", [2]],
  ["WR_set_page_load_timeout", [30]],
  ["WR_to_url", ["http://localhost/"]],
  ["WR_SaveTestObject", {"test_object_name": "q", "object_type": "NAME"}],
  ["WR_find_element", {"element_name": "q"}],
  ["WR_wait_for_element", ["#q", "css selector", 5, "visible"]],
  ["WR_local_storage_set", {"key": "a", "value": "b"}],
  ["WR_execute_async_script", ["arguments[0](1)"]],
  ["time_sleep", [0.5]],
  ["print", ["done"], {"sep": " "}],
  ["WR_generate_junit_xml_report", ["result"]],
  ["WR_wait_for_title", {"title": "x"}],
  ["time_sleep", [1e9]],
  ["WR_quit"]
]"###,
    )
    .expect("flow parses");
    let findings = webrunner::CommandRegistry::with_builtins().check_flow(&flow);
    let lines: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    assert_eq!(findings.len(), 2, "{lines:#?}");
    assert!(
        lines[0]
            .starts_with("python.json:15: action #13 (WR_wait_for_title): unknown keyword `title`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("it takes: pattern; timeout"),
        "{}",
        lines[0]
    );
    assert_eq!(findings[1].index, 14);
    assert!(findings[1].refuses, "{}", lines[1]);
}

//! Test objects, finding elements, the browser commands and the time-outs.

use super::*;

#[test]
fn test_objects_of_every_selenium_type_find_elements_by_name() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/playground"]],
                ["WR_SaveTestObject", ["name", "ID"]],
                ["WR_save_test_object", {"test_object_name": "//a[@id='link']", "object_type": "XPATH"}],
                ["WR_SaveTestObject", ["#counter", "CSS_SELECTOR"]],
                ["WR_SaveTestObject", ["#notes", "css selector"]],
                ["WR_SaveTestObject", ["Go to products", "LINK_TEXT"]],
                ["WR_SaveTestObject", {"test_object_name": "deep", "object_type": "id"}],
                ["WR_find_element", ["name"]],
                ["WR_element_text"],
                ["WR_find_recorded_element", {"element_name": "//a[@id='link']"}],
                ["WR_element_text"],
                ["WR_element_click", {"element_name": "#counter"}],
                ["WR_element_text", {"element_name": "#counter"}],
                ["WR_element_text", {"element_name": "#notes"}],
                ["WR_find_element", {"element_name": "Go to products"}],
                ["WR_find_element", ["deep"]],
                ["WR_find_element", ["css", "#agree"]],
                ["WR_SaveTestObject", ["card", "CLASS_NAME"]],
                ["WR_find_element", ["card"]],
                ["WR_SaveTestObject", ["textarea", "TAG_NAME"]],
                ["WR_find_element", ["textarea"]],
                ["WR_SaveTestObject", ["to prod", "partial link text"]],
                ["WR_find_element", ["to prod"]],
                ["WR_SaveTestObject", ["x", "BY_MAGIC"]],
                ["WR_SaveTestObject", ["x"]],
                ["WR_SaveTestObject", {"test_object_name": "x", "type": "ID"}],
                ["WR_CleanTestObject"],
                ["WR_find_element", ["name"]],
                ["WR_find_element"],
                ["WR_to_url", ["{base}/login"]],
                ["WR_SaveTestObject", ["username", "NAME"]],
                ["WR_find_element", ["username"]]]"###,
        )
        .await;
        let ok: Vec<usize> = (1..=22).chain([26, 29, 30, 31]).collect();
        passed(&records, &ok);
        assert_eq!(records[1].result, json!("id=\"name\""));
        assert_eq!(records[7].result, json!("<input id=\"name\">"));
        assert_eq!(records[8].result, json!("initial"));
        assert_eq!(records[9].result, json!("<a id=\"link\">"));
        assert_eq!(records[10].result, json!("Go to products"));
        assert_eq!(records[12].result, json!("1"));
        assert_eq!(records[13].result, json!("old notes"));
        assert_eq!(records[14].result, json!("<a id=\"link\">"));
        assert_eq!(records[15].result, json!("<b id=\"deep\">"));
        assert_eq!(records[16].result, json!("<input id=\"agree\">"));
        assert_eq!(records[18].result, json!("<div class=\"card\">"));
        assert_eq!(records[20].result, json!("<textarea id=\"notes\">"));
        assert_eq!(records[22].result, json!("<a id=\"link\">"));
        let e = error(&records, 23);
        assert!(e.contains("is not a Selenium locator strategy") && e.contains("CSS_SELECTOR"), "{e}");
        assert!(error(&records, 24).contains("missing argument `object_type`"));
        let e = error(&records, 25);
        assert!(e.contains("unknown keyword `type`") && e.contains("test_object_name; object_type"), "{e}");
        assert!(error(&records, 27).contains("no test object named \"name\""));
        assert!(error(&records, 28).contains("give `element_name`"));
        assert_eq!(records[31].result, json!("<input id=\"username\">"));
        ex.shutdown().await;
    });
}

#[test]
fn find_elements_counts_and_describes_every_match() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/products"]],
                ["WR_SaveTestObject", [".product", "CSS_SELECTOR"]],
                ["WR_find_elements", [".product"]],
                ["WR_element_text"],
                ["WR_find_recorded_elements", {"xpath": "//span[@class='price']"}],
                ["WR_find_elements", {"by_text": "Add"}],
                ["WR_find_elements", {"id": "cart-count"}],
                ["WR_find_elements", {"css": ".nothing-here"}]]"###,
        )
        .await;
        passed(&records, &[1, 2, 3, 4, 5, 6]);
        assert_eq!(
            records[2].result,
            json!({"count": 3, "elements": ["<li class=\"product\">", "<li class=\"product\">", "<li class=\"product\">"]})
        );
        assert!(records[3].result.as_str().unwrap().starts_with("Teapot"), "{}", records[3].result);
        assert_eq!(records[4].result["count"], json!(3));
        assert_eq!(records[5].result["count"], json!(3));
        assert_eq!(records[5].result["elements"][0], json!("<button class=\"add\">"));
        assert_eq!(records[6].result, json!({"count": 1, "elements": ["<span id=\"cart-count\">"]}));
        assert!(error(&records, 7).contains("no element matches css=\".nothing-here\""));
        ex.shutdown().await;
    });
}

#[test]
fn set_driver_refuses_other_browsers_and_launches_chromium_with_the_options() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            // Launching a browser is bounded by the action time-out: room for a busy machine.
            r###"[["WR_set_driver", ["firefox"]],
                ["WR_get_webdriver_manager", {"webdriver_name": "safari"}],
                ["WR_new_driver", ["ie", ["--headless"]]],
                ["WR_set_driver", {"webdriver_name": "chrome", "headless": true}],
                ["WR_set_driver"],
                ["WR_set_timeout", [60]],
                ["WR_new_driver", {"webdriver_name": "chromium", "options": ["--user-agent=VocabularyTest/1.0", "--window-size=640,480"]}],
                ["WR_to_url", ["{base}/"]],
                ["WR_execute_script", ["return [navigator.userAgent, window.outerWidth]"]],
                ["WR_set_driver", ["chrome", {}, ["--window-size=0,600"]]]]"###,
        )
        .await;
        assert!(error(&records, 9).contains("--window-size=0,600 must be two whole numbers"));
        for i in 0..3 {
            let e = error(&records, i);
            assert!(e.contains("is not supported: webrunner drives Chromium only"), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let e = error(&records, 3);
        assert!(e.contains("unknown keyword `headless`"), "{e}");
        assert!(e.contains("webdriver_name; webdriver_manager_option_dict; options"), "{e}");
        assert!(error(&records, 4).contains("missing argument `webdriver_name`"));
        passed(&records, &[5, 6, 7, 8]);
        assert_eq!(records[6].result["user_agent"], json!("VocabularyTest/1.0"));
        assert_eq!(records[6].result["args"], json!(["--user-agent=VocabularyTest/1.0"]));
        assert_eq!(records[6].result["window_size"], json!([640, 480]));
        assert_eq!(records[8].result, json!(["VocabularyTest/1.0", 640]));
        assert!(ex
            .context()
            .settings
            .browser
            .args
            .contains(&"--user-agent=VocabularyTest/1.0".to_string()));
        ex.shutdown().await;
    });
}

#[test]
fn check_current_webdriver_compares_and_lists_each_mismatch() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_to_url", ["{base}/products"]],
                ["WR_check_current_webdriver", [{"name": "chrome", "title": "Products", "current_url": "{base}/products"}]],
                ["WR_check_current_webdriver", {"check_dict": {"title": "Nope", "name": "firefox", "mobile": false}}],
                ["WR_check_current_webdriver", {"check_dict": "title"}]]"###,
        )
        .await;
        passed(&records, &[0, 1]);
        let e = error(&records, 2);
        assert!(e.contains("title: expected \"Nope\", found \"Products\""), "{e}");
        assert!(e.contains("name: expected \"firefox\", found \"chrome\""), "{e}");
        assert!(e.contains("mobile: cannot be checked"), "{e}");
        assert!(error(&records, 3).contains("`check_dict` must be an object"));
        ex.shutdown().await;
    });
}

#[test]
fn timeouts_set_the_flows_settings_and_bound_async_scripts() {
    rt().block_on(async {
        let mut ex = roomy_executor().await;
        let records = run(
            &mut ex,
            r###"[["WR_implicitly_wait", [1.5]],
                ["WR_implicitly_wait", {"seconds": 2}],
                ["WR_set_timeout", {"timeout": 3}],
                ["WR_set_page_load_timeout", [12]],
                ["WR_set_script_timeout", {"time_to_wait": 0.3}],
                ["WR_set_timeout", {"time_to_wait": 1}],
                ["WR_set_timeout", [-1]],
                ["WR_set_script_timeout"],
                ["WR_to_url", ["{base}/"]],
                ["WR_execute_async_script", ["/* never calls back */"]]]"###,
        )
        .await;
        passed(&records, &[0, 1, 2, 3, 4, 8]);
        let s = &ex.context().settings;
        assert_eq!(s.action_timeout, Duration::from_secs(3));
        assert_eq!(s.page_load_timeout, Duration::from_secs(12));
        assert_eq!(s.script_timeout, Duration::from_millis(300));
        let e = error(&records, 5);
        assert!(
            e.contains("unknown keyword `time_to_wait`") && e.contains("it takes: timeout"),
            "{e}"
        );
        assert!(error(&records, 6).contains("from 0 to 86400"));
        assert!(error(&records, 7).contains("missing argument `time_to_wait`"));
        let e = error(&records, 9);
        assert!(
            e.contains("timed out after 0.3s waiting for the script to call its callback"),
            "{e}"
        );
        ex.shutdown().await;
    });
}

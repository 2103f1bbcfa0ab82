//! Element actions against the demo site's input pages in a real Chromium: actionability
//! waits and their time-outs, every locator strategy, real typing with WebDriver keys,
//! checkboxes, selects, uploads, hover, mouse buttons, element pictures and the input
//! primitives.

mod common;

use std::time::Duration;

use common::{rt, site};
use serde_json::json;
use webrunner::browser::{BrowserError, Element, Input, Locator, MouseButton, Session};
use webrunner::{parse_flow, Status};

async fn open(path: &str) -> Session {
    let session = common::browser().await.new_session().await.unwrap();
    let url = format!("{}{path}", site().await.base_url());
    session.goto(&url).await.unwrap();
    session
}

fn el(s: &Session, by: &str, value: &str) -> Element {
    Element::new(s.clone(), Locator::new(by, value).unwrap())
}

fn css(s: &Session, value: &str) -> Element {
    el(s, "css", value)
}

async fn text(s: &Session, selector: &str) -> String {
    css(s, selector).text().await.unwrap()
}

fn message(r: Result<(), BrowserError>) -> String {
    r.expect_err("the action should fail").to_string()
}

#[test]
fn clicks_wait_for_late_covered_disabled_and_sliding_elements() {
    rt().block_on(async {
        let s = open("/input/wait").await;
        for id in ["#late", "#covered", "#disabled", "#slide", "#below"] {
            css(&s, id)
                .click()
                .await
                .unwrap_or_else(|e| panic!("{id}: {e}"));
        }
        assert_eq!(text(&s, "#out").await, "late,covered,disabled,slide,below");
        s.close().await.unwrap();
    });
}

#[test]
fn each_check_times_out_with_its_own_message() {
    rt().block_on(async {
        let s = open("/input/wait").await;
        // Once these two can be clicked, the page's timers have all run.
        css(&s, "#late").click().await.unwrap();
        css(&s, "#covered").click().await.unwrap();
        let short = |sel: &str| css(&s, sel).with_timeout(Duration::from_millis(400));
        let covered = short("#never").click().await.unwrap_err();
        assert!(matches!(covered, BrowserError::Timeout { .. }), "{covered:?}");
        assert_eq!(
            covered.to_string(),
            "timed out after 0.4s waiting for css=\"#never\" to be actionable: covered by <span id=\"shade\" class=\"overlay\">"
        );
        assert!(message(short("#off").click().await).ends_with("actionable: disabled"));
        assert!(message(short("#hidden").click().await).ends_with("actionable: not visible"));
        assert!(message(short("#nothing").click().await)
            .ends_with("actionable: not attached (no element matches css=\"#nothing\")"));
        // Started, and seen to move, before the click looks at it.
        s.evaluate(
            "new Promise((done) => { const el = document.getElementById('forever'); const x = el.getBoundingClientRect().left; document.body.classList.add('go'); const f = () => (el.getBoundingClientRect().left !== x ? done() : requestAnimationFrame(f)); f(); })",
        )
        .await
        .unwrap();
        assert!(message(short("#forever").click().await).ends_with("actionable: moving"));
        s.evaluate("document.body.classList.remove('go')")
            .await
            .unwrap();
        // Hover does not need the element enabled; a read does not need it visible.
        short("#off").hover().await.unwrap();
        assert_eq!(
            short("#hidden").property("textContent").await.unwrap(),
            json!("hidden")
        );
        assert_eq!(text(&s, "#out").await, "late,covered");
        s.close().await.unwrap();
    });
}

#[test]
fn every_locator_strategy_finds_its_element() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        let cases: &[(&str, &str, &str)] = &[
            (
                "css selector",
                "#locators .primary",
                "<button class=\"primary big\">",
            ),
            (
                "XPATH",
                "//button[@name='go-name']",
                "<button class=\"primary big\">",
            ),
            ("id", "email", "<input id=\"email\">"),
            ("text", "Heading two", "<h2>"),
            ("name", "go-name", "<button class=\"primary big\">"),
            ("CLASS_NAME", "big", "<button class=\"primary big\">"),
            ("tag name", "h2", "<h2>"),
            ("link text", "Exact link", "<a>"),
            ("partial_link_text", "link text", "<a>"),
            (
                "role",
                "button[name=\"sign IN\"]",
                "<button class=\"primary big\">",
            ),
            ("role", "link[name=\"Exact link\"s]", "<a>"),
            ("role", "textbox[name=\"city\"]", "<input id=\"city\">"),
            ("label", "email address", "<input id=\"email\">"),
            ("label", "Secret word", "<input id=\"pw\">"),
            ("label", "search the", "<input id=\"search\">"),
            ("label", "I agree", "<input id=\"agree\">"),
            ("placeholder", "your city", "<input id=\"city\">"),
            ("test id", "card", "<div>"),
            ("css", "button.inner", "<button class=\"inner\">"),
            ("text", "shadow words", "<span>"),
        ];
        for (by, value, want) in cases {
            let e = el(&s, by, value);
            assert_eq!(e.describe().await.unwrap(), *want, "{by}={value}");
        }
        assert_eq!(
            el(&s, "link text", "Another link text")
                .text()
                .await
                .unwrap(),
            "Another link text"
        );
        assert_eq!(el(&s, "link text", "Exact").count().await.unwrap(), 0);
        assert_eq!(
            el(&s, "role", "button[name=\"sign\"]")
                .count()
                .await
                .unwrap(),
            2
        );
        let second = el(&s, "role", "button[name=\"sign\"]").nth(1);
        assert_eq!(second.text().await.unwrap(), "Sign out");
        assert_eq!(
            el(&s, "role", "link[name=\"exact link\"s]")
                .count()
                .await
                .unwrap(),
            0
        );
        // Shadow DOM elements are clicked like any other.
        css(&s, "button.inner").click().await.unwrap();
        assert_eq!(css(&s, "button.inner").text().await.unwrap(), "pressed");
        el(&s, "role", "button[name=\"Sign in\"]")
            .click()
            .await
            .unwrap();
        assert_eq!(text(&s, "#mouse-log").await, "signed in");
        assert_eq!(
            Locator::new("role", "button[name=\"Sign in\"]")
                .unwrap()
                .to_string(),
            "role=\"button\"[name=\"Sign in\"]"
        );
        assert_eq!(
            Locator::new("css", "#go").unwrap().to_string(),
            "css=\"#go\""
        );
        assert!(Locator::new("class name", "a b").is_err());
        let bad = Locator::new("colour", "red").unwrap_err().to_string();
        assert!(bad.contains("unknown locator strategy \"colour\""), "{bad}");
        let syntax = css(&s, "##").describe().await.unwrap_err().to_string();
        assert!(syntax.contains("css=\"##\""), "{syntax}");
        s.close().await.unwrap();
    });
}

#[test]
fn typing_fires_key_events_per_character_and_change_on_blur() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        css(&s, "#counted").type_text("abc").await.unwrap();
        assert_eq!(
            text(&s, "#counts").await,
            "keydown=3 keypress=3 input=3 keyup=3 change=0"
        );
        css(&s, "#elsewhere").click().await.unwrap();
        assert_eq!(
            text(&s, "#counts").await,
            "keydown=3 keypress=3 input=3 keyup=3 change=1"
        );
        assert_eq!(text(&s, "#counted").await, "abc");
        css(&s, "#editable").type_text("hi there").await.unwrap();
        assert_eq!(css(&s, "#editable").inner_text().await.unwrap(), "hi there");
        s.close().await.unwrap();
    });
}

#[test]
fn keys_select_all_replace_and_enter_submits() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        css(&s, "#field")
            .type_text("\u{e009}a\u{e000}new text\u{e007}")
            .await
            .unwrap();
        assert_eq!(text(&s, "#submitted").await, "submitted: new text");
        // Shift held by its key uppercases until NULL; Backspace deletes for real.
        css(&s, "#area")
            .type_text("A\u{e008}b\u{e000}c\u{e003}x")
            .await
            .unwrap();
        assert_eq!(text(&s, "#area").await, "ABx");
        let keys = text(&s, "#keys").await;
        assert!(keys.contains("B:KeyB:66:shift"), "{keys}");
        assert!(keys.contains("Backspace:Backspace:8"), "{keys}");
        assert!(keys.contains("Shift:ShiftLeft:16"), "{keys}");
        s.close().await.unwrap();
    });
}

#[test]
fn typing_into_what_is_not_a_text_field_says_what_to_use() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        let typing = |sel: &str| {
            let e = css(&s, sel).with_timeout(Duration::from_millis(400));
            async move { message(e.type_text("x").await) }
        };
        assert!(typing("#fruit")
            .await
            .contains("use WR_element_select_by_visible_text/_by_value/_by_index"));
        assert!(typing("#upload").await.contains("use WR_upload_file"));
        assert!(typing("#agree")
            .await
            .contains("use WR_element_check/WR_element_uncheck"));
        assert_eq!(
            typing("#plain").await,
            "cannot type into css=\"#plain\": it is not editable (a <div id=\"plain\">)"
        );
        assert!(typing("#readonly")
            .await
            .ends_with("not editable (read-only)"));
        s.close().await.unwrap();
    });
}

#[test]
fn check_uncheck_and_radios() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        let agree = css(&s, "#agree");
        agree.check().await.unwrap();
        assert!(agree.is_selected().await.unwrap());
        agree.check().await.unwrap();
        assert!(agree.is_selected().await.unwrap());
        agree.uncheck().await.unwrap();
        assert!(!agree.is_selected().await.unwrap());
        css(&s, "#small").check().await.unwrap();
        css(&s, "#large").check().await.unwrap();
        assert!(!css(&s, "#small").is_selected().await.unwrap());
        assert!(css(&s, "#large").is_selected().await.unwrap());
        assert!(message(css(&s, "#large").uncheck().await).contains("radio button"));
        assert!(message(css(&s, "#plain").check().await).contains("not a checkbox or radio"));
        s.close().await.unwrap();
    });
}

#[test]
fn select_by_text_value_and_index() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        let fruit = css(&s, "#fruit");
        fruit.select_by_text("Banana").await.unwrap();
        assert_eq!(fruit.property("value").await.unwrap(), json!("b"));
        assert_eq!(text(&s, "#fruit-out").await, "change: b");
        fruit.select_by_value("a").await.unwrap();
        assert_eq!(text(&s, "#fruit-out").await, "change: a");
        fruit.select_by_index(1).await.unwrap();
        assert_eq!(fruit.property("value").await.unwrap(), json!("b"));
        let missing = message(fruit.select_by_text("Durian").await);
        assert!(missing.contains("there is none"), "{missing}");
        assert!(
            missing.contains("\"Apple\", \"Banana\", \"Cherry\""),
            "{missing}"
        );
        assert!(message(fruit.select_by_index(7).await).contains("at index 7"));
        assert!(message(fruit.select_by_value("c").await).contains("disabled"));
        assert!(message(css(&s, "#plain").select_by_index(0).await).contains("not a <select>"));
        s.close().await.unwrap();
    });
}

#[test]
fn upload_sets_a_real_file() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        std::fs::write(&path, vec![b'x'; 1234]).unwrap();
        css(&s, "#upload").set_files(&[path]).await.unwrap();
        assert_eq!(text(&s, "#upload-out").await, "report.txt 1234");
        let gone = message(
            css(&s, "#upload")
                .set_files(&[dir.path().join("missing.txt")])
                .await,
        );
        assert!(gone.contains("missing.txt"), "{gone}");
        s.close().await.unwrap();
    });
}

#[test]
fn hover_double_and_right_click() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        assert!(!css(&s, "#menu-items").is_visible().await.unwrap());
        css(&s, "#menu-title").hover().await.unwrap();
        assert!(css(&s, "#menu-items").is_visible().await.unwrap());
        css(&s, "#mouse").double_click().await.unwrap();
        assert_eq!(text(&s, "#mouse-log").await, "click:0 click:0 dblclick:0");
        css(&s, "#mouse").right_click().await.unwrap();
        let log = text(&s, "#mouse-log").await;
        assert!(
            log.contains("contextmenu:2") && log.contains("auxclick:2"),
            "{log}"
        );
        s.close().await.unwrap();
    });
}

#[test]
fn reads_and_element_screenshot() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        let png = css(&s, "#box").screenshot().await.unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (120, 40));
        let field = css(&s, "#field");
        field.type_text("!").await.unwrap();
        assert_eq!(
            field.attribute("value").await.unwrap().as_deref(),
            Some("old text!")
        );
        assert_eq!(
            field.dom_attribute("value").await.unwrap().as_deref(),
            Some("old text")
        );
        assert_eq!(field.attribute("nothing").await.unwrap(), None);
        assert_eq!(css(&s, "#box").css_value("width").await.unwrap(), "120px");
        assert!(!css(&s, "#readonly").is_selected().await.unwrap());
        assert!(css(&s, "#email").is_enabled().await.unwrap());
        assert!(css(&s, "#box").is_displayed().await.unwrap());
        assert_eq!(
            css(&s, "#menu-items").inner_html().await.unwrap(),
            "<li>First item</li>"
        );
        let (x, y) = css(&s, "#box").center().await.unwrap();
        assert!(x > 0.0 && y > 0.0);
        css(&s, "#locators").scroll_into_view().await.unwrap();
        s.close().await.unwrap();
    });
}

#[test]
fn input_primitives_track_the_mouse_and_modifiers() {
    rt().block_on(async {
        let s = open("/input/forms").await;
        let input = Input::new(&s);
        let (x, y) = css(&s, "#mouse").center().await.unwrap();
        input.mouse_click(x, y, MouseButton::Left, 1).await.unwrap();
        assert_eq!(text(&s, "#mouse-log").await, "click:0");
        assert_eq!((input.state().x, input.state().y), (x, y));
        input.mouse_down(MouseButton::Right).await.unwrap();
        input.mouse_up(MouseButton::Right).await.unwrap();
        assert!(text(&s, "#mouse-log").await.contains("contextmenu:2"));
        css(&s, "#area").focus().await.unwrap();
        input.key_down("SHIFT").await.unwrap();
        assert_eq!(Input::new(&s).state().modifiers, 8);
        input.send_keys("ab").await.unwrap();
        input.key_up("shift").await.unwrap();
        input.send_keys("c\u{e012}\u{e012}d").await.unwrap();
        input.key_down("ENTER").await.unwrap();
        input.key_up("\u{e007}").await.unwrap();
        assert_eq!(text(&s, "#area").await, "Ad\nBc");
        assert!(input.key_down("NO_SUCH_KEY").await.is_err());
        input.mouse_wheel(0.0, 400.0).await.unwrap();
        s.close().await.unwrap();
    });
}

#[test]
fn executor_commands_wait_for_actionability() {
    rt().block_on(async {
        let mut ex = common::executor().await;
        let base = site().await.base_url();
        let flow = r###"[["WR_to_url", ["{base}/input/wait"]],
            ["WR_element_click", {"css": "#late"}], ["WR_element_click", {"css": "#covered"}],
            ["WR_element_text", {"css": "#out"}],
            ["WR_to_url", ["{base}/input/forms"]],
            ["WR_element_input", {"css": "#counted", "text": "xy"}],
            ["WR_element_text", {"css": "#counts"}]]"###
            .replace("{base}", &base);
        let records = ex.run_flow(&parse_flow("t", &flow).unwrap()).await.to_vec();
        for r in &records {
            assert_eq!(r.status, Status::Passed, "{}: {:?}", r.command, r.error);
        }
        assert_eq!(records[3].result, json!("late,covered"));
        assert_eq!(
            records[6].result,
            json!("keydown=2 keypress=2 input=2 keyup=2 change=0")
        );
        ex.shutdown().await;
    });
}

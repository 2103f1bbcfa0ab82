//! Page-level primitives of a session against real pages of the demo site in a real
//! Chromium: load states, navigation errors, dialogs, frames (same- and cross-origin,
//! nested), tabs and windows, and the console and network records.

mod common;

use std::time::Duration;

use common::{rt, site, HANG_GUARD};
use serde_json::{json, Value};
use webrunner::browser::{BrowserError, DialogPolicy, FrameRef, Session, WaitUntil};

/// `{site}{path}`.
async fn url(path: &str) -> String {
    format!("{}{path}", site().await.base_url())
}

/// A new tab of the shared browser.
async fn session() -> Session {
    common::browser()
        .await
        .new_session()
        .await
        .expect("a new session")
}

/// Awaits `call`, failing the test should it never finish (not a speed limit).
async fn guard<T>(what: &str, call: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(HANG_GUARD, call)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer after {HANG_GUARD:?}, a hang"))
}

async fn eval(s: &Session, expression: &str) -> Value {
    s.evaluate(expression)
        .await
        .unwrap_or_else(|e| panic!("{expression}: {e}"))
}

/// What the slow-load page has: its ready state, whether the slow image arrived, and what
/// the request made after `load` brought.
async fn progress(s: &Session) -> (String, bool, String) {
    let v = eval(
        s,
        "({ ready: document.readyState, img: !!(document.getElementById('slow-img') && document.getElementById('slow-img').complete && document.getElementById('slow-img').naturalWidth > 0), xhr: (document.getElementById('xhr') || {}).textContent || '' })",
    )
    .await;
    (
        v["ready"].as_str().unwrap().to_string(),
        v["img"].as_bool().unwrap(),
        v["xhr"].as_str().unwrap().to_string(),
    )
}

#[test]
fn each_wait_until_returns_when_the_page_has_come_that_far() {
    rt().block_on(async {
        let s = session().await;
        let page = url("/pages/slow-load").await;
        let long = Duration::from_secs(30);

        s.goto_with(&page, WaitUntil::Commit, long).await.unwrap();
        assert!(eval(&s, "location.href")
            .await
            .as_str()
            .unwrap()
            .ends_with("/pages/slow-load"));
        let (ready, img, _) = progress(&s).await;
        assert_ne!(
            ready, "complete",
            "committed, the 1.5 s image is still on its way"
        );
        assert!(!img);

        s.goto_with(&page, WaitUntil::DomContentLoaded, long)
            .await
            .unwrap();
        let (ready, img, _) = progress(&s).await;
        assert_eq!(ready, "interactive", "parsed, the image still loading");
        assert!(!img);

        s.goto_with(&page, WaitUntil::Load, long).await.unwrap();
        let (ready, img, xhr) = progress(&s).await;
        assert_eq!(ready, "complete");
        assert!(img, "`load` waits for the image");
        assert_eq!(xhr, "", "the request made after `load` takes 1.2 s");

        s.goto_with(&page, WaitUntil::NetworkIdle, long)
            .await
            .unwrap();
        let (_, img, xhr) = progress(&s).await;
        assert!(img);
        assert_eq!(
            xhr, "Loaded after delay",
            "`networkidle` waits for the late request"
        );

        // The same states of the current document, and after a reload.
        s.goto_with(&page, WaitUntil::Commit, long).await.unwrap();
        s.wait_for_load_state(WaitUntil::Load, long).await.unwrap();
        assert!(progress(&s).await.1);
        s.wait_for_load_state(WaitUntil::NetworkIdle, long)
            .await
            .unwrap();
        assert_eq!(progress(&s).await.2, "Loaded after delay");
        s.reload_with(WaitUntil::NetworkIdle, long).await.unwrap();
        assert_eq!(progress(&s).await.2, "Loaded after delay");
        s.reload_with(WaitUntil::DomContentLoaded, long)
            .await
            .unwrap();
        assert!(
            !progress(&s).await.1,
            "a fresh document, its image loading again"
        );
        s.close().await.unwrap();
    });
}

#[test]
fn history_steps_wait_for_the_page_they_reach() {
    rt().block_on(async {
        let s = session().await;
        s.goto(&url("/pages/slow-load").await).await.unwrap();
        s.goto(&url("/products").await).await.unwrap();
        s.history_go_with(-1, WaitUntil::NetworkIdle, Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(progress(&s).await.2, "Loaded after delay");
        s.history_go(1).await.unwrap();
        assert_eq!(s.title().await.unwrap(), "Products");
        let err = s.history_go(1).await.unwrap_err().to_string();
        assert!(err.contains("no page to go forward"), "{err}");
        s.close().await.unwrap();
    });
}

#[test]
fn a_page_that_never_loads_times_out_saying_how_far_it_came() {
    rt().block_on(async {
        let s = session().await;
        let page = url("/pages/never-loads").await;
        let err = guard(
            "goto",
            s.goto_with(&page, WaitUntil::Load, Duration::from_millis(1500)),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, BrowserError::Timeout { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with("timed out after 1.5s waiting for")
                && text.contains(&format!("{page} to reach `load`"))
                && text.contains(
                    "the document is still `interactive` — something it loads has not finished"
                ),
            "{text}"
        );
        // The session still works.
        s.goto(&url("/products").await).await.unwrap();
        assert_eq!(s.title().await.unwrap(), "Products");
        s.close().await.unwrap();
    });
}

#[test]
fn a_refused_connection_says_so_with_a_hint() {
    rt().block_on(async {
        // A port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let target = format!("http://127.0.0.1:{port}/");
        let s = session().await;
        let err = guard("goto", s.goto(&target)).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, BrowserError::Navigation { .. }), "{err:?}");
        assert!(
            text.starts_with(&format!(
                "cannot open {target}: net::ERR_CONNECTION_REFUSED"
            )) && text.contains("is the server running?"),
            "{text}"
        );
        let err = "soon".parse::<WaitUntil>().unwrap_err().to_string();
        assert!(
            err.contains("commit, domcontentloaded, load or networkidle"),
            "{err}"
        );
        s.close().await.unwrap();
    });
}

/// Clicks `#id` of the top document with real mouse events through CDP; the last event's
/// result is returned (a dialog the click opens may hold it up).
async fn mouse_click(s: &Session, id: &str) -> Result<Value, BrowserError> {
    let at = eval(
        s,
        &format!("(() => {{ const r = document.getElementById('{id}').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"),
    )
    .await;
    click_at(s, at[0].as_f64().unwrap(), at[1].as_f64().unwrap()).await
}

async fn click_at(s: &Session, x: f64, y: f64) -> Result<Value, BrowserError> {
    let mut last = Ok(Value::Null);
    for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
        last = s
            .cdp(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": if kind == "mouseMoved" { "none" } else { "left" }, "buttons": buttons, "clickCount": 1 }),
            )
            .await;
        if let Err(e) = &last {
            if !matches!(e, BrowserError::DialogOpened { .. }) {
                panic!("{kind}: {e}");
            }
        }
    }
    last
}

#[test]
fn kept_dialogs_are_read_and_answered_and_the_page_sees_the_answer() {
    rt().block_on(async {
        let s = session().await;
        s.goto(&url("/pages/dialogs").await).await.unwrap();
        s.set_dialog_policy(DialogPolicy::Keep);
        let result = || async { eval(&s, "document.getElementById('result').textContent").await };

        // A script that opens a dialog ends with DialogOpened instead of hanging.
        let err = guard("confirm", s.evaluate("document.getElementById('confirm').click()"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, BrowserError::DialogOpened { kind, message } if kind == "confirm" && message == "Delete it?"),
            "{err:?}"
        );
        let open = s.wait_dialog(Duration::from_secs(10)).await.unwrap();
        assert_eq!((open.kind.as_str(), open.message.as_str()), ("confirm", "Delete it?"));
        assert_eq!(s.accept_dialog(None).await.unwrap().kind, "confirm");
        assert!(s.dialog().is_none());
        assert_eq!(result().await, json!("confirmed"));

        let _ = guard("confirm", s.evaluate("document.getElementById('confirm').click()")).await;
        s.wait_dialog(Duration::from_secs(10)).await.unwrap();
        s.dismiss_dialog().await.unwrap();
        assert_eq!(result().await, json!("cancelled"));

        let _ = guard("prompt", s.evaluate("document.getElementById('prompt').click()")).await;
        let prompt = s.wait_dialog(Duration::from_secs(10)).await.unwrap();
        assert_eq!(prompt.default_prompt.as_deref(), Some("Ada"));
        s.accept_dialog(Some("Grace Hopper")).await.unwrap();
        assert_eq!(result().await, json!("name: Grace Hopper"));

        let _ = guard("prompt", s.evaluate("document.getElementById('prompt').click()")).await;
        s.wait_dialog(Duration::from_secs(10)).await.unwrap();
        s.dismiss_dialog().await.unwrap();
        assert_eq!(result().await, json!("no answer"));

        let err = s.accept_dialog(None).await.unwrap_err().to_string();
        assert!(err.contains("none is open"), "{err}");
        let err = s.wait_dialog(Duration::from_millis(300)).await.unwrap_err().to_string();
        assert!(err.contains("a JavaScript dialog"), "{err}");
        assert!(s.take_dialog_log().is_empty(), "kept dialogs are not closed automatically");
        s.close().await.unwrap();
    });
}

#[test]
fn under_dismiss_dialogs_close_at_once_and_are_logged() {
    rt().block_on(async {
        let s = session().await;
        s.goto(&url("/pages/dialogs").await).await.unwrap();
        assert_eq!(s.dialog_policy(), DialogPolicy::Dismiss);
        for id in ["alert", "confirm", "prompt"] {
            guard(
                id,
                s.evaluate(&format!("document.getElementById('{id}').click()")),
            )
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        }
        assert_eq!(
            eval(&s, "document.getElementById('result').textContent").await,
            json!("no answer"),
            "the prompt was dismissed"
        );
        let log = s.take_dialog_log();
        let seen: Vec<(&str, &str, &str)> = log
            .iter()
            .map(|d| (d.kind.as_str(), d.message.as_str(), d.outcome.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("alert", "Hello from the page", "dismissed"),
                ("confirm", "Delete it?", "dismissed"),
                ("prompt", "Your name?", "dismissed")
            ]
        );
        assert!(s.take_dialog_log().is_empty(), "taken once");
        s.close().await.unwrap();
    });
}

#[test]
fn a_click_that_opens_a_kept_alert_returns_and_the_page_is_not_called_hung() {
    rt().block_on(async {
        let s = session().await;
        s.goto(&url("/pages/dialogs").await).await.unwrap();
        s.set_dialog_policy(DialogPolicy::Keep);
        s.set_unresponsive_after(Duration::from_millis(500));
        let clicked = guard("the click", mouse_click(&s, "alert")).await;
        assert!(
            matches!(&clicked, Ok(_) | Err(BrowserError::DialogOpened { .. })),
            "{clicked:?}"
        );
        let alert = s.wait_dialog(Duration::from_secs(10)).await.unwrap();
        assert_eq!(alert.message, "Hello from the page");
        // Calls the open alert holds up end with DialogOpened, again and again; none of them
        // makes the page count as hung.
        for _ in 0..6 {
            let err = guard("a blocked call", s.evaluate("1 + 1"))
                .await
                .unwrap_err();
            assert!(matches!(err, BrowserError::DialogOpened { .. }), "{err:?}");
        }
        assert!(s.fatal().is_none(), "{:?}", s.fatal());
        s.accept_dialog(None).await.unwrap();
        assert_eq!(
            eval(&s, "document.getElementById('result').textContent").await,
            json!("alert closed")
        );
        assert!(s.fatal().is_none());
        s.close().await.unwrap();
    });
}

#[test]
fn frames_same_and_cross_origin_nested_parent_and_default() {
    rt().block_on(async {
        let s = session().await;
        s.goto_with(&url("/pages/frames").await, WaitUntil::NetworkIdle, Duration::from_secs(30))
            .await
            .unwrap();
        // The second frame really is of another origin.
        assert_eq!(
            eval(&s, "(() => { try { frames[1].document.title; return 'same'; } catch (e) { return 'cross'; } })()").await,
            json!("cross")
        );

        s.switch_to_frame(&FrameRef::NameOrId("same".into())).await.unwrap();
        let where_ = eval(&s, "document.getElementById('where').textContent").await;
        assert!(where_.as_str().unwrap().starts_with("same 127.0.0.1:"), "{where_}");
        s.switch_to_frame(&FrameRef::NameOrId("grandchild".into())).await.unwrap();
        assert_eq!(eval(&s, "document.title").await, json!("Grandchild frame"));
        assert_eq!(s.frame_depth(), 2);
        s.switch_to_parent_frame();
        assert_eq!(eval(&s, "document.title").await, json!("Child frame"));
        s.switch_to_default_content();
        assert_eq!(eval(&s, "document.title").await, json!("Frames"));

        s.switch_to_frame(&FrameRef::Css("#cross".into())).await.unwrap();
        let where_ = eval(&s, "document.getElementById('where').textContent").await;
        assert!(where_.as_str().unwrap().starts_with("cross localhost:"), "{where_}");
        let via_function = s
            .call_function("return location.hostname + ' ' + arguments[0];", &[json!("ok")])
            .await
            .unwrap();
        assert_eq!(via_function, json!("localhost ok"));
        // The URL and title stay the top document's.
        assert_eq!(s.title().await.unwrap(), "Frames");

        // A real click at the grandchild button's in-frame centre, moved by the frame offset.
        s.frame_chain(&[FrameRef::Index(1), FrameRef::Index(0)]).await.unwrap();
        // Scrolled into view through both frames, as a click does it.
        eval(&s, "document.getElementById('count').scrollIntoView({ block: 'center' })").await;
        let centre = eval(&s, "(() => { const r = document.getElementById('count').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()").await;
        let (dx, dy) = s.frame_offset().await.unwrap();
        assert!(dx > 30.0 && dy > 0.0, "({dx}, {dy})");
        click_at(&s, dx + centre[0].as_f64().unwrap(), dy + centre[1].as_f64().unwrap())
            .await
            .unwrap();
        click_at(&s, dx + centre[0].as_f64().unwrap(), dy + centre[1].as_f64().unwrap())
            .await
            .unwrap();
        assert_eq!(eval(&s, "document.getElementById('count').textContent").await, json!("2"));

        // A missing frame says what was looked for and which frames there are.
        s.switch_to_default_content();
        let err = s
            .switch_to_frame(&FrameRef::NameOrId("nope".into()))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("frame named \"nope\"")
                && err.contains("id=\"same\" name=\"same-frame\"")
                && err.contains("id=\"cross\""),
            "{err}"
        );
        let err = s.switch_to_frame(&FrameRef::Css("h1".into())).await.unwrap_err().to_string();
        assert!(err.contains("<h1>, not a frame"), "{err}");
        let err = s.switch_to_frame(&FrameRef::Index(7)).await.unwrap_err().to_string();
        assert!(err.contains("frame #7"), "{err}");

        // Navigating the frame gives it a new document that scripts reach.
        s.switch_to_frame(&FrameRef::Index(0)).await.unwrap();
        s.evaluate("location.href = '/pages/second-window'").await.unwrap();
        let mut title = Value::Null;
        for _ in 0..200 {
            title = s.evaluate("document.readyState === 'complete' ? document.title : ''").await.unwrap_or(Value::Null);
            if title == json!("Second window") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(title, json!("Second window"));
        s.close().await.unwrap();
    });
}

#[test]
fn new_tabs_are_listed_switched_to_by_handle_title_and_url_and_closed() {
    rt().block_on(async {
        let mut ex = common::executor().await;
        let ctx = ex.context();
        let first = ctx.open_browser().await.unwrap();
        first.goto(&url("/pages/windows").await).await.unwrap();
        let home = first.current_window_handle();
        assert_eq!(first.window_handles().await.unwrap(), vec![home.clone()]);

        // A link with target=_blank opens a tab of the same context.
        mouse_click(&first, "new-tab").await.unwrap();
        let mut handles = Vec::new();
        for _ in 0..200 {
            handles = first.window_handles().await.unwrap();
            if handles.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(handles.len(), 2, "{handles:?}");
        assert_eq!(handles[0], home, "oldest first");
        let tab = handles[1].clone();

        let second = ctx.switch_to_window(&tab).await.unwrap();
        second
            .wait_for_load_state(WaitUntil::Load, Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(second.current_window_handle(), tab);
        assert_eq!(
            ctx.session().await.unwrap().title().await.unwrap(),
            "Second window"
        );
        assert_eq!(
            eval(&second, "document.getElementById('here').textContent").await,
            json!("the second window")
        );

        // By title (substring) and by URL (a regular expression).
        let s = ctx.switch_to_window_by_title("Windows").await.unwrap();
        assert_eq!(s.current_window_handle(), home);
        let s = ctx
            .switch_to_window_by_url(r"/pages/second-w.ndow$")
            .await
            .unwrap();
        assert_eq!(s.current_window_handle(), tab);
        let err = ctx
            .switch_to_window_by_title("Nowhere")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"Nowhere\"") && err.contains("\"Second window\""),
            "{err}"
        );
        let err = ctx
            .switch_to_window("no-such-handle")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no such window") && err.contains(&home),
            "{err}"
        );

        // window.open, and a tab opened on purpose.
        ctx.switch_to_window(&home).await.unwrap();
        let home_session = ctx.session().await.unwrap();
        home_session
            .evaluate("document.getElementById('open-window').click()")
            .await
            .unwrap();
        let blank = home_session.new_window("tab").await.unwrap();
        let mut count = 0;
        for _ in 0..200 {
            count = home_session.window_handles().await.unwrap().len();
            if count == 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(count, 4);
        let err = home_session
            .new_window("popup")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("use tab or window"), "{err}");

        // Closing the current tab leaves the others and switches to the oldest.
        ctx.switch_to_window(&blank).await.unwrap();
        let left = ctx.close_window().await.unwrap();
        assert_eq!(left.len(), 3);
        assert!(!left.contains(&blank));
        assert_eq!(ctx.session().await.unwrap().current_window_handle(), home);
        ex.shutdown().await;
    });
}

#[test]
fn the_window_can_be_moved_resized_and_maximized() {
    rt().block_on(async {
        let s = session().await;
        s.goto(&url("/products").await).await.unwrap();
        let rect = s
            .set_window_rect(Some(10), Some(20), Some(900), Some(650))
            .await
            .unwrap();
        assert_eq!((rect.width, rect.height), (900, 650), "{rect:?}");
        let mut inner = Value::Null;
        for _ in 0..100 {
            inner = eval(&s, "window.innerWidth").await;
            if inner == json!(900) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(inner, json!(900), "the page sees the new width");
        let rect = s
            .set_window_rect(None, None, Some(700), None)
            .await
            .unwrap();
        assert_eq!((rect.width, rect.height), (700, 650), "{rect:?}");
        // Maximized and full screen, the window covers the (headless) screen.
        let screen = eval(&s, "[screen.width, screen.height]").await;
        let maximized = s.maximize().await.unwrap();
        assert_eq!(s.window_state().await.unwrap(), "maximized");
        assert_eq!(
            json!([maximized.width, maximized.height]),
            screen,
            "{maximized:?}"
        );
        let full = s.fullscreen().await.unwrap();
        assert_eq!(s.window_state().await.unwrap(), "fullscreen");
        assert_eq!(json!([full.width, full.height]), screen, "{full:?}");
        s.minimize().await.unwrap();
        assert_eq!(s.window_state().await.unwrap(), "minimized");
        // Setting a size restores the window first.
        let rect = s
            .set_window_rect(None, None, Some(640), Some(480))
            .await
            .unwrap();
        assert_eq!((rect.width, rect.height), (640, 480));
        assert_eq!(s.window_state().await.unwrap(), "normal");
        let err = s
            .set_window_rect(None, None, Some(0), None)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("positive"), "{err}");
        s.close().await.unwrap();
    });
}

#[test]
fn console_messages_and_failed_responses_are_recorded() {
    rt().block_on(async {
        let s = session().await;
        s.goto_with(
            &url("/pages/console").await,
            WaitUntil::NetworkIdle,
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        let mut messages = Vec::new();
        for _ in 0..200 {
            messages = s.console_messages();
            if messages.iter().any(|m| m.text.contains("uncaught boom")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let find = |level: &str, text: &str| {
            messages
                .iter()
                .find(|m| m.level == level && m.text.contains(text))
                .unwrap_or_else(|| panic!("no {level} {text:?} in {messages:#?}"))
        };
        let hello = find("log", "hello 42");
        assert!(
            hello
                .url
                .as_deref()
                .unwrap_or_default()
                .ends_with("/pages/console"),
            "{hello:?}"
        );
        assert!(hello.line.is_some() && hello.time > 1.0e12, "{hello:?}");
        find("warning", "careful now");
        find("error", "something broke");
        find("error", "uncaught boom");

        let responses = s.network_responses();
        let status_of = |code: &str| {
            responses
                .iter()
                .find(|r| r.url.ends_with(&format!("/pages/status?code={code}")))
                .unwrap_or_else(|| panic!("no response for {code} in {responses:#?}"))
        };
        assert_eq!(status_of("404").status, 404);
        assert_eq!(status_of("500").status, 500);
        assert_eq!(status_of("500").method, "GET");
        let document = responses
            .iter()
            .find(|r| r.url.ends_with("/pages/console"))
            .unwrap();
        assert_eq!(
            (document.status, document.mime_type.as_str()),
            (200, "text/html")
        );
        s.close().await.unwrap();
    });
}

#[test]
fn headers_user_agent_blocked_urls_cookies_and_source() {
    rt().block_on(async {
        let s = session().await;
        s.goto(&url("/products").await).await.unwrap();
        s.set_extra_http_headers([("x-flavour".to_string(), "lemon".to_string())].into())
            .await
            .unwrap();
        s.set_traceparent(Some(
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ))
        .await
        .unwrap();
        s.set_user_agent("webrunner-test/1.0").await.unwrap();
        s.goto(&url("/").await).await.unwrap();
        assert_eq!(
            eval(&s, "navigator.userAgent").await,
            json!("webrunner-test/1.0")
        );
        assert_eq!(
            eval(&s, "document.getElementById('traceparent').textContent").await,
            json!("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        );

        let fetch = "fetch('/pages/status?code=201').then((r) => r.status, (e) => String(e))";
        assert_eq!(eval(&s, fetch).await, json!(201));
        s.block_urls(&["*/pages/status*".to_string()])
            .await
            .unwrap();
        assert_eq!(eval(&s, fetch).await, json!("TypeError: Failed to fetch"));
        s.unblock_urls().await.unwrap();
        assert_eq!(eval(&s, fetch).await, json!(201));
        s.goto(&url("/products").await).await.unwrap();

        s.set_cookie(json!({ "name": "flavour", "value": "lemon" }))
            .await
            .unwrap();
        s.set_cookie(json!({ "name": "size", "value": "big" }))
            .await
            .unwrap();
        let names = |c: Vec<Value>| {
            c.iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let mut got = names(s.cookies().await.unwrap());
        got.sort();
        assert_eq!(got, ["flavour", "size"]);
        s.delete_cookie("flavour").await.unwrap();
        assert_eq!(names(s.cookies().await.unwrap()), ["size"]);
        s.clear_cookies().await.unwrap();
        assert!(s.cookies().await.unwrap().is_empty());
        let err = s
            .set_cookie(json!({ "value": "x" }))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs a `name`"), "{err}");

        let source = s.page_source().await.unwrap();
        assert!(
            source.starts_with("<!DOCTYPE html>") && source.contains("<h1>Products</h1>"),
            "{}",
            &source[..80.min(source.len())]
        );
        let png = s.screenshot(true).await.unwrap();
        assert_eq!(&png[1..4], b"PNG");
        s.close().await.unwrap();
    });
}

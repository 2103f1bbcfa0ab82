//! Tabs and windows: opened by the page and on purpose, switched to, closed; geometry.

use std::time::Duration;

use serde_json::{json, Value};
use webrunner::browser::WaitUntil;

use crate::common::rt;
use crate::{eval, mouse_click, session, url};

#[test]
fn new_tabs_are_listed_switched_to_by_handle_title_and_url_and_closed() {
    rt().block_on(async {
        let mut ex = crate::common::executor().await;
        ex.record_har(false);
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
        // The HAR follows the tab switched to.
        second
            .goto(&url("/pages/second-window?again=1").await)
            .await
            .unwrap();
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
            .switch_to_window_by_url(r"/pages/second-w.ndow\?again=\d$")
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
        // Closing the first tab (the one that opened the context) leaves the others too.
        let left = ctx.close_window().await.unwrap();
        assert_eq!(left.len(), 2);
        let current = ctx.session().await.unwrap();
        assert_eq!(current.current_window_handle(), left[0]);
        assert_ne!(left[0], home);
        let har = ex.take_har().await.expect("recording");
        let urls: Vec<&str> = har
            .log
            .entries
            .iter()
            .map(|e| e.request.url.as_str())
            .collect();
        assert!(
            urls.iter().any(|u| u.ends_with("/pages/windows")),
            "{urls:?}"
        );
        assert!(
            urls.iter()
                .any(|u| u.ends_with("/pages/second-window?again=1")),
            "{urls:?}"
        );
        // Closing the session disposes the context with every tab left in it.
        ex.context().close_browser().await;
        assert!(current.window_handles().await.unwrap().is_empty());
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

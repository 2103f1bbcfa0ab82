//! Dialogs kept open and answered, dismissed and logged, and a click that opens one.

use std::time::Duration;

use serde_json::json;
use webrunner::browser::{BrowserError, DialogPolicy};

use crate::common::rt;
use crate::{eval, guard, mouse_click, session, url};

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

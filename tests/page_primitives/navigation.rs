//! Load states, history steps, load time-outs and failed navigations.

use std::time::Duration;

use webrunner::browser::{BrowserError, WaitUntil};

use crate::common::rt;
use crate::{eval, guard, progress, session, url};

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

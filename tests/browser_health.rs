//! A crashed tab, a hung page and a killed Chromium are told apart from a slow answer in a
//! real Chromium: each fails its call with its own fatal error (where a dead page used to cost
//! a generic CDP time-out after 30–60 s), and every later call fails with that error at once;
//! a slow but healthy page is not taken for a hung one, every session gets a clean browser
//! context, and closing a browser leaves neither its process nor its profile behind.

mod common;

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use futures::FutureExt;
use serde_json::{json, Value};
use webrunner::browser::{Browser, BrowserError, Session};

use common::{launch, rt, signal, HANG_GUARD};

/// How long a stalled call's probe may go unanswered in the tests that hang a page.
const HUNG_AFTER: Duration = Duration::from_secs(2);

/// A loopback site: `/page` shows the cookies it was sent, `/spin` has a button whose click
/// never yields, `/hang` never finishes loading (its script does not yield), `/slow`
/// answers after 4 s.
async fn site() -> &'static str {
    static BASE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    BASE.get_or_init(|| async {
        let router = Router::new()
            .route(
                "/page",
                get(|headers: HeaderMap| async move {
                    let cookie = headers
                        .get("cookie")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .replace('<', "&lt;");
                    Html(format!(
                        "<title>Page</title><p id=sent>{cookie}</p>"
                    ))
                }),
            )
            .route(
                "/spin",
                get(|| async {
                    Html("<title>Spin</title><button id=spin style='width:200px;height:80px' onclick='while(true){}'>Spin</button>")
                }),
            )
            .route(
                "/hang",
                get(|| async {
                    Html("<title>Hang</title><script>while (true) {}</script><p>never shown")
                }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(4)).await;
                    Html("<title>Slow</title><p>at last</p>")
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        format!("http://{addr}")
    })
    .await
}

/// `{site}{path}`.
async fn url(path: &str) -> String {
    format!("{}{path}", site().await)
}

/// A new session of `browser` showing `path` of the site.
async fn open(browser: &Browser, path: &str) -> Session {
    let session = browser.new_session().await.expect("a new session");
    session
        .goto(&url(path).await)
        .await
        .unwrap_or_else(|e| panic!("{path} loads: {e}"));
    session
}

/// Awaits `call`, failing the test with a clear message should it never finish. Not a speed
/// limit: the old behaviour this file guards against is told apart by its error.
async fn hang_guard<T>(what: &str, call: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG_GUARD, call)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer after {HANG_GUARD:?}, a hang"))
}

/// Awaits the call that meets a dead page or browser, which must fail.
async fn fails<T: Debug>(
    what: &str,
    call: impl Future<Output = Result<T, BrowserError>>,
) -> BrowserError {
    hang_guard(what, call).await.expect_err(what)
}

/// The outcome of `call` when it is ready the first time it is polled, that is without
/// waiting for anything: how a call on a dead session or browser must fail.
fn at_once<T>(what: &str, call: impl Future<Output = T>) -> T {
    call.now_or_never()
        .unwrap_or_else(|| panic!("{what} waited instead of failing at once"))
}

/// How a session died.
#[derive(Debug, Clone, Copy)]
enum Death {
    Crashed,
    Unresponsive,
    Closed,
}

impl Death {
    /// Whether `e` is this death's error (and not, say, a generic CDP time-out).
    fn is(self, e: &BrowserError) -> bool {
        let (kind, text) = match self {
            Death::Crashed => (matches!(e, BrowserError::TabCrashed(_)), "tab crashed"),
            Death::Unresponsive => (
                matches!(e, BrowserError::Unresponsive { .. }),
                "page unresponsive",
            ),
            Death::Closed => (
                matches!(e, BrowserError::BrowserClosed(_)),
                "browser closed",
            ),
        };
        kind && e.to_string().starts_with(text)
    }

    /// Asserts that `e` is this death's error.
    fn assert(self, e: &BrowserError) {
        assert!(self.is(e), "expected {self:?}, got: {e}");
    }
}

/// `err`, the error of the call that met the dead page, is `death`'s; the session keeps it as
/// its fatal error, every later call fails with that same error at once, and the dead
/// session closes.
async fn assert_dead(session: Session, death: Death, err: &BrowserError) {
    death.assert(err);
    let fatal = session.fatal().expect("the session knows it is dead");
    death.assert(&fatal);
    assert!(fatal.is_fatal());
    let later = [
        at_once("evaluate", session.evaluate("1 + 1")).map(drop),
        at_once("screenshot_png", session.screenshot_png()).map(drop),
        at_once("content", session.content()).map(drop),
    ]
    .map(|r| r.expect_err("a dead session fails every call"));
    for e in std::iter::once(err).chain(&later) {
        assert_eq!(e.to_string(), fatal.to_string(), "not the fatal error");
    }
    let _ = hang_guard("closing a dead session", session.close()).await;
}

/// The browser outlived the death of one of its tabs: a new session loads a page.
async fn assert_browser_works(browser: &Browser) {
    assert!(browser.is_alive());
    let session = open(browser, "/page").await;
    assert_eq!(session.title().await.expect("title"), "Page");
    session.close().await.expect("the new session closes");
}

fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn a_crashed_tab_fails_its_call_at_once_and_the_next_session_works() {
    rt().block_on(async {
        let browser = common::browser().await;
        let session = open(&browser, "/page").await;
        assert!(session.fatal().is_none());

        let err = fails("Page.crash", session.cdp("Page.crash", json!({}))).await;
        assert_dead(session, Death::Crashed, &err).await;
        assert_browser_works(&browser).await;
    });
}

#[test]
fn a_click_whose_handler_never_yields_marks_the_page_unresponsive() {
    rt().block_on(async {
        let browser = common::browser().await;
        let session = open(&browser, "/spin").await;
        session.set_unresponsive_after(HUNG_AFTER);
        let centre = session
            .evaluate("(() => { const r = spin.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
            .await
            .unwrap();
        let (x, y) = (centre[0].clone(), centre[1].clone());

        let click = async {
            for kind in ["mousePressed", "mouseReleased"] {
                session
                    .cdp(
                        "Input.dispatchMouseEvent",
                        json!({ "type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1 }),
                    )
                    .await?;
            }
            // Both events were answered before the handler began to spin: the next call
            // meets the hung page.
            session.title().await
        };
        let err = fails("a click on the spinning button", click).await;
        assert_dead(session, Death::Unresponsive, &err).await;
        assert_browser_works(&browser).await;
    });
}

#[test]
fn a_timer_that_never_yields_fails_the_next_call_as_unresponsive() {
    rt().block_on(async {
        let browser = common::browser().await;
        let session = open(&browser, "/page").await;
        session.set_unresponsive_after(HUNG_AFTER);
        session
            .evaluate("setTimeout(() => { while (true) {} }, 0); 'started'")
            .await
            .unwrap();

        let err = fails("the URL of the hung page", session.url()).await;
        assert_dead(session, Death::Unresponsive, &err).await;
        assert_browser_works(&browser).await;
    });
}

#[test]
fn a_page_whose_script_hangs_while_loading_fails_goto_as_unresponsive() {
    rt().block_on(async {
        let browser = common::browser().await;
        let session = browser.new_session().await.unwrap();
        session.set_unresponsive_after(HUNG_AFTER);

        let err = fails("loading /hang", session.goto(&url("/hang").await)).await;
        assert_dead(session, Death::Unresponsive, &err).await;
    });
}

#[test]
fn a_slow_server_and_a_long_promise_do_not_count_as_a_hung_page() {
    rt().block_on(async {
        let browser = common::browser().await;
        let session = browser.new_session().await.unwrap();
        // Each wait below is longer than the probe delay plus this limit.
        session.set_unresponsive_after(Duration::from_secs(1));
        session
            .goto(&url("/slow").await)
            .await
            .expect("a slow navigation succeeds");
        assert_eq!(session.title().await.unwrap(), "Slow");
        let value = session
            .evaluate("new Promise(resolve => setTimeout(() => resolve(7), 4000))")
            .await
            .expect("an awaited promise on a free page succeeds");
        assert_eq!(value, json!(7));
        assert!(session.fatal().is_none());
        session.close().await.unwrap();
    });
}

#[test]
fn a_killed_chromium_fails_pending_and_later_calls_as_browser_closed() {
    rt().block_on(async {
        let browser = launch().await;
        let session = open(&browser, "/page").await;
        assert!(browser.is_alive());
        let pending = {
            let session = session.clone();
            tokio::spawn(async move { session.evaluate("new Promise(() => {})").await })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!pending.is_finished(), "the call waits for its promise");

        signal(browser.pid().expect("Chromium's pid"), "-KILL");
        let err = fails("the pending call", async {
            pending.await.expect("the pending task")
        })
        .await;
        assert_dead(session, Death::Closed, &err).await;
        assert!(!browser.is_alive());
        let err = at_once("a new session", browser.new_session())
            .expect_err("no session on a dead browser");
        Death::Closed.assert(&err);

        let profile = browser.profile_dir().to_path_buf();
        drop(browser);
        assert!(!profile.exists(), "{} is left behind", profile.display());
    });
}

#[test]
fn sessions_do_not_share_cookies_or_storage() {
    rt().block_on(async {
        let browser = common::browser().await;
        let first = open(&browser, "/page").await;
        first
            .evaluate("document.cookie = 'flavour=lemon; path=/'; localStorage.setItem('kept', 'yes'); sessionStorage.setItem('tab', 'yes')")
            .await
            .unwrap();
        first.reload().await.unwrap();
        // The first session itself keeps them: its server saw the cookie.
        assert_eq!(first.evaluate("sent.textContent").await.unwrap(), json!("flavour=lemon"));
        assert_eq!(first.evaluate("localStorage.getItem('kept')").await.unwrap(), json!("yes"));

        let second = open(&browser, "/page").await;
        assert_eq!(second.evaluate("sent.textContent").await.unwrap(), json!(""));
        assert_eq!(second.evaluate("document.cookie").await.unwrap(), json!(""));
        assert_eq!(second.evaluate("localStorage.getItem('kept')").await.unwrap(), Value::Null);
        assert_eq!(second.evaluate("sessionStorage.getItem('tab')").await.unwrap(), Value::Null);
        first.close().await.unwrap();
        second.close().await.unwrap();
    });
}

#[test]
fn a_frozen_chromium_is_noticed_and_close_always_ends_it_and_removes_its_profile() {
    rt().block_on(async {
        for frozen in [false, true] {
            let browser = launch().await;
            let session = open(&browser, "/page").await;
            let pid = browser.pid().expect("Chromium's pid");
            let profile = browser.profile_dir().to_path_buf();
            assert!(profile.exists());
            if frozen {
                signal(pid, "-STOP");
                session.set_unresponsive_after(HUNG_AFTER);
                let err = fails("the title from a frozen browser", session.title()).await;
                Death::Closed.assert(&err);
                assert!(!browser.is_alive());
            }

            hang_guard("closing the browser", browser.close()).await;
            assert!(
                !process_exists(pid),
                "Chromium {pid} still runs (frozen: {frozen})"
            );
            assert!(!profile.exists(), "{} is left behind", profile.display());
            let err = at_once("the title from a closed browser", session.title())
                .expect_err("a closed browser answers nothing");
            Death::Closed.assert(&err);
        }
    });
}

//! A crashed tab, a hung page and a killed Chromium are noticed at once in a real Chromium,
//! a slow but healthy page is not taken for a hung one, every session gets a clean browser
//! context, and closing a browser leaves neither its process nor its profile behind.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use webrunner::browser::{Browser, BrowserError, BrowserOptions, Session};

/// Far below the 30–60 s a dead page used to cost, and generous for a busy machine.
const PROMPTLY: Duration = Duration::from_secs(15);
/// What "at once" means for a session already known to be dead.
const AT_ONCE: Duration = Duration::from_secs(1);

fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// The Chromium shared by the tests of this binary (the one that is killed has its own).
async fn browser() -> Arc<Browser> {
    static BROWSER: tokio::sync::OnceCell<Arc<Browser>> = tokio::sync::OnceCell::const_new();
    BROWSER
        .get_or_init(|| async { Arc::new(launch().await) })
        .await
        .clone()
}

async fn launch() -> Browser {
    Browser::launch(BrowserOptions::default())
        .await
        .unwrap_or_else(|e| panic!("these tests need Chromium: {e}"))
}

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

/// Opening a page in a new session of the shared browser works end to end.
async fn assert_new_session_works(browser: &Browser) {
    let session = browser.new_session().await.expect("a new session");
    session
        .goto(&format!("{}/page", site().await))
        .await
        .expect("the new session loads a page");
    assert_eq!(session.title().await.expect("title"), "Page");
    session.close().await.expect("the new session closes");
}

/// A later call on a dead session fails at once with the session's fatal error.
async fn assert_dead(session: &Session, is_expected: fn(&BrowserError) -> bool) {
    let fatal = session.fatal().expect("the session knows it is dead");
    assert!(is_expected(&fatal), "unexpected fatal error: {fatal}");
    assert!(fatal.is_fatal());
    let start = Instant::now();
    let later = session
        .evaluate("1 + 1")
        .await
        .expect_err("a dead session fails");
    assert!(start.elapsed() < AT_ONCE, "took {:?}", start.elapsed());
    assert!(is_expected(&later), "unexpected error: {later}");
    let start = Instant::now();
    session
        .screenshot_png()
        .await
        .expect_err("a dead session takes no screenshot");
    session
        .content()
        .await
        .expect_err("a dead session has no content");
    assert!(start.elapsed() < AT_ONCE, "took {:?}", start.elapsed());
}

fn is_crashed(e: &BrowserError) -> bool {
    matches!(e, BrowserError::TabCrashed(_)) && e.to_string().starts_with("tab crashed")
}

fn is_unresponsive(e: &BrowserError) -> bool {
    matches!(e, BrowserError::Unresponsive { .. }) && e.to_string().starts_with("page unresponsive")
}

fn is_closed(e: &BrowserError) -> bool {
    matches!(e, BrowserError::BrowserClosed(_)) && e.to_string().starts_with("browser closed")
}

/// Closing a dead session returns promptly.
async fn close_promptly(session: Session) {
    let start = Instant::now();
    let _ = session.close().await;
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "close took {:?}",
        start.elapsed()
    );
}

fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

fn signal(name: &str, pid: u32) {
    let status = std::process::Command::new("kill")
        .args([name, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {name} {pid} failed");
}

#[test]
fn a_crashed_tab_fails_its_call_at_once_and_the_next_session_works() {
    rt().block_on(async {
        let browser = browser().await;
        let session = browser.new_session().await.unwrap();
        session
            .goto(&format!("{}/page", site().await))
            .await
            .unwrap();
        assert!(session.fatal().is_none());

        let start = Instant::now();
        let err = session
            .cdp("Page.crash", json!({}))
            .await
            .expect_err("a crashed tab does not answer");
        assert!(start.elapsed() < PROMPTLY, "took {:?}", start.elapsed());
        assert!(is_crashed(&err), "unexpected error: {err}");
        assert_dead(&session, is_crashed).await;
        close_promptly(session).await;

        assert!(browser.is_alive());
        assert_new_session_works(&browser).await;
    });
}

#[test]
fn a_click_whose_handler_never_yields_marks_the_page_unresponsive() {
    rt().block_on(async {
        let browser = browser().await;
        let session = browser.new_session().await.unwrap();
        session.set_unresponsive_after(Duration::from_secs(2));
        session.goto(&format!("{}/spin", site().await)).await.unwrap();
        let centre = session
            .evaluate("(() => { const r = spin.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
            .await
            .unwrap();
        let (x, y) = (centre[0].clone(), centre[1].clone());

        let start = Instant::now();
        let mut outcome = Ok(Value::Null);
        for kind in ["mousePressed", "mouseReleased"] {
            outcome = session
                .cdp(
                    "Input.dispatchMouseEvent",
                    json!({ "type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1 }),
                )
                .await;
            if outcome.is_err() {
                break;
            }
        }
        let err = match outcome {
            Ok(_) => session.title().await.expect_err("the hung page answers nothing"),
            Err(e) => e,
        };
        assert!(start.elapsed() < PROMPTLY, "took {:?}", start.elapsed());
        assert!(is_unresponsive(&err), "unexpected error: {err}");
        assert_dead(&session, is_unresponsive).await;
        close_promptly(session).await;

        assert!(browser.is_alive());
        assert_new_session_works(&browser).await;
    });
}

#[test]
fn a_timer_that_never_yields_fails_the_next_call_as_unresponsive() {
    rt().block_on(async {
        let browser = browser().await;
        let session = browser.new_session().await.unwrap();
        session.set_unresponsive_after(Duration::from_secs(2));
        session
            .goto(&format!("{}/page", site().await))
            .await
            .unwrap();
        session
            .evaluate("setTimeout(() => { while (true) {} }, 0); 'started'")
            .await
            .unwrap();

        let start = Instant::now();
        let err = session
            .url()
            .await
            .expect_err("the hung page answers nothing");
        assert!(start.elapsed() < PROMPTLY, "took {:?}", start.elapsed());
        assert!(is_unresponsive(&err), "unexpected error: {err}");
        assert_dead(&session, is_unresponsive).await;
        close_promptly(session).await;

        assert_new_session_works(&browser).await;
    });
}

#[test]
fn a_page_whose_script_hangs_while_loading_fails_goto_as_unresponsive() {
    rt().block_on(async {
        let browser = browser().await;
        let session = browser.new_session().await.unwrap();
        session.set_unresponsive_after(Duration::from_secs(2));

        let start = Instant::now();
        let err = session
            .goto(&format!("{}/hang", site().await))
            .await
            .expect_err("the page never loads");
        assert!(start.elapsed() < PROMPTLY, "took {:?}", start.elapsed());
        assert!(is_unresponsive(&err), "unexpected error: {err}");
        assert_dead(&session, is_unresponsive).await;
        close_promptly(session).await;
    });
}

#[test]
fn a_slow_server_and_a_long_promise_do_not_count_as_a_hung_page() {
    rt().block_on(async {
        let browser = browser().await;
        let session = browser.new_session().await.unwrap();
        // Each wait below is longer than the probe delay plus this limit.
        session.set_unresponsive_after(Duration::from_secs(1));
        session
            .goto(&format!("{}/slow", site().await))
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
        let session = browser.new_session().await.unwrap();
        session
            .goto(&format!("{}/page", site().await))
            .await
            .unwrap();
        assert!(browser.is_alive());
        let pending = {
            let session = session.clone();
            tokio::spawn(async move { session.evaluate("new Promise(() => {})").await })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;

        let start = Instant::now();
        signal("-KILL", browser.pid().expect("Chromium's pid"));
        let err = pending
            .await
            .unwrap()
            .expect_err("a call pending on a killed browser fails");
        assert!(start.elapsed() < PROMPTLY, "took {:?}", start.elapsed());
        assert!(is_closed(&err), "unexpected error: {err}");
        assert_dead(&session, is_closed).await;
        assert!(!browser.is_alive());
        let start = Instant::now();
        let err = browser
            .new_session()
            .await
            .expect_err("no session on a dead browser");
        assert!(is_closed(&err), "unexpected error: {err}");
        close_promptly(session).await;
        assert!(start.elapsed() < AT_ONCE * 2, "took {:?}", start.elapsed());

        let profile = browser.profile_dir().to_path_buf();
        drop(browser);
        assert!(!profile.exists(), "{} is left behind", profile.display());
    });
}

#[test]
fn sessions_do_not_share_cookies_or_storage() {
    rt().block_on(async {
        let browser = browser().await;
        let page = format!("{}/page", site().await);
        let first = browser.new_session().await.unwrap();
        first.goto(&page).await.unwrap();
        first
            .evaluate("document.cookie = 'flavour=lemon; path=/'; localStorage.setItem('kept', 'yes'); sessionStorage.setItem('tab', 'yes')")
            .await
            .unwrap();
        first.reload().await.unwrap();
        // The first session itself keeps them: its server saw the cookie.
        assert_eq!(first.evaluate("sent.textContent").await.unwrap(), json!("flavour=lemon"));
        assert_eq!(first.evaluate("localStorage.getItem('kept')").await.unwrap(), json!("yes"));

        let second = browser.new_session().await.unwrap();
        second.goto(&page).await.unwrap();
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
            let session = browser.new_session().await.unwrap();
            session
                .goto(&format!("{}/page", site().await))
                .await
                .unwrap();
            let pid = browser.pid().expect("Chromium's pid");
            let profile = browser.profile_dir().to_path_buf();
            assert!(profile.exists());
            if frozen {
                signal("-STOP", pid);
                session.set_unresponsive_after(Duration::from_secs(2));
                let start = Instant::now();
                let err = session
                    .title()
                    .await
                    .expect_err("a frozen browser answers nothing");
                assert!(start.elapsed() < PROMPTLY, "took {:?}", start.elapsed());
                assert!(is_closed(&err), "unexpected error: {err}");
                assert!(!browser.is_alive());
            }

            let start = Instant::now();
            browser.close().await;
            assert!(
                start.elapsed() < PROMPTLY,
                "close took {:?}",
                start.elapsed()
            );
            assert!(
                !process_exists(pid),
                "Chromium {pid} still runs (frozen: {frozen})"
            );
            assert!(!profile.exists(), "{} is left behind", profile.display());
            let err = session
                .title()
                .await
                .expect_err("a closed browser answers nothing");
            assert!(is_closed(&err), "unexpected error: {err}");
        }
    });
}

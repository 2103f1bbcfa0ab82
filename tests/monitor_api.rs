//! The synthetic monitor without a browser: registration, ticks and their results, alerts
//! (payload, once per change, cold start), the loop (`run_for`, `run_until`, stop requests),
//! failing sinks that never stop the monitor, the file and webhook sinks against a real
//! local HTTP server, and the state file.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{json, Value};
use webrunner::executor::{Clock, RecordingClock};
use webrunner::monitor::{
    Alert, AlertError, AlertFuture, AlertSink, AlertSinks, CheckOptions, CheckStatus, FileSink,
    Flap, MonitorError, MonitorState, StateError, StopSignal, SyntheticMonitor, WebhookOptions,
    WebhookSink,
};

type Alerts = Arc<Mutex<Vec<Alert>>>;

/// A monitor whose sink collects alerts.
fn collecting() -> (SyntheticMonitor, Alerts) {
    let alerts: Alerts = Arc::default();
    let sink = alerts.clone();
    let monitor = SyntheticMonitor::new(move |a: &Alert| sink.lock().unwrap().push(a.clone()));
    (monitor, alerts)
}

/// A check that plays `script` (`p` pass, `f` fail) one run at a time, then keeps passing;
/// failures are `Err("failure N")` with N counted from 1.
fn scripted(script: &str) -> impl FnMut() -> std::future::Ready<Result<(), String>> + Send {
    let mut runs: VecDeque<char> = script.chars().collect();
    let mut failures = 0;
    move || {
        let outcome = if runs.pop_front() == Some('f') {
            failures += 1;
            Err(format!("failure {failures}"))
        } else {
            Ok(())
        };
        std::future::ready(outcome)
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn register_refuses_an_empty_name_and_thresholds_below_one() {
    let (mut m, _) = collecting();
    let e = m.register("", scripted(""), 1, 1).unwrap_err();
    assert!(matches!(e, MonitorError::EmptyName), "{e}");
    let e = m.register("home", scripted(""), 0, 1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "check \"home\": failure_threshold must be at least 1, got 0"
    );
    let e = m.register("home", scripted(""), 1, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "check \"home\": recovery_threshold must be at least 1, got 0"
    );
    assert!(m.check_names().is_empty(), "nothing registered on error");
    m.register("home", scripted(""), 2, 3).unwrap();
    assert_eq!(m.check_names(), ["home"]);
}

#[test]
fn a_check_red_on_its_first_tick_alerts_with_no_previous_status() {
    rt().block_on(async {
        let (mut m, alerts) = collecting();
        m.register("down", scripted("ff"), 1, 1).unwrap();
        m.register("up", scripted("pp"), 1, 1).unwrap();
        let results = m.tick_once().await;
        assert_eq!(results.len(), 2);
        assert_eq!(
            (results[0].status, results[0].transitioned),
            (CheckStatus::Red, true)
        );
        assert_eq!(
            (results[1].status, results[1].transitioned),
            (CheckStatus::Green, false)
        );
        let got = alerts.lock().unwrap().clone();
        assert_eq!(got.len(), 1, "a check green from the start does not alert");
        let v = serde_json::to_value(&got[0]).unwrap();
        assert_eq!(v["event"], "synthetic.transition");
        assert_eq!(v["check"], "down");
        assert_eq!(v["previous"], Value::Null);
        assert_eq!(v["current"], "red");
        assert_eq!(v["error"], "failure 1");
        assert_eq!(v["duration_seconds"], json!(results[0].duration_seconds));
        assert_eq!(
            v.as_object().unwrap().len(),
            6,
            "exactly the SPEC fields: {v}"
        );
        // Still red: no second alert.
        m.tick_once().await;
        assert_eq!(alerts.lock().unwrap().len(), 1);
    });
}

#[test]
fn alerts_go_out_once_per_change_and_never_while_a_status_holds() {
    rt().block_on(async {
        let (mut m, alerts) = collecting();
        m.register("site", scripted("pffffppfp"), 2, 2).unwrap();
        let mut statuses = String::new();
        for _ in 0..9 {
            let r = m.tick_once().await.remove(0);
            statuses.push(if r.status == CheckStatus::Red {
                'R'
            } else {
                'G'
            });
        }
        // Red after 2 failures in a row, green after 2 passes in a row.
        assert_eq!(statuses, "GGRRRRGGG");
        let got: Vec<(Option<CheckStatus>, CheckStatus, Option<String>)> = alerts
            .lock()
            .unwrap()
            .iter()
            .map(|a| (a.previous, a.current, a.error.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some(CheckStatus::Green),
                    CheckStatus::Red,
                    Some("failure 2".to_string())
                ),
                (Some(CheckStatus::Red), CheckStatus::Green, None),
            ]
        );
    });
}

#[test]
fn tick_results_carry_name_status_error_duration_and_timestamp() {
    rt().block_on(async {
        let (mut m, _) = collecting();
        m.register("b", scripted("f"), 1, 1).unwrap();
        m.register("a", scripted("p"), 1, 1).unwrap();
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let results = m.tick_once().await;
        let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["b", "a"], "registration order");
        let v = serde_json::to_value(&results[0]).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "name",
                "status",
                "duration_seconds",
                "transitioned",
                "error",
                "timestamp"
            ]
        );
        assert_eq!(v["status"], "red");
        assert_eq!(v["error"], "failure 1");
        assert_eq!(results[1].error, None);
        for r in &results {
            assert!(r.duration_seconds >= 0.0);
            assert!(r.timestamp >= before, "{} < {before}", r.timestamp);
        }
        assert_eq!(m.status("b"), Some(CheckStatus::Red));
        assert_eq!(m.status("a"), Some(CheckStatus::Green));
        assert_eq!(m.status("unknown"), None);
        assert!(m.any_red());
    });
}

#[test]
fn run_for_pauses_between_ticks_through_the_clock_and_not_after_the_last() {
    rt().block_on(async {
        let (mut m, alerts) = collecting();
        let clock = Arc::new(RecordingClock::default());
        m.set_clock(clock.clone());
        m.register("site", scripted("pfp"), 1, 1).unwrap();
        let results = m.run_for(3, 2.5).await.unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(clock.sleeps(), [Duration::from_millis(2500); 2]);
        assert_eq!(alerts.lock().unwrap().len(), 2);
        let clock = Arc::new(RecordingClock::default());
        m.set_clock(clock.clone());
        m.run_for(4, 0.0).await.unwrap();
        assert!(clock.sleeps().is_empty(), "no pause with interval 0");
    });
}

#[test]
fn run_for_refuses_zero_iterations_and_bad_intervals() {
    rt().block_on(async {
        let (mut m, _) = collecting();
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        m.register(
            "site",
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { Ok(()) }
            },
            1,
            1,
        )
        .unwrap();
        let e = m.run_for(0, 1.0).await.unwrap_err();
        assert_eq!(e.to_string(), "iterations must be greater than 0, got 0");
        for bad in [-1.0, f64::NAN, f64::INFINITY, -0.001] {
            let e = m.run_for(1, bad).await.unwrap_err();
            assert!(matches!(e, MonitorError::BadInterval(_)), "{bad}: {e}");
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            0,
            "nothing runs on bad arguments"
        );
    });
}

#[test]
fn a_panicking_check_fails_and_the_other_checks_still_run() {
    rt().block_on(async {
        let (mut m, alerts) = collecting();
        m.register(
            "boom",
            || async {
                if true {
                    panic!("kaboom");
                }
                Ok(())
            },
            1,
            1,
        )
        .unwrap();
        m.register("fine", scripted(""), 1, 1).unwrap();
        let results = m.tick_once().await;
        assert_eq!(results[0].status, CheckStatus::Red);
        assert_eq!(
            results[0].error.as_deref(),
            Some("the check panicked: kaboom")
        );
        assert_eq!(results[1].status, CheckStatus::Green);
        assert_eq!(alerts.lock().unwrap().len(), 1);
    });
}

#[test]
fn a_check_over_its_time_limit_fails_with_a_timeout() {
    rt().block_on(async {
        let (mut m, _) = collecting();
        let options = CheckOptions {
            timeout: Some(Duration::from_millis(100)),
            ..CheckOptions::default()
        };
        m.register_with("hangs", std::future::pending::<Result<(), String>>, options)
            .unwrap();
        let r = m.tick_once().await.remove(0);
        assert_eq!(r.status, CheckStatus::Red);
        assert_eq!(
            r.error.as_deref(),
            Some("the check did not finish within 0.1 s")
        );
    });
}

#[test]
fn flap_suppression_through_the_monitor_ignores_a_single_failure() {
    rt().block_on(async {
        let (mut m, alerts) = collecting();
        let options = CheckOptions {
            flap: Some(Flap::new(2, 4).unwrap()),
            ..CheckOptions::default()
        };
        m.register_with("blip", scripted("pfpppp"), options)
            .unwrap();
        m.register_with("down", scripted("pfpf"), options).unwrap();
        m.run_for(6, 0.0).await.unwrap();
        let got: Vec<(String, CheckStatus)> = alerts
            .lock()
            .unwrap()
            .iter()
            .map(|a| (a.check.clone(), a.current))
            .collect();
        // "down": 2 of the last 4 failed at run 4 → red; green once fewer than 2 of 4 failed.
        assert_eq!(
            got,
            [
                ("down".to_string(), CheckStatus::Red),
                ("down".to_string(), CheckStatus::Green)
            ]
        );
    });
}

#[test]
fn registering_a_name_again_replaces_the_check_and_starts_afresh() {
    rt().block_on(async {
        let (mut m, alerts) = collecting();
        m.register("site", scripted("f"), 1, 1).unwrap();
        m.tick_once().await;
        assert_eq!(m.status("site"), Some(CheckStatus::Red));
        m.register("site", scripted("f"), 1, 1).unwrap();
        assert_eq!(m.check_names(), ["site"]);
        assert_eq!(m.status("site"), None);
        m.tick_once().await;
        assert_eq!(
            alerts.lock().unwrap().len(),
            2,
            "a fresh state alerts its cold-start red"
        );
    });
}

#[test]
fn a_restored_state_neither_repeats_an_alert_nor_forgets_a_red_check() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (mut first, first_alerts) = collecting();
        first.register("site", scripted("f"), 1, 1).unwrap();
        first.register("other", scripted("p"), 1, 1).unwrap();
        first.tick_once().await;
        first.state().save(&path).unwrap();
        assert_eq!(first_alerts.lock().unwrap().len(), 1);

        // A restart that monitors "site" only.
        let (mut second, alerts) = collecting();
        second.register("site", scripted("fp"), 1, 1).unwrap();
        second.restore(MonitorState::load(&path).unwrap().expect("state file"));
        assert_eq!(
            second.status("site"),
            Some(CheckStatus::Red),
            "remembered red"
        );
        let r = second.tick_once().await.remove(0);
        assert_eq!((r.status, r.transitioned), (CheckStatus::Red, false));
        assert!(
            alerts.lock().unwrap().is_empty(),
            "no repeated red alert after a restart"
        );
        let r = second.tick_once().await.remove(0);
        assert_eq!((r.status, r.transitioned), (CheckStatus::Green, true));
        let got = alerts.lock().unwrap().clone();
        assert_eq!(
            (got[0].previous, got[0].current),
            (Some(CheckStatus::Red), CheckStatus::Green)
        );
        // The check not monitored this time keeps its state in what is saved.
        let saved = second.state();
        assert_eq!(saved.checks["other"].status, Some(CheckStatus::Green));
        assert_eq!(saved.checks["site"].consecutive_successes, 1);
        assert_eq!(
            saved.checks["site"].last_error.as_deref(),
            Some("failure 1")
        );
    });
}

#[test]
fn a_stop_request_during_a_tick_drops_it_with_no_alert_and_no_state_change() {
    rt().block_on(async {
        let (mut m, alerts) = collecting();
        let stop = StopSignal::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let (s, counter) = (stop.clone(), runs.clone());
        m.register(
            "first",
            move || {
                // The second tick is interrupted (a Ctrl-C that also killed the browser):
                // the check fails while the stop request arrives.
                let outcome = if counter.fetch_add(1, Ordering::SeqCst) == 1 {
                    s.stop();
                    Err("browser closed".to_string())
                } else {
                    Ok(())
                };
                async move { outcome }
            },
            1,
            1,
        )
        .unwrap();
        m.register("second", scripted(""), 1, 1).unwrap();
        let mut seen = Vec::new();
        let ticks = m
            .run_until(None, 0.0, &stop, |tick, results, _| {
                seen.push((tick, results.len()));
                Ok(())
            })
            .await
            .unwrap();
        let before = m.state();
        assert_eq!(ticks, 1, "the interrupted tick does not count");
        assert_eq!(seen, [(1, 2)], "the interrupted tick reports nothing");
        assert_eq!(m.status("first"), Some(CheckStatus::Green));
        assert!(alerts.lock().unwrap().is_empty(), "no false red alert");
        assert_eq!(before.checks["first"].last_error, None);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    });
}

/// A clock whose sleep gives the stop signal and then never ends.
struct StoppingClock(StopSignal);

impl Clock for StoppingClock {
    fn sleep(&self, _: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.0.stop();
        Box::pin(std::future::pending())
    }
}

#[test]
fn a_stop_request_during_the_pause_ends_it_at_once() {
    rt().block_on(async {
        let (mut m, _) = collecting();
        let stop = StopSignal::new();
        m.set_clock(Arc::new(StoppingClock(stop.clone())));
        m.register("site", scripted(""), 1, 1).unwrap();
        let ticks = m
            .run_until(None, 3600.0, &stop, |_, _, _| Ok(()))
            .await
            .unwrap();
        assert_eq!(ticks, 1);
        assert!(stop.is_stopped());
        // A loop asked to stop before it starts runs no tick.
        assert_eq!(
            m.run_until(Some(5), 0.0, &stop, |_, _, _| Ok(()))
                .await
                .unwrap(),
            0
        );
    });
}

#[test]
fn an_error_after_a_tick_ends_the_loop_with_that_error() {
    rt().block_on(async {
        let (mut m, _) = collecting();
        m.register("site", scripted(""), 1, 1).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let unwritable = dir.path().join("missing-folder/state.json");
        let mut ticks = 0;
        let e = m
            .run_until(Some(5), 0.0, &StopSignal::new(), |_, _, m| {
                ticks += 1;
                m.state().save(&unwritable)?;
                Ok(())
            })
            .await
            .unwrap_err();
        assert_eq!(ticks, 1);
        assert!(
            matches!(e, MonitorError::State(StateError::Write { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("missing-folder/state.json"), "{e}");
    });
}

/// A sink that always fails.
struct Broken;

impl AlertSink for Broken {
    fn send<'a>(&'a self, _: &'a Alert) -> AlertFuture<'a> {
        Box::pin(async {
            Err(AlertError::Write {
                target: "nowhere".into(),
                message: "broken on purpose".into(),
            })
        })
    }
}

#[test]
fn a_failing_sink_does_not_keep_the_alert_from_the_others_nor_stop_the_monitor() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("alerts.jsonl");
        let collected: Alerts = Arc::default();
        let sink = collected.clone();
        let sinks = AlertSinks::new()
            .with(Broken)
            .with(FileSink::open(&file).unwrap())
            .with(Broken)
            .with(move |a: &Alert| sink.lock().unwrap().push(a.clone()));
        assert_eq!(sinks.len(), 4);
        let mut m = SyntheticMonitor::new(sinks);
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = errors.clone();
        m.set_alert_error_handler(move |e| log.lock().unwrap().push(e.to_string()));
        m.register("site", scripted("fp"), 1, 1).unwrap();
        let results = m.run_for(2, 0.0).await.unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(collected.lock().unwrap().len(), 2);
        assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2);
        assert_eq!(m.alert_failures(), 2);
        let errors = errors.lock().unwrap().clone();
        assert_eq!(
            errors,
            ["cannot write the alert to nowhere: broken on purpose; cannot write the alert to nowhere: broken on purpose"; 2]
        );
    });
}

#[test]
fn the_file_sink_appends_one_json_line_per_alert() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("alerts.jsonl");
        std::fs::write(&file, "{\"kept\": true}\n").unwrap();
        let mut m = SyntheticMonitor::new(FileSink::open(&file).unwrap());
        m.register("a", scripted("fpf"), 1, 1).unwrap();
        m.run_for(3, 0.0).await.unwrap();
        // A second writer on the same file adds whole lines too.
        let mut other = SyntheticMonitor::new(FileSink::open(&file).unwrap());
        other.register("b", scripted("f"), 1, 1).unwrap();
        other.tick_once().await;
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert_eq!(lines[0], json!({"kept": true}), "appends, never truncates");
        let currents: Vec<(&str, &str)> = lines[1..]
            .iter()
            .map(|v| (v["check"].as_str().unwrap(), v["current"].as_str().unwrap()))
            .collect();
        assert_eq!(
            currents,
            [("a", "red"), ("a", "green"), ("a", "red"), ("b", "red")]
        );
        let e = FileSink::open(dir.path()).unwrap_err().to_string();
        assert!(e.starts_with("cannot open alerts file"), "{e}");
    });
}

/// A local HTTP receiver: answers each POST with the next status of `answers` (then 200),
/// or never answers when the status is 0, and keeps every body and content type.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<(String, Value)>>>,
    hits: Arc<AtomicUsize>,
}

async fn receiver(answers: &[u16]) -> Receiver {
    let bodies: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let hits = Arc::new(AtomicUsize::new(0));
    let answers: Arc<Vec<u16>> = Arc::new(answers.to_vec());
    let (b, h) = (bodies.clone(), hits.clone());
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let (b, h, answers) = (b.clone(), h.clone(), answers.clone());
            async move {
                let n = h.fetch_add(1, Ordering::SeqCst);
                let status = answers.get(n).copied().unwrap_or(200);
                if status == 0 {
                    std::future::pending::<()>().await;
                }
                let ct = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                b.lock()
                    .unwrap()
                    .push((ct, serde_json::from_str(&body).unwrap_or(Value::Null)));
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, bodies, hits }
}

fn alert() -> Alert {
    Alert {
        event: "synthetic.transition".into(),
        check: "home".into(),
        previous: Some(CheckStatus::Green),
        current: CheckStatus::Red,
        error: Some("no element matches css=\"#cart\"".into()),
        duration_seconds: 1.5,
    }
}

#[test]
fn the_webhook_posts_the_alert_json_and_retries_server_errors_with_backoff() {
    rt().block_on(async {
        let r = receiver(&[500, 503]).await;
        let mut sink = WebhookSink::new(&r.url).unwrap();
        let clock = Arc::new(RecordingClock::default());
        sink.set_clock(clock.clone());
        sink.send(&alert()).await.unwrap();
        assert_eq!(r.hits.load(Ordering::SeqCst), 3);
        assert_eq!(
            clock.sleeps(),
            [Duration::from_millis(500), Duration::from_millis(1000)]
        );
        let bodies = r.bodies.lock().unwrap().clone();
        let expected = serde_json::to_value(alert()).unwrap();
        for (ct, body) in &bodies {
            assert_eq!(ct, "application/json");
            assert_eq!(body, &expected);
        }
        assert_eq!(expected["previous"], "green");
    });
}

#[test]
fn the_webhook_gives_up_after_three_tries_and_says_why() {
    rt().block_on(async {
        let r = receiver(&[500, 502, 503, 200]).await;
        let mut sink = WebhookSink::new(&r.url).unwrap();
        sink.set_clock(Arc::new(RecordingClock::default()));
        let e = sink.send(&alert()).await.unwrap_err().to_string();
        assert_eq!(r.hits.load(Ordering::SeqCst), 3);
        assert!(e.contains("answered HTTP 503"), "{e}");
        assert!(e.contains("gave up after 3 attempt(s)"), "{e}");
    });
}

#[test]
fn the_webhook_does_not_retry_a_client_error() {
    rt().block_on(async {
        let r = receiver(&[404]).await;
        let mut sink = WebhookSink::new(&r.url).unwrap();
        let clock = Arc::new(RecordingClock::default());
        sink.set_clock(clock.clone());
        let e = sink.send(&alert()).await.unwrap_err().to_string();
        assert_eq!(r.hits.load(Ordering::SeqCst), 1);
        assert!(clock.sleeps().is_empty());
        assert!(
            e.contains("HTTP 404") && e.contains("after 1 attempt(s)"),
            "{e}"
        );
        // 429 (too many requests) is worth another try.
        let r = receiver(&[429]).await;
        let mut sink = WebhookSink::new(&r.url).unwrap();
        sink.set_clock(Arc::new(RecordingClock::default()));
        sink.send(&alert()).await.unwrap();
        assert_eq!(r.hits.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn the_webhook_times_out_a_server_that_never_answers() {
    rt().block_on(async {
        let r = receiver(&[0, 0]).await;
        let options = WebhookOptions {
            timeout: Duration::from_millis(200),
            attempts: 2,
            backoff: Duration::ZERO,
        };
        let sink = WebhookSink::with_options(&r.url, options).unwrap();
        let e = sink.send(&alert()).await.unwrap_err().to_string();
        assert_eq!(r.hits.load(Ordering::SeqCst), 2);
        assert!(
            e.contains("no answer within 0.2 s") && e.contains("after 2 attempt(s)"),
            "{e}"
        );
    });
}

#[test]
fn a_webhook_that_is_down_never_stops_the_monitor() {
    rt().block_on(async {
        // A port that was just free: nothing listens there.
        let url = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/hook", l.local_addr().unwrap())
        };
        let mut sink = WebhookSink::new(&url).unwrap();
        let clock = Arc::new(RecordingClock::default());
        sink.set_clock(clock.clone());
        let collected: Alerts = Arc::default();
        let c = collected.clone();
        let mut m = SyntheticMonitor::new(
            AlertSinks::new()
                .with(sink)
                .with(move |a: &Alert| c.lock().unwrap().push(a.clone())),
        );
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = errors.clone();
        m.set_alert_error_handler(move |e| log.lock().unwrap().push(e.to_string()));
        m.register("site", scripted("fpf"), 1, 1).unwrap();
        let results = m.run_for(3, 0.0).await.unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(
            collected.lock().unwrap().len(),
            3,
            "the other sink got every alert"
        );
        assert_eq!(m.alert_failures(), 3);
        assert_eq!(
            clock.sleeps().len(),
            6,
            "two pauses per alert: 3 tries each"
        );
        let errors = errors.lock().unwrap().clone();
        assert!(
            errors[0].contains(&url) && errors[0].contains("after 3 attempt(s)"),
            "{errors:?}"
        );
    });
}

#[test]
fn the_webhook_refuses_urls_it_cannot_call() {
    for (url, needle) in [
        ("https://hooks.example.org/x", "https is not supported"),
        ("ftp://example.org/x", "scheme \"ftp\" is not http"),
        ("not a url", "relative URL without a base"),
        ("http://", "empty host"),
    ] {
        let e = WebhookSink::new(url).unwrap_err().to_string();
        assert!(e.starts_with(&format!("webhook URL {url:?}")), "{e}");
        assert!(e.contains(needle), "{url}: {e}");
    }
}

#[test]
fn the_state_file_round_trips_and_is_replaced_atomically() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(MonitorState::load(&path).unwrap(), None, "no file yet");
        let (mut m, _) = collecting();
        let options = CheckOptions {
            flap: Some(Flap::new(2, 3).unwrap()),
            ..CheckOptions::default()
        };
        m.register_with("site", scripted("ffp"), options).unwrap();
        m.run_for(3, 0.0).await.unwrap();
        m.state().save(&path).unwrap();
        m.state().save(&path).unwrap();
        let loaded = MonitorState::load(&path).unwrap().unwrap();
        assert_eq!(loaded, m.state());
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["checks"]["site"]["status"], "red");
        assert_eq!(
            v["checks"]["site"]["recent"],
            json!(["failed", "failed", "passed"])
        );
        assert_eq!(v["checks"]["site"]["consecutive_successes"], 1);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["state.json"], "no temporary file left behind");
    });
}

#[test]
fn a_corrupt_state_file_is_an_error_that_says_where_never_a_fresh_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    for (text, needle) in [
        ("", "EOF while parsing"),
        (
            "{\"version\": 1, \"checks\": {\"site\": {\"status\": \"blue\"",
            "at checks.site.status: unknown variant `blue`",
        ),
        (
            "{\"version\": 1, \"checks\": []}",
            "at checks: invalid type",
        ),
        (
            "{\"version\": 2, \"checks\": {}}",
            "version 2 is not the supported version 1",
        ),
        (
            "{\"version\": 1, \"checks\": {}} trailing",
            "trailing characters",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let e = MonitorState::load(&path).unwrap_err();
        assert!(matches!(e, StateError::Corrupt { .. }), "{text}: {e}");
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!(
                "state file {} is not usable monitor state",
                path.display()
            )),
            "{msg}"
        );
        assert!(msg.contains(needle), "{text}: {msg}");
        assert!(
            msg.ends_with("repair it or delete it to start afresh"),
            "{msg}"
        );
    }
    let e = MonitorState::load(dir.path()).unwrap_err();
    assert!(
        matches!(e, StateError::Read { .. }),
        "a folder is not a state file: {e}"
    );
}

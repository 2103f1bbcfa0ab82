//! The run's spine through the library, against real Chromium: every attempt in the record,
//! JUnit rebuilt from records.json alone equal to the run's own, outputs as sinks that never
//! delay the run, isolated flows, and a crashed tab or hung page cutting only its own flow
//! short.

mod common;

use std::sync::{Arc, Mutex};

use common::{browser, rt, site};
use webrunner::run::{run_flows, RunOptions, RunOutcome};
use webrunner::{parse_flow, Flow, RunEvent, RunSink, Settings, SinkError, Status};

fn flow(name: &str, text: &str, base: &str) -> Flow {
    parse_flow(name, &text.replace("{base}", base)).expect("flow")
}

async fn run(flows: &[Flow], out: &std::path::Path, retries: f64) -> RunOutcome {
    let mut settings = Settings::default();
    settings
        .set_retry_policy(retries, 0.0)
        .expect("retry policy");
    let options = RunOptions {
        settings,
        out: Some(out.to_path_buf()),
        browser: Some(browser().await),
        ..RunOptions::default()
    };
    run_flows(flows, options).await.expect("run")
}

const RETRIED: &str = r##"[
  ["WR_to_url", {"url": "{base}/login"}],
  ["WR_execute_script", {"script": "window.__n = (window.__n || 0) + 1; if (window.__n < 2) throw new Error('not yet, attempt ' + window.__n); return window.__n;"}],
  ["WR_assert_title", {"title": "No such title"}]
]"##;

#[test]
fn a_record_holds_every_attempt_and_junit_from_records_json_equals_the_runs_own() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let outcome = run(&[flow("retried.json", RETRIED, &base)], dir.path(), 2.0).await;
        assert!(
            outcome.sink_failures.is_empty(),
            "{:?}",
            outcome.sink_failures
        );
        let r = &outcome.records;
        assert_eq!(r.len(), 3);

        let flaky = &r[1];
        assert!(flaky.flaky && flaky.status == Status::Passed, "{flaky:?}");
        assert_eq!(flaky.attempts, 2);
        assert_eq!(flaky.tries.len(), 2);
        assert_eq!(flaky.tries[0].status, Status::Failed);
        let first = flaky.tries[0].error.as_deref().unwrap_or_default();
        assert!(first.contains("not yet, attempt 1"), "{first}");
        assert!(
            flaky.tries[0].artifacts.screenshot.is_some(),
            "the failed attempt has its own screenshot: {flaky:?}"
        );
        assert_eq!(flaky.tries[1].status, Status::Passed);
        assert_eq!(flaky.tries[1].error, None);
        assert!(flaky.tries.iter().all(|t| t.duration_ms >= 0.0));

        let failed = &r[2];
        assert_eq!(failed.status, Status::Failed);
        assert_eq!(failed.tries.len(), 3);
        assert!(failed.tries.iter().all(|t| t.status == Status::Failed));
        assert_eq!(failed.error, failed.tries[2].error);
        assert_eq!(failed.artifacts, failed.tries[2].artifacts);
        let shots: Vec<_> = failed
            .tries
            .iter()
            .map(|t| {
                t.artifacts
                    .screenshot
                    .clone()
                    .expect("a screenshot per failed try")
            })
            .collect();
        assert!(shots.iter().all(|s| std::path::Path::new(s).is_file()));

        // records.json on disk equals the outcome, and JUnit rebuilt from it alone equals
        // the JUnit the run wrote, byte for byte.
        let saved = webrunner::report::load_records(&dir.path().join("records.json"))
            .expect("records.json");
        assert_eq!(&saved, r);
        let again = dir.path().join("again.xml");
        webrunner::write_junit(&again, &saved).expect("junit");
        assert_eq!(
            std::fs::read(&again).expect("again.xml"),
            std::fs::read(dir.path().join("junit.xml")).expect("junit.xml")
        );
        let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
        assert!(junit.contains("not yet, attempt 1"), "{junit}");
        let replay = std::fs::read_to_string(dir.path().join("replay.html")).expect("replay");
        assert!(replay.contains("not yet, attempt 1"));
    });
}

/// A sink that takes a second per event and remembers what it got.
struct Slow(Arc<Mutex<Vec<String>>>);

impl RunSink for Slow {
    fn name(&self) -> String {
        "slow".into()
    }
    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        std::thread::sleep(std::time::Duration::from_secs(1));
        self.0
            .lock()
            .map_err(|e| e.to_string())?
            .push(event.name().into());
        Ok(())
    }
}

#[test]
fn a_slow_sink_does_not_delay_the_actions_and_still_gets_every_event() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let text = r#"[["WR_to_url", {"url": "{base}/login"}], ["WR_assert_title", {"title": "Login"}],
                       ["WR_assert_title", {"title": "Login"}], ["WR_assert_title", {"title": "Login"}]]"#;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let options = RunOptions {
            out: Some(dir.path().to_path_buf()),
            browser: Some(browser().await),
            sinks: vec![Box::new(Slow(seen.clone()))],
            ..RunOptions::default()
        };
        let outcome = run_flows(&[flow("slow.json", text, &base)], options)
            .await
            .expect("run");
        assert_eq!(outcome.summary.passed, 4);
        // The sink takes 4 s for the events of one action; the actions, by their own
        // records, followed each other far faster than that.
        let starts: Vec<time::OffsetDateTime> = outcome
            .records
            .iter()
            .map(|r| {
                time::OffsetDateTime::parse(
                    &r.started_at,
                    &time::format_description::well_known::Rfc3339,
                )
                .expect("started_at")
            })
            .collect();
        let span = starts[3] - starts[1];
        assert!(
            span < time::Duration::seconds(4),
            "actions 1..3 started {span} apart: the run waited for the sink"
        );
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        let count = |name: &str| seen.iter().filter(|n| *n == name).count();
        assert_eq!(seen.first().map(String::as_str), Some("run_planned"));
        assert_eq!(seen.last().map(String::as_str), Some("run_finished"));
        assert_eq!(count("action_finished"), 4);
        assert_eq!(count("attempt_finished"), 4);
        assert_eq!(seen.len(), 1 + 1 + 4 * 4 + 1 + 1);
    });
}

#[test]
fn a_flow_sees_none_of_the_cookies_or_storage_the_flow_before_it_set() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let first = r#"[["WR_to_url", {"url": "{base}/login"}],
            ["WR_execute_script", {"script": "localStorage.setItem('k', '1'); sessionStorage.setItem('s', '1'); document.cookie = 'c=1; max-age=3600'; return document.cookie;"}]]"#;
        let second = r#"[["WR_to_url", {"url": "{base}/login"}],
            ["WR_execute_script", {"script": "if (localStorage.getItem('k') || sessionStorage.getItem('s') || document.cookie) throw new Error('saw the first flow: ' + document.cookie); return 1;"}]]"#;
        let outcome = run(
            &[
                flow("first.json", first, &base),
                flow("second.json", second, &base),
            ],
            dir.path(),
            0.0,
        )
        .await;
        let statuses: Vec<_> = outcome.records.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Status::Passed; 4], "{:?}", outcome.records);
        assert_eq!(outcome.records[1].result, serde_json::json!("c=1"));
    });
}

#[test]
fn a_crashed_tab_or_a_hung_page_fails_its_action_and_the_rest_of_its_flow_is_not_run() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let mut tail = String::new();
        for _ in 0..40 {
            tail.push_str(r##", ["WR_element_text", {"css": "h1"}]"##);
        }
        let crash = format!(
            r#"[["WR_to_url", {{"url": "{{base}}/login"}}], ["WR_cdp", {{"method": "Page.crash"}}]{tail}]"#
        );
        let hang = format!(
            r##"[["WR_to_url", {{"url": "data:text/html,<h1>h</h1><button id=b onclick='while(true){{}}'>b</button>"}}],
                ["WR_element_click", {{"css": "#b"}}]{tail}]"##
        );
        let after = r#"[["WR_to_url", {"url": "{base}/login"}], ["WR_assert_title", {"title": "Login"}]]"#;
        let mut settings = Settings::default();
        settings.set_retry_policy(2.0, 0.0).expect("retry policy");
        let options = RunOptions {
            settings,
            out: Some(dir.path().to_path_buf()),
            browser: Some(browser().await),
            ..RunOptions::default()
        };
        let flows = [
            flow("crash.json", &crash, &base),
            flow("hang.json", &hang, &base),
            flow("after.json", after, &base),
        ];
        let outcome = run_flows(&flows, options).await.expect("run");
        let of = |name: &str| -> Vec<&webrunner::Record> {
            outcome
                .records
                .iter()
                .filter(|r| r.flow.as_deref() == Some(name))
                .collect()
        };
        for (name, cause) in [("crash.json", "tab crashed"), ("hang.json", "unresponsive")] {
            let records = of(name);
            assert_eq!(records.len(), 42, "{name}: every action has a record");
            let failed = records[1];
            let error = failed.error.as_deref().unwrap_or_default();
            assert!(error.contains(cause), "{name}: {error}");
            assert_eq!(failed.attempts, 1, "{name}: no retry on a dead page");
            for r in &records[2..] {
                assert_eq!(r.status, Status::Failed);
                assert_eq!(r.attempts, 0);
                let why = r.error.as_deref().unwrap_or_default();
                assert!(why.starts_with("not run: "), "{why}");
                assert!(why.contains("action #1"), "{why}");
            }
        }
        let after = of("after.json");
        assert!(
            after.iter().all(|r| r.status == Status::Passed),
            "the next flow gets a working page: {after:?}"
        );
    });
}

#[test]
fn an_action_that_never_finishes_fails_at_its_time_out_and_the_page_goes_on() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let text = r#"[["WR_to_url", {"url": "{base}/login"}],
            ["WR_execute_script", {"script": "return new Promise(() => {});"}],
            ["WR_assert_title", {"title": "Login"}]]"#;
        let settings = Settings {
            script_timeout: std::time::Duration::from_secs(1),
            ..Settings::default()
        };
        let options = RunOptions {
            settings,
            out: Some(dir.path().to_path_buf()),
            browser: Some(browser().await),
            ..RunOptions::default()
        };
        let outcome = run_flows(&[flow("forever.json", text, &base)], options)
            .await
            .expect("run");
        let r = &outcome.records;
        let error = r[1].error.as_deref().unwrap_or_default();
        assert!(
            error.contains("did not finish within 11.0 s (the script time-out"),
            "{error}"
        );
        assert_eq!(r[2].status, Status::Passed, "{:?}", r[2].error);
    });
}

#[test]
fn run_har_is_a_sink_that_holds_the_pages_of_every_flow() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let one = r#"[["WR_to_url", {"url": "{base}/login"}]]"#;
        let two = r#"[["WR_to_url", {"url": "{base}/products"}]]"#;
        let options = RunOptions {
            out: Some(dir.path().to_path_buf()),
            browser: Some(browser().await),
            har: Some(false),
            ..RunOptions::default()
        };
        let outcome = run_flows(
            &[flow("one.json", one, &base), flow("two.json", two, &base)],
            options,
        )
        .await
        .expect("run");
        assert!(
            outcome.sink_failures.is_empty(),
            "{:?}",
            outcome.sink_failures
        );
        assert!(outcome.files.iter().any(|(kind, _)| kind == "har"));
        let har: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("run.har")).expect("run.har"))
                .expect("HAR JSON");
        let urls: Vec<&str> = har["log"]["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["request"]["url"].as_str())
            .collect();
        for page in ["/login", "/products"] {
            assert!(
                urls.iter().any(|u| u.ends_with(page)),
                "{page} missing from {urls:?}"
            );
        }
    });
}

//! The live dashboard watched while a real flow runs, and hostile record text in it.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use webrunner::{RunEvent, RunSink};
use webrunner_report::{start_dashboard, LiveRun};

use crate::common::{browser, rt, site};
use crate::*;

#[test]
fn dashboard_counts_rise_while_a_real_flow_runs() {
    rt().block_on(async {
        let live = LiveRun::new();
        let dashboard = start_dashboard("127.0.0.1", 0, live.clone()).expect("dashboard");
        let page = tab().await;
        page.goto(&dashboard.url()).await.expect("open the dashboard");
        wait_until(&page, "document.getElementById('state').textContent === 'live'", 10).await;

        let base = site().await.base_url();
        let flow_text = json!([
            ["WR_to_url", [format!("{base}/")]],
            ["WR_sleep", [1.5]],
            ["WR_title"],
            ["WR_sleep", [1.5]],
            ["WR_assert_title", ["not the title"]],
            ["WR_sleep", [1.5]],
            ["WR_title"]
        ])
        .to_string();
        let flow = parse_flow("watched.json", &flow_text).expect("flow parses");
        let shots = tempfile::tempdir().expect("temp dir");
        let mut ex = Executor::new();
        ex.use_browser(browser().await);
        ex.set_failure_screenshot_dir(shots.path()).expect("screenshot dir");
        ex.add_sink(Box::new(live.clone()));
        let run = async {
            let records = ex.run_flow(&flow).await.to_vec();
            let failures = ex.finish().await;
            assert!(failures.is_empty(), "no sink failed: {failures:?}");
            records
        };
        let watch = async {
            let mut seen: Vec<(u64, u64, String)> = Vec::new();
            let start = Instant::now();
            loop {
                let v = read(
                    &page,
                    "JSON.stringify({done: +document.getElementById('done').textContent, \
                     planned: +document.getElementById('planned').textContent, \
                     running: document.getElementById('running').textContent, \
                     state: document.getElementById('state').textContent})",
                )
                .await;
                let done = v["done"].as_u64().unwrap_or(0);
                seen.push((done, v["planned"].as_u64().unwrap_or(0), v["running"].as_str().unwrap_or("").to_string()));
                if v["state"] == "run finished" {
                    return seen;
                }
                assert!(start.elapsed() < Duration::from_secs(60), "the run did not finish: {seen:?}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        };
        let (records, seen) = tokio::join!(run, watch);

        let total = records.len() as u64;
        assert_eq!(total, 7);
        let dones: Vec<u64> = seen.iter().map(|s| s.0).collect();
        assert!(dones.windows(2).all(|w| w[0] <= w[1]), "counts never go back: {dones:?}");
        assert_eq!(dones.last(), Some(&total));
        let between: std::collections::BTreeSet<u64> = dones.iter().copied().filter(|d| *d > 0 && *d < total).collect();
        assert!(between.len() >= 2, "the page showed the run progressing: {dones:?}");
        assert!(seen.iter().any(|s| s.2.contains("WR_sleep")), "the running step was shown: {seen:?}");
        assert!(seen.iter().all(|s| s.1 == total || s.0 == 0), "planned is the flow's length: {seen:?}");

        // The final page matches the records: counts, rows, statuses, and the failure's
        // screenshot link serving a real image.
        let v = read(
            &page,
            "JSON.stringify({passed: +document.getElementById('passed').textContent, \
             failed: +document.getElementById('failed').textContent, \
             rows: [...document.querySelectorAll('#rows tr')].map(tr => ({ \
               command: tr.cells[3].textContent, status: tr.cells[4].textContent, \
               error: tr.cells[7].textContent, shot: tr.cells[8].querySelector('a') ? tr.cells[8].querySelector('a').href : null})), \
             eta: document.getElementById('eta').textContent})",
        )
        .await;
        let failed: Vec<&Record> = records.iter().filter(|r| r.failed()).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(v["failed"], 1);
        assert_eq!(v["passed"], total - 1);
        assert_eq!(v["eta"], "finished");
        let rows = v["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), records.len());
        for (row, r) in rows.iter().zip(&records) {
            assert_eq!(row["command"], r.command.as_str());
            assert_eq!(row["status"], if r.failed() { "FAILED" } else { "PASSED" });
            assert_eq!(row["error"], r.error.clone().unwrap_or_default().as_str());
            assert_eq!(row["shot"].is_string(), r.artifacts.screenshot.is_some(), "{row}");
        }
        let width = page
            .evaluate(
                "(async () => { const a = document.querySelector('#rows a'); const r = await fetch(a.href); \
                 const bitmap = await createImageBitmap(await r.blob()); return bitmap.width; })()",
            )
            .await
            .expect("the screenshot loads");
        assert!(width.as_u64().unwrap_or(0) > 0, "{width}");
        assert_eq!(read(&page, "JSON.stringify(window.__violations)").await, json!([]));
        keep_screenshot(&page, "dashboard.png").await;
        let _ = page.close().await;
        dashboard.stop();
    });
}

#[test]
fn dashboard_shows_hostile_record_text_as_text_and_runs_nothing() {
    rt().block_on(async {
        let live = LiveRun::new();
        let mut sink = live.clone();
        let mut feed = |event: RunEvent| sink.event(&event).expect("the live run takes the event");
        feed(RunEvent::FlowStarted {
            flow: ATTR_BREAK.to_string(),
            planned: 3,
        });
        for r in hostile_records() {
            feed(RunEvent::ActionStarted {
                flow: r.flow.clone(),
                index: r.index,
                command: r.command.clone(),
            });
            for (n, t) in r.tries.iter().enumerate() {
                feed(RunEvent::AttemptStarted {
                    index: r.index,
                    attempt: t.attempt,
                });
                feed(RunEvent::AttemptFinished {
                    flow: r.flow.clone(),
                    index: r.index,
                    command: r.command.clone(),
                    attempt: t.clone(),
                    will_retry: n + 1 < r.tries.len(),
                });
            }
            feed(RunEvent::ActionFinished { record: r });
        }
        feed(RunEvent::ActionStarted {
            flow: Some(ATTR_BREAK.to_string()),
            index: 2,
            command: TEXTAREA_BREAK.to_string(),
        });
        let dashboard = start_dashboard("127.0.0.1", 0, live.clone()).expect("dashboard");
        let page = tab().await;
        page.goto(&dashboard.url()).await.expect("open the dashboard");
        wait_until(&page, "document.querySelectorAll('#rows tr').length === 2", 10).await;
        let v = read(
            &page,
            "JSON.stringify({rows: [...document.querySelectorAll('#rows tr')].map(tr => [...tr.cells].map(td => td.textContent)), \
             titles: [...document.querySelectorAll('#rows tr')].map(tr => [...tr.cells].map(td => td.title)), \
             running: document.getElementById('running').textContent})",
        )
        .await;
        let first = &v["rows"][0];
        let attempts_title = v["titles"][0]
            .as_array()
            .expect("titles")
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            attempts_title.contains(&format!("attempt 1: failed — {SCRIPT_TAG} {ATTR_BREAK}")),
            "every attempt's error, as text: {v}"
        );
        assert_eq!(first[2], ATTR_BREAK);
        assert_eq!(first[3], SCRIPT_TAG);
        assert_eq!(first[7], format!("{TEXTAREA_BREAK} {IMG_ONERROR}"));
        assert_eq!(v["rows"][1][3], IMG_ONERROR);
        assert!(v["running"].as_str().unwrap_or("").contains(TEXTAREA_BREAK), "{v}");
        assert_nothing_ran(&page, "body").await;
        keep_screenshot(&page, "dashboard-hostile.png").await;
        let _ = page.close().await;
        dashboard.stop();
    });
}

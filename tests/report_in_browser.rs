//! The run reports in a real Chromium driven by webrunner's own CDP backend: the live
//! dashboard watched while a real flow runs, the replay studio opened from `file://`, JUnit
//! XML read by the browser's XML parser, and hostile record text shown as text in both pages.
//! Screenshots of the pages are kept under `target/test-artifacts/`.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{browser, rt, site};
use serde_json::{json, Value};
use webrunner::browser::Session;
use webrunner::{parse_flow, Executor, Record, RunEvent, RunSink, Status, Try};
use webrunner_report::{export_replay_studio, junit_xml, start_dashboard, LiveRun};

/// A new tab that counts Content-Security-Policy violations in `window.__violations`.
async fn tab() -> Session {
    let session = browser().await.new_session().await.expect("new tab");
    session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"}),
        )
        .await
        .expect("install the CSP listener");
    session
}

fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact folder");
    dir
}

async fn keep_screenshot(session: &Session, name: &str) {
    let png = session.screenshot_png().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(artifacts_dir().join(name), png).expect("write artifact");
}

/// Evaluates `js` (which must produce a JSON string) and parses it.
async fn read(session: &Session, js: &str) -> Value {
    let text = session
        .evaluate(js)
        .await
        .unwrap_or_else(|e| panic!("{js}: {e}"));
    serde_json::from_str(text.as_str().unwrap_or_else(|| panic!("{js} gave {text}")))
        .expect("JSON from the page")
}

/// Polls `js` (a boolean expression) until true, for at most `secs`.
async fn wait_until(session: &Session, js: &str, secs: u64) {
    let start = Instant::now();
    loop {
        if session.evaluate(js).await.ok() == Some(Value::Bool(true)) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "waited {secs} s for {js}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A real run of the bundled demo flow (one step fails on purpose, one passes on retry),
/// with failure screenshots; every record holds each of its attempts in `tries`.
struct DemoRun {
    records: Vec<Record>,
    shots: tempfile::TempDir,
}

async fn demo_run() -> &'static DemoRun {
    static RUN: tokio::sync::OnceCell<DemoRun> = tokio::sync::OnceCell::const_new();
    RUN.get_or_init(|| async {
        let shots = tempfile::tempdir().expect("temp dir");
        let live = LiveRun::new();
        let mut ex = Executor::new();
        ex.use_browser(browser().await);
        ex.set_failure_screenshot_dir(shots.path())
            .expect("screenshot dir");
        ex.add_sink(Box::new(live.clone()));
        let flow =
            parse_flow("demo_flow.json", &site().await.flow_text()).expect("demo flow parses");
        let records = ex.run_flow(&flow).await.to_vec();
        let failures = ex.finish().await;
        assert!(failures.is_empty(), "no sink failed: {failures:?}");
        ex.shutdown().await;
        assert_eq!(
            live.records(),
            records,
            "the live run holds every record as run"
        );
        assert!(
            records
                .iter()
                .any(|r| r.failed() && r.artifacts.screenshot.is_some()),
            "the demo has a failure with a screenshot"
        );
        assert!(
            records.iter().any(|r| r.flaky),
            "the demo has a step that passes on retry"
        );
        for r in &records {
            assert_eq!(r.tries.len(), r.attempts as usize, "{r:?}");
        }
        DemoRun { records, shots }
    })
    .await
}

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

const SCRIPT_TAG: &str = "<script>window.__pwned = 'script tag'</script>";
const IMG_ONERROR: &str = "<img src=x onerror=\"window.__pwned = 'img onerror'\">";
const TEXTAREA_BREAK: &str =
    "</textarea><svg onload=\"window.__pwned = 'svg onload'\"></svg>'\"&amp;";
const ATTR_BREAK: &str = "\" autofocus onfocus=\"window.__pwned='attr'\" x=\"";

fn hostile_try(attempt: u32, status: Status, error: Option<String>) -> Try {
    Try {
        attempt,
        started_at: format!("2026-01-01T00:00:0{attempt}Z"),
        duration_ms: 125.0,
        status,
        error,
        artifacts: Default::default(),
    }
}

/// A failed record whose two attempts failed with hostile errors, and a passed one.
fn hostile_records() -> Vec<Record> {
    let base = Record {
        index: 0,
        command: SCRIPT_TAG.to_string(),
        args: vec![Value::from(IMG_ONERROR)],
        kwargs: serde_json::from_value(json!({ "css": TEXTAREA_BREAK })).expect("kwargs"),
        status: Status::Failed,
        started_at: "2026-01-01T00:00:00Z".to_string(),
        duration_ms: 250.0,
        attempts: 2,
        flaky: false,
        result: Value::Null,
        error: Some(format!("{TEXTAREA_BREAK} {IMG_ONERROR}")),
        artifacts: Default::default(),
        trace_id: None,
        flow: Some(ATTR_BREAK.to_string()),
        tries: vec![
            hostile_try(
                1,
                Status::Failed,
                Some(format!("{SCRIPT_TAG} {ATTR_BREAK}")),
            ),
            hostile_try(
                2,
                Status::Failed,
                Some(format!("{TEXTAREA_BREAK} {IMG_ONERROR}")),
            ),
        ],
        dialogs: vec![],
        console: vec![],
        network: vec![],
        csp: Vec::new(),
    };
    let mut second = base.clone();
    second.index = 1;
    second.command = IMG_ONERROR.to_string();
    second.status = Status::Passed;
    second.error = None;
    second.result = Value::from(SCRIPT_TAG);
    second.started_at = "2026-01-01T00:00:01Z".to_string();
    second.attempts = 1;
    second.tries = vec![hostile_try(1, Status::Passed, None)];
    vec![base, second]
}

/// Nothing the hostile text could have done happened: no flag, no CSP violation, no script
/// but the page's own, and no element of a kind the payloads hold exists below `root`.
async fn assert_nothing_ran(page: &Session, root: &str) {
    // Give an injected image's error handler time to fire, had one been created.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let v = read(
        page,
        &format!(
            "JSON.stringify({{pwned: window.__pwned === undefined ? null : window.__pwned, \
             violations: window.__violations, \
             scripts: document.scripts.length, \
             injected: document.querySelectorAll('{root} svg:not([viewBox]), {root} textarea, {root} img:not(.thumb):not(.full):not(#lightbox-img), {root} [onerror], {root} [onload], {root} [onfocus]').length}})"
        ),
    )
    .await;
    // The page's own script is its only one.
    assert_eq!(
        v,
        json!({"pwned": null, "violations": [], "scripts": 1, "injected": 0})
    );
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

#[test]
fn replay_studio_opened_from_file_shows_rows_badges_timeline_and_decoded_images() {
    rt().block_on(async {
        let run = demo_run().await;
        let out = tempfile::tempdir().expect("temp dir");
        let path = export_replay_studio(&out.path().join("replay.html"), &run.records, Some(run.shots.path()), "Demo run")
            .expect("replay studio");
        let page = tab().await;
        page.goto(&format!("file://{}", path.display())).await.expect("open replay.html");
        page.evaluate("Promise.all([...document.images].filter(i => i.src).map(i => i.decode().catch(() => null)))")
            .await
            .expect("images decode");
        let v = read(
            &page,
            "JSON.stringify({rows: document.querySelectorAll('tr.rec').length, \
             failedRows: document.querySelectorAll('tr.rec.fail').length, \
             failedBadges: document.querySelectorAll('tr.rec .badge.fail').length, \
             passedBadges: document.querySelectorAll('tr.rec .badge.ok').length, \
             flakyBadges: document.querySelectorAll('tr.rec .badge.flaky').length, \
             bars: document.querySelectorAll('#timeline rect.bar').length, \
             failBars: document.querySelectorAll('#timeline rect.bar.fail').length, \
             commands: [...document.querySelectorAll('tr.rec td.command')].map(td => td.textContent), \
             images: [...document.images].filter(i => i.src).map(i => ({cls: i.className, w: i.naturalWidth, data: i.src.startsWith('data:image/png;base64,')})), \
             thumbs: document.querySelectorAll('tr.rec img.thumb').length, \
             tries: [...document.querySelectorAll('ol.tries')].map(ol => [...ol.querySelectorAll('li.try')].map(li => li.classList.contains('fail'))), \
             resources: performance.getEntriesByType('resource').length, \
             title: document.title})",
        )
        .await;
        let records = &run.records;
        let failed = records.iter().filter(|r| r.failed()).count();
        let flaky = records.iter().filter(|r| r.flaky).count();
        assert_eq!(v["rows"], records.len());
        assert_eq!(v["failedRows"], failed);
        assert_eq!(v["failedBadges"], failed);
        assert_eq!(v["passedBadges"], records.len() - failed);
        assert_eq!(v["flakyBadges"], flaky);
        assert_eq!(v["bars"], records.len());
        assert_eq!(v["failBars"], failed);
        let commands: Vec<&str> = records.iter().map(|r| r.command.as_str()).collect();
        assert_eq!(v["commands"], json!(commands));
        assert_eq!(v["thumbs"], failed, "every failure shows its screenshot");
        let retried: Vec<Vec<bool>> = records
            .iter()
            .filter(|r| r.tries.len() > 1)
            .map(|r| r.tries.iter().map(|t| t.status == Status::Failed).collect())
            .collect();
        assert!(!retried.is_empty(), "the demo retries a step");
        assert_eq!(v["tries"], json!(retried), "every attempt of a retried step is listed");
        let images = v["images"].as_array().expect("images");
        assert!(images.len() > failed, "thumbnails and the full screenshots: {images:?}");
        for image in images {
            assert!(image["w"].as_u64().unwrap_or(0) > 0, "decoded: {image}");
            assert_eq!(image["data"], true, "embedded: {image}");
        }
        assert_eq!(v["resources"], 0, "no outside requests");
        assert_eq!(v["title"], "Demo run");
        keep_screenshot(&page, "replay.png").await;

        // The filter hides passed rows; a click on a thumbnail enlarges it.
        page.evaluate("document.getElementById('only-failed').click()").await.expect("filter");
        let visible = read(
            &page,
            "JSON.stringify([...document.querySelectorAll('tr.rec')].filter(tr => getComputedStyle(tr).display !== 'none').map(tr => tr.classList.contains('fail')))",
        )
        .await;
        assert_eq!(visible, json!(vec![true; failed]));
        page.evaluate("document.querySelector('img.thumb').click()").await.expect("click");
        let lightbox = read(
            &page,
            "JSON.stringify({open: !document.getElementById('lightbox').hidden, \
             w: document.getElementById('lightbox-img').naturalWidth, \
             shown: document.getElementById('lightbox-img').getBoundingClientRect().width})",
        )
        .await;
        assert_eq!(lightbox["open"], true);
        assert!(lightbox["w"].as_u64().unwrap_or(0) > 0, "{lightbox}");
        keep_screenshot(&page, "replay-enlarged.png").await;
        page.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))").await.expect("escape");
        assert_eq!(page.evaluate("document.getElementById('lightbox').hidden").await.expect("hidden"), json!(true));
        assert_eq!(read(&page, "JSON.stringify(window.__violations)").await, json!([]));
        let _ = page.close().await;
    });
}

#[test]
fn replay_studio_shows_hostile_record_text_as_text_and_runs_nothing() {
    rt().block_on(async {
        let out = tempfile::tempdir().expect("temp dir");
        let path = export_replay_studio(&out.path().join("replay.html"), &hostile_records(), None, IMG_ONERROR)
            .expect("replay studio");
        let page = tab().await;
        page.goto(&format!("file://{}", path.display())).await.expect("open replay.html");
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)").await.expect("open details");
        let v = read(
            &page,
            "JSON.stringify({title: document.title, h1: document.querySelector('h1').textContent, \
             rows: [...document.querySelectorAll('tr.rec')].map(tr => [...tr.cells].map(td => td.textContent)), \
             lane: document.querySelector('.lane-name').textContent, \
             bar: document.querySelector('rect.bar title').textContent, \
             tries: [...document.querySelectorAll('li.try pre.error')].map(p => p.textContent), \
             scripts: document.scripts.length})",
        )
        .await;
        assert_eq!(v["title"], IMG_ONERROR);
        assert_eq!(v["h1"], IMG_ONERROR);
        assert_eq!(v["lane"], ATTR_BREAK);
        assert!(v["bar"].as_str().unwrap_or("").contains(SCRIPT_TAG), "{v}");
        assert_eq!(v["scripts"], 1, "only the page's own script");
        assert_eq!(
            v["tries"],
            json!([
                format!("{SCRIPT_TAG} {ATTR_BREAK}"),
                format!("{TEXTAREA_BREAK} {IMG_ONERROR}")
            ]),
            "each attempt's error, as text"
        );
        let first = &v["rows"][0];
        assert_eq!(first[2], ATTR_BREAK);
        assert_eq!(first[3], SCRIPT_TAG);
        assert!(first[6].as_str().unwrap_or("").contains(&serde_json::to_string(IMG_ONERROR).expect("json")));
        assert!(first[6].as_str().unwrap_or("").contains(&serde_json::to_string(TEXTAREA_BREAK).expect("json")));
        assert_eq!(first[7], format!("{TEXTAREA_BREAK} {IMG_ONERROR}"));
        assert!(v["rows"][1][9].as_str().unwrap_or("").contains(&serde_json::to_string(SCRIPT_TAG).expect("json")), "result in details");
        assert_nothing_ran(&page, "body").await;
        keep_screenshot(&page, "replay-hostile.png").await;
        let _ = page.close().await;
    });
}

#[test]
fn junit_of_a_real_run_parses_in_the_browser_and_matches_the_records() {
    rt().block_on(async {
        let run = demo_run().await;
        let xml = junit_xml(&run.records);
        let page = tab().await;
        page.goto("about:blank").await.expect("blank page");
        let script = format!(
            "(() => {{ const doc = new DOMParser().parseFromString({}, 'application/xml'); \
             if (doc.getElementsByTagName('parsererror').length) return JSON.stringify({{error: doc.documentElement.textContent}}); \
             const suites = [...doc.querySelectorAll('testsuites > testsuite')].map(s => ({{name: s.getAttribute('name'), \
               tests: +s.getAttribute('tests'), failures: +s.getAttribute('failures'), \
               cases: [...s.querySelectorAll(':scope > testcase')].map(c => ({{name: c.getAttribute('name'), \
                 failure: c.querySelector(':scope > failure') ? c.querySelector(':scope > failure').getAttribute('message') : null, \
                 flaky: [...c.querySelectorAll(':scope > flakyFailure')].map(f => f.getAttribute('message')), \
                 reruns: [...c.querySelectorAll(':scope > rerunFailure')].map(f => f.getAttribute('message')), \
                 out: c.querySelector(':scope > system-out') ? c.querySelector(':scope > system-out').textContent : ''}}))}})); \
             return JSON.stringify({{suites}}); }})()",
            serde_json::to_string(&xml).expect("xml as a JS string")
        );
        let v = read(&page, &script).await;
        assert!(v.get("error").is_none(), "{v}");
        let suites = v["suites"].as_array().expect("suites");
        assert_eq!(suites.len(), 1);
        assert_eq!(suites[0]["name"], "demo_flow.json");
        assert_eq!(suites[0]["tests"], run.records.len());
        assert_eq!(suites[0]["failures"], run.records.iter().filter(|r| r.failed()).count());
        let cases = suites[0]["cases"].as_array().expect("cases");
        for (case, r) in cases.iter().zip(&run.records) {
            assert_eq!(case["name"], format!("#{} {}", r.index, r.command));
            assert_eq!(case["failure"], json!(r.error.as_deref().filter(|_| r.failed())));
            // The attempts before the last one that failed, with their own errors, as the
            // record's tries say.
            let (last, before) = r.tries.split_last().expect("a run action has tries");
            assert_eq!(last.status, r.status, "the last try settles the record");
            let earlier: Vec<Option<&str>> = before
                .iter()
                .filter(|t| t.status == Status::Failed)
                .map(|t| t.error.as_deref())
                .collect();
            assert_eq!(earlier.len() as u32, r.attempts - 1, "{r:?}");
            if r.failed() {
                assert_eq!(case["reruns"], json!(earlier));
                assert_eq!(case["flaky"], json!([]));
            } else {
                assert_eq!(case["flaky"], json!(earlier));
                assert_eq!(case["reruns"], json!([]));
            }
            // The record's screenshot and DOM, then those of its earlier tries, each once.
            let mut shots: Vec<&str> = Vec::new();
            let all = std::iter::once(&r.artifacts).chain(r.tries.iter().map(|t| &t.artifacts));
            let files = all.flat_map(|a| [a.screenshot.as_deref(), a.dom.as_deref()]);
            for shot in files.flatten() {
                if !shots.contains(&shot) {
                    shots.push(shot);
                }
            }
            let out: String = shots
                .iter()
                .map(|s| format!("[[ATTACHMENT|{s}]]\n"))
                .collect();
            assert_eq!(case["out"], out);
        }
        assert_eq!(cases.len(), run.records.len());
        let _ = page.close().await;
    });
}

//! The memory-leak probe (SPEC §8) in real Chromium: the demo's leaky page is found leaking
//! on every run and its clean twin passes on every run, through the library and through
//! `webrunner leak`; fewer than 2 iterations is an error; a page without
//! `performance.memory` is measured the same, through CDP.

mod common;

use common::cli::{stderr, webrunner};
use common::{executor, rt, site, HANG_GUARD};
use serde_json::{json, Value};
use webrunner::probes::leak::{detect_growth, LeakError, LeakReport};
use webrunner::{parse_flow, Executor};

fn actions(text: &str) -> Vec<webrunner::Action> {
    parse_flow("test", text).expect("flow").actions
}

/// Opens `url` in a fresh context of `ex` and probes clicks on `#grow`.
async fn probe(ex: &mut Executor, url: &str, iterations: usize) -> Result<LeakReport, LeakError> {
    let open = format!(r#"[["WR_to_url", {{"url": "{url}"}}]]"#);
    let records = ex.run_actions("setup", actions(&open)).await;
    assert!(records.iter().all(|r| !r.failed()), "{records:?}");
    let click = actions(r##"[["WR_element_click", {"css": "#grow"}]]"##);
    let session = ex.context().session().await.expect("session");
    let step = async || -> Result<(), String> {
        let r = ex.run_action(0, &click[0]).await;
        match &r.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    };
    let probe = detect_growth(&session, step, iterations, 1, None);
    tokio::time::timeout(HANG_GUARD, probe)
        .await
        .expect("probe hung")
}

fn shown(r: &LeakReport) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

#[test]
fn the_leaky_page_leaks_on_every_run() {
    rt().block_on(async {
        let mut ex = executor().await;
        let url = format!("{}/probes/leak", site().await.base_url());
        for run in 0..3 {
            match probe(&mut ex, &url, 8).await {
                Err(LeakError::Leak(e)) => {
                    let r = &e.report;
                    eprintln!("leak run {run}: {}", shown(r));
                    assert!(r.leaking);
                    assert_eq!(r.samples.len(), 9);
                    assert!(r.nodes_per_iter > 100.0, "{}", shown(r));
                    assert!(r.listeners_per_iter > 100.0, "{}", shown(r));
                    assert!(e.to_string().contains("memory leak"), "{e}");
                }
                other => panic!("run {run}: no leak found: {other:?}"),
            }
        }
    });
}

#[test]
fn the_clean_page_passes_on_every_run() {
    rt().block_on(async {
        let mut ex = executor().await;
        let url = format!("{}/probes/clean", site().await.base_url());
        for run in 0..3 {
            let r = probe(&mut ex, &url, 8)
                .await
                .unwrap_or_else(|e| panic!("run {run}: {e}"));
            eprintln!("clean run {run}: {}", shown(&r));
            assert!(!r.leaking && r.reasons.is_empty(), "{}", shown(&r));
            assert_eq!(r.samples.len(), 9);
            assert!(r.samples.iter().all(|s| s.used_heap_bytes > 0));
            assert!(r.ms_per_iteration > 0.0);
        }
    });
}

#[test]
fn fewer_than_two_iterations_is_an_error() {
    rt().block_on(async {
        let mut ex = executor().await;
        let session = ex.context().session().await.expect("session");
        for n in [0, 1] {
            let mut ran = 0;
            let step = async || -> Result<(), String> {
                ran += 1;
                Ok(())
            };
            let err = detect_growth(&session, step, n, 1, None).await;
            assert!(
                matches!(err, Err(LeakError::TooFewIterations(k)) if k == n),
                "{err:?}"
            );
            assert_eq!(ran, 0, "nothing runs before the check");
        }
    });
}

#[test]
fn a_failing_action_is_an_error_naming_its_round() {
    rt().block_on(async {
        let mut ex = executor().await;
        let session = ex.context().session().await.expect("session");
        let mut ran = 0;
        let step = async || -> Result<(), String> {
            ran += 1;
            if ran == 3 {
                Err("boom".into())
            } else {
                Ok(())
            }
        };
        let err = detect_growth(&session, step, 4, 1, None).await;
        match err {
            Err(LeakError::Action { round: 3, message }) => assert_eq!(message, "boom"),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn a_page_without_performance_memory_is_measured_through_cdp() {
    rt().block_on(async {
        let mut ex = executor().await;
        let session = ex.context().session().await.expect("session");
        session
            .goto("data:text/html,<title>bare</title><p>no memory API</p>")
            .await
            .expect("open");
        session
            .evaluate("delete Performance.prototype.memory; delete performance.memory; 1")
            .await
            .expect("evaluate");
        let gone = session
            .evaluate("typeof performance.memory")
            .await
            .expect("evaluate");
        assert_eq!(gone, json!("undefined"));
        let s = session.clone();
        let step = async || {
            s.evaluate("window.junk = (window.junk || []).concat([{}]); 1")
                .await
                .map(|_| ())
        };
        let r = detect_growth(&session, step, 3, 0, None)
            .await
            .expect("a bare page does not leak");
        assert_eq!(r.samples.len(), 4);
        assert!(
            r.samples
                .iter()
                .all(|s| s.used_heap_bytes > 0 && s.documents >= 1),
            "{}",
            shown(&r)
        );
        assert_eq!(r.heap_source, "Performance.getMetrics");
        assert!(
            r.counters_source.starts_with("Memory.")
                || r.counters_source.starts_with("Performance.")
        );
        // The page still lacks it: the probe never used it.
        let still = session
            .evaluate("typeof performance.memory")
            .await
            .expect("evaluate");
        assert_eq!(still, json!("undefined"));
    });
}

#[test]
fn the_cli_exits_1_on_the_leak_and_0_on_the_clean_page() {
    let base = rt().block_on(async { site().await.base_url() });
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for kind in ["leak", "clean"] {
        let setup = json!([["WR_to_url", {"url": format!("{base}/probes/{kind}")}]]);
        std::fs::write(d.join(format!("{kind}.json")), setup.to_string()).expect("write");
    }
    std::fs::write(
        d.join("click.json"),
        r##"[["WR_element_click", {"css": "#grow"}]]"##,
    )
    .expect("write");
    for (kind, code, leaking) in [("leak", 1, true), ("clean", 0, false)] {
        let setup = format!("{kind}.json");
        let o = webrunner(
            d,
            &[
                "leak",
                &setup,
                "click.json",
                "--iterations",
                "6",
                "--format",
                "json",
            ],
        );
        assert_eq!(o.status.code(), Some(code), "{kind}: {}", stderr(&o));
        let report: Value = serde_json::from_slice(&o.stdout).expect("JSON report");
        assert_eq!(report["leaking"], json!(leaking), "{report}");
        assert_eq!(report["samples"].as_array().map(Vec::len), Some(7));
        for key in [
            "slope_bytes_per_iter",
            "delta_bytes",
            "nodes_per_iter",
            "listeners_per_iter",
            "r_squared",
        ] {
            assert!(report[key].is_number(), "{key}: {report}");
        }
        assert!(report["samples"][0]["used_heap_bytes"].is_u64(), "{report}");
    }
    // Text output, and bad input: too few iterations, a missing file, a failing setup.
    let o = webrunner(
        d,
        &["leak", "clean.json", "click.json", "--iterations", "2"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("clean after 2 iterations"));
    let o = webrunner(
        d,
        &["leak", "clean.json", "click.json", "--iterations", "1"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at least 2"), "{}", stderr(&o));
    let o = webrunner(d, &["leak", "nope.json", "click.json"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(
        d.join("missing.json"),
        r##"[["WR_element_click", {"css": "#nope"}]]"##,
    )
    .expect("write");
    let o = webrunner(
        d,
        &["leak", "clean.json", "missing.json", "--iterations", "2"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("action flow, action #0 (WR_element_click) failed"),
        "{}",
        stderr(&o)
    );
}

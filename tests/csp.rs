//! The CSP violation collector in real Chromium against the demo site's `/probes/csp-*`
//! pages: a violation during page load (inline script blocked), one after a navigation, a
//! report-only one — each collected exactly once with its directive — the `WR_csp_*`
//! commands, and `run --csp-report` of the binary.

mod common;

use std::time::Duration;

use common::cli::{records, webrunner};
use common::{browser, rt, site, HANG_GUARD};
use webrunner::run::{run_flows, RunOptions};
use webrunner::{parse_flow, CspViolation, CspViolationCollector, Flow, Settings, Status};

/// Waits long enough for a late second report of a violation to come (it would be merged,
/// or show up as a duplicate).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(700)).await;
}

fn directives(list: &[CspViolation]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|v| {
            (
                v.violated_directive.clone(),
                v.blocked_uri.clone(),
                v.disposition.clone(),
            )
        })
        .collect()
}

#[test]
fn load_time_navigation_and_report_only_violations_are_each_collected_once() {
    rt().block_on(async {
        let base = site().await.base_url();
        let session = browser().await.new_session().await.expect("tab");
        let csp = CspViolationCollector::install(&session)
            .await
            .expect("install");

        session
            .goto(&format!("{base}/probes/csp-inline"))
            .await
            .expect("inline page");
        let status = session
            .evaluate("document.getElementById('status').textContent")
            .await;
        assert_eq!(
            status.expect("status"),
            "blocked",
            "the inline script must not run"
        );
        settle().await;
        let got = csp.collect().await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].violated_directive.starts_with("script-src"),
            "{got:?}"
        );
        assert_eq!(got[0].blocked_uri, "inline");
        assert_eq!(got[0].disposition, "enforce");
        assert!(got[0]
            .source_file
            .as_deref()
            .unwrap_or_default()
            .ends_with("/probes/csp-inline"));

        // A second page of the same tab: the collector is still there.
        session
            .goto(&format!("{base}/probes/csp-image"))
            .await
            .expect("image page");
        settle().await;
        let got = csp.collect().await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1].violated_directive, "img-src");
        assert_eq!(got[1].blocked_uri, "data");

        session
            .goto(&format!("{base}/probes/csp-report-only"))
            .await
            .expect("report-only page");
        let status = session
            .evaluate("document.getElementById('status').textContent")
            .await;
        assert_eq!(status.expect("status"), "ran", "report-only blocks nothing");
        settle().await;
        let got = csp.collect().await;
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got[2].violated_directive.starts_with("script-src"),
            "{got:?}"
        );
        assert_eq!(got[2].disposition, "report");

        assert!(csp.assert_no_directive("style-src").await.is_ok());
        let err = csp
            .assert_no_directive("img-src")
            .await
            .expect_err("img-src violated");
        assert!(err.to_string().contains("img-src blocked data"), "{err}");
        let err = csp.assert_none().await.expect_err("three").to_string();
        assert!(
            err.starts_with("3 Content-Security-Policy violations"),
            "{err}"
        );
        assert!(err.contains("(report-only)"), "{err}");
        session.close().await.ok();
    });
}

#[test]
fn a_page_without_a_policy_has_no_violations() {
    rt().block_on(async {
        let base = site().await.base_url();
        let session = browser().await.new_session().await.expect("tab");
        let csp = CspViolationCollector::install(&session)
            .await
            .expect("install");
        session
            .goto(&format!("{base}/probes/csp-clean"))
            .await
            .expect("clean page");
        settle().await;
        assert!(csp.assert_none().await.is_ok());
        assert!(directives(&csp.collect().await).is_empty());
        session.close().await.ok();
    });
}

async fn run(flow: &Flow, csp_report: bool) -> Vec<webrunner::Record> {
    let options = RunOptions {
        settings: Settings {
            csp_report,
            ..Settings::default()
        },
        browser: Some(browser().await),
        ..RunOptions::default()
    };
    run_flows(std::slice::from_ref(flow), options)
        .await
        .expect("run")
        .records
}

const FLOW: &str = r#"[
  ["WR_to_url", {"url": "{base}/probes/csp-inline"}],
  ["WR_csp_assert_none"],
  ["WR_csp_assert_no_directive", {"directive": "img-src"}],
  ["WR_to_url", {"url": "{base}/probes/csp-image"}],
  ["WR_csp_assert_no_directive", {"directive": "img-src"}]
]"#;

#[test]
fn each_record_carries_its_violations_and_the_commands_check_them() {
    rt().block_on(async {
        let base = site().await.base_url();
        let flow = parse_flow("csp.json", &FLOW.replace("{base}", &base)).expect("flow");
        let r = tokio::time::timeout(HANG_GUARD, run(&flow, true))
            .await
            .expect("in time");
        assert_eq!(r.len(), 5);
        assert_eq!(directives(&r[0].csp).len(), 1, "{:?}", r[0].csp);
        assert!(r[0].csp[0].violated_directive.starts_with("script-src"));
        assert_eq!(r[0].csp[0].action, Some(0));
        assert_eq!(r[1].status, Status::Failed);
        let error = r[1].error.clone().unwrap_or_default();
        assert!(
            error.contains("script-src") && error.contains("blocked inline"),
            "{error}"
        );
        assert_eq!(r[2].status, Status::Passed, "{:?}", r[2].error);
        assert!(
            r[3].csp.iter().any(|v| v.violated_directive == "img-src"),
            "{:?}",
            r[3].csp
        );
        assert_eq!(r[4].status, Status::Failed);
        assert!(r[4]
            .error
            .clone()
            .unwrap_or_default()
            .contains("img-src blocked data"));
        assert!(
            r[1..3].iter().all(|x| x.csp.is_empty()),
            "only the navigations carry some"
        );

        // Not collected: the checks say how to turn it on, the records carry nothing.
        let r = tokio::time::timeout(HANG_GUARD, run(&flow, false))
            .await
            .expect("in time");
        assert!(r.iter().all(|x| x.csp.is_empty()));
        let error = r[1].error.clone().unwrap_or_default();
        assert!(error.contains("--csp-report"), "{error}");
    });
}

#[test]
fn run_with_csp_report_records_the_violation_of_the_loading_page() {
    rt().block_on(async {
        let base = site().await.base_url();
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("f.json"), FLOW.replace("{base}", &base)).expect("flow");
        let path = dir.path().to_path_buf();
        let out = tokio::task::spawn_blocking(move || {
            webrunner(&path, &["run", "f.json", "--out", "out", "--csp-report"])
        })
        .await
        .expect("ran");
        assert!(!out.status.success(), "two checks fail");
        let r = records(&dir.path().join("out"));
        let text = serde_json::to_string(&r[0]).expect("json");
        assert!(
            text.contains("\"csp\":[{\"violated_directive\":\"script-src"),
            "{text}"
        );
        assert_eq!(r[1].status, Status::Failed);
        assert!(r[1]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("script-src"));
        assert_eq!(r[2].status, Status::Passed);
    });
}

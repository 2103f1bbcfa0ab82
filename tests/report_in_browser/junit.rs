//! JUnit XML of a real run read by the browser's XML parser, matching the records.

use serde_json::json;
use webrunner_report::junit_xml;

use crate::common::rt;
use crate::*;

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

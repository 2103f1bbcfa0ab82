//! The evidence of a failure against a real page in real Chromium: console messages at
//! every level, an uncaught exception with its stack, a 404 and a 500 — each tied to the
//! action that was running, the DOM of the failed attempt, the run folder's `console.json`
//! and `network.json`, the failure bundle and the replay studio.

mod common;

use common::{browser, rt, site};
use serde_json::Value;
use webrunner::run::{run_flows, RunOptions, RunOutcome};
use webrunner::{parse_flow, Flow, Settings, Status};

const FLOW: &str = r##"[
  ["WR_to_url", {"url": "{base}/pages/evidence"}],
  ["WR_element_click", {"css": "#go"}],
  ["WR_wait_for_condition", {"script": "return document.getElementById('done').textContent === 'fetched'"}],
  ["WR_assert_text", {"css": "#total", "text": "Total: 4"}]
]"##;

fn flow(base: &str) -> Flow {
    parse_flow("evidence.json", &FLOW.replace("{base}", base)).expect("flow")
}

async fn run(flows: &[Flow], out: &std::path::Path, settings: Settings) -> RunOutcome {
    let options = RunOptions {
        settings,
        out: Some(out.to_path_buf()),
        browser: Some(browser().await),
        ..RunOptions::default()
    };
    run_flows(flows, options).await.expect("run")
}

/// The page's own messages (level, text) in `list`, leaving out the browser's log lines.
fn messages(list: &[webrunner::ConsoleEntry]) -> Vec<(String, String)> {
    list.iter()
        .filter(|c| c.source != "browser")
        .map(|c| (c.level.clone(), c.text.clone()))
        .collect()
}

fn expected_messages() -> Vec<(String, String)> {
    [
        ("debug", "debug-1"),
        ("log", "log-2 2"),
        ("info", "info-3"),
        ("warning", "warn-4"),
        ("error", "error-5"),
        ("error", "TypeError: thrown-6"),
    ]
    .iter()
    .map(|(l, t)| (l.to_string(), t.to_string()))
    .collect()
}

/// The fetches (not the document or its icon) of `list`: (status path, status).
fn fetches(list: &[webrunner::NetworkEntry]) -> Vec<(String, Option<i64>)> {
    list.iter()
        .filter(|n| n.resource_type.as_deref() == Some("Fetch"))
        .map(|n| {
            let path = n.url.rsplit_once('/').map(|(_, p)| p).unwrap_or_default();
            (path.to_string(), n.status)
        })
        .collect()
}

#[test]
fn each_action_holds_what_its_page_said_and_fetched_and_the_failure_keeps_the_dom() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let outcome = run(&[flow(&base)], dir.path(), Settings::default()).await;
        let r = &outcome.records;
        assert_eq!(r.len(), 4, "{r:#?}");
        assert_eq!(r[3].status, Status::Failed, "{:?}", r[3]);

        // What the click set off is the click's: its record holds what the browser had
        // reported when the click ended (the rest is in the run's lists below), in order.
        let click = &r[1];
        let said = messages(&click.console);
        assert!(
            said.len() >= 5 && said[..] == expected_messages()[..said.len()],
            "{click:#?}"
        );
        assert!(click.console.iter().all(|c| c.action == Some(1)));
        assert!(click.network.iter().all(|n| n.action == Some(1)));

        // The page loaded quietly: its action holds its document and nothing the click did.
        let open = &r[0];
        assert!(messages(&open.console).is_empty(), "{open:#?}");
        assert!(fetches(&open.network).is_empty(), "{open:#?}");
        let document = open
            .network
            .iter()
            .find(|n| n.url.ends_with("/pages/evidence"))
            .expect("the document request");
        assert_eq!(document.method, "GET");

        // The failed assertion said nothing and fetched nothing of its own, and kept the DOM.
        let failed = &r[3];
        assert!(messages(&failed.console).is_empty(), "{failed:#?}");
        let dom = failed.artifacts.dom.as_deref().expect("a DOM snapshot");
        let html = std::fs::read_to_string(dom).expect("the DOM file");
        assert!(
            html.contains("Total: 3") && html.contains(">fetched</p>"),
            "{html}"
        );
        assert!(html.contains("/pages/evidence"), "the DOM names its URL");
        assert!(r[..3].iter().all(|x| x.artifacts.dom.is_none()));

        // The run folder's lists are complete: statuses that came after their action ended
        // are there, each item with its flow.
        let read = |name: &str| -> Vec<Value> {
            let text = std::fs::read(dir.path().join(name)).expect(name);
            serde_json::from_slice(&text).expect(name)
        };
        let network: Vec<webrunner::NetworkEntry> = read("network.json")
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("an entry"))
            .collect();
        assert_eq!(
            fetches(&network),
            [
                ("status?code=404".to_string(), Some(404)),
                ("status?code=500".to_string(), Some(500))
            ]
        );
        let document = network
            .iter()
            .find(|n| n.url.ends_with("/pages/evidence"))
            .expect("the document request");
        assert_eq!((document.status, document.action), (Some(200), Some(0)));
        assert!(document.duration_ms.is_some() && document.size.unwrap_or(0.0) > 0.0);
        let console = read("console.json");
        assert!(console.iter().all(|c| c["flow"] == "evidence.json"));
        let console: Vec<webrunner::ConsoleEntry> = console
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("an entry"))
            .collect();
        assert_eq!(messages(&console), expected_messages());
        // Every one of them is the click's, also what came after the click ended.
        let of_page: Vec<_> = console.iter().filter(|c| c.source != "browser").collect();
        assert!(of_page.iter().all(|c| c.action == Some(1)), "{console:#?}");
        assert!(network
            .iter()
            .filter(|n| n.resource_type.as_deref() == Some("Fetch"))
            .all(|n| n.action == Some(1) && n.failed() && n.duration_ms.is_some()));
        let thrown = console
            .iter()
            .find(|c| c.source == "exception")
            .expect("the exception");
        let stack = thrown.stack.as_deref().unwrap_or_default();
        assert!(
            stack.contains("thrown-6") && stack.contains("at "),
            "{stack}"
        );
        assert!(thrown
            .url
            .as_deref()
            .unwrap_or_default()
            .contains("/pages/evidence"));
        // The replay studio shows them: every message and request, the DOM of the failure as
        // escaped source, and the page's own markup nowhere raw.
        let replay = std::fs::read_to_string(dir.path().join("replay.html")).expect("replay");
        for text in ["debug-1", "warn-4", "error-5", "thrown-6", "status?code=404"] {
            assert!(replay.contains(text), "{text} not in the replay");
        }
        assert_eq!(replay.matches("<details class=\"dom\">").count(), 1);
        assert!(replay.contains("&lt;h1 id=&quot;total&quot;&gt;Total: 3&lt;/h1&gt;"));
        assert!(!replay.contains("<button id=\"go\""));
        let failed_loads = console
            .iter()
            .filter(|c| c.source == "browser" && c.level == "error")
            .filter(|c| {
                c.url
                    .as_deref()
                    .unwrap_or_default()
                    .contains("/pages/status")
            })
            .count();
        assert_eq!(failed_loads, 2, "{console:#?}");
    });
}

#[test]
fn with_capture_off_records_hold_no_evidence_and_no_dom() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = site().await.base_url();
        let settings = Settings {
            capture: false,
            ..Settings::default()
        };
        let outcome = run(&[flow(&base)], dir.path(), settings).await;
        let r = &outcome.records;
        assert_eq!(r.len(), 4);
        assert!(r
            .iter()
            .all(|x| x.console.is_empty() && x.network.is_empty()));
        assert!(r[3].artifacts.screenshot.is_some() && r[3].artifacts.dom.is_none());
    });
}

//! The replay page's console, network and DOM snapshot: per action, for the whole run, from a
//! flow's complete evidence, and hostile page text kept inert.

use super::gather::{dom_view, DomView, FlowEvidence};
use super::*;
use serde_json::Value;
use webrunner_record::{
    Artifacts, ConsoleEntry, Evidence, NetworkEntry, Reporter, RunEvent, Status,
};

fn rec(index: usize, command: &str, status: Status) -> Record {
    Record {
        index,
        command: command.to_string(),
        args: vec![],
        kwargs: Default::default(),
        status,
        started_at: format!("2026-01-01T00:00:0{index}Z"),
        duration_ms: 500.0,
        attempts: 1,
        flaky: false,
        result: Value::Null,
        error: (status == Status::Failed).then(|| "boom".to_string()),
        artifacts: Artifacts::default(),
        trace_id: None,
        flow: Some("f.json".to_string()),
        tries: vec![],
        dialogs: vec![],
        console: vec![],
        network: vec![],
        csp: Vec::new(),
    }
}

fn line(level: &str, text: &str, action: Option<usize>) -> ConsoleEntry {
    ConsoleEntry {
        level: level.into(),
        text: text.into(),
        source: "console".into(),
        url: None,
        line: None,
        column: None,
        stack: None,
        timestamp_ms: 1_767_225_600_000.0,
        action,
    }
}

fn request(
    url: &str,
    status: Option<i64>,
    failure: Option<&str>,
    action: Option<usize>,
) -> NetworkEntry {
    NetworkEntry {
        method: "GET".into(),
        url: url.into(),
        status,
        mime_type: None,
        resource_type: None,
        timestamp_ms: 1_767_225_600_000.0,
        duration_ms: Some(12.0),
        size: Some(2048.0),
        failure: failure.map(str::to_string),
        action,
    }
}

/// The HTML of row `row` of the records table (up to the end of its details).
fn row_html(page: &str, row: usize) -> &str {
    let start = page.find(&format!("<tr id=\"r-{row}\"")).unwrap();
    let len = page[start..].find("</details></td></tr>").unwrap();
    &page[start..start + len]
}

/// The `<tbody>` of the table with id `id`.
fn list_body<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("<table id=\"{id}\"")).unwrap();
    let rest = &page[start..];
    &rest[rest.find("<tbody>").unwrap()..rest.find("</tbody>").unwrap()]
}

#[test]
fn each_actions_console_lines_and_requests_are_in_its_row_and_no_other() {
    let mut a = rec(0, "WR_to_url", Status::Passed);
    a.console = vec![line("log", "hello from a", Some(0))];
    a.network = vec![request("https://a.test/page", Some(200), None, Some(0))];
    let mut b = rec(1, "WR_click", Status::Passed);
    b.console = vec![line("info", "hello from b", Some(1))];
    b.console[0].url = Some("https://b.test/app.js".into());
    b.console[0].line = Some(10);
    b.console[0].column = Some(4);
    b.network = vec![request("https://b.test/api", Some(201), None, Some(1))];
    let page = build_replay_html(&[a, b], None, "t");
    let (row_a, row_b) = (row_html(&page, 0), row_html(&page, 1));
    assert!(row_a.contains("<pre>hello from a</pre>"));
    assert!(row_a.contains("https://a.test/page"));
    assert!(row_a.contains(
        "<td class=\"status\">200</td><td class=\"num\">12 ms</td><td class=\"num\">2.0 KiB</td>"
    ));
    assert!(!row_a.contains("hello from b") && !row_a.contains("b.test"));
    assert!(row_b.contains("<pre>hello from b</pre>"));
    assert!(
        row_b.contains("<td class=\"loc\">https://b.test/app.js:11:5</td>"),
        "1-based"
    );
    assert!(row_b.contains("https://b.test/api"));
    assert!(!row_b.contains("hello from a") && !row_b.contains("a.test"));
    assert!(row_a.contains("<summary>details · 1 console · 1 request</summary>"));
}

#[test]
fn failed_requests_and_error_lines_carry_the_red_class() {
    let mut r = rec(0, "WR_click", Status::Passed);
    r.console = vec![
        line("error", "Uncaught TypeError: x is undefined", Some(0)),
        line("log", "fine", Some(0)),
    ];
    r.console[0].source = "exception".into();
    r.console[0].stack = Some("TypeError: x is undefined\n    at f (app.js:1:1)".into());
    r.network = vec![
        request("https://x.test/missing", Some(404), None, Some(0)),
        request(
            "https://x.test/down",
            None,
            Some("net::ERR_CONNECTION_REFUSED"),
            Some(0),
        ),
        request("https://x.test/ok", Some(200), None, Some(0)),
    ];
    let page = build_replay_html(&[r], None, "t");
    let row = row_html(&page, 0);
    assert_eq!(
        row.matches("<tr class=\"c bad\" data-level=\"error\">")
            .count(),
        1
    );
    assert_eq!(
        row.matches("<tr class=\"c\" data-level=\"log\">").count(),
        1
    );
    assert_eq!(row.matches("<tr class=\"n bad\">").count(), 2);
    assert_eq!(row.matches("<tr class=\"n\">").count(), 1);
    assert!(row.contains("<td class=\"status\">net::ERR_CONNECTION_REFUSED</td>"));
    assert!(row.contains("<details class=\"stack\"><summary>stack</summary><pre>TypeError"));
    assert!(row.contains("(1 error)") && row.contains("(2 failed)"));
    // The run lists mark them the same way.
    assert_eq!(
        list_body(&page, "console-list")
            .matches("class=\"c bad\"")
            .count(),
        1
    );
    assert_eq!(
        list_body(&page, "network-list")
            .matches("class=\"n bad\"")
            .count(),
        2
    );
    assert!(CSS.contains(".bad, .bad td, .bad pre { color: #b00; }"));
}

#[test]
fn the_dom_snapshot_is_embedded_escaped_for_the_failed_action_only() {
    let run = tempfile::tempdir().unwrap();
    let shots = run.path().join("screenshots");
    std::fs::create_dir_all(run.path().join("dom")).unwrap();
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(
        run.path().join("dom/0.html"),
        "<html><body><div id=\"cart\">Total & </pre></div></body></html>",
    )
    .unwrap();
    std::fs::write(run.path().join("dom/1.html"), "<p>passed page</p>").unwrap();
    let mut failed = rec(0, "WR_click", Status::Failed);
    failed.artifacts.dom = Some("dom/0.html".into());
    let mut passed = rec(1, "WR_a", Status::Passed);
    passed.artifacts.dom = Some(run.path().join("dom/1.html").display().to_string());
    let page = build_replay_html(&[failed, passed], Some(&shots), "t");
    let row = row_html(&page, 0);
    assert!(row.contains(
        "<pre class=\"dom\">&lt;html&gt;&lt;body&gt;&lt;div id=&quot;cart&quot;&gt;Total &amp; \
         &lt;/pre&gt;&lt;/div&gt;&lt;/body&gt;&lt;/html&gt;</pre></details>"
    ));
    assert!(row.contains("<details class=\"dom\"><summary>DOM snapshot"));
    assert!(!page.contains("passed page"));
    assert_eq!(page.matches("<pre class=\"dom\">").count(), 1);
}

#[test]
fn a_missing_dom_file_is_named() {
    let mut r = rec(0, "WR_click", Status::Failed);
    r.artifacts.dom = Some("/nowhere/dom <0>.html".into());
    let page = build_replay_html(&[r], None, "t");
    assert!(row_html(&page, 0)
        .contains("<p class=\"note\">DOM snapshot missing: /nowhere/dom &lt;0&gt;.html</p>"));
    assert!(!page.contains("<pre class=\"dom\">"));
}

#[test]
fn a_dom_snapshot_over_the_cap_is_cut_at_a_character_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.html");
    std::fs::write(&path, "abcdé-the-rest").unwrap(); // é takes bytes 4 and 5
    let mut r = rec(0, "WR_click", Status::Failed);
    r.artifacts.dom = Some(path.display().to_string());
    match dom_view(&r, None, 5).unwrap() {
        DomView::Shown { text, cut, .. } => {
            assert_eq!(text, "abcd");
            assert_eq!(cut, Some(15));
        }
        other => panic!("{other:?}"),
    }
    match dom_view(&r, None, 1024).unwrap() {
        DomView::Shown { text, cut, .. } => {
            assert_eq!(text, "abcdé-the-rest");
            assert_eq!(cut, None);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(gather::MAX_DOM_BYTES, 2 * 1024 * 1024);
}

#[test]
fn the_run_lists_hold_every_records_items_with_flow_and_action() {
    let mut a = rec(0, "WR_to_url", Status::Passed);
    a.console = vec![line("warning", "deprecated", Some(0))];
    a.network = vec![
        request("https://a.test/1", Some(200), None, Some(0)),
        request("https://a.test/2", Some(500), None, Some(0)),
    ];
    let mut b = rec(0, "WR_to_url", Status::Passed);
    b.flow = Some("g.json".into());
    b.console = vec![
        line("error", "oops", Some(0)),
        line("debug", "dbg", Some(0)),
    ];
    b.network = vec![request("https://b.test/1", Some(200), None, Some(0))];
    let page = build_replay_html(&[a, b], None, "t");
    let console = list_body(&page, "console-list");
    assert_eq!(console.matches("<tr class=").count(), 3);
    assert!(
        console.contains("<td>f.json</td><td><a href=\"#r-0\">#0</a></td><td>00:00:00.000</td>")
    );
    assert_eq!(
        console
            .matches("<td>g.json</td><td><a href=\"#r-1\">#0</a></td>")
            .count(),
        2
    );
    assert!(console.contains("data-level=\"warning\""));
    let network = list_body(&page, "network-list");
    assert_eq!(network.matches("<tr class=").count(), 3);
    assert_eq!(
        network
            .matches("<td>f.json</td><td><a href=\"#r-0\">#0</a></td>")
            .count(),
        2
    );
    assert!(network.contains("<td>g.json</td><td><a href=\"#r-1\">#0</a></td>"));
    assert!(page.contains("Console <span class=\"note\">3 lines, 1 error</span>"));
    assert!(page.contains("Network <span class=\"note\">3 requests, 1 failed</span>"));
    for control in [
        "console-text",
        "console-level",
        "network-text",
        "network-failed",
    ] {
        assert!(page.contains(&format!("id=\"{control}\"")), "{control}");
        assert!(
            JS.contains(&control[control.find('-').unwrap() + 1..]),
            "{control}"
        );
    }
}

#[test]
fn without_any_items_the_run_sections_say_so() {
    let page = build_replay_html(&[rec(0, "WR_a", Status::Passed)], None, "t");
    assert!(page.contains("No console lines were captured."));
    assert!(page.contains("No requests were captured."));
    assert!(!page.contains("id=\"console-list\""));
    assert!(row_html(&page, 0).contains("<summary>details</summary>"));
}

#[test]
fn a_flows_evidence_fills_the_run_lists_and_completes_its_actions() {
    let mut a = rec(0, "WR_to_url", Status::Passed);
    a.network = vec![request("https://a.test/slow", None, None, Some(0))];
    let mut other = rec(0, "WR_b", Status::Passed);
    other.flow = Some("g.json".into());
    other.console = vec![line("log", "own line of g", Some(0))];
    let mut done = request("https://a.test/slow", Some(200), None, Some(0));
    done.duration_ms = Some(3000.0);
    let flows = vec![FlowEvidence {
        flow: "f.json".into(),
        evidence: Evidence {
            console: vec![line("log", "before any action", None)],
            network: vec![
                done,
                request("https://a.test/late", Some(404), None, Some(0)),
            ],
        },
        rows: 0..1,
    }];
    let page = build_page(&[a, other], &flows, None, "t");
    let row = row_html(&page, 0);
    assert!(row.contains("<td class=\"status\">200</td><td class=\"num\">3000 ms</td>"));
    assert!(row.contains("https://a.test/late") && !row.contains("pending"));
    assert!(!row.contains("before any action"));
    let console = list_body(&page, "console-list");
    assert!(console.contains("<td>f.json</td><td><span class=\"note\">—</span></td>"));
    assert!(console.contains("<td>g.json</td><td><a href=\"#r-1\">#0</a></td>"));
    assert_eq!(console.matches("<tr class=").count(), 2);
    assert_eq!(
        list_body(&page, "network-list")
            .matches("<tr class=")
            .count(),
        2
    );
}

#[test]
fn the_sink_shows_the_flow_finished_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("replay.html");
    let mut reporter = Reporter::new();
    reporter.add(Box::new(crate::ReplaySink::new(&out, None, "t")));
    for flow in ["one.json", "two.json"] {
        reporter.emit(RunEvent::FlowStarted {
            flow: flow.into(),
            planned: 1,
        });
        let mut r = rec(0, "WR_a", Status::Passed);
        r.flow = Some(flow.into());
        reporter.emit(RunEvent::ActionFinished { record: r });
        reporter.emit(RunEvent::FlowFinished {
            flow: flow.into(),
            summary: Default::default(),
            evidence: Evidence {
                console: vec![line("log", &format!("said by {flow}"), Some(0))],
                network: vec![],
            },
        });
    }
    assert!(reporter.finish().is_empty());
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(row_html(&page, 0).contains("said by one.json"));
    assert!(!row_html(&page, 0).contains("said by two.json"));
    assert!(row_html(&page, 1).contains("said by two.json"));
    let console = list_body(&page, "console-list");
    assert!(console.contains("<td>two.json</td><td><a href=\"#r-1\">#0</a></td>"));
}

#[test]
fn hostile_page_text_stays_inert_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let dom = dir.path().join("dom.html");
    std::fs::write(
        &dom,
        "</pre></details><script>alert(3)</script><img src=x onerror=alert(4)></textarea>",
    )
    .unwrap();
    let mut r = rec(0, "WR_click", Status::Failed);
    r.flow = Some("<script>alert(5)</script>".into());
    r.artifacts.dom = Some(dom.display().to_string());
    let mut c = line(
        "\"><script>alert(6)</script>",
        "<script>alert(1)</script>",
        Some(0),
    );
    c.url = Some("\"><img src=x onerror=alert(2)>".into());
    c.stack = Some("</pre></details><script>alert(7)</script>".into());
    c.source = "<b>exception</b>".into();
    r.console = vec![c];
    let mut n = request(
        "\"><img src=x onerror=alert(8)></textarea>",
        Some(500),
        Some("<script>x</script>"),
        Some(0),
    );
    n.method = "<svg onload=alert(9)>".into();
    n.resource_type = Some("</td><script>".into());
    r.network = vec![n];
    let page = build_replay_html(&[r], None, "t");
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert_eq!(
        page.matches("onerror=").count(),
        page.matches("&lt;img src=x onerror=").count(),
        "every onerror= is inside escaped text"
    );
    assert!(page.matches("&lt;img src=x onerror=").count() >= 5);
    for raw in [
        "<img src=x",
        "</textarea>",
        "<svg onload",
        "<b>exception",
        "\"><script",
    ] {
        assert!(!page.contains(raw), "{raw}");
    }
    assert!(page.contains("data-level=\"&quot;&gt;&lt;script&gt;alert(6)&lt;/script&gt;\""));
    assert!(page.contains("&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;alert(3)"));
    assert!(!csp().contains("unsafe-inline") && !csp().contains("unsafe-eval"));
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!JS.contains(sink), "{sink}");
    }
}

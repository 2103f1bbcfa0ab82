//! The report sinks fed by a real reporter, and the report files they write: JUnit XML the
//! same during a run and from saved records, the replay studio the same as exported, and no
//! file ever written through a planted symlink.

use std::path::Path;

use serde_json::Value;
use webrunner_record::{Artifacts, FlowPlan, Record, Reporter, RunEvent, Status, Summary, Try};
use webrunner_report::{
    export_replay_studio, junit_xml, parse_records, write_junit, JunitSink, LiveRun, ReplaySink,
};

fn attempt(attempt: u32, status: Status, error: Option<&str>, screenshot: Option<&str>) -> Try {
    Try {
        attempt,
        started_at: format!("2026-03-04T05:06:0{attempt}.123456Z"),
        duration_ms: 0.1 + 0.2 + f64::from(attempt) * 1234.5678,
        status,
        error: error.map(str::to_string),
        artifacts: Artifacts {
            screenshot: screenshot.map(str::to_string),
            ..Artifacts::default()
        },
    }
}

/// A run of two flows: a plain pass, a flaky pass, a failure after a retry (with its
/// screenshot note), an action that never ran, and hostile text.
fn run_records(shots: &Path) -> Vec<Record> {
    let shot = |name: &str| shots.join(name).display().to_string();
    let mut records = vec![
        Record::from_tries(
            0,
            "WR_to_url",
            vec![Value::from("https://shop.test/ü")],
            Default::default(),
            vec![attempt(1, Status::Passed, None, None)],
        ),
        Record::from_tries(
            1,
            "WR_element_click",
            vec![],
            Default::default(),
            vec![
                attempt(
                    1,
                    Status::Failed,
                    Some("covered by <div class=\"toast\"> & more"),
                    Some(&shot("1_WR_element_click.png")),
                ),
                attempt(2, Status::Passed, None, None),
            ],
        ),
        Record::from_tries(
            0,
            "WR_assert_text",
            vec![],
            Default::default(),
            vec![
                attempt(1, Status::Failed, Some("total is 41\n\tnot 42"), None),
                attempt(
                    2,
                    Status::Failed,
                    Some("total is 40 (failure screenshot: s.png)"),
                    Some(&shot("2_WR_assert_text.png")),
                ),
            ],
        ),
        Record::not_run(
            1,
            "WR_quit",
            vec![],
            Default::default(),
            "not run: the flow stopped",
        ),
    ];
    for r in &mut records[..2] {
        r.flow = Some("a.json".into());
    }
    for r in &mut records[2..] {
        r.flow = Some("b \"two\".json".into());
    }
    records[0].result = Value::from("ok");
    records
}

fn feed(reporter: &mut Reporter, records: &[Record]) {
    reporter.emit(RunEvent::RunPlanned {
        flows: vec![
            FlowPlan {
                name: "a.json".into(),
                actions: 2,
            },
            FlowPlan {
                name: "b \"two\".json".into(),
                actions: 2,
            },
        ],
    });
    for r in records {
        if !r.tries.is_empty() {
            reporter.emit(RunEvent::ActionStarted {
                flow: r.flow.clone(),
                index: r.index,
                command: r.command.clone(),
            });
        }
        for (n, t) in r.tries.iter().enumerate() {
            reporter.emit(RunEvent::AttemptStarted {
                index: r.index,
                attempt: t.attempt,
            });
            reporter.emit(RunEvent::AttemptFinished {
                flow: r.flow.clone(),
                index: r.index,
                command: r.command.clone(),
                attempt: t.clone(),
                will_retry: n + 1 < r.tries.len(),
            });
        }
        reporter.emit(RunEvent::ActionFinished { record: r.clone() });
    }
    reporter.emit(RunEvent::RunFinished {
        summary: Summary::of(records),
        interrupted: None,
    });
}

#[test]
fn junit_sink_writes_the_same_xml_as_write_junit() {
    let dir = tempfile::tempdir().unwrap();
    let records = run_records(dir.path());
    let during = dir.path().join("run/junit.xml");
    let mut reporter = Reporter::new();
    reporter.add(Box::new(JunitSink::new(&during)));
    feed(&mut reporter, &records);
    assert!(reporter.finish().is_empty());
    let after = dir.path().join("after.xml");
    write_junit(&after, &records).unwrap();
    let during = std::fs::read(&during).unwrap();
    assert_eq!(during, std::fs::read(&after).unwrap());
    assert_eq!(during, junit_xml(&records).into_bytes());
}

#[test]
fn junit_of_records_read_back_from_json_equals_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let records = run_records(dir.path());
    let saved = serde_json::to_string_pretty(&records).unwrap();
    let read_back = parse_records(&saved, "records.json").unwrap();
    assert_eq!(read_back, records);
    assert_eq!(junit_xml(&read_back), junit_xml(&records));
}

#[test]
fn junit_flaky_and_rerun_failures_quote_the_errors_of_the_tries() {
    let dir = tempfile::tempdir().unwrap();
    let xml = junit_xml(&run_records(dir.path()));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let messages = |tag: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name(tag))
            .filter_map(|n| n.attribute("message").map(str::to_string))
            .collect()
    };
    assert_eq!(
        messages("flakyFailure"),
        ["covered by <div class=\"toast\"> & more"]
    );
    assert_eq!(messages("rerunFailure"), ["total is 41\n\tnot 42"]);
    assert_eq!(
        messages("failure"),
        [
            "total is 40 (failure screenshot: s.png)",
            "not run: the flow stopped"
        ]
    );
}

#[test]
fn replay_sink_writes_the_same_page_as_export_replay_studio() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("1_WR_element_click.png"),
        b"\x89PNG\r\n\x1a\nfirst",
    )
    .unwrap();
    let records = run_records(dir.path());
    let during = dir.path().join("out/replay.html");
    let mut reporter = Reporter::new();
    reporter.add(Box::new(ReplaySink::new(
        &during,
        Some(dir.path().to_path_buf()),
        "Nightly",
    )));
    feed(&mut reporter, &records);
    assert!(reporter.finish().is_empty());
    let after = dir.path().join("after.html");
    export_replay_studio(&after, &records, Some(dir.path()), "Nightly").unwrap();
    let page = std::fs::read_to_string(&during).unwrap();
    assert_eq!(page, std::fs::read_to_string(&after).unwrap());
    assert!(page.contains("covered by &lt;div class=&quot;toast&quot;&gt; &amp; more"));
    assert!(page.contains("alt=\"screenshot of #1 WR_element_click, attempt 1\""));
}

#[test]
fn a_sink_that_cannot_write_is_reported_by_the_reporter_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blocker"), b"x").unwrap();
    let out = dir.path().join("blocker/junit.xml");
    let mut reporter = Reporter::new();
    reporter.add(Box::new(JunitSink::new(&out)));
    feed(&mut reporter, &[]);
    let failures = reporter.finish();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].error.contains("blocker/junit.xml"),
        "{}",
        failures[0]
    );
}

#[test]
fn a_live_run_added_to_a_reporter_follows_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let records = run_records(dir.path());
    let live = LiveRun::new();
    let mut reporter = Reporter::new();
    reporter.add(Box::new(live.clone()));
    feed(&mut reporter, &records);
    assert!(reporter.finish().is_empty());
    assert_eq!(live.records(), records);
    assert_eq!(live.planned(), 4);
    let payload: Value = serde_json::from_str(&live.records_json()).unwrap();
    assert_eq!(payload["finished"], true);
    assert_eq!(
        payload["records"][1]["tries"][0]["error"],
        "covered by <div class=\"toast\"> & more"
    );
}

#[cfg(unix)]
#[test]
fn report_files_replace_a_planted_symlink_instead_of_writing_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"keep me").unwrap();
    let junit = dir.path().join("junit.xml");
    let replay = dir.path().join("replay.html");
    std::os::unix::fs::symlink(&victim, &junit).unwrap();
    std::os::unix::fs::symlink(&victim, &replay).unwrap();
    write_junit(&junit, &[]).unwrap();
    export_replay_studio(&replay, &[], None, "t").unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
    for path in [&junit, &replay] {
        assert!(std::fs::symlink_metadata(path).unwrap().is_file());
    }
}

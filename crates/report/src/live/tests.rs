//! The live state: events in, `/records` payload out.

use super::*;
use serde_json::Value;
use webrunner_record::{Artifacts, FlowPlan, Status, Try};

fn record(index: usize, command: &str, status: Status) -> Record {
    Record {
        index,
        command: command.to_string(),
        args: vec![],
        kwargs: Default::default(),
        status,
        started_at: format!("2026-01-01T00:00:{:02}Z", index % 60),
        duration_ms: 500.0,
        attempts: 1,
        flaky: false,
        result: Value::Null,
        error: (status == Status::Failed).then(|| format!("boom {index}")),
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

fn payload(live: &LiveRun) -> Value {
    serde_json::from_str(&live.records_json()).unwrap()
}

/// Hands `event` to `live` as a reporter would.
fn send(live: &LiveRun, event: RunEvent) {
    live.clone().event(&event).unwrap();
}

fn started(index: usize, command: &str) -> RunEvent {
    RunEvent::ActionStarted {
        flow: Some("f.json".into()),
        index,
        command: command.into(),
    }
}

fn failed_try(attempt: u32, error: &str) -> Try {
    Try {
        attempt,
        started_at: "2026-01-01T00:00:01Z".into(),
        duration_ms: 5.0,
        status: Status::Failed,
        error: Some(error.into()),
        artifacts: Artifacts::default(),
    }
}

#[test]
fn run_events_drive_progress_running_step_attempt_and_counts() {
    let live = LiveRun::new();
    send(
        &live,
        RunEvent::FlowStarted {
            flow: "f.json".into(),
            planned: 3,
        },
    );
    send(&live, started(0, "WR_to_url"));
    let p = payload(&live);
    assert_eq!(p["planned"], 3);
    assert_eq!(p["total"], 0);
    assert_eq!(p["running"]["command"], "WR_to_url");
    assert_eq!(p["running"]["flow"], "f.json");
    assert_eq!(p["running"]["attempt"], 1);
    assert!(p["eta_ms"].is_null());
    send(
        &live,
        RunEvent::ActionFinished {
            record: record(0, "WR_to_url", Status::Passed),
        },
    );
    send(&live, started(1, "WR_click"));
    send(
        &live,
        RunEvent::AttemptFinished {
            flow: Some("f.json".into()),
            index: 1,
            command: "WR_click".into(),
            attempt: failed_try(1, "not yet"),
            will_retry: true,
        },
    );
    assert_eq!(payload(&live)["running"]["attempt"], 2);
    let mut failed = record(1, "WR_click", Status::Failed);
    failed.tries = vec![failed_try(1, "not yet"), failed_try(2, "boom 1")];
    send(&live, RunEvent::ActionFinished { record: failed });
    let p = payload(&live);
    assert_eq!(
        (
            p["total"].as_u64(),
            p["passed"].as_u64(),
            p["failed"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert!(p["running"].is_null());
    assert!(p["eta_ms"].as_f64().is_some());
    assert_eq!(p["records"][1]["error"], "boom 1");
    assert_eq!(p["records"][1]["tries"][0]["error"], "not yet");
    send(
        &live,
        RunEvent::RunFinished {
            summary: live.summary(),
            interrupted: None,
        },
    );
    let p = payload(&live);
    assert_eq!(p["finished"], true);
    assert_eq!(p["eta_ms"], 0.0);
}

#[test]
fn the_run_plan_overrides_the_flows_counted_as_they_start() {
    let live = LiveRun::new();
    send(
        &live,
        RunEvent::RunPlanned {
            flows: vec![
                FlowPlan {
                    name: "a".into(),
                    actions: 2,
                },
                FlowPlan {
                    name: "b".into(),
                    actions: 5,
                },
            ],
        },
    );
    send(
        &live,
        RunEvent::FlowStarted {
            flow: "a".into(),
            planned: 2,
        },
    );
    assert_eq!(live.planned(), 7);
}

#[test]
fn a_retry_of_another_action_or_a_last_failed_attempt_leaves_the_running_attempt() {
    let live = LiveRun::new();
    send(&live, started(4, "WR_click"));
    for (index, will_retry) in [(3, true), (4, false)] {
        send(
            &live,
            RunEvent::AttemptFinished {
                flow: None,
                index,
                command: "WR_click".into(),
                attempt: failed_try(1, "no"),
                will_retry,
            },
        );
    }
    assert_eq!(payload(&live)["running"]["attempt"], 1);
    send(
        &live,
        RunEvent::AttemptStarted {
            index: 4,
            attempt: 2,
        },
    );
    assert_eq!(payload(&live)["running"]["attempt"], 2);
}

#[test]
fn the_payload_is_rebuilt_when_a_record_arrives_and_reused_otherwise() {
    let live = LiveRun::new();
    live.push(record(0, "a", Status::Passed));
    let (_, first) = live.payload_chunks(0);
    let (_, again) = live.payload_chunks(0);
    assert_eq!(
        first.as_ptr(),
        again.as_ptr(),
        "same version shares one buffer"
    );
    live.push(record(1, "b", Status::Passed));
    let (_, next) = live.payload_chunks(0);
    assert_ne!(first, next);
    assert_eq!(payload(&live)["records"].as_array().unwrap().len(), 2);
}

#[test]
fn since_returns_only_newer_records_with_their_offset() {
    let live = LiveRun::new();
    for i in 0..5 {
        live.push(record(i, &format!("c{i}"), Status::Passed));
    }
    let (head, tail) = live.payload_chunks(3);
    let v: Value = serde_json::from_slice(&[head.as_ref(), tail.as_ref()].concat()).unwrap();
    assert_eq!(v["offset"], 3);
    assert_eq!(v["total"], 5);
    let cmds: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["command"].as_str().unwrap())
        .collect();
    assert_eq!(cmds, ["c3", "c4"]);
    let (head, tail) = live.payload_chunks(99);
    let v: Value = serde_json::from_slice(&[head.as_ref(), tail.as_ref()].concat()).unwrap();
    assert_eq!(v["records"].as_array().unwrap().len(), 0);
}

#[test]
fn saved_records_make_a_finished_run_with_their_time_span() {
    let records = vec![
        record(0, "a", Status::Passed),
        record(3, "b", Status::Failed),
    ];
    let live = LiveRun::from_records(records, None);
    let p = payload(&live);
    assert_eq!(p["finished"], true);
    assert_eq!(p["planned"], 2);
    assert_eq!(p["started_at"], "2026-01-01T00:00:00Z");
    assert_eq!(p["elapsed_ms"], 3500.0);
}

#[test]
fn only_existing_recorded_screenshots_get_a_url_and_names_stay_unique() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("x_WR_click.png"), b"png").unwrap();
    std::fs::write(b.join("x_WR_click.png"), b"png").unwrap();
    let live = LiveRun::new();
    for (i, path) in [
        a.join("x_WR_click.png"),
        b.join("x_WR_click.png"),
        dir.path().join("missing.png"),
    ]
    .iter()
    .enumerate()
    {
        let mut r = record(i, "WR_click", Status::Failed);
        r.artifacts.screenshot = Some(path.display().to_string());
        live.push(r);
    }
    let p = payload(&live);
    assert_eq!(
        p["records"][0]["screenshot_url"],
        "/screenshots/x_WR_click.png"
    );
    assert_eq!(
        p["records"][1]["screenshot_url"],
        "/screenshots/2-x_WR_click.png"
    );
    assert!(p["records"][2]["screenshot_url"].is_null());
    assert_eq!(
        live.screenshot("2-x_WR_click.png").unwrap(),
        b.join("x_WR_click.png")
    );
    assert!(live.screenshot("missing.png").is_none());
}

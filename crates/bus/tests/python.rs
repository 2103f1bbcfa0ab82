//! Parity with the Python WebRunner (`je_web_runner`): one bus file shared in both
//! directions with its lines byte for byte, waits across the two, and CDP recordings read by
//! either.

mod common;

use std::time::Duration;

use serde_json::json;
use webrunner_bus::{
    load_recording, payload_object, CdpRecorder, CdpReplayer, CdpTapError, EventBus, EventEnvelope,
};

/// Payloads whose JSON text differs between careless writers: floats, non-ASCII, escapes,
/// nesting, empty containers.
fn tricky() -> Vec<serde_json::Value> {
    vec![
        json!({}),
        json!({"f": 0.1, "g": 1e20, "h": 1.5e-7, "z": -0.0, "i": -12, "big": 9007199254740993_u64}),
        json!({"s": "ü 😀 \"q\" \\ \n\t\u{1} \u{7f} </script>", "é": ["", {}, []]}),
        json!({"nested": {"a": [1, [2, [3, {"b": null, "c": true, "d": false}]]]}}),
    ]
}

#[test]
fn lines_python_writes_are_read_and_written_back_byte_for_byte() {
    let Some(py) = common::reference_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.log");
    let payloads = serde_json::to_string(&tricky()).unwrap();
    common::run_python(
        &py,
        "import json, sys\nfrom je_web_runner.api.observability import EventBus\n\
         b = EventBus(sys.argv[1], sender='py')\n\
         for p in json.loads(sys.argv[2]): b.publish('from.py', p)\n\
         EventBus(sys.argv[1]).publish('no.sender')",
        &[path.to_str().unwrap(), &payloads],
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let events = EventBus::new(&path, None).poll(0, &[]).unwrap();
    assert_eq!(events.len(), tricky().len() + 1);
    for (line, event) in text.split_inclusive('\n').zip(&events) {
        assert_eq!(event.to_json_line(), line);
        assert_eq!(event.event_id.len(), 32);
    }
    assert_eq!(events[0].sender.as_deref(), Some("py"));
    assert_eq!(events.last().unwrap().sender, None);
}

#[test]
fn lines_we_write_are_read_by_python_and_written_back_byte_for_byte() {
    let Some(py) = common::reference_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.log");
    let bus = EventBus::new(&path, Some("rs"));
    for p in tricky() {
        bus.publish("from.rs", payload_object(p).unwrap()).unwrap();
    }
    EventBus::new(&path, None)
        .publish("no.sender", Default::default())
        .unwrap();
    let echoed = common::run_python(
        &py,
        "import sys\nfrom je_web_runner.api.observability import EventBus\n\
         sys.stdout.write(''.join(e.to_json_line() for e in EventBus(sys.argv[1]).poll(0)))",
        &[path.to_str().unwrap()],
    );
    assert_eq!(echoed, std::fs::read_to_string(&path).unwrap());
}

#[test]
fn each_side_waits_for_the_others_event() {
    let Some(py) = common::reference_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.log");
    let bus = EventBus::new(&path, Some("rs"));
    // Python waits for ours and answers; we wait for its answer.
    let python = std::process::Command::new(&py)
        .arg("-c")
        .arg(
            "import sys\nfrom je_web_runner.api.observability import EventBus\n\
             b = EventBus(sys.argv[1], sender='py')\n\
             e = b.wait_for('ping', timeout=20, poll_interval=0.02)\n\
             b.publish('pong', {'n': e.payload['n'] + 1})",
        )
        .arg(&path)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    bus.publish("ping", payload_object(json!({"n": 41})).unwrap())
        .unwrap();
    let pong = bus
        .wait_for(
            "pong",
            0,
            &|_| true,
            Duration::from_secs(20),
            Duration::from_millis(100),
        )
        .unwrap();
    assert_eq!(pong.payload["n"], 42);
    assert_eq!(pong.sender.as_deref(), Some("py"));
    let status = python.wait_with_output().unwrap().status;
    assert!(status.success());
}

#[test]
fn cdp_recordings_round_trip_between_python_and_us() {
    let Some(py) = common::reference_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Python records a stub driver's calls, one of them failing.
    let theirs = dir.path().join("py.jsonl");
    common::run_python(
        &py,
        "import sys\nfrom je_web_runner.api.observability import CdpRecorder\n\
         class D:\n\
         \x20   def execute_cdp_cmd(self, m, p):\n\
         \x20       if m == 'Page.crash': raise RuntimeError('target closed')\n\
         \x20       return {'result': {'value': p.get('expression', 'ü'), 'n': 1.5}}\n\
         d = D(); r = CdpRecorder(sys.argv[1]); orig = r.attach(d)\n\
         d.execute_cdp_cmd('Runtime.evaluate', {'expression': '1+1'})\n\
         d.execute_cdp_cmd('Page.navigate', {'url': 'https://e.org/ü'})\n\
         try: d.execute_cdp_cmd('Page.crash', {})\n\
         except RuntimeError: pass\n\
         r.detach(d, orig)",
        &[theirs.to_str().unwrap()],
    );
    let records = load_recording(&theirs).unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].method, "Runtime.evaluate");
    assert_eq!(records[0].params["expression"], "1+1");
    assert_eq!(records[0].return_value["result"]["value"], "1+1");
    assert_eq!(
        records[2].error.as_deref(),
        Some("RuntimeError('target closed')")
    );
    // Our lines for its records are its lines.
    let text = std::fs::read_to_string(&theirs).unwrap();
    for (line, record) in text.split_inclusive('\n').zip(&records) {
        assert_eq!(record.to_json_line(), line);
    }
    // We record; Python's load_recording reads ours as we wrote them.
    let ours = dir.path().join("rs.jsonl");
    let recorder = CdpRecorder::create(&ours).unwrap();
    let params = json!({"expression": "document.title", "returnByValue": true});
    recorder
        .record(
            "Runtime.evaluate",
            &params,
            Ok(&json!({"result": {"value": "ü"}})),
        )
        .unwrap();
    recorder
        .record("Page.reload", &json!({}), Err("Page.reload: no page"))
        .unwrap();
    assert_eq!(recorder.len(), 2);
    let echoed = common::run_python(
        &py,
        "import json, sys\nfrom je_web_runner.utils.cdp_tap import load_recording\n\
         sys.stdout.write(''.join(json.dumps(r.to_dict(), ensure_ascii=False) + '\\n' for r in load_recording(sys.argv[1])))",
        &[ours.to_str().unwrap()],
    );
    assert_eq!(echoed, std::fs::read_to_string(&ours).unwrap());
    let back = load_recording(&ours).unwrap();
    assert_eq!(back[0].params, params.as_object().cloned().unwrap());
    assert_eq!(back[1].error.as_deref(), Some("Page.reload: no page"));
}

#[test]
fn the_replayer_answers_in_order_and_fails_on_drift_exhaustion_and_recorded_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.jsonl");
    let recorder = CdpRecorder::create(&path).unwrap();
    recorder
        .record("Runtime.evaluate", &json!({}), Ok(&json!({"v": 1})))
        .unwrap();
    recorder
        .record(
            "Page.navigate",
            &json!({"url": "x"}),
            Err("net::ERR_NAME_NOT_RESOLVED"),
        )
        .unwrap();
    let mut replayer = CdpReplayer::new(load_recording(&path).unwrap());
    assert_eq!(replayer.remaining(), 2);
    assert_eq!(
        replayer.execute_cdp_cmd("Runtime.evaluate", &json!({"ignored": true})),
        Ok(json!({"v": 1}))
    );
    let recorded = replayer
        .execute_cdp_cmd("Page.navigate", &json!({}))
        .unwrap_err();
    assert_eq!(
        recorded.to_string(),
        "recorded error replayed: net::ERR_NAME_NOT_RESOLVED"
    );
    let exhausted = replayer
        .execute_cdp_cmd("Page.navigate", &json!({}))
        .unwrap_err();
    assert_eq!(exhausted, CdpTapError::Exhausted);
    assert_eq!(
        exhausted.to_string(),
        "replay exhausted; no more recorded entries"
    );
    assert_eq!(replayer.remaining(), 0);
    replayer.reset();
    assert_eq!(replayer.remaining(), 2);
    let drift = replayer
        .execute_cdp_cmd("DOM.getDocument", &json!({}))
        .unwrap_err();
    assert_eq!(
        drift.to_string(),
        "replay drift at #0: recorded 'Runtime.evaluate', called 'DOM.getDocument'"
    );
    assert_eq!(replayer.remaining(), 1);
}

#[test]
fn a_bad_recording_line_names_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.jsonl");
    std::fs::write(&path, "{\"method\": \"A.b\"}\n\n{not json\n").unwrap();
    let err = load_recording(&path).unwrap_err();
    assert!(
        matches!(err, CdpTapError::BadLine { line: 3, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("recording line 3 not JSON: "),
        "{err}"
    );
    let missing = load_recording(dir.path().join("nope.jsonl")).unwrap_err();
    assert!(matches!(missing, CdpTapError::NotFound(_)));
    // Python's defaults for what a line leaves out.
    std::fs::write(&path, "{\"method\": \"A.b\"}\n").unwrap();
    let r = &load_recording(&path).unwrap()[0];
    assert_eq!(
        (r.timestamp, r.params.len(), &r.return_value, &r.error),
        (0.0, 0, &serde_json::Value::Null, &None)
    );
    let _ = EventEnvelope::new("t", Default::default(), None);
}

//! The event bus across processes: `webrunner bus publish|poll|wait` beside Python WebRunner
//! processes on one file (and on a real Redis), a publisher killed mid-stream, and a run as a
//! publisher (`run --bus`) and as a CDP recording (`run --cdp-record`).

#[path = "../crates/bus/tests/common/mod.rs"]
mod bus_common;
mod common;

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::{stderr, webrunner, BIN};
use serde_json::json;
use webrunner::bus::{EventBus, Scanned};

/// `n` payload lines `{"i": i, "pad": "x" * (i % 300)}`.
fn payloads(n: usize, pad: usize) -> String {
    (0..n)
        .map(|i| format!("{}\n", json!({"i": i, "pad": "x".repeat(i % pad)})))
        .collect()
}

/// `webrunner bus publish BUS TOPIC --lines` fed from `input`, started.
fn publisher(bus: &Path, topic: &str, input: &Path) -> std::process::Child {
    Command::new(BIN)
        .args(["bus", "publish"])
        .arg(bus)
        .arg(topic)
        .arg("--lines")
        .stdin(std::fs::File::open(input).unwrap())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Polls `bus` until `until` holds for what was seen (or the hang guard runs out), strictly:
/// a corrupt line fails the test. Returns the ids in order.
fn read_throughout(bus: &Path, mut done: impl FnMut(&[String]) -> bool) -> Vec<String> {
    let bus = EventBus::new(bus, None);
    let (mut seen, mut offset) = (Vec::new(), 0);
    let start = Instant::now();
    while !done(&seen) && start.elapsed() < common::HANG_GUARD * 2 {
        let polled = bus.poll_next(offset, &[]).unwrap();
        seen.extend(polled.events.into_iter().map(|e| e.event_id));
        offset = polled.next_offset;
        std::thread::sleep(Duration::from_millis(5));
    }
    seen
}

#[test]
fn eight_publishers_of_both_implementations_share_one_file_and_a_reader_sees_each_event_once() {
    let Some(py) = bus_common::reference_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bus = dir.path().join("bus.log");
    std::fs::write(&bus, "").unwrap();
    let input = dir.path().join("payloads");
    std::fs::write(&input, payloads(10_000, 300)).unwrap();
    let reader = {
        let bus = bus.clone();
        std::thread::spawn(move || read_throughout(&bus, |seen| seen.len() >= 80_000))
    };
    let mut children: Vec<_> = (1..=4)
        .map(|k| publisher(&bus, &format!("t{k}"), &input))
        .collect();
    for k in 5..=8 {
        children.push(
            Command::new(&py)
                .arg("-c")
                .arg(format!(
                    "import sys\nfrom je_web_runner.api.observability import EventBus\n\
                     b = EventBus(sys.argv[1], sender='py{k}')\n\
                     for i in range(10000): b.publish('t{k}', {{'i': i, 'pad': 'x' * (i % 300)}})"
                ))
                .arg(&bus)
                .spawn()
                .unwrap(),
        );
    }
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let seen = reader.join().unwrap();
    assert_eq!(seen.len(), 80_000);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        80_000,
        "each event once"
    );
    // Every line parsed by both implementations.
    let polled = webrunner(dir.path(), &["bus", "poll", bus.to_str().unwrap()]);
    assert!(polled.status.success(), "{}", stderr(&polled));
    let mut per_topic: HashMap<String, usize> = HashMap::new();
    for line in String::from_utf8(polled.stdout).unwrap().lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        *per_topic
            .entry(event["topic"].as_str().unwrap().into())
            .or_default() += 1;
    }
    assert_eq!(per_topic.len(), 8);
    assert!(per_topic.values().all(|&n| n == 10_000), "{per_topic:?}");
    let python = bus_common::run_python(
        &py,
        "import sys\nfrom je_web_runner.api.observability import EventBus\n\
         e = EventBus(sys.argv[1]).poll(0)\nprint(len(e), len({x.event_id for x in e}))",
        &[bus.to_str().unwrap()],
    );
    assert_eq!(python.trim(), "80000 80000");
}

#[test]
fn a_publisher_killed_mid_stream_leaves_the_readers_working_and_nothing_whole_called_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let bus = dir.path().join("bus.log");
    // Long lines, so that writes cross page boundaries where a kill can cut them.
    let input = dir.path().join("payloads");
    std::fs::write(&input, payloads(20_000, 9000)).unwrap();
    let steady: Vec<_> = ["a", "b"]
        .iter()
        .map(|t| publisher(&bus, t, &input))
        .collect();
    let mut victim = Command::new(BIN)
        .args(["bus", "publish"])
        .arg(&bus)
        .args(["victim", "--lines"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut feed = victim.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for i in 0.. {
            let line = format!("{}\n", json!({"i": i, "pad": "y".repeat(i % 9000)}));
            if feed.write_all(line.as_bytes()).is_err() {
                return;
            }
        }
    });
    // Readers: one that kills the victim once it has seen it publish, then keeps reading.
    let reader = EventBus::new(&bus, None);
    let (mut offset, mut steady_ids, mut victim_seen) = (0u64, Vec::new(), 0usize);
    let mut corrupt = Vec::new();
    let mut killed = false;
    let start = Instant::now();
    while steady_ids.len() < 40_000 && start.elapsed() < common::HANG_GUARD * 2 {
        offset = reader
            .scan(offset, &[], &mut |s| match s {
                Scanned::Event(e) if e.topic == "victim" => victim_seen += 1,
                Scanned::Event(e) => steady_ids.push(e.event_id.to_string()),
                Scanned::Corrupt(e) => corrupt.push(e),
            })
            .unwrap();
        if !killed && victim_seen > 500 {
            common::signal(victim.id(), "-KILL");
            killed = true;
        }
    }
    assert!(killed, "the victim published");
    let _ = victim.wait();
    feeder.join().unwrap();
    for mut s in steady {
        assert!(s.wait().unwrap().success());
    }
    assert_eq!(steady_ids.len(), 40_000, "every steady event read");
    assert_eq!(steady_ids.iter().collect::<HashSet<_>>().len(), 40_000);
    // What was called corrupt really is no event: a fragment the killed writer left.
    let bytes = std::fs::read(&bus).unwrap();
    for e in &corrupt {
        let webrunner::EventBusError::Corrupt {
            location, resume, ..
        } = e
        else {
            panic!("{e}")
        };
        let at: usize = location
            .trim_start_matches("line at byte ")
            .parse()
            .unwrap();
        let end: usize = resume.parse().unwrap();
        let fragment = &bytes[at..end];
        let whole = serde_json::from_slice::<serde_json::Value>(fragment.trim_ascii())
            .is_ok_and(|v| v.get("event_id").is_some());
        assert!(
            !whole,
            "called corrupt but whole: {}",
            String::from_utf8_lossy(fragment)
        );
    }
    // A later reader from the start sees the same, the CLI included.
    let polled = webrunner(
        dir.path(),
        &["bus", "poll", bus.to_str().unwrap(), "--topic", "a"],
    );
    assert_eq!(
        String::from_utf8_lossy(&polled.stdout).lines().count(),
        20_000,
        "{}",
        stderr(&polled)
    );
    assert_eq!(
        polled.status.code(),
        Some(if corrupt.is_empty() { 0 } else { 1 })
    );
}

/// `bus publish`, `poll` and `wait` on one bus target.
fn cli_round_trip(dir: &Path, target: &str) {
    let run = |args: &[&str]| {
        let mut all = vec!["bus"];
        all.extend_from_slice(args);
        webrunner(dir, &all)
    };
    let one = run(&["publish", target, "job.done", r#"{"n": 1, "s": "ü"}"#]);
    assert!(one.status.success(), "{}", stderr(&one));
    let line = String::from_utf8(one.stdout).unwrap();
    assert!(
        line.contains(r#""topic": "job.done", "payload": {"n": 1, "s": "ü"}"#),
        "{line}"
    );
    let polled = run(&["poll", target]);
    assert!(polled.status.success());
    assert_eq!(String::from_utf8_lossy(&polled.stdout), line);
    let err = stderr(&polled);
    let next = err.trim().rsplit(' ').next().unwrap().to_string();
    assert!(
        err.trim_end().ends_with(&format!("next offset {next}")),
        "{err}"
    );
    assert!(run(&["poll", target, "--offset", &next]).stdout.is_empty());
    // A waiter from the end gets only what comes later.
    let waiter = Command::new(BIN)
        .current_dir(dir)
        .args([
            "bus",
            "wait",
            target,
            "later",
            "--offset",
            "end",
            "--timeout",
            "30",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let lines = Command::new(BIN)
        .current_dir(dir)
        .args(["bus", "publish", target, "later", "--lines"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all(b"{\"k\": 1}\n\n{\"k\": 2}\n[3]\n{\"k\": 4}\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(lines.status.code(), Some(2));
    assert!(
        stderr(&lines).contains("standard input line 4: payload must be a JSON object"),
        "{}",
        stderr(&lines)
    );
    let got = waiter.wait_with_output().unwrap();
    assert!(got.status.success());
    let event: serde_json::Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(event["payload"], json!({"k": 1}));
    let later = run(&["poll", target, "--topic", "later"]);
    assert_eq!(
        String::from_utf8_lossy(&later.stdout).lines().count(),
        2,
        "lines before the bad one"
    );
    let timed_out = run(&["wait", target, "never", "--timeout", "0.2"]);
    assert_eq!(timed_out.status.code(), Some(1));
    assert!(stderr(&timed_out).contains("timed out waiting for topic \"never\""));
    let bad = run(&["publish", target, "t", "[1]"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("payload must be a JSON object or null, got a list"));
    assert_eq!(run(&["publish", target, "", "{}"]).status.code(), Some(2));
}

#[test]
fn the_bus_commands_publish_poll_and_wait_on_a_file_and_on_redis() {
    let dir = tempfile::tempdir().unwrap();
    cli_round_trip(dir.path(), dir.path().join("bus.log").to_str().unwrap());
    if let Some(redis) = bus_common::redis() {
        cli_round_trip(dir.path(), &redis.url(&bus_common::fresh_stream("cli")));
    }
    let bad_url = webrunner(dir.path(), &["bus", "poll", "redis://127.0.0.1:1"]);
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(
        stderr(&bad_url).contains("no stream"),
        "{}",
        stderr(&bad_url)
    );
}

#[test]
fn a_run_publishes_on_the_bus_and_records_its_cdp_calls_for_replay() {
    let dir = tempfile::tempdir().unwrap();
    let site = common::rt().block_on(common::site());
    let flow = dir.path().join("flow.json");
    std::fs::write(
        &flow,
        json!([
            ["WR_to_url", {"url": site.base_url()}],
            ["WR_execute_cdp_cmd", {"cmd": "Runtime.evaluate", "cmd_args": {"expression": "6 * 7", "returnByValue": true}}],
            ["WR_execute_cdp_cmd", {"cmd": "Nope.nothing"}]
        ])
        .to_string(),
    )
    .unwrap();
    let (bus, rec, out) = (
        dir.path().join("bus.log"),
        dir.path().join("cdp.jsonl"),
        dir.path().join("out"),
    );
    let run = webrunner(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--bus",
            bus.to_str().unwrap(),
            "--cdp-record",
            rec.to_str().unwrap(),
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "one raw call fails: {}",
        stderr(&run)
    );
    let events = EventBus::new(&bus, None).poll(0, &[]).unwrap();
    let topics: Vec<_> = events.iter().map(|e| e.topic.as_str()).collect();
    assert_eq!(
        topics,
        [
            "run.started",
            "action.finished",
            "action.finished",
            "action.finished",
            "run.finished"
        ]
    );
    assert_eq!(events[0].payload["actions"], 3);
    assert_eq!(events[2].payload["command"], "WR_execute_cdp_cmd");
    assert_eq!(events[2].payload["status"], "passed");
    assert_eq!(events[4].payload["summary"]["failed"], 1);
    // The recording: every raw call of the run, the failed one with its error.
    let records = webrunner::load_recording(&rec).unwrap();
    let evaluate = records
        .iter()
        .position(|r| r.method == "Runtime.evaluate" && r.params["expression"] == "6 * 7")
        .expect("the command's call is recorded");
    assert_eq!(records[evaluate].return_value["result"]["value"], 42);
    let nope = records.iter().find(|r| r.method == "Nope.nothing").unwrap();
    assert!(
        nope.error.as_deref().unwrap().contains("Nope.nothing"),
        "{nope:?}"
    );
    // Replayed without a browser: every call answered in order as recorded, the command's
    // answer being the result its record holds.
    let mut replayer = webrunner::CdpReplayer::new(records.clone());
    for (i, r) in records.iter().enumerate() {
        let answer =
            replayer.execute_cdp_cmd(&r.method, &serde_json::Value::Object(r.params.clone()));
        match &r.error {
            None => {
                let value = answer.unwrap();
                if i == evaluate {
                    let recorded = common::cli::records(&out);
                    assert_eq!(value, recorded[1].result);
                }
            }
            Some(e) => assert_eq!(
                answer.unwrap_err().to_string(),
                format!("recorded error replayed: {e}")
            ),
        }
    }
    assert_eq!(replayer.remaining(), 0);
    if let Some(py) = bus_common::reference_python() {
        let counts = bus_common::run_python(
            &py,
            "import sys\nfrom je_web_runner.api.observability import EventBus\n\
             from je_web_runner.utils.cdp_tap import load_recording\n\
             print(len(EventBus(sys.argv[1]).poll(0)), len(load_recording(sys.argv[2])))",
            &[bus.to_str().unwrap(), rec.to_str().unwrap()],
        );
        assert_eq!(counts.trim(), format!("5 {}", records.len()));
    }
}

#[test]
fn the_monitors_transitions_go_to_the_bus_where_python_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.log");
    let bus = webrunner::bus::open_bus(path.to_str().unwrap(), Some("monitor")).unwrap();
    let mut monitor = webrunner::SyntheticMonitor::new(webrunner::monitor::BusSink::new(bus));
    let mut runs = vec![Err("down".to_string()), Err("down".into()), Ok(())].into_iter();
    monitor
        .register(
            "site",
            move || std::future::ready(runs.next().unwrap_or(Ok(()))),
            1,
            1,
        )
        .unwrap();
    common::rt().block_on(async {
        for _ in 0..4 {
            monitor.tick_once().await;
        }
    });
    let events = EventBus::new(&path, None)
        .poll(0, &["synthetic.transition"])
        .unwrap();
    let states: Vec<_> = events
        .iter()
        .map(|e| (e.payload["previous"].clone(), e.payload["current"].clone()))
        .collect();
    assert_eq!(
        states,
        [(json!(null), json!("red")), (json!("red"), json!("green"))]
    );
    assert_eq!(events[0].payload["error"], "down");
    assert_eq!(events[0].sender.as_deref(), Some("monitor"));
    if let Some(py) = bus_common::reference_python() {
        let checks = bus_common::run_python(
            &py,
            "import sys\nfrom je_web_runner.api.observability import EventBus\n\
             print([e.payload['check'] for e in EventBus(sys.argv[1]).poll(0, ['synthetic.transition'])])",
            &[path.to_str().unwrap()],
        );
        assert_eq!(checks.trim(), "['site', 'site']");
    }
}

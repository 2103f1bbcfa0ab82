//! The run's spine through the real binary: finished actions survive `kill -9`, a killed
//! Chromium ends the run cleanly, SIGINT and SIGTERM stop at once with the reports written and
//! nothing left running, numbers from outside are bounded, and the output folder is safe
//! (a lock against a second run, symlinks never followed).

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::{records, stderr, webrunner, BIN};
use common::{signal, HANG_GUARD};
use webrunner::Record;

/// A flow of a page and `n` short sleeps: long enough to be interrupted mid-run.
fn slow_flow(dir: &Path, n: usize) -> PathBuf {
    let mut actions = vec![
        serde_json::json!(["WR_to_url", {"url": "data:text/html,<title>x</title><h1>x</h1>"}]),
    ];
    for _ in 0..n {
        actions.push(serde_json::json!(["WR_sleep", {"seconds": 0.2}]));
        actions.push(serde_json::json!(["WR_element_text", {"css": "h1"}]));
    }
    let path = dir.join("slow.json");
    std::fs::write(&path, serde_json::to_vec(&actions).expect("json")).expect("flow");
    path
}

/// Starts `webrunner run` on a [`slow_flow`] of `n` sleeps into `dir/OUT`, in its own process
/// group and with its temporary files (Chromium's profile) under `dir`; returns once `until`
/// records are written, with the output folder.
fn start_slow(dir: &Path, out: &str, n: usize, until: usize) -> (Child, PathBuf) {
    let flow = slow_flow(dir, n);
    let out = dir.join(out);
    let child = Command::new(BIN)
        .arg("run")
        .arg(flow)
        .arg("--out")
        .arg(&out)
        .env("TMPDIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("webrunner starts");
    wait_for_records(&out, until);
    (child, out)
}

/// The records on disk, once the file parses and holds at least `n`.
fn wait_for_records(out: &Path, n: usize) -> Vec<Record> {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read(out.join("records.json")) {
            if let Ok(records) = serde_json::from_slice::<Vec<Record>>(&text) {
                if records.len() >= n {
                    return records;
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "no {n} records after 90 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for the child to end, failing the test should it hang.
fn wait(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("still running after {HANG_GUARD:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Processes still in the process group `pgid`, after giving them up to 30 s to go (it
/// returns as soon as none is left; the bound only matters when something stays).
fn left_in_group(pgid: u32) -> String {
    let start = Instant::now();
    loop {
        let out = Command::new("pgrep")
            .args(["-g", &pgid.to_string()])
            .output()
            .expect("pgrep");
        let left = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if left.is_empty() || start.elapsed() > Duration::from_secs(30) {
            return left;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn profiles_left(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.starts_with("webrunner-profile-"))
                .collect()
        })
        .unwrap_or_default()
}

fn kill_group(pgid: u32) {
    let _ = Command::new("pkill")
        .args(["-KILL", "-g", &pgid.to_string()])
        .status();
}

#[test]
fn kill_9_mid_run_leaves_every_finished_action_on_disk_as_valid_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, out) = start_slow(dir.path(), "out", 30, 6);
    signal(child.id(), "-KILL");
    let _ = child.wait();
    // records.json is valid JSON after kill -9.
    let records = records(&out);
    assert!(records.len() >= 6, "{} records", records.len());
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.index, i, "records in order, none missing");
    }
    kill_group(child.id());
}

#[test]
fn sigint_and_sigterm_stop_at_once_write_the_reports_and_leave_nothing_running() {
    for (sig, code) in [("-INT", 130), ("-TERM", 143)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut child, out) = start_slow(dir.path(), "out", 100, 4);
        signal(child.id(), sig);
        let status = wait(&mut child);
        assert_eq!(status.code(), Some(code), "{sig}");
        let records = records(&out);
        assert!(
            records.len() >= 4 && records.len() < 201,
            "{sig}: {}",
            records.len()
        );
        for report in ["junit.xml", "replay.html"] {
            assert!(out.join(report).is_file(), "{sig}: {report} written");
        }
        let left = left_in_group(child.id());
        assert!(left.is_empty(), "{sig}: processes left: {left}");
        assert!(
            profiles_left(dir.path()).is_empty(),
            "{sig}: profile folders left: {:?}",
            profiles_left(dir.path())
        );
        kill_group(child.id());
    }
}

#[test]
fn a_killed_chromium_fails_the_running_action_and_the_rest_is_recorded_as_not_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, out) = start_slow(dir.path(), "out", 20, 3);
    let killed = Command::new("pkill")
        .args(["-KILL", "-P", &child.id().to_string(), "chromium"])
        .status()
        .expect("pkill");
    assert!(killed.success(), "found webrunner's Chromium");
    let status = wait(&mut child);
    assert_eq!(status.code(), Some(1));
    let records = records(&out);
    assert_eq!(records.len(), 41, "every action has a record");
    let closed: Vec<&Record> = records
        .iter()
        .filter(|r| r.attempts > 0 && r.failed())
        .collect();
    assert_eq!(closed.len(), 1, "{closed:?}");
    let error = closed[0].error.as_deref().unwrap_or_default();
    assert!(error.contains("browser closed"), "{error}");
    let after = &records[closed[0].index + 1..];
    assert!(!after.is_empty());
    for r in after {
        let why = r.error.as_deref().unwrap_or_default();
        assert!(
            r.failed() && r.attempts == 0 && why.starts_with("not run: "),
            "{r:?}"
        );
    }
    for report in ["junit.xml", "replay.html"] {
        assert!(out.join(report).is_file(), "{report} written");
    }
    kill_group(child.id());
}

#[test]
fn numbers_out_of_bounds_are_refused_with_exit_2_and_no_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flow = dir.path().join("f.json");
    std::fs::write(&flow, r#"[["WR_assert_title", {"title": "x"}]]"#).expect("flow");
    let sleep = dir.path().join("sleep.json");
    std::fs::write(&sleep, r#"[["WR_sleep", {"seconds": 1e300}]]"#).expect("flow");
    for (args, what) in [
        (
            vec!["run", "f.json", "--retries", "1", "--backoff", "1e300"],
            "--backoff",
        ),
        (
            vec!["run", "f.json", "--retries", "1000000000000"],
            "--retries",
        ),
        (vec!["run", "f.json", "--timeout", "-1"], "--timeout"),
        (vec!["run", "f.json", "--timeout", "nan"], "--timeout"),
        (vec!["run", "sleep.json"], "seconds"),
    ] {
        let out = webrunner(dir.path(), &args);
        let stderr = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(what), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_planted_symlink_is_not_followed_and_a_second_run_into_a_busy_folder_refuses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out");
    std::fs::write(out.join("records.json"), "[]").expect("records");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep").expect("victim");
    std::os::unix::fs::symlink(&victim, out.join("replay.html")).expect("symlink");
    std::os::unix::fs::symlink(&victim, out.join("junit.xml")).expect("symlink");
    let flow = dir.path().join("t.json");
    std::fs::write(
        &flow,
        r#"[["WR_to_url", {"url": "data:text/html,<title>t</title>"}]]"#,
    )
    .expect("flow");
    let done = webrunner(dir.path(), &["run", "t.json", "--out", "out"]);
    assert_eq!(done.status.code(), Some(0), "{:?}", done);
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    let replay = std::fs::symlink_metadata(out.join("replay.html")).expect("replay");
    assert!(replay.is_file(), "the link was replaced by the report");

    let (mut first, busy) = start_slow(dir.path(), "busy", 100, 1);
    let busy_out = busy.display().to_string();
    let second = webrunner(dir.path(), &["run", "t.json", "--out", &busy_out]);
    let stderr = stderr(&second);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("in use"), "{stderr}");
    signal(first.id(), "-INT");
    wait(&mut first);
    kill_group(first.id());
    // The folder the interrupted run left is webrunner's own and can be reused.
    let reuse = webrunner(dir.path(), &["run", "t.json", "--out", &busy_out]);
    assert_eq!(reuse.status.code(), Some(0), "{:?}", reuse);
}

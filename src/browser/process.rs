//! Chromium's process from the outside: where its DevTools listens, killing it together with
//! every process it started, removing its profile, and a watchdog for when we die first.

use std::path::Path;
use std::time::{Duration, Instant};

use tokio::io::BufReader;

/// How long a killed Chromium may take to be gone.
const KILL_LIMIT: Duration = Duration::from_secs(5);

/// Reads Chromium's stderr until it says where DevTools listens; on early exit, the error is
/// the last lines it wrote.
pub(super) async fn devtools_url(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStderr>>,
) -> Result<String, String> {
    let mut tail: Vec<String> = Vec::new();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                if let Some((_, url)) = line.rsplit_once("listening on ") {
                    let url = url.trim();
                    if url.starts_with("ws") && url.contains("devtools/browser") {
                        return Ok(url.to_string());
                    }
                }
                tail.push(line);
                if tail.len() > 5 {
                    tail.remove(0);
                }
            }
            Ok(None) => return Err(tail.join(" / ")),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Kills Chromium's main process and every process it started (`family`, when known from
/// before Chromium began to exit by itself, else found now), and reaps them all.
pub(super) fn kill_and_reap(child: &mut tokio::process::Child, pid: Option<u32>, family: &[u32]) {
    let mut pids: Vec<u32> = family.to_vec();
    if matches!(child.try_wait(), Ok(None)) {
        for p in pid.map(descendants).unwrap_or_default() {
            if !pids.contains(&p) {
                pids.push(p);
            }
        }
        let mut all = pids.clone();
        all.extend(pid);
        signal_kill(&all);
        let _ = child.start_kill();
    }
    let deadline = Instant::now() + KILL_LIMIT;
    while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    reap_orphans(&pids);
}

/// Makes this process the reaper of the orphans its children leave: Chromium's helpers
/// (zygotes, renderers) outlive its main process by a moment, and would otherwise stay as
/// zombies of an init that may never reap them. Done once, before the first launch.
pub(super) fn adopt_orphans() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
    });
}

/// Reaps those of `pids` that became our children (orphans adopted by [`adopt_orphans`]),
/// waiting a short while for them to end.
fn reap_orphans(pids: &[u32]) {
    let mut left: Vec<rustix::process::Pid> = pids
        .iter()
        .filter_map(|p| i32::try_from(*p).ok())
        .filter_map(rustix::process::Pid::from_raw)
        .collect();
    let deadline = Instant::now() + Duration::from_secs(1);
    while !left.is_empty() && Instant::now() < deadline {
        left.retain(|pid| {
            match rustix::process::waitpid(Some(*pid), rustix::process::WaitOptions::NOHANG) {
                // Ours and reaped now: done.
                Ok(Some(_)) => false,
                // Ours and not ended yet: keep waiting.
                Ok(None) => true,
                // Not ours (yet: its parent may be about to die and leave it to us), or gone.
                Err(_) => Path::new(&format!("/proc/{}", pid.as_raw_nonzero())).exists(),
            }
        });
        if !left.is_empty() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Every process below Chromium's main process `root` now.
pub(super) fn family(root: Option<u32>) -> Vec<u32> {
    root.map(descendants).unwrap_or_default()
}

/// Every process below `root`, from `/proc` (empty where there is none).
fn descendants(root: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(u32, u32)> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The command name is in parentheses and may hold spaces; the parent follows it.
            let rest = &stat[stat.rfind(')')? + 1..];
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(pid, ppid)| *ppid == parent && !found.contains(pid))
                .map(|(pid, _)| *pid)
                .collect::<Vec<_>>(),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// Sends SIGKILL to `pids`.
fn signal_kill(pids: &[u32]) {
    signal(rustix::process::Signal::KILL, pids);
}

/// Sends `sig` to `pids` (no outside `kill` program needed).
fn signal(sig: rustix::process::Signal, pids: &[u32]) {
    for pid in pids {
        if let Some(pid) = i32::try_from(*pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process(pid, sig);
        }
    }
}

/// Removes the profile folder; retried briefly, since a helper process that has not quite
/// gone may still write into it.
pub(super) fn remove_profile(profile: tempfile::TempDir) {
    let path = profile.keep();
    for _ in 0..20 {
        match std::fs::remove_dir_all(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Ok(()) if !path.exists() => return,
            _ => std::thread::sleep(Duration::from_millis(25)),
        }
    }
}

/// Starts a small shell that kills Chromium if this process dies without closing it (a
/// test binary's shared browser, or a run stopped by a signal), so no browser outlives us,
/// and then removes its profile folder.
/// Returns the watchdog's pid, to end it when Chromium is closed the ordinary way.
pub(super) fn spawn_watchdog(chromium_pid: u32, profile: &Path) -> Option<u32> {
    let me = std::process::id();
    let script = format!(
        "while kill -0 {me} 2>/dev/null && kill -0 {chromium_pid} 2>/dev/null; do sleep 1; done; kill -9 {chromium_pid} 2>/dev/null; sleep 1; rm -rf -- \"$1\""
    );
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .arg("webrunner-watchdog")
        .arg(profile)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = child.ok()?;
    let pid = child.id();
    std::thread::spawn(move || child.wait());
    Some(pid)
}

/// Ends the watchdog of a Chromium that was closed the ordinary way, with its `sleep`.
pub(super) fn end_watchdog(pid: Option<u32>) {
    if let Some(pid) = pid {
        // Stopped first, so it cannot start another `sleep` between the look and the kill.
        signal(rustix::process::Signal::STOP, &[pid]);
        let below = descendants(pid);
        let mut all = below.clone();
        all.push(pid);
        signal_kill(&all);
        reap_orphans(&below);
    }
}

//! Helpers shared by the bus tests: the reference Python WebRunner, and one real
//! `redis-server` per test binary on a free loopback port.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Notes that an outside tool a test needs is missing: a visible skip on a developer's
/// machine, a failure under `CI=true`.
pub fn missing_tool(note: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{note}");
    }
    // Straight to the stderr handle: libtest hides `eprintln!` of a passing test.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("skipped: {note}\n").as_bytes(),
    );
}

/// The Python with the reference WebRunner (`python3`, or `WEBRUNNER_REFERENCE_PYTHON`),
/// when it has the event bus and the CDP tap.
pub fn reference_python() -> Option<PathBuf> {
    let python = std::env::var_os("WEBRUNNER_REFERENCE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let ok = Command::new(&python)
        .args(["-c", "import je_web_runner.api.observability"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    missing_tool(&format!(
        "the reference Python WebRunner is missing: `pip install je-web-runner` for {}",
        python.display()
    ));
    None
}

/// Runs `script` with the reference Python and `args`, returning its stdout; panics with
/// its stderr when it fails.
pub fn run_python(python: &Path, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run the reference Python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A `redis-server` of this test binary, on `127.0.0.1:port`.
pub struct Redis {
    pub port: u16,
    /// Closed when the test binary exits, which stops the server (see [`redis`]).
    _lifeline: Mutex<ChildStdin>,
}

impl Redis {
    /// A URL for a stream of its own.
    pub fn url(&self, stream: &str) -> String {
        format!("redis://127.0.0.1:{}/{stream}", self.port)
    }
}

/// The test binary's Redis server, started on first use on a free loopback port (Debian's
/// `redis-server`; `None`, noted as missing, when it is not installed). A shell holds it on
/// a pipe from this process and stops it once the pipe closes, so it never outlives the
/// tests.
pub fn redis() -> Option<&'static Redis> {
    static SERVER: OnceLock<Option<Redis>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let found = Command::new("redis-server")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            if !found {
                missing_tool("redis-server is missing: apt-get install redis-server");
                return None;
            }
            (0..5).find_map(|_| start_redis())
        })
        .as_ref()
}

fn start_redis() -> Option<Redis> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let dir = std::env::temp_dir();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(
            "redis-server --port \"$1\" --bind 127.0.0.1 --save '' --appendonly no --dir \"$2\" \
             >/dev/null 2>&1 & pid=$!; echo started; read _; kill $pid",
        )
        .arg("sh")
        .arg(port.to_string())
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let lifeline = child.stdin.take()?;
    let mut started = String::new();
    BufReader::new(child.stdout.take()?)
        .read_line(&mut started)
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Redis {
                port,
                _lifeline: Mutex::new(lifeline),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// A stream name no other test uses.
pub fn fresh_stream(test: &str) -> String {
    format!("{test}-{}", webrunner_bus::new_event_id())
}

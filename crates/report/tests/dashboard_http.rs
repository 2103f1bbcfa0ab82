//! The dashboard over real HTTP on loopback: routes, headers, the `Host` guard, screenshot
//! confinement, live updates, and a bounded load of concurrent clients.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;
use webrunner_record::{Artifacts, Record, RunEvent, RunSink, Status};
use webrunner_report::{start_dashboard, LiveRun};

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// One HTTP/1.1 request on a fresh connection.
fn request(addr: SocketAddr, method: &str, path: &str, host: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, &addr.to_string())
}

fn record(index: usize, command: &str, status: Status) -> Record {
    Record {
        index,
        command: command.to_string(),
        args: vec![Value::from(format!("arg {index}"))],
        kwargs: Default::default(),
        status,
        started_at: "2026-01-01T00:00:00Z".to_string(),
        duration_ms: 12.5,
        attempts: 1,
        flaky: false,
        result: Value::Null,
        error: (status == Status::Failed).then(|| format!("error {index}")),
        artifacts: Artifacts::default(),
        trace_id: None,
        flow: Some("flow.json".to_string()),
        tries: vec![],
        dialogs: vec![],
        console: vec![],
        network: vec![],
        csp: Vec::new(),
    }
}

/// Hands `event` to `live` as the run's reporter would.
fn send(live: &LiveRun, event: RunEvent) {
    live.clone().event(&event).unwrap();
}

fn started(index: usize, command: &str) -> RunEvent {
    RunEvent::ActionStarted {
        flow: Some("flow.json".into()),
        index,
        command: command.into(),
    }
}

fn finished(record: Record) -> RunEvent {
    RunEvent::ActionFinished { record }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn assert_security_headers(reply: &Reply, what: &str) {
    assert_eq!(
        reply.header("content-security-policy"),
        Some("default-src 'self'"),
        "{what}"
    );
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"), "{what}");
}

#[test]
fn every_response_carries_the_security_headers() {
    let dashboard = start_dashboard("127.0.0.1", 0, LiveRun::new()).unwrap();
    let addr = dashboard.addr();
    for (path, status, kind) in [
        ("/", 200, "text/html"),
        ("/app.js", 200, "text/javascript"),
        ("/app.css", 200, "text/css"),
        ("/records", 200, "application/json"),
        ("/nothing-here", 404, "text/plain"),
        ("/screenshots/x.png", 404, "text/plain"),
        ("/records?since=abc", 400, "text/plain"),
    ] {
        let reply = get(addr, path);
        assert_eq!(reply.status, status, "{path}");
        assert!(
            reply.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        assert_security_headers(&reply, path);
    }
    let post = request(addr, "POST", "/records", &addr.to_string());
    assert_eq!(post.status, 405);
    assert_security_headers(&post, "POST");
}

#[test]
fn the_page_loads_its_script_and_style_from_the_server_and_has_no_inline_script() {
    let dashboard = start_dashboard("127.0.0.1", 0, LiveRun::new()).unwrap();
    let page = String::from_utf8(get(dashboard.addr(), "/").body).unwrap();
    assert!(page.contains("<script src=\"/app.js\"></script>"));
    assert!(page.contains("href=\"/app.css\""));
    assert_eq!(page.matches("<script").count(), 1);
    assert!(!page.contains("style="));
    let js = String::from_utf8(get(dashboard.addr(), "/app.js").body).unwrap();
    assert!(
        !js.contains("innerHTML")
            && !js.contains("insertAdjacentHTML")
            && !js.contains("document.write")
    );
}

#[test]
fn records_reflect_the_live_run_as_it_goes() {
    let live = LiveRun::new();
    let dashboard = start_dashboard("127.0.0.1", 0, live.clone()).unwrap();
    let addr = dashboard.addr();
    send(
        &live,
        RunEvent::FlowStarted {
            flow: "flow.json".into(),
            planned: 3,
        },
    );
    let v = get(addr, "/records").json();
    assert_eq!(
        (v["total"].as_u64(), v["planned"].as_u64()),
        (Some(0), Some(3))
    );
    send(&live, started(0, "WR_to_url"));
    assert_eq!(
        get(addr, "/records").json()["running"]["command"],
        "WR_to_url"
    );
    send(&live, finished(record(0, "WR_to_url", Status::Passed)));
    send(&live, started(1, "WR_click"));
    send(&live, finished(record(1, "WR_click", Status::Failed)));
    let reply = get(addr, "/records");
    assert_eq!(
        reply
            .header("content-length")
            .map(|l| l.parse::<usize>().unwrap()),
        Some(reply.body.len())
    );
    let v = reply.json();
    assert_eq!(
        (
            v["total"].as_u64(),
            v["passed"].as_u64(),
            v["failed"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(v["records"][1]["error"], "error 1");
    let v = get(addr, "/records?since=1").json();
    assert_eq!(v["offset"], 1);
    assert_eq!(v["records"].as_array().unwrap().len(), 1);
    assert_eq!(v["records"][0]["command"], "WR_click");
}

#[test]
fn only_screenshots_that_records_refer_to_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let shots = dir.path().join("screenshots");
    std::fs::create_dir(&shots).unwrap();
    std::fs::write(shots.join("1_WR_click.png"), PNG).unwrap();
    std::fs::write(shots.join("2_WR_other.png"), PNG).unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
    let mut failed = record(0, "WR_click", Status::Failed);
    failed.artifacts.screenshot = Some(shots.join("1_WR_click.png").display().to_string());
    let mut not_image = record(1, "WR_read", Status::Failed);
    not_image.artifacts.screenshot = Some(dir.path().join("secret.txt").display().to_string());
    let live = LiveRun::from_records(vec![failed, not_image], None);
    let dashboard = start_dashboard("127.0.0.1", 0, live).unwrap();
    let addr = dashboard.addr();
    let v = get(addr, "/records").json();
    let url = v["records"][0]["screenshot_url"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = get(addr, &url);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("image/png"));
    assert_eq!(reply.body, PNG);
    assert_security_headers(&reply, "screenshot");
    // A file in the same folder that no record names, traversal, and a referenced file that
    // is not an image: all refused.
    for path in [
        "/screenshots/2_WR_other.png".to_string(),
        "/screenshots/..%2Fsecret.txt".to_string(),
        "/screenshots/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd".to_string(),
        "/screenshots/../secret.txt".to_string(),
        format!(
            "/screenshots/{}",
            v["records"][1]["screenshot_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        ),
    ] {
        let reply = get(addr, &path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(
            !String::from_utf8_lossy(&reply.body).contains("secret"),
            "{path}"
        );
    }
}

#[test]
fn a_saved_run_finds_screenshots_by_the_seed_rule_in_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("20260101_000000_000001_WR_click.png"), PNG).unwrap();
    let live = LiveRun::from_records(
        vec![record(0, "WR_click", Status::Failed)],
        Some(dir.path()),
    );
    let dashboard = start_dashboard("127.0.0.1", 0, live).unwrap();
    let v = get(dashboard.addr(), "/records").json();
    let url = v["records"][0]["screenshot_url"].as_str().unwrap();
    assert_eq!(url, "/screenshots/20260101_000000_000001_WR_click.png");
    assert_eq!(get(dashboard.addr(), url).status, 200);
}

#[test]
fn a_loopback_dashboard_refuses_foreign_host_names() {
    let dashboard = start_dashboard("127.0.0.1", 0, LiveRun::new()).unwrap();
    let addr = dashboard.addr();
    let reply = request(addr, "GET", "/records", "attacker.example:80");
    assert_eq!(reply.status, 403);
    assert_security_headers(&reply, "403");
    assert_eq!(
        request(
            addr,
            "GET",
            "/records",
            &format!("localhost:{}", addr.port())
        )
        .status,
        200
    );
}

#[test]
fn stopping_frees_the_address() {
    let dashboard = start_dashboard("127.0.0.1", 0, LiveRun::new()).unwrap();
    let addr = dashboard.addr();
    assert_eq!(get(addr, "/records").status, 200);
    dashboard.stop();
    assert!(TcpStream::connect(addr).is_err());
    // The same port can be bound again.
    let again = start_dashboard("127.0.0.1", addr.port(), LiveRun::new()).unwrap();
    assert_eq!(again.addr(), addr);
}

#[test]
fn binding_errors_name_the_address_and_bad_hosts_are_reported() {
    let first = start_dashboard("127.0.0.1", 0, LiveRun::new()).unwrap();
    let err = start_dashboard("127.0.0.1", first.addr().port(), LiveRun::new()).unwrap_err();
    assert!(err.to_string().contains(&first.addr().to_string()), "{err}");
    let err = start_dashboard("no such host name.invalid", 0, LiveRun::new()).unwrap_err();
    assert!(err.to_string().contains("cannot resolve host"), "{err}");
    let v6 = start_dashboard("[::1]", 0, LiveRun::new());
    if let Ok(v6) = v6 {
        assert!(v6.addr().is_ipv6());
    }
}

/// 10k records, 50 concurrent clients, 4 requests each: every answer is complete and the same
/// as a reference answer checked once in full.
#[test]
fn fifty_concurrent_clients_on_ten_thousand_records_all_get_complete_answers() {
    let records: Vec<Record> = (0..10_000)
        .map(|i| {
            record(
                i,
                &format!("WR_step_{i}"),
                if i % 10 == 0 {
                    Status::Failed
                } else {
                    Status::Passed
                },
            )
        })
        .collect();
    let dashboard = start_dashboard("127.0.0.1", 0, LiveRun::from_records(records, None)).unwrap();
    let addr = dashboard.addr();
    let reference = get(addr, "/records");
    let v = reference.json();
    assert_eq!(
        (v["total"].as_u64(), v["failed"].as_u64()),
        (Some(10_000), Some(1_000))
    );
    assert_eq!(v["records"].as_array().map(Vec::len), Some(10_000));
    assert_eq!(v["records"][9_999]["command"], "WR_step_9999");
    let expected = std::sync::Arc::new(reference.body);
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let expected = expected.clone();
            std::thread::spawn(move || {
                (0..4)
                    .filter(|_| {
                        let reply = get(addr, "/records");
                        reply.status != 200 || reply.body != *expected
                    })
                    .count()
            })
        })
        .collect();
    let errors: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(errors, 0);
}

#[test]
fn records_json_file_round_trips_through_the_dashboard_payload() {
    let live = LiveRun::from_records(vec![record(0, "WR_a", Status::Passed)], None);
    let dashboard = start_dashboard("127.0.0.1", 0, live).unwrap();
    let body = get(dashboard.addr(), "/records").body;
    let records =
        webrunner_report::parse_records(std::str::from_utf8(&body).unwrap(), "payload").unwrap();
    assert_eq!(records[0].command, "WR_a");
}

#[test]
fn only_a_dashboard_reachable_from_other_machines_carries_a_warning() {
    let local = start_dashboard("127.0.0.1", 0, LiveRun::new()).unwrap();
    assert_eq!(local.exposure_warning(), None);
    let open = start_dashboard("0.0.0.0", 0, LiveRun::new()).unwrap();
    let warning = open.exposure_warning().expect("a warning");
    assert!(
        warning.contains("every network interface") && warning.contains(&open.addr().to_string()),
        "{warning}"
    );
}

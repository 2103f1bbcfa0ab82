//! The HAR 1.2 writer: a written log has every field HAR 1.2 requires, with the right types,
//! reads back to the same value, and opens in tools this project did not write — Python's
//! `haralyzer` (`pip install haralyzer`) and npm's `har-validator` schema validator
//! (`npm install -g har-validator`) — each run when installed, skipped with a note otherwise
//! (a failure under `CI=true`).

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use support::missing_tool;
use webrunner_har::writer::{
    write_har, Cache, Content, Cookie, Creator, Entry, Har, Header, Log, Page, PageTimings,
    PostData, Request, Response, Timings,
};

fn sample() -> Har {
    let mut log = Log::new(Creator::new("webrunner", "0.1.0"));
    log.browser = Some(Creator::new("Chromium", "124.0"));
    for (id, title) in [
        ("page_1", "https://example.com/"),
        ("page_2", "https://example.com/login"),
    ] {
        log.pages.push(Page {
            started_date_time: "2024-05-01T10:00:00.000Z".to_owned(),
            id: id.to_owned(),
            title: title.to_owned(),
            page_timings: PageTimings {
                on_content_load: 120.5,
                on_load: 250.0,
                comment: None,
            },
            comment: None,
        });
    }
    let mut html = Entry::new(
        "2024-05-01T10:00:00.010Z",
        Request::new("GET", "https://example.com/?lang=en", "HTTP/1.1"),
        Response::new(200, "OK", "HTTP/1.1", "text/html; charset=utf-8"),
    );
    html.pageref = Some("page_1".to_owned());
    html.request
        .headers
        .push(Header::new("Accept", "text/html"));
    html.request.query_string.push(Header::new("lang", "en"));
    html.request.cookies.push(Cookie {
        name: "sid".to_owned(),
        value: "abc".to_owned(),
        path: Some("/".to_owned()),
        domain: Some("example.com".to_owned()),
        expires: Some("2025-01-01T00:00:00.000Z".to_owned()),
        http_only: Some(true),
        secure: Some(true),
        comment: None,
    });
    html.request.headers_size = 120;
    html.request.body_size = 0;
    html.response
        .headers
        .push(Header::new("Content-Type", "text/html; charset=utf-8"));
    html.response.content = Content {
        size: 15,
        compression: Some(0),
        mime_type: "text/html; charset=utf-8".to_owned(),
        text: Some("<html>hi</html>".to_owned()),
        encoding: None,
        comment: None,
    };
    html.response.headers_size = 90;
    html.response.body_size = 15;
    html.timings = Timings {
        blocked: 1.0,
        dns: 2.0,
        connect: 10.0,
        send: 0.5,
        wait: 40.25,
        receive: 3.0,
        ssl: 6.0,
        comment: None,
    };
    html.time = html.timings.total_ms();
    html.server_ip_address = Some("93.184.216.34".to_owned());
    html.connection = Some("443".to_owned());

    let mut post = Entry::new(
        "2024-05-01T10:00:01.000Z",
        Request::new("POST", "https://example.com/login", "h2"),
        Response::new(302, "", "h2", "text/plain"),
    );
    post.pageref = Some("page_2".to_owned());
    post.request.post_data = Some(PostData {
        mime_type: "application/x-www-form-urlencoded".to_owned(),
        params: Vec::new(),
        text: "user=a&pass=b".to_owned(),
        comment: None,
    });
    post.response.redirect_url = "https://example.com/home".to_owned();
    post.timings.wait = 12.0;
    post.time = post.timings.total_ms();
    post.cache = Cache::default();

    let mut image = Entry::new(
        "2024-05-01T10:00:01.500Z",
        Request::new("GET", "https://example.com/logo.png", "h2"),
        Response::new(200, "", "h2", "image/png"),
    );
    image.pageref = Some("page_2".to_owned());
    image.response.content.size = 4;
    image.response.content.text = Some("iVBORw==".to_owned());
    image.response.content.encoding = Some("base64".to_owned());
    image.timings.receive = 1.25;
    image.time = image.timings.total_ms();
    log.entries = vec![html, post, image];
    Har { log }
}

/// JSON types as HAR 1.2 names them.
#[derive(Clone, Copy)]
enum T {
    Str,
    Num,
    Arr,
    Obj,
}

fn type_ok(v: &Value, t: T) -> bool {
    match t {
        T::Str => v.is_string(),
        T::Num => v.is_number(),
        T::Arr => v.is_array(),
        T::Obj => v.is_object(),
    }
}

/// Checks `obj` has every `(field, type)`; appends `path.field: problem` lines to `problems`.
fn require(obj: &Value, path: &str, fields: &[(&str, T)], problems: &mut Vec<String>) {
    for (name, t) in fields {
        match obj.get(name) {
            None => problems.push(format!("{path}.{name}: missing")),
            Some(v) if !type_ok(v, *t) => problems.push(format!("{path}.{name}: wrong type {v}")),
            Some(_) => {}
        }
    }
}

/// The required fields of HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/).
fn har12_problems(har: &Value) -> Vec<String> {
    use T::*;
    let mut p = Vec::new();
    require(har, "", &[("log", Obj)], &mut p);
    let log = &har["log"];
    require(
        log,
        "log",
        &[("version", Str), ("creator", Obj), ("entries", Arr)],
        &mut p,
    );
    require(
        &log["creator"],
        "log.creator",
        &[("name", Str), ("version", Str)],
        &mut p,
    );
    if let Some(browser) = log.get("browser") {
        require(
            browser,
            "log.browser",
            &[("name", Str), ("version", Str)],
            &mut p,
        );
    }
    for (i, page) in log["pages"].as_array().into_iter().flatten().enumerate() {
        let at = format!("log.pages[{i}]");
        require(
            page,
            &at,
            &[
                ("startedDateTime", Str),
                ("id", Str),
                ("title", Str),
                ("pageTimings", Obj),
            ],
            &mut p,
        );
    }
    let page_ids: Vec<&str> = log["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["id"].as_str())
        .collect();
    for (i, e) in log["entries"].as_array().into_iter().flatten().enumerate() {
        let at = format!("log.entries[{i}]");
        require(
            e,
            &at,
            &[
                ("startedDateTime", Str),
                ("time", Num),
                ("request", Obj),
                ("response", Obj),
                ("cache", Obj),
                ("timings", Obj),
            ],
            &mut p,
        );
        if let Some(pageref) = e.get("pageref").and_then(Value::as_str) {
            if !page_ids.contains(&pageref) {
                p.push(format!("{at}.pageref: no page {pageref}"));
            }
        }
        let req = &e["request"];
        require(
            req,
            &format!("{at}.request"),
            &[
                ("method", Str),
                ("url", Str),
                ("httpVersion", Str),
                ("cookies", Arr),
                ("headers", Arr),
                ("queryString", Arr),
                ("headersSize", Num),
                ("bodySize", Num),
            ],
            &mut p,
        );
        for list in ["cookies", "headers", "queryString"] {
            for (j, item) in req[list].as_array().into_iter().flatten().enumerate() {
                require(
                    item,
                    &format!("{at}.request.{list}[{j}]"),
                    &[("name", Str), ("value", Str)],
                    &mut p,
                );
            }
        }
        if let Some(post) = req.get("postData") {
            require(
                post,
                &format!("{at}.request.postData"),
                &[("mimeType", Str)],
                &mut p,
            );
        }
        let res = &e["response"];
        require(
            res,
            &format!("{at}.response"),
            &[
                ("status", Num),
                ("statusText", Str),
                ("httpVersion", Str),
                ("cookies", Arr),
                ("headers", Arr),
                ("content", Obj),
                ("redirectURL", Str),
                ("headersSize", Num),
                ("bodySize", Num),
            ],
            &mut p,
        );
        for list in ["cookies", "headers"] {
            for (j, item) in res[list].as_array().into_iter().flatten().enumerate() {
                require(
                    item,
                    &format!("{at}.response.{list}[{j}]"),
                    &[("name", Str), ("value", Str)],
                    &mut p,
                );
            }
        }
        require(
            &res["content"],
            &format!("{at}.response.content"),
            &[("size", Num), ("mimeType", Str)],
            &mut p,
        );
        let timings = &e["timings"];
        require(
            timings,
            &format!("{at}.timings"),
            &[("send", Num), ("wait", Num), ("receive", Num)],
            &mut p,
        );
        for phase in ["send", "wait", "receive"] {
            if timings[phase].as_f64().is_some_and(|v| v < 0.0) {
                p.push(format!("{at}.timings.{phase}: negative"));
            }
        }
    }
    p
}

fn written(dir: &Path) -> (std::path::PathBuf, Value) {
    let path = dir.join("run.har");
    write_har(&path, &sample()).unwrap();
    let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (path, value)
}

#[test]
fn written_har_has_every_field_har_1_2_requires() {
    let dir = tempfile::tempdir().unwrap();
    let (_, value) = written(dir.path());
    assert_eq!(har12_problems(&value), Vec::<String>::new());
    assert_eq!(value["log"]["version"], "1.2");
    assert_eq!(
        value["log"]["entries"][1]["response"]["redirectURL"],
        "https://example.com/home"
    );
    assert_eq!(
        value["log"]["entries"][0]["serverIPAddress"],
        "93.184.216.34"
    );
    // 1 + 2 + 10 + 0.5 + 40.25 + 3: ssl is part of connect.
    assert_eq!(value["log"]["entries"][0]["time"], json!(56.75));
}

#[test]
fn the_checker_reports_missing_and_wrongly_typed_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut value) = written(dir.path());
    value["log"]["entries"][0]["request"]
        .as_object_mut()
        .unwrap()
        .remove("httpVersion");
    value["log"]["entries"][2]["response"]["status"] = json!("200");
    value["log"]["entries"][1]["pageref"] = json!("page_9");
    assert_eq!(
        har12_problems(&value),
        vec![
            "log.entries[0].request.httpVersion: missing".to_owned(),
            "log.entries[1].pageref: no page page_9".to_owned(),
            "log.entries[2].response.status: wrong type \"200\"".to_owned(),
        ]
    );
}

#[test]
fn written_har_reads_back_to_the_same_value_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, value) = written(dir.path());
    let back: Har = serde_json::from_value(value).unwrap();
    assert_eq!(back, sample());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["run.har".to_owned()]);
    // Written again over the existing file: replaced.
    write_har(
        &path,
        &Har {
            log: Log::new(Creator::new("x", "1")),
        },
    )
    .unwrap();
    let again: Har = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(again.log.entries.is_empty());
}

#[test]
fn optional_fields_are_left_out_when_absent() {
    let har = Har {
        log: Log::new(Creator::new("x", "1")),
    };
    let mut entry = Entry::new(
        "t",
        Request::new("GET", "/", "HTTP/1.1"),
        Response::new(200, "OK", "HTTP/1.1", "x"),
    );
    entry.timings = Timings::default();
    let mut har = har;
    har.log.entries.push(entry);
    let v = serde_json::to_value(&har).unwrap();
    let e = &v["log"]["entries"][0];
    for absent in ["pageref", "serverIPAddress", "connection", "comment"] {
        assert!(e.get(absent).is_none(), "{absent}");
    }
    assert!(e["request"].get("postData").is_none());
    assert!(e["response"]["content"].get("text").is_none());
    assert_eq!(e["timings"]["dns"], json!(-1.0));
    assert_eq!(e["cache"], json!({}));
}

#[test]
fn write_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/run.har");
    let err = write_har(&path, &sample()).unwrap_err();
    assert!(err.to_string().contains("no/such/dir/run.har"), "{err}");
    let mut bad = sample();
    bad.log.entries[0].timings.wait = f64::NAN;
    let path = dir.path().join("nan.har");
    let err = write_har(&path, &bad).unwrap_err();
    assert!(err.to_string().contains("entries[0].timings.wait"), "{err}");
    assert!(!path.exists());
}

#[test]
fn haralyzer_opens_the_written_har() {
    let python = std::env::var("WEBRUNNER_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let available = Command::new(&python)
        .args(["-c", "import haralyzer"])
        .output();
    if !available.is_ok_and(|o| o.status.success()) {
        missing_tool(&format!(
            "`{python}` cannot import haralyzer; skipped (pip install haralyzer)"
        ));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = written(dir.path());
    let script = r#"
import json, sys
from haralyzer import HarParser
parser = HarParser.from_file(sys.argv[1])
out = {"version": parser.version, "creator": parser.creator, "browser": parser.browser, "pages": []}
for page in parser.pages:
    out["pages"].append({
        "id": page.page_id,
        "entries": [[e.request.method, e.request.url, e.response.status, e.response.mimeType, e.response.contentSize]
                    for e in page.entries],
    })
print(json.dumps(out))
"#;
    let output = Command::new(&python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "haralyzer failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        seen,
        json!({
            "version": "1.2",
            "creator": {"name": "webrunner", "version": "0.1.0"},
            "browser": {"name": "Chromium", "version": "124.0"},
            "pages": [
                {"id": "page_1", "entries": [["GET", "https://example.com/?lang=en", 200, "text/html; charset=utf-8", 15]]},
                {"id": "page_2", "entries": [
                    ["POST", "https://example.com/login", 302, "text/plain", 0],
                    ["GET", "https://example.com/logo.png", 200, "image/png", 4],
                ]},
            ],
        })
    );
}

/// `NODE_PATH` that lets `node` find `har-validator`, if it is installed.
fn node_path_with_har_validator() -> Option<String> {
    let mut candidates = vec![std::env::var("NODE_PATH").unwrap_or_default()];
    if let Ok(out) = Command::new("npm").args(["root", "-g"]).output() {
        candidates.push(String::from_utf8_lossy(&out.stdout).trim().to_owned());
    }
    candidates.into_iter().find(|node_path| {
        Command::new("node")
            .args(["-e", "require('har-validator')"])
            .env("NODE_PATH", node_path)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn har_validator(node_path: &str, file: &Path) -> Result<(), String> {
    let script = r#"
const validate = require('har-validator');
const data = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
validate.har(data).then(() => process.exit(0), (e) => {
  console.error(JSON.stringify(e.errors || String(e)));
  process.exit(1);
});
"#;
    let out = Command::new("node")
        .args(["-e", script])
        .arg(file)
        .env("NODE_PATH", node_path)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn har_validator_accepts_the_written_har_and_rejects_a_broken_one() {
    let Some(node_path) = node_path_with_har_validator() else {
        missing_tool("node cannot load har-validator; skipped (npm install -g har-validator)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, mut value) = written(dir.path());
    har_validator(&node_path, &path)
        .unwrap_or_else(|e| panic!("har-validator rejected the writer's HAR: {e}"));
    value["log"]["entries"][0]["request"]
        .as_object_mut()
        .unwrap()
        .remove("method");
    let broken = dir.path().join("broken.har");
    std::fs::write(&broken, value.to_string()).unwrap();
    let err = har_validator(&node_path, &broken).unwrap_err();
    assert!(err.contains("method"), "{err}");
}

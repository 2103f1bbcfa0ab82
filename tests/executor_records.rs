//! The executor's contract against a real Chromium: records, retries with linear back-off,
//! failure screenshots (naming, confinement, timing), unknown commands, fail-fast.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{executor, rt, site};
use serde_json::{json, Value};
use webrunner::executor::{ActionError, CommandDoc, Kind, Param, RecordingClock};
use webrunner::{parse_flow, Action, Executor, Record, Status};

const COUNTING: CommandDoc = CommandDoc::new(
    "test",
    "clicks the playground counter and fails until it reads the wanted number",
    &[Param::opt(
        "pass_at",
        Kind::Number,
        "the counter value that passes",
    )],
    "the counter",
);

/// A command that clicks the page's counter and fails, naming the attempt, until the counter
/// reaches `pass_at` — deterministic by attempt number, and impossible without a browser.
fn register_counting(ex: &mut Executor) {
    ex.registry_mut().register(
        "WR_count_until",
        COUNTING,
        webrunner::executor::handler(|ctx, call| {
            Box::pin(async move {
                let pass_at = call.opt_f64("pass_at")?.unwrap_or(f64::MAX);
                let el = ctx
                    .element(&Action::new("WR_count_until").kwarg("css", "#counter"))
                    .await?;
                el.click().await?;
                let n: f64 = el.text().await?.parse().unwrap_or(-1.0);
                if n >= pass_at {
                    Ok(json!(n))
                } else {
                    Err(ActionError::Failed(format!("attempt {n} failed")))
                }
            })
        }),
    );
}

async fn flow(ex: &mut Executor, text: &str) -> Vec<Record> {
    let base = site().await.base_url();
    ex.run_flow(&parse_flow("flow.json", &text.replace("{base}", &base)).unwrap())
        .await
        .to_vec()
}

#[test]
fn retries_use_linear_backoff_and_a_pass_after_failure_is_flaky() {
    rt().block_on(async {
        let mut ex = executor().await;
        register_counting(&mut ex);
        let clock = Arc::new(RecordingClock::default());
        ex.set_clock(clock.clone());
        ex.set_retry_policy(4, 0.5).expect("retry policy");
        let records = flow(
            &mut ex,
            r#"[["WR_to_url", ["{base}/playground"]], ["WR_count_until", {"pass_at": 3}]]"#,
        )
        .await;
        let r = &records[1];
        assert_eq!(r.status, Status::Passed);
        assert_eq!(r.attempts, 3);
        assert!(r.flaky);
        assert_eq!(r.result, json!(3.0));
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_millis(500), Duration::from_millis(1000)]
        );
        assert!(!records[0].flaky && records[0].attempts == 1);
        ex.shutdown().await;
    });
}

#[test]
fn after_the_last_attempt_the_record_keeps_that_attempts_original_error() {
    rt().block_on(async {
        let mut ex = executor().await;
        register_counting(&mut ex);
        let clock = Arc::new(RecordingClock::default());
        ex.set_clock(clock.clone());
        let records = flow(
            &mut ex,
            r#"[["WR_set_retry_policy", {"retries": 2, "backoff": 0.25}],
                ["WR_to_url", ["{base}/playground"]], ["WR_count_until"]]"#,
        )
        .await;
        let r = &records[2];
        assert_eq!(r.status, Status::Failed);
        assert_eq!(r.attempts, 3);
        assert!(!r.flaky);
        assert_eq!(r.error.as_deref(), Some("attempt 3 failed"));
        assert_eq!(r.result, Value::Null);
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_millis(250), Duration::from_millis(500)]
        );
        ex.shutdown().await;
    });
}

#[test]
fn negative_retry_policy_clamps_to_a_single_attempt() {
    rt().block_on(async {
        let mut ex = executor().await;
        register_counting(&mut ex);
        let clock = Arc::new(RecordingClock::default());
        ex.set_clock(clock.clone());
        ex.set_retry_policy(-3, -1.0)
            .expect("negative values clamp");
        let records = flow(
            &mut ex,
            r#"[["WR_to_url", ["{base}/playground"]], ["WR_count_until"]]"#,
        )
        .await;
        assert_eq!(records[1].attempts, 1);
        assert!(clock.sleeps().is_empty());
        ex.shutdown().await;
    });
}

fn decode(path: &str) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn a_failed_action_leaves_a_png_of_the_page_at_that_moment() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let shots = dir.path().join("shots");
        let mut ex = executor().await;
        ex.set_failure_screenshot_dir(&shots).unwrap();
        assert!(shots.is_dir(), "the folder is created");
        let records = flow(
            &mut ex,
            r#"[["WR_to_url", ["{base}/products"]],
                ["WR_execute_script", ["document.body.innerHTML = ''; document.body.style.background = 'rgb(255, 0, 0)'"]],
                ["WR_assert_title", ["Not this"]],
                ["WR_execute_script", ["document.body.style.background = 'rgb(0, 0, 255)'"]]]"#,
        )
        .await;
        let r = &records[2];
        assert_eq!(r.status, Status::Failed);
        let path = r.artifacts.screenshot.clone().expect("screenshot in the record");
        let error = r.error.clone().unwrap();
        assert!(error.ends_with(&format!("(failure screenshot: {path})")), "{error}");
        let name = std::path::Path::new(&path).file_name().unwrap().to_str().unwrap().to_string();
        let re = regex::Regex::new(r"^\d{8}_\d{6}_\d{6}_WR_assert_title\.png$").unwrap();
        assert!(re.is_match(&name), "{name}");
        assert_eq!(std::path::Path::new(&path).parent().unwrap(), shots);
        let (w, h, pixels) = decode(&path);
        assert!(w > 100 && h > 100);
        let channels = pixels.len() / (w * h) as usize;
        let mid = ((h / 2 * w + w / 2) as usize) * channels;
        assert_eq!(&pixels[mid..mid + 3], &[255, 0, 0], "the page as it was when the action failed");
        // Beside it, the DOM of that moment; passing actions leave nothing.
        let dom = records[2].artifacts.dom.clone().expect("a DOM snapshot");
        assert_eq!(std::path::Path::new(&dom).parent().unwrap(), shots);
        assert!(std::fs::read_to_string(&dom).unwrap().contains("<html"));
        assert_eq!(std::fs::read_dir(&shots).unwrap().count(), 2);
        assert!(records[3].artifacts.screenshot.is_none());
        ex.shutdown().await;
    });
}

#[test]
fn a_command_named_like_a_path_cannot_write_outside_the_folder() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let shots = dir.path().join("a/b");
        let mut ex = executor().await;
        ex.set_failure_screenshot_dir(&shots).unwrap();
        let records = flow(
            &mut ex,
            r#"[["WR_to_url", ["{base}/"]], ["../../x"], ["/etc/passwd"], ["..\\..\\y"]]"#,
        )
        .await;
        for r in &records[1..] {
            assert_eq!(r.status, Status::Failed);
            assert!(
                r.error.as_deref().unwrap().starts_with("unknown command"),
                "{:?}",
                r.error
            );
            let p = std::path::PathBuf::from(r.artifacts.screenshot.clone().unwrap());
            assert_eq!(p.parent().unwrap(), shots);
        }
        let names: Vec<String> = std::fs::read_dir(&shots)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".png"))
            .collect();
        assert_eq!(names.len(), 3);
        assert!(names.iter().any(|n| n.ends_with("_x.png")));
        assert!(names.iter().any(|n| n.ends_with("_etcpasswd.png")));
        assert!(names.iter().any(|n| n.ends_with("_y.png")));
        let outside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(outside.len(), 1, "only the a/ folder exists beside");
        ex.shutdown().await;
    });
}

#[test]
fn records_carry_every_field_of_the_contract() {
    rt().block_on(async {
        let mut ex = executor().await;
        let records = flow(
            &mut ex,
            r#"[["WR_to_url", ["{base}/"]], ["WR_title", [], {}], ["WR_nope", [1], {"k": "v"}]]"#,
        )
        .await;
        let v = serde_json::to_value(&records[2]).unwrap();
        for key in [
            "index",
            "command",
            "args",
            "kwargs",
            "status",
            "started_at",
            "duration_ms",
            "attempts",
            "flaky",
            "result",
            "error",
            "artifacts",
        ] {
            assert!(v.get(key).is_some(), "record lacks {key}: {v}");
        }
        assert_eq!(v["index"], json!(2));
        assert_eq!(v["status"], json!("failed"));
        assert_eq!(v["args"], json!([1]));
        assert_eq!(v["kwargs"], json!({"k": "v"}));
        assert!(time::OffsetDateTime::parse(
            v["started_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok());
        assert!(v["started_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(records[1].result, json!("Demo shop"));
        assert_eq!(records[1].flow.as_deref(), Some("flow.json"));
        ex.shutdown().await;
    });
}

#[test]
fn the_run_goes_on_after_a_failure_unless_fail_fast() {
    rt().block_on(async {
        let text = r#"[["WR_to_url", ["{base}/"]], ["WR_assert_title", ["x"]], ["WR_title"]]"#;
        let mut ex = executor().await;
        assert_eq!(flow(&mut ex, text).await.len(), 3);
        ex.set_fail_fast(true);
        let records = flow(&mut ex, text).await;
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].status, Status::Failed);
        ex.shutdown().await;
    });
}

#[test]
fn without_a_browser_a_failure_takes_no_screenshot_and_raises_nothing() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut ex = Executor::new();
        ex.set_failure_screenshot_dir(dir.path()).unwrap();
        let r = ex.run_action(0, &Action::new("WR_missing")).await.clone();
        assert_eq!(r.status, Status::Failed);
        assert!(r.artifacts.screenshot.is_none());
        assert!(!r.error.unwrap().contains("failure screenshot"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    });
}

//! The replay page: its security policy, escaping, screenshots, timeline and attempts.

use super::parts::{clock_text, placements};
use super::*;
use serde_json::Value;
use webrunner_record::{Artifacts, Status, Try};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake";

fn rec(index: usize, command: &str, status: Status) -> Record {
    Record {
        index,
        command: command.to_string(),
        args: vec![Value::from("https://example.test/")],
        kwargs: Default::default(),
        status,
        started_at: format!("2026-01-01T00:00:0{index}Z"),
        duration_ms: 500.0,
        attempts: 1,
        flaky: false,
        result: Value::Null,
        error: (status == Status::Failed).then(|| "boom".to_string()),
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

fn attempt(attempt: u32, status: Status, error: Option<&str>, screenshot: Option<&Path>) -> Try {
    Try {
        attempt,
        started_at: format!("2026-01-01T00:00:0{attempt}Z"),
        duration_ms: 100.0 * f64::from(attempt),
        status,
        error: error.map(str::to_string),
        artifacts: Artifacts {
            screenshot: screenshot.map(|p| p.display().to_string()),
            ..Artifacts::default()
        },
    }
}

#[test]
fn the_csp_admits_exactly_the_inline_script_and_style_by_hash() {
    let page = build_replay_html(&[rec(0, "WR_a", Status::Passed)], None, "t");
    let script = page
        .split("<script>")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let style = page
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    assert_eq!(page.matches("<script").count(), 1);
    assert!(csp().contains(&csp_hash(script)));
    assert!(csp().contains(&csp_hash(style)));
    assert!(csp().starts_with("default-src 'none'; img-src data:;"));
    assert!(page.contains(&format!("content=\"{}\"", html(csp()))));
}

#[test]
fn record_text_is_escaped_everywhere_it_appears() {
    let mut r = rec(0, "<script>alert(1)</script>", Status::Failed);
    r.error = Some("<img src=x onerror=alert(2)> </textarea> \"'".into());
    r.kwargs.insert("<b>".into(), Value::from("</pre><script>"));
    r.flow = Some("<i>flow</i>".into());
    let page = build_replay_html(&[r], None, "<title>");
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("</pre><script>"));
    assert!(!page.contains("<i>flow"));
    assert!(page.contains("&lt;img src=x onerror=alert(2)&gt; &lt;/textarea&gt; &quot;&#39;"));
    assert!(page.contains("<title>&lt;title&gt;</title>"));
}

#[test]
fn a_failed_record_without_its_own_screenshot_embeds_the_first_seed_match_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("2_WR_click.png"), PNG).unwrap();
    std::fs::write(dir.path().join("1_WR_click.png"), PNG).unwrap();
    let records = vec![
        rec(0, "WR_click", Status::Failed),
        rec(1, "WR_click", Status::Passed),
        rec(2, "WR_click", Status::Failed),
    ];
    let page = build_replay_html(&records, Some(dir.path()), "t");
    assert_eq!(
        page.matches("data:image/png;base64,").count(),
        1,
        "embedded once"
    );
    assert_eq!(
        page.matches("class=\"thumb\" data-shot=\"shot-0\"").count(),
        2,
        "passed rows get none"
    );
    assert!(page.contains("1_WR_click.png — #0 WR_click, #2 WR_click"));
    assert!(!page.contains("2_WR_click.png"));
}

#[test]
fn a_recorded_screenshot_wins_and_a_missing_or_fake_one_is_named_not_embedded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("own.png"), PNG).unwrap();
    std::fs::write(dir.path().join("0_WR_a.png"), PNG).unwrap();
    std::fs::write(dir.path().join("fake.png"), b"<svg onload=alert(1)>").unwrap();
    let mut own = rec(0, "WR_a", Status::Failed);
    own.artifacts.screenshot = Some(dir.path().join("own.png").display().to_string());
    let mut gone = rec(1, "WR_b", Status::Failed);
    gone.artifacts.screenshot = Some("/nowhere/gone.png".into());
    let mut fake = rec(2, "WR_c", Status::Failed);
    fake.artifacts.screenshot = Some(dir.path().join("fake.png").display().to_string());
    let page = build_replay_html(&[own, gone, fake], Some(dir.path()), "t");
    assert!(page.contains("own.png — #0 WR_a"));
    assert!(!page.contains("0_WR_a.png"));
    assert!(page.contains("missing: /nowhere/gone.png"));
    assert!(page.contains("fake.png: not a PNG, JPEG, GIF or WebP image"));
    assert!(!page.contains("onload"));
    assert_eq!(page.matches("data:image/png").count(), 1);
}

#[test]
fn the_timeline_has_a_bar_per_record_placed_by_start_and_duration() {
    let mut records = vec![
        rec(0, "WR_a", Status::Passed),
        rec(1, "WR_b", Status::Failed),
    ];
    records[1].started_at = "2026-01-01T00:00:01.5Z".into();
    records[1].flow = Some("g.json".into());
    let page = build_replay_html(&records, None, "t");
    assert_eq!(page.matches("<rect class=\"bar").count(), 2);
    // span 0 → 2000 ms: the first bar is 0..500, the second 1500..2000.
    assert!(page.contains("<rect class=\"bar ok\" x=\"0.00\" y=\"1\" width=\"250.00\""));
    assert!(page.contains("<rect class=\"bar fail\" x=\"750.00\" y=\"1\" width=\"250.00\""));
    assert_eq!(page.matches("<div class=\"lane\">").count(), 2);
    assert!(page.contains("<span class=\"end\">2.00 s</span>"));
}

#[test]
fn rows_show_the_time_of_day_with_the_full_time_as_a_tooltip() {
    let mut r = rec(0, "WR_a", Status::Passed);
    r.started_at = "2026-01-01T10:20:30.123456Z".into();
    let page = build_replay_html(&[r], None, "t");
    assert!(page.contains("<td title=\"2026-01-01T10:20:30.123456Z\">10:20:30.123</td>"));
    assert_eq!(clock_text("not a time <b>"), "not a time <b>");
}

#[test]
fn unparsable_start_times_follow_the_previous_record() {
    let mut records = vec![
        rec(0, "WR_a", Status::Passed),
        rec(1, "WR_b", Status::Passed),
    ];
    records[1].started_at = "yesterday".into();
    let (places, span) = placements(&records);
    assert_eq!(places, [(0.0, 500.0), (500.0, 1000.0)]);
    assert_eq!(span, 1000.0);
}

#[test]
fn export_writes_the_file_and_reports_an_unwritable_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a/b/replay.html");
    let written = export_replay_studio(&out, &[rec(0, "WR_a", Status::Passed)], None, "t").unwrap();
    assert!(written.is_absolute());
    assert!(std::fs::read_to_string(&written).unwrap().contains("WR_a"));
    let err = export_replay_studio(&out.join("x.html"), &[], None, "t").unwrap_err();
    assert!(err.to_string().contains("x.html"), "{err}");
}

#[test]
fn every_attempt_of_a_retried_record_is_listed_with_its_error_and_screenshot() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("1_WR_click.png");
    let second = dir.path().join("2_WR_click.png");
    std::fs::write(&first, PNG).unwrap();
    std::fs::write(&second, b"\x89PNG\r\n\x1a\nother").unwrap();
    let mut r = rec(0, "WR_click", Status::Passed);
    r.attempts = 3;
    r.flaky = true;
    r.tries = vec![
        attempt(
            1,
            Status::Failed,
            Some("covered by <div id=\"overlay\">"),
            Some(&first),
        ),
        attempt(2, Status::Failed, Some("still covered"), Some(&second)),
        attempt(3, Status::Passed, None, None),
    ];
    let page = build_replay_html(&[r], None, "t");
    assert_eq!(page.matches("<li class=\"try ").count(), 3);
    assert!(page.contains("attempt 1 FAILED"));
    assert!(page.contains("attempt 3 PASSED"));
    assert!(
        page.contains("<pre class=\"error\">covered by &lt;div id=&quot;overlay&quot;&gt;</pre>")
    );
    assert!(page.contains("<pre class=\"error\">still covered</pre>"));
    assert!(page.contains(", 200 ms</span>"));
    assert_eq!(page.matches("data:image/png;base64,").count(), 2);
    assert!(page.contains("alt=\"screenshot of #0 WR_click, attempt 1\""));
    assert!(page.contains("alt=\"screenshot of #0 WR_click, attempt 2\""));
    assert!(page.contains("1_WR_click.png — #0 WR_click<"));
}

#[test]
fn the_last_attempts_screenshot_is_embedded_once_with_the_records_and_missing_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let last = dir.path().join("2_WR_b.png");
    std::fs::write(&last, PNG).unwrap();
    let mut r = rec(0, "WR_b", Status::Failed);
    r.attempts = 2;
    r.artifacts.screenshot = Some(last.display().to_string());
    r.tries = vec![
        attempt(
            1,
            Status::Failed,
            Some("first"),
            Some(Path::new("/gone/1_WR_b.png")),
        ),
        attempt(2, Status::Failed, Some("second"), Some(&last)),
    ];
    let page = build_replay_html(&[r], None, "t");
    assert_eq!(page.matches("data:image/png;base64,").count(), 1);
    assert_eq!(page.matches("data-shot=\"shot-0\"").count(), 2);
    assert!(page.contains("missing: /gone/1_WR_b.png"));
    assert!(page.contains("2_WR_b.png — #0 WR_b<"), "one row named once");
}

#[test]
fn a_single_attempt_or_a_record_without_tries_gets_no_attempt_list() {
    let mut once = rec(0, "WR_a", Status::Failed);
    once.tries = vec![attempt(1, Status::Failed, Some("boom"), None)];
    let mut old = rec(1, "WR_b", Status::Passed);
    old.attempts = 2;
    old.flaky = true;
    let page = build_replay_html(&[once, old], None, "t");
    assert!(!page.contains("<tr class=\"tries"));
    assert!(page.contains("<span class=\"note\">2 attempts</span>"));
}

//! The parts of the trace recorder that need no browser: action subtitles and the placing
//! of the action measures on the performance trace's clock and thread.

use serde_json::{json, Map, Value};

use super::chrome::{measure_events, Lite, Measure};
use super::subtitle;

fn measure(name: &str, start_ms: f64, end_ms: f64) -> Measure {
    Measure {
        name: name.into(),
        start_ms,
        end_ms,
        failed: false,
    }
}

/// Each event as the text the trace reader borrows from.
fn texts(events: &[Value]) -> Vec<String> {
    events.iter().map(Value::to_string).collect()
}

#[test]
fn subtitles_name_the_arguments_without_braces_or_newlines() {
    let mut kwargs = Map::new();
    kwargs.insert("css".into(), json!("#go"));
    kwargs.insert("script".into(), json!("if (a) {\n b() }"));
    assert_eq!(
        subtitle(&[json!("x"), json!(2)], &kwargs),
        "x 2 css=#go script=if (a) (  b() )"
    );
    let long = subtitle(&[json!("y".repeat(500))], &Map::new());
    assert_eq!(long.chars().count(), 120);
    assert!(long.ends_with('…'));
}

#[test]
fn measures_sit_on_the_clock_sync_marker_and_the_pages_main_thread() {
    let events = [
        json!({"ph": "M", "name": "thread_name", "pid": 7, "tid": 1, "args": {"name": "CrRendererMain"}}),
        json!({"ph": "M", "name": "thread_name", "pid": 9, "tid": 3, "args": {"name": "CrRendererMain"}}),
        json!({"ph": "R", "name": "navigationStart", "pid": 9, "tid": 3, "ts": 5.0, "args": {"frame": "F1"}}),
        json!({"ph": "c", "name": "clock_sync", "pid": 1, "tid": 1, "ts": 1_000_000.0, "args": {"sync_id": "s"}}),
    ];
    let texts = texts(&events);
    let lite: Vec<Lite> = texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    let out = measure_events(
        &lite,
        &[measure("#0 WR_to_url", 10_000.0, 10_250.5)],
        &("s".into(), 9_000.0),
        0.0,
        "F1",
    );
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["ph"], "b");
    assert_eq!(out[1]["ph"], "e");
    assert_eq!(out[0]["cat"], "blink.user_timing");
    assert_eq!(out[0]["id2"], out[1]["id2"]);
    assert_eq!(
        (out[0]["pid"].clone(), out[0]["tid"].clone()),
        (json!(9), json!(3))
    );
    // One second after the marker, in microseconds.
    assert_eq!(out[0]["ts"], json!(2_000_000.0));
    assert_eq!(out[1]["ts"], json!(2_250_500.0));
}

#[test]
fn without_a_marker_measures_count_from_the_first_timed_event() {
    let events: Vec<Value> = vec![
        json!({"ph": "M", "name": "thread_name", "pid": 4, "tid": 2, "args": {"name": "CrRendererMain"}}),
        json!({"ph": "X", "name": "RunTask", "pid": 4, "tid": 2, "ts": 500.0}),
    ];
    let texts = texts(&events);
    let lite: Vec<Lite> = texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    let out = measure_events(
        &lite,
        &[measure("m", 2.0, 1.0)],
        &("gone".into(), 0.0),
        1.0,
        "F",
    );
    assert_eq!(out[0]["ts"], json!(1500.0));
    assert_eq!(
        out[1]["ts"],
        json!(1500.0),
        "an end before its start is clamped"
    );
    assert_eq!(
        out[0]["pid"],
        json!(4),
        "the only renderer when the frame is not found"
    );
}

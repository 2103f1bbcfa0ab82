//! The merged timeline as a Chrome trace (the JSON trace-event format that Chrome DevTools'
//! Performance panel, `chrome://tracing` and Perfetto open): one process with three tracks,
//! `actions` (spans as complete events), `console` (instant events) and `network` (complete
//! events when the request's duration is known, else instant events). Times are microseconds
//! from the earliest event; `metadata.origin_ms` says what that origin was.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{Kind, TimelineEvent};

const PID: u32 = 1;
/// The track of spans (a run's actions).
pub const ACTIONS_TID: u32 = 1;
/// The track of console messages.
pub const CONSOLE_TID: u32 = 2;
/// The track of network requests.
pub const NETWORK_TID: u32 = 3;
/// Longest name drawn for a console message or request, in characters.
const NAME_CHARS: usize = 80;

/// A whole trace file: `{"traceEvents": [...], "displayTimeUnit": "ms", "metadata": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChromeTrace {
    /// Metadata events first, then the timeline's events in time order.
    pub trace_events: Vec<TraceEvent>,
    /// `ms`: how viewers show durations.
    pub display_time_unit: &'static str,
    /// What made the trace, and the epoch (or source) milliseconds of `ts` 0.
    pub metadata: Value,
}

/// One trace event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEvent {
    /// What the viewer draws on the event.
    pub name: String,
    /// `action`, `console`, `network`, or `__metadata`.
    pub cat: &'static str,
    /// `M` metadata, `X` complete, `i` instant.
    pub ph: &'static str,
    /// Microseconds from the origin.
    pub ts: f64,
    /// Duration in microseconds (complete events only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dur: Option<f64>,
    /// Always 1.
    pub pid: u32,
    /// The track: [`ACTIONS_TID`], [`CONSOLE_TID`] or [`NETWORK_TID`].
    pub tid: u32,
    /// `t` (the instant belongs to its track) for instant events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s: Option<&'static str>,
    /// Details shown when the event is selected.
    pub args: Value,
}

/// Microseconds from `origin_ms` to `ms`, rounded to the nanosecond.
fn micros(ms: f64, origin_ms: f64) -> f64 {
    ((ms - origin_ms) * 1000.0 * 1000.0).round() / 1000.0
}

fn duration_micros(ms: f64) -> f64 {
    (ms.max(0.0) * 1000.0 * 1000.0).round() / 1000.0
}

/// `text` cut to [`NAME_CHARS`] characters, with `…` when cut.
fn truncate(text: &str) -> String {
    match text.char_indices().nth(NAME_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A JSON value as a line of text: strings as they are, anything else as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn metadata_event(name: &'static str, tid: u32, args: Value) -> TraceEvent {
    TraceEvent {
        name: name.into(),
        cat: "__metadata",
        ph: "M",
        ts: 0.0,
        dur: None,
        pid: PID,
        tid,
        s: None,
        args,
    }
}

/// A span's `attrs` as event args: an object as it is, anything else under `attrs`.
fn span_args(attrs: &Value) -> Value {
    match attrs {
        Value::Object(_) => attrs.clone(),
        other => json!({ "attrs": other }),
    }
}

/// The trace of `events` (as [`super::build`] orders them). A `span.start` becomes a complete
/// event lasting to its end (an instant event when it has none); its `span.end` is then not
/// drawn again.
pub fn chrome_trace(events: &[TimelineEvent]) -> ChromeTrace {
    let origin_ms = events
        .iter()
        .map(|e| e.timestamp_ms)
        .fold(f64::INFINITY, f64::min);
    let origin_ms = if origin_ms.is_finite() {
        origin_ms
    } else {
        0.0
    };
    let mut trace_events = vec![metadata_event(
        "process_name",
        ACTIONS_TID,
        json!({"name": "webrunner"}),
    )];
    for (tid, name) in [
        (ACTIONS_TID, "actions"),
        (CONSOLE_TID, "console"),
        (NETWORK_TID, "network"),
    ] {
        trace_events.push(metadata_event("thread_name", tid, json!({ "name": name })));
        trace_events.push(metadata_event(
            "thread_sort_index",
            tid,
            json!({ "sort_index": tid }),
        ));
    }
    for e in events {
        let ts = micros(e.timestamp_ms, origin_ms);
        let payload = e.payload_value();
        let (name, cat, tid, dur, args) = match e.kind {
            Kind::SpanStart { end_ms } => (
                e.label.clone(),
                "action",
                ACTIONS_TID,
                end_ms.map(|end| duration_micros(end - e.timestamp_ms)),
                span_args(&payload["attrs"]),
            ),
            Kind::SpanEnd => continue,
            Kind::Console => (
                truncate(&format!("{}: {}", e.label, plain(&payload["text"]))),
                "console",
                CONSOLE_TID,
                None,
                json!({"level": e.label, "text": payload["text"], "location": payload["location"]}),
            ),
            Kind::Response { duration_ms } => (
                truncate(&format!("{} {}", e.label, plain(&payload["url"]))),
                "network",
                NETWORK_TID,
                duration_ms.map(duration_micros),
                payload,
            ),
        };
        trace_events.push(TraceEvent {
            name,
            cat,
            ph: if dur.is_some() { "X" } else { "i" },
            ts,
            dur,
            pid: PID,
            tid,
            s: if dur.is_some() { None } else { Some("t") },
            args,
        });
    }
    let mut metadata = Map::new();
    metadata.insert("source".into(), json!("webrunner timeline"));
    metadata.insert("origin_ms".into(), json!(origin_ms));
    metadata.insert("events".into(), json!(events.len()));
    ChromeTrace {
        trace_events,
        display_time_unit: "ms",
        metadata: Value::Object(metadata),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::build;

    fn trace() -> Value {
        let spans = json!([
            {"name": "WR_click", "start_ms": 1000.5, "end_ms": 1250,
             "attrs": {"flow": "f", "index": 0, "status": "passed"}},
            {"name": "open", "start_ms": 2000}
        ]);
        let console = json!([{"type": "error", "text": "x".repeat(100), "timestamp_ms": 1100}]);
        let responses = json!([
            {"method": "GET", "status": 200, "url": "http://a/", "ok": true,
             "timestamp_ms": 1001, "duration_ms": 12.25},
            {"url": "http://b/", "timestamp_ms": 1500}
        ]);
        let events = build(
            spans.to_string().as_bytes(),
            console.to_string().as_bytes(),
            responses.to_string().as_bytes(),
        )
        .unwrap();
        serde_json::to_value(chrome_trace(&events)).unwrap()
    }

    #[test]
    fn the_trace_has_metadata_tracks_and_microseconds_from_the_origin() {
        let t = trace();
        assert_eq!(t["displayTimeUnit"], "ms");
        assert_eq!(t["metadata"]["origin_ms"], 1000.5);
        let events = t["traceEvents"].as_array().unwrap();
        let threads: Vec<_> = events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
            .map(|e| {
                (
                    e["tid"].as_u64().unwrap(),
                    e["args"]["name"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(threads, [(1, "actions"), (2, "console"), (3, "network")]);
        assert!(events.iter().any(|e| e["name"] == "process_name"));
        let ts: Vec<f64> = events.iter().map(|e| e["ts"].as_f64().unwrap()).collect();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{ts:?}");
    }

    #[test]
    fn spans_and_timed_requests_are_complete_events_the_rest_instants() {
        let t = trace();
        let events: Vec<&Value> = t["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["ph"] != "M")
            .collect();
        let click = events[0];
        assert_eq!(
            (&click["name"], &click["ph"], &click["tid"]),
            (&json!("WR_click"), &json!("X"), &json!(ACTIONS_TID))
        );
        assert_eq!(
            (click["ts"].as_f64(), click["dur"].as_f64()),
            (Some(0.0), Some(249_500.0))
        );
        assert_eq!(click["args"]["flow"], "f");
        let get = events[1];
        assert_eq!(
            (&get["ph"], &get["tid"]),
            (&json!("X"), &json!(NETWORK_TID))
        );
        assert_eq!(
            (get["ts"].as_f64(), get["dur"].as_f64()),
            (Some(500.0), Some(12_250.0))
        );
        assert_eq!(get["name"], "GET 200 http://a/");
        let log = events[2];
        assert_eq!((&log["ph"], &log["s"]), (&json!("i"), &json!("t")));
        assert_eq!(log["tid"], CONSOLE_TID);
        let name = log["name"].as_str().unwrap();
        assert!(
            name.starts_with("error: xxx") && name.ends_with('…'),
            "{name}"
        );
        assert_eq!(name.chars().count(), NAME_CHARS + 1);
        let untimed = events[3];
        assert_eq!(
            (&untimed["ph"], untimed["dur"].is_null()),
            (&json!("i"), true)
        );
        assert_eq!(untimed["name"], "GET ? http://b/");
        let open = events[4];
        assert_eq!(
            (&open["ph"], &open["tid"]),
            (&json!("i"), &json!(ACTIONS_TID))
        );
        assert_eq!(events.len(), 5, "span.end events are not drawn twice");
    }

    #[test]
    fn an_empty_timeline_gives_only_the_tracks() {
        let t = serde_json::to_value(chrome_trace(&[])).unwrap();
        assert!(t["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["ph"] == "M"));
        assert_eq!(t["metadata"]["origin_ms"], 0.0);
    }
}

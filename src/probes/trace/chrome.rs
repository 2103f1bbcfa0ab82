//! Chromium's performance trace of a flow (CDP `Tracing`, returned as a stream and read with
//! `IO.read`), with the flow's actions added as `blink.user_timing` measures so that the
//! Performance panel of Chrome DevTools shows them in its Timings track.

use std::time::Duration;

use base64::Engine as _;
use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::browser::{now_ms, BrowserError, Session};

/// The categories of DevTools' Performance panel that show events, script, layout and
/// paint, network and page marks. Left out as the costliest (measured: the browser loop ran
/// at half speed with them): the per-task detail (`disabled-by-default-devtools.timeline`),
/// V8's per-call events, per-frame and input latency, the CPU sampler and screenshots (the
/// filmstrip has them).
const CATEGORIES: &[&str] = &[
    "-*",
    "devtools.timeline",
    "blink.console",
    "blink.user_timing",
    "loading",
    "__metadata",
];

/// Longest wait for Chromium to hand over its trace.
const COMPLETE_LIMIT: Duration = Duration::from_secs(30);
/// Bytes asked for per `IO.read`.
const CHUNK: u32 = 4 << 20;

/// An action of the flow, shown as a measure.
#[derive(Debug, Clone)]
pub(super) struct Measure {
    pub name: String,
    pub start_ms: f64,
    pub end_ms: f64,
    pub failed: bool,
}

/// A performance trace being recorded.
#[derive(Debug)]
pub(super) struct ChromeTrace {
    /// The clock-sync marker's id and the wall time (ms) it was sent at.
    sync: (String, f64),
    /// Wall time (ms) when tracing had started.
    started_ms: f64,
    /// The traced tab's main frame (its target id), whose renderer gets the measures.
    frame: String,
}

impl ChromeTrace {
    /// Starts tracing through `session`.
    pub(super) async fn start(session: &Session) -> Result<ChromeTrace, BrowserError> {
        session
            .cdp(
                "Tracing.start",
                json!({
                    "transferMode": "ReturnAsStream",
                    "traceConfig": {
                        "recordMode": "recordAsMuchAsPossible",
                        "includedCategories": CATEGORIES,
                    },
                }),
            )
            .await?;
        let started_ms = now_ms();
        let id = format!("webrunner-{}", started_ms as u64);
        let before = now_ms();
        let sent = session
            .cdp("Tracing.recordClockSyncMarker", json!({ "syncId": id }))
            .await;
        let sync = (id, (before + now_ms()) / 2.0);
        if let Err(e) = sent {
            tracing::debug!("no clock-sync marker in the trace: {e}");
        }
        let frame = session.page().target_id().inner().clone();
        Ok(ChromeTrace {
            sync,
            started_ms,
            frame,
        })
    }

    /// Ends tracing, reads the trace and returns it as trace-event JSON with `measures`.
    pub(super) async fn stop(
        self,
        session: Option<&Session>,
        measures: &[Measure],
    ) -> Result<Vec<u8>, BrowserError> {
        let session = session.ok_or_else(|| BrowserError::Invalid("no tab to read from".into()))?;
        let handle = session.end_tracing(COMPLETE_LIMIT).await?;
        let mut raw = Vec::new();
        loop {
            let chunk = session
                .cdp("IO.read", json!({ "handle": handle, "size": CHUNK }))
                .await?;
            let data = chunk["data"].as_str().unwrap_or_default();
            if chunk["base64Encoded"].as_bool() == Some(true) {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|e| BrowserError::Cdp(format!("IO.read gave bad base64: {e}")))?;
                raw.extend_from_slice(&bytes);
            } else {
                raw.extend_from_slice(data.as_bytes());
            }
            if chunk["eof"].as_bool() != Some(false) {
                break;
            }
        }
        let _ = session.cdp("IO.close", json!({ "handle": handle })).await;
        self.with_measures(&raw, measures)
    }

    /// `raw` (a trace-event array or object) with `measures` added. The events are kept
    /// as the text they came as; only the few fields the measures need are read.
    fn with_measures(&self, raw: &[u8], measures: &[Measure]) -> Result<Vec<u8>, BrowserError> {
        let bad = |e: serde_json::Error| BrowserError::Cdp(format!("the trace is not JSON: {e}"));
        let is_array = raw.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        let (events, metadata): (Vec<&RawValue>, Option<&RawValue>) = if is_array {
            (serde_json::from_slice(raw).map_err(bad)?, None)
        } else {
            let top: TraceText = serde_json::from_slice(raw).map_err(bad)?;
            (top.events, top.metadata)
        };
        let lite: Vec<Lite> = events
            .iter()
            .map(|e| serde_json::from_str(e.get()).unwrap_or_default())
            .collect();
        let added = measure_events(&lite, measures, &self.sync, self.started_ms, &self.frame);
        let mut out = Vec::with_capacity(raw.len() + added.len() * 200);
        out.extend_from_slice(b"{\"traceEvents\":[");
        let texts = events.iter().map(|e| e.get().to_string());
        let ours = added.iter().map(Value::to_string);
        for (n, text) in texts.chain(ours).enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(text.as_bytes());
        }
        out.push(b']');
        if let Some(m) = metadata {
            out.extend_from_slice(b",\"metadata\":");
            out.extend_from_slice(m.get().as_bytes());
        }
        out.push(b'}');
        Ok(out)
    }
}

/// A trace as Chromium streams it: its events and metadata, as text.
#[derive(Deserialize)]
struct TraceText<'a> {
    #[serde(rename = "traceEvents", borrow)]
    events: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
}

/// The fields of a trace event the measures need.
#[derive(Deserialize, Default, Debug)]
pub(super) struct Lite<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ph: Option<Cow<'a, str>>,
    #[serde(default)]
    pid: Option<i64>,
    #[serde(default)]
    tid: Option<i64>,
    #[serde(default)]
    ts: Option<f64>,
    #[serde(borrow, default)]
    args: Option<LiteArgs<'a>>,
}

/// The arguments of a trace event the measures need.
#[derive(Deserialize, Default, Debug)]
struct LiteArgs<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sync_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    frame: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<LiteData<'a>>,
}

/// `args.data.frame` of a trace event.
#[derive(Deserialize, Default, Debug)]
struct LiteData<'a> {
    #[serde(borrow, default)]
    frame: Option<Cow<'a, str>>,
}

impl Lite<'_> {
    fn is(&self, ph: &str, name: &str) -> bool {
        self.ph.as_deref() == Some(ph) && self.name.as_deref() == Some(name)
    }
    fn arg<'s>(&'s self, pick: impl Fn(&'s LiteArgs) -> Option<&'s str>) -> Option<&'s str> {
        self.args.as_ref().and_then(pick)
    }
}

/// The `blink.user_timing` begin/end pairs of `measures`, on the main thread of `frame`'s
/// renderer and the trace's clock (found from the clock-sync marker, else from the start
/// of tracing).
pub(super) fn measure_events(
    events: &[Lite],
    measures: &[Measure],
    sync: &(String, f64),
    started_ms: f64,
    frame: &str,
) -> Vec<Value> {
    let marker = events.iter().find(|e| {
        e.name.as_deref() == Some("clock_sync")
            && e.arg(|a| a.sync_id.as_deref()) == Some(sync.0.as_str())
    });
    let (base_ts, base_ms) = match marker.and_then(|e| e.ts) {
        Some(ts) => (ts, sync.1),
        None => {
            let first = events
                .iter()
                .filter(|e| e.ph.as_deref() != Some("M"))
                .filter_map(|e| e.ts)
                .filter(|ts| *ts > 0.0)
                .fold(f64::INFINITY, f64::min);
            (if first.is_finite() { first } else { 0.0 }, started_ms)
        }
    };
    let renderer = events
        .iter()
        .find(|e| {
            e.arg(|a| a.frame.as_deref()) == Some(frame)
                || e.arg(|a| a.data.as_ref()?.frame.as_deref()) == Some(frame)
        })
        .and_then(|e| e.pid);
    let main_thread = |e: &&Lite| {
        e.is("M", "thread_name") && e.arg(|a| a.name.as_deref()) == Some("CrRendererMain")
    };
    let main = events
        .iter()
        .filter(main_thread)
        .find(|e| renderer.is_some() && e.pid == renderer)
        .or_else(|| events.iter().find(main_thread));
    let (pid, tid) = main
        .map(|e| (e.pid.unwrap_or(1), e.tid.unwrap_or(1)))
        .unwrap_or((1, 1));
    let ts = |ms: f64| base_ts + (ms - base_ms) * 1000.0;
    let mut out = Vec::with_capacity(measures.len() * 2);
    for (n, m) in measures.iter().enumerate() {
        let id = format!("0x{:x}", 0x7eb0_0000_u64 + n as u64);
        let detail = json!({ "webrunner": { "failed": m.failed } }).to_string();
        for (ph, at) in [("b", m.start_ms), ("e", m.end_ms.max(m.start_ms))] {
            out.push(json!({
                "cat": "blink.user_timing", "name": m.name, "ph": ph, "id2": { "local": id },
                "pid": pid, "tid": tid, "ts": ts(at),
                "args": if ph == "b" { json!({ "detail": detail }) } else { json!({}) },
            }));
        }
    }
    out
}

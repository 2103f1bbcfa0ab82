//! The trace recorder (SPEC §8): one zip per flow in Playwright's trace format, so that
//! Playwright's own trace viewer (`playwright show-trace`, `playwright trace …`) opens it —
//! every action with its title, parameters, time and error; the page's console messages,
//! uncaught exceptions and requests (from the run's evidence capture); a screencast of the
//! page; the flow file as the source; and the Chromium performance trace of the flow
//! (`chrome-trace.json`) with the actions as `blink.user_timing` measures.
//!
//! Chromium records one performance trace at a time: a trace started while another one runs
//! in the same browser goes without it, and its `notes.txt` says so.
//!
//! The zip is written in trace format version 8 ([`FORMAT_VERSION`]): the version whose
//! actions carry their own title and whose files are named by `resources/<name>`. Viewers
//! since that version read it as it is; newer ones (version 10 today) upgrade it as they load.

mod chrome;
mod screencast;
mod zip_out;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use webrunner_record::{Record, Status};

use crate::browser::{now_ms, Session};
use chrome::{ChromeTrace, Measure};
use screencast::Screencast;

/// The Playwright trace format version written (see the module documentation).
pub const FORMAT_VERSION: u32 = 8;

/// Why a trace could not be started or written.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// `start` was given an empty name.
    #[error("a trace needs a name (got an empty one)")]
    EmptyName,
    /// `start` while a trace was running.
    #[error("trace {0:?} is already running; stop it first")]
    AlreadyRunning(String),
    /// `stop` without a running trace.
    #[error("no trace is running")]
    NotRunning,
    /// The zip could not be written.
    #[error("cannot write trace {path}: {message}")]
    Write {
        /// The zip.
        path: PathBuf,
        /// The cause.
        message: String,
    },
}

/// Records traces; see the module documentation.
#[derive(Debug)]
pub struct TraceRecorder {
    /// Where `<name>.zip` is written (`trace-out` unless set).
    pub output_dir: PathBuf,
    /// Film the page (a JPEG of the viewport a few times a second, when it changed).
    pub screenshots: bool,
    /// Keep the page's DOM at a failed action and at the end of the trace.
    pub snapshots: bool,
    /// Include the flow file, each action pointing at its line.
    pub sources: bool,
    /// Record Chromium's performance trace (`chrome-trace.json`).
    pub performance: bool,
    running: Option<Running>,
    written: Vec<PathBuf>,
}

impl Default for TraceRecorder {
    fn default() -> Self {
        TraceRecorder::new("trace-out")
    }
}

/// A trace being recorded.
#[derive(Debug)]
struct Running {
    name: String,
    path: PathBuf,
    /// Wall-clock ms at the start; trace times are ms since then plus [`MONO_ORIGIN`].
    wall0: f64,
    page_id: String,
    events: Vec<Value>,
    calls: HashMap<usize, (String, f64, String)>,
    measures: Vec<Measure>,
    resources: Vec<(String, Vec<u8>)>,
    source: Option<(String, String)>,
    stacks: Vec<(String, usize)>,
    lines: Vec<usize>,
    last_call: Option<String>,
    notes: Vec<String>,
    screencast: Option<Screencast>,
    chrome: Option<ChromeTrace>,
}

/// Where trace times start (ms): any positive origin works; the viewers show times relative
/// to the first event.
const MONO_ORIGIN: f64 = 1000.0;

impl Running {
    fn mono(&self, wall_ms: f64) -> f64 {
        wall_ms - self.wall0 + MONO_ORIGIN
    }
}

impl TraceRecorder {
    /// A recorder writing into `output_dir`, with screencast, snapshots, sources and the
    /// performance trace on.
    pub fn new(output_dir: impl Into<PathBuf>) -> TraceRecorder {
        TraceRecorder {
            output_dir: output_dir.into(),
            screenshots: true,
            snapshots: true,
            sources: true,
            performance: true,
            running: None,
            written: Vec::new(),
        }
    }

    /// Starts trace `name` on `session`'s tab. What the browser cannot give (a screencast
    /// of a tab that died, …) is left out and noted in the trace; only an empty name or a
    /// trace already running is an error.
    pub async fn start(&mut self, session: &Session, name: &str) -> Result<(), TraceError> {
        self.open(Some(session), name).await
    }

    /// [`TraceRecorder::start`], also without a tab (when the browser could not start, the
    /// trace still shows the actions and their errors).
    pub async fn open(&mut self, session: Option<&Session>, name: &str) -> Result<(), TraceError> {
        if name.trim().is_empty() {
            return Err(TraceError::EmptyName);
        }
        if let Some(r) = &self.running {
            return Err(TraceError::AlreadyRunning(r.name.clone()));
        }
        let wall0 = now_ms();
        let mut notes = Vec::new();
        let (mut chrome, mut screencast) = (None, None);
        if let Some(session) = session {
            if self.performance {
                chrome = ChromeTrace::start(session)
                    .await
                    .map_err(|e| notes.push(format!("no performance trace: {e}")))
                    .ok();
            }
            if self.screenshots {
                screencast = Screencast::start(session)
                    .await
                    .map_err(|e| notes.push(format!("no screencast: {e}")))
                    .ok();
            }
        } else {
            notes.push("no browser tab: actions only".to_string());
        }
        let page_id = session.map(page_id).unwrap_or_else(|| "page@none".into());
        let context = json!({
            "version": FORMAT_VERSION,
            "type": "context-options",
            "origin": "library",
            "browserName": "chromium",
            "playwrightVersion": concat!("webrunner ", env!("CARGO_PKG_VERSION")),
            "title": name,
            "options": {"viewport": {"width": 1280, "height": 720}},
            "platform": std::env::consts::OS,
            "wallTime": wall0,
            "monotonicTime": MONO_ORIGIN,
            "sdkLanguage": "javascript",
            "testIdAttributeName": "data-testid",
            "contextId": format!("context@{page_id}"),
        });
        self.running = Some(Running {
            name: name.to_string(),
            path: self.zip_path(name),
            wall0,
            page_id,
            events: vec![context],
            calls: HashMap::new(),
            measures: Vec::new(),
            resources: Vec::new(),
            source: None,
            stacks: Vec::new(),
            lines: Vec::new(),
            last_call: None,
            notes,
            screencast,
            chrome,
        });
        Ok(())
    }

    /// Where the running trace will be written.
    pub fn path(&self) -> Option<&Path> {
        self.running.as_ref().map(|r| r.path.as_path())
    }

    /// Whether a trace is being recorded.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The flow file the actions come from (`lines`: each action's 1-based line), shown as
    /// the source of each action.
    pub fn set_source(&mut self, path: &Path, lines: &[usize]) {
        let Some(r) = self.running.as_mut().filter(|_| self.sources) else {
            return;
        };
        if let Ok(text) = std::fs::read_to_string(path) {
            r.source = Some((path.display().to_string(), text));
            r.lines = lines.to_vec();
        }
    }

    /// Action `index` (`command` with `args` and `kwargs`) starts now.
    pub fn action_started(
        &mut self,
        index: usize,
        command: &str,
        args: &[Value],
        kwargs: &Map<String, Value>,
    ) {
        let Some(r) = self.running.as_mut() else {
            return;
        };
        let call = format!("call@{}", index + 1);
        let start = now_ms();
        let mut params = kwargs.clone();
        if !args.is_empty() {
            params.insert("args".into(), Value::Array(args.to_vec()));
        }
        let subtitle = subtitle(args, kwargs);
        let mut before = json!({
            "type": "before",
            "callId": call,
            "stepId": call,
            "startTime": r.mono(start),
            "class": "WebRunner",
            "method": command,
            "title": command,
            "params": params,
            "pageId": r.page_id,
        });
        if !subtitle.is_empty() {
            before["subtitle"] = json!(subtitle);
        }
        r.events.push(before);
        if let Some(line) = r.lines.get(index) {
            r.stacks.push((call.clone(), *line));
        }
        r.calls.insert(index, (call, start, command.to_string()));
    }

    /// Action `record.index` ended with `record` (its error, result and failure files).
    pub fn action_finished(&mut self, record: &Record) {
        let Some(r) = self.running.as_mut() else {
            return;
        };
        let Some((call, start, command)) = r.calls.remove(&record.index) else {
            return;
        };
        let end = now_ms();
        let mut after = json!({"type": "after", "callId": call, "endTime": r.mono(end)});
        if record.status == Status::Passed {
            if !record.result.is_null() {
                after["result"] = json!({ "value": record.result });
            }
        } else {
            let message = record
                .error
                .clone()
                .unwrap_or_else(|| format!("{:?}", record.status));
            after["error"] = json!({"message": message, "name": "Error"});
        }
        let mut attachments = Vec::new();
        let files = [
            (&record.artifacts.screenshot, "screenshot", "image/png"),
            (&record.artifacts.dom, "dom", "text/html"),
        ];
        for (path, label, mime) in files {
            let Some(path) = path else { continue };
            if label == "dom" && !self.snapshots {
                continue;
            }
            if let Ok(bytes) = std::fs::read(path) {
                let file = format!("{call}-{label}{}", extension(path));
                attachments.push(json!({"name": label, "contentType": mime, "sha1": file}));
                r.resources.push((file, bytes));
            }
        }
        if !attachments.is_empty() {
            after["attachments"] = Value::Array(attachments);
        }
        r.events.push(after);
        r.measures.push(Measure {
            name: format!("#{} {command}", record.index),
            start_ms: start,
            end_ms: end,
            failed: record.status != Status::Passed,
        });
        r.last_call = Some(call);
    }

    /// Ends the trace and writes `<output_dir>/<name>.zip` with what `sessions` (the traced
    /// tabs, the first one first) captured — also when the flow failed or the browser died.
    /// Returns the zip's path.
    pub async fn stop(&mut self, sessions: &[Session]) -> Result<PathBuf, TraceError> {
        let mut r = self.running.take().ok_or(TraceError::NotRunning)?;
        if let Some(sc) = r.screencast.take() {
            for frame in sc.stop().await {
                let name = format!("{}-{}.jpeg", r.page_id, frame.wall_ms as u64);
                r.events.push(json!({
                    "type": "screencast-frame",
                    "pageId": r.page_id,
                    "sha1": name,
                    "width": frame.width,
                    "height": frame.height,
                    "timestamp": r.mono(frame.wall_ms),
                    "frameSwapWallTime": frame.wall_ms,
                }));
                r.resources.push((name, frame.jpeg));
            }
        }
        let mut network = Vec::new();
        for session in sessions {
            page_events(&mut r, session, &mut network).await;
        }
        let chrome = match r.chrome.take() {
            Some(c) => match c.stop(sessions.first(), &r.measures).await {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    r.notes.push(format!("no performance trace: {e}"));
                    None
                }
            },
            None => None,
        };
        let path = r.path.clone();
        zip_out::write(&path, r, network, chrome).map_err(|message| TraceError::Write {
            path: path.clone(),
            message,
        })?;
        self.written.push(path.clone());
        Ok(path)
    }

    /// The zips written so far, in order.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    /// Forgets the last zip written and deletes it (a passing flow under
    /// `retain-on-failure`).
    pub fn discard_last(&mut self) {
        if let Some(path) = self.written.pop() {
            let _ = std::fs::remove_file(path);
        }
    }

    /// `<output_dir>/<name>.zip`, with a `-N` suffix when taken.
    pub fn zip_path(&self, name: &str) -> PathBuf {
        let base = crate::failure::file_part(name);
        let mut path = self.output_dir.join(format!("{base}.zip"));
        let mut n = 1;
        while path.exists() || self.written.contains(&path) {
            path = self.output_dir.join(format!("{base}-{n}.zip"));
            n += 1;
        }
        path
    }
}

/// The console messages, exceptions and requests of `session`'s tab, as trace events.
async fn page_events(r: &mut Running, session: &Session, network: &mut Vec<Value>) {
    let page = page_id(session);
    let har = session.har(None).await;
    for entry in har.log.entries {
        let Ok(mut snapshot) = serde_json::to_value(&entry) else {
            continue;
        };
        let started = time::OffsetDateTime::parse(
            &entry.started_date_time,
            &time::format_description::well_known::Rfc3339,
        )
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as f64)
        .unwrap_or(r.wall0);
        snapshot["pageref"] = json!(page);
        snapshot["_monotonicTime"] = json!(r.mono(started));
        network.push(json!({"type": "resource-snapshot", "snapshot": snapshot}));
    }
    for c in session.console_messages() {
        let time = r.mono(c.timestamp_ms);
        if c.source == "exception" {
            r.events.push(json!({
                "type": "event", "time": time, "class": "BrowserContext", "method": "pageError",
                "pageId": page,
                "params": {"error": {"error": {
                    "message": c.text, "name": "Error", "stack": c.stack.clone().unwrap_or_default()
                }}},
            }));
            continue;
        }
        let level = match c.level.as_str() {
            "verbose" => "debug",
            "warn" => "warning",
            other => other,
        };
        r.events.push(json!({
            "type": "console", "messageType": level, "text": c.text, "args": [],
            "location": {
                "url": c.url.clone().unwrap_or_default(),
                "lineNumber": c.line.unwrap_or(0),
                "columnNumber": c.column.unwrap_or(0),
            },
            "time": time, "pageId": page,
        }));
    }
}

/// The trace's name for `session`'s tab.
fn page_id(session: &Session) -> String {
    format!("page@{}", session.page().target_id().inner())
}

/// A short line under an action's title: its arguments as `key=value`. Braces are left
/// out, as the viewer reads `{name}` as a placeholder.
fn subtitle(args: &[Value], kwargs: &Map<String, Value>) -> String {
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut parts: Vec<String> = args.iter().map(show).collect();
    parts.extend(kwargs.iter().map(|(k, v)| format!("{k}={}", show(v))));
    let mut text: String = parts
        .join(" ")
        .chars()
        .map(|c| match c {
            '{' => '(',
            '}' => ')',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect();
    if text.chars().count() > 120 {
        text = text.chars().take(119).collect::<String>() + "…";
    }
    text
}

/// `.png`, `.html`, … of `path` (empty when it has none).
fn extension(path: &str) -> String {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| format!(".{e}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;

//! Alerts and where they go: the transition alert, the [`AlertSink`] trait, a JSON line on
//! stdout, an append-only alerts file (one JSON object per line), the event bus (topic
//! `synthetic.transition`) and a fan-out over several sinks. The webhook sink lives in
//! `webhook.rs`.

use std::fs::File;
use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use super::state::CheckStatus;

/// The `event` of every transition alert.
pub const TRANSITION_EVENT: &str = "synthetic.transition";

/// What a sink receives when a check changes status (or is red on its first evaluation):
/// `{event: "synthetic.transition", check, previous, current, error, duration_seconds}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Always [`TRANSITION_EVENT`].
    pub event: String,
    /// The check's name.
    pub check: String,
    /// The status before; `null` on the check's first evaluation.
    pub previous: Option<CheckStatus>,
    /// The status now.
    pub current: CheckStatus,
    /// The error of the run that caused the change; `null` when it passed.
    pub error: Option<String>,
    /// How long that run took.
    pub duration_seconds: f64,
}

/// Why an alert did not reach a sink.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// The alert could not be turned into JSON.
    #[error("cannot encode the alert as JSON: {0}")]
    Encode(String),
    /// The alerts file could not be opened.
    #[error("cannot open alerts file {path}: {message}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Writing the alert failed.
    #[error("cannot write the alert to {target}: {message}")]
    Write {
        /// `stdout` or the file's path.
        target: String,
        /// Why.
        message: String,
    },
    /// The webhook URL is not usable.
    #[error("webhook URL {url:?}: {message}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The webhook did not accept the alert.
    #[error("webhook {url}: {message} (gave up after {attempts} attempt(s))")]
    Webhook {
        /// The URL.
        url: String,
        /// Tries made.
        attempts: u32,
        /// The last try's failure.
        message: String,
    },
    /// The event bus refused the alert.
    #[error("{0}")]
    Bus(#[from] webrunner_bus::EventBusError),
    /// Several sinks failed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Several(Vec<AlertError>),
}

/// The future a sink returns for one alert.
pub type AlertFuture<'a> = Pin<Box<dyn Future<Output = Result<(), AlertError>> + Send + 'a>>;

/// Somewhere alerts go. A sink that fails reports it; the monitor logs the failure and goes
/// on. Any `Fn(&Alert) + Send + Sync` closure is a sink that cannot fail.
pub trait AlertSink: Send + Sync {
    /// Delivers one alert.
    fn send<'a>(&'a self, alert: &'a Alert) -> AlertFuture<'a>;
}

impl<F> AlertSink for F
where
    F: Fn(&Alert) + Send + Sync,
{
    fn send<'a>(&'a self, alert: &'a Alert) -> AlertFuture<'a> {
        self(alert);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// One JSON line per alert, newline included, in a single buffer.
pub fn alert_line(alert: &Alert) -> Result<Vec<u8>, AlertError> {
    let mut line = serde_json::to_vec(alert).map_err(|e| AlertError::Encode(e.to_string()))?;
    line.push(b'\n');
    Ok(line)
}

/// Prints each alert as one JSON line on stdout.
#[derive(Debug, Default, Clone, Copy)]
pub struct StdoutSink;

impl AlertSink for StdoutSink {
    fn send<'a>(&'a self, alert: &'a Alert) -> AlertFuture<'a> {
        let outcome = alert_line(alert).and_then(|line| {
            let mut out = std::io::stdout().lock();
            out.write_all(&line)
                .and_then(|()| out.flush())
                .map_err(|e| AlertError::Write {
                    target: "stdout".into(),
                    message: e.to_string(),
                })
        });
        Box::pin(std::future::ready(outcome))
    }
}

/// Appends each alert as one JSON line to a file, with a single append write per alert, so
/// several writers never interleave within a line.
#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    file: File,
}

impl FileSink {
    /// Opens `path` for appending, creating it if missing. Fails when it cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<FileSink, AlertError> {
        let path = path.as_ref().to_path_buf();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| AlertError::Open {
                path: path.clone(),
                message: e.to_string(),
            })?;
        Ok(FileSink { path, file })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl AlertSink for FileSink {
    fn send<'a>(&'a self, alert: &'a Alert) -> AlertFuture<'a> {
        let outcome = alert_line(alert).and_then(|line| {
            (&self.file)
                .write_all(&line)
                .map_err(|e| AlertError::Write {
                    target: self.path.display().to_string(),
                    message: e.to_string(),
                })
        });
        Box::pin(std::future::ready(outcome))
    }
}

/// Publishes each alert on an event bus (a file shared with Python WebRunner processes, or a
/// Redis stream), topic `synthetic.transition`, the alert as the payload.
pub struct BusSink {
    bus: Box<dyn webrunner_bus::Bus>,
}

impl BusSink {
    /// A sink publishing on `bus` (from [`webrunner_bus::open_bus`]).
    pub fn new(bus: Box<dyn webrunner_bus::Bus>) -> BusSink {
        BusSink { bus }
    }
}

impl AlertSink for BusSink {
    fn send<'a>(&'a self, alert: &'a Alert) -> AlertFuture<'a> {
        let outcome = match serde_json::to_value(alert) {
            Ok(serde_json::Value::Object(payload)) => self
                .bus
                .publish(TRANSITION_EVENT, payload)
                .map(drop)
                .map_err(AlertError::from),
            Ok(_) => Err(AlertError::Encode("not an object".into())),
            Err(e) => Err(AlertError::Encode(e.to_string())),
        };
        Box::pin(std::future::ready(outcome))
    }
}

/// Sends every alert to each of several sinks in turn; a failing sink does not keep the
/// alert from the others.
#[derive(Default)]
pub struct AlertSinks {
    sinks: Vec<Box<dyn AlertSink>>,
}

impl std::fmt::Debug for AlertSinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertSinks")
            .field("sinks", &self.sinks.len())
            .finish()
    }
}

impl AlertSinks {
    /// No sinks yet.
    pub fn new() -> AlertSinks {
        AlertSinks::default()
    }

    /// Adds a sink.
    pub fn push(&mut self, sink: impl AlertSink + 'static) {
        self.sinks.push(Box::new(sink));
    }

    /// Adds a sink, builder style.
    pub fn with(mut self, sink: impl AlertSink + 'static) -> AlertSinks {
        self.push(sink);
        self
    }

    /// How many sinks.
    pub fn len(&self) -> usize {
        self.sinks.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }
}

impl AlertSink for AlertSinks {
    /// Fails with the failing sinks' errors (one, or [`AlertError::Several`]).
    fn send<'a>(&'a self, alert: &'a Alert) -> AlertFuture<'a> {
        Box::pin(async move {
            let mut errors = Vec::new();
            for sink in &self.sinks {
                if let Err(e) = sink.send(alert).await {
                    errors.push(e);
                }
            }
            match errors.len() {
                0 => Ok(()),
                1 => Err(errors.remove(0)),
                _ => Err(AlertError::Several(errors)),
            }
        })
    }
}

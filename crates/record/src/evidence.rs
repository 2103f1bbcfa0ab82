//! What the page said and fetched, tied to the action that was running: console messages
//! (with uncaught exceptions and browser log entries) and network requests. A record holds
//! the items of its own action; `console.json` and `network.json` of a run folder hold every
//! item of the run, each with its flow.

use serde::{Deserialize, Serialize};

/// One console message, uncaught exception or browser log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleEntry {
    /// `log`, `debug`, `info`, `warning` or `error` (an uncaught exception is an `error`;
    /// other `console` methods keep their name, e.g. `table`, `assert`).
    pub level: String,
    /// The text: the arguments joined by spaces, or the exception's first line.
    pub text: String,
    /// Where it came from: `console`, `exception` or `browser` (a log entry such as a failed
    /// load).
    #[serde(default = "console_source")]
    pub source: String,
    /// The script or resource it came from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its line (0-based, as the browser gives it), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
    /// Its column (0-based), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<i64>,
    /// An uncaught exception's stack (its whole description), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// When it was logged, in milliseconds since the Unix epoch.
    pub timestamp_ms: f64,
    /// The index of the action that was running, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<usize>,
}

fn console_source() -> String {
    "console".into()
}

/// One network request and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkEntry {
    /// The request's method.
    pub method: String,
    /// The URL requested.
    pub url: String,
    /// The HTTP status, once a response arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// The response's MIME type, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// What kind of resource (`Document`, `Fetch`, `Script`, …), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// When the request was sent, in milliseconds since the Unix epoch.
    pub timestamp_ms: f64,
    /// From sending to the last byte (or the failure), in milliseconds, once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// Bytes received over the network (headers and body), once it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<f64>,
    /// Why it failed (`net::ERR_…`, blocked, cancelled), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// The index of the action that was running when the request was sent, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<usize>,
}

impl NetworkEntry {
    /// Whether it failed: no response (a network error) or an HTTP status of 400 or more.
    pub fn failed(&self) -> bool {
        self.failure.is_some() || self.status.is_some_and(|s| s >= 400)
    }

    /// Whether it has ended (answered in full, or failed).
    pub fn ended(&self) -> bool {
        self.duration_ms.is_some() || self.failure.is_some()
    }
}

/// What a flow's pages said and fetched, in the order it happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Console messages, exceptions and browser log entries.
    #[serde(default)]
    pub console: Vec<ConsoleEntry>,
    /// Network requests.
    #[serde(default)]
    pub network: Vec<NetworkEntry>,
}

impl Evidence {
    /// True when nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.console.is_empty() && self.network.is_empty()
    }

    /// The console and network lists.
    pub fn into_parts(self) -> (Vec<ConsoleEntry>, Vec<NetworkEntry>) {
        (self.console, self.network)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(status: Option<i64>, failure: Option<&str>) -> NetworkEntry {
        NetworkEntry {
            method: "GET".into(),
            url: "http://x/".into(),
            status,
            mime_type: None,
            resource_type: None,
            timestamp_ms: 1.0,
            duration_ms: None,
            size: None,
            failure: failure.map(str::to_string),
            action: Some(1),
        }
    }

    #[test]
    fn a_request_failed_on_a_network_error_or_a_status_of_400_or_more() {
        assert!(!request(Some(200), None).failed());
        assert!(!request(Some(304), None).failed());
        assert!(request(Some(404), None).failed());
        assert!(request(Some(500), None).failed());
        assert!(request(None, Some("net::ERR_FAILED")).failed());
        assert!(!request(None, None).failed());
    }

    #[test]
    fn console_entries_read_without_source_default_to_console() {
        let c: ConsoleEntry =
            serde_json::from_str(r#"{"level":"log","text":"hi","timestamp_ms":1}"#).unwrap();
        assert_eq!(c.source, "console");
        assert_eq!(c.action, None);
    }
}

/// One Content-Security-Policy violation the page reported (or, with `disposition`
/// `report`, would have had blocked under a `Content-Security-Policy-Report-Only` policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CspViolation {
    /// The directive that was violated, as the browser names it (e.g. `script-src-elem`).
    pub violated_directive: String,
    /// What was blocked: a URL, or `inline`, `eval`, `wasm-eval`, `trusted-types-sink`, ….
    #[serde(default)]
    pub blocked_uri: String,
    /// The script or document where it happened, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    /// Its line (1-based), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_number: Option<i64>,
    /// The first characters of the blocked script or style, when the policy asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    /// `enforce` (blocked) or `report` (a report-only policy: only reported).
    #[serde(default = "enforce")]
    pub disposition: String,
    /// When it happened, in milliseconds since the Unix epoch, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<f64>,
    /// The index of the action that was running, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<usize>,
}

fn enforce() -> String {
    "enforce".into()
}

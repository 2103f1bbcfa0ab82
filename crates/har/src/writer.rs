//! HAR 1.2 document types and writing them to a file.
//!
//! The types follow the HAR 1.2 specification field by field (camelCase names, `redirectURL`,
//! `serverIPAddress`); required fields are plain fields, optional ones are `Option`s that are
//! left out when `None`. Unknown-value numbers use HAR's `-1`.
//!
//! ```
//! use webrunner_har::writer::{Creator, Entry, Har, Log, Request, Response};
//! let mut log = Log::new(Creator::new("webrunner", "0.1.0"));
//! let mut entry = Entry::new(
//!     "2024-05-01T10:00:00.000Z",
//!     Request::new("GET", "https://example.com/", "HTTP/1.1"),
//!     Response::new(200, "OK", "HTTP/1.1", "text/html"),
//! );
//! entry.timings.wait = 12.5;
//! entry.time = entry.timings.total_ms();
//! log.entries.push(entry);
//! let text = serde_json::to_string(&Har { log }).unwrap();
//! assert!(text.contains("\"redirectURL\""));
//! ```

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The HAR version written by [`Log::new`].
pub const HAR_VERSION: &str = "1.2";

/// A HAR document: `{"log": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Har {
    /// The log.
    pub log: Log,
}

/// `log`: the root of the exported data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    /// Format version, `"1.2"`.
    pub version: String,
    /// The application that wrote the log.
    pub creator: Creator,
    /// The browser the traffic was recorded in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<Creator>,
    /// Pages (navigations); entries refer to them by `pageref`.
    #[serde(default)]
    pub pages: Vec<Page>,
    /// Every request, in the order it was started.
    pub entries: Vec<Entry>,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Log {
    /// An empty HAR 1.2 log written by `creator`.
    pub fn new(creator: Creator) -> Self {
        Log {
            version: HAR_VERSION.to_owned(),
            creator,
            browser: None,
            pages: Vec::new(),
            entries: Vec::new(),
            comment: None,
        }
    }
}

/// `creator` and `browser`: name and version of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creator {
    /// Application name.
    pub name: String,
    /// Application version.
    pub version: String,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Creator {
    /// A creator with `name` and `version`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Creator {
            name: name.into(),
            version: version.into(),
            comment: None,
        }
    }
}

/// `pages[]`: one page load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// Start of the page load, ISO 8601 (`2024-05-01T10:00:00.000Z`).
    pub started_date_time: String,
    /// Unique page id, referenced by `Entry::pageref`.
    pub id: String,
    /// Page title (or URL).
    pub title: String,
    /// Page load timings.
    pub page_timings: PageTimings,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `pageTimings`: milliseconds since the page load started; `-1` when unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageTimings {
    /// `DOMContentLoaded` time, ms.
    #[serde(default = "minus_one")]
    pub on_content_load: f64,
    /// `load` time, ms.
    #[serde(default = "minus_one")]
    pub on_load: f64,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Default for PageTimings {
    fn default() -> Self {
        PageTimings {
            on_content_load: -1.0,
            on_load: -1.0,
            comment: None,
        }
    }
}

/// `entries[]`: one HTTP request and its response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Id of the page this request belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pageref: Option<String>,
    /// Start of the request, ISO 8601.
    pub started_date_time: String,
    /// Total time in ms: the sum of the non-negative `timings` (see [`Timings::total_ms`]).
    pub time: f64,
    /// The request.
    pub request: Request,
    /// The response.
    pub response: Response,
    /// Cache use; may be empty.
    pub cache: Cache,
    /// Phase timings.
    pub timings: Timings,
    /// Server IP address.
    #[serde(
        rename = "serverIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub server_ip_address: Option<String>,
    /// Connection id (TCP/IP port or other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Entry {
    /// An entry with empty cache, zero timings and `time` 0.
    pub fn new(started_date_time: impl Into<String>, request: Request, response: Response) -> Self {
        Entry {
            pageref: None,
            started_date_time: started_date_time.into(),
            time: 0.0,
            request,
            response,
            cache: Cache::default(),
            timings: Timings::default(),
            server_ip_address: None,
            connection: None,
            comment: None,
        }
    }
}

/// `request`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// Method (`GET`, `POST`, …).
    pub method: String,
    /// Absolute URL, fragments removed.
    pub url: String,
    /// `HTTP/1.1`, `h2`, …
    pub http_version: String,
    /// Cookies sent.
    pub cookies: Vec<Cookie>,
    /// Headers sent.
    pub headers: Vec<Header>,
    /// Query parameters parsed from the URL.
    pub query_string: Vec<NameValue>,
    /// Posted data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    /// Bytes of the request headers; `-1` when unknown.
    pub headers_size: i64,
    /// Bytes of the request body; `-1` when unknown.
    pub body_size: i64,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Request {
    /// A request without cookies, headers, query or body; sizes unknown (`-1`).
    pub fn new(
        method: impl Into<String>,
        url: impl Into<String>,
        http_version: impl Into<String>,
    ) -> Self {
        Request {
            method: method.into(),
            url: url.into(),
            http_version: http_version.into(),
            cookies: Vec::new(),
            headers: Vec::new(),
            query_string: Vec::new(),
            post_data: None,
            headers_size: -1,
            body_size: -1,
            comment: None,
        }
    }
}

/// `response`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// Status code.
    pub status: i64,
    /// Status text.
    pub status_text: String,
    /// `HTTP/1.1`, `h2`, …
    pub http_version: String,
    /// Cookies received.
    pub cookies: Vec<Cookie>,
    /// Headers received.
    pub headers: Vec<Header>,
    /// The body's details (and the body itself when recorded).
    pub content: Content,
    /// The `Location` target of a redirect, else `""`.
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    /// Bytes of the response headers; `-1` when unknown.
    pub headers_size: i64,
    /// Bytes of the body as transferred; `-1` when unknown.
    pub body_size: i64,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Response {
    /// A response without cookies, headers or body text; sizes unknown (`-1`), content size 0.
    pub fn new(
        status: i64,
        status_text: impl Into<String>,
        http_version: impl Into<String>,
        mime_type: impl Into<String>,
    ) -> Self {
        Response {
            status,
            status_text: status_text.into(),
            http_version: http_version.into(),
            cookies: Vec::new(),
            headers: Vec::new(),
            content: Content {
                size: 0,
                compression: None,
                mime_type: mime_type.into(),
                text: None,
                encoding: None,
                comment: None,
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
            comment: None,
        }
    }
}

/// `cookies[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cookie {
    /// Cookie name.
    pub name: String,
    /// Cookie value.
    pub value: String,
    /// Path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Expiry, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `HttpOnly` flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_only: Option<bool>,
    /// `Secure` flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `headers[]`: one header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Header name as sent.
    pub name: String,
    /// Header value.
    pub value: String,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Header {
    /// A header `name: value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Header {
            name: name.into(),
            value: value.into(),
            comment: None,
        }
    }
}

/// `queryString[]`: one query parameter (same shape as a header).
pub type NameValue = Header;

/// `postData`: the request body. HAR 1.2 says `params` and `text` are mutually exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    /// Mime type of the body.
    pub mime_type: String,
    /// Posted parameters (URL-encoded or multipart forms).
    #[serde(default)]
    pub params: Vec<Param>,
    /// The body as text.
    #[serde(default)]
    pub text: String,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `params[]`: one posted parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Param {
    /// Parameter name.
    pub name: String,
    /// Value, or the content of a posted file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Name of a posted file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Content type of a posted file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `content`: the response body's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// Decoded body length in bytes.
    pub size: i64,
    /// Bytes saved by compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<i64>,
    /// `Content-Type` of the response (with charset when given).
    pub mime_type: String,
    /// The body (only when bodies are recorded); base64 when `encoding` says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `base64` when `text` is base64-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `cache`: cache state before and after the request; empty when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cache {
    /// The cache entry before the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_request: Option<CacheEntry>,
    /// The cache entry after the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_request: Option<CacheEntry>,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `beforeRequest` / `afterRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheEntry {
    /// Expiry, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Last access, ISO 8601.
    pub last_access: String,
    /// ETag.
    pub e_tag: String,
    /// Number of times the entry was used.
    pub hit_count: i64,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `timings`: milliseconds per phase; `-1` for a phase that does not apply.
/// `send`, `wait` and `receive` are required and never `-1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Queued before a connection was available.
    #[serde(default = "minus_one")]
    pub blocked: f64,
    /// DNS resolution.
    #[serde(default = "minus_one")]
    pub dns: f64,
    /// TCP (and TLS) connection set-up.
    #[serde(default = "minus_one")]
    pub connect: f64,
    /// Sending the request.
    pub send: f64,
    /// Waiting for the first byte of the response.
    pub wait: f64,
    /// Reading the response.
    pub receive: f64,
    /// TLS negotiation (also counted in `connect`).
    #[serde(default = "minus_one")]
    pub ssl: f64,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            send: 0.0,
            wait: 0.0,
            receive: 0.0,
            ssl: -1.0,
            comment: None,
        }
    }
}

impl Timings {
    /// The entry's total time as HAR 1.2 defines it: the sum of blocked, dns, connect, send,
    /// wait and receive, leaving out `-1` values (ssl is part of connect).
    pub fn total_ms(&self) -> f64 {
        [
            self.blocked,
            self.dns,
            self.connect,
            self.send,
            self.wait,
            self.receive,
        ]
        .iter()
        .filter(|v| **v >= 0.0)
        .sum()
    }
}

fn minus_one() -> f64 {
    -1.0
}

/// Why a HAR file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write HAR file: {error}")]
pub struct HarWriteError {
    /// The file being written.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub error: io::Error,
}

/// Writes `har` as pretty-printed JSON to `path`, replacing it. The document is written to a
/// temporary file beside `path` and renamed into place, so a reader never sees half a file.
///
/// # Errors
/// [`HarWriteError`] naming `path` when the directory is not writable, the disk is full, or a
/// number is not finite (JSON has no NaN/infinity).
pub fn write_har(path: impl AsRef<Path>, har: &Har) -> Result<(), HarWriteError> {
    let path = path.as_ref();
    let fail = |error: io::Error| HarWriteError {
        path: path.to_path_buf(),
        error,
    };
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".partial");
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut out = BufWriter::new(File::create(&tmp)?);
        write_har_to(&mut out, har)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// Writes `har` as pretty-printed JSON to `out`.
///
/// # Errors
/// The writer's I/O error, or [`io::ErrorKind::InvalidData`] when a number is not finite.
pub fn write_har_to<W: Write>(mut out: W, har: &Har) -> io::Result<()> {
    check_finite(har)?;
    serde_json::to_writer_pretty(&mut out, har).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// serde_json writes NaN and infinities as `null`, which would break required numbers.
fn check_finite(har: &Har) -> io::Result<()> {
    let bad = |what: &str, i: usize| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("entries[{i}].{what} is not a finite number"),
        )
    };
    for (i, e) in har.log.entries.iter().enumerate() {
        let t = &e.timings;
        let numbers = [
            ("time", e.time),
            ("timings.blocked", t.blocked),
            ("timings.dns", t.dns),
            ("timings.connect", t.connect),
            ("timings.send", t.send),
            ("timings.wait", t.wait),
            ("timings.receive", t.receive),
            ("timings.ssl", t.ssl),
        ];
        if let Some((what, _)) = numbers.iter().find(|(_, v)| !v.is_finite()) {
            return Err(bad(what, i));
        }
    }
    for (i, p) in har.log.pages.iter().enumerate() {
        if !p.page_timings.on_content_load.is_finite() || !p.page_timings.on_load.is_finite() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("pages[{i}].pageTimings has a number that is not finite"),
            ));
        }
    }
    Ok(())
}

//! A real OTLP collector for tests and benchmarks (feature `test-receiver`): a gRPC
//! `TraceService` (tonic, from `opentelemetry-proto`) and an HTTP endpoint decoding protobuf
//! at `POST /v1/traces`, both on 127.0.0.1 with a free port, keeping every span received
//! (with its resource attributes and the request's headers) for assertions. Also a
//! collector that accepts connections and never answers, and an address nobody listens on.

mod convert;
mod grpc;
mod http;
mod stall;

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use stall::{closed_endpoint, StallingCollector};

/// How a request reached the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// gRPC `TraceService/Export`.
    Grpc,
    /// HTTP `POST /v1/traces` with a protobuf body.
    Http,
}

/// An attribute value as received.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// A string.
    Str(String),
    /// A 64-bit integer.
    Int(i64),
    /// A float.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// An array, key-value list or bytes, in debug form.
    Other(String),
}

impl AttrValue {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            AttrValue::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// One span as the collector received it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedSpan {
    /// How it arrived.
    pub transport: Transport,
    /// 32 lower-case hex digits.
    pub trace_id: String,
    /// 16 lower-case hex digits.
    pub span_id: String,
    /// The parent's span id, `None` for a root span.
    pub parent_span_id: Option<String>,
    /// The span name.
    pub name: String,
    /// `internal`, `server`, `client`, `producer`, `consumer` or `unspecified`.
    pub kind: String,
    /// `unset`, `ok` or `error`.
    pub status_code: String,
    /// The status description.
    pub status_message: String,
    /// The span's attributes.
    pub attributes: BTreeMap<String, AttrValue>,
    /// The resource's attributes (`service.name`, …).
    pub resource: BTreeMap<String, AttrValue>,
    /// The instrumentation scope name.
    pub scope: String,
    /// The names of the span's events.
    pub events: Vec<String>,
    /// Start time, nanoseconds since the Unix epoch.
    pub start_unix_nanos: u64,
    /// End time, nanoseconds since the Unix epoch.
    pub end_unix_nanos: u64,
}

impl ReceivedSpan {
    /// A string attribute.
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(AttrValue::as_str)
    }

    /// An integer attribute.
    pub fn int_attr(&self, key: &str) -> Option<i64> {
        self.attributes.get(key).and_then(AttrValue::as_i64)
    }

    /// The resource's `service.name`.
    pub fn service_name(&self) -> Option<&str> {
        self.resource
            .get("service.name")
            .and_then(AttrValue::as_str)
    }
}

/// One export request as received.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedRequest {
    /// How it arrived.
    pub transport: Transport,
    /// Its headers (gRPC metadata), names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// How many spans it carried.
    pub spans: usize,
}

#[derive(Default)]
struct StoreData {
    spans: Vec<ReceivedSpan>,
    requests: Vec<ReceivedRequest>,
}

/// What the collector received, shared with its handlers.
#[derive(Default)]
pub(crate) struct Store {
    data: Mutex<StoreData>,
    changed: Condvar,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, StoreData> {
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn add(&self, request: ReceivedRequest, spans: Vec<ReceivedSpan>) {
        let mut data = self.lock();
        data.requests.push(request);
        data.spans.extend(spans);
        self.changed.notify_all();
    }
}

/// A running OTLP collector; stops when dropped.
pub struct OtlpReceiver {
    grpc_addr: SocketAddr,
    http_addr: SocketAddr,
    store: Arc<Store>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl OtlpReceiver {
    /// Starts both endpoints on 127.0.0.1 with free ports, on a thread and runtime of their
    /// own (so it works from sync and async tests alike). Fails when a port cannot be bound.
    pub fn start() -> std::io::Result<OtlpReceiver> {
        let grpc_listener = TcpListener::bind("127.0.0.1:0")?;
        let http_listener = TcpListener::bind("127.0.0.1:0")?;
        grpc_listener.set_nonblocking(true)?;
        http_listener.set_nonblocking(true)?;
        let grpc_addr = grpc_listener.local_addr()?;
        let http_addr = http_listener.local_addr()?;
        let store = Arc::new(Store::default());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("otlp-receiver")
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (grpc_store, http_store) = (Arc::clone(&store), Arc::clone(&store));
        let thread = std::thread::Builder::new()
            .name("otlp-receiver-main".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let grpc = tokio::net::TcpListener::from_std(grpc_listener);
                    let http = tokio::net::TcpListener::from_std(http_listener);
                    match (grpc, http) {
                        (Ok(grpc), Ok(http)) => {
                            tokio::spawn(grpc::serve(grpc, grpc_store));
                            tokio::spawn(http::serve(http, http_store));
                            let _ = stopped.await;
                        }
                        (Err(e), _) | (_, Err(e)) => eprintln!("otlp receiver: {e}"),
                    }
                });
                // Open keep-alive connections must not hold the shutdown up.
                runtime.shutdown_background();
            })?;
        Ok(OtlpReceiver {
            grpc_addr,
            http_addr,
            store,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The gRPC endpoint, `http://127.0.0.1:<port>`.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://{}", self.grpc_addr)
    }

    /// The HTTP base endpoint, `http://127.0.0.1:<port>` (traces go to `/v1/traces`).
    pub fn http_endpoint(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// Every span received so far, in arrival order.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.store.lock().spans.clone()
    }

    /// Every export request received so far.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.store.lock().requests.clone()
    }

    /// Waits until at least `count` spans arrived or `timeout` passed, and returns what
    /// arrived.
    pub fn wait_for_spans(&self, count: usize, timeout: Duration) -> Vec<ReceivedSpan> {
        let deadline = Instant::now() + timeout;
        let mut data = self.store.lock();
        while data.spans.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            data = match self.store.changed.wait_timeout(data, left) {
                Ok((d, _)) => d,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        data.spans.clone()
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

//! The live dashboard: an HTTP server, on its own thread and runtime so a busy run never
//! starves it, that serves a [`LiveRun`] — an HTML page, its script and style, `/records`
//! as JSON, and the screenshots records refer to.

mod routes;

use std::net::{SocketAddr, ToSocketAddrs};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::live::LiveRun;

/// Why the dashboard could not start.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The host name did not resolve to an address.
    #[error("dashboard: cannot resolve host {host:?}: {message}")]
    Resolve {
        /// The host as given.
        host: String,
        /// Why resolving failed.
        message: String,
    },
    /// The address could not be bound (in use, not local, no permission).
    #[error("dashboard: cannot listen on {addr}: {error}")]
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The server's thread or runtime could not be created.
    #[error("dashboard: cannot start the server: {error}")]
    Start {
        /// The I/O error.
        error: std::io::Error,
    },
}

/// A running dashboard. [`stop`](DashboardHandle::stop) — or dropping the handle — shuts it
/// down: requests in flight get up to two seconds to finish.
#[derive(Debug)]
pub struct DashboardHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DashboardHandle {
    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL, e.g. `http://127.0.0.1:8080/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A warning to show the user when the dashboard can be reached from other machines
    /// (bound to every interface or to a non-loopback address); `None` on loopback.
    pub fn exposure_warning(&self) -> Option<String> {
        let ip = self.addr.ip();
        if ip.is_loopback() {
            return None;
        }
        let scope = if ip.is_unspecified() {
            "every network interface"
        } else {
            "a non-loopback address"
        };
        Some(format!("the dashboard listens on {scope} ({}); anyone who can reach it can read this run's records and screenshots", self.addr))
    }

    /// Stops the server and waits for its thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for DashboardHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts serving `live` on `host:port` (port 0 picks a free one) and returns at once.
///
/// `GET /` is the page (refreshing from `/records` every second), `GET /records` the JSON
/// `{elapsed_ms, eta_ms, total, passed, failed, flaky, planned, finished, started_at,
/// running, offset, records}` (`?since=N` lists only records from position N on), and
/// `GET /screenshots/<name>` a screenshot some record refers to. Every response carries
/// `Content-Security-Policy: default-src 'self'`, `X-Content-Type-Options: nosniff` and
/// `Cache-Control: no-store`. On a loopback address, requests whose `Host` is not a loopback
/// name are refused (DNS rebinding); any other host is served as asked — binding beyond
/// loopback is the caller's explicit choice.
///
/// Fails with [`DashboardError::Resolve`] for a host that does not resolve,
/// [`DashboardError::Bind`] when the address cannot be bound, and
/// [`DashboardError::Start`] when the server thread cannot start.
///
/// ```
/// use webrunner_report::{start_dashboard, LiveRun};
///
/// let live = LiveRun::new();
/// let dashboard = start_dashboard("127.0.0.1", 0, live.clone())?;
/// assert!(dashboard.addr().ip().is_loopback());
/// dashboard.stop();
/// # Ok::<(), webrunner_report::DashboardError>(())
/// ```
pub fn start_dashboard(
    host: &str,
    port: u16,
    live: LiveRun,
) -> Result<DashboardHandle, DashboardError> {
    let resolve = |message: String| DashboardError::Resolve {
        host: host.to_string(),
        message,
    };
    // Bracketed IPv6 literals ("[::1]") are accepted as well as bare ones.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addr = (bare, port)
        .to_socket_addrs()
        .map_err(|e| resolve(e.to_string()))?
        .next()
        .ok_or_else(|| resolve("no address".to_string()))?;
    let listener =
        std::net::TcpListener::bind(addr).map_err(|error| DashboardError::Bind { addr, error })?;
    let addr = listener
        .local_addr()
        .map_err(|error| DashboardError::Bind { addr, error })?;
    listener
        .set_nonblocking(true)
        .map_err(|error| DashboardError::Bind { addr, error })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("webrunner-dashboard")
        .enable_all()
        .build()
        .map_err(|error| DashboardError::Start { error })?;
    let listener = {
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener)
            .map_err(|error| DashboardError::Bind { addr, error })?
    };
    let app = routes::router(live, addr.ip().is_loopback());
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("webrunner-dashboard".to_string())
        .spawn(move || {
            runtime.block_on(async move {
                let (grace_tx, grace_rx) = oneshot::channel::<()>();
                let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                    let _ = grace_rx.await;
                });
                let server = tokio::spawn(std::future::IntoFuture::into_future(server));
                // Either a stop request or a dropped handle ends the wait.
                let _ = stop_rx.await;
                let _ = grace_tx.send(());
                let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
            });
            runtime.shutdown_timeout(Duration::from_millis(200));
        })
        .map_err(|error| DashboardError::Start { error })?;
    Ok(DashboardHandle {
        addr,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

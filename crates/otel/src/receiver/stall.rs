//! Collectors that fail: one that accepts connections and never answers (slow), and an
//! address with nobody listening (down).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A TCP server that accepts every connection, reads nothing and answers nothing, until it
/// is dropped: a collector that hangs.
pub struct StallingCollector {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StallingCollector {
    /// Starts it on 127.0.0.1 with a free port; fails when no port can be bound.
    pub fn start() -> std::io::Result<StallingCollector> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("stalling-collector".to_string())
            .spawn(move || {
                let mut held: Vec<TcpStream> = Vec::new();
                for conn in listener.incoming() {
                    if flag.load(Ordering::Acquire) {
                        break;
                    }
                    if let Ok(conn) = conn {
                        held.push(conn);
                    }
                }
            })?;
        Ok(StallingCollector {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for StallingCollector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `http://127.0.0.1:<port>` for a port that was free a moment ago and has nobody
/// listening: a collector that is down. Fails when no port can be bound to find one.
pub fn closed_endpoint() -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    Ok(format!("http://{addr}"))
}

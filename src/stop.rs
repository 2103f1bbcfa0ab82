//! A stop request shared between whoever asks a run or a monitor to stop (a signal, a test)
//! and the loop that honours it: the run stops at once, the monitor drops its current tick.

use std::sync::{Arc, Mutex};

/// Asks a running loop to stop. Clones share one signal.
#[derive(Debug, Clone)]
pub struct StopSignal {
    tx: Arc<tokio::sync::watch::Sender<bool>>,
    reason: Arc<Mutex<String>>,
}

impl Default for StopSignal {
    fn default() -> Self {
        StopSignal::new()
    }
}

impl StopSignal {
    /// A signal not yet given.
    pub fn new() -> StopSignal {
        StopSignal {
            tx: Arc::new(tokio::sync::watch::channel(false).0),
            reason: Arc::new(Mutex::new(String::new())),
        }
    }

    /// Gives the signal; every waiter wakes.
    pub fn stop(&self) {
        self.stop_because("stopped");
    }

    /// Gives the signal saying why (`SIGINT`, …); the first reason given is kept.
    pub fn stop_because(&self, reason: &str) {
        if let Ok(mut r) = self.reason.lock() {
            if r.is_empty() {
                *r = reason.to_string();
            }
        }
        self.tx.send_replace(true);
    }

    /// Whether the signal was given.
    pub fn is_stopped(&self) -> bool {
        *self.tx.borrow()
    }

    /// Why the signal was given (empty before it was).
    pub fn reason(&self) -> String {
        self.reason.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Returns once the signal is given (at once if it already was).
    pub async fn stopped(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so waiting cannot fail for want of a sender.
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

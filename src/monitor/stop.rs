//! A stop request shared between whoever asks the monitor to stop (Ctrl-C, a test) and its
//! loop, which finishes the current tick first.

use std::sync::Arc;

/// Asks a running monitor loop to stop after its current tick. Clones share one signal.
#[derive(Debug, Clone)]
pub struct StopSignal {
    tx: Arc<tokio::sync::watch::Sender<bool>>,
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
        }
    }

    /// Gives the signal; every waiter wakes.
    pub fn stop(&self) {
        self.tx.send_replace(true);
    }

    /// Whether the signal was given.
    pub fn is_stopped(&self) -> bool {
        *self.tx.borrow()
    }

    /// Returns once the signal is given (at once if it already was).
    pub async fn stopped(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so waiting cannot fail for want of a sender.
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

//! What a synthetic check is — anything that can be run again and again and says pass
//! (`Ok`) or fail (`Err` with the reason) — and how one check is configured.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::state::{Flap, Rule};

/// The future one run of a check returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A synthetic check. Any `FnMut() -> impl Future<Output = Result<(), String>>` is one, so
/// the monitor's logic can be exercised without a browser; [`super::FlowCheck`] runs a flow
/// in a real browser.
pub trait Check: Send {
    /// Runs the check once: `Ok(())` when it passed, `Err(reason)` when it failed.
    fn run(&mut self) -> CheckFuture<'_>;
}

impl<F, Fut> Check for F
where
    F: FnMut() -> Fut + Send,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    fn run(&mut self) -> CheckFuture<'_> {
        Box::pin(self())
    }
}

/// How one check is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Consecutive failures before the check turns red (≥ 1; default 1).
    pub failure_threshold: u32,
    /// Consecutive passes before a red check turns green (≥ 1; default 1).
    pub recovery_threshold: u32,
    /// Flap suppression (off by default); see [`Flap`].
    pub flap: Option<Flap>,
    /// A run that takes longer fails with a timeout (no limit by default).
    pub timeout: Option<Duration>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            failure_threshold: 1,
            recovery_threshold: 1,
            flap: None,
            timeout: None,
        }
    }
}

impl CheckOptions {
    /// The status rule these options describe.
    pub fn rule(&self) -> Rule {
        Rule {
            failure_threshold: self.failure_threshold,
            recovery_threshold: self.recovery_threshold,
            flap: self.flap,
        }
    }
}

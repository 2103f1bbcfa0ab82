//! What a finished action's record gets of its page: the console messages and requests
//! tied to it (capture on), its Content-Security-Policy violations (`--csp-report`), and —
//! for a failed action — its flow's complete evidence so far as a `FlowEvidence` event.

use webrunner_record::{Record, RunEvent};

use super::Executor;

impl Executor {
    /// Fills `record` with its action's evidence; see the module documentation. A passing
    /// action takes what the browser had reported by its end (no round trip); a failed one
    /// makes one round trip to the page first, so nothing is missing.
    pub(super) async fn add_evidence(&mut self, record: &mut Record) {
        let index = record.index;
        if self.ctx.settings.capture {
            if record.failed() && !self.reporter.is_empty() {
                let evidence = self.ctx.browser.evidence().await;
                let flow = self.flow.clone();
                self.emit(|| RunEvent::FlowEvidence {
                    flow,
                    index,
                    evidence,
                });
            }
            let evidence = self.ctx.browser.evidence_of(index, record.failed()).await;
            (record.console, record.network) = evidence.into_parts();
        }
        record.csp = self.ctx.csp_of(index).await;
    }
}

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
        let (capture, csp) = (self.ctx.settings.capture, self.ctx.settings.csp_report);
        if !capture && !csp {
            return;
        }
        let index = record.index;
        let browser = &self.ctx.browser;
        browser.flush(record.failed()).await;
        if capture {
            if record.failed() && !self.reporter.is_empty() {
                let evidence = browser.evidence();
                let flow = self.flow.clone();
                self.reporter.emit(RunEvent::FlowEvidence {
                    flow,
                    index,
                    evidence,
                });
            }
            (record.console, record.network) = self.ctx.browser.evidence_of(index).into_parts();
        }
        if csp {
            record.csp = self.ctx.browser.csp_of(index);
        }
    }
}

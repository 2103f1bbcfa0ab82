//! `console.json` and `network.json` of a run folder: every console message and request of
//! the run, each with its flow and the index of the action that was running — the whole
//! lists that `webrunner timeline --run` and the failure bundles read. Rewritten when each
//! flow ends, so they are complete for every finished flow.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use webrunner_record::{Evidence, Record, RunEvent, RunSink, SinkError};

/// An item of `console.json` or `network.json`: the entry with the flow it came from.
#[derive(Serialize, Deserialize)]
pub struct InFlow<F, T> {
    /// The flow's name (borrowed when written; `Option<String>` when read).
    pub flow: F,
    /// The console or network entry.
    #[serde(flatten)]
    pub item: T,
}

/// Writes the run's console and network lists; see the module documentation.
pub struct EvidenceSink {
    console: PathBuf,
    network: PathBuf,
    /// Each finished flow's evidence.
    flows: Vec<(String, Evidence)>,
    /// The running flow's records' own items (used when the flow's end brings none).
    running: Evidence,
}

impl EvidenceSink {
    /// A sink writing `console` and `network` (paths of the two files).
    pub fn new(console: PathBuf, network: PathBuf) -> EvidenceSink {
        EvidenceSink {
            console,
            network,
            flows: Vec::new(),
            running: Evidence::default(),
        }
    }

    fn write(&self) -> Result<(), SinkError> {
        fn list<'a, T: Serialize + 'a>(
            flows: &'a [(String, Evidence)],
            items: impl Fn(&'a Evidence) -> &'a [T],
        ) -> Result<Vec<u8>, serde_json::Error> {
            let all: Vec<InFlow<&'a String, &'a T>> = flows
                .iter()
                .flat_map(|(flow, e)| items(e).iter().map(move |item| InFlow { flow, item }))
                .collect();
            serde_json::to_vec_pretty(&all)
        }
        webrunner_report::write_file_atomic(&self.console, &list(&self.flows, |e| &e.console)?)?;
        webrunner_report::write_file_atomic(&self.network, &list(&self.flows, |e| &e.network)?)?;
        Ok(())
    }

    fn add_record(&mut self, record: &Record) {
        self.running.console.extend(record.console.iter().cloned());
        self.running.network.extend(record.network.iter().cloned());
    }
}

impl RunSink for EvidenceSink {
    fn name(&self) -> String {
        self.console.display().to_string()
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        match event {
            RunEvent::ActionFinished { record } => self.add_record(record),
            RunEvent::FlowFinished { flow, evidence, .. } => {
                let running = std::mem::take(&mut self.running);
                let evidence = if evidence.is_empty() {
                    running
                } else {
                    evidence.clone()
                };
                self.flows.push((flow.clone(), evidence));
                self.write()?;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        if !self.running.is_empty() {
            // An interrupted flow: what its records had.
            let running = std::mem::take(&mut self.running);
            self.flows.push(("(interrupted)".into(), running));
        }
        self.write()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webrunner_record::{ConsoleEntry, Summary};

    fn line(text: &str, action: usize) -> ConsoleEntry {
        ConsoleEntry {
            level: "log".into(),
            text: text.into(),
            source: "console".into(),
            url: None,
            line: None,
            column: None,
            stack: None,
            timestamp_ms: 1.0,
            action: Some(action),
        }
    }

    #[test]
    fn each_item_is_written_with_its_flow_and_a_flows_end_evidence_wins() {
        let dir = tempfile::tempdir().unwrap();
        let (c, n) = (
            dir.path().join("console.json"),
            dir.path().join("network.json"),
        );
        let mut sink = EvidenceSink::new(c.clone(), n.clone());
        let mut record = Record::from_tries(0, "WR_x", vec![], Default::default(), vec![]);
        record.console = vec![line("from the record", 0)];
        sink.event(&RunEvent::ActionFinished { record }).unwrap();
        sink.event(&RunEvent::FlowFinished {
            flow: "a.json".into(),
            summary: Summary::default(),
            evidence: Evidence::default(),
        })
        .unwrap();
        sink.event(&RunEvent::FlowFinished {
            flow: "b.json".into(),
            summary: Summary::default(),
            evidence: Evidence {
                console: vec![line("late but complete", 3)],
                network: vec![],
            },
        })
        .unwrap();
        sink.finish().unwrap();
        let console: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&c).unwrap()).unwrap();
        assert_eq!(console[0]["flow"], "a.json");
        assert_eq!(console[0]["text"], "from the record");
        assert_eq!(console[1]["flow"], "b.json");
        assert_eq!(console[1]["action"], 3);
        assert_eq!(std::fs::read_to_string(&n).unwrap(), "[]");
    }
}

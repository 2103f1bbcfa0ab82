//! The run as a publisher on the event bus (`run --bus PATH|URL`): `run.started` with the
//! planned flows, `action.finished` with each record as it settles, `run.finished` with the
//! counts — on a bus file shared with Python WebRunner processes or a Redis stream.

use serde_json::{json, Map, Value};
use webrunner_bus::Bus;
use webrunner_record::{RunEvent, RunSink, SinkError};

/// Topic of the event published when the run starts.
pub const RUN_STARTED: &str = "run.started";
/// Topic of the event published for each settled action; its payload is the record.
pub const ACTION_FINISHED: &str = "action.finished";
/// Topic of the event published when the run ends.
pub const RUN_FINISHED: &str = "run.finished";

/// Publishes the run's events; see the module documentation.
pub struct BusSink {
    bus: Box<dyn Bus>,
}

impl BusSink {
    /// A sink publishing on `bus` (from [`webrunner_bus::open_bus`]).
    pub fn new(bus: Box<dyn Bus>) -> BusSink {
        BusSink { bus }
    }
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => Map::from_iter([("value".to_string(), other)]),
    }
}

impl RunSink for BusSink {
    fn name(&self) -> String {
        format!("bus {}", self.bus.describe())
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        let (topic, payload) = match event {
            RunEvent::RunPlanned { flows } => (
                RUN_STARTED,
                json!({
                    "flows": flows,
                    "actions": flows.iter().map(|f| f.actions).sum::<usize>(),
                }),
            ),
            RunEvent::ActionFinished { record } => (ACTION_FINISHED, serde_json::to_value(record)?),
            RunEvent::RunFinished {
                summary,
                interrupted,
            } => (
                RUN_FINISHED,
                json!({ "summary": summary, "interrupted": interrupted }),
            ),
            _ => return Ok(()),
        };
        self.bus.publish(topic, object(payload))?;
        Ok(())
    }
}

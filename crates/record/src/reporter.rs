//! The fan-out from the run loop to its sinks. Each sink runs on its own thread behind an
//! unbounded channel, so a slow sink never delays the run and still receives every event; a
//! sink that fails or panics is reported once, when the run finishes, and never fails the
//! run. Sinks that must see an event while the action runs (the tracing span, which times
//! itself) are called inline and must return at once.

use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::RunEvent;

/// What a sink's failure says.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// An output of a run: it observes [`RunEvent`]s and never steers the run.
pub trait RunSink: Send {
    /// A short name for error messages, e.g. `records.json`.
    fn name(&self) -> String;
    /// Takes one event. An error is reported once at the end of the run; later events still
    /// arrive.
    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError>;
    /// Called once after the last event.
    fn finish(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// A sink's first failure, and how many more followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkFailure {
    /// The sink's name.
    pub sink: String,
    /// Its first error.
    pub error: String,
    /// How many more of its calls failed.
    pub more: usize,
}

impl std::fmt::Display for SinkFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.sink, self.error)?;
        if self.more > 0 {
            write!(f, " (and {} more failures)", self.more)?;
        }
        Ok(())
    }
}

/// Collects a sink's failures.
#[derive(Default)]
struct Failures {
    first: Option<String>,
    more: usize,
}

impl Failures {
    fn note(&mut self, error: String) {
        match self.first {
            None => self.first = Some(error),
            Some(_) => self.more += 1,
        }
    }

    fn into_failure(self, sink: String) -> Option<SinkFailure> {
        self.first.map(|error| SinkFailure {
            sink,
            error,
            more: self.more,
        })
    }
}

fn call(sink: &mut dyn RunSink, event: &RunEvent, failures: &mut Failures) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink.event(event)));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => failures.note(e.to_string()),
        Err(_) => failures.note(format!("panicked on {}", event.name())),
    }
}

fn finish_sink(sink: &mut dyn RunSink, mut failures: Failures) -> Option<SinkFailure> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink.finish())) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => failures.note(e.to_string()),
        Err(_) => failures.note("panicked while finishing".into()),
    }
    failures.into_failure(sink.name())
}

struct Threaded {
    tx: mpsc::Sender<Arc<RunEvent>>,
    thread: JoinHandle<Option<SinkFailure>>,
}

struct Inline {
    sink: Box<dyn RunSink>,
    failures: Failures,
}

/// Fans every event out to the run's sinks; see the module documentation.
#[derive(Default)]
pub struct Reporter {
    threaded: Vec<Threaded>,
    inline: Vec<Inline>,
    spawn_failures: Vec<SinkFailure>,
}

impl Reporter {
    /// A reporter with no sinks.
    pub fn new() -> Reporter {
        Reporter::default()
    }

    /// Adds a sink on its own thread.
    pub fn add(&mut self, mut sink: Box<dyn RunSink>) {
        let (tx, rx) = mpsc::channel::<Arc<RunEvent>>();
        let name = sink.name();
        let spawned = std::thread::Builder::new()
            .name(format!("sink {name}"))
            .spawn(move || {
                let mut failures = Failures::default();
                for event in rx {
                    call(sink.as_mut(), &event, &mut failures);
                }
                finish_sink(sink.as_mut(), failures)
            });
        match spawned {
            Ok(thread) => self.threaded.push(Threaded { tx, thread }),
            Err(e) => self.spawn_failures.push(SinkFailure {
                sink: name,
                error: format!("cannot start its thread: {e}"),
                more: 0,
            }),
        }
    }

    /// Adds a sink that is called on the run loop itself; it must return at once.
    pub fn add_inline(&mut self, sink: Box<dyn RunSink>) {
        self.inline.push(Inline {
            sink,
            failures: Failures::default(),
        });
    }

    /// True when no sink is attached.
    pub fn is_empty(&self) -> bool {
        self.threaded.is_empty() && self.inline.is_empty()
    }

    /// Hands `event` to every sink.
    pub fn emit(&mut self, event: RunEvent) {
        for s in &mut self.inline {
            call(s.sink.as_mut(), &event, &mut s.failures);
        }
        if self.threaded.is_empty() {
            return;
        }
        let event = Arc::new(event);
        for s in &self.threaded {
            // A sink whose thread ended (it panicked) reports that at the end.
            let _ = s.tx.send(event.clone());
        }
    }

    /// Ends every sink after it has taken every event, and returns their failures.
    pub fn finish(self) -> Vec<SinkFailure> {
        let mut out = self.spawn_failures;
        for mut s in self.inline {
            out.extend(finish_sink(s.sink.as_mut(), s.failures));
        }
        for s in self.threaded {
            drop(s.tx);
            match s.thread.join() {
                Ok(f) => out.extend(f),
                Err(_) => out.push(SinkFailure {
                    sink: "a sink".into(),
                    error: "its thread panicked".into(),
                    more: 0,
                }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Summary;
    use std::sync::Mutex;
    use std::time::Duration;

    struct Slow(Arc<Mutex<Vec<String>>>, Duration);
    impl RunSink for Slow {
        fn name(&self) -> String {
            "slow".into()
        }
        fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
            std::thread::sleep(self.1);
            self.0
                .lock()
                .map_err(|e| e.to_string())?
                .push(event.name().into());
            Ok(())
        }
    }

    struct Failing;
    impl RunSink for Failing {
        fn name(&self) -> String {
            "failing".into()
        }
        fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
            if let RunEvent::FlowStarted { .. } = event {
                panic!("boom");
            }
            Err("disk full".into())
        }
    }

    fn finished() -> RunEvent {
        RunEvent::RunFinished {
            summary: Summary::default(),
            interrupted: None,
        }
    }

    #[test]
    fn every_event_reaches_a_slow_sink_in_order() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut r = Reporter::new();
        r.add(Box::new(Slow(seen.clone(), Duration::from_millis(20))));
        r.emit(RunEvent::FlowStarted {
            flow: "f".into(),
            planned: 0,
        });
        r.emit(finished());
        assert!(r.finish().is_empty());
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(seen, vec!["flow_started", "run_finished"]);
    }

    #[test]
    fn a_failing_or_panicking_sink_is_reported_once_and_others_go_on() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut r = Reporter::new();
        r.add(Box::new(Failing));
        r.add_inline(Box::new(Failing));
        r.add(Box::new(Slow(seen.clone(), Duration::ZERO)));
        r.emit(RunEvent::RunPlanned { flows: vec![] });
        r.emit(RunEvent::FlowStarted {
            flow: "f".into(),
            planned: 0,
        });
        r.emit(finished());
        let failures = r.finish();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert_eq!(failures[0].error, "disk full");
        assert_eq!(failures[0].more, 2);
        assert_eq!(seen.lock().map(|s| s.len()).unwrap_or(0), 3);
    }
}

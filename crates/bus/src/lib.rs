//! Event plumbing shared with Python WebRunner processes (SPEC §10).
//!
//! - [`EventBus`]: the Python WebRunner's file bus — one JSON line per event, appended to one
//!   file that webrunner and Python processes share in both directions, with its line format
//!   byte for byte (`{"event_id": …, "topic": …, "payload": …, "timestamp_ms": …, "sender": …}`).
//! - [`RedisBus`]: the same on a Redis stream, for processes on several machines.
//! - [`Bus`]: what both do, and [`open_bus`], which picks one from a path or a `redis://` URL.
//! - [`CdpRecorder`], [`load_recording`], [`CdpReplayer`]: raw CDP calls recorded as JSON
//!   lines in the Python WebRunner's `cdp_tap` format and answered back offline.
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! use webrunner_bus::EventBus;
//!
//! let bus = EventBus::new(dir.path().join("bus.log"), Some("me"));
//! let start = bus.current_offset()?;
//! bus.publish("shard.done", serde_json::json!({"shard": 3}).as_object().unwrap().clone())?;
//! let polled = bus.poll_next(start, &["shard.done"])?;
//! assert_eq!(polled.events[0].payload["shard"], 3);
//! assert_eq!(polled.next_offset, bus.current_offset()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cdp;
mod envelope;
mod error;
mod file;
mod redis_bus;
mod scan;

use std::time::Duration;

use serde_json::{Map, Value};

pub use cdp::{load_recording, CdpRecord, CdpRecorder, CdpReplayer, CdpTapError};
pub use envelope::{new_event_id, now_ms, payload_object, push_new_line, EventEnvelope, RawEvent};
pub use error::EventBusError;
pub use file::EventBus;
pub use redis_bus::RedisBus;
pub use scan::Scanned;

/// `wait_for`'s time-out unless given: 30 s, as in the Python WebRunner.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// `wait_for`'s polling interval unless given: 0.1 s.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Events read from an offset, and the offset to read from next.
#[derive(Debug, Clone, PartialEq)]
pub struct Polled<O> {
    /// The events, in bus order.
    pub events: Vec<EventEnvelope>,
    /// Where the next poll starts so it returns only newer events.
    pub next_offset: O,
}

/// A bus: a file ([`EventBus`], offsets are byte counts) or a Redis stream ([`RedisBus`],
/// offsets are stream ids). Offsets are strings here; `"0"` is the start on both.
pub trait Bus: Send + Sync {
    /// The file's path or the stream's URL.
    fn describe(&self) -> String;

    /// Who this bus publishes as.
    fn sender(&self) -> Option<&str>;

    /// Publishes one event; an empty topic is refused.
    fn publish(
        &self,
        topic: &str,
        payload: Map<String, Value>,
    ) -> Result<EventEnvelope, EventBusError>;

    /// Publishes whole newline-terminated lines, each one event in the bus's line format (as
    /// [`push_new_line`] writes them), together.
    fn publish_lines(&self, lines: &[u8]) -> Result<(), EventBusError>;

    /// Every whole event after `offset` of `topics` (all when empty) and every corrupt line,
    /// in order, without stopping at corrupt ones; returns the offset to read from next.
    fn scan(
        &self,
        offset: &str,
        topics: &[&str],
        on: &mut dyn FnMut(Scanned<'_>),
    ) -> Result<String, EventBusError>;

    /// The bus's end: polling from here returns only events published later.
    fn current_offset(&self) -> Result<String, EventBusError>;

    /// Waits up to `timeout` for an event of `topic` after `offset` that `predicate` accepts.
    fn wait_for(
        &self,
        topic: &str,
        offset: &str,
        predicate: &dyn Fn(&EventEnvelope) -> bool,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<EventEnvelope, EventBusError>;

    /// Every event after `offset` of `topics` (all when empty), and where to poll next; the
    /// first corrupt line is the error ([`EventBusError::Corrupt`] says where to resume).
    fn poll_next(&self, offset: &str, topics: &[&str]) -> Result<Polled<String>, EventBusError> {
        let mut strict = scan::Strict::default();
        let next = self.scan(offset, topics, &mut |s| strict.take(s))?;
        strict.finish(next)
    }

    /// [`Bus::poll_next`]'s events.
    fn poll(&self, offset: &str, topics: &[&str]) -> Result<Vec<EventEnvelope>, EventBusError> {
        Ok(self.poll_next(offset, topics)?.events)
    }
}

/// The bus at `target`: a `redis://host:port/stream` URL, or else a file path.
pub fn open_bus(target: &str, sender: Option<&str>) -> Result<Box<dyn Bus>, EventBusError> {
    if target.starts_with("redis://") {
        return Ok(Box::new(RedisBus::open(target, sender)?));
    }
    if target.is_empty() {
        return Err(EventBusError::BadUrl {
            url: String::new(),
            message: "expected a file path or redis://host:port/stream".into(),
        });
    }
    Ok(Box::new(EventBus::new(target, sender)))
}

//! The Redis Streams backend, for processes on several machines: `redis://host:port/stream`.
//! Each event is one stream entry whose field `event` holds the event's line (the file
//! backend's format, without the newline); `XADD` publishes, `XREAD` polls and `XREAD BLOCK`
//! waits. Offsets are stream ids: a poll returns the entries after the given id (`0`: from
//! the start) and the id of the last one, to poll from next.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use serde_json::{Map, Value};

use crate::envelope::{check_topic, EventEnvelope, RawEvent};
use crate::error::EventBusError;
use crate::scan::Scanned;
use crate::Bus;

/// The entry field that holds the event's line.
const FIELD: &str = "event";
/// Entries per `XREAD`, and events per pipeline when publishing many.
const BATCH: usize = 5000;
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A bus on one Redis stream; see the module documentation.
pub struct RedisBus {
    url: String,
    stream: String,
    sender: Option<String>,
    client: redis::Client,
    /// For everything but blocking reads (each wait has a connection of its own, so that it
    /// holds up nobody).
    connection: Mutex<redis::Connection>,
}

impl std::fmt::Debug for RedisBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBus")
            .field("url", &self.url)
            .field("sender", &self.sender)
            .finish()
    }
}

impl RedisBus {
    /// Connects to the stream named by `url` (`redis://[user:password@]host[:port]/stream`).
    pub fn open(url: &str, sender: Option<&str>) -> Result<RedisBus, EventBusError> {
        let (server, stream) = split_url(url)?;
        let fail = |e: redis::RedisError| EventBusError::Redis {
            stream: stream.clone(),
            message: e.to_string(),
        };
        let client = redis::Client::open(server.as_str()).map_err(fail)?;
        let connection = client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(fail)?;
        Ok(RedisBus {
            url: url.to_string(),
            stream,
            sender: sender.map(str::to_string),
            client,
            connection: Mutex::new(connection),
        })
    }

    /// The stream's name.
    pub fn stream(&self) -> &str {
        &self.stream
    }

    fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, EventBusError> {
        let mut c = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        cmd.query(&mut *c).map_err(|e| self.error(e))
    }

    fn connect(&self) -> Result<redis::Connection, EventBusError> {
        self.client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(|e| self.error(e))
    }

    fn error(&self, e: redis::RedisError) -> EventBusError {
        EventBusError::Redis {
            stream: self.stream.clone(),
            message: e.to_string(),
        }
    }

    /// One `XREAD` after `offset`; with `block`, on connection `own` for up to that long.
    fn read(
        &self,
        offset: &str,
        block: Option<(Duration, &mut redis::Connection)>,
    ) -> Result<Vec<StreamId>, EventBusError> {
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT").arg(BATCH);
        if let Some((b, _)) = &block {
            cmd.arg("BLOCK").arg(b.as_millis().max(1) as u64);
        }
        cmd.arg("STREAMS").arg(&self.stream).arg(offset);
        let reply: Option<StreamReadReply> = match block {
            Some((_, own)) => cmd.query(own).map_err(|e| self.error(e))?,
            None => self.query(&cmd)?,
        };
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .collect())
    }

    fn entries(&self, entries: &[StreamId], topics: &[&str], on: &mut dyn FnMut(Scanned<'_>)) {
        for entry in entries {
            let line: Option<String> = entry.get(FIELD);
            let Some(line) = line else {
                on(corrupt(&entry.id, format!("no field {FIELD:?}")));
                continue;
            };
            match RawEvent::parse(&line) {
                Ok(e) if topics.is_empty() || topics.contains(&e.topic.as_ref()) => {
                    on(Scanned::Event(e))
                }
                Ok(_) => {}
                Err(message) => on(corrupt(&entry.id, message)),
            }
        }
    }
}

fn corrupt(id: &str, message: String) -> Scanned<'static> {
    Scanned::Corrupt(EventBusError::Corrupt {
        location: format!("entry {id}"),
        message,
        resume: id.to_string(),
    })
}

/// `redis://host:port/stream` → (`redis://host:port/`, `stream`).
fn split_url(url: &str) -> Result<(String, String), EventBusError> {
    let bad = |message: &str| EventBusError::BadUrl {
        url: url.to_string(),
        message: message.to_string(),
    };
    let rest = url
        .strip_prefix("redis://")
        .ok_or_else(|| bad("expected redis://host:port/stream"))?;
    let (authority, stream) = rest
        .split_once('/')
        .ok_or_else(|| bad("no stream: expected redis://host:port/stream"))?;
    if authority.is_empty() || authority.ends_with('@') {
        return Err(bad("no host: expected redis://host:port/stream"));
    }
    if stream.is_empty() {
        return Err(bad("no stream: expected redis://host:port/stream"));
    }
    if stream.contains(['?', '#']) {
        return Err(bad("a stream name without ? or #"));
    }
    Ok((format!("redis://{authority}/"), stream.to_string()))
}

impl Bus for RedisBus {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn sender(&self) -> Option<&str> {
        self.sender.as_deref()
    }

    fn publish(
        &self,
        topic: &str,
        payload: Map<String, Value>,
    ) -> Result<EventEnvelope, EventBusError> {
        check_topic(topic)?;
        let envelope = EventEnvelope::new(topic, payload, self.sender.as_deref());
        let line = envelope.to_json_line();
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&self.stream)
            .arg("*")
            .arg(FIELD)
            .arg(line.trim_end_matches('\n'));
        let _id: String = self.query(&cmd)?;
        Ok(envelope)
    }

    fn publish_lines(&self, lines: &[u8]) -> Result<(), EventBusError> {
        let lines: Vec<&[u8]> = lines
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let mut c = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for chunk in lines.chunks(BATCH) {
            let mut pipe = redis::pipe();
            for line in chunk {
                pipe.cmd("XADD")
                    .arg(&self.stream)
                    .arg("*")
                    .arg(FIELD)
                    .arg(*line)
                    .ignore();
            }
            pipe.query::<()>(&mut *c).map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    fn scan(
        &self,
        offset: &str,
        topics: &[&str],
        on: &mut dyn FnMut(Scanned<'_>),
    ) -> Result<String, EventBusError> {
        let mut cursor = offset.to_string();
        loop {
            let entries = self.read(&cursor, None)?;
            self.entries(&entries, topics, on);
            match entries.last() {
                Some(last) => cursor.clone_from(&last.id),
                None => return Ok(cursor),
            }
            if entries.len() < BATCH {
                return Ok(cursor);
            }
        }
    }

    /// The id of the stream's last entry (`0-0` when it has none).
    fn current_offset(&self) -> Result<String, EventBusError> {
        let mut cmd = redis::cmd("XREVRANGE");
        cmd.arg(&self.stream).arg("+").arg("-").arg("COUNT").arg(1);
        let reply: StreamRangeReply = self.query(&cmd)?;
        Ok(reply
            .ids
            .first()
            .map_or_else(|| "0-0".to_string(), |e| e.id.clone()))
    }

    /// Blocks in `XREAD BLOCK` (up to the time left) instead of polling.
    fn wait_for(
        &self,
        topic: &str,
        offset: &str,
        predicate: &dyn Fn(&EventEnvelope) -> bool,
        timeout: Duration,
        _poll_interval: Duration,
    ) -> Result<EventEnvelope, EventBusError> {
        let deadline = Instant::now() + timeout;
        let mut cursor = offset.to_string();
        let mut own = self.connect()?;
        let mut block = None;
        loop {
            let entries = self.read(&cursor, block.map(|b| (b, &mut own)))?;
            let mut found = None;
            self.entries(&entries, &[topic], &mut |s| match s {
                Scanned::Event(raw) if found.is_none() => {
                    found = raw.to_envelope().ok().filter(|e| predicate(e));
                }
                _ => {}
            });
            if let Some(event) = found {
                return Ok(event);
            }
            if let Some(last) = entries.last() {
                cursor.clone_from(&last.id);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            // A blocking read that came back empty waited out the time.
            if left.is_zero() || (block.is_some() && entries.is_empty()) {
                return Err(EventBusError::Timeout {
                    topic: topic.to_string(),
                });
            }
            block = Some(left);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_server_and_a_stream() {
        assert_eq!(
            split_url("redis://127.0.0.1:6379/runs").unwrap(),
            ("redis://127.0.0.1:6379/".into(), "runs".into())
        );
        assert_eq!(
            split_url("redis://:pw@h/a/b").unwrap(),
            ("redis://:pw@h/".into(), "a/b".into())
        );
        for bad in [
            "redis://h:1",
            "redis://h:1/",
            "http://h/s",
            "redis:///s",
            "redis://h/s?x",
        ] {
            assert!(split_url(bad).is_err(), "{bad}");
        }
    }
}

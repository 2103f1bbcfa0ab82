//! The file backend: the Python WebRunner's `EventBus(log_path, sender)`, one JSON line per
//! event appended to one file that any number of processes — ours and Python's — share.
//!
//! Each publish is one `O_APPEND` write of whole lines (retried to completion on a short
//! write) under an advisory lock (`flock`, through std's `File::lock`) and this process's own
//! mutex, so concurrent publishers never interleave. Offsets are byte offsets; a poll returns
//! the offset after the last complete line, so a line being written is read whole later.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::envelope::{check_topic, EventEnvelope};
use crate::error::EventBusError;
use crate::scan::{scan_file, Scanned, Strict};
use crate::{Bus, Polled};

/// A bus on one file; see the module documentation. The file is created (with its folder) on
/// the first publish and then stays open for appending.
#[derive(Debug)]
pub struct EventBus {
    path: PathBuf,
    sender: Option<String>,
    file: Mutex<Option<File>>,
}

impl EventBus {
    /// The bus in file `log_path`, publishing as `sender` (`null` when `None`).
    pub fn new(log_path: impl Into<PathBuf>, sender: Option<&str>) -> EventBus {
        EventBus {
            path: log_path.into(),
            sender: sender.map(str::to_string),
            file: Mutex::new(None),
        }
    }

    /// The bus file.
    pub fn log_path(&self) -> &Path {
        &self.path
    }

    /// Publishes one event: an empty topic is refused.
    pub fn publish(
        &self,
        topic: &str,
        payload: Map<String, Value>,
    ) -> Result<EventEnvelope, EventBusError> {
        check_topic(topic)?;
        let envelope = EventEnvelope::new(topic, payload, self.sender.as_deref());
        let mut line = Vec::with_capacity(128);
        envelope.push_json_line(&mut line);
        self.append(&line)?;
        Ok(envelope)
    }

    /// Appends whole lines (each one event, newline-terminated, e.g. from
    /// [`push_new_line`](crate::push_new_line)) in one write under the lock.
    pub fn append(&self, lines: &[u8]) -> Result<(), EventBusError> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut slot = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(self.open_append()?);
        }
        let Some(file) = slot.as_ref() else {
            return Ok(());
        };
        // Where the platform has no advisory lock, O_APPEND alone keeps writes whole.
        let locked = file.lock().is_ok();
        // write_all goes on after a short write and after EINTR.
        let written = (&*file).write_all(lines);
        if locked {
            let _ = file.unlock();
        }
        written.map_err(|e| EventBusError::io(&self.path, &e))
    }

    fn open_append(&self) -> Result<File, EventBusError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| EventBusError::io(dir, &e))?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
        options
            .open(&self.path)
            .map_err(|e| EventBusError::io(&self.path, &e))
    }

    /// Every event from byte `offset` on (of `topics`, when not empty). A corrupt complete
    /// line is an error naming its byte offset; a half-written last line is left for later.
    pub fn poll(&self, offset: u64, topics: &[&str]) -> Result<Vec<EventEnvelope>, EventBusError> {
        Ok(self.poll_next(offset, topics)?.events)
    }

    /// [`EventBus::poll`], with the offset after the last complete line: poll from there
    /// next.
    pub fn poll_next(&self, offset: u64, topics: &[&str]) -> Result<Polled<u64>, EventBusError> {
        let mut strict = Strict::default();
        let next = self.scan(offset, topics, &mut |s| strict.take(s))?;
        strict.finish(next)
    }

    /// Scans from byte `offset`: every whole event of `topics` (all when empty) and every
    /// corrupt line, in file order, without stopping at the corrupt ones; returns the offset
    /// after the last complete line.
    pub fn scan(
        &self,
        offset: u64,
        topics: &[&str],
        on: &mut dyn FnMut(Scanned<'_>),
    ) -> Result<u64, EventBusError> {
        scan_file(&self.path, offset, topics, on)
    }

    /// The file's size (0 when it does not exist yet).
    pub fn current_offset(&self) -> Result<u64, EventBusError> {
        match std::fs::metadata(&self.path) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(EventBusError::io(&self.path, &e)),
        }
    }

    /// Waits for the first event of `topic` from byte `offset` on that `predicate` accepts.
    /// Wakes when the file changes (inotify where available) and every `poll_interval`
    /// anyway; reads on from the offset its last read ended at, so nothing written between a
    /// read and the wait is skipped. Once the time is up nothing more is read. Corrupt lines cannot be the awaited event and are passed
    /// over.
    pub fn wait_for(
        &self,
        topic: &str,
        offset: u64,
        predicate: &dyn Fn(&EventEnvelope) -> bool,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<EventEnvelope, EventBusError> {
        let deadline = Instant::now() + timeout;
        // Watching starts before the first read: a change after it always wakes the wait.
        let watch = Watch::new(&self.path);
        let mut cursor = offset;
        loop {
            let mut found = None;
            cursor = self.scan(cursor, &[topic], &mut |s| match s {
                Scanned::Event(raw) if found.is_none() => {
                    found = raw.to_envelope().ok().filter(|e| predicate(e));
                }
                _ => {}
            })?;
            if let Some(event) = found {
                return Ok(event);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(EventBusError::Timeout {
                    topic: topic.to_string(),
                });
            }
            let nap = left.min(poll_interval.max(Duration::from_millis(1)));
            match &watch {
                Some(w) => w.wait(nap),
                None => std::thread::sleep(nap),
            }
            // As in the Python WebRunner, nothing is read once the time is up.
            if Instant::now() >= deadline {
                return Err(EventBusError::Timeout {
                    topic: topic.to_string(),
                });
            }
        }
    }
}

/// Wakes a waiter when the bus file changes: an inotify watch of its folder, filtered to
/// the file. While the folder does not exist yet, its nearest existing ancestor is watched
/// instead, and the watch moves down once the folder appears.
struct Watch {
    watcher: Mutex<(notify::RecommendedWatcher, PathBuf)>,
    dir: PathBuf,
    changed: mpsc::Receiver<()>,
}

impl Watch {
    fn new(path: &Path) -> Option<Watch> {
        use notify::Watcher as _;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let target = dir.join(path.file_name()?);
        let (tx, changed) = mpsc::channel();
        // The file itself, or a folder on the way to it.
        let mut watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
            let ours = e.map_or(true, |e| {
                e.paths.is_empty() || e.paths.iter().any(|p| target.starts_with(p))
            });
            if ours {
                let _ = tx.send(());
            }
        })
        .ok()?;
        let watching = dir.ancestors().find(|d| d.is_dir())?.to_path_buf();
        watcher
            .watch(&watching, notify::RecursiveMode::NonRecursive)
            .ok()?;
        Some(Watch {
            watcher: Mutex::new((watcher, watching)),
            dir,
            changed,
        })
    }

    /// Waits for a change, `most` at most, then forgets the changes already queued (the
    /// next read sees them all).
    fn wait(&self, most: Duration) {
        use notify::Watcher as _;
        let _ = self.changed.recv_timeout(most);
        while self.changed.try_recv().is_ok() {}
        let mut w = self.watcher.lock().unwrap_or_else(PoisonError::into_inner);
        let (watcher, watching) = &mut *w;
        if *watching != self.dir && self.dir.is_dir() {
            let _ = watcher.unwatch(watching);
            if watcher
                .watch(&self.dir, notify::RecursiveMode::NonRecursive)
                .is_ok()
            {
                watching.clone_from(&self.dir);
            }
        }
    }
}

impl Bus for EventBus {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn sender(&self) -> Option<&str> {
        self.sender.as_deref()
    }

    fn publish(
        &self,
        topic: &str,
        payload: Map<String, Value>,
    ) -> Result<EventEnvelope, EventBusError> {
        EventBus::publish(self, topic, payload)
    }

    fn publish_lines(&self, lines: &[u8]) -> Result<(), EventBusError> {
        self.append(lines)
    }

    fn scan(
        &self,
        offset: &str,
        topics: &[&str],
        on: &mut dyn FnMut(Scanned<'_>),
    ) -> Result<String, EventBusError> {
        let offset = byte_offset(offset)?;
        Ok(EventBus::scan(self, offset, topics, on)?.to_string())
    }

    fn current_offset(&self) -> Result<String, EventBusError> {
        Ok(EventBus::current_offset(self)?.to_string())
    }

    fn wait_for(
        &self,
        topic: &str,
        offset: &str,
        predicate: &dyn Fn(&EventEnvelope) -> bool,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<EventEnvelope, EventBusError> {
        let offset = byte_offset(offset)?;
        EventBus::wait_for(self, topic, offset, predicate, timeout, poll_interval)
    }
}

fn byte_offset(offset: &str) -> Result<u64, EventBusError> {
    offset.parse().map_err(|_| EventBusError::BadOffset {
        offset: offset.to_string(),
        message: "a bus file's offsets are byte counts (0 is the start)".into(),
    })
}

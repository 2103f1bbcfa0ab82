//! What only the file backend has: byte offsets, corrupt lines named by their offset, a
//! half-written last line, and many publishers on one file.

use std::io::Write as _;
use std::sync::Arc;

use serde_json::json;
use webrunner_bus::{payload_object, EventBus, EventBusError, Scanned};

fn bus_in(dir: &tempfile::TempDir) -> EventBus {
    EventBus::new(dir.path().join("bus.log"), Some("rs"))
}

fn append(bus: &EventBus, bytes: &[u8]) {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(bus.log_path())
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

#[test]
fn a_missing_file_is_an_empty_bus() {
    let dir = tempfile::tempdir().unwrap();
    let bus = bus_in(&dir);
    assert_eq!(bus.current_offset().unwrap(), 0);
    assert!(bus.poll(0, &[]).unwrap().is_empty());
    assert_eq!(bus.poll_next(0, &[]).unwrap().next_offset, 0);
}

#[test]
fn a_corrupt_complete_line_is_an_error_naming_its_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let bus = bus_in(&dir);
    let first = bus
        .publish("t", payload_object(json!({"a": 1})).unwrap())
        .unwrap();
    let at = first.to_json_line().len();
    append(&bus, b"{\"event_id\": \"x\", \"topic\": \n");
    bus.publish("t", payload_object(json!({"a": 2})).unwrap())
        .unwrap();
    let err = bus.poll(0, &[]).unwrap_err();
    let EventBusError::Corrupt {
        location, resume, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(location, &format!("line at byte {at}"));
    assert!(
        err.to_string()
            .starts_with(&format!("corrupt line at byte {at}: ")),
        "{err}"
    );
    // Reading on from where the error says gets the rest.
    let rest = bus.poll(resume.parse().unwrap(), &[]).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].payload["a"], 2);
    // A scan passes over it and says so.
    let (mut events, mut corrupt) = (0, 0);
    bus.scan(0, &[], &mut |s| match s {
        Scanned::Event(_) => events += 1,
        Scanned::Corrupt(_) => corrupt += 1,
    })
    .unwrap();
    assert_eq!((events, corrupt), (2, 1));
}

#[test]
fn a_half_written_last_line_is_not_an_error_and_poll_stops_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let bus = bus_in(&dir);
    bus.publish("t", payload_object(json!({})).unwrap())
        .unwrap();
    let whole = bus.current_offset().unwrap();
    let late =
        webrunner_bus::EventEnvelope::new("t", payload_object(json!({"late": 1})).unwrap(), None);
    let line = late.to_json_line();
    let (head, tail) = line.split_at(25);
    append(&bus, head.as_bytes());
    let polled = bus.poll_next(0, &[]).unwrap();
    assert_eq!((polled.events.len(), polled.next_offset), (1, whole));
    // The writer finishes its line: the event is read whole from the returned offset.
    append(&bus, tail.as_bytes());
    assert_eq!(bus.poll(polled.next_offset, &[]).unwrap(), [late]);
}

#[test]
fn a_line_torn_by_a_killed_writer_is_corrupt_but_the_events_after_it_are_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let bus = bus_in(&dir);
    let torn =
        webrunner_bus::EventEnvelope::new("t", payload_object(json!({"n": 0})).unwrap(), None);
    append(&bus, &torn.to_json_line().as_bytes()[..40]);
    let after = bus
        .publish("t", payload_object(json!({"n": 1})).unwrap())
        .unwrap();
    let mut seen = vec![];
    let mut corrupt = vec![];
    bus.scan(0, &[], &mut |s| match s {
        Scanned::Event(e) => seen.push(e.event_id.to_string()),
        Scanned::Corrupt(e) => corrupt.push(e.to_string()),
    })
    .unwrap();
    assert_eq!(seen, std::slice::from_ref(&after.event_id));
    assert_eq!(corrupt.len(), 1);
    assert!(
        corrupt[0].starts_with("corrupt line at byte 0:"),
        "{}",
        corrupt[0]
    );
    // The strict poll names it and resumes at the whole event glued behind it.
    let Err(EventBusError::Corrupt { resume, .. }) = bus.poll(0, &[]) else {
        panic!("a torn line is an error")
    };
    assert_eq!(resume, "40");
    assert_eq!(bus.poll(40, &[]).unwrap(), [after]);
}

#[test]
fn threads_with_their_own_handles_never_interleave_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.log");
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let bus = Arc::new(EventBus::new(&path, Some(&format!("w{w}"))));
            std::thread::spawn(move || {
                for i in 0..2000 {
                    let pad = "x".repeat(i % 700);
                    bus.publish("t", payload_object(json!({"i": i, "pad": pad})).unwrap())
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let events = EventBus::new(&path, None).poll(0, &[]).unwrap();
    assert_eq!(events.len(), 16_000);
    let ids: std::collections::HashSet<_> = events.iter().map(|e| &e.event_id).collect();
    assert_eq!(ids.len(), 16_000);
}

#[test]
fn offsets_that_are_not_byte_counts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bus = bus_in(&dir);
    let err = webrunner_bus::Bus::poll(&bus, "12-0", &[]).unwrap_err();
    assert!(matches!(err, EventBusError::BadOffset { .. }), "{err}");
}

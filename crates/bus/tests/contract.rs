//! The same publish / poll / wait tests on both backends: a bus file and a Redis stream
//! (a real `redis-server` on a free loopback port).

mod common;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use webrunner_bus::{open_bus, payload_object, push_new_line, Bus, EventBusError, Scanned};

/// Runs `test` on a fresh bus file and on a fresh Redis stream.
fn on_both(name: &str, test: impl Fn(Arc<dyn Bus>)) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub").join("bus.log");
    test(Arc::from(
        open_bus(file.to_str().unwrap(), Some("rs")).unwrap(),
    ));
    if let Some(redis) = common::redis() {
        let url = redis.url(&common::fresh_stream(name));
        test(Arc::from(open_bus(&url, Some("rs")).unwrap()));
    }
}

fn obj(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    payload_object(v).unwrap()
}

#[test]
fn published_events_are_polled_in_order_once_from_the_returned_offset() {
    on_both("order", |bus| {
        let start = bus.current_offset().unwrap();
        let a = bus.publish("a", obj(json!({"n": 1}))).unwrap();
        let b = bus.publish("b", obj(json!({"n": 2, "s": "ü\n"}))).unwrap();
        let c = bus.publish("a", obj(json!(null))).unwrap();
        let all = bus.poll_next(&start, &[]).unwrap();
        let ids: Vec<_> = all.events.iter().map(|e| &e.event_id).collect();
        assert_eq!(
            ids,
            [&a.event_id, &b.event_id, &c.event_id],
            "{}",
            bus.describe()
        );
        assert_eq!(all.events[1], b);
        assert_eq!(all.events[2].payload.len(), 0);
        assert_eq!(all.events[0].sender.as_deref(), Some("rs"));
        assert_eq!(all.next_offset, bus.current_offset().unwrap());
        let only_a = bus.poll(&start, &["a"]).unwrap();
        assert_eq!(only_a.len(), 2);
        assert!(only_a.iter().all(|e| e.topic == "a"));
        assert!(bus.poll(&all.next_offset, &[]).unwrap().is_empty());
        let d = bus.publish("a", obj(json!({}))).unwrap();
        assert_eq!(bus.poll(&all.next_offset, &[]).unwrap(), [d]);
    });
}

#[test]
fn an_empty_topic_and_a_payload_that_is_not_an_object_are_refused() {
    on_both("refused", |bus| {
        assert_eq!(
            bus.publish("", obj(json!({}))),
            Err(EventBusError::EmptyTopic)
        );
        let mut line = Vec::new();
        assert_eq!(
            push_new_line(&mut line, "t", "[1, 2]", None),
            Err(EventBusError::PayloadNotObject("a list"))
        );
        assert_eq!(
            payload_object(json!("x")),
            Err(EventBusError::PayloadNotObject("a string"))
        );
        assert!(line.is_empty());
        assert!(bus.poll("0", &[]).unwrap().is_empty());
    });
}

#[test]
fn lines_published_together_are_events_each() {
    on_both("lines", |bus| {
        let mut lines = Vec::new();
        let ids: Vec<String> = (0..100)
            .map(|i| {
                push_new_line(&mut lines, "bulk", &format!("{{\"i\": {i}}}"), Some("x")).unwrap()
            })
            .collect();
        bus.publish_lines(&lines).unwrap();
        let got = bus.poll("0", &["bulk"]).unwrap();
        assert_eq!(
            got.iter().map(|e| e.event_id.clone()).collect::<Vec<_>>(),
            ids
        );
        assert_eq!(got[99].payload["i"], 99);
        let mut text = Vec::new();
        bus.scan("0", &[], &mut |s| match s {
            Scanned::Event(e) => e.push_json_line(&mut text),
            Scanned::Corrupt(e) => panic!("{e}"),
        })
        .unwrap();
        assert_eq!(text, lines, "read back byte for byte");
    });
}

#[test]
fn wait_for_returns_a_matching_event_already_there() {
    on_both("there", |bus| {
        bus.publish("job", obj(json!({"n": 1}))).unwrap();
        bus.publish("job", obj(json!({"n": 2}))).unwrap();
        let found = bus
            .wait_for(
                "job",
                "0",
                &|e| e.payload["n"] == 2,
                Duration::from_secs(5),
                Duration::from_millis(100),
            )
            .unwrap();
        assert_eq!(found.payload["n"], 2);
    });
}

/// The wait's polling interval is longer than its time-out: it can only see the later
/// event by waking on the change (inotify on a file, `XREAD BLOCK` on Redis), since nothing
/// is read once the time is up.
#[test]
fn wait_for_wakes_on_a_later_publish_not_on_its_poll_interval() {
    on_both("wake", |bus| {
        let from = bus.current_offset().unwrap();
        let publisher = {
            let bus = bus.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                bus.publish("other", obj(json!({}))).unwrap();
                bus.publish("ready", obj(json!({"ok": true}))).unwrap();
            })
        };
        let got = bus.wait_for(
            "ready",
            &from,
            &|_| true,
            Duration::from_secs(20),
            Duration::from_secs(3600),
        );
        publisher.join().unwrap();
        assert_eq!(got.unwrap().payload["ok"], true, "{}", bus.describe());
    });
}

#[test]
fn wait_for_never_skips_an_event_written_while_it_reads() {
    on_both("skip", |bus| {
        let from = bus.current_offset().unwrap();
        let n = 3000;
        // Waiters for events spread over the stream, all reading while it is written: each
        // goes through many read-then-wait rounds, and an event published between a read
        // and the next wait that was skipped would leave its waiter timing out.
        let waiters: Vec<_> = (0..n)
            .step_by(150)
            .chain([n - 1])
            .map(|k| {
                let (bus, from) = (bus.clone(), from.clone());
                std::thread::spawn(move || {
                    bus.wait_for(
                        "tick",
                        &from,
                        &|e| e.payload["i"] == k,
                        Duration::from_secs(30),
                        Duration::from_millis(20),
                    )
                    .map(|e| e.payload["i"].clone())
                })
            })
            .collect();
        for i in 0..n {
            bus.publish("tick", obj(json!({"i": i}))).unwrap();
        }
        let found: Vec<_> = waiters.into_iter().map(|w| w.join().unwrap()).collect();
        let expected: Vec<_> = (0..n)
            .step_by(150)
            .chain([n - 1])
            .map(|k| Ok(json!(k)))
            .collect();
        assert_eq!(found, expected, "{}", bus.describe());
    });
}

#[test]
fn wait_for_times_out_naming_the_topic() {
    on_both("timeout", |bus| {
        bus.publish("other", obj(json!({}))).unwrap();
        let err = bus
            .wait_for(
                "never",
                "0",
                &|_| true,
                Duration::from_millis(300),
                Duration::from_millis(50),
            )
            .unwrap_err();
        assert_eq!(
            err,
            EventBusError::Timeout {
                topic: "never".into()
            }
        );
    });
}

//! Progress of a run on stderr, as a run sink: a bar with the running step on a terminal,
//! otherwise one line per finished action (so CI logs show each step). Actions are numbered
//! `#<index>` with the 0-based index of their record, and every name, URL and error from
//! the flow or the page is escaped, so nothing in them can steer the terminal.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};
use webrunner::terminal::escape_for_terminal;
use webrunner::{Record, Status};
use webrunner_record::{RunEvent, RunSink, SinkError};

/// Where progress goes.
enum Output {
    /// A bar on a terminal; failures, retries and flaky passes are printed above it.
    Bar(ProgressBar),
    /// Plain lines.
    Lines(Box<dyn Write + Send>),
}

/// The progress sink.
pub struct Progress {
    out: Output,
}

impl Progress {
    /// A bar when stderr is a terminal, lines otherwise.
    pub fn new() -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress::lines(std::io::stderr());
        }
        let bar = ProgressBar::new(0);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed_precise} {wide_msg}")
        {
            bar.set_style(style);
        }
        Progress {
            out: Output::Bar(bar),
        }
    }

    /// Plain lines to `w`.
    pub fn lines(w: impl Write + Send + 'static) -> Progress {
        Progress {
            out: Output::Lines(Box::new(w)),
        }
    }

    fn print(&mut self, line: &str) -> Result<(), SinkError> {
        match &mut self.out {
            Output::Bar(bar) => bar.println(line),
            Output::Lines(w) => writeln!(w, "{line}")?,
        }
        Ok(())
    }
}

impl RunSink for Progress {
    fn name(&self) -> String {
        "progress".into()
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        if let Output::Bar(bar) = &self.out {
            match event {
                RunEvent::FlowStarted { planned, .. } => {
                    bar.set_length(*planned as u64);
                    bar.set_position(0);
                }
                RunEvent::ActionStarted { index, command, .. } => {
                    bar.set_message(format!("#{index} {}", escape_for_terminal(command)));
                }
                RunEvent::ActionFinished { record } => {
                    bar.inc(1);
                    if !record.failed() && !record.flaky {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        match line(event) {
            Some(l) => self.print(&l),
            None => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        match &mut self.out {
            Output::Bar(bar) => bar.finish_and_clear(),
            Output::Lines(w) => w.flush()?,
        }
        Ok(())
    }
}

/// The line printed for `event`, if it gets one.
fn line(event: &RunEvent) -> Option<String> {
    match event {
        RunEvent::FlowStarted { flow, planned } => Some(format!(
            "flow {} ({planned} actions)",
            escape_for_terminal(flow)
        )),
        RunEvent::AttemptFinished {
            index,
            command,
            attempt,
            will_retry: true,
            ..
        } => Some(format!(
            "  ↻ #{index} {} attempt {} failed: {}",
            escape_for_terminal(command),
            attempt.attempt,
            first_line(attempt.error.as_deref().unwrap_or("(no error text)"))
        )),
        RunEvent::ActionFinished { record } => Some(finished(record)),
        _ => None,
    }
}

/// `✓ #3 WR_title 12 ms`, `✗ #4 WR_assert_text 5012 ms: …`, `✗ #5 WR_title: not run: …`.
fn finished(r: &Record) -> String {
    let mark = match (r.status, r.flaky) {
        (Status::Passed, false) => "✓",
        (Status::Passed, true) => "✓ (flaky)",
        (Status::Failed, _) => "✗",
    };
    let command = escape_for_terminal(&r.command);
    // An action never run has no time; its error says why it did not run.
    let mut line = if r.attempts == 0 {
        format!("  {mark} #{} {command}", r.index)
    } else {
        format!("  {mark} #{} {command} {:.0} ms", r.index, r.duration_ms)
    };
    if let Some(e) = &r.error {
        line.push_str(": ");
        line.push_str(&first_line(e));
    }
    line
}

/// The first line of `s`, escaped for the terminal.
fn first_line(s: &str) -> String {
    escape_for_terminal(s.lines().next().unwrap_or(s)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use webrunner_record::{Summary, Try};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            let bytes = self.0.lock().map(|v| v.clone()).unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }

    fn attempt(n: u32, status: Status, error: Option<&str>) -> Try {
        Try {
            attempt: n,
            started_at: "2024-01-01T00:00:00Z".into(),
            duration_ms: 10.0,
            status,
            error: error.map(String::from),
            artifacts: Default::default(),
        }
    }

    fn record(index: usize, command: &str, tries: Vec<Try>) -> Record {
        if tries.is_empty() {
            Record::not_run(
                index,
                command,
                vec![],
                Default::default(),
                "not run: the browser closed",
            )
        } else {
            Record::from_tries(index, command, vec![], Default::default(), tries)
        }
    }

    fn run(events: &[RunEvent]) -> String {
        let buf = Shared::default();
        let mut p = Progress::lines(buf.clone());
        for e in events {
            p.event(e).unwrap();
        }
        p.finish().unwrap();
        buf.text()
    }

    #[test]
    fn actions_are_numbered_by_their_record_index_everywhere() {
        let failed = attempt(1, Status::Failed, Some("element #late not found\nmore"));
        let passed = attempt(2, Status::Passed, None);
        let text = run(&[
            RunEvent::FlowStarted {
                flow: "shop.json".into(),
                planned: 2,
            },
            RunEvent::ActionStarted {
                flow: Some("shop.json".into()),
                index: 0,
                command: "WR_title".into(),
            },
            RunEvent::ActionFinished {
                record: record(0, "WR_title", vec![attempt(1, Status::Passed, None)]),
            },
            RunEvent::AttemptFinished {
                flow: Some("shop.json".into()),
                index: 1,
                command: "WR_element_click".into(),
                attempt: failed.clone(),
                will_retry: true,
            },
            RunEvent::ActionFinished {
                record: record(1, "WR_element_click", vec![failed, passed]),
            },
            RunEvent::FlowFinished {
                flow: "shop.json".into(),
                summary: Summary::default(),
                evidence: Default::default(),
            },
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "flow shop.json (2 actions)",
                "  ✓ #0 WR_title 10 ms",
                "  ↻ #1 WR_element_click attempt 1 failed: element #late not found",
                "  ✓ (flaky) #1 WR_element_click 20 ms",
            ]
        );
    }

    #[test]
    fn failed_and_never_run_actions_show_their_error() {
        let text = run(&[
            RunEvent::ActionFinished {
                record: record(
                    4,
                    "WR_assert_text",
                    vec![attempt(1, Status::Failed, Some("expected 'a'"))],
                ),
            },
            RunEvent::ActionFinished {
                record: record(5, "WR_title", vec![]),
            },
        ]);
        assert!(
            text.contains("  ✗ #4 WR_assert_text 10 ms: expected 'a'\n"),
            "{text}"
        );
        assert!(
            text.contains("  ✗ #5 WR_title: not run: the browser closed\n"),
            "{text}"
        );
    }

    #[test]
    fn control_characters_in_names_and_errors_are_printed_escaped() {
        let evil = "WR_\u{1b}]0;owned\u{7}\u{1b}[2J";
        let text = run(&[
            RunEvent::FlowStarted {
                flow: "a\u{1b}[31m.json".into(),
                planned: 1,
            },
            RunEvent::AttemptFinished {
                flow: None,
                index: 0,
                command: evil.into(),
                attempt: attempt(1, Status::Failed, Some("at https://x/\u{9b}1m\u{202e}")),
                will_retry: true,
            },
            RunEvent::ActionFinished {
                record: record(
                    0,
                    evil,
                    vec![attempt(1, Status::Failed, Some("bad\u{1b}[0m"))],
                ),
            },
        ]);
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        assert!(text.contains("flow a\\x1b[31m.json"), "{text}");
        assert!(text.contains("#0 WR_\\x1b]0;owned\\x07\\x1b[2J"), "{text}");
        assert!(text.contains("https://x/\\u{9b}1m\\u{202e}"), "{text}");
        assert_eq!(text.lines().count(), 3, "{text}");
    }
}

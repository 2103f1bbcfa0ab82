//! Progress of a run on stderr: a bar with the running step on a terminal, otherwise one
//! line per finished action (so CI logs show each step).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use webrunner::{Record, RunObserver, Status};

/// The progress sink.
pub struct Progress {
    bar: Option<ProgressBar>,
    planned: Mutex<usize>,
}

impl Progress {
    /// A bar when stderr is a terminal, lines otherwise.
    pub fn new() -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed_precise} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            planned: Mutex::new(0),
        }
    }
}

impl RunObserver for Progress {
    fn flow_started(&self, flow: &str, planned: usize) {
        if let Ok(mut p) = self.planned.lock() {
            *p = planned;
        }
        match &self.bar {
            Some(bar) => {
                bar.set_length(planned as u64);
                bar.set_position(0);
                bar.println(format!("flow {flow}"));
            }
            None => eprintln!("flow {flow} ({planned} actions)"),
        }
    }

    fn action_started(&self, index: usize, command: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("#{index} {command}"));
        }
    }

    fn attempt_failed(&self, index: usize, attempt: u32, error: &str) {
        let line = format!(
            "  ↻ #{index} attempt {attempt} failed: {}",
            first_line(error)
        );
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn action_finished(&self, r: &Record) {
        let planned = self.planned.lock().map(|p| *p).unwrap_or(0);
        let mark = match (r.status, r.flaky) {
            (Status::Passed, false) => "✓",
            (Status::Passed, true) => "✓ (flaky)",
            (Status::Failed, _) => "✗",
        };
        let mut line = format!(
            "  {mark} [{}/{planned}] {} {:.0} ms",
            r.index + 1,
            r.command,
            r.duration_ms
        );
        if let Some(e) = &r.error {
            line.push_str(&format!(": {}", first_line(e)));
        }
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                if r.failed() || r.flaky {
                    bar.println(line);
                }
            }
            None => eprintln!("{line}"),
        }
    }

    fn flow_finished(&self, _flow: &str, _records: &[Record]) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

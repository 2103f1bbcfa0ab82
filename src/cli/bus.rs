//! `webrunner bus publish|poll|wait BUS …`: the event bus (SPEC §10) from the shell, BUS being
//! a file shared with Python WebRunner processes or a `redis://host:port/stream` URL.

use std::io::{Read as _, Write as _};

use anyhow::Context as _;
use webrunner::bus::{open_bus, push_new_line, Bus, EventBusError, Scanned};

use super::{EXIT_FAILED, EXIT_OK};

/// Arguments of `webrunner bus`.
#[derive(Debug, clap::Args)]
pub struct BusArgs {
    #[command(subcommand)]
    pub command: BusCommand,
}

/// What to do on the bus.
#[derive(Debug, clap::Subcommand)]
pub enum BusCommand {
    /// Publish one event (printed as its bus line), or with --lines one event per JSON
    /// object read from standard input, as the input comes.
    Publish {
        /// A bus file or redis://host:port/stream.
        bus: String,
        /// The events' topic.
        topic: String,
        /// The payload: a JSON object (default {}).
        #[arg(conflicts_with = "lines")]
        payload: Option<String>,
        /// One event per line of standard input, each a JSON object.
        #[arg(long)]
        lines: bool,
        /// The events' sender.
        #[arg(long, default_value = "webrunner")]
        sender: String,
    },
    /// Print the events after an offset as JSON lines, then the offset to poll from next on
    /// standard error (`next offset N`). Exit 1 when a corrupt line was passed over (each is
    /// named on standard error with its byte offset).
    Poll {
        /// A bus file or redis://host:port/stream.
        bus: String,
        /// Where to start: a byte offset of the file or a stream id (0: the start; `end`:
        /// only what comes later).
        #[arg(long, default_value = "0")]
        offset: String,
        /// Only events of this topic (repeatable).
        #[arg(long = "topic", value_name = "TOPIC")]
        topics: Vec<String>,
    },
    /// Wait for an event of TOPIC after an offset and print it as JSON; exit 1 on time-out.
    Wait {
        /// A bus file or redis://host:port/stream.
        bus: String,
        /// The awaited topic.
        topic: String,
        /// Where to start: a byte offset of the file or a stream id (0: the start; `end`:
        /// only what comes later).
        #[arg(long, default_value = "0")]
        offset: String,
        /// Seconds to wait at most.
        #[arg(long, default_value_t = 30.0, allow_negative_numbers = true)]
        timeout: f64,
        /// Seconds between reads when the file's changes cannot be watched.
        #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
        poll_interval: f64,
    },
}

/// Runs `webrunner bus`.
pub fn execute(args: BusArgs) -> anyhow::Result<u8> {
    match args.command {
        BusCommand::Publish {
            bus,
            topic,
            payload,
            lines,
            sender,
        } => {
            let bus = open_bus(&bus, Some(&sender))?;
            if lines {
                publish_stdin(bus.as_ref(), &topic, &sender)
            } else {
                let payload = payload.as_deref().unwrap_or("{}");
                let mut line = Vec::new();
                push_new_line(&mut line, &topic, payload, Some(&sender))?;
                bus.publish_lines(&line)?;
                std::io::stdout().write_all(&line)?;
                Ok(EXIT_OK)
            }
        }
        BusCommand::Poll {
            bus,
            offset,
            topics,
        } => {
            let bus = open_bus(&bus, None)?;
            let offset = resolve(bus.as_ref(), &offset)?;
            let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
            poll(bus.as_ref(), &offset, &topics)
        }
        BusCommand::Wait {
            bus,
            topic,
            offset,
            timeout,
            poll_interval,
        } => {
            let timeout = super::seconds("timeout", timeout)?;
            let interval = super::seconds("poll-interval", poll_interval)?;
            let bus = open_bus(&bus, None)?;
            let offset = resolve(bus.as_ref(), &offset)?;
            match bus.wait_for(&topic, &offset, &|_| true, timeout, interval) {
                Ok(event) => {
                    print!("{}", event.to_json_line());
                    Ok(EXIT_OK)
                }
                Err(e @ EventBusError::Timeout { .. }) => {
                    eprintln!("webrunner: {e} for {:.1} s", timeout.as_secs_f64());
                    Ok(EXIT_FAILED)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// `end` is the bus's current end; anything else is the backend's own offset.
fn resolve(bus: &dyn Bus, offset: &str) -> anyhow::Result<String> {
    Ok(match offset {
        "end" => bus.current_offset()?,
        other => other.to_string(),
    })
}

/// Publishes one event per line of standard input, everything read at once together, and
/// prints their lines. A line that is not a JSON object stops it (what came before is
/// published).
fn publish_stdin(bus: &dyn Bus, topic: &str, sender: &str) -> anyhow::Result<u8> {
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut input = vec![0u8; 1 << 18];
    let (mut filled, mut line_no) = (0usize, 0usize);
    let mut batch = Vec::with_capacity(1 << 19);
    loop {
        if filled == input.len() {
            input.resize(input.len() * 2, 0);
        }
        let n = match stdin.read(&mut input[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading standard input"),
        };
        let eof = n == 0;
        filled += n;
        let mut start = 0;
        let ends = memchr_lines(&input[..filled], eof);
        let mut bad = None;
        for end in ends {
            line_no += 1;
            let line = input[start..end].trim_ascii();
            start = (end + 1).min(filled);
            if line.is_empty() {
                continue;
            }
            let pushed = std::str::from_utf8(line)
                .map_err(|_| EventBusError::PayloadNotObject("text that is not UTF-8"))
                .and_then(|text| push_new_line(&mut batch, topic, text, Some(sender)));
            if let Err(e) = pushed {
                bad = Some(e);
                break;
            }
        }
        bus.publish_lines(&batch)?;
        stdout.write_all(&batch)?;
        batch.clear();
        if let Some(e) = bad {
            anyhow::bail!(
                "standard input line {line_no}: {e} (the lines before it were published)"
            );
        }
        if eof {
            stdout.flush()?;
            return Ok(EXIT_OK);
        }
        input.copy_within(start..filled, 0);
        filled -= start;
    }
}

/// The end of each complete line of `bytes`, and at the end of input the end of a last line
/// without its newline.
fn memchr_lines(bytes: &[u8], eof: bool) -> Vec<usize> {
    let mut ends: Vec<usize> = memchr::memchr_iter(b'\n', bytes).collect();
    let last = ends.last().map_or(0, |&e| e + 1);
    if eof && last < bytes.len() {
        ends.push(bytes.len());
    }
    ends
}

/// Prints the events after `offset` as their lines, the next offset last on stderr.
fn poll(bus: &dyn Bus, offset: &str, topics: &[&str]) -> anyhow::Result<u8> {
    let mut stdout = std::io::stdout().lock();
    let mut out = Vec::with_capacity(1 << 20);
    let mut failed: Option<std::io::Error> = None;
    let mut corrupt = 0usize;
    let next = bus.scan(offset, topics, &mut |s| match s {
        Scanned::Event(e) => {
            e.push_json_line(&mut out);
            if out.len() >= 1 << 20 && failed.is_none() {
                failed = stdout.write_all(&out).err();
                out.clear();
            }
        }
        Scanned::Corrupt(e) => {
            corrupt += 1;
            eprintln!(
                "webrunner: {}",
                webrunner::terminal::escape_for_terminal(&e.to_string())
            );
        }
    })?;
    if let Some(e) = failed {
        return Err(e).context("writing standard output");
    }
    stdout.write_all(&out)?;
    stdout.flush()?;
    eprintln!("next offset {next}");
    Ok(if corrupt > 0 { EXIT_FAILED } else { EXIT_OK })
}

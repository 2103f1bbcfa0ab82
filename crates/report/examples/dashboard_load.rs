//! Bounded load on a running dashboard: N keep-alive clients request `/records` (or another
//! path) for a fixed time; prints one `metric<TAB>value<TAB>unit<TAB>note` line per result.
//!
//! Usage: `dashboard_load URL [--clients N] [--seconds S] [--expect-total T]`
//! Every answer must be `200` with a body as long as its `Content-Length`, that is a
//! `/records` payload (and, with `--expect-total`, says `"total":T`); anything else counts as
//! an error. Exits 1 when there was any error.

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Options {
    host: String,
    path: String,
    clients: usize,
    seconds: f64,
    expect_total: Option<u64>,
}

fn usage(why: &str) -> ! {
    eprintln!("dashboard_load: {why}\nusage: dashboard_load http://HOST:PORT/records [--clients N] [--seconds S] [--expect-total T]");
    std::process::exit(2)
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| usage("no URL"));
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| usage("the URL must start with http://"));
    let (host, path) = match rest.find('/') {
        Some(at) => (rest[..at].to_string(), rest[at..].to_string()),
        None => (rest.to_string(), "/records".to_string()),
    };
    let mut o = Options {
        host,
        path,
        clients: 50,
        seconds: 10.0,
        expect_total: None,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--clients" => {
                o.clients = value
                    .parse()
                    .unwrap_or_else(|_| usage("--clients: not a number"))
            }
            "--seconds" => {
                o.seconds = value
                    .parse()
                    .unwrap_or_else(|_| usage("--seconds: not a number"))
            }
            "--expect-total" => {
                o.expect_total = Some(
                    value
                        .parse()
                        .unwrap_or_else(|_| usage("--expect-total: not a number")),
                )
            }
            other => usage(&format!("unknown option {other}")),
        }
    }
    o
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    errors: u64,
    bytes: u64,
    first_error: Option<String>,
}

/// One request on an open keep-alive connection; returns the body length.
async fn one(conn: &mut BufReader<TcpStream>, o: &Options, needle: &[u8]) -> Result<usize, String> {
    let request = format!("GET {} HTTP/1.1\r\nHost: {}\r\n\r\n", o.path, o.host);
    conn.get_mut()
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut line = String::new();
    conn.read_line(&mut line)
        .await
        .map_err(|e| format!("read: {e}"))?;
    if !line.starts_with("HTTP/1.1 200") {
        return Err(format!("status line {:?}", line.trim_end()));
    }
    let mut length: Option<usize> = None;
    loop {
        line.clear();
        let n = conn
            .read_line(&mut line)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed in headers".into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().ok();
            }
        }
    }
    let length = length.ok_or("no Content-Length")?;
    let mut body = vec![0; length];
    conn.read_exact(&mut body)
        .await
        .map_err(|e| format!("body: {e}"))?;
    if !body.starts_with(b"{\"elapsed_ms\":") || !body.ends_with(b"]}") {
        return Err("body is not a /records payload".into());
    }
    if !needle.is_empty() && !body.windows(needle.len()).any(|w| w == needle) {
        return Err("body does not hold the expected total".into());
    }
    Ok(length)
}

async fn client(o: std::sync::Arc<Options>, until: Instant) -> Tally {
    let needle = o
        .expect_total
        .map(|t| format!("\"total\":{t},").into_bytes())
        .unwrap_or_default();
    let mut tally = Tally::default();
    let mut conn: Option<BufReader<TcpStream>> = None;
    while Instant::now() < until {
        if conn.is_none() {
            match TcpStream::connect(&o.host).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    conn = Some(BufReader::with_capacity(256 * 1024, s));
                }
                Err(e) => {
                    tally.errors += 1;
                    tally.first_error.get_or_insert(format!("connect: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        let t0 = Instant::now();
        match one(c, &o, &needle).await {
            Ok(n) => {
                tally.latencies_us.push(t0.elapsed().as_micros() as u64);
                tally.bytes += n as u64;
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(e);
                conn = None;
            }
        }
    }
    tally
}

fn main() {
    let o = std::sync::Arc::new(options());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| usage(&format!("no runtime: {e}")));
    let (tally, wall) = runtime.block_on(async {
        let start = Instant::now();
        let until = start + Duration::from_secs_f64(o.seconds);
        let tasks: Vec<_> = (0..o.clients)
            .map(|_| tokio::spawn(client(o.clone(), until)))
            .collect();
        let mut all = Tally::default();
        for t in tasks {
            match t.await {
                Ok(t) => {
                    all.latencies_us.extend(t.latencies_us);
                    all.errors += t.errors;
                    all.bytes += t.bytes;
                    if all.first_error.is_none() {
                        all.first_error = t.first_error;
                    }
                }
                Err(e) => {
                    all.errors += 1;
                    all.first_error.get_or_insert(format!("client task: {e}"));
                }
            }
        }
        (all, start.elapsed().as_secs_f64())
    });
    let mut lat = tally.latencies_us;
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let at = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[at] as f64 / 1000.0
    };
    let note = format!("{} clients, {:.0} s, {}", o.clients, o.seconds, o.path);
    println!("dashboard requests\t{}\tcount\t{note}", lat.len());
    println!(
        "dashboard errors\t{}\tcount\t{}",
        tally.errors,
        tally.first_error.as_deref().unwrap_or("none")
    );
    println!(
        "dashboard throughput\t{:.1}\treq/s\t{note}",
        lat.len() as f64 / wall
    );
    println!(
        "dashboard bytes served\t{:.1}\tMB/s\tbody bytes",
        tally.bytes as f64 / wall / 1e6
    );
    println!("dashboard latency p50\t{:.2}\tms\t", pct(0.50));
    println!("dashboard latency p99\t{:.2}\tms\t", pct(0.99));
    println!(
        "dashboard latency max\t{:.2}\tms\t",
        lat.last().map_or(0.0, |v| *v as f64 / 1000.0)
    );
    if tally.errors > 0 || lat.is_empty() {
        std::process::exit(1);
    }
}

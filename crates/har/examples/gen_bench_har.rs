//! Writes two related HAR 1.2 files for benchmarking `har-diff`: a left recording and a right
//! one of the "same" site with some requests removed, added, failing, slower or resized.
//!
//! Usage: `gen_bench_har LEFT.har RIGHT.har [ENTRIES] [SEED]` (default 100000 entries, seed 1).
//! Entries are Chrome-like (h2 pseudo-headers, ~10 headers each way, timings, a base64 body of
//! about 200 characters); 100k entries make a file of about 125 MB. Entries are written one at
//! a time, so generating needs little memory.
#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use webrunner_har::writer::{
    Content, Creator, Entry, Header, Log, Page, PageTimings, PostData, Request, Response,
};

/// splitmix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    /// A value in [lo, hi) with three decimals.
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        let x = lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo);
        (x * 1000.0).round() / 1000.0
    }
}

const KINDS: &[(&str, &str, &str)] = &[
    ("script", "js", "application/javascript"),
    ("stylesheet", "css", "text/css"),
    ("image", "png", "image/png"),
    ("xhr", "json", "application/json"),
    ("font", "woff2", "font/woff2"),
];

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// One request of the synthetic site.
#[derive(Clone)]
struct Spec {
    id: u64,
    method: &'static str,
    status: i64,
    time_scale: f64,
    size: i64,
}

fn url_of(spec: &Spec) -> String {
    let (_, ext, _) = KINDS[(spec.id % KINDS.len() as u64) as usize];
    format!(
        "https://www.example.com/static/m-{:06}.{ext}?v={}",
        spec.id,
        spec.id % 97
    )
}

fn entry_of(spec: &Spec, position: u64, rng: &mut Rng) -> Entry {
    let (_, _, mime) = KINDS[(spec.id % KINDS.len() as u64) as usize];
    let url = url_of(spec);
    let path = url.trim_start_matches("https://www.example.com").to_owned();
    let mut request = Request::new(spec.method, url, "h2");
    for (name, value) in [
        (":authority", "www.example.com"),
        (":method", spec.method),
        (":path", path.as_str()),
        (":scheme", "https"),
        ("accept", "*/*"),
        ("accept-encoding", "gzip, deflate, br"),
    ] {
        request.headers.push(Header::new(name, value));
    }
    request
        .query_string
        .push(Header::new("v", (spec.id % 97).to_string()));
    request.body_size = 0;
    if spec.method == "POST" {
        let text = format!(
            "{{\"event\":\"view\",\"id\":{},\"session\":\"s-{}\"}}",
            spec.id,
            rng.below(1 << 40)
        );
        request.body_size = text.len() as i64;
        request.post_data = Some(PostData {
            mime_type: "application/json".to_owned(),
            params: Vec::new(),
            text,
            comment: None,
        });
    }
    let mut response = Response::new(
        spec.status,
        if spec.status == 200 { "OK" } else { "" },
        "h2",
        mime,
    );
    for (name, value) in [
        ("content-type", mime.to_owned()),
        ("content-length", spec.size.to_string()),
        (
            "cache-control",
            "public, max-age=31536000, immutable".to_owned(),
        ),
    ] {
        response.headers.push(Header::new(name, value));
    }
    let text_len = 200 + rng.below(16) as usize;
    let text: String = (0..text_len)
        .map(|_| B64[rng.below(64) as usize] as char)
        .collect();
    response.content = Content {
        size: spec.size,
        compression: None,
        mime_type: mime.to_owned(),
        text: Some(text),
        encoding: Some("base64".to_owned()),
        comment: None,
    };
    response.headers_size = -1;
    response.body_size = spec.size;
    let started = format!(
        "2024-05-01T10:{:02}:{:02}.{:03}Z",
        (position / 60_000) % 60,
        (position / 1000) % 60,
        position % 1000
    );
    let mut entry = Entry::new(started, request, response);
    entry.pageref = Some("page_1".to_owned());
    entry.timings.blocked = rng.float(0.5, 5.0);
    entry.timings.send = rng.float(0.05, 0.5);
    entry.timings.wait = (rng.float(20.0, 120.0) * spec.time_scale * 1000.0).round() / 1000.0;
    entry.timings.receive = rng.float(0.5, 10.0);
    entry.time = (entry.timings.total_ms() * 1000.0).round() / 1000.0;
    entry.connection = Some(format!("{}", 1000 + position % 50));
    entry
}

fn write_log(path: &str, specs: &[Spec], seed: u64) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut log = Log::new(Creator::new("webrunner-har gen_bench_har", "1"));
    log.pages.push(Page {
        started_date_time: "2024-05-01T10:00:00.000Z".to_owned(),
        id: "page_1".to_owned(),
        title: "https://www.example.com/".to_owned(),
        page_timings: PageTimings {
            on_content_load: 812.0,
            on_load: 1450.5,
            comment: None,
        },
        comment: None,
    });
    // Everything of the log but the entries, then the entries streamed one by one.
    let head = serde_json::to_string(&log).map_err(io::Error::from)?;
    let head = head
        .strip_suffix("\"entries\":[]}")
        .ok_or_else(|| io::Error::other("unexpected log layout"))?;
    writeln!(out, "{{\"log\":{head}\"entries\":[")?;
    let mut rng = Rng(seed);
    for (i, spec) in specs.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut out, &entry_of(spec, i as u64, &mut rng))
            .map_err(io::Error::from)?;
    }
    out.write_all(b"\n]}}\n")?;
    out.flush()
}

fn run(args: &[String]) -> Result<(), String> {
    let [left, right, rest @ ..] = args else {
        return Err("usage: gen_bench_har LEFT.har RIGHT.har [ENTRIES] [SEED]".to_owned());
    };
    let entries: u64 = match rest.first() {
        Some(n) => n
            .parse()
            .map_err(|_| format!("ENTRIES must be a number, got {n}"))?,
        None => 100_000,
    };
    let seed: u64 = match rest.get(1) {
        Some(n) => n
            .parse()
            .map_err(|_| format!("SEED must be a number, got {n}"))?,
        None => 1,
    };
    let mut rng = Rng(seed);
    // Left: requests of a synthetic site; about 5% repeat an earlier URL (polling, retries).
    let mut left_specs = Vec::with_capacity(entries as usize);
    for i in 0..entries {
        let id = if i > 10 && rng.chance(50) {
            rng.below(i)
        } else {
            i
        };
        left_specs.push(Spec {
            id,
            method: if id % 23 == 0 { "POST" } else { "GET" },
            status: 200,
            time_scale: 1.0,
            size: 150 + (id % 4000) as i64,
        });
    }
    // Right: 1% removed, 1% failing, 2% three times slower, 2% resized, 1% new requests.
    let mut right_specs = Vec::with_capacity(entries as usize + entries as usize / 50);
    for spec in &left_specs {
        if rng.chance(10) {
            continue;
        }
        let mut s = spec.clone();
        if rng.chance(10) {
            s.status = if rng.chance(500) { 404 } else { 500 };
        }
        if rng.chance(20) {
            s.time_scale = 3.0;
        }
        if rng.chance(20) {
            s.size = s.size * 3 / 2;
        }
        right_specs.push(s);
        if rng.chance(10) {
            right_specs.push(Spec {
                id: entries + rng.below(entries.max(1)),
                method: "GET",
                status: 200,
                time_scale: 1.0,
                size: 512,
            });
        }
    }
    write_log(left, &left_specs, seed ^ 0x5EED).map_err(|e| format!("{left}: {e}"))?;
    write_log(right, &right_specs, seed ^ 0xF00D).map_err(|e| format!("{right}: {e}"))?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_bench_har: {e}");
            ExitCode::from(2)
        }
    }
}

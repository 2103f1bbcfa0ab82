//! The replay studio: one self-contained HTML file for a run — a timeline with a bar per
//! action, a failures-only filter, a row per record with its details, and every screenshot
//! embedded once as a `data:` URI, enlarged on click.
//!
//! Record text reaches the page only as escaped HTML text; the page's one script and one
//! style sheet are constants admitted by hash in its Content-Security-Policy, which allows
//! nothing else (no outside requests, images only from `data:`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use webrunner_record::{Record, Summary};

use crate::escape::{html, push_html};
use crate::screenshots::{image_type, screenshot_for, ScreenshotIndex};

const CSS: &str = include_str!("../assets/replay/replay.css");
const JS: &str = include_str!("../assets/replay/replay.js");

/// The largest screenshot that is embedded; a bigger one is named but not embedded.
const MAX_EMBED_BYTES: u64 = 32 * 1024 * 1024;

/// Why the replay studio could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The file (or its folder) could not be written.
    #[error("cannot write replay studio to {path}: {error}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

/// Writes the replay studio for `records` to `out` (its folder is created) and returns the
/// file's absolute path. See [`build_replay_html`] for what the page holds.
///
/// Fails with [`ReplayError::Write`] when the file cannot be written. Missing or unreadable
/// screenshots are not errors: the page says which file is missing.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// use webrunner_report::export_replay_studio;
///
/// let written = export_replay_studio(&dir.path().join("replay.html"), &[], None, "Nightly")?;
/// assert!(std::fs::read_to_string(written)?.contains("<title>Nightly</title>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export_replay_studio(
    out: &Path,
    records: &[Record],
    screenshot_dir: Option<&Path>,
    title: &str,
) -> Result<PathBuf, ReplayError> {
    let err = |error| ReplayError::Write {
        path: out.display().to_string(),
        error,
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    std::fs::write(out, build_replay_html(records, screenshot_dir, title)).map_err(err)?;
    Ok(std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf()))
}

/// `'sha256-…'` source expression for `text`.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page's Content-Security-Policy: its own style and script by hash, `data:` images,
/// nothing else.
fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        format!(
            "default-src 'none'; img-src data:; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
            csp_hash(CSS),
            csp_hash(JS)
        )
    })
}

/// One screenshot file, embedded once whatever the number of records showing it.
struct Shot {
    id: String,
    path: PathBuf,
    /// `data:` URI, or why the file is not embedded.
    embedded: Result<String, String>,
    used_by: Vec<String>,
}

fn embed(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > MAX_EMBED_BYTES {
        return Err(format!("too large to embed ({} bytes)", meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let mime =
        image_type(&bytes).ok_or_else(|| "not a PNG, JPEG, GIF or WebP image".to_string())?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut uri = String::with_capacity(bytes.len() * 4 / 3 + 32);
    uri.push_str("data:");
    uri.push_str(mime);
    uri.push_str(";base64,");
    b64.encode_string(&bytes, &mut uri);
    Ok(uri)
}

fn ms_text(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        "—".to_string()
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// The time of day of an RFC 3339 time (`HH:MM:SS.mmm`), else the text as given.
fn clock_text(started_at: &str) -> String {
    let format = time::macros::format_description!("[hour]:[minute]:[second].[subsecond digits:3]");
    OffsetDateTime::parse(started_at, &Rfc3339)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| started_at.to_string())
}

fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// `args` as JSON, then `kwargs` as JSON when there are any.
fn params_text(r: &Record) -> String {
    let mut text = String::new();
    if !r.args.is_empty() || r.kwargs.is_empty() {
        text.push_str(&serde_json::to_string(&r.args).unwrap_or_default());
    }
    if !r.kwargs.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&serde_json::to_string(&r.kwargs).unwrap_or_default());
    }
    text
}

/// Start and end of each record in milliseconds from the earliest start. A record whose
/// start time does not parse starts where the previous one ended.
fn placements(records: &[Record]) -> (Vec<(f64, f64)>, f64) {
    let starts: Vec<Option<OffsetDateTime>> = records
        .iter()
        .map(|r| OffsetDateTime::parse(&r.started_at, &Rfc3339).ok())
        .collect();
    let t0 = starts.iter().flatten().min().copied();
    let mut out = Vec::with_capacity(records.len());
    let mut previous_end = 0.0_f64;
    for (r, start) in records.iter().zip(&starts) {
        let start = match (start, t0) {
            (Some(s), Some(t0)) => (*s - t0).as_seconds_f64() * 1000.0,
            _ => previous_end,
        };
        let duration = if r.duration_ms.is_finite() && r.duration_ms > 0.0 {
            r.duration_ms
        } else {
            0.0
        };
        out.push((start, start + duration));
        previous_end = start + duration;
    }
    let span = out.iter().map(|(_, end)| *end).fold(0.0, f64::max);
    (out, span)
}

/// Builds the replay studio page (see the module docs) for `records`. A record's screenshot
/// is the one in its record — the path as written, else that file name in `screenshot_dir`
/// — or, for a failed record without one, the first `*_<command>.png` of `screenshot_dir` in
/// name order (the seed's rule). Each distinct file is embedded once.
pub fn build_replay_html(records: &[Record], screenshot_dir: Option<&Path>, title: &str) -> String {
    let index = screenshot_dir
        .map(ScreenshotIndex::scan)
        .unwrap_or_default();
    let mut shots: Vec<Shot> = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut shot_of: Vec<Option<usize>> = Vec::with_capacity(records.len());
    for (row, r) in records.iter().enumerate() {
        let found = screenshot_for(r, screenshot_dir, &index);
        shot_of.push(found.map(|path| {
            let n = *by_path.entry(path.clone()).or_insert_with(|| {
                shots.push(Shot {
                    id: format!("shot-{}", shots.len()),
                    embedded: embed(&path),
                    path,
                    used_by: Vec::new(),
                });
                shots.len() - 1
            });
            shots[n].used_by.push(format!("#{} {}", row, r.command));
            n
        }));
    }
    let embedded_bytes: usize = shots
        .iter()
        .map(|s| s.embedded.as_ref().map_or(0, String::len))
        .sum();
    let mut x = String::with_capacity(4096 + records.len() * 900 + embedded_bytes);
    let title = html(title);
    let summary = Summary::of(records);
    let _ = write!(
        x,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n\
         <p class=\"summary\"><span id=\"count-total\">{}</span> action records: \
         <span class=\"n-passed\">{} passed</span>, <span class=\"n-failed\">{} failed</span>, \
         <span class=\"n-flaky\">{} flaky</span>.</p>\n",
        html(csp()),
        summary.total,
        summary.passed,
        summary.failed,
        summary.flaky
    );
    write_timeline(&mut x, records);
    x.push_str(
        "<label class=\"filter\"><input type=\"checkbox\" id=\"only-failed\"> only failures</label>\n\
         <table id=\"records\">\n<thead><tr><th>#</th><th>Time</th><th>Flow</th><th>Action</th>\
         <th>Status</th><th>Duration</th><th>Params</th><th>Error</th><th>Screenshot</th>\
         <th>Details</th></tr></thead>\n<tbody>\n",
    );
    for (row, r) in records.iter().enumerate() {
        write_row(&mut x, row, r, shot_of[row].map(|n| &shots[n]));
    }
    x.push_str("</tbody>\n</table>\n");
    write_gallery(&mut x, &shots);
    x.push_str(
        "<div id=\"lightbox\" hidden><img id=\"lightbox-img\" alt=\"enlarged screenshot\">\
         <p id=\"lightbox-caption\"></p></div>\n",
    );
    x.push_str("<script>");
    x.push_str(JS);
    x.push_str("</script>\n</body></html>\n");
    x
}

/// A lane per flow (in order of first appearance), a linked bar per record.
fn write_timeline(x: &mut String, records: &[Record]) {
    let (places, span) = placements(records);
    let scale = if span > 0.0 { 1000.0 / span } else { 0.0 };
    let mut lanes: Vec<(&str, Vec<usize>)> = Vec::new();
    for (row, r) in records.iter().enumerate() {
        let name = r.flow.as_deref().unwrap_or("(run)");
        match lanes.iter_mut().find(|(n, _)| *n == name) {
            Some((_, rows)) => rows.push(row),
            None => lanes.push((name, vec![row])),
        }
    }
    x.push_str("<section id=\"timeline\"><h2>Timeline</h2>\n<div class=\"lanes\">\n");
    for (name, rows) in &lanes {
        x.push_str("<div class=\"lane\"><span class=\"lane-name\" title=\"");
        push_html(x, name);
        x.push_str("\">");
        push_html(x, name);
        x.push_str(
            "</span><svg viewBox=\"0 0 1000 10\" preserveAspectRatio=\"none\" \
             xmlns=\"http://www.w3.org/2000/svg\">",
        );
        for &row in rows {
            let r = &records[row];
            let (start, end) = places[row];
            let (x0, width) = if scale > 0.0 {
                (start * scale, ((end - start) * scale).max(0.5))
            } else {
                (row as f64 * 1000.0 / records.len().max(1) as f64, 0.5)
            };
            let class = if r.failed() {
                "fail"
            } else if r.flaky {
                "flaky"
            } else {
                "ok"
            };
            let _ = write!(
                x,
                "<a href=\"#r-{row}\"><rect class=\"bar {class}\" x=\"{x0:.2}\" y=\"1\" width=\"{width:.2}\" height=\"8\"><title>#{} ",
                r.index
            );
            push_html(x, &r.command);
            let _ = write!(
                x,
                " — {} — {}</title></rect></a>",
                if r.failed() { "FAILED" } else { "PASSED" },
                ms_text(r.duration_ms)
            );
        }
        x.push_str("</svg></div>\n");
    }
    let _ = write!(
        x,
        "</div>\n<div class=\"axis\"><span></span><span>0 s</span><span class=\"end\">{}</span></div>\n</section>\n",
        ms_text(span)
    );
}

fn write_row(x: &mut String, row: usize, r: &Record, shot: Option<&Shot>) {
    let failed = r.failed();
    let class = if failed { "fail" } else { "ok" };
    let _ = write!(
        x,
        "<tr id=\"r-{row}\" class=\"rec {class}\"><td>{}</td><td title=\"",
        r.index
    );
    push_html(x, &r.started_at);
    x.push_str("\">");
    push_html(x, &clock_text(&r.started_at));
    x.push_str("</td><td>");
    push_html(x, r.flow.as_deref().unwrap_or(""));
    x.push_str("</td><td class=\"command\">");
    push_html(x, &r.command);
    let _ = write!(
        x,
        "</td><td><span class=\"badge {class}\">{}</span>",
        if failed { "FAILED" } else { "PASSED" }
    );
    if r.flaky {
        x.push_str("<span class=\"badge flaky\">FLAKY</span>");
    }
    if r.attempts > 1 {
        let _ = write!(x, "<span class=\"note\">{} attempts</span>", r.attempts);
    }
    let _ = write!(x, "</td><td>{}</td><td><pre>", ms_text(r.duration_ms));
    push_html(x, &params_text(r));
    x.push_str("</pre></td><td><pre class=\"error\">");
    push_html(x, r.error.as_deref().unwrap_or(""));
    x.push_str("</pre></td><td>");
    if let Some(shot) = shot {
        match &shot.embedded {
            Ok(_) => {
                let _ = write!(x, "<a href=\"#{}\"><img class=\"thumb\" data-shot=\"{}\" alt=\"screenshot of #{} ", shot.id, shot.id, r.index);
                push_html(x, &r.command);
                x.push_str("\"></a>");
            }
            Err(why) => {
                x.push_str("<span class=\"note\">");
                push_html(x, &format!("{}: {why}", shot.path.display()));
                x.push_str("</span>");
            }
        }
    } else if let Some(recorded) = &r.artifacts.screenshot {
        x.push_str("<span class=\"note\">missing: ");
        push_html(x, recorded);
        x.push_str("</span>");
    }
    // Params and error have their own columns; the details add the rest.
    x.push_str("</td><td><details><summary>details</summary><dl><dt>result</dt><dd><pre>");
    push_html(x, &json_text(&r.result));
    let _ = write!(
        x,
        "</pre></dd><dt>attempts</dt><dd>{}</dd><dt>flaky</dt><dd>{}</dd><dt>duration</dt><dd>{:.1} ms</dd>",
        r.attempts,
        if r.flaky { "yes" } else { "no" },
        if r.duration_ms.is_finite() { r.duration_ms } else { 0.0 }
    );
    if let Some(trace) = &r.trace_id {
        x.push_str("<dt>trace id</dt><dd>");
        push_html(x, trace);
        x.push_str("</dd>");
    }
    for (name, path) in [
        ("screenshot", &r.artifacts.screenshot),
        ("dom", &r.artifacts.dom),
        ("trace", &r.artifacts.trace),
    ] {
        if let Some(path) = path {
            let _ = write!(x, "<dt>{name}</dt><dd>");
            push_html(x, path);
            x.push_str("</dd>");
        }
    }
    x.push_str("</dl></details></td></tr>\n");
}

/// Every embedded screenshot once, with the records that show it.
fn write_gallery(x: &mut String, shots: &[Shot]) {
    if shots.is_empty() {
        return;
    }
    x.push_str("<section id=\"screenshots\"><h2>Screenshots</h2>\n");
    for shot in shots {
        let Ok(uri) = &shot.embedded else {
            continue;
        };
        let name = shot
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = write!(x, "<figure id=\"{}\"><img class=\"full\" src=\"", shot.id);
        x.push_str(uri); // base64 and a fixed MIME type: nothing to escape
        x.push_str("\" alt=\"");
        push_html(x, &name);
        x.push_str("\"><figcaption>");
        push_html(x, &name);
        x.push_str(" — ");
        push_html(x, &shot.used_by.join(", "));
        x.push_str("</figcaption></figure>\n");
    }
    x.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use webrunner_record::{Artifacts, Status};

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake";

    fn rec(index: usize, command: &str, status: Status) -> Record {
        Record {
            index,
            command: command.to_string(),
            args: vec![Value::from("https://example.test/")],
            kwargs: Default::default(),
            status,
            started_at: format!("2026-01-01T00:00:0{index}Z"),
            duration_ms: 500.0,
            attempts: 1,
            flaky: false,
            result: Value::Null,
            error: (status == Status::Failed).then(|| "boom".to_string()),
            artifacts: Artifacts::default(),
            trace_id: None,
            flow: Some("f.json".to_string()),
        }
    }

    #[test]
    fn the_csp_admits_exactly_the_inline_script_and_style_by_hash() {
        let page = build_replay_html(&[rec(0, "WR_a", Status::Passed)], None, "t");
        let script = page
            .split("<script>")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        let style = page
            .split("<style>")
            .nth(1)
            .unwrap()
            .split("</style>")
            .next()
            .unwrap();
        assert_eq!(page.matches("<script").count(), 1);
        assert!(csp().contains(&csp_hash(script)));
        assert!(csp().contains(&csp_hash(style)));
        assert!(csp().starts_with("default-src 'none'; img-src data:;"));
        assert!(page.contains(&format!("content=\"{}\"", html(csp()))));
    }

    #[test]
    fn record_text_is_escaped_everywhere_it_appears() {
        let mut r = rec(0, "<script>alert(1)</script>", Status::Failed);
        r.error = Some("<img src=x onerror=alert(2)> </textarea> \"'".into());
        r.kwargs.insert("<b>".into(), Value::from("</pre><script>"));
        r.flow = Some("<i>flow</i>".into());
        let page = build_replay_html(&[r], None, "<title>");
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("<img src=x"));
        assert!(!page.contains("</pre><script>"));
        assert!(!page.contains("<i>flow"));
        assert!(page.contains("&lt;img src=x onerror=alert(2)&gt; &lt;/textarea&gt; &quot;&#39;"));
        assert!(page.contains("<title>&lt;title&gt;</title>"));
    }

    #[test]
    fn a_failed_record_without_its_own_screenshot_embeds_the_first_seed_match_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("2_WR_click.png"), PNG).unwrap();
        std::fs::write(dir.path().join("1_WR_click.png"), PNG).unwrap();
        let records = vec![
            rec(0, "WR_click", Status::Failed),
            rec(1, "WR_click", Status::Passed),
            rec(2, "WR_click", Status::Failed),
        ];
        let page = build_replay_html(&records, Some(dir.path()), "t");
        assert_eq!(
            page.matches("data:image/png;base64,").count(),
            1,
            "embedded once"
        );
        assert_eq!(
            page.matches("class=\"thumb\" data-shot=\"shot-0\"").count(),
            2,
            "passed rows get none"
        );
        assert!(page.contains("1_WR_click.png — #0 WR_click, #2 WR_click"));
        assert!(!page.contains("2_WR_click.png"));
    }

    #[test]
    fn a_recorded_screenshot_wins_and_a_missing_or_fake_one_is_named_not_embedded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("own.png"), PNG).unwrap();
        std::fs::write(dir.path().join("0_WR_a.png"), PNG).unwrap();
        std::fs::write(dir.path().join("fake.png"), b"<svg onload=alert(1)>").unwrap();
        let mut own = rec(0, "WR_a", Status::Failed);
        own.artifacts.screenshot = Some(dir.path().join("own.png").display().to_string());
        let mut gone = rec(1, "WR_b", Status::Failed);
        gone.artifacts.screenshot = Some("/nowhere/gone.png".into());
        let mut fake = rec(2, "WR_c", Status::Failed);
        fake.artifacts.screenshot = Some(dir.path().join("fake.png").display().to_string());
        let page = build_replay_html(&[own, gone, fake], Some(dir.path()), "t");
        assert!(page.contains("own.png — #0 WR_a"));
        assert!(!page.contains("0_WR_a.png"));
        assert!(page.contains("missing: /nowhere/gone.png"));
        assert!(page.contains("fake.png: not a PNG, JPEG, GIF or WebP image"));
        assert!(!page.contains("onload"));
        assert_eq!(page.matches("data:image/png").count(), 1);
    }

    #[test]
    fn the_timeline_has_a_bar_per_record_placed_by_start_and_duration() {
        let mut records = vec![
            rec(0, "WR_a", Status::Passed),
            rec(1, "WR_b", Status::Failed),
        ];
        records[1].started_at = "2026-01-01T00:00:01.5Z".into();
        records[1].flow = Some("g.json".into());
        let page = build_replay_html(&records, None, "t");
        assert_eq!(page.matches("<rect class=\"bar").count(), 2);
        // span 0 → 2000 ms: the first bar is 0..500, the second 1500..2000.
        assert!(page.contains("<rect class=\"bar ok\" x=\"0.00\" y=\"1\" width=\"250.00\""));
        assert!(page.contains("<rect class=\"bar fail\" x=\"750.00\" y=\"1\" width=\"250.00\""));
        assert_eq!(page.matches("<div class=\"lane\">").count(), 2);
        assert!(page.contains("<span class=\"end\">2.00 s</span>"));
    }

    #[test]
    fn rows_show_the_time_of_day_with_the_full_time_as_a_tooltip() {
        let mut r = rec(0, "WR_a", Status::Passed);
        r.started_at = "2026-01-01T10:20:30.123456Z".into();
        let page = build_replay_html(&[r], None, "t");
        assert!(page.contains("<td title=\"2026-01-01T10:20:30.123456Z\">10:20:30.123</td>"));
        assert_eq!(clock_text("not a time <b>"), "not a time <b>");
    }

    #[test]
    fn unparsable_start_times_follow_the_previous_record() {
        let mut records = vec![
            rec(0, "WR_a", Status::Passed),
            rec(1, "WR_b", Status::Passed),
        ];
        records[1].started_at = "yesterday".into();
        let (places, span) = placements(&records);
        assert_eq!(places, [(0.0, 500.0), (500.0, 1000.0)]);
        assert_eq!(span, 1000.0);
    }

    #[test]
    fn export_writes_the_file_and_reports_an_unwritable_path() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b/replay.html");
        let written =
            export_replay_studio(&out, &[rec(0, "WR_a", Status::Passed)], None, "t").unwrap();
        assert!(written.is_absolute());
        assert!(std::fs::read_to_string(&written).unwrap().contains("WR_a"));
        let err = export_replay_studio(&out.join("x.html"), &[], None, "t").unwrap_err();
        assert!(err.to_string().contains("x.html"), "{err}");
    }
}

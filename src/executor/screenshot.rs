//! Failure screenshots and DOM snapshots: the file name rule
//! (`<YYYYmmdd_HHMMSS_micros>_<command>.png`, or `.html` for the DOM, the command reduced to
//! `[A-Za-z0-9_-]` and at most 64 characters), writing the file so it can never land outside
//! the chosen folder, and taking both at the moment an attempt failed.

use std::io::Write;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

/// The command part of a screenshot name: only `[A-Za-z0-9_-]`, at most 64 characters,
/// `action` when nothing is left.
pub fn sanitise_command(command: &str) -> String {
    let kept: String = command
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(64)
        .collect();
    if kept.is_empty() {
        "action".to_string()
    } else {
        kept
    }
}

/// The file name for a failure screenshot of `command` taken at `at`.
pub fn screenshot_name(at: OffsetDateTime, command: &str) -> String {
    artifact_name(at, command, "png")
}

/// The file name for a failure artifact of `command` taken at `at`, with extension `ext`.
fn artifact_name(at: OffsetDateTime, command: &str, ext: &str) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}_{:02}{:02}{:02}_{:06}_{}.{ext}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond(),
        sanitise_command(command)
    )
}

/// Writes `png` into `dir` under the rule's name and returns its path. The name holds no
/// separator, and an existing file is never overwritten (a `-N` suffix is added instead).
pub fn write_screenshot(dir: &Path, command: &str, png: &[u8]) -> std::io::Result<PathBuf> {
    write_artifact(dir, command, "png", png)
}

/// Writes `bytes` into `dir` under the rule's name with extension `ext`; see
/// [`write_screenshot`].
fn write_artifact(dir: &Path, command: &str, ext: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let name = artifact_name(OffsetDateTime::now_utc(), command, ext);
    let stem = name.trim_end_matches(&format!(".{ext}")).to_string();
    for n in 0..1000 {
        let file = if n == 0 {
            name.clone()
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(&file);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(bytes)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "too many failure files with one name",
    ))
}

/// Takes and writes the failure screenshot of `command`, when a folder is set and a live
/// session is open; returns its path. A browser that does not answer in 10 s, or a file that
/// cannot be written, costs the screenshot (with a warning), never the run.
pub(crate) async fn capture(ctx: &super::Context, command: &str) -> Option<String> {
    let dir = ctx.settings.screenshot_dir.as_ref()?;
    if ctx.browser.fatal().is_some() {
        return None;
    }
    let session = ctx.open_session()?;
    let shot = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        session.screenshot(false),
    );
    let png = match shot.await {
        Ok(Ok(png)) => png,
        Ok(Err(e)) => {
            tracing::warn!("failure screenshot not taken: {e}");
            return None;
        }
        Err(_) => {
            tracing::warn!("failure screenshot not taken: the browser did not answer in 10 s");
            return None;
        }
    };
    match write_screenshot(dir, command, &png) {
        Ok(path) => Some(path.display().to_string()),
        Err(e) => {
            tracing::warn!("failure screenshot not written to {}: {e}", dir.display());
            None
        }
    }
}

/// The artifacts of a failed attempt: its screenshot and the DOM of every frame.
pub(crate) async fn failure(ctx: &super::Context, command: &str) -> super::Artifacts {
    super::Artifacts {
        screenshot: capture(ctx, command).await,
        dom: capture_dom(ctx, command).await,
        trace: None,
    }
}

/// Takes and writes the DOM of every frame (see
/// [`Session::dom_snapshot`](crate::browser::Session::dom_snapshot)) beside the failure
/// screenshots, when a folder is set and a live session is open; returns its path. Like the
/// screenshot, a browser that does not answer costs the snapshot, never the run.
async fn capture_dom(ctx: &super::Context, command: &str) -> Option<String> {
    let dir = ctx.settings.screenshot_dir.as_ref()?;
    if ctx.browser.fatal().is_some() || !ctx.settings.capture {
        return None;
    }
    let session = ctx.open_session()?;
    let taken = tokio::time::timeout(std::time::Duration::from_secs(10), session.dom_snapshot());
    let documents = match taken.await {
        Ok(Ok(d)) if !d.is_empty() => d,
        Ok(Ok(_)) => return None,
        Ok(Err(e)) => {
            tracing::warn!("DOM snapshot not taken: {e}");
            return None;
        }
        Err(_) => {
            tracing::warn!("DOM snapshot not taken: the browser did not answer in 10 s");
            return None;
        }
    };
    let text = crate::browser::snapshot_text(&documents);
    match write_artifact(dir, command, "html", text.as_bytes()) {
        Ok(path) => Some(path.display().to_string()),
        Err(e) => {
            tracing::warn!("DOM snapshot not written to {}: {e}", dir.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_reduced_to_safe_characters_and_64_chars() {
        assert_eq!(sanitise_command("../../x"), "x");
        assert_eq!(sanitise_command("WR_click-1"), "WR_click-1");
        assert_eq!(sanitise_command("/\\.. "), "action");
        assert_eq!(sanitise_command(&"a".repeat(100)).len(), 64);
        assert_eq!(sanitise_command("wr_ünïcode"), "wr_ncode");
    }

    #[test]
    fn name_follows_timestamp_micros_command_rule() {
        let at = time::macros::datetime!(2026-11-22 01:02:03.000456 UTC);
        assert_eq!(
            screenshot_name(at, "WR_to_url"),
            "20261122_010203_000456_WR_to_url.png"
        );
    }

    #[test]
    fn write_never_overwrites_and_stays_inside_dir() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_screenshot(dir.path(), "../../evil", b"a").unwrap();
        let b = write_screenshot(dir.path(), "../../evil", b"b").unwrap();
        assert_ne!(a, b);
        for p in [&a, &b] {
            assert_eq!(p.parent().unwrap(), dir.path());
            assert!(p
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("_evil.png"));
        }
        assert_eq!(std::fs::read(&a).unwrap(), b"a");
    }
}

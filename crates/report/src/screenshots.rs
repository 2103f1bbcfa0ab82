//! Finding a record's screenshot: the path in its record (as written, else by file name in a
//! screenshot folder), or for a failed record the seed's rule — the first file, in name
//! order, of the folder matching `*_<command>.png`. Also recognises image bytes, so only real
//! images are ever embedded or served.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use webrunner_record::Record;

/// The seed's screenshot matching rule over one folder, scanned once: for a command `c`, the
/// first file (by name) whose name is `<anything>_<c>.png`.
///
/// Matching is literal (a command holding `*` or `[` matches only itself), and folders are
/// never matched.
#[derive(Debug, Clone, Default)]
pub struct ScreenshotIndex {
    first: HashMap<String, PathBuf>,
}

impl ScreenshotIndex {
    /// Scans `dir`. A folder that does not exist or cannot be read gives an empty index (the
    /// seed rule: no folder, no match), never an error.
    pub fn scan(dir: &Path) -> ScreenshotIndex {
        let mut names: Vec<String> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(false))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".png"))
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        let mut first = HashMap::new();
        for name in names {
            let stem = &name[..name.len() - ".png".len()];
            for (at, _) in stem.match_indices('_') {
                first
                    .entry(stem[at + 1..].to_string())
                    .or_insert_with(|| dir.join(&name));
            }
        }
        ScreenshotIndex { first }
    }

    /// The first file matching `*_<command>.png`, else the first matching the command reduced
    /// to the characters failure screenshot names keep (`[A-Za-z0-9_-]`, at most 64).
    pub fn matching(&self, command: &str) -> Option<&Path> {
        self.first
            .get(command)
            .or_else(|| self.first.get(&name_part(command)))
            .map(PathBuf::as_path)
    }
}

/// The command part of a failure screenshot name: only `[A-Za-z0-9_-]`, at most 64
/// characters, `action` when nothing is left.
fn name_part(command: &str) -> String {
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

/// Finds the file a record names as its screenshot: the path as written when it is a file,
/// else a file of that name in one of `dirs`.
pub fn resolve_recorded(recorded: &str, dirs: &[&Path]) -> Option<PathBuf> {
    let path = Path::new(recorded);
    if path.is_file() {
        return Some(path.to_path_buf());
    }
    let name = path.file_name()?;
    dirs.iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The screenshot shown for `record`: its own (see [`resolve_recorded`]), else for a failed
/// record the first seed-rule match in `index`.
pub fn screenshot_for(
    record: &Record,
    dir: Option<&Path>,
    index: &ScreenshotIndex,
) -> Option<PathBuf> {
    if let Some(recorded) = &record.artifacts.screenshot {
        let dirs: Vec<&Path> = dir.into_iter().collect();
        if let Some(found) = resolve_recorded(recorded, &dirs) {
            return Some(found);
        }
    }
    if record.failed() {
        return index.matching(&record.command).map(Path::to_path_buf);
    }
    None
}

/// The MIME type of `bytes` when they are a PNG, JPEG, GIF or WebP image.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, name: &str) {
        std::fs::write(dir.join(name), b"\x89PNG\r\n\x1a\n").unwrap();
    }

    #[test]
    fn the_first_file_by_name_ending_in_underscore_command_png_matches() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "20260101_000002_000000_WR_click.png");
        touch(dir.path(), "20260101_000001_000000_WR_click.png");
        touch(dir.path(), "20260101_000000_000000_WR_click_twice.png");
        touch(dir.path(), "x_WR_to_url.txt");
        std::fs::create_dir(dir.path().join("a_WR_dir.png")).unwrap();
        let index = ScreenshotIndex::scan(dir.path());
        assert_eq!(
            index.matching("WR_click").unwrap(),
            dir.path().join("20260101_000001_000000_WR_click.png")
        );
        assert_eq!(
            index.matching("WR_click_twice").unwrap(),
            dir.path().join("20260101_000000_000000_WR_click_twice.png")
        );
        // `*_twice.png` matches too, as the glob would.
        assert!(index.matching("twice").is_some());
        assert!(index.matching("WR_to_url").is_none());
        assert!(index.matching("WR_dir").is_none());
        assert!(index.matching("click_WR").is_none());
    }

    #[test]
    fn a_command_with_unsafe_characters_matches_its_reduced_name() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "20260101_000000_000000_WRbad.png");
        let index = ScreenshotIndex::scan(dir.path());
        assert!(index.matching("WR bad/..").is_some());
        assert!(index.matching("WR_*").is_none());
    }

    #[test]
    fn a_missing_folder_matches_nothing() {
        let index = ScreenshotIndex::scan(Path::new("/nonexistent/shots"));
        assert!(index.matching("WR_click").is_none());
    }

    #[test]
    fn a_recorded_path_falls_back_to_its_name_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "a_WR_x.png");
        let found = resolve_recorded("/elsewhere/a_WR_x.png", &[dir.path()]).unwrap();
        assert_eq!(found, dir.path().join("a_WR_x.png"));
        assert!(resolve_recorded("/elsewhere/b.png", &[dir.path()]).is_none());
    }

    #[test]
    fn image_types_are_recognised_by_their_bytes() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(image_type(b"GIF89a.."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"root:x:0:0"), None);
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
    }
}

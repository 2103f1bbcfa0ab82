//! Where the files and folders a flow asks for are written, and where the files it reads
//! (uploads) come from. A written path that is relative is relative to the run's output
//! folder (to the working directory when the run has none); a read one is looked up beside
//! the flow file first, then in the output folder. With scripts switched off
//! (`--no-scripts`, an untrusted flow) written paths must stay inside the output folder and
//! read ones inside the flow file's folder or the output folder: absolute paths elsewhere,
//! `..` that climbs out and symlinks that lead out are refused, files are written by rename
//! so a symlink planted at the target is replaced, never followed, and `file://` URLs are
//! not opened.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::executor::ActionError;
use crate::settings::Settings;

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file the command writes.
    File,
    /// A folder the command creates and later writes into.
    Folder,
}

/// The file name no flow may write in the output folder: the lock that keeps two runs out
/// of one folder.
const LOCK_FILE: &str = crate::run::LOCK_FILE;

/// Where `given` (as written in the flow by `command`) is written, under the rules of the
/// module documentation. A refusal is a bad argument naming the command and the path.
pub(crate) fn output_path(
    settings: &Settings,
    command: &str,
    given: &Path,
    target: Target,
) -> Result<PathBuf, ActionError> {
    let refused = |why: String| {
        ActionError::BadArgument(format!("{command}: path {}: {why}", given.display()))
    };
    if given.as_os_str().is_empty() {
        return Err(refused("the path is empty".into()));
    }
    if settings.scripts_enabled {
        return Ok(match &settings.output_dir {
            Some(dir) if given.is_relative() => dir.join(given),
            _ => given.to_path_buf(),
        });
    }
    let Some(root) = &settings.output_dir else {
        return Err(refused(
            "with scripts switched off (--no-scripts) files may only be written inside the run's output folder, and this run has none".into(),
        ));
    };
    inside(root, given, target).map_err(refused)
}

/// Writes `bytes` to `path` (already through [`output_path`]), creating its folder; the
/// file is replaced by rename, never written through a symlink.
pub(crate) fn write_output(command: &str, path: &Path, bytes: &[u8]) -> Result<(), ActionError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            ActionError::Failed(format!("{command}: cannot create {}: {e}", dir.display()))
        })?;
    }
    webrunner_report::write_file_atomic(path, bytes).map_err(|e| {
        ActionError::Failed(format!("{command}: cannot write {}: {e}", path.display()))
    })
}

/// The file a flow names for reading (an upload), under the rules of the module
/// documentation. A refusal is a bad argument naming the command and the path.
pub(crate) fn input_path(
    settings: &Settings,
    command: &str,
    given: &Path,
) -> Result<PathBuf, ActionError> {
    let refused = |why: String| {
        ActionError::BadArgument(format!("{command}: file {}: {why}", given.display()))
    };
    if given.as_os_str().is_empty() {
        return Err(refused("the path is empty".into()));
    }
    let roots: Vec<&Path> = [settings.flow_dir.as_deref(), settings.output_dir.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let candidates: Vec<PathBuf> = if given.is_absolute() || roots.is_empty() {
        vec![given.to_path_buf()]
    } else {
        roots.iter().map(|r| r.join(given)).collect()
    };
    let found = candidates.iter().find(|c| c.is_file()).ok_or_else(|| {
        let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
        refused(format!("no such file (looked at {})", looked.join(", ")))
    })?;
    let resolved =
        std::fs::canonicalize(found).map_err(|e| refused(format!("cannot be resolved: {e}")))?;
    if settings.scripts_enabled {
        return Ok(resolved);
    }
    let inside_a_root = roots
        .iter()
        .any(|r| std::fs::canonicalize(r).is_ok_and(|root| resolved.starts_with(root)));
    if inside_a_root {
        Ok(resolved)
    } else {
        Err(refused(
            "with scripts switched off (--no-scripts) a flow may only read files in its own folder or the run's output folder".into(),
        ))
    }
}

/// Refuses a URL an untrusted flow (`--no-scripts`) may not open: `file://` (and
/// `view-source:file://`), which would read local files into the page and the records.
pub(crate) fn check_url(settings: &Settings, command: &str, url: &str) -> Result<(), ActionError> {
    if settings.scripts_enabled {
        return Ok(());
    }
    let lower = url.trim_start().to_ascii_lowercase();
    let lower = lower.strip_prefix("view-source:").unwrap_or(&lower);
    if lower.starts_with("file:") {
        return Err(ActionError::BadArgument(format!(
            "{command}: {url}: file:// URLs are not opened with scripts switched off (--no-scripts): they would read local files"
        )));
    }
    Ok(())
}

/// `given` resolved inside `root`: joined to it when relative, `.` and `..` applied, the
/// part that exists resolved through its symlinks; an error when the result is outside.
fn inside(root: &Path, given: &Path, target: Target) -> Result<PathBuf, String> {
    let root = std::fs::canonicalize(root)
        .map_err(|e| format!("the output folder {} cannot be read: {e}", root.display()))?;
    let outside = || {
        format!(
            "with scripts switched off (--no-scripts) files may only be written inside the output folder {}",
            root.display()
        )
    };
    let lexical = normalise(&root.join(given));
    let (folder, leaf) = match target {
        Target::Folder => (lexical.as_path(), None),
        Target::File => match (lexical.parent(), lexical.file_name()) {
            (Some(parent), Some(name)) => (parent, Some(name.to_os_string())),
            _ => return Err(outside()),
        },
    };
    let folder = resolve_existing(folder)?;
    if !folder.starts_with(&root) {
        return Err(outside());
    }
    let Some(leaf) = leaf else {
        return Ok(folder);
    };
    if folder == root && leaf == LOCK_FILE {
        return Err(format!(
            "{LOCK_FILE} is the output folder's lock and cannot be written by a flow"
        ));
    }
    Ok(folder.join(leaf))
}

/// `p` with `.` dropped and each `..` taking off the component before it (the root stays).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `p` with its longest existing ancestor resolved through symlinks and the rest (which does
/// not exist yet) appended.
fn resolve_existing(p: &Path) -> Result<PathBuf, String> {
    let mut rest: Vec<OsString> = Vec::new();
    let mut current = p;
    loop {
        match std::fs::canonicalize(current) {
            Ok(mut resolved) => {
                resolved.extend(rest.iter().rev());
                return Ok(resolved);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match (current.file_name(), current.parent()) {
                    (Some(name), Some(parent)) => {
                        rest.push(name.to_os_string());
                        current = parent;
                    }
                    _ => return Err(format!("{} cannot be resolved: {e}", p.display())),
                }
            }
            Err(e) => return Err(format!("{} cannot be resolved: {e}", current.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_flows_read_only_beside_themselves_or_in_the_output_and_open_no_file_urls() {
        let flow_dir = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::write(flow_dir.path().join("photo.png"), b"x").unwrap();
        let secret = tempfile::NamedTempFile::new().unwrap();
        let s = Settings {
            flow_dir: Some(flow_dir.path().to_path_buf()),
            ..untrusted(out.path())
        };
        let got = input_path(&s, "WR_upload_file", Path::new("photo.png")).unwrap();
        assert!(got.ends_with("photo.png"));
        let e = input_path(&s, "WR_upload_file", secret.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("may only read files in its own folder"), "{e}");
        let e = input_path(&s, "WR_upload_file", Path::new("../../../etc/passwd")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("WR_upload_file: file ../../../etc/passwd"),
            "{e}"
        );
        let e = input_path(&s, "WR_upload_file", Path::new("nope.png"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no such file"), "{e}");
        for url in [
            "file:///etc/passwd",
            " FILE:///etc/passwd",
            "view-source:file:///etc",
        ] {
            assert!(check_url(&s, "WR_to_url", url).is_err(), "{url}");
        }
        assert!(check_url(&s, "WR_to_url", "http://127.0.0.1/").is_ok());
        assert!(check_url(&Settings::default(), "WR_to_url", "file:///tmp/x.html").is_ok());
    }

    fn untrusted(out: &Path) -> Settings {
        Settings {
            scripts_enabled: false,
            output_dir: Some(out.to_path_buf()),
            ..Settings::default()
        }
    }

    fn file(settings: &Settings, given: &str) -> Result<PathBuf, ActionError> {
        output_path(
            settings,
            "WR_save_screenshot",
            Path::new(given),
            Target::File,
        )
    }

    #[test]
    fn untrusted_relative_paths_land_in_the_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let s = untrusted(dir.path());
        assert_eq!(file(&s, "shot.png").unwrap(), root.join("shot.png"));
        assert_eq!(
            file(&s, "./a/b/../shot.png").unwrap(),
            root.join("a").join("shot.png")
        );
        let abs = root.join("screens").join("x.png");
        assert_eq!(file(&s, abs.to_str().unwrap()).unwrap(), abs);
    }

    #[test]
    fn untrusted_paths_that_escape_are_refused_naming_command_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let s = untrusted(&dir.path().join("out"));
        std::fs::create_dir(dir.path().join("out")).unwrap();
        for given in ["../x.png", "/etc/passwd", "a/../../x.png", "/", ".."] {
            let e = file(&s, given).unwrap_err();
            assert!(matches!(e, ActionError::BadArgument(_)), "{given}");
            let text = e.to_string();
            assert!(text.starts_with("WR_save_screenshot: path "), "{text}");
            assert!(text.contains(given), "{text}");
            assert!(text.contains("inside the output folder"), "{text}");
        }
        let e = output_path(
            &s,
            "WR_set_failure_screenshot_dir",
            Path::new("/tmp"),
            Target::Folder,
        );
        assert!(e.unwrap_err().to_string().contains("--no-scripts"));
    }

    #[test]
    fn untrusted_paths_through_a_symlinked_folder_that_leads_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&out).unwrap();
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("link")).unwrap();
        let s = untrusted(&out);
        assert!(file(&s, "link/x.png").is_err());
        assert!(file(&s, "link/new/x.png").is_err());
        let folder = output_path(
            &s,
            "WR_set_failure_screenshot_dir",
            Path::new("link"),
            Target::Folder,
        );
        assert!(folder.is_err());
    }

    #[test]
    fn a_symlink_at_the_target_itself_is_kept_as_the_target_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(dir.path().join("victim"), out.join("shot.png")).unwrap();
        let s = untrusted(&out);
        let root = std::fs::canonicalize(&out).unwrap();
        assert_eq!(file(&s, "shot.png").unwrap(), root.join("shot.png"));
    }

    #[test]
    fn the_output_folders_lock_cannot_be_written_by_a_flow() {
        let dir = tempfile::tempdir().unwrap();
        let s = untrusted(dir.path());
        let e = file(&s, LOCK_FILE).unwrap_err().to_string();
        assert!(e.contains("lock"), "{e}");
        assert!(file(&s, &format!("sub/{LOCK_FILE}")).is_ok());
    }

    #[test]
    fn untrusted_writes_without_an_output_folder_are_refused() {
        let s = Settings {
            scripts_enabled: false,
            ..Settings::default()
        };
        let e = file(&s, "x.png").unwrap_err().to_string();
        assert!(e.contains("this run has none"), "{e}");
    }

    #[test]
    fn trusted_relative_paths_join_the_output_folder_and_absolute_ones_stay() {
        let mut s = Settings {
            output_dir: Some(PathBuf::from("runs/out")),
            ..Settings::default()
        };
        assert_eq!(file(&s, "a/x.png").unwrap(), Path::new("runs/out/a/x.png"));
        assert_eq!(file(&s, "/tmp/x.png").unwrap(), Path::new("/tmp/x.png"));
        assert_eq!(
            file(&s, "../x.png").unwrap(),
            Path::new("runs/out/../x.png")
        );
        s.output_dir = None;
        assert_eq!(file(&s, "a/x.png").unwrap(), Path::new("a/x.png"));
        assert!(file(&s, "").is_err());
    }
}

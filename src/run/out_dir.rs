//! The run's output folder, made safe to write: only a missing, empty or previous webrunner
//! folder is taken, one run at a time holds it (an advisory lock on `.webrunner.lock`, which
//! also names the holder's pid), and files are written by rename so nothing planted in the
//! folder (a symlink at `records.json`, say) is written through.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Component, Path, PathBuf};

/// The lock file in an output folder; it stays after the run and marks the folder as
/// webrunner's even when the run crashed before writing anything else.
pub const LOCK_FILE: &str = ".webrunner.lock";
/// The records file whose presence marks a previous run's folder.
const RECORDS_FILE: &str = "records.json";
/// The folder of failure screenshots.
const SCREENSHOTS: &str = "screenshots";

/// Why an output folder cannot be used or written.
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    /// The folder is not one webrunner may write into.
    #[error("output folder {}: {reason}", .path.display())]
    Refused {
        /// The folder (or the entry in it that is refused).
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Another run holds the folder's lock.
    #[error("output folder {} is in use by another webrunner run (pid {pid})", .path.display())]
    InUse {
        /// The folder.
        path: PathBuf,
        /// The pid written in the lock file, or `unknown`.
        pid: String,
    },
    /// A file system operation failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done (`create`, `lock`, …).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// A file could not be written; the message names the file.
    #[error("{source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The error, naming the file.
        #[source]
        source: io::Error,
    },
}

/// An output folder held by this run: the lock is held until the value is dropped.
#[derive(Debug)]
pub struct OutDir {
    path: PathBuf,
    /// Held open for the lock; closing it releases the lock.
    _lock: File,
}

fn io_error<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> OutDirError + 'a {
    move |source| OutDirError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

impl OutDir {
    /// Takes `path` for a run: creates it when missing; refuses it unless it is empty or a
    /// previous webrunner output (it holds `records.json` or `.webrunner.lock`); takes the
    /// lock (refused when another run holds it); creates `screenshots/`. Symlinks planted at
    /// the lock file or at `screenshots` are refused, never followed.
    pub fn prepare(path: &Path) -> Result<OutDir, OutDirError> {
        let refused = |reason: &str| OutDirError::Refused {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        match std::fs::metadata(path) {
            Ok(m) if !m.is_dir() => return Err(refused("exists and is not a folder")),
            Ok(_) => {
                let mut entries = std::fs::read_dir(path).map_err(io_error("read", path))?;
                let empty = entries.next().is_none();
                let ours = [RECORDS_FILE, LOCK_FILE]
                    .iter()
                    .any(|f| std::fs::symlink_metadata(path.join(f)).is_ok());
                if !empty && !ours {
                    return Err(refused(
                        "is not empty and holds no records.json, so it is not a webrunner output folder; choose another --out",
                    ));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir_all(path).map_err(io_error("create", path))?;
            }
            Err(e) => return Err(io_error("read", path)(e)),
        }
        let lock = lock(path)?;
        let shots = path.join(SCREENSHOTS);
        match std::fs::symlink_metadata(&shots) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refused(
                    "its screenshots entry is a symlink; webrunner does not write through one",
                ))
            }
            Ok(m) if !m.is_dir() => return Err(refused("its screenshots entry is not a folder")),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir(&shots).map_err(io_error("create", &shots))?;
            }
            Err(e) => return Err(io_error("read", &shots)(e)),
        }
        Ok(OutDir {
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` in the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The folder of failure screenshots.
    pub fn screenshots(&self) -> PathBuf {
        self.path.join(SCREENSHOTS)
    }

    /// Writes `bytes` to `name` in the folder (a plain relative path such as `records.json`
    /// or `screenshots/x.png`) by temporary file and rename, so a reader never sees half a
    /// file and a symlink at the target is replaced, not followed. Returns the path written;
    /// errors name the file (disk full, no permission, …).
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, OutDirError> {
        let target = self.file(name);
        let plain = !name.is_empty()
            && Path::new(name)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if !plain || name == LOCK_FILE {
            return Err(OutDirError::Refused {
                path: target,
                reason: "is not a file webrunner writes in its output folder".into(),
            });
        }
        webrunner_report::write_file_atomic(&target, bytes).map_err(|source| {
            OutDirError::Write {
                path: target.clone(),
                source,
            }
        })?;
        Ok(target)
    }
}

/// Opens `<folder>/.webrunner.lock` (never through a symlink: `O_NOFOLLOW`), takes its
/// exclusive lock without waiting and writes this process's pid into it.
fn lock(folder: &Path) -> Result<File, OutDirError> {
    let path = folder.join(LOCK_FILE);
    let not_a_file = || OutDirError::Refused {
        path: path.clone(),
        reason: "is not a regular file (a symlink?); webrunner does not lock through one".into(),
    };
    match std::fs::symlink_metadata(&path) {
        Ok(m) if !m.file_type().is_file() => return Err(not_a_file()),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = match options.open(&path) {
        Ok(f) => f,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(not_a_file()),
        Err(e) => return Err(io_error("open", &path)(e)),
    };
    // What was opened must be the entry itself, not something swapped in meanwhile.
    if !same_file(&file, &path) {
        return Err(not_a_file());
    }
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            let pid = if pid.is_empty() || pid.len() > 20 {
                "unknown".to_string()
            } else {
                crate::terminal::escape_for_terminal(pid).into_owned()
            };
            return Err(OutDirError::InUse {
                path: folder.to_path_buf(),
                pid,
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io_error("lock", &path)(e)),
    }
    file.set_len(0)
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .map_err(io_error("write", &path))?;
    Ok(file)
}

/// True when `path` (not followed) is the regular file `file` has open.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => b.file_type().is_file() && a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// True when `path` (not followed) is a regular file.
#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_created_with_screenshots_and_a_lock_naming_this_process() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a").join("out");
        let held = OutDir::prepare(&out).unwrap();
        assert_eq!(held.path(), out);
        assert!(out.join("screenshots").is_dir());
        let pid = std::fs::read_to_string(out.join(LOCK_FILE)).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
    }

    #[test]
    fn a_second_run_into_a_held_folder_is_refused_naming_the_holders_pid() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutDir::prepare(dir.path()).unwrap();
        let e = OutDir::prepare(dir.path()).unwrap_err();
        assert!(matches!(e, OutDirError::InUse { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.ends_with(&format!(
                "is in use by another webrunner run (pid {})",
                std::process::id()
            )),
            "{text}"
        );
        drop(first);
        assert!(OutDir::prepare(dir.path()).is_ok(), "free once dropped");
    }

    #[test]
    fn a_folder_left_by_a_crashed_run_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "999999\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "partial").unwrap();
        let held = OutDir::prepare(dir.path()).unwrap();
        let pid = std::fs::read_to_string(held.file(LOCK_FILE)).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
    }

    #[test]
    fn a_previous_runs_folder_and_an_empty_one_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        assert!(OutDir::prepare(dir.path()).is_ok());
        let prev = tempfile::tempdir().unwrap();
        std::fs::write(prev.path().join("records.json"), "[]").unwrap();
        std::fs::write(prev.path().join("replay.html"), "x").unwrap();
        assert!(OutDir::prepare(prev.path()).is_ok());
    }

    #[test]
    fn a_foreign_folder_or_a_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("thesis.tex"), "years of work").unwrap();
        let e = OutDir::prepare(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a webrunner output folder"), "{e}");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing created");
        let file = dir.path().join("thesis.tex");
        let e = OutDir::prepare(&file).unwrap_err().to_string();
        assert!(e.contains("is not a folder"), "{e}");
    }

    #[test]
    fn a_symlinked_lock_or_screenshots_folder_is_refused_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join(LOCK_FILE)).unwrap();
        let e = OutDir::prepare(&out).unwrap_err().to_string();
        assert!(e.contains("symlink"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");

        let out2 = dir.path().join("out2");
        std::fs::create_dir(&out2).unwrap();
        std::fs::write(out2.join("records.json"), "[]").unwrap();
        std::os::unix::fs::symlink(dir.path(), out2.join("screenshots")).unwrap();
        let e = OutDir::prepare(&out2).unwrap_err().to_string();
        assert!(e.contains("screenshots entry is a symlink"), "{e}");
    }

    #[test]
    fn writing_replaces_a_symlink_at_the_target_instead_of_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep").unwrap();
        let out = dir.path().join("out");
        let held = OutDir::prepare(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join("records.json")).unwrap();
        let written = held.write("records.json", b"[]").unwrap();
        assert_eq!(written, out.join("records.json"));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        let meta = std::fs::symlink_metadata(&written).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(std::fs::read(&written).unwrap(), b"[]");
    }

    #[test]
    fn writes_outside_the_folder_or_onto_the_lock_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let held = OutDir::prepare(&dir.path().join("out")).unwrap();
        for name in ["../x", "/tmp/x", "", LOCK_FILE, "x/../y"] {
            assert!(held.write(name, b"x").is_err(), "{name}");
        }
        let ok = held.write("screenshots/0_WR_x.png", b"png").unwrap();
        assert!(ok.is_file());
    }

    #[test]
    fn a_failed_write_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let held = OutDir::prepare(dir.path()).unwrap();
        let e = held.write("missing/records.json", b"[]").unwrap_err();
        assert!(e.to_string().contains("records.json"), "{e}");
    }
}

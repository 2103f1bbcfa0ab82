//! Writing report files safely: each file is written to a fresh temporary file beside it and
//! then renamed over the target, so a reader never sees half a file and a symlink planted at
//! the target is replaced, never written through.

use std::io::{self, Write as _};
use std::path::Path;

/// Writes `bytes` to `path` atomically.
///
/// The bytes go to a new temporary file in `path`'s folder, created exclusively (`O_EXCL`:
/// it never opens an existing file or follows a symlink), flushed to disk, then renamed over
/// `path`. Rename replaces whatever is at `path` — a symlink planted there is replaced by the
/// new regular file and its target is left untouched. On Unix the new file gets the usual
/// permissions of a created file (`0o666` less the umask). The folder must exist.
///
/// Every error names `path`; on failure the temporary file is removed and `path` is as it
/// was.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// let out = dir.path().join("junit.xml");
/// webrunner_report::write_file_atomic(&out, b"<testsuites/>")?;
/// assert_eq!(std::fs::read(&out)?, b"<testsuites/>");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: not a file path", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        named(
            path,
            &format!("cannot create a temporary file in {}", dir.display()),
            e,
        )
    })?;
    let written = tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all());
    if let Err(e) = written {
        let what = format!("cannot write its temporary file {}", tmp.path().display());
        return Err(named(path, &what, e));
    }
    tmp.persist(path).map_err(|e| {
        let what = format!(
            "cannot rename the temporary file {} over it",
            e.file.path().display()
        );
        named(path, &what, e.error)
    })?;
    sync_dir(dir);
    Ok(())
}

/// Creates the folder `path` goes in (and its parents), with an error that names the file
/// and the folder.
pub(crate) fn create_parent(path: &Path) -> io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => std::fs::create_dir_all(parent).map_err(|e| {
            let what = format!("cannot create its folder {}", parent.display());
            named(path, &what, e)
        }),
        None => Ok(()),
    }
}

/// `error` with `path` and what was being done in its message; its kind is kept.
fn named(path: &Path, what: &str, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {what}: {error}", path.display()))
}

/// Makes the rename itself durable. Best effort: some file systems cannot sync a folder,
/// and the file is complete either way.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn a_new_file_gets_the_bytes_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report.xml");
        write_file_atomic(&out, b"first").unwrap();
        write_file_atomic(&out, b"second").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"second");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_the_target_is_replaced_and_its_target_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let out = dir.path().join("junit.xml");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        write_file_atomic(&out, b"<testsuites/>").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        let meta = std::fs::symlink_metadata(&out).unwrap();
        assert!(meta.file_type().is_file(), "the link became a regular file");
        assert_eq!(std::fs::read(&out).unwrap(), b"<testsuites/>");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_at_the_target_does_not_create_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere.txt");
        let out = dir.path().join("replay.html");
        std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
        write_file_atomic(&out, b"page").unwrap();
        assert!(!elsewhere.exists());
        assert_eq!(std::fs::read(&out).unwrap(), b"page");
    }

    #[test]
    fn a_failed_write_names_the_file_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("taken");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("inside"), b"x").unwrap();
        let err = write_file_atomic(&out, b"data").unwrap_err();
        assert!(
            err.to_string().contains(&out.display().to_string()),
            "{err}"
        );
        assert!(out.is_dir());
        assert!(leftovers(dir.path()).is_empty());
        let missing = dir.path().join("no/such/folder/out.xml");
        let err = write_file_atomic(&missing, b"data").unwrap_err();
        assert!(err.to_string().contains("out.xml"), "{err}");
    }

    #[test]
    fn the_parent_folder_is_created_and_an_error_names_the_file_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        create_parent(&dir.path().join("a/b/c.xml")).unwrap();
        assert!(dir.path().join("a/b").is_dir());
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        let err = create_parent(&dir.path().join("file/sub/c.xml")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("file/sub/c.xml") && text.contains("folder"),
            "{text}"
        );
        create_parent(Path::new("c.xml")).unwrap();
    }
}

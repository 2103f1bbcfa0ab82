//! Extracting a checked bundle into a folder without ever writing outside it.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{FailureBundleError, Result};
use crate::names::MANIFEST_NAME;
use crate::read::{check_listed, extract_bundle_with, ExtractLimits};

/// Extracts the bundle at `path` into `dir` with the default [`ExtractLimits`] and returns
/// the paths written, `manifest.json` first.
///
/// The whole bundle is checked first, as by [`verify`](crate::verify); a bundle it refuses
/// writes nothing, not even `dir`. Then `dir` and the folders inside it are created and
/// every file is written as a new file: an existing file is never overwritten
/// ([`FailureBundleError::DestinationExists`]) and a symbolic link on the way inside `dir`
/// is never followed ([`FailureBundleError::DestinationSymlink`]). When writing fails
/// half-way, the files and folders written so far are removed again.
pub fn extract_to(path: impl AsRef<Path>, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
    extract_to_with(path, dir, &ExtractLimits::default())
}

/// [`extract_to`] with the given limits.
pub fn extract_to_with(
    path: impl AsRef<Path>,
    dir: impl AsRef<Path>,
    limits: &ExtractLimits,
) -> Result<Vec<PathBuf>> {
    let path = path.as_ref();
    let dir = dir.as_ref();
    let label = path.display().to_string();
    let bundle = extract_bundle_with(path, limits)?;
    check_listed(&bundle, &label)?;
    let mut files: Vec<(&str, &[u8])> = vec![(MANIFEST_NAME, bundle.manifest_json.as_slice())];
    files.extend(bundle.files.iter().map(|(n, d)| (n.as_str(), d.as_slice())));
    check_conflicts(&files, &label)?;
    for (name, _) in &files {
        precheck(dir, name)?;
    }
    let mut undo = Undo::default();
    let written = write_all(dir, &files, &mut undo);
    if written.is_err() {
        undo.roll_back();
    }
    written
}

/// Refuses an entry that lies inside another entry that is a file (`a` and `a/b`).
fn check_conflicts(files: &[(&str, &[u8])], label: &str) -> Result<()> {
    let names: BTreeSet<&str> = files.iter().map(|(name, _)| *name).collect();
    for name in &names {
        let mut prefix = String::new();
        for part in name.split('/') {
            if !prefix.is_empty() {
                if names.contains(prefix.as_str()) {
                    return Err(FailureBundleError::EntryConflict {
                        bundle: label.to_owned(),
                        name: (*name).to_owned(),
                        file: prefix,
                    });
                }
                prefix.push('/');
            }
            prefix.push_str(part);
        }
    }
    Ok(())
}

/// Before anything is written: refuses a target that exists or a symlink on the way.
fn precheck(dir: &Path, name: &str) -> Result<()> {
    let mut at = dir.to_path_buf();
    let parts: Vec<&str> = name.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let last = i + 1 == parts.len();
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(FailureBundleError::DestinationSymlink { path: at });
            }
            Ok(meta) if last || !meta.is_dir() => {
                return Err(FailureBundleError::DestinationExists { path: at });
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// What extraction created, to remove again when it fails half-way.
#[derive(Default)]
struct Undo {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Undo {
    fn roll_back(self) {
        for file in self.files.iter().rev() {
            let _ = fs::remove_file(file);
        }
        for dir in self.dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

fn write_all(dir: &Path, files: &[(&str, &[u8])], undo: &mut Undo) -> Result<Vec<PathBuf>> {
    create_root(dir, undo)?;
    let mut written = Vec::with_capacity(files.len());
    for (name, data) in files {
        let parts: Vec<&str> = name.split('/').collect();
        let mut at = dir.to_path_buf();
        for part in &parts[..parts.len() - 1] {
            at.push(part);
            enter_folder(&at, undo)?;
        }
        at.push(parts[parts.len() - 1]);
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&at) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(FailureBundleError::DestinationExists { path: at });
            }
            Err(source) => return Err(io_error("cannot create", &at, source)),
        };
        undo.files.push(at.clone());
        file.write_all(data)
            .and_then(|()| file.sync_all())
            .map_err(|source| io_error("cannot write", &at, source))?;
        written.push(at);
    }
    Ok(written)
}

/// Creates `dir` and the folders above it that are missing, noting each one created.
fn create_root(dir: &Path, undo: &mut Undo) -> Result<()> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(p) = at.filter(|p| !p.as_os_str().is_empty()) {
        if fs::symlink_metadata(p).is_ok() {
            break;
        }
        missing.push(p.to_path_buf());
        at = p.parent();
    }
    for p in missing.into_iter().rev() {
        match fs::create_dir(&p) {
            Ok(()) => undo.dirs.push(p),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(io_error("cannot create the folder", &p, source)),
        }
    }
    if !dir.is_dir() {
        return Err(FailureBundleError::DestinationExists {
            path: dir.to_path_buf(),
        });
    }
    Ok(())
}

/// Makes sure `at` (inside the destination) is a real folder, creating it when missing and
/// refusing a symbolic link or a file.
fn enter_folder(at: &Path, undo: &mut Undo) -> Result<()> {
    match fs::symlink_metadata(at) {
        Ok(meta) if meta.file_type().is_symlink() => Err(FailureBundleError::DestinationSymlink {
            path: at.to_path_buf(),
        }),
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(FailureBundleError::DestinationExists {
            path: at.to_path_buf(),
        }),
        Err(_) => {
            fs::create_dir(at)
                .map_err(|source| io_error("cannot create the folder", at, source))?;
            undo.dirs.push(at.to_path_buf());
            // Someone could have swapped in a link between the check and the creation.
            match fs::symlink_metadata(at) {
                Ok(meta) if meta.is_dir() => Ok(()),
                _ => Err(FailureBundleError::DestinationSymlink {
                    path: at.to_path_buf(),
                }),
            }
        }
    }
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> FailureBundleError {
    FailureBundleError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

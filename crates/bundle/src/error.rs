//! The one error type of failure bundles: every message says what was wrong and where.

use std::path::PathBuf;

/// Everything that can go wrong building, writing, reading, checking or extracting a
/// failure bundle. Each message names the bundle (or file) and the entry concerned.
///
/// A bundle read from memory rather than from a file is named `<bytes>` in messages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FailureBundleError {
    /// A file to add (a trace, an extra file) is not a regular file.
    #[error("file not found: {path:?} is not a regular file")]
    FileNotFound {
        /// The path given.
        path: PathBuf,
    },
    /// A name to store a file under inside the bundle is not a safe relative name.
    #[error("cannot add {name:?} to the bundle: {reason}")]
    BadInsideName {
        /// The name asked for.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// Reading an input file or writing the bundle or an extracted file failed.
    #[error("{action} {path:?}: {source}")]
    Io {
        /// What was being done, e.g. "cannot write the bundle".
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Writing the zip structure itself failed.
    #[error("cannot write the bundle {path:?}: {reason}")]
    ZipWrite {
        /// The bundle being written.
        path: PathBuf,
        /// What the zip writer said.
        reason: String,
    },
    /// The bundle to read does not exist or is not a regular file.
    #[error("bundle {bundle}: not found (no such regular file)")]
    BundleNotFound {
        /// The bundle's path.
        bundle: String,
    },
    /// The bundle is not a zip archive (or its central directory is unreadable).
    #[error("bundle {bundle}: not a zip archive ({reason})")]
    NotAZip {
        /// The bundle's path.
        bundle: String,
        /// What the zip reader said.
        reason: String,
    },
    /// The bundle has more entries than [`ExtractLimits::max_entries`](crate::ExtractLimits).
    #[error("bundle {bundle}: {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// The bundle's path.
        bundle: String,
        /// How many entries it has.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Two entries of the bundle have the same name.
    #[error("bundle {bundle}: entry {name:?} appears more than once")]
    DuplicateEntry {
        /// The bundle's path.
        bundle: String,
        /// The repeated name.
        name: String,
    },
    /// An entry's name would land outside the folder the bundle is extracted to: a `..`
    /// part, an absolute path, a Windows drive or a backslash.
    #[error("bundle {bundle}: entry {name:?} escapes the bundle folder ({reason})")]
    EntryEscapes {
        /// The bundle's path.
        bundle: String,
        /// The entry's name.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// An entry's name is not a clean relative name (an empty or `.` part, a control
    /// character), though it does not escape.
    #[error("bundle {bundle}: entry {name:?} is not a clean relative name ({reason})")]
    UncleanEntryName {
        /// The bundle's path.
        bundle: String,
        /// The entry's name.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// An entry is a symbolic link (its Unix mode says `S_IFLNK`).
    #[error("bundle {bundle}: entry {name:?} is a symbolic link")]
    SymlinkEntry {
        /// The bundle's path.
        bundle: String,
        /// The entry's name.
        name: String,
    },
    /// An entry inflates beyond the limits: a decompression bomb.
    #[error("bundle {bundle}: entry {name:?} is a decompression bomb: {reason}")]
    Bomb {
        /// The bundle's path.
        bundle: String,
        /// The entry's name.
        name: String,
        /// Which limit it passed.
        reason: String,
    },
    /// An entry cannot be read: bad compressed data, a CRC mismatch, encryption or an
    /// unsupported compression method.
    #[error("bundle {bundle}: entry {name:?} cannot be read: {reason}")]
    CorruptEntry {
        /// The bundle's path.
        bundle: String,
        /// The entry's name.
        name: String,
        /// What the zip reader said.
        reason: String,
    },
    /// The bundle has no `manifest.json`.
    #[error("bundle {bundle}: manifest.json missing from bundle")]
    MissingManifest {
        /// The bundle's path.
        bundle: String,
    },
    /// `manifest.json` is not valid JSON (or not UTF-8).
    #[error("bundle {bundle}: manifest.json is not valid JSON: {reason}")]
    ManifestNotJson {
        /// The bundle's path.
        bundle: String,
        /// What the JSON parser said.
        reason: String,
    },
    /// `manifest.json` is JSON but not a manifest: a field missing or of the wrong type,
    /// an artifact listed twice.
    #[error("bundle {bundle}: manifest.json has the wrong shape: {reason}")]
    ManifestShape {
        /// The bundle's path.
        bundle: String,
        /// What is wrong.
        reason: String,
    },
    /// The manifest lists an artifact the zip does not hold.
    #[error(
        "bundle {bundle}: artifact {name:?} is listed in manifest.json but missing from the zip"
    )]
    MissingArtifact {
        /// The bundle's path.
        bundle: String,
        /// The artifact's name.
        name: String,
    },
    /// An artifact's size differs from the manifest's.
    #[error(
        "bundle {bundle}: artifact {name:?} has {actual} bytes, manifest.json says {expected}"
    )]
    SizeMismatch {
        /// The bundle's path.
        bundle: String,
        /// The artifact's name.
        name: String,
        /// The size in the manifest.
        expected: u64,
        /// The size in the zip.
        actual: u64,
    },
    /// An artifact's SHA-256 differs from the manifest's.
    #[error(
        "bundle {bundle}: artifact {name:?} has sha256 {actual}, manifest.json says {expected}"
    )]
    ChecksumMismatch {
        /// The bundle's path.
        bundle: String,
        /// The artifact's name.
        name: String,
        /// The checksum in the manifest.
        expected: String,
        /// The checksum of the bytes in the zip.
        actual: String,
    },
    /// The zip holds files the manifest does not list (refused by [`verify`](crate::verify)
    /// and [`extract_to`](crate::extract_to), allowed by
    /// [`extract_bundle`](crate::extract_bundle)).
    #[error("bundle {bundle}: {} not listed in manifest.json: {names:?}", if names.len() == 1 { "a file is" } else { "files are" })]
    Unlisted {
        /// The bundle's path.
        bundle: String,
        /// The unlisted names, sorted.
        names: Vec<String>,
    },
    /// Two entries cannot both be extracted: one is a file and the other lies inside it.
    #[error("bundle {bundle}: entry {name:?} lies inside entry {file:?}, which is a file")]
    EntryConflict {
        /// The bundle's path.
        bundle: String,
        /// The entry that would need `file` to be a folder.
        name: String,
        /// The entry that is a file.
        file: String,
    },
    /// Extraction would overwrite something already in the destination folder.
    #[error("cannot extract to {path:?}: something is already there")]
    DestinationExists {
        /// The path already taken.
        path: PathBuf,
    },
    /// A folder on the way to an extracted file is a symbolic link in the destination.
    #[error("cannot extract through {path:?}: it is a symbolic link")]
    DestinationSymlink {
        /// The symbolic link.
        path: PathBuf,
    },
}

/// The result of every fallible function of this crate.
pub type Result<T, E = FailureBundleError> = std::result::Result<T, E>;

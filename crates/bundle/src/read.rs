//! Reading a failure bundle back, refusing anything hostile or inconsistent.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zip::ZipArchive;

use crate::builder::sha256_hex;
use crate::error::{FailureBundleError, Result};
use crate::names::{self, NameProblem, MANIFEST_NAME};
use crate::scan;

/// The contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The failed test's name.
    pub test_name: String,
    /// The error, as text.
    pub error_repr: String,
    /// When the failure was captured (ISO 8601).
    pub captured_at: String,
    /// Free-form details.
    pub metadata: Map<String, Value>,
    /// Every artifact of the bundle, sorted by name.
    pub artifacts: Vec<ArtifactEntry>,
}

impl Manifest {
    /// The manifest as a JSON value, keys in the order Python writes them.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// One artifact as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactEntry {
    /// Its name inside the bundle, e.g. `artifacts/screenshot.png`.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

/// A bundle read back: its manifest and every other file.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The manifest, typed.
    pub manifest: Manifest,
    /// The manifest exactly as parsed, with any fields a newer writer added.
    pub raw_manifest: Value,
    /// The bytes of `manifest.json` as stored.
    pub manifest_json: Vec<u8>,
    /// Every entry but `manifest.json` (folder entries left out), by name.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// What [`verify`] checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    /// The bundle's manifest.
    pub manifest: Manifest,
    /// Every artifact checked (present, of the listed size and SHA-256), in manifest order.
    pub checked: Vec<ArtifactEntry>,
}

/// How much a bundle may hold before it is refused as a decompression bomb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractLimits {
    /// The most bytes all entries together may inflate to (default 1 GiB).
    pub max_total_bytes: u64,
    /// The most an entry may inflate per stored byte (default 200), for entries that
    /// inflate past [`ratio_from_bytes`](Self::ratio_from_bytes).
    pub max_ratio: u64,
    /// Entries up to this size are never refused for their ratio (default 1 MiB).
    pub ratio_from_bytes: u64,
    /// The most entries a bundle may have (default 10 000).
    pub max_entries: usize,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits {
            max_total_bytes: 1 << 30,
            max_ratio: 200,
            ratio_from_bytes: 1 << 20,
            max_entries: 10_000,
        }
    }
}

/// Reads the bundle at `path` with the default [`ExtractLimits`].
///
/// Refuses, each with its own [`FailureBundleError`] variant: a missing file, a file that is
/// not a zip, too many entries, duplicate names, a name that escapes the bundle folder or is
/// not clean, a symbolic link, a decompression bomb (checked while inflating, whatever the
/// headers say), an unreadable entry (bad data, CRC mismatch), no `manifest.json`, a
/// manifest that is not JSON or not a manifest, and an artifact that is missing or whose
/// size or SHA-256 differs from the manifest. Files the manifest does not list are returned
/// (see [`verify`] to refuse them).
pub fn extract_bundle(path: impl AsRef<Path>) -> Result<Bundle> {
    extract_bundle_with(path, &ExtractLimits::default())
}

/// [`extract_bundle`] with the given limits.
pub fn extract_bundle_with(path: impl AsRef<Path>, limits: &ExtractLimits) -> Result<Bundle> {
    let path = path.as_ref();
    let label = path.display().to_string();
    let file = open_bundle(path, &label)?;
    read_bundle(BufReader::new(file), &label, limits)
}

/// [`extract_bundle`] of a bundle held in memory; messages name it `<bytes>`.
pub fn extract_bundle_from_bytes(bytes: &[u8], limits: &ExtractLimits) -> Result<Bundle> {
    read_bundle(std::io::Cursor::new(bytes), "<bytes>", limits)
}

/// Checks the bundle at `path` with the default [`ExtractLimits`]: every check of
/// [`extract_bundle`], and also that the zip holds no file the manifest does not list
/// ([`FailureBundleError::Unlisted`]).
pub fn verify(path: impl AsRef<Path>) -> Result<VerifyReport> {
    verify_with(path, &ExtractLimits::default())
}

/// [`verify`] with the given limits.
pub fn verify_with(path: impl AsRef<Path>, limits: &ExtractLimits) -> Result<VerifyReport> {
    let path = path.as_ref();
    let bundle = extract_bundle_with(path, limits)?;
    check_listed(&bundle, &path.display().to_string())
}

/// Refuses a bundle holding files its manifest does not list.
pub(crate) fn check_listed(bundle: &Bundle, label: &str) -> Result<VerifyReport> {
    let listed: BTreeSet<&str> = bundle
        .manifest
        .artifacts
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    let unlisted: Vec<String> = bundle
        .files
        .keys()
        .filter(|name| !listed.contains(name.as_str()))
        .cloned()
        .collect();
    if !unlisted.is_empty() {
        return Err(FailureBundleError::Unlisted {
            bundle: label.to_owned(),
            names: unlisted,
        });
    }
    Ok(VerifyReport {
        manifest: bundle.manifest.clone(),
        checked: bundle.manifest.artifacts.clone(),
    })
}

/// Opens the bundle file, refusing anything but a regular file.
pub(crate) fn open_bundle(path: &Path, label: &str) -> Result<File> {
    let not_found = || FailureBundleError::BundleNotFound {
        bundle: label.to_owned(),
    };
    if !path.is_file() {
        return Err(not_found());
    }
    File::open(path).map_err(|source| FailureBundleError::Io {
        action: "cannot open the bundle",
        path: path.to_path_buf(),
        source,
    })
}

/// Reads and checks a whole bundle from `reader`.
pub(crate) fn read_bundle<R: Read + Seek>(
    reader: R,
    label: &str,
    limits: &ExtractLimits,
) -> Result<Bundle> {
    let open = |reader| {
        ZipArchive::new(reader).map_err(|e: zip::result::ZipError| FailureBundleError::NotAZip {
            bundle: label.to_owned(),
            reason: e.to_string(),
        })
    };
    let mut archive = open(reader)?;
    if archive.len() > limits.max_entries {
        return Err(FailureBundleError::TooManyEntries {
            bundle: label.to_owned(),
            count: archive.len(),
            limit: limits.max_entries,
        });
    }
    let not_a_zip = |reason: String| FailureBundleError::NotAZip {
        bundle: label.to_owned(),
        reason,
    };
    let listing = scan::listing(&mut archive).map_err(not_a_zip)?;
    let mut reader = archive.into_inner();
    if let Some(name) = scan::duplicate_name(&mut reader, &listing).map_err(not_a_zip)? {
        return Err(FailureBundleError::DuplicateEntry {
            bundle: label.to_owned(),
            name,
        });
    }
    let stored_len = reader
        .seek(SeekFrom::End(0))
        .map_err(|e| not_a_zip(e.to_string()))?;
    let mut archive = open(reader)?;
    let mut entries = BTreeMap::new();
    let mut remaining = limits.max_total_bytes;
    for index in 0..archive.len() {
        let (name, mode, compressed) = {
            let raw = archive
                .by_index_raw(index)
                .map_err(|e| corrupt(label, &format!("#{index}"), &e.to_string()))?;
            (
                raw.name().to_owned(),
                raw.unix_mode(),
                raw.compressed_size(),
            )
        };
        let folder = name.ends_with('/');
        names::check(&name, true).map_err(|problem| bad_entry_name(label, &name, problem))?;
        if mode.is_some_and(|mode| mode & 0o170_000 == 0o120_000) {
            return Err(FailureBundleError::SymlinkEntry {
                bundle: label.to_owned(),
                name,
            });
        }
        if folder {
            continue;
        }
        let mut entry = archive
            .by_index(index)
            .map_err(|e| corrupt(label, &name, &e.to_string()))?;
        let stored = compressed.min(stored_len);
        let by_ratio = stored
            .saturating_mul(limits.max_ratio)
            .max(limits.ratio_from_bytes);
        let cap = by_ratio.min(remaining);
        let mut data = Vec::new();
        (&mut entry)
            .take(cap.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| corrupt(label, &name, &e.to_string()))?;
        let got = data.len() as u64;
        if got > cap {
            let reason = if cap == by_ratio {
                format!(
                    "it inflates past {by_ratio} bytes from {stored} stored bytes (more than {}:1)",
                    limits.max_ratio
                )
            } else {
                format!(
                    "the bundle inflates past the limit of {} bytes in all",
                    limits.max_total_bytes
                )
            };
            return Err(FailureBundleError::Bomb {
                bundle: label.to_owned(),
                name,
                reason,
            });
        }
        remaining -= got;
        entries.insert(name, data);
    }
    let manifest_bytes =
        entries
            .remove(MANIFEST_NAME)
            .ok_or_else(|| FailureBundleError::MissingManifest {
                bundle: label.to_owned(),
            })?;
    let (manifest, raw_manifest) = parse_manifest(&manifest_bytes, label)?;
    check_artifacts(&manifest, &entries, label)?;
    Ok(Bundle {
        manifest,
        raw_manifest,
        manifest_json: manifest_bytes,
        files: entries,
    })
}

fn parse_manifest(bytes: &[u8], label: &str) -> Result<(Manifest, Value)> {
    let raw: Value =
        serde_json::from_slice(bytes).map_err(|e| FailureBundleError::ManifestNotJson {
            bundle: label.to_owned(),
            reason: e.to_string(),
        })?;
    let shape = |reason: String| FailureBundleError::ManifestShape {
        bundle: label.to_owned(),
        reason,
    };
    let manifest = Manifest::deserialize(&raw).map_err(|e| shape(e.to_string()))?;
    let mut seen = BTreeSet::new();
    for artifact in &manifest.artifacts {
        if !seen.insert(artifact.name.as_str()) {
            return Err(shape(format!(
                "artifact {:?} is listed twice",
                artifact.name
            )));
        }
        if names::check(&artifact.name, false).is_err() || artifact.name == MANIFEST_NAME {
            return Err(shape(format!(
                "artifact name {:?} is not a file name of the bundle",
                artifact.name
            )));
        }
    }
    Ok((manifest, raw))
}

fn check_artifacts(
    manifest: &Manifest,
    files: &BTreeMap<String, Vec<u8>>,
    label: &str,
) -> Result<()> {
    for artifact in &manifest.artifacts {
        let name = artifact.name.clone();
        let Some(data) = files.get(&artifact.name) else {
            return Err(FailureBundleError::MissingArtifact {
                bundle: label.to_owned(),
                name,
            });
        };
        let actual = data.len() as u64;
        if actual != artifact.size {
            return Err(FailureBundleError::SizeMismatch {
                bundle: label.to_owned(),
                name,
                expected: artifact.size,
                actual,
            });
        }
        let digest = sha256_hex(data);
        if !digest.eq_ignore_ascii_case(&artifact.sha256) {
            return Err(FailureBundleError::ChecksumMismatch {
                bundle: label.to_owned(),
                name,
                expected: artifact.sha256.clone(),
                actual: digest,
            });
        }
    }
    Ok(())
}

fn corrupt(label: &str, name: &str, reason: &str) -> FailureBundleError {
    FailureBundleError::CorruptEntry {
        bundle: label.to_owned(),
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

fn bad_entry_name(label: &str, name: &str, problem: NameProblem) -> FailureBundleError {
    match problem {
        NameProblem::Escapes(reason) => FailureBundleError::EntryEscapes {
            bundle: label.to_owned(),
            name: name.to_owned(),
            reason,
        },
        NameProblem::Unclean(reason) => FailureBundleError::UncleanEntryName {
            bundle: label.to_owned(),
            name: name.to_owned(),
            reason,
        },
    }
}

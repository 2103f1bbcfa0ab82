//! Building a failure bundle and writing it as a zip, the way the Python WebRunner does.

use std::collections::BTreeMap;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::error::{FailureBundleError, Result};
use crate::names::{self, MANIFEST_NAME};
use crate::python_json;
use crate::read::{ArtifactEntry, Manifest};

/// The evidence of one failed test, gathered before it is written as a zip.
///
/// The same builder as the Python WebRunner's `FailureBundle`: every artifact is kept under
/// a name (`artifacts/...` unless [`add_file`](Self::add_file) is given another), and
/// [`write`](Self::write) stores `manifest.json` first, then every entry sorted by name.
/// Adding under a name already used replaces the earlier bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureBundle {
    /// The failed test's name.
    pub test_name: String,
    /// The error, as its `repr` in Python (any text that describes it).
    pub error_repr: String,
    /// When the failure was captured: UTC, ISO 8601 to the second, e.g.
    /// `2026-12-07T09:41:02+00:00`.
    pub captured_at: String,
    /// Free-form details written into the manifest as they are.
    pub metadata: Map<String, Value>,
    entries: BTreeMap<String, Vec<u8>>,
}

impl FailureBundle {
    /// A bundle with no artifacts yet, captured now.
    pub fn new(test_name: impl Into<String>, error_repr: impl Into<String>) -> Self {
        FailureBundle {
            test_name: test_name.into(),
            error_repr: error_repr.into(),
            captured_at: utc_now_iso(),
            metadata: Map::new(),
            entries: BTreeMap::new(),
        }
    }

    /// The entries so far, by name inside the bundle.
    pub fn entries(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.entries
    }

    /// Adds screenshot bytes as `artifacts/screenshot.png`.
    pub fn add_screenshot(&mut self, png: impl Into<Vec<u8>>) {
        self.entries
            .insert("artifacts/screenshot.png".to_owned(), png.into());
    }

    /// Adds screenshot bytes as `artifacts/<name>`; `name` must be a clean relative name.
    pub fn add_screenshot_named(&mut self, png: impl Into<Vec<u8>>, name: &str) -> Result<()> {
        self.put(format!("artifacts/{name}"), png.into())
    }

    /// Adds the page's HTML as `artifacts/dom.html`.
    pub fn add_dom(&mut self, html: &str) {
        self.entries
            .insert("artifacts/dom.html".to_owned(), html.as_bytes().to_vec());
    }

    /// Adds the page's HTML as `artifacts/<name>`; `name` must be a clean relative name.
    pub fn add_dom_named(&mut self, html: &str, name: &str) -> Result<()> {
        self.put(format!("artifacts/{name}"), html.as_bytes().to_vec())
    }

    /// Adds console messages as `artifacts/console.json`, written like Python's
    /// `json.dumps(messages, ensure_ascii=False, indent=2)`.
    pub fn add_console(&mut self, messages: &[Value]) {
        let text = python_json(&Value::Array(messages.to_vec()));
        self.entries
            .insert("artifacts/console.json".to_owned(), text);
    }

    /// Adds network responses as `artifacts/network.json`, written like
    /// [`add_console`](Self::add_console).
    pub fn add_network(&mut self, responses: &[Value]) {
        let text = python_json(&Value::Array(responses.to_vec()));
        self.entries
            .insert("artifacts/network.json".to_owned(), text);
    }

    /// Adds a trace file as `artifacts/<its file name>`.
    ///
    /// Fails with [`FailureBundleError::FileNotFound`] when `path` is not a regular file.
    pub fn add_trace(&mut self, path: impl AsRef<Path>) -> Result<()> {
        self.add_file(path, None)
    }

    /// Adds a file as `inside_name`, or as `artifacts/<its file name>` when `None`.
    ///
    /// `inside_name` must be a clean relative name (no `..`, no leading `/`, no backslash,
    /// no empty part) other than `manifest.json`; otherwise
    /// [`FailureBundleError::BadInsideName`]. Fails with
    /// [`FailureBundleError::FileNotFound`] when `source` is not a regular file.
    pub fn add_file(&mut self, source: impl AsRef<Path>, inside_name: Option<&str>) -> Result<()> {
        let source = source.as_ref();
        if !source.is_file() {
            return Err(FailureBundleError::FileNotFound {
                path: source.to_path_buf(),
            });
        }
        let target = match inside_name {
            Some(name) if !name.is_empty() => name.to_owned(),
            _ => {
                let file_name = source.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                    FailureBundleError::BadInsideName {
                        name: source.display().to_string(),
                        reason: "the file name is not UTF-8".to_owned(),
                    }
                })?;
                format!("artifacts/{file_name}")
            }
        };
        names::check(&target, false).map_err(|p| bad_name(&target, p.reason()))?;
        let bytes = std::fs::read(source).map_err(|source_err| FailureBundleError::Io {
            action: "cannot read",
            path: source.to_path_buf(),
            source: source_err,
        })?;
        self.put(target, bytes)
    }

    /// Adds text as `artifacts/<name>`; `name` must be a clean relative name.
    pub fn add_text(&mut self, name: &str, text: &str) -> Result<()> {
        self.put(format!("artifacts/{name}"), text.as_bytes().to_vec())
    }

    /// The manifest as written: the test, the error, when, the metadata and every artifact's
    /// name, size and SHA-256, sorted by name.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            test_name: self.test_name.clone(),
            error_repr: self.error_repr.clone(),
            captured_at: self.captured_at.clone(),
            metadata: self.metadata.clone(),
            artifacts: self
                .entries
                .iter()
                .map(|(name, data)| ArtifactEntry {
                    name: name.clone(),
                    size: data.len() as u64,
                    sha256: sha256_hex(data),
                })
                .collect(),
        }
    }

    /// The bytes of `manifest.json`, like Python's
    /// `json.dumps(manifest, ensure_ascii=False, indent=2)`.
    pub fn manifest_json(&self) -> Vec<u8> {
        python_json(&self.manifest().to_value())
    }

    /// Writes the bundle as a zip (deflate) at `path`, creating its folder, and returns
    /// `path`. Every entry is dated [`captured_at`](Self::captured_at), so the same bundle
    /// gives the same bytes.
    ///
    /// The zip is written to a new temporary file in the same folder and renamed over
    /// `path` only when complete, so a failed write leaves no half zip and an existing
    /// bundle at `path` stays as it was.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        let path = path.as_ref();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(|source| FailureBundleError::Io {
            action: "cannot create the folder",
            path: dir.to_path_buf(),
            source,
        })?;
        let io_err = |action, source| FailureBundleError::Io {
            action,
            path: path.to_path_buf(),
            source,
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".bundle-").suffix(".zip.tmp");
        #[cfg(unix)]
        {
            // The usual permissions of a new file (0o666 less the umask), not 0o600.
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder
            .tempfile_in(dir)
            .map_err(|e| io_err("cannot create a temporary file beside", e))?;
        let file = self.write_zip(tmp.as_file_mut(), path)?;
        file.sync_all()
            .map_err(|e| io_err("cannot write the bundle", e))?;
        tmp.persist(path)
            .map_err(|e| io_err("cannot rename the finished bundle to", e.error))?;
        Ok(path.to_path_buf())
    }

    /// The zip's bytes, as [`write`](Self::write) would store them.
    pub fn to_zip_bytes(&self) -> Result<Vec<u8>> {
        let mut cursor = std::io::Cursor::new(Vec::new());
        self.write_zip(&mut cursor, Path::new("<bytes>"))?;
        Ok(cursor.into_inner())
    }

    fn write_zip<'w, W: Write + Seek>(&self, out: &'w mut W, path: &Path) -> Result<&'w mut W> {
        let zip_err = |e: zip::result::ZipError| FailureBundleError::ZipWrite {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let io_err = |source| FailureBundleError::Io {
            action: "cannot write the bundle",
            path: path.to_path_buf(),
            source,
        };
        let mut zip = ZipWriter::new(out);
        let modified = zip_time(&self.captured_at);
        let manifest = self.manifest_json();
        let entries = std::iter::once((MANIFEST_NAME, manifest.as_slice()))
            .chain(self.entries.iter().map(|(n, d)| (n.as_str(), d.as_slice())));
        for (name, data) in entries {
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .large_file(data.len() as u64 >= u64::from(u32::MAX))
                .unix_permissions(0o644)
                .last_modified_time(modified);
            zip.start_file(name, options).map_err(zip_err)?;
            zip.write_all(data).map_err(io_err)?;
        }
        zip.finish().map_err(zip_err)
    }

    fn put(&mut self, name: String, bytes: Vec<u8>) -> Result<()> {
        names::check(&name, false).map_err(|p| bad_name(&name, p.reason()))?;
        if name == MANIFEST_NAME {
            return Err(bad_name(&name, "the manifest's own name"));
        }
        self.entries.insert(name, bytes);
        Ok(())
    }
}

fn bad_name(name: &str, reason: &str) -> FailureBundleError {
    FailureBundleError::BadInsideName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The zip date of every entry: `captured_at` in UTC (to the even second, as zip dates
/// go), or 1980-01-01 when it is not an RFC 3339 date in zip's range.
fn zip_time(captured_at: &str) -> zip::DateTime {
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(captured_at, rfc3339)
        .ok()
        .and_then(|at| {
            let at = at.to_offset(time::UtcOffset::UTC);
            zip::DateTime::from_date_and_time(
                u16::try_from(at.year()).ok()?,
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second() & !1,
            )
            .ok()
        })
        .unwrap_or_default()
}

/// Lowercase hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Now, as Python's `datetime.now(tz=timezone.utc).isoformat(timespec="seconds")`.
pub fn utc_now_iso() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    now.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00+00:00".to_owned())
}

//! A walk over the zip's central directory to find entries listed twice under one name.
//!
//! The zip reader keeps one entry per name (the last one), so a second entry of the same
//! name is invisible through it; Python's `zipfile` would read yet another. The walk finds
//! the central-directory records the reader dropped.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};

use zip::ZipArchive;

/// The signature of a central-directory file header.
const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;

/// The fixed part of a central-directory file header, in bytes.
const CENTRAL_HEADER_LEN: usize = 46;

/// Where the zip reader found the entries it kept.
pub(crate) struct Listing {
    /// The central-directory offset of every entry kept.
    kept: BTreeSet<u64>,
    /// Where the central directory starts.
    start: u64,
}

/// Notes where `archive`'s entries are listed, for [`duplicate_name`].
pub(crate) fn listing<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<Listing, String> {
    let mut kept = BTreeSet::new();
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|e| e.to_string())?;
        kept.insert(entry.central_header_start());
    }
    Ok(Listing {
        kept,
        start: archive.central_directory_start(),
    })
}

/// The name of an entry the zip reader dropped because another entry has the same name,
/// if any. `Err` when the central directory cannot be read again.
pub(crate) fn duplicate_name<R: Read + Seek>(
    reader: &mut R,
    listing: &Listing,
) -> Result<Option<String>, String> {
    let Listing { kept, start } = listing;
    let (Some(&last), start) = (kept.last(), *start) else {
        return Ok(None);
    };
    reader
        .seek(SeekFrom::Start(start))
        .map_err(|e| e.to_string())?;
    let mut offset = start;
    while offset <= last {
        let mut header = [0u8; CENTRAL_HEADER_LEN];
        if reader.read_exact(&mut header).is_err() {
            break;
        }
        if u32::from_le_bytes([header[0], header[1], header[2], header[3]])
            != CENTRAL_HEADER_SIGNATURE
        {
            break;
        }
        let field = |at: usize| u64::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let (name_len, extra_len, comment_len) = (field(28), field(30), field(32));
        let mut name = Vec::new();
        (&mut *reader)
            .take(name_len)
            .read_to_end(&mut name)
            .map_err(|e| e.to_string())?;
        if !kept.contains(&offset) {
            return Ok(Some(String::from_utf8_lossy(&name).into_owned()));
        }
        let skip = extra_len + comment_len;
        let skip_signed = i64::try_from(skip).map_err(|e| e.to_string())?;
        reader
            .seek(SeekFrom::Current(skip_signed))
            .map_err(|e| e.to_string())?;
        offset += CENTRAL_HEADER_LEN as u64 + name_len + skip;
    }
    Ok(None)
}

//! Reading an input file whole. A large file is read by two threads at once, each copying
//! one half from the page cache (one core copies at a fraction of what memory allows).

use std::io;
use std::path::Path;

/// Files at least this large are read in two halves at once.
const SPLIT_AT: u64 = 8 << 20;

/// The bytes of the file at `path`, as [`std::fs::read`] gives them.
pub(crate) fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    #[cfg(unix)]
    if let Some(bytes) = read_in_halves(path) {
        return Ok(bytes);
    }
    std::fs::read(path)
}

/// The file read in two halves at once; `None` when it is small, or anything unexpected
/// happens (it changed size while being read, say), so that the plain read decides.
#[cfg(unix)]
fn read_in_halves(path: &Path) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;

    let file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len < SPLIT_AT {
        return None;
    }
    let mut bytes = vec![0u8; usize::try_from(len).ok()?];
    let half = bytes.len() / 2;
    let (first, second) = bytes.split_at_mut(half);
    let (a, b) = rayon::join(
        || file.read_exact_at(first, 0),
        || file.read_exact_at(second, half as u64),
    );
    a.ok()?;
    b.ok()?;
    // Nothing may follow what the size promised.
    let mut probe = [0u8; 1];
    (file.read_at(&mut probe, len).ok()? == 0).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_files_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0usize, 10, SPLIT_AT as usize + 3] {
            let path = dir.path().join(format!("f{len}"));
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read_file(&path).unwrap(), bytes);
        }
        assert!(read_file(&dir.path().join("missing")).is_err());
    }
}

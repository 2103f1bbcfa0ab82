//! Hostile and broken bundles: each is refused with its own error, and extracting one writes
//! nothing at all.

mod common;

use std::mem::discriminant;
use std::path::Path;

use common::{deflate_zeros, raw_zip, tree, RawEntry};
use webrunner_bundle::{
    extract_bundle_from_bytes, extract_bundle_with, extract_to_with, verify_with, ExtractLimits,
    FailureBundle, FailureBundleError as E,
};

/// The entries of a small good bundle: `manifest.json` first, then its two artifacts.
fn good_entries() -> Vec<RawEntry> {
    let mut b = FailureBundle::new("t", "AssertionError()");
    b.add_text("a.txt", "hello").expect("clean name");
    b.add_dom("<p>hi</p>");
    let mut entries = vec![RawEntry::file("manifest.json", &b.manifest_json())];
    for (name, data) in b.entries() {
        entries.push(RawEntry::file(name, data));
    }
    entries
}

/// Reads `zip` every way (file, bytes, verify, extract_to) with `limits`, checks each way
/// fails with the same variant and that extraction wrote nothing, and returns the error.
fn refused_with(zip: &[u8], limits: &ExtractLimits) -> E {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bundle = tmp.path().join("in").join("bundle.zip");
    std::fs::create_dir_all(bundle.parent().expect("parent")).expect("mkdir");
    std::fs::write(&bundle, zip).expect("write zip");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).expect("mkdir out");

    let err = extract_bundle_with(&bundle, limits).expect_err("the bundle must be refused");
    let from_bytes = extract_bundle_from_bytes(zip, limits).expect_err("refused from bytes too");
    assert_eq!(
        discriminant(&err),
        discriminant(&from_bytes),
        "{err} / {from_bytes}"
    );
    let verified = verify_with(&bundle, limits).expect_err("verify refuses it");
    assert_eq!(
        discriminant(&err),
        discriminant(&verified),
        "{err} / {verified}"
    );
    let extracted =
        extract_to_with(&bundle, out.join("dest"), limits).expect_err("extract_to refuses it");
    assert_eq!(
        discriminant(&err),
        discriminant(&extracted),
        "{err} / {extracted}"
    );
    assert_eq!(
        tree(&out),
        Vec::<std::path::PathBuf>::new(),
        "extract_to wrote something"
    );
    let message = err.to_string();
    assert!(message.contains(&bundle.display().to_string()), "{message}");
    err
}

fn refused(zip: &[u8]) -> E {
    refused_with(zip, &ExtractLimits::default())
}

fn with_extra(extra: RawEntry) -> Vec<u8> {
    let mut entries = good_entries();
    entries.push(extra);
    raw_zip(&entries)
}

#[test]
fn good_bundle_written_by_hand_is_accepted() {
    let zip = raw_zip(&good_entries());
    let bundle = extract_bundle_from_bytes(&zip, &ExtractLimits::default()).expect("a good bundle");
    assert_eq!(bundle.files["artifacts/a.txt"], b"hello");
}

#[test]
fn zip_slip_is_refused() {
    let err = refused(&with_extra(RawEntry::file("../../evil.txt", b"pwned")));
    assert!(
        matches!(&err, E::EntryEscapes { name, .. } if name == "../../evil.txt"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("entry \"../../evil.txt\" escapes the bundle folder"),
        "{err}"
    );
}

#[test]
fn absolute_name_is_refused() {
    let err = refused(&with_extra(RawEntry::file("/tmp/x", b"pwned")));
    assert!(
        matches!(&err, E::EntryEscapes { name, .. } if name == "/tmp/x"),
        "{err}"
    );
}

#[test]
fn backslash_name_is_refused() {
    let err = refused(&with_extra(RawEntry::file("..\\x", b"pwned")));
    assert!(
        matches!(&err, E::EntryEscapes { name, .. } if name == "..\\x"),
        "{err}"
    );
}

#[test]
fn windows_drive_is_refused() {
    let err = refused(&with_extra(RawEntry::file("C:/Windows/x", b"pwned")));
    assert!(matches!(&err, E::EntryEscapes { .. }), "{err}");
}

#[test]
fn unclean_names_are_refused() {
    for name in ["artifacts//a", "./a", "artifacts/./a", "a\u{1}b"] {
        let err = refused(&with_extra(RawEntry::file(name, b"x")));
        assert!(
            matches!(&err, E::UncleanEntryName { .. }),
            "{name:?}: {err}"
        );
    }
}

#[test]
fn symlink_entry_is_refused() {
    let mut link = RawEntry::file("artifacts/link", b"/etc/passwd");
    link.external = 0o120_777 << 16;
    let err = refused(&with_extra(link));
    assert!(
        matches!(&err, E::SymlinkEntry { name, .. } if name == "artifacts/link"),
        "{err}"
    );
}

fn zeros_entry(name: &str, zeros: u64, declared: u32) -> RawEntry {
    let stored = deflate_zeros(zeros);
    RawEntry {
        name: name.as_bytes().to_vec(),
        stored,
        method: 8,
        crc: 0,
        size: declared,
        external: 0o100_644 << 16,
    }
}

#[test]
fn bomb_past_the_ratio_is_refused() {
    // 200 MB of zeros in 1.3 MB; at most 10:1 here, so reading stops after 13 MB.
    let zip = with_extra(zeros_entry("artifacts/zeros.bin", 200_000_000, 200_000_000));
    let limits = ExtractLimits {
        max_ratio: 10,
        ..ExtractLimits::default()
    };
    let err = refused_with(&zip, &limits);
    assert!(
        matches!(&err, E::Bomb { name, .. } if name == "artifacts/zeros.bin"),
        "{err}"
    );
    assert!(err.to_string().contains("10:1"), "{err}");
}

#[test]
fn bomb_past_the_total_is_refused() {
    let zip = with_extra(zeros_entry("artifacts/zeros.bin", 50_000_000, 50_000_000));
    let limits = ExtractLimits {
        max_total_bytes: 4 << 20,
        ..ExtractLimits::default()
    };
    let err = refused_with(&zip, &limits);
    assert!(matches!(&err, E::Bomb { .. }), "{err}");
    assert!(err.to_string().contains("4194304 bytes in all"), "{err}");
}

#[test]
fn bomb_with_a_lying_header_is_refused() {
    // The headers say 10 bytes; the data inflates to 50 MB.
    let zip = with_extra(zeros_entry("artifacts/zeros.bin", 50_000_000, 10));
    let limits = ExtractLimits {
        max_total_bytes: 4 << 20,
        ..ExtractLimits::default()
    };
    let err = refused_with(&zip, &limits);
    assert!(matches!(&err, E::Bomb { .. }), "{err}");
}

#[test]
fn bomb_is_refused_with_the_default_limits() {
    // A real deflate of 64 MiB of zeros (about 1000:1) passes 200:1 once past 1 MiB.
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("manifest.json", options).expect("start");
    std::io::Write::write_all(&mut writer, &good_entries()[0].stored).expect("manifest");
    writer
        .start_file("artifacts/zeros.bin", options)
        .expect("start");
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..64 {
        std::io::Write::write_all(&mut writer, &chunk).expect("zeros");
    }
    let zip = writer.finish().expect("finish").into_inner();
    assert!(
        zip.len() < 400_000,
        "the deflate should be about 1000:1, got {} bytes",
        zip.len()
    );
    let err = refused(&zip);
    assert!(matches!(&err, E::Bomb { .. }), "{err}");
    assert!(err.to_string().contains("200:1"), "{err}");
}

#[test]
fn missing_manifest_is_refused() {
    let zip = raw_zip(&good_entries()[1..]);
    let err = refused(&zip);
    assert!(matches!(err, E::MissingManifest { .. }), "{err}");
}

#[test]
fn manifest_that_is_not_json_is_refused() {
    let mut entries = good_entries();
    entries[0] = RawEntry::file("manifest.json", b"{\"test_name\": ");
    let err = refused(&raw_zip(&entries));
    assert!(matches!(err, E::ManifestNotJson { .. }), "{err}");
}

#[test]
fn manifest_of_the_wrong_shape_is_refused() {
    let mut entries = good_entries();
    entries[0] = RawEntry::file("manifest.json", br#"{"test_name": 3, "artifacts": []}"#);
    let err = refused(&raw_zip(&entries));
    assert!(matches!(err, E::ManifestShape { .. }), "{err}");
}

#[test]
fn manifest_listing_a_missing_file_is_refused() {
    let entries = good_entries();
    let zip = raw_zip(&[entries[0].clone(), entries[1].clone()]);
    let err = refused(&zip);
    let missing = String::from_utf8(entries[2].name.clone()).expect("utf-8");
    assert!(
        matches!(&err, E::MissingArtifact { name, .. } if *name == missing),
        "{err}"
    );
}

#[test]
fn checksum_mismatch_is_refused() {
    let mut entries = good_entries();
    let a = entries
        .iter_mut()
        .find(|e| e.name == b"artifacts/a.txt")
        .expect("a.txt");
    *a = RawEntry::file("artifacts/a.txt", b"HELLO");
    let err = refused(&raw_zip(&entries));
    assert!(
        matches!(&err, E::ChecksumMismatch { name, .. } if name == "artifacts/a.txt"),
        "{err}"
    );
}

#[test]
fn size_mismatch_is_refused() {
    let mut entries = good_entries();
    let a = entries
        .iter_mut()
        .find(|e| e.name == b"artifacts/a.txt")
        .expect("a.txt");
    *a = RawEntry::file("artifacts/a.txt", b"hello!");
    let err = refused(&raw_zip(&entries));
    assert!(
        matches!(
            &err,
            E::SizeMismatch {
                expected: 5,
                actual: 6,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn crc_mismatch_is_refused() {
    let mut entries = good_entries();
    let a = entries
        .iter_mut()
        .find(|e| e.name == b"artifacts/a.txt")
        .expect("a.txt");
    a.crc ^= 1;
    let err = refused(&raw_zip(&entries));
    assert!(
        matches!(&err, E::CorruptEntry { name, .. } if name == "artifacts/a.txt"),
        "{err}"
    );
}

#[test]
fn duplicate_names_are_refused() {
    let entries = good_entries();
    for twice in [1, 0] {
        let mut doubled = entries.clone();
        doubled.push(entries[twice].clone());
        let err = refused(&raw_zip(&doubled));
        let name = String::from_utf8(entries[twice].name.clone()).expect("utf-8");
        assert!(
            matches!(&err, E::DuplicateEntry { name: n, .. } if *n == name),
            "{err}"
        );
    }
    // The first copy is the hostile one: the reader would keep the later, good copy.
    let mut doubled = entries.clone();
    doubled.insert(1, RawEntry::file("artifacts/a.txt", b"HELLO"));
    let err = refused(&raw_zip(&doubled));
    assert!(matches!(err, E::DuplicateEntry { .. }), "{err}");
}

#[test]
fn too_many_entries_are_refused() {
    let limits = ExtractLimits {
        max_entries: 2,
        ..ExtractLimits::default()
    };
    let err = refused_with(&raw_zip(&good_entries()), &limits);
    assert!(
        matches!(
            err,
            E::TooManyEntries {
                count: 3,
                limit: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn not_a_zip_is_refused() {
    let err = refused(b"this is not a zip at all, just text\n");
    assert!(matches!(err, E::NotAZip { .. }), "{err}");
    assert!(err.to_string().contains("not a zip archive"), "{err}");
    let err = refused(&[]);
    assert!(matches!(err, E::NotAZip { .. }), "{err}");
}

#[test]
fn missing_bundle_is_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("nope.zip");
    let err = extract_bundle_with(&path, &ExtractLimits::default()).expect_err("missing");
    assert!(matches!(err, E::BundleNotFound { .. }), "{err}");
    assert!(err.to_string().contains("nope.zip"), "{err}");
    let err = extract_to_with(&path, tmp.path().join("out"), &ExtractLimits::default())
        .expect_err("missing");
    assert!(matches!(err, E::BundleNotFound { .. }), "{err}");
    assert_eq!(tree(tmp.path()), Vec::<std::path::PathBuf>::new());
    let err = extract_bundle_with(tmp.path(), &ExtractLimits::default()).expect_err("a folder");
    assert!(matches!(err, E::BundleNotFound { .. }), "{err}");
}

#[test]
fn unlisted_file_is_read_but_not_verified_or_extracted() {
    let zip = with_extra(RawEntry::file("artifacts/extra.txt", b"extra"));
    let bundle = extract_bundle_from_bytes(&zip, &ExtractLimits::default())
        .expect("extract_bundle allows it");
    assert_eq!(bundle.files["artifacts/extra.txt"], b"extra");
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("b.zip");
    std::fs::write(&path, &zip).expect("write");
    let err = verify_with(&path, &ExtractLimits::default()).expect_err("unlisted");
    assert!(
        matches!(&err, E::Unlisted { names, .. } if names == &["artifacts/extra.txt"]),
        "{err}"
    );
    let out = tmp.path().join("out");
    let err = extract_to_with(&path, &out, &ExtractLimits::default()).expect_err("unlisted");
    assert!(matches!(err, E::Unlisted { .. }), "{err}");
    assert!(!out.exists());
}

#[test]
fn entry_inside_a_file_entry_is_not_extracted() {
    let mut b = FailureBundle::new("t", "e");
    b.add_text("a", "file").expect("name");
    b.add_text("a/b", "inside").expect("name");
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = b.write(tmp.path().join("b.zip")).expect("write");
    let out = tmp.path().join("out");
    let err = extract_to_with(&path, &out, &ExtractLimits::default()).expect_err("conflict");
    assert!(
        matches!(&err, E::EntryConflict { name, file, .. } if name == "artifacts/a/b" && file == "artifacts/a"),
        "{err}"
    );
    assert!(!out.exists());
}

fn written_bundle(dir: &Path) -> std::path::PathBuf {
    let mut b = FailureBundle::new("t", "e");
    b.add_text("a.txt", "hello").expect("name");
    b.write(dir.join("b.zip")).expect("write")
}

#[cfg(unix)]
#[test]
fn symlink_in_the_destination_is_not_followed() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = written_bundle(tmp.path());
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    let dest = tmp.path().join("dest");
    std::fs::create_dir(&dest).expect("mkdir");
    std::os::unix::fs::symlink(&outside, dest.join("artifacts")).expect("symlink");
    let err = extract_to_with(&path, &dest, &ExtractLimits::default()).expect_err("symlink");
    assert!(
        matches!(&err, E::DestinationSymlink { path } if path == &dest.join("artifacts")),
        "{err}"
    );
    assert_eq!(tree(&outside), Vec::<std::path::PathBuf>::new());
    assert_eq!(
        tree(&dest),
        vec![dest.join("artifacts")],
        "nothing else written"
    );
}

#[test]
fn existing_file_in_the_destination_is_not_overwritten() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = written_bundle(tmp.path());
    let dest = tmp.path().join("dest");
    std::fs::create_dir_all(dest.join("artifacts")).expect("mkdir");
    std::fs::write(dest.join("artifacts/a.txt"), "mine").expect("write");
    let err = extract_to_with(&path, &dest, &ExtractLimits::default()).expect_err("exists");
    assert!(
        matches!(&err, E::DestinationExists { path } if path == &dest.join("artifacts/a.txt")),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dest.join("artifacts/a.txt")).expect("read"),
        "mine"
    );
    assert!(
        !dest.join("manifest.json").exists(),
        "nothing written before the refusal"
    );
}

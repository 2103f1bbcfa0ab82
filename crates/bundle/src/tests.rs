//! Unit tests of the bundle builder and reader.

use serde_json::json;

use crate::{extract_bundle, extract_to, verify, FailureBundle, FailureBundleError as E};

#[test]
fn captured_at_is_utc_to_the_second() {
    let b = FailureBundle::new("t", "e");
    let at = &b.captured_at;
    assert_eq!(at.len(), 25, "{at}");
    assert!(at.ends_with("+00:00"), "{at}");
    assert_eq!(&at[10..11], "T", "{at}");
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
}

#[test]
fn names_of_artifacts_follow_python() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let trace = tmp.path().join("trace.json");
    std::fs::write(&trace, "{}").expect("write");
    let mut b = FailureBundle::new("t", "e");
    b.add_screenshot(vec![1]);
    b.add_screenshot_named(vec![2], "second.png").expect("name");
    b.add_dom("<p/>");
    b.add_dom_named("<i/>", "frame.html").expect("name");
    b.add_console(&[]);
    b.add_network(&[json!({"status": 200})]);
    b.add_trace(&trace).expect("trace");
    b.add_file(&trace, Some("elsewhere/t.json")).expect("file");
    b.add_file(&trace, Some(""))
        .expect("empty name means the default");
    b.add_text("notes/n.txt", "n").expect("text");
    let names: Vec<&str> = b.entries().keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "artifacts/console.json",
            "artifacts/dom.html",
            "artifacts/frame.html",
            "artifacts/network.json",
            "artifacts/notes/n.txt",
            "artifacts/screenshot.png",
            "artifacts/second.png",
            "artifacts/trace.json",
            "elsewhere/t.json",
        ]
    );
    assert_eq!(b.entries()["artifacts/console.json"], b"[]");
}

#[test]
fn unsafe_inside_names_are_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("f.bin");
    std::fs::write(&file, "x").expect("write");
    let mut b = FailureBundle::new("t", "e");
    for name in [
        "../x",
        "/etc/x",
        "a\\b",
        "a//b",
        "./a",
        "a/../b",
        "C:/x",
        "manifest.json",
        "a/",
    ] {
        let err = b.add_file(&file, Some(name)).expect_err(name);
        assert!(matches!(err, E::BadInsideName { .. }), "{name}: {err}");
    }
    assert!(matches!(
        b.add_text("../up", "x"),
        Err(E::BadInsideName { .. })
    ));
    assert!(matches!(
        b.add_screenshot_named(vec![], ""),
        Err(E::BadInsideName { .. })
    ));
    assert!(b.entries().is_empty());
}

#[test]
fn missing_files_are_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut b = FailureBundle::new("t", "e");
    let err = b
        .add_trace(tmp.path().join("nope.json"))
        .expect_err("missing");
    assert!(matches!(err, E::FileNotFound { .. }), "{err}");
    assert!(err.to_string().contains("nope.json"), "{err}");
    let err = b.add_file(tmp.path(), None).expect_err("a folder");
    assert!(matches!(err, E::FileNotFound { .. }), "{err}");
}

fn sample() -> FailureBundle {
    let mut b = FailureBundle::new("checkout", "AssertionError('total')");
    b.metadata.insert("browser".into(), json!("chromium"));
    b.add_screenshot(vec![0x89, b'P', b'N', b'G', 0, 1, 2]);
    b.add_dom("<html>ü</html>");
    b.add_console(&[json!({"level": "error", "text": "boom", "at": 1.25})]);
    b.add_text("deep/er/note.txt", "hi").expect("name");
    b
}

#[test]
fn write_extract_verify_round_trip() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let b = sample();
    let path = b
        .write(tmp.path().join("a/b/c.zip"))
        .expect("write creates folders");
    let back = extract_bundle(&path).expect("read back");
    assert_eq!(back.manifest, b.manifest());
    assert_eq!(back.manifest_json, b.manifest_json());
    assert_eq!(&back.files, b.entries());
    assert_eq!(back.raw_manifest, b.manifest().to_value());
    let report = verify(&path).expect("verify");
    assert_eq!(report.checked, b.manifest().artifacts);
    assert_eq!(
        b.to_zip_bytes().expect("bytes"),
        std::fs::read(&path).expect("read")
    );

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).expect("open")).expect("zip");
    assert_eq!(archive.name_for_index(0), Some("manifest.json"));
    let names: Vec<&str> = archive.file_names().collect();
    let mut sorted = names[1..].to_vec();
    sorted.sort_unstable();
    assert_eq!(names[1..], sorted[..]);
    let entry = archive.by_index(1).expect("entry");
    assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
}

#[test]
fn extract_to_writes_every_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let b = sample();
    let path = b.write(tmp.path().join("b.zip")).expect("write");
    let dest = tmp.path().join("out/here");
    let written = extract_to(&path, &dest).expect("extract");
    assert_eq!(written[0], dest.join("manifest.json"));
    assert_eq!(written.len(), b.entries().len() + 1);
    assert_eq!(
        std::fs::read(dest.join("manifest.json")).expect("manifest"),
        b.manifest_json()
    );
    for (name, data) in b.entries() {
        assert_eq!(
            &std::fs::read(dest.join(name)).expect("file"),
            data,
            "{name}"
        );
    }
    // A second time every file is already there.
    let err = extract_to(&path, &dest).expect_err("exists");
    assert!(matches!(err, E::DestinationExists { .. }), "{err}");
}

#[test]
fn failed_write_keeps_the_old_bundle_and_leaves_no_temporary_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let b = sample();
    let good = b.write(tmp.path().join("good.zip")).expect("write");
    let before = std::fs::read(&good).expect("read");
    // A folder in the way: the rename fails after the zip was written.
    let blocked = tmp.path().join("blocked.zip");
    std::fs::create_dir(&blocked).expect("mkdir");
    std::fs::write(blocked.join("keep"), "x").expect("write");
    let err = b.write(&blocked).expect_err("a folder is in the way");
    assert!(matches!(err, E::Io { .. }), "{err}");
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["blocked.zip", "good.zip"]);
    // Rewriting over a good bundle replaces it whole.
    let mut other = sample();
    other.test_name = "another".into();
    other.write(&good).expect("rewrite");
    assert_ne!(std::fs::read(&good).expect("read"), before);
    assert_eq!(
        extract_bundle(&good).expect("read").manifest.test_name,
        "another"
    );
}

#[test]
fn error_messages_name_the_bundle_and_the_entry() {
    let err = E::EntryEscapes {
        bundle: "x.zip".into(),
        name: "../../evil.txt".into(),
        reason: "a \"..\" part",
    };
    assert_eq!(
        err.to_string(),
        "bundle x.zip: entry \"../../evil.txt\" escapes the bundle folder (a \"..\" part)"
    );
}

#[test]
fn entries_are_dated_when_captured() {
    let mut b = sample();
    b.captured_at = "2026-12-07T11:41:03+02:00".into();
    let bytes = b.to_zip_bytes().expect("zip");
    assert_eq!(
        b.to_zip_bytes().expect("zip"),
        bytes,
        "the same bundle gives the same bytes"
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let at = archive
        .by_index(1)
        .expect("entry")
        .last_modified()
        .expect("a date");
    assert_eq!((at.year(), at.month(), at.day()), (2026, 12, 7));
    assert_eq!((at.hour(), at.minute(), at.second()), (9, 41, 2));
}

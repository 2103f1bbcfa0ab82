//! Every file of the third-party HAR corpus (`../shared/corpora/har`) either diffs or gives a
//! clear `HarDiffError` naming the file and the problem; the streaming reader agrees with the
//! in-memory path and the seed model on every file that is plain JSON. Skipped (with a note)
//! when the corpus is absent, except under `CI=true` where that fails.

mod support;

use std::fs::File;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::{corpus_dir, corpus_files, model_diff};
use webrunner_har::{
    diff_har, diff_har_files, diff_har_files_with, diff_indexes, index_har_value, read_har_file,
    read_har_tuned, DiffOptions, HarDiffError, HarShapeProblem, MatchMode, Tuning,
};

fn rel(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir).unwrap_or(file).display().to_string()
}

fn is_jsonp(name: &str) -> bool {
    name.ends_with(".harp")
        || (name.starts_with("harviewer/")
            && name.len() == "harviewer/1.har".len()
            && name.ends_with(".har"))
}

fn parse_value(path: &Path) -> Option<Value> {
    let bytes = std::fs::read(path).ok()?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    serde_json::from_slice(bytes).ok()
}

fn empty_har_file(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("empty.har");
    std::fs::write(&path, r#"{"log": {"entries": []}}"#).unwrap();
    path
}

#[test]
fn every_corpus_file_diffs_or_gives_a_clear_error() {
    let Some(dir) = corpus_dir() else { return };
    let files = corpus_files(&dir);
    assert!(
        files.len() >= 280,
        "expected the 287-file corpus, found {}",
        files.len()
    );
    let options = DiffOptions::default();
    let (mut ok, mut errors) = (0, 0);
    for file in &files {
        let name = rel(&dir, file);
        match read_har_file(file, &options) {
            Ok(index) => {
                ok += 1;
                assert!(
                    !is_jsonp(&name),
                    "{name}: JSONP accepted without --allow-jsonp"
                );
                assert!(
                    !name.starts_with("not-har-structure/"),
                    "{name}: accepted without a log object"
                );
                assert!(index.entries() >= index.keys(), "{name}");
            }
            Err(err) => {
                errors += 1;
                let message = err.to_string();
                assert!(
                    message.starts_with(&file.display().to_string()),
                    "{name}: {message}"
                );
                assert!(!message.contains('\n'), "{name}: {message}");
                match (&err, name.as_str()) {
                    (HarDiffError::Jsonp { .. }, n) if is_jsonp(n) => {}
                    (
                        HarDiffError::Json {
                            line: 8, column: 5, ..
                        },
                        "harviewer/not-json.har",
                    ) => {}
                    (
                        HarDiffError::Json {
                            line: 5, column: 1, ..
                        },
                        "mitmproxy/corrupted_har__brokenfile.har",
                    ) => {}
                    (
                        HarDiffError::NotHar {
                            problem: HarShapeProblem::MissingLog { .. },
                            ..
                        },
                        n,
                    ) if n.starts_with("not-har-structure/") => {}
                    _ => panic!("{name}: unexpected error {err:?}"),
                }
            }
        }
    }
    eprintln!(
        "corpus: {} files, {ok} diffable, {errors} clear errors",
        files.len()
    );
    assert_eq!(
        errors,
        13 + 2 + 9,
        "13 JSONP, 2 truncated, 9 without a log object"
    );
}

#[test]
fn jsonp_corpus_files_read_when_allowed() {
    let Some(dir) = corpus_dir() else { return };
    let options = DiffOptions {
        allow_jsonp: true,
        ..DiffOptions::default()
    };
    let mut seen = 0;
    for file in corpus_files(&dir)
        .iter()
        .filter(|f| is_jsonp(&rel(&dir, f)))
    {
        seen += 1;
        let index = read_har_file(file, &options).unwrap_or_else(|e| panic!("{e}"));
        assert!(index.entries() > 0, "{}", file.display());
    }
    assert_eq!(seen, 13);
}

#[test]
fn streaming_matches_in_memory_and_the_seed_model_on_every_plain_json_file() {
    let Some(dir) = corpus_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let empty_file = empty_har_file(&tmp);
    let empty = json!({"log": {"entries": []}});
    let options = DiffOptions::default();
    let tiny = Tuning {
        buffer_bytes: 64,
        max_element_bytes: 2048,
    };
    let mut compared = 0;
    for file in corpus_files(&dir) {
        let Some(value) = parse_value(&file) else {
            continue;
        };
        let name = rel(&dir, &file);
        let streamed = diff_har_files(&file, &empty_file).map(|d| serde_json::to_value(d).unwrap());
        let in_memory = diff_har(&value, &empty).map(|d| serde_json::to_value(d).unwrap());
        assert_eq!(streamed.as_ref().ok(), in_memory.as_ref().ok(), "{name}");
        assert_eq!(
            streamed.as_ref().ok(),
            model_diff(&value, &empty).as_ref().ok(),
            "{name}"
        );
        // Small buffers take the refill and streamed-entry paths on real data.
        if let Ok(expected) = &streamed {
            let left = read_har_tuned(File::open(&file).unwrap(), "l", &options, tiny).unwrap();
            let right = index_har_value(&empty, "r", &options).unwrap();
            let tuned =
                serde_json::to_value(diff_indexes(&left, &right, &options).unwrap()).unwrap();
            assert_eq!(&tuned, expected, "{name}");
            compared += 1;
        }
    }
    eprintln!(
        "corpus: {compared} files identical through streaming, tiny buffers, in-memory and model"
    );
    assert!(compared >= 250);
}

#[test]
fn every_diffable_file_has_no_differences_with_itself_in_every_mode() {
    let Some(dir) = corpus_dir() else { return };
    let modes = [
        DiffOptions::default(),
        DiffOptions {
            match_mode: MatchMode::Multiset,
            ignore_host: true,
            ignore_query: vec!["*".to_owned()],
            timing_threshold_pct: Some(0.0),
            size_threshold_pct: Some(0.0),
            allow_jsonp: true,
        },
    ];
    for file in corpus_files(&dir) {
        for options in &modes {
            if let Ok(report) = diff_har_files_with(&file, &file, options) {
                assert!(!report.has_changes(), "{}: {report:?}", file.display());
            }
        }
    }
}

#[test]
fn json_identical_recordings_report_no_changes() {
    let Some(dir) = corpus_dir() else { return };
    for (a, b) in [
        (
            "pagexray/aftonbladet.se-redirecting-to-www.har",
            "pagexray/redirect__aftonbladet.se-redirecting-to-www.har",
        ),
        (
            "pagexray/redirect__mytoys.de.har",
            "pagexray/redirect__redirect-and-redirect-back.har",
        ),
    ] {
        let d = diff_har_files(dir.join(a), dir.join(b)).unwrap();
        assert!(d.is_empty(), "{a} vs {b}: {d:?}");
    }
}

#[test]
fn same_page_in_two_browsers_diffs_like_the_seed_model() {
    let Some(dir) = corpus_dir() else { return };
    for (a, b) in [
        (
            "compare/en.wikipedia.org-webpagetest-chrome.har",
            "compare/en.wikipedia.org-webpagetes-firefox.har",
        ),
        (
            "httpolice/httpbin_chrome.har",
            "httpolice/httpbin_firefox.har",
        ),
        (
            "mitmproxy/har_files__chrome.har",
            "mitmproxy/har_files__safari.har",
        ),
        (
            "sitespeed.io/www-sitespeed-io.har",
            "pagexray/www.sitespeed.io.har",
        ),
        (
            "harviewer/issue-61__chrome51.har",
            "harviewer/issue-61__ie11.fiddler.har",
        ),
    ] {
        let (pa, pb) = (dir.join(a), dir.join(b));
        let ours = serde_json::to_value(diff_har_files(&pa, &pb).unwrap()).unwrap();
        let model = model_diff(&parse_value(&pa).unwrap(), &parse_value(&pb).unwrap()).unwrap();
        assert_eq!(ours, model, "{a} vs {b}");
    }
}

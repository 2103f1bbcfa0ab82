//! Fuzzes the streaming HAR reader: it must never panic, its result must not depend on buffer
//! sizes, and on plain JSON it must agree with the in-memory path over `serde_json::Value`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use webrunner_har::{
    diff_indexes, index_har_value, read_har, read_har_tuned, DiffOptions, HarDiffError, HarIndex,
    MatchMode, Tuning,
};

/// What a read produced, in a comparable form.
#[derive(Debug, PartialEq)]
enum Outcome {
    Read {
        diff: Value,
        entries: usize,
        skipped: usize,
    },
    Failed(String),
}

fn outcome(result: Result<HarIndex, HarDiffError>, options: &DiffOptions) -> Outcome {
    match result {
        Ok(index) => {
            let empty = index_har_value(&json!({"log": {}}), "empty", options).expect("empty HAR");
            let diff = match diff_indexes(&index, &empty, options) {
                Ok(report) => serde_json::to_value(report).expect("report to JSON"),
                Err(e) => return Outcome::Failed(kind(&e)),
            };
            Outcome::Read {
                diff,
                entries: index.entries(),
                skipped: index.skipped(),
            }
        }
        Err(e) => Outcome::Failed(kind(&e)),
    }
}

/// The error's variant (positions and parser messages differ between the slice and stream
/// parsers for the same problem) plus the details that must not differ.
fn kind(e: &HarDiffError) -> String {
    match e {
        HarDiffError::NotFound { .. } => "not-found".into(),
        HarDiffError::Io { .. } => "io".into(),
        HarDiffError::NotUtf8 { offset, .. } => format!("utf8@{offset}"),
        HarDiffError::Json { .. } => "json".into(),
        HarDiffError::Jsonp { callback, .. } => format!("jsonp:{callback}"),
        HarDiffError::JsonpSuffix { .. } => "jsonp-suffix".into(),
        HarDiffError::NotHar { problem, .. } => format!("not-har:{problem}"),
    }
}

/// `serde_json::Value` parse errors on input the streaming reader may accept: depth beyond
/// the parser's limit (the reader parses each entry with a fresh limit), numbers out of range
/// and lone surrogates inside fields it skips without decoding.
fn value_parser_only_limit(e: &serde_json::Error) -> bool {
    let text = e.to_string();
    text.contains("recursion limit")
        || text.contains("number out of range")
        || text.contains("surrogate")
}

fuzz_target!(|data: &[u8]| {
    let (first, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let options = DiffOptions {
        match_mode: if first & 1 == 0 {
            MatchMode::Key
        } else {
            MatchMode::Multiset
        },
        allow_jsonp: first & 2 != 0,
        ignore_host: first & 4 != 0,
        ignore_query: if first & 8 != 0 {
            vec!["v".to_owned()]
        } else {
            Vec::new()
        },
        timing_threshold_pct: (first & 16 != 0).then_some(10.0),
        size_threshold_pct: (first & 32 != 0).then_some(0.0),
    };
    let tiny = Tuning {
        buffer_bytes: 8 + usize::from(first >> 2),
        max_element_bytes: 16 + usize::from(first),
    };

    let streamed = outcome(read_har(rest, "fuzz", &options), &options);
    let tuned = outcome(read_har_tuned(rest, "fuzz", &options, tiny), &options);
    assert_eq!(streamed, tuned, "buffer sizes changed the result");

    let without_bom = rest
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(rest);
    match serde_json::from_slice::<Value>(without_bom) {
        Ok(value) => {
            let in_memory = outcome(index_har_value(&value, "fuzz", &options), &options);
            assert_eq!(streamed, in_memory, "streaming and in-memory reads differ");
        }
        Err(e) if value_parser_only_limit(&e) => {}
        Err(_) => {
            // Not JSON: the reader must fail — unless it is JSONP and JSONP is allowed.
            if !options.allow_jsonp {
                assert!(
                    matches!(streamed, Outcome::Failed(_)),
                    "accepted invalid JSON: {streamed:?}"
                );
            }
        }
    }
});

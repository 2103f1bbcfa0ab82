//! Reading real violation reports (`../shared/corpora/csp`) and the collector's checks.

use super::*;
use serde_json::json;
use std::path::PathBuf;

/// The corpus folder, or `None` (with a note) when it is not there; on CI its absence fails.
fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/csp");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CSP report corpus missing at {}",
        dir.display()
    );
    // Straight to the stderr handle: libtest hides `eprintln!` of a passing test.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("SKIPPED: no CSP report corpus at {}\n", dir.display()).as_bytes(),
    );
    None
}

fn items(file: &str) -> Option<Vec<Value>> {
    let text = std::fs::read_to_string(corpus()?.join(file)).expect("corpus file readable");
    Some(serde_json::from_str(&text).expect("corpus file is JSON"))
}

#[test]
fn every_wild_report_reads_with_its_directive() {
    let Some(items) = items("csp_useful_wild_reports.json") else {
        return;
    };
    let (mut read, mut script_src, mut report_only) = (0, 0, 0);
    for item in &items {
        if let Some(raw) = item["raw_unparsed"].as_str() {
            // Elided or broken JSON is an error, never a panic.
            assert!(from_report_json(raw).is_err(), "{raw}");
            continue;
        }
        let text = item["report"].to_string();
        let got = from_report_json(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(got.len(), 1, "{text}");
        let v = &got[0];
        assert!(!v.violated_directive.contains(' '), "{v:?}");
        read += 1;
        script_src += usize::from(v.violated_directive == "script-src");
        report_only += usize::from(v.disposition == "report");
    }
    assert_eq!(read, 265);
    assert_eq!(script_src, 132);
    assert_eq!(report_only, 1);
}

#[test]
fn legacy_fields_and_reporting_api_batches_read() {
    let Some(items) = items("go_csp_collector_test_reports.json") else {
        return;
    };
    // Legacy bodies: the one with a location keeps it; none names a directive, so each is an
    // error saying so.
    for item in items.iter().filter(|i| i["report"].is_object()) {
        let err = from_report_value(&item["report"]).expect_err("no directive");
        assert!(err.contains("directive"), "{err}");
    }
    let miro = items
        .iter()
        .find(|i| i["report"].to_string().contains("integrations.miro.com"))
        .expect("the Chrome 125 batch");
    let got = from_report_value(&miro["report"]).expect("a batch of three");
    assert_eq!(got.len(), 3);
    assert!(got
        .iter()
        .all(|v| v.violated_directive == "script-src-elem"));
    assert!(got.iter().all(|v| v.disposition == "report"));
    assert_eq!(got[0].blocked_uri, "inline");
    assert_eq!(got[0].line_number, Some(1));
    assert_eq!(
        got[1].blocked_uri.rsplit('/').next(),
        Some("miro-plugin.a8cdc6de401c0d820778.js")
    );
}

#[test]
fn report_fields_in_every_spelling() {
    let legacy = r#"{"csp-report": {"violated-directive": "script-src 'self'", "blocked-uri": "inline",
        "source-file": "https://a/x.js", "line-number": "12", "script-sample": "alert(1)"}}"#;
    let v = &from_report_json(legacy).expect("legacy")[0];
    assert_eq!(v.violated_directive, "script-src");
    assert_eq!(v.line_number, Some(12));
    assert_eq!(v.sample.as_deref(), Some("alert(1)"));
    assert_eq!(v.disposition, "enforce");
    let snake = json!({"violated_directive": "img-src", "blocked_uri": "data"});
    assert_eq!(
        from_report_value(&snake).expect("snake")[0].blocked_uri,
        "data"
    );
    assert!(from_report_json("[1, 2").is_err());
    assert!(from_report_json("42").is_err());
}

fn v(directive: &str, disposition: &str) -> CspViolation {
    CspViolation {
        violated_directive: directive.into(),
        blocked_uri: "inline".into(),
        source_file: Some("http://h/p".into()),
        line_number: Some(3),
        sample: None,
        disposition: disposition.into(),
        timestamp_ms: None,
        action: None,
    }
}

#[test]
fn checks_name_each_violation() {
    assert!(check_none(vec![]).is_ok());
    let err = check_none(vec![
        v("script-src-elem", "enforce"),
        v("img-src", "report"),
    ])
    .expect_err("two")
    .to_string();
    assert_eq!(
        err,
        "2 Content-Security-Policy violations: script-src-elem blocked inline at http://h/p:3; \
         img-src blocked inline at http://h/p:3 (report-only)"
    );
    let all = vec![v("script-src-elem", "enforce")];
    assert!(check_no_directive(all.clone(), "img-src").is_ok());
    assert!(check_no_directive(all.clone(), "script-src").is_err());
    assert!(check_no_directive(all.clone(), "script-src-elem").is_err());
    assert!(check_no_directive(all, "script").is_ok());
}

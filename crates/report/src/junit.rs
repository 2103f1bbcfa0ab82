//! JUnit XML for CI systems: a `testsuite` per flow, a `testcase` per action, failures with
//! their message, retries as Maven Surefire's `flakyFailure` / `rerunFailure` elements, and
//! every artifact as an attachment in the `[[ATTACHMENT|path]]` convention (Jenkins, GitLab).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use webrunner_record::Record;

use crate::escape::push_xml;

/// Why JUnit XML could not be written.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    /// The file (or its folder) could not be written.
    #[error("cannot write JUnit XML to {path}: {error}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

/// The errors of failed attempts that another attempt followed, keyed by flow and action
/// index. [`LiveRun`](crate::LiveRun) fills one from
/// [`RunObserver::attempt_failed`](webrunner_record::RunObserver::attempt_failed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttemptLog {
    errors: HashMap<ActionKey, Vec<(u32, String)>>,
}

/// An action of a run: its flow (if any) and its index there.
type ActionKey = (Option<String>, usize);

impl AttemptLog {
    /// Notes that attempt `attempt` (1-based) of action `index` of `flow` failed with `error`.
    pub fn record(&mut self, flow: Option<&str>, index: usize, attempt: u32, error: &str) {
        self.errors
            .entry((flow.map(str::to_string), index))
            .or_default()
            .push((attempt, error.to_string()));
    }

    /// The `(attempt, error)` pairs noted for action `index` of `flow`, in order.
    pub fn errors(&self, flow: Option<&str>, index: usize) -> &[(u32, String)] {
        self.errors
            .get(&(flow.map(str::to_string), index))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// True when no attempt error was noted.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Writes JUnit XML for `records` to `out` (its folder is created). Retries show as
/// `flakyFailure` / `rerunFailure` elements whose messages say the attempt's error was not
/// recorded; use [`write_junit_with_attempts`] to include those errors.
///
/// Fails with [`JunitError::Write`] when the file cannot be written.
pub fn write_junit(out: &Path, records: &[Record]) -> Result<(), JunitError> {
    write_junit_with_attempts(out, records, &AttemptLog::default())
}

/// Writes JUnit XML for `records` to `out` (its folder is created), taking the errors of
/// earlier attempts from `attempts`.
///
/// Fails with [`JunitError::Write`] when the file cannot be written.
pub fn write_junit_with_attempts(
    out: &Path,
    records: &[Record],
    attempts: &AttemptLog,
) -> Result<(), JunitError> {
    let err = |error| JunitError::Write {
        path: out.display().to_string(),
        error,
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    std::fs::write(out, junit_xml(records, attempts)).map_err(err)
}

/// Seconds as Surefire writes them: at most three decimals, no exponent.
fn seconds(ms: f64) -> String {
    if ms.is_finite() && ms > 0.0 {
        format!("{:.3}", ms / 1000.0)
    } else {
        "0.000".to_string()
    }
}

/// The suite name of a record: its flow, else `webrunner`.
fn suite_of(record: &Record) -> &str {
    record.flow.as_deref().unwrap_or("webrunner")
}

/// The JUnit XML document for `records`: `<testsuites>` holding a `<testsuite>` per flow (in
/// order of first appearance), a `<testcase name="#INDEX COMMAND">` per record. A failed
/// record has a `<failure>` with its error and one `<rerunFailure>` per earlier attempt; a
/// flaky record has one `<flakyFailure>` per failed attempt. Artifacts are listed in the
/// test case's `<system-out>` as `[[ATTACHMENT|path]]` lines.
pub fn junit_xml(records: &[Record], attempts: &AttemptLog) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut suites: HashMap<&str, Vec<&Record>> = HashMap::new();
    for r in records {
        let name = suite_of(r);
        suites
            .entry(name)
            .or_insert_with(|| {
                order.push(name);
                Vec::new()
            })
            .push(r);
    }
    let failures = records.iter().filter(|r| r.failed()).count();
    let total_ms: f64 = records
        .iter()
        .map(|r| r.duration_ms.max(0.0))
        .filter(|d| d.is_finite())
        .sum();
    let mut x = String::with_capacity(256 + records.len() * 200);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"webrunner\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{}\">",
        records.len(),
        seconds(total_ms)
    );
    for name in order {
        let cases = suites.get(name).map(Vec::as_slice).unwrap_or(&[]);
        write_suite(&mut x, name, cases, attempts);
    }
    x.push_str("</testsuites>\n");
    x
}

fn write_suite(x: &mut String, name: &str, cases: &[&Record], attempts: &AttemptLog) {
    let failures = cases.iter().filter(|r| r.failed()).count();
    let ms: f64 = cases
        .iter()
        .map(|r| r.duration_ms.max(0.0))
        .filter(|d| d.is_finite())
        .sum();
    x.push_str("  <testsuite name=\"");
    push_xml(x, name, true);
    let _ = write!(
        x,
        "\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{}\"",
        cases.len(),
        seconds(ms)
    );
    if let Some(first) = cases.first() {
        x.push_str(" timestamp=\"");
        push_xml(x, &first.started_at, true);
        x.push('"');
    }
    x.push_str(">\n");
    // Jenkins reads dots in a class name as package separators.
    let classname = name.replace('.', "_");
    for r in cases {
        write_case(x, &classname, r, attempts);
    }
    x.push_str("  </testsuite>\n");
}

/// `<tag message="…" type="ActionFailed"><stackTrace>…</stackTrace></tag>` for one earlier
/// attempt.
fn write_attempt(x: &mut String, tag: &str, attempt: u32, of: u32, error: Option<&str>) {
    let text = match error {
        Some(e) => e.to_string(),
        None => format!("attempt {attempt} of {of} failed (its error was not recorded)"),
    };
    let _ = write!(x, "      <{tag} message=\"");
    push_xml(x, &text, true);
    let _ = write!(
        x,
        "\" type=\"ActionFailed\"><stackTrace>attempt {attempt} of {of}: "
    );
    push_xml(x, &text, false);
    let _ = writeln!(x, "</stackTrace></{tag}>");
}

fn write_case(x: &mut String, classname: &str, r: &Record, attempts: &AttemptLog) {
    x.push_str("    <testcase name=\"");
    push_xml(x, &format!("#{} {}", r.index, r.command), true);
    x.push_str("\" classname=\"");
    push_xml(x, classname, true);
    let _ = writeln!(x, "\" time=\"{}\">", seconds(r.duration_ms));
    let noted = attempts.errors(r.flow.as_deref(), r.index);
    let earlier = |k: u32| -> Option<&str> {
        noted
            .iter()
            .rev()
            .find(|(a, _)| *a == k)
            .map(|(_, e)| e.as_str())
    };
    let of = r.attempts.max(1);
    if r.failed() {
        let error = r.error.as_deref().unwrap_or("failed");
        x.push_str("      <failure message=\"");
        push_xml(x, error, true);
        x.push_str("\" type=\"ActionFailed\">");
        push_xml(x, error, false);
        x.push_str("</failure>\n");
        for k in 1..of {
            write_attempt(x, "rerunFailure", k, of, earlier(k));
        }
    } else if r.flaky || of > 1 {
        for k in 1..of {
            write_attempt(x, "flakyFailure", k, of, earlier(k));
        }
    }
    let files: Vec<&String> = [
        &r.artifacts.screenshot,
        &r.artifacts.dom,
        &r.artifacts.trace,
    ]
    .into_iter()
    .flatten()
    .collect();
    if !files.is_empty() {
        x.push_str("      <system-out>");
        for f in files {
            x.push_str("[[ATTACHMENT|");
            push_xml(x, f, false);
            x.push_str("]]\n");
        }
        x.push_str("</system-out>\n");
    }
    x.push_str("    </testcase>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use webrunner_record::{Artifacts, Status};

    fn rec(
        flow: Option<&str>,
        index: usize,
        command: &str,
        status: Status,
        attempts: u32,
    ) -> Record {
        Record {
            index,
            command: command.to_string(),
            args: vec![],
            kwargs: Default::default(),
            status,
            started_at: "2026-01-01T00:00:00Z".to_string(),
            duration_ms: 1234.5678,
            attempts,
            flaky: status == Status::Passed && attempts > 1,
            result: Value::Null,
            error: (status == Status::Failed).then(|| "boom".to_string()),
            artifacts: Artifacts::default(),
            trace_id: None,
            flow: flow.map(str::to_string),
        }
    }

    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).unwrap()
    }

    #[test]
    fn a_suite_per_flow_and_a_case_per_record_in_first_seen_order() {
        let records = vec![
            rec(Some("b.json"), 0, "WR_to_url", Status::Passed, 1),
            rec(Some("a.json"), 0, "WR_click", Status::Failed, 1),
            rec(Some("b.json"), 1, "WR_click", Status::Passed, 1),
            rec(None, 0, "WR_x", Status::Passed, 1),
        ];
        let xml = junit_xml(&records, &AttemptLog::default());
        let doc = parse(&xml);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("tests"), Some("4"));
        assert_eq!(root.attribute("failures"), Some("1"));
        let suites: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        let names: Vec<_> = suites
            .iter()
            .map(|s| s.attribute("name").unwrap())
            .collect();
        assert_eq!(names, ["b.json", "a.json", "webrunner"]);
        assert_eq!(suites[0].attribute("tests"), Some("2"));
        assert_eq!(suites[0].attribute("failures"), Some("0"));
        assert_eq!(suites[0].attribute("time"), Some("2.469"));
        let case = suites[1]
            .children()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.attribute("name"), Some("#0 WR_click"));
        assert_eq!(case.attribute("classname"), Some("a_json"));
        assert_eq!(case.attribute("time"), Some("1.235"));
        let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
        assert_eq!(failure.attribute("message"), Some("boom"));
        assert_eq!(failure.text(), Some("boom"));
    }

    #[test]
    fn retries_become_surefire_rerun_and_flaky_failures_with_their_errors() {
        let records = vec![
            rec(Some("f"), 0, "WR_a", Status::Passed, 3),
            rec(Some("f"), 1, "WR_b", Status::Failed, 2),
        ];
        let mut log = AttemptLog::default();
        log.record(Some("f"), 0, 1, "first <miss>");
        log.record(Some("f"), 1, 1, "b went wrong");
        let xml = junit_xml(&records, &log);
        let doc = parse(&xml);
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let flaky: Vec<_> = cases[0]
            .children()
            .filter(|n| n.has_tag_name("flakyFailure"))
            .collect();
        assert_eq!(flaky.len(), 2);
        assert_eq!(flaky[0].attribute("message"), Some("first <miss>"));
        assert!(flaky[1]
            .attribute("message")
            .unwrap()
            .contains("not recorded"));
        let trace = flaky[0]
            .children()
            .find(|n| n.has_tag_name("stackTrace"))
            .unwrap();
        assert_eq!(trace.text(), Some("attempt 1 of 3: first <miss>"));
        assert!(cases[0].children().all(|n| !n.has_tag_name("failure")));
        let reruns: Vec<_> = cases[1]
            .children()
            .filter(|n| n.has_tag_name("rerunFailure"))
            .collect();
        assert_eq!(reruns.len(), 1);
        assert_eq!(reruns[0].attribute("message"), Some("b went wrong"));
        assert_eq!(reruns[0].attribute("type"), Some("ActionFailed"));
        let order: Vec<_> = cases[1]
            .children()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(
            order,
            ["failure", "rerunFailure"],
            "Surefire's element order"
        );
    }

    #[test]
    fn artifacts_are_listed_as_attachments_in_system_out() {
        let mut r = rec(Some("f"), 0, "WR_a", Status::Failed, 1);
        r.artifacts.screenshot = Some("out/screenshots/1_WR_a.png".into());
        r.artifacts.dom = Some("out/dom & more.html".into());
        let xml = junit_xml(&[r], &AttemptLog::default());
        let doc = parse(&xml);
        let out = doc
            .descendants()
            .find(|n| n.has_tag_name("system-out"))
            .unwrap();
        assert_eq!(
            out.text(),
            Some("[[ATTACHMENT|out/screenshots/1_WR_a.png]]\n[[ATTACHMENT|out/dom & more.html]]\n")
        );
    }

    #[test]
    fn hostile_text_survives_a_real_xml_parser_unchanged_or_replaced() {
        let mut r = rec(
            Some("<suite \"x\">"),
            0,
            "</testcase><script>",
            Status::Failed,
            1,
        );
        r.error = Some("]]> <![CDATA[ & \u{1}\u{0}bell\nline2 'q' \"dq\"".into());
        let xml = junit_xml(&[r], &AttemptLog::default());
        let doc = parse(&xml);
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(suite.attribute("name"), Some("<suite \"x\">"));
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.attribute("name"), Some("#0 </testcase><script>"));
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        let expected = "]]> <![CDATA[ & \u{FFFD}\u{FFFD}bell\nline2 'q' \"dq\"";
        assert_eq!(failure.attribute("message"), Some(expected));
        assert_eq!(failure.text(), Some(expected));
    }

    #[test]
    fn no_records_is_an_empty_but_valid_document() {
        let xml = junit_xml(&[], &AttemptLog::default());
        let doc = parse(&xml);
        assert_eq!(doc.root_element().attribute("tests"), Some("0"));
    }

    #[test]
    fn writing_creates_the_folder_and_reports_an_unwritable_path() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("deep/junit.xml");
        write_junit(&out, &[rec(None, 0, "WR_a", Status::Passed, 1)]).unwrap();
        assert!(std::fs::read_to_string(&out).unwrap().contains("#0 WR_a"));
        let blocked = dir.path().join("deep/junit.xml/x.xml");
        let err = write_junit(&blocked, &[]).unwrap_err();
        assert!(err.to_string().contains("x.xml"), "{err}");
    }
}

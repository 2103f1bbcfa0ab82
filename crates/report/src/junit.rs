//! JUnit XML for CI systems: a `testsuite` per flow, a `testcase` per action, failures with
//! their message, retries as Maven Surefire's `flakyFailure` / `rerunFailure` elements, and
//! every artifact as an attachment in the `[[ATTACHMENT|path]]` convention (Jenkins, GitLab).
//! Written with `quick-xml`'s writer (see [`crate::xml`] for the text it cannot store as is).

use std::collections::HashMap;
use std::path::Path;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use quick_xml::Writer;
use webrunner_record::{Record, Status};

use crate::write::{create_parent, write_file_atomic};
use crate::xml::{self, attr};

/// Why JUnit XML could not be written.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    /// The file (or its folder) could not be written; the I/O error names the path.
    #[error("cannot write JUnit XML: {error}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

/// Writes JUnit XML for `records` to `out` (its folder is created), replacing the file
/// atomically (see [`write_file_atomic`]). The document is [`junit_xml`]`(records)`: the same
/// records always give the same bytes.
///
/// Fails with [`JunitError::Write`] when the file cannot be written.
pub fn write_junit(out: &Path, records: &[Record]) -> Result<(), JunitError> {
    let err = |error| JunitError::Write {
        path: out.display().to_string(),
        error,
    };
    create_parent(out).map_err(err)?;
    write_file_atomic(out, junit_xml(records).as_bytes()).map_err(err)
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

/// The sum of the durations of `records`, in milliseconds (negative and non-finite ones
/// count as 0).
fn total_ms<'a>(records: impl Iterator<Item = &'a Record>) -> f64 {
    records
        .map(|r| r.duration_ms.max(0.0))
        .filter(|d| d.is_finite())
        .sum()
}

/// The JUnit XML document for `records`: `<testsuites>` holding a `<testsuite>` per flow (in
/// order of first appearance), a `<testcase name="#INDEX COMMAND">` per record. A failed
/// record has a `<failure>` with its error (the last attempt's, with its screenshot note) and
/// one `<rerunFailure>` per earlier failed try; a passed record has one `<flakyFailure>` per
/// failed try. Each of these carries that try's own error. A record from an older run that
/// has `attempts` but no `tries` gets one element per earlier attempt saying its error was not
/// recorded. The artifacts of the record and of its tries are listed in the test case's
/// `<system-out>` as `[[ATTACHMENT|path]]` lines.
///
/// The document is written with `quick-xml`'s writer; it depends on the records alone (no
/// clock, no file system), so records read back from `records.json` give the same bytes as
/// the run that wrote them.
pub fn junit_xml(records: &[Record]) -> String {
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
    let mut w = Writer::new_with_indent(Vec::with_capacity(256 + records.len() * 200), b' ', 2);
    // Writing into a Vec cannot fail.
    let _ = write_document(&mut w, records, &order, &suites);
    let mut xml = w.into_inner();
    xml.push(b'\n');
    // Every piece written is UTF-8 (text from `&str`s, ASCII markup).
    String::from_utf8(xml).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

type Xml = Writer<Vec<u8>>;

fn write_document(
    w: &mut Xml,
    records: &[Record],
    order: &[&str],
    suites: &HashMap<&str, Vec<&Record>>,
) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let failures = records.iter().filter(|r| r.failed()).count();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(attr("name", "webrunner"));
    root.push_attribute(attr("tests", &records.len().to_string()));
    root.push_attribute(attr("failures", &failures.to_string()));
    root.push_attribute(attr("errors", "0"));
    root.push_attribute(attr("skipped", "0"));
    root.push_attribute(attr("time", &seconds(total_ms(records.iter()))));
    w.write_event(Event::Start(root))?;
    for name in order {
        let cases = suites.get(name).map(Vec::as_slice).unwrap_or(&[]);
        write_suite(w, name, cases)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))
}

fn write_suite(w: &mut Xml, name: &str, cases: &[&Record]) -> std::io::Result<()> {
    let failures = cases.iter().filter(|r| r.failed()).count();
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(attr("name", name));
    suite.push_attribute(attr("tests", &cases.len().to_string()));
    suite.push_attribute(attr("failures", &failures.to_string()));
    suite.push_attribute(attr("errors", "0"));
    suite.push_attribute(attr("skipped", "0"));
    suite.push_attribute(attr("time", &seconds(total_ms(cases.iter().copied()))));
    if let Some(first) = cases.first() {
        suite.push_attribute(attr("timestamp", &first.started_at));
    }
    w.write_event(Event::Start(suite))?;
    // Jenkins reads dots in a class name as package separators.
    let classname = name.replace('.', "_");
    for r in cases {
        write_case(w, &classname, r)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))
}

/// An attempt before the one that settled a record, as `<flakyFailure>` / `<rerunFailure>`
/// shows it.
struct Earlier<'a> {
    attempt: u32,
    of: u32,
    error: Option<&'a str>,
}

/// The failed attempts before the last one, from the record's tries. A record without tries
/// (from a run before attempts were kept) gives attempts `1..attempts`, errors unknown.
fn earlier_attempts(r: &Record) -> Vec<Earlier<'_>> {
    if let Some((_, before)) = r.tries.split_last() {
        let of = u32::try_from(r.tries.len()).unwrap_or(u32::MAX);
        return before
            .iter()
            .filter(|t| t.status == Status::Failed)
            .map(|t| Earlier {
                attempt: t.attempt,
                of,
                error: t.error.as_deref(),
            })
            .collect();
    }
    let of = r.attempts.max(1);
    (1..of)
        .map(|attempt| Earlier {
            attempt,
            of,
            error: None,
        })
        .collect()
}

/// `<tag message="…" type="ActionFailed"><stackTrace>…</stackTrace></tag>` for one earlier
/// attempt.
fn write_attempt(w: &mut Xml, tag: &str, earlier: &Earlier<'_>) -> std::io::Result<()> {
    let Earlier { attempt, of, error } = *earlier;
    let text = match error {
        Some(e) => e.to_string(),
        None => format!("attempt {attempt} of {of} failed (its error was not recorded)"),
    };
    let mut start = BytesStart::new(tag);
    start.push_attribute(attr("message", &text));
    start.push_attribute(attr("type", "ActionFailed"));
    w.write_event(Event::Start(start))?;
    w.write_event(Event::Start(BytesStart::new("stackTrace")))?;
    w.write_event(Event::Text(xml::text(&format!(
        "attempt {attempt} of {of}: {text}"
    ))))?;
    w.write_event(Event::End(BytesEnd::new("stackTrace")))?;
    w.write_event(Event::End(BytesEnd::new(tag)))
}

/// The files of a record: its own artifacts, then those of its tries not listed yet.
fn attachments(r: &Record) -> Vec<&str> {
    let mut files: Vec<&str> = Vec::new();
    let all = std::iter::once(&r.artifacts).chain(r.tries.iter().map(|t| &t.artifacts));
    for a in all {
        for f in [&a.screenshot, &a.dom, &a.trace].into_iter().flatten() {
            if !files.contains(&f.as_str()) {
                files.push(f);
            }
        }
    }
    files
}

fn write_case(w: &mut Xml, classname: &str, r: &Record) -> std::io::Result<()> {
    let mut case = BytesStart::new("testcase");
    case.push_attribute(attr("name", &format!("#{} {}", r.index, r.command)));
    case.push_attribute(attr("classname", classname));
    case.push_attribute(attr("time", &seconds(r.duration_ms)));
    let earlier = earlier_attempts(r);
    let files = attachments(r);
    if !r.failed() && earlier.is_empty() && files.is_empty() {
        return w.write_event(Event::Empty(case));
    }
    w.write_event(Event::Start(case))?;
    if r.failed() {
        let error = r.error.as_deref().unwrap_or("failed");
        let mut failure = BytesStart::new("failure");
        failure.push_attribute(attr("message", error));
        failure.push_attribute(attr("type", "ActionFailed"));
        w.write_event(Event::Start(failure))?;
        w.write_event(Event::Text(xml::text(error)))?;
        w.write_event(Event::End(BytesEnd::new("failure")))?;
        for e in &earlier {
            write_attempt(w, "rerunFailure", e)?;
        }
    } else {
        for e in &earlier {
            write_attempt(w, "flakyFailure", e)?;
        }
    }
    if !files.is_empty() {
        let out: String = files
            .iter()
            .map(|f| format!("[[ATTACHMENT|{f}]]\n"))
            .collect();
        w.write_event(Event::Start(BytesStart::new("system-out")))?;
        w.write_event(Event::Text(xml::text(&out)))?;
        w.write_event(Event::End(BytesEnd::new("system-out")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use webrunner_record::{Artifacts, Status, Try};

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
            tries: vec![],
            dialogs: vec![],
            console: vec![],
            network: vec![],
            csp: Vec::new(),
        }
    }

    fn attempt(attempt: u32, status: Status, error: Option<&str>) -> Try {
        Try {
            attempt,
            started_at: "2026-01-01T00:00:00Z".to_string(),
            duration_ms: 10.0,
            status,
            error: error.map(str::to_string),
            artifacts: Artifacts::default(),
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
        let xml = junit_xml(&records);
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
    fn flaky_failures_carry_the_errors_of_the_failed_tries() {
        let mut flaky = rec(Some("f"), 0, "WR_a", Status::Passed, 3);
        flaky.tries = vec![
            attempt(1, Status::Failed, Some("first <miss>")),
            attempt(2, Status::Failed, Some("second miss")),
            attempt(3, Status::Passed, None),
        ];
        let xml = junit_xml(&[flaky]);
        let doc = parse(&xml);
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        let flaky: Vec<_> = case
            .children()
            .filter(|n| n.has_tag_name("flakyFailure"))
            .collect();
        let messages: Vec<_> = flaky.iter().map(|n| n.attribute("message")).collect();
        assert_eq!(messages, [Some("first <miss>"), Some("second miss")]);
        let trace = flaky[0]
            .children()
            .find(|n| n.has_tag_name("stackTrace"))
            .unwrap();
        assert_eq!(trace.text(), Some("attempt 1 of 3: first <miss>"));
        assert!(case.children().all(|n| !n.has_tag_name("failure")));
    }

    #[test]
    fn a_failed_record_keeps_its_own_error_as_the_failure_and_earlier_tries_as_reruns() {
        let mut failed = rec(Some("f"), 1, "WR_b", Status::Failed, 2);
        failed.error = Some("b still wrong (failure screenshot: s/2_WR_b.png)".into());
        failed.tries = vec![
            attempt(1, Status::Failed, Some("b went wrong")),
            attempt(2, Status::Failed, Some("b still wrong")),
        ];
        let xml = junit_xml(&[failed]);
        let doc = parse(&xml);
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        let order: Vec<_> = case
            .children()
            .filter(|n| n.is_element())
            .map(|n| (n.tag_name().name(), n.attribute("message")))
            .collect();
        assert_eq!(
            order,
            [
                (
                    "failure",
                    Some("b still wrong (failure screenshot: s/2_WR_b.png)")
                ),
                ("rerunFailure", Some("b went wrong")),
            ],
            "Surefire's element order"
        );
    }

    #[test]
    fn records_from_older_runs_without_tries_say_the_earlier_errors_were_not_recorded() {
        let records = vec![
            rec(Some("f"), 0, "WR_a", Status::Passed, 2),
            rec(Some("f"), 1, "WR_b", Status::Failed, 3),
        ];
        let xml = junit_xml(&records);
        let doc = parse(&xml);
        let texts: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("flakyFailure") || n.has_tag_name("rerunFailure"))
            .map(|n| (n.tag_name().name(), n.attribute("message").unwrap_or("")))
            .collect();
        assert_eq!(
            texts,
            [
                (
                    "flakyFailure",
                    "attempt 1 of 2 failed (its error was not recorded)"
                ),
                (
                    "rerunFailure",
                    "attempt 1 of 3 failed (its error was not recorded)"
                ),
                (
                    "rerunFailure",
                    "attempt 2 of 3 failed (its error was not recorded)"
                ),
            ]
        );
    }

    #[test]
    fn artifacts_of_the_record_and_its_tries_are_listed_once_as_attachments() {
        let mut r = rec(Some("f"), 0, "WR_a", Status::Failed, 1);
        r.artifacts.screenshot = Some("out/screenshots/1_WR_a.png".into());
        r.artifacts.dom = Some("out/dom & more.html".into());
        let mut first = attempt(1, Status::Failed, Some("x"));
        first.artifacts.screenshot = Some("out/screenshots/0_WR_a.png".into());
        let mut last = attempt(2, Status::Failed, Some("y"));
        last.artifacts = r.artifacts.clone();
        r.tries = vec![first, last];
        let xml = junit_xml(&[r]);
        let doc = parse(&xml);
        let out = doc
            .descendants()
            .find(|n| n.has_tag_name("system-out"))
            .unwrap();
        assert_eq!(
            out.text(),
            Some(
                "[[ATTACHMENT|out/screenshots/1_WR_a.png]]\n[[ATTACHMENT|out/dom & more.html]]\n\
                 [[ATTACHMENT|out/screenshots/0_WR_a.png]]\n"
            )
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
        let xml = junit_xml(&[r]);
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
        let xml = junit_xml(&[]);
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

//! JUnit XML input: every `<testcase>` with a `<failure>` or `<error>` child gives one
//! failure. Its message is the child's `message` attribute, unless that is empty or only
//! names the test (Playwright writes `file:line:col title` there), in which case the child's
//! text is used, else its `type`. Its file is the test case's `file` attribute, else its
//! `classname`. Re-run and flaky entries (`<rerunFailure>`, `<flakyFailure>`) are skipped.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::cluster::Item;
use crate::ClusterError;

struct Case {
    file: Option<String>,
    depth: usize,
}

struct Problem {
    message: String,
    kind: String,
    text: String,
    file: Option<String>,
    depth: usize,
}

fn attr(
    e: &BytesStart<'_>,
    name: &[u8],
    origin: &str,
    pos: u64,
) -> Result<Option<String>, ClusterError> {
    for a in e.attributes() {
        let a = a.map_err(|err| xml_error(origin, err.to_string(), pos))?;
        if a.key.as_ref() == name {
            let v = a
                .unescape_value()
                .map_err(|err| xml_error(origin, err.to_string(), pos))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn xml_error(origin: &str, message: String, position: u64) -> ClusterError {
    ClusterError::Xml {
        origin: origin.to_string(),
        message,
        position,
    }
}

/// True for `name.ext:12:34 rest`, the location-and-title form Playwright's reporter puts in
/// the `message` attribute.
fn names_only_the_test(message: &str) -> bool {
    let Some((loc, _title)) = message.split_once(' ') else {
        return false;
    };
    let mut parts = loc.rsplitn(3, ':');
    let col = parts.next().unwrap_or("");
    let line = parts.next().unwrap_or("");
    let file = parts.next().unwrap_or("");
    !file.is_empty()
        && file.contains('.')
        && !col.is_empty()
        && col.bytes().all(|b| b.is_ascii_digit())
        && !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
}

fn finish(p: Problem) -> Item<'static> {
    let text = p.text.trim();
    let message =
        if !p.message.trim().is_empty() && (!names_only_the_test(&p.message) || text.is_empty()) {
            p.message
        } else if !text.is_empty() {
            text.to_string()
        } else {
            p.kind
        };
    Item::new(
        Cow::Owned(message),
        p.file.filter(|f| !f.is_empty()).map(Cow::Owned),
    )
}

/// Handles an opening (or self-closing) tag at `depth`.
#[allow(clippy::too_many_arguments)]
fn open_element(
    e: &BytesStart<'_>,
    self_closing: bool,
    origin: &str,
    pos: u64,
    depth: usize,
    case: &mut Option<Case>,
    problem: &mut Option<Problem>,
    items: &mut Vec<Item<'static>>,
    saw_case: &mut bool,
) -> Result<(), ClusterError> {
    let name = e.local_name();
    let name = name.as_ref();
    if name == b"testcase" {
        *saw_case = true;
        let file = match attr(e, b"file", origin, pos)? {
            Some(f) if !f.is_empty() => Some(f),
            _ => attr(e, b"classname", origin, pos)?,
        };
        if !self_closing {
            *case = Some(Case { file, depth });
        }
    } else if (name == b"failure" || name == b"error")
        && case.as_ref().is_some_and(|c| c.depth + 1 == depth)
    {
        let p = Problem {
            message: attr(e, b"message", origin, pos)?.unwrap_or_default(),
            kind: attr(e, b"type", origin, pos)?.unwrap_or_default(),
            text: String::new(),
            file: case.as_ref().and_then(|c| c.file.clone()),
            depth,
        };
        if self_closing {
            items.push(finish(p));
        } else {
            *problem = Some(p);
        }
    }
    Ok(())
}

/// Parses a JUnit XML document into failures.
///
/// Fails with [`ClusterError::Xml`] when the XML is malformed and [`ClusterError::Shape`]
/// when it holds no `<testcase>` at all.
pub(crate) fn parse(bytes: &[u8], origin: &str) -> Result<Vec<Item<'static>>, ClusterError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ClusterError::Shape {
        origin: origin.to_string(),
        message: format!("XML is not UTF-8: {e}"),
    })?;
    let mut reader = Reader::from_str(text);
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut case: Option<Case> = None;
    let mut problem: Option<Problem> = None;
    let mut saw_case = false;
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| xml_error(origin, e.to_string(), reader.error_position()))?;
        match event {
            Event::Start(e) if problem.is_none() => {
                open_element(
                    &e,
                    false,
                    origin,
                    pos,
                    depth,
                    &mut case,
                    &mut problem,
                    &mut items,
                    &mut saw_case,
                )?;
                depth += 1;
            }
            Event::Empty(e) if problem.is_none() => {
                open_element(
                    &e,
                    true,
                    origin,
                    pos,
                    depth,
                    &mut case,
                    &mut problem,
                    &mut items,
                    &mut saw_case,
                )?;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if problem.as_ref().is_some_and(|p| p.depth == depth) {
                    if let Some(p) = problem.take() {
                        items.push(finish(p));
                    }
                }
                if case.as_ref().is_some_and(|c| c.depth == depth) {
                    case = None;
                }
            }
            Event::Text(t) => {
                if let Some(p) = problem.as_mut() {
                    let s = t
                        .xml_content()
                        .map_err(|e| xml_error(origin, e.to_string(), pos))?;
                    p.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(p) = problem.as_mut() {
                    let name = r
                        .decode()
                        .map_err(|e| xml_error(origin, e.to_string(), pos))?;
                    let entity = format!("&{name};");
                    let s = quick_xml::escape::unescape(&entity)
                        .map_err(|e| xml_error(origin, e.to_string(), pos))?;
                    p.text.push_str(&s);
                }
            }
            Event::CData(c) => {
                if let Some(p) = problem.as_mut() {
                    p.text.push_str(&String::from_utf8_lossy(&c.into_inner()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_case {
        return Err(ClusterError::Shape {
            origin: origin.to_string(),
            message: "XML holds no <testcase>; expected a JUnit XML report".into(),
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(xml: &str) -> Vec<(String, Option<String>)> {
        parse(xml.as_bytes(), "t.xml")
            .unwrap()
            .into_iter()
            .map(|i| (i.text().into_owned(), i.file_path.map(Cow::into_owned)))
            .collect()
    }

    #[test]
    fn failures_and_errors_of_test_cases_are_read_with_their_files() {
        let xml = r#"<?xml version="1.0"?>
<testsuites><testsuite name="s">
  <testcase name="a" classname="tests.login"><failure message="AssertionError: x &amp; y" type="AssertionError">trace</failure></testcase>
  <testcase name="b" classname="c" file="spec/b.ts"><error message="" type="TypeError">TypeError: boom &lt;1&gt;
  at f</error></testcase>
  <testcase name="c" classname="c"/>
  <testcase name="d" classname="c"><skipped/></testcase>
  <testcase name="e" classname="c"><failure type="Bare"/></testcase>
</testsuite></testsuites>"#;
        assert_eq!(
            parsed(xml),
            vec![
                ("AssertionError: x & y".into(), Some("tests.login".into())),
                (
                    "TypeError: boom <1>\n  at f".into(),
                    Some("spec/b.ts".into())
                ),
                ("Bare".into(), Some("c".into())),
            ]
        );
    }

    #[test]
    fn playwright_location_message_gives_way_to_the_body() {
        let xml = r#"<testsuites><testsuite><testcase name="t" classname="x.spec.ts">
<failure message="x.spec.ts:3:5 has title" type="FAILURE"><![CDATA[Error: page.goto: net::ERR_CONNECTION_REFUSED]]></failure>
</testcase></testsuite></testsuites>"#;
        assert_eq!(
            parsed(xml)[0].0,
            "Error: page.goto: net::ERR_CONNECTION_REFUSED"
        );
    }

    #[test]
    fn rerun_and_flaky_failures_are_skipped() {
        let xml = r#"<testsuites><testsuite><testcase name="t" classname="f">
<failure message="final" type="ActionFailed">final</failure>
<rerunFailure message="first" type="ActionFailed"><stackTrace>first</stackTrace></rerunFailure>
</testcase><testcase name="u" classname="f"><flakyFailure message="flaky" type="X"/></testcase></testsuite></testsuites>"#;
        assert_eq!(parsed(xml), vec![("final".into(), Some("f".into()))]);
    }

    #[test]
    fn malformed_xml_and_xml_without_test_cases_are_errors() {
        assert!(matches!(
            parse(b"<testsuites><testcase></testsuites>", "t"),
            Err(ClusterError::Xml { .. })
        ));
        assert!(matches!(
            parse(b"<html><body/></html>", "t"),
            Err(ClusterError::Shape { .. })
        ));
    }
}

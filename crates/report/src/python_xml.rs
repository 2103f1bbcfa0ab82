//! The Python WebRunner's XML report of a run's records (`WR_generate_xml_report`): an
//! `<xml_data>` element holding one `<{prefix}N>` per record with its `function_name`,
//! `param`, `time` and `exception`, laid out as Python's `minidom` pretty-prints it. Written
//! with `quick-xml`'s writer.

use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::Writer;
use serde_json::json;
use webrunner_record::Record;

use crate::xml;

/// The XML document for `records`, each as `<{prefix}N>` (N from 1): `function_name` (the
/// command), `param` (`{"args": …, "kwargs": …}` as JSON), `time` (its start) and
/// `exception` (its error, `None` when it passed).
pub fn records_xml(records: &[Record], prefix: &str) -> String {
    let mut w = Writer::new_with_indent(Vec::with_capacity(64 + records.len() * 256), b' ', 2);
    // minidom's declaration, with its space before `?>`.
    w.get_mut().extend_from_slice(b"<?xml version=\"1.0\" ?>\n");
    // Writing into a Vec cannot fail.
    let _ = write_records(&mut w, records, prefix);
    let mut out = w.into_inner();
    out.push(b'\n');
    // Every piece written is UTF-8 (text from `&str`s, ASCII markup).
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn write_records(w: &mut Writer<Vec<u8>>, records: &[Record], prefix: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new("xml_data")))?;
    for (i, r) in records.iter().enumerate() {
        let param = json!({ "args": r.args, "kwargs": r.kwargs }).to_string();
        let fields = [
            ("function_name", r.command.as_str()),
            ("param", param.as_str()),
            ("time", r.started_at.as_str()),
            ("exception", r.error.as_deref().unwrap_or("None")),
        ];
        let tag = format!("{prefix}{}", i + 1);
        w.write_event(Event::Start(BytesStart::new(tag.as_str())))?;
        for (name, text) in fields {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            w.write_event(Event::Text(xml::text(text)))?;
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
        w.write_event(Event::End(BytesEnd::new(tag.as_str())))?;
    }
    w.write_event(Event::End(BytesEnd::new("xml_data")))
}

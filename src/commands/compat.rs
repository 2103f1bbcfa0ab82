//! Commands the Python WebRunner's flows use that are not about the page: reports written
//! from a flow (`WR_generate_*_report`, with the Python file names), `print`, `time_sleep`
//! and `WR_add_package_to_executor` (only `time`, which gives `time_sleep`), and
//! `WR_set_record_enable` (records are always kept).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::paths::{output_path, write_output, Target};
use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};
use webrunner_record::Record;

/// The report formats and the files each writes for a base name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    /// The replay page: `<name>.html`.
    Html,
    /// Records as JSON: `<name>_success.json`, `<name>_failure.json`.
    Json,
    /// Records as XML in the Python WebRunner's layout: `<name>_success.xml`, `<name>_failure.xml`.
    Xml,
    /// JUnit XML: `<name>_junit.xml`.
    Junit,
}

/// The files `report` writes for base name `name`, each with its content.
/// The replay page looks for failure screenshots also in `shots`.
fn report_files(
    report: Report,
    name: &str,
    records: &[Record],
    shots: Option<&Path>,
) -> Vec<(String, String)> {
    let (passed, failed): (Vec<Record>, Vec<Record>) =
        records.iter().cloned().partition(|r| !r.failed());
    match report {
        Report::Html => vec![(
            format!("{name}.html"),
            webrunner_report::build_replay_html(records, shots, name),
        )],
        Report::Json => vec![
            (format!("{name}_success.json"), records_json(&passed)),
            (format!("{name}_failure.json"), records_json(&failed)),
        ],
        Report::Xml => vec![
            (
                format!("{name}_success.xml"),
                webrunner_report::records_xml(&passed, "Success_Test"),
            ),
            (
                format!("{name}_failure.xml"),
                webrunner_report::records_xml(&failed, "Failure_Test"),
            ),
        ],
        Report::Junit => vec![(
            format!("{name}_junit.xml"),
            webrunner_report::junit_xml(records),
        )],
    }
}

fn records_json(records: &[Record]) -> String {
    serde_json::to_string_pretty(records).unwrap_or_else(|_| "[]".to_string())
}

/// Writes `bytes` to `path` (as the flow gave it), through the output-folder rules.
fn write(ctx: &Context, command: &str, given: &str, bytes: &[u8]) -> Result<PathBuf, ActionError> {
    let path = output_path(&ctx.settings, command, Path::new(given), Target::File)?;
    write_output(command, &path, bytes)?;
    Ok(path)
}

async fn generate(
    ctx: &mut Context,
    call: &Call,
    param: &str,
    report: Report,
) -> Result<Value, ActionError> {
    let name = call.opt_str(param)?.unwrap_or("default_name");
    let mut written = Vec::new();
    let shots = ctx.settings.screenshot_dir.as_deref();
    for (file, content) in report_files(report, name, ctx.records(), shots) {
        let path = write(ctx, &call.command, &file, content.as_bytes())?;
        written.push(json!(path.display().to_string()));
    }
    Ok(Value::Array(written))
}

/// Python's `str()` of a value from JSON, near enough: strings as they are, the rest as JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What `print` writes: the values joined by `sep`, then `end`.
fn printed(values: &[Value], sep: &str, end: &str) -> String {
    let parts: Vec<String> = values.iter().map(text_of).collect();
    format!("{}{end}", parts.join(sep))
}

/// `text` as `print` writes it: control characters as visible escapes (a flow cannot move
/// the cursor or recolour the terminal), line breaks kept.
fn shown_on_terminal(text: &str) -> String {
    text.split('\n')
        .map(crate::terminal::escape_for_terminal)
        .collect::<Vec<_>>()
        .join("\n")
}

async fn print(_ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let values = match call.get("args") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let text = printed(
        &values,
        call.opt_str("sep")?.unwrap_or(" "),
        call.opt_str("end")?.unwrap_or("\n"),
    );
    let shown = shown_on_terminal(&text);
    // On stderr: stdout carries the run's own result (`run --format json`).
    let mut out = std::io::stderr().lock();
    out.write_all(shown.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            ActionError::Failed(format!("{}: cannot write to stderr: {e}", call.command))
        })?;
    Ok(json!(text))
}

async fn time_sleep(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let d = call.seconds("secs")?;
    let clock = ctx.clock.clone();
    clock.sleep(d).await;
    nothing()
}

/// Checks a package `WR_add_package_to_executor` is asked for: only `time` is known.
fn check_package(command: &str, package: &str) -> Result<(), ActionError> {
    if package.trim() == "time" {
        return Ok(());
    }
    Err(ActionError::BadArgument(format!(
        "{command}: package {package:?} cannot be added: webrunner runs no Python; only \"time\" is accepted (its time_sleep is always there)"
    )))
}

async fn add_package(_ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    check_package(&call.command, call.str("package")?)?;
    nothing()
}

async fn set_record_enable(_ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    call.opt_bool("set_enable")?;
    nothing()
}

pub(super) fn register(r: &mut CommandRegistry) {
    const REPORTS: [(&str, &str, Report, &str); 4] = [
        (
            "WR_generate_html_report",
            "html_name",
            Report::Html,
            "Writes the replay page of the run's records so far to `<html_name>.html`.",
        ),
        (
            "WR_generate_json_report",
            "json_file_name",
            Report::Json,
            "Writes the run's records so far as JSON lists (as in `records.json`): the passed ones to `<json_file_name>_success.json`, the failed ones to `<json_file_name>_failure.json`.",
        ),
        (
            "WR_generate_xml_report",
            "xml_file_name",
            Report::Xml,
            "Writes the run's records so far as XML in the Python WebRunner's layout (`<xml_data>` of `Success_TestN` / `Failure_TestN` elements with `function_name`, `param`, `time`, `exception`): passed ones to `<xml_file_name>_success.xml`, failed ones to `<xml_file_name>_failure.xml`.",
        ),
        (
            "WR_generate_junit_xml_report",
            "junit_file_name",
            Report::Junit,
            "Writes the run's records so far as JUnit XML (one testcase per action) to `<junit_file_name>_junit.xml`.",
        ),
    ];
    for (name, param, report, summary) in REPORTS {
        let params: &'static [Param] = match report {
            Report::Html => params![Param::opt("html_name", Kind::Str, "optional, default `default_name`: the file name without its extension; relative to the run's output folder, and inside it under `--no-scripts`")],
            Report::Json => params![Param::opt("json_file_name", Kind::Str, "optional, default `default_name`: the base file name; relative to the run's output folder, and inside it under `--no-scripts`")],
            Report::Xml => params![Param::opt("xml_file_name", Kind::Str, "optional, default `default_name`: the base file name; relative to the run's output folder, and inside it under `--no-scripts`")],
            Report::Junit => params![Param::opt("junit_file_name", Kind::Str, "optional, default `default_name`: the base file name; relative to the run's output folder, and inside it under `--no-scripts`")],
        };
        r.register(
            name,
            doc("reports", summary, params, "the list of paths written"),
            handler(move |c, a| Box::pin(generate(c, a, param, report))),
        );
    }
    r.register(
        "print",
        doc(
            "compat",
            "Python's `print`: writes the values joined by `sep` and ended by `end` on standard error, so standard output keeps the run's own result (strings as they are, other values as JSON; control characters other than line breaks are written as visible escapes such as `\\x1b`).",
            params![
                Param::opt("args", Kind::List, "the values (the remaining args)").rest(),
                Param::opt("sep", Kind::Str, "optional, default one space"),
                Param::opt("end", Kind::Str, "optional, default a newline"),
                Param::opt("flush", Kind::Bool, "optional, accepted: the output is always flushed"),
            ],
            "the text written",
        ),
        handler(|c, a| Box::pin(print(c, a))),
    );
    r.register(
        "time_sleep",
        doc(
            "compat",
            "Python's `time.sleep`: pauses the flow (the same as `WR_sleep`).",
            params![Param::req(
                "secs",
                Kind::Seconds,
                "how long, in seconds (0 to 86400)"
            )],
            "null",
        ),
        handler(|c, a| Box::pin(time_sleep(c, a))),
    );
    r.register(
        "WR_add_package_to_executor",
        doc(
            "compat",
            "Accepts `time`, which Python WebRunner flows add to get `time_sleep` (always there here), and refuses any other package: webrunner runs no Python.",
            params![Param::req("package", Kind::Str, "the package: `time`")],
            "null",
        ),
        handler(|c, a| Box::pin(add_package(c, a))),
    );
    r.register(
        "WR_set_record_enable",
        doc(
            "compat",
            "Accepted for the Python WebRunner's flows; every action is recorded whatever it says.",
            params![Param::opt(
                "set_enable",
                Kind::Bool,
                "optional, default true: accepted, records are always kept"
            )],
            "null",
        ),
        handler(|c, a| Box::pin(set_record_enable(c, a))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use webrunner_record::{Status, Try};

    fn record(index: usize, command: &str, error: Option<&str>) -> Record {
        let t = Try {
            attempt: 1,
            started_at: "2026-01-01T00:00:00Z".into(),
            duration_ms: 1.0,
            status: if error.is_some() {
                Status::Failed
            } else {
                Status::Passed
            },
            error: error.map(str::to_string),
            artifacts: Default::default(),
        };
        Record::from_tries(
            index,
            command,
            vec![json!("a<b")],
            Default::default(),
            vec![t],
        )
    }

    #[test]
    fn reports_use_the_python_file_names() {
        let names = |r| -> Vec<String> {
            report_files(r, "out/rep", &[], None)
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(names(Report::Html), ["out/rep.html"]);
        assert_eq!(
            names(Report::Json),
            ["out/rep_success.json", "out/rep_failure.json"]
        );
        assert_eq!(
            names(Report::Xml),
            ["out/rep_success.xml", "out/rep_failure.xml"]
        );
        assert_eq!(names(Report::Junit), ["out/rep_junit.xml"]);
    }

    #[test]
    fn json_and_xml_reports_split_passed_and_failed_records() {
        let records = [
            record(0, "WR_to_url", None),
            record(1, "WR_click", Some("no <b>")),
        ];
        let files = report_files(Report::Json, "r", &records, None);
        let ok: Vec<Record> = serde_json::from_str(&files[0].1).unwrap();
        let bad: Vec<Record> = serde_json::from_str(&files[1].1).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].command, "WR_to_url");
        assert_eq!(bad[0].error.as_deref(), Some("no <b>"));
        let files = report_files(Report::Xml, "r", &records, None);
        assert!(files[0].1.contains("<Success_Test1>"), "{}", files[0].1);
        assert!(files[0].1.contains("<exception>None</exception>"));
        assert!(
            files[1].1.contains("<exception>no &lt;b&gt;</exception>"),
            "{}",
            files[1].1
        );
        assert!(files[1].1.contains("a&lt;b"));
    }

    #[test]
    fn print_joins_with_sep_and_ends_with_end() {
        assert_eq!(
            printed(&[json!("a"), json!(1), json!(true)], " ", "\n"),
            "a 1 true\n"
        );
        assert_eq!(printed(&[json!("a"), json!("b")], "-", ""), "a-b");
        assert_eq!(printed(&[], " ", "\n"), "\n");
    }

    #[test]
    fn printed_text_keeps_line_breaks_and_shows_other_controls() {
        assert_eq!(shown_on_terminal("a\nb\n"), "a\nb\n");
        assert_eq!(shown_on_terminal("\u{1b}[2Jx\tz\n"), "\\x1b[2Jx\\tz\n");
    }

    #[test]
    fn only_the_time_package_is_accepted() {
        assert!(check_package("WR_add_package_to_executor", "time").is_ok());
        let e = check_package("WR_add_package_to_executor", "os")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("WR_add_package_to_executor: package \"os\""),
            "{e}"
        );
        assert!(!e.contains('\n'));
    }
}

//! `CspViolationCollector` (SPEC §8): a tab's Content-Security-Policy violations, collected
//! from the first script of every document (so violations during load count) and across
//! navigations, each once even when both the page and DevTools report it; and
//! [`from_report_json`], which reads the reports browsers POST to a policy's `report-uri`
//! (`{"csp-report": {..}}`) or `report-to` endpoint (Reporting API batches) into the same
//! [`CspViolation`].

use serde_json::Value;

use crate::browser::{BrowserError, Session};
pub use webrunner_record::CspViolation;

/// Collects one tab's violations (see the module doc).
#[derive(Debug, Clone)]
pub struct CspViolationCollector {
    session: Session,
}

/// Why an assertion of the collector failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CspError {
    /// The browser failed.
    #[error(transparent)]
    Browser(#[from] BrowserError),
    /// Violations the assertion did not allow.
    #[error("{}", describe(.0))]
    Violations(Vec<CspViolation>),
}

impl CspViolationCollector {
    /// Starts collecting on `session` (installing again does nothing): documents loaded from
    /// now on report their violations from their first script on.
    pub async fn install(session: &Session) -> Result<CspViolationCollector, BrowserError> {
        session.install_csp().await?;
        Ok(CspViolationCollector {
            session: session.clone(),
        })
    }

    /// Every violation so far, oldest first, with everything the page reported up to now.
    pub async fn collect(&self) -> Vec<CspViolation> {
        self.session.flush_events(true).await;
        self.session.csp_violations()
    }

    /// Fails, naming each one, when any violation (enforced or report-only) happened.
    pub async fn assert_none(&self) -> Result<(), CspError> {
        check_none(self.collect().await)
    }

    /// Fails when a violation of `directive` happened (`script-src` also matches
    /// `script-src-elem` and `script-src-attr`).
    pub async fn assert_no_directive(&self, directive: &str) -> Result<(), CspError> {
        check_no_directive(self.collect().await, directive)
    }
}

/// `Err` with the violations when there are any.
pub fn check_none(all: Vec<CspViolation>) -> Result<(), CspError> {
    if all.is_empty() {
        Ok(())
    } else {
        Err(CspError::Violations(all))
    }
}

/// `Err` with the violations of `directive` when there are any.
pub fn check_no_directive(mut all: Vec<CspViolation>, directive: &str) -> Result<(), CspError> {
    all.retain(|v| is_directive(v, directive));
    check_none(all)
}

/// Whether `v` violated `directive` or one of its refinements (`-elem`, `-attr`).
pub fn is_directive(v: &CspViolation, directive: &str) -> bool {
    let want = directive.trim().to_ascii_lowercase();
    let got = v.violated_directive.to_ascii_lowercase();
    got == want
        || got
            .strip_prefix(&want)
            .is_some_and(|rest| rest == "-elem" || rest == "-attr")
}

/// One line per violation: `N Content-Security-Policy violation(s): script-src-elem blocked
/// inline at http://…:3; …` (report-only ones say so).
pub fn describe(all: &[CspViolation]) -> String {
    let items: Vec<String> = all
        .iter()
        .map(|v| {
            let blocked = if v.blocked_uri.is_empty() {
                "(no URI)"
            } else {
                &v.blocked_uri
            };
            let mut s = format!("{} blocked {}", v.violated_directive, blocked);
            if let Some(file) = &v.source_file {
                s.push_str(&format!(" at {file}"));
                if let Some(line) = v.line_number {
                    s.push_str(&format!(":{line}"));
                }
            }
            if v.disposition == "report" {
                s.push_str(" (report-only)");
            }
            s
        })
        .collect();
    format!(
        "{} Content-Security-Policy violation{}: {}",
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        items.join("; ")
    )
}

/// Reads a violation report body: `{"csp-report": {..}}` (`report-uri`), a bare report
/// object, or a Reporting API body or batch (`[{type: "csp-violation", body: {..}}]`). Keys
/// are taken in any of the spellings browsers use (`violated-directive`,
/// `effectiveDirective`, `blocked_uri`, …). A report without a directive is an error.
pub fn from_report_json(text: &str) -> Result<Vec<CspViolation>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("not a CSP report (bad JSON: {e})"))?;
    from_report_value(&value)
}

/// [`from_report_json`] on parsed JSON.
pub fn from_report_value(value: &Value) -> Result<Vec<CspViolation>, String> {
    match value {
        Value::Array(batch) => {
            let mut out = Vec::new();
            for item in batch {
                let kind = item.get("type").and_then(Value::as_str);
                if kind.is_some_and(|k| k != "csp-violation") {
                    continue;
                }
                out.extend(from_report_value(item)?);
            }
            Ok(out)
        }
        Value::Object(o) => {
            let report = o
                .get("csp-report")
                .or_else(|| o.get("body").filter(|b| b.is_object()))
                .unwrap_or(value);
            report_of(report).map(|v| vec![v])
        }
        _ => Err("not a CSP report (neither an object nor a list)".into()),
    }
}

/// The first of `keys` that is there, as text (numbers too).
fn field(report: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match report.get(*k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn report_of(report: &Value) -> Result<CspViolation, String> {
    if !report.is_object() {
        return Err("not a CSP report (its report is not an object)".into());
    }
    let effective = field(report, &["effective-directive", "effectiveDirective"]);
    let violated = field(
        report,
        &[
            "violated-directive",
            "violatedDirective",
            "violated_directive",
        ],
    );
    // Older browsers give the whole directive (`script-src 'self'`): its name is the first word.
    let name = |d: Option<String>| d.and_then(|d| d.split_whitespace().next().map(str::to_string));
    let directive = name(effective)
        .or_else(|| name(violated))
        .ok_or("not a CSP report (no violated or effective directive)")?;
    let line = field(report, &["line-number", "lineNumber", "line_number"])
        .and_then(|l| l.trim().parse::<i64>().ok());
    Ok(CspViolation {
        violated_directive: directive,
        blocked_uri: field(
            report,
            &["blocked-uri", "blockedURL", "blockedURI", "blocked_uri"],
        )
        .unwrap_or_default(),
        source_file: field(report, &["source-file", "sourceFile", "source_file"])
            .filter(|f| !f.is_empty()),
        line_number: line,
        sample: field(report, &["script-sample", "sample", "script_sample"])
            .filter(|s| !s.is_empty()),
        disposition: field(report, &["disposition"])
            .filter(|d| d == "report")
            .unwrap_or_else(|| "enforce".into()),
        timestamp_ms: None,
        action: None,
    })
}

#[cfg(test)]
#[path = "csp_tests.rs"]
mod tests;

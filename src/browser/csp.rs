//! Content-Security-Policy violations of a tab, from two sources: a `securitypolicyviolation`
//! listener put into every new document before its own scripts run (it reports through a
//! CDP binding, so a violation during load is seen), and DevTools' `Audits.issueAdded`
//! issues. A violation both report is kept once. Audits issues whose shape chromiumoxide's
//! generated types reject are not lost: the connection's driver hands their raw text here
//! ([`rescue`]) and they are read as plain JSON.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use chromiumoxide::cdp::browser_protocol::audits::EventIssueAdded;
use chromiumoxide::cdp::js_protocol::runtime::EventBindingCalled;
use serde_json::{json, Value};
use webrunner_record::CspViolation;

use super::events::{PageEvents, KEPT};
use super::network_log::now_ms;
use super::{BrowserError, Session};

/// The binding the page's listener reports through.
const BINDING: &str = "__webrunnerCsp";

/// Put into every new document before its scripts: reports each violation through the
/// binding (kept in a local, so a page deleting the global does not silence it).
const LISTENER: &str = r#"(() => {
  const send = globalThis.__webrunnerCsp;
  if (typeof send !== "function" || globalThis.__webrunnerCspOn) return;
  Object.defineProperty(globalThis, "__webrunnerCspOn", { value: true });
  globalThis.addEventListener("securitypolicyviolation", (e) => {
    try {
      send(JSON.stringify({
        directive: e.violatedDirective || e.effectiveDirective, blocked: e.blockedURI,
        file: e.sourceFile, line: e.lineNumber, sample: e.sample,
        disposition: e.disposition, time: Date.now(),
      }));
    } catch (_) {}
  }, true);
})();"#;

/// Two reports of one violation (page listener and Audits) come within this many ms.
const SAME_WITHIN_MS: f64 = 3_000.0;

/// Where a report came from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Page,
    Audits,
}

#[derive(Debug)]
struct Seen {
    violation: CspViolation,
    page: bool,
    audits: bool,
}

/// A tab's violations, in the order they were seen.
#[derive(Debug, Default)]
pub(super) struct CspLog {
    installed: bool,
    seen: VecDeque<Seen>,
}

/// The directive without its `-elem`/`-attr` refinement, so both sources' names match.
fn family(directive: &str) -> &str {
    directive
        .strip_suffix("-elem")
        .or_else(|| directive.strip_suffix("-attr"))
        .unwrap_or(directive)
}

impl CspLog {
    /// Adds a report, or merges it into the same violation reported by the other source.
    fn add(&mut self, v: CspViolation, source: Source) {
        let time = v.timestamp_ms.unwrap_or_else(now_ms);
        let twin = self.seen.iter_mut().find(|s| {
            let other = match source {
                Source::Page => !s.page && s.audits,
                Source::Audits => s.page && !s.audits,
            };
            let o = &s.violation;
            other
                && family(&o.violated_directive) == family(&v.violated_directive)
                && o.disposition == v.disposition
                && (o.blocked_uri == v.blocked_uri
                    || o.blocked_uri.starts_with(&v.blocked_uri)
                    || v.blocked_uri.starts_with(&o.blocked_uri))
                && (o.timestamp_ms.unwrap_or(time) - time).abs() <= SAME_WITHIN_MS
        });
        if let Some(s) = twin {
            s.page |= source == Source::Page;
            s.audits |= source == Source::Audits;
            if source == Source::Page {
                // The page's report is the richer one (sample, 1-based line, its own time).
                let action = s.violation.action.min(v.action).or(v.action);
                s.violation = CspViolation { action, ..v };
            }
            return;
        }
        if self.seen.len() >= KEPT {
            self.seen.pop_front();
        }
        self.seen.push_back(Seen {
            violation: v,
            page: source == Source::Page,
            audits: source == Source::Audits,
        });
    }
}

impl PageEvents {
    fn push_csp(&self, mut v: CspViolation, source: Source) {
        v.action = self.action_at(v.timestamp_ms.unwrap_or_else(now_ms));
        if let Ok(mut log) = self.csp.lock() {
            log.add(v, source);
        }
    }
}

/// A violation reported by the page's listener (`Runtime.bindingCalled`).
pub(super) fn on_binding(events: &PageEvents, e: &EventBindingCalled) {
    if e.name != BINDING {
        return;
    }
    let Ok(p) = serde_json::from_str::<Value>(&e.payload) else {
        return;
    };
    let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(directive) = text("directive").filter(|d| !d.is_empty()) else {
        return;
    };
    events.push_csp(
        CspViolation {
            violated_directive: directive,
            blocked_uri: text("blocked").unwrap_or_default(),
            source_file: text("file").filter(|f| !f.is_empty()),
            line_number: p.get("line").and_then(Value::as_i64).filter(|l| *l > 0),
            sample: text("sample").filter(|s| !s.is_empty()),
            disposition: text("disposition").unwrap_or_else(|| "enforce".into()),
            timestamp_ms: p
                .get("time")
                .and_then(Value::as_f64)
                .or_else(|| Some(now_ms())),
            action: None,
        },
        Source::Page,
    );
}

/// An Audits issue as chromiumoxide decoded it.
pub(super) fn on_issue(events: &PageEvents, e: &EventIssueAdded) {
    if let Ok(issue) = serde_json::to_value(&e.issue) {
        on_issue_json(events, &issue);
    }
}

/// An Audits issue (`{code, details}`) as plain JSON: only Content-Security-Policy issues
/// count; any field may be missing or of a kind the generated types do not know.
fn on_issue_json(events: &PageEvents, issue: &Value) {
    if let Some(v) = violation_of_issue(issue) {
        events.push_csp(v, Source::Audits);
    }
}

/// The violation an Audits issue describes, when it is a Content-Security-Policy one.
pub(super) fn violation_of_issue(issue: &Value) -> Option<CspViolation> {
    let d = issue.pointer("/details/contentSecurityPolicyIssueDetails")?;
    let directive = d.get("violatedDirective")?.as_str()?.to_string();
    let kind = d
        .get("contentSecurityPolicyViolationType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let blocked = match d.get("blockedURL").and_then(Value::as_str) {
        Some(u) if !u.is_empty() => u.to_string(),
        _ => match kind {
            "kInlineViolation" => "inline",
            "kEvalViolation" => "eval",
            "kWasmEvalViolation" => "wasm-eval",
            "kTrustedTypesSinkViolation" => "trusted-types-sink",
            "kTrustedTypesPolicyViolation" => "trusted-types-policy",
            _ => "",
        }
        .to_string(),
    };
    let location = d.get("sourceCodeLocation");
    let report_only = d.get("isReportOnly").and_then(Value::as_bool) == Some(true);
    Some(CspViolation {
        violated_directive: directive,
        blocked_uri: blocked,
        source_file: location
            .and_then(|l| l.get("url"))
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .map(str::to_string),
        // Audits lines are 0-based; the page's and reports' are 1-based.
        line_number: location
            .and_then(|l| l.get("lineNumber"))
            .and_then(Value::as_i64)
            .map(|l| l + 1),
        sample: None,
        disposition: if report_only { "report" } else { "enforce" }.into(),
        timestamp_ms: Some(now_ms()),
        action: None,
    })
}

/// Tabs collecting violations, by their DevTools session id, for [`rescue`].
fn rescued() -> &'static Mutex<HashMap<String, Weak<PageEvents>>> {
    static TABS: OnceLock<Mutex<HashMap<String, Weak<PageEvents>>>> = OnceLock::new();
    TABS.get_or_init(Mutex::default)
}

/// A DevTools message chromiumoxide could not decode: an `Audits.issueAdded` of a
/// collecting tab still counts.
pub(super) fn rescue(text: &str) {
    if !text.contains("\"Audits.issueAdded\"") {
        return;
    }
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let (Some(session), Some(issue)) = (
        message.get("sessionId").and_then(Value::as_str),
        message.pointer("/params/issue"),
    ) else {
        return;
    };
    let events = rescued()
        .lock()
        .ok()
        .and_then(|tabs| tabs.get(session).and_then(Weak::upgrade));
    if let Some(events) = events {
        on_issue_json(&events, issue);
    }
}

impl Session {
    /// Starts collecting this tab's Content-Security-Policy violations: from the first
    /// script of every document it loads from now on (the current one included), and from
    /// DevTools' issues. Calling it again does nothing.
    pub async fn install_csp(&self) -> Result<(), BrowserError> {
        let events = &self.state.events;
        if events.csp.lock().map(|l| l.installed).unwrap_or(true) {
            return Ok(());
        }
        if let Ok(mut tabs) = rescued().lock() {
            tabs.retain(|_, e| e.strong_count() > 0);
            let id = self.state.page.session_id().inner().clone();
            tabs.insert(id, Arc::downgrade(events));
        }
        self.cdp("Runtime.addBinding", json!({ "name": BINDING }))
            .await?;
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": LISTENER }),
        )
        .await?;
        self.cdp("Audits.enable", json!({})).await?;
        // The document already open (often about:blank) gets the listener too.
        let _ = self
            .cdp(
                "Runtime.evaluate",
                json!({ "expression": LISTENER, "returnByValue": true }),
            )
            .await;
        if let Ok(mut log) = events.csp.lock() {
            log.installed = true;
        }
        Ok(())
    }

    /// Whether [`Session::install_csp`] ran on this tab.
    pub fn csp_installed(&self) -> bool {
        self.state
            .events
            .csp
            .lock()
            .map(|l| l.installed)
            .unwrap_or(false)
    }

    /// This tab's violations since collecting started (the last [`KEPT`]), oldest first.
    pub fn csp_violations(&self) -> Vec<CspViolation> {
        self.state
            .events
            .csp
            .lock()
            .map(|l| l.seen.iter().map(|s| s.violation.clone()).collect())
            .unwrap_or_default()
    }

    /// The violations that happened while action `index` ran, as far as reported.
    pub fn csp_of(&self, index: usize) -> Vec<CspViolation> {
        let mut all = self.csp_violations();
        all.retain(|v| v.action == Some(index));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(directive: &str, blocked: &str, time: f64) -> CspViolation {
        CspViolation {
            violated_directive: directive.into(),
            blocked_uri: blocked.into(),
            source_file: None,
            line_number: None,
            sample: None,
            disposition: "enforce".into(),
            timestamp_ms: Some(time),
            action: None,
        }
    }

    #[test]
    fn one_violation_reported_by_both_sources_is_kept_once() {
        let mut log = CspLog::default();
        log.add(v("script-src-elem", "inline", 1000.0), Source::Audits);
        log.add(v("script-src-elem", "inline", 1010.0), Source::Page);
        assert_eq!(log.seen.len(), 1);
        // A second violation of the same kind is another one, from either source.
        log.add(v("script-src-elem", "inline", 1020.0), Source::Page);
        log.add(v("script-src", "inline", 1030.0), Source::Audits);
        assert_eq!(log.seen.len(), 2);
        log.add(v("img-src", "http://x/a.png", 1040.0), Source::Page);
        log.add(v("img-src", "http://x/a.png", 9040.0), Source::Audits);
        assert_eq!(log.seen.len(), 4, "too far apart to be one");
    }

    #[test]
    fn audits_issue_json_becomes_a_violation() {
        let issue = json!({"code": "ContentSecurityPolicyIssue", "details": {
            "contentSecurityPolicyIssueDetails": {"violatedDirective": "script-src-elem",
            "isReportOnly": true, "contentSecurityPolicyViolationType": "kSomethingNew",
            "sourceCodeLocation": {"url": "http://h/", "lineNumber": 0, "columnNumber": 3}}}});
        let got = violation_of_issue(&issue).expect("a CSP issue");
        assert_eq!(got.violated_directive, "script-src-elem");
        assert_eq!(got.disposition, "report");
        assert_eq!(got.line_number, Some(1));
        assert_eq!(got.blocked_uri, "");
        assert!(violation_of_issue(&json!({"code": "CookieIssue", "details": {}})).is_none());
    }

    #[test]
    fn an_issue_chromiumoxide_cannot_decode_is_taken_from_its_raw_text() {
        let events = Arc::new(PageEvents::default());
        if let Ok(mut tabs) = rescued().lock() {
            tabs.insert("S1".into(), Arc::downgrade(&events));
        }
        let raw = json!({"method": "Audits.issueAdded", "sessionId": "S1", "params": {"issue": {
            "code": "ContentSecurityPolicyIssue", "details": {"contentSecurityPolicyIssueDetails": {
                "violatedDirective": "img-src", "blockedURL": "https://x/p.png", "isReportOnly": false,
                "contentSecurityPolicyViolationType": "kBrandNewViolation"}}}}});
        rescue(&raw.to_string());
        rescue(&raw.to_string().replace("S1", "other-tab"));
        rescue("{not json \"Audits.issueAdded\"");
        let log = events.csp.lock().expect("log");
        assert_eq!(log.seen.len(), 1);
        assert_eq!(log.seen[0].violation.blocked_uri, "https://x/p.png");
    }
}

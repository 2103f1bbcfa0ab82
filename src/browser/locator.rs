//! Locators: how to find elements (CSS, XPath, id, text, name, class name, tag name, link
//! text, ARIA role and accessible name, label, placeholder, test id), the strategy names
//! Selenium's `By` uses, and the in-page finder every element operation runs.

use std::fmt;

use serde_json::{json, Value};

use super::BrowserError;

/// How to find an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// A CSS selector (pierces open shadow roots).
    Css(String),
    /// An XPath expression.
    XPath(String),
    /// An element id.
    Id(String),
    /// The innermost elements whose visible text contains this text (pierces open shadow
    /// roots).
    Text(String),
    /// The `name` attribute.
    Name(String),
    /// One class name.
    ClassName(String),
    /// A tag name.
    TagName(String),
    /// Links whose trimmed visible text is exactly this.
    LinkText(String),
    /// Links whose visible text contains this.
    PartialLinkText(String),
    /// An ARIA role computed by the browser, with an optional accessible name: a
    /// case-insensitive substring unless `exact`.
    Role {
        /// The exact role, e.g. `button`.
        role: String,
        /// The accessible name to look for.
        name: Option<String>,
        /// Whether the name must match exactly (case and all).
        exact: bool,
    },
    /// Form controls labelled by this text (`<label for>`, a wrapping label,
    /// `aria-labelledby`, `aria-label`), matched as a case-insensitive substring.
    Label(String),
    /// Elements whose `placeholder` contains this text (case-insensitive).
    Placeholder(String),
    /// The `data-testid` attribute.
    TestId(String),
}

impl Locator {
    /// Builds a locator from a strategy name and a value. Names are matched in any case with
    /// spaces, hyphens or underscores alike, so Selenium's `By` strings work: `css`,
    /// `css selector`, `xpath`, `id`, `text`, `name`, `class name`, `tag name`, `link text`,
    /// `partial link text`, `role` (value `button` or `button[name="Sign in"]`, a trailing
    /// `s` after the quote for an exact name), `label`, `placeholder`, `test id`.
    pub fn new(by: &str, value: &str) -> Result<Locator, BrowserError> {
        let v = value.to_string();
        let by_key = by.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let locator = match by_key.as_str() {
            "css" | "css_selector" => Locator::Css(v),
            "xpath" => Locator::XPath(v),
            "id" => Locator::Id(v),
            "text" | "by_text" => Locator::Text(v),
            "name" => Locator::Name(v),
            "class" | "class_name" => {
                if v.trim().is_empty() || v.trim().contains(char::is_whitespace) {
                    return Err(BrowserError::Invalid(format!(
                        "class name locator {v:?} must be one class name (use css for several)"
                    )));
                }
                Locator::ClassName(v.trim().to_string())
            }
            "tag" | "tag_name" => {
                if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(BrowserError::Invalid(format!(
                        "tag name locator {v:?} must be a tag name such as `button`"
                    )));
                }
                Locator::TagName(v)
            }
            "link_text" => Locator::LinkText(v),
            "partial_link_text" => Locator::PartialLinkText(v),
            "role" => parse_role(value)?,
            "label" => Locator::Label(v),
            "placeholder" => Locator::Placeholder(v),
            "test_id" | "testid" | "data_testid" => Locator::TestId(v),
            _ => {
                return Err(BrowserError::Invalid(format!(
                    "unknown locator strategy {by:?}; use css, xpath, id, text, name, class name, tag name, link text, partial link text, role, label, placeholder or test id"
                )))
            }
        };
        Ok(locator)
    }

    /// An ARIA role locator, e.g. `Locator::role("button", Some("Sign in"), false)`.
    pub fn role(role: &str, name: Option<&str>, exact: bool) -> Locator {
        Locator::Role {
            role: role.to_string(),
            name: name.map(str::to_string),
            exact,
        }
    }

    /// The strategy's short name (as shown by `Display`).
    pub fn strategy(&self) -> &'static str {
        match self {
            Locator::Css(_) => "css",
            Locator::XPath(_) => "xpath",
            Locator::Id(_) => "id",
            Locator::Text(_) => "text",
            Locator::Name(_) => "name",
            Locator::ClassName(_) => "class_name",
            Locator::TagName(_) => "tag_name",
            Locator::LinkText(_) => "link_text",
            Locator::PartialLinkText(_) => "partial_link_text",
            Locator::Role { .. } => "role",
            Locator::Label(_) => "label",
            Locator::Placeholder(_) => "placeholder",
            Locator::TestId(_) => "test_id",
        }
    }

    /// What the locator looks for (for a role locator, the role).
    pub fn value(&self) -> &str {
        match self {
            Locator::Role { role, .. } => role,
            Locator::Css(v)
            | Locator::XPath(v)
            | Locator::Id(v)
            | Locator::Text(v)
            | Locator::Name(v)
            | Locator::ClassName(v)
            | Locator::TagName(v)
            | Locator::LinkText(v)
            | Locator::PartialLinkText(v)
            | Locator::Label(v)
            | Locator::Placeholder(v)
            | Locator::TestId(v) => v,
        }
    }

    /// The locator as the in-page finder takes it, picking the `nth` match.
    pub(super) fn spec(&self, nth: usize) -> Value {
        match self {
            Locator::Role { role, name, exact } => {
                json!({ "by": "role", "value": role, "name": name, "exact": exact, "nth": nth })
            }
            _ => json!({ "by": self.strategy(), "value": self.value(), "nth": nth }),
        }
    }
}

/// Parses `button` or `button[name="Sign in"]` (`"s` at the end: exact name).
fn parse_role(value: &str) -> Result<Locator, BrowserError> {
    let value = value.trim();
    let Some((role, rest)) = value.split_once('[') else {
        if value.is_empty() || value.contains(char::is_whitespace) {
            return Err(BrowserError::Invalid(format!(
                "role locator {value:?} must be a role such as `button` or `button[name=\"Sign in\"]`"
            )));
        }
        return Ok(Locator::role(value, None, false));
    };
    let bad = || {
        BrowserError::Invalid(format!(
            "role locator {value:?} must look like `button[name=\"Sign in\"]` (add s after the closing quote for an exact name)"
        ))
    };
    let inner = rest.strip_suffix(']').ok_or_else(bad)?;
    let quoted = inner.trim().strip_prefix("name=").ok_or_else(bad)?.trim();
    let (quoted, exact) = match quoted.strip_suffix('s') {
        Some(q) => (q, true),
        None => (quoted.strip_suffix('i').unwrap_or(quoted), false),
    };
    let name = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .or_else(|| quoted.strip_prefix('\'').and_then(|q| q.strip_suffix('\'')))
        .ok_or_else(bad)?;
    if role.trim().is_empty() {
        return Err(bad());
    }
    Ok(Locator::role(role.trim(), Some(name), exact))
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Locator::Role { role, name, exact } => {
                write!(f, "role={role:?}")?;
                if let Some(name) = name {
                    write!(f, "[name={name:?}{}]", if *exact { "s" } else { "" })?;
                }
                Ok(())
            }
            _ => write!(f, "{}={:?}", self.strategy(), self.value()),
        }
    }
}

/// The in-page finder shared by every element operation. Defines `findAll(spec)` (every
/// match, roughly in document order, open shadow roots included), `find(spec)` (the
/// `spec.nth` match or null), `describe(el)` (`<tag id="x" class="a b">`) and
/// `visible(el)`.
pub(super) const FINDER: &str = r#"
const norm = (s) => String(s || '').replace(/\s+/g, ' ').trim();
const textOf = (el) => (el.innerText !== undefined ? el.innerText : el.textContent) || '';
const roots = () => {
  const out = [document];
  for (let i = 0; i < out.length; i++) {
    for (const el of out[i].querySelectorAll('*')) if (el.shadowRoot) out.push(el.shadowRoot);
  }
  return out;
};
const qsa = (sel) => {
  const out = [];
  for (const r of roots()) for (const el of r.querySelectorAll(sel)) out.push(el);
  return out;
};
const inDocOrder = (list) => list.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
const loose = (text, want) => norm(text).toLowerCase().includes(norm(want).toLowerCase());
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE']);
const byText = (value) => {
  const out = [];
  const hostPaths = new Set();
  for (const r of roots()) {
    if (r === document) continue;
    let n = r.host;
    while (n) { if (hostPaths.has(n)) break; hostPaths.add(n); n = n.parentElement || (n.getRootNode().host || null); }
  }
  const kids = (el) => (el.shadowRoot ? [...el.shadowRoot.children, ...el.children] : [...el.children]);
  const visit = (el) => {
    let any = false;
    for (const c of kids(el)) {
      if (SKIP.has(c.tagName)) continue;
      if (hostPaths.has(c) || textOf(c).includes(value)) { if (visit(c)) any = true; }
    }
    if (!any && el !== document.body && textOf(el).includes(value)) { out.push(el); return true; }
    return any;
  };
  if (document.body) visit(document.body);
  return out;
};
const byLabel = (value) => {
  const found = new Set();
  for (const l of qsa('label')) if (l.control && loose(textOf(l), value)) found.add(l.control);
  for (const el of qsa('[aria-labelledby]')) {
    const root = el.getRootNode();
    const text = el.getAttribute('aria-labelledby').split(/\s+/).map((id) => {
      const n = root.getElementById ? root.getElementById(id) : document.getElementById(id);
      return n ? textOf(n) : '';
    }).join(' ');
    if (loose(text, value)) found.add(el);
  }
  for (const el of qsa('[aria-label]')) if (loose(el.getAttribute('aria-label'), value)) found.add(el);
  return inDocOrder([...found]);
};
const byRole = (spec) => {
  if (!('computedRole' in Element.prototype)) throw new Error('role locators need Chromium started with --enable-blink-features=ComputedAccessibilityInfo');
  return qsa('*').filter((el) => {
    if (el.computedRole !== spec.value) return false;
    if (spec.name === null || spec.name === undefined) return true;
    const name = el.computedName || '';
    return spec.exact ? name === spec.name : loose(name, spec.name);
  });
};
const findAll = (spec) => {
  const v = spec.value;
  switch (spec.by) {
    case 'css': return qsa(v);
    case 'id': return qsa('#' + CSS.escape(v));
    case 'name': return qsa('[name="' + CSS.escape(v) + '"]');
    case 'class_name': return qsa('.' + CSS.escape(v));
    case 'tag_name': return qsa(v);
    case 'test_id': return qsa('[data-testid="' + CSS.escape(v) + '"]');
    case 'xpath': {
      const r = document.evaluate(v, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      const out = [];
      for (let i = 0; i < r.snapshotLength; i++) { const n = r.snapshotItem(i); if (n.nodeType === 1) out.push(n); }
      return out;
    }
    case 'text': return byText(v);
    case 'link_text': return qsa('a').filter((a) => norm(textOf(a)) === norm(v));
    case 'partial_link_text': return qsa('a').filter((a) => textOf(a).includes(v));
    case 'role': return byRole(spec);
    case 'label': return byLabel(v);
    case 'placeholder': return qsa('[placeholder]').filter((el) => loose(el.getAttribute('placeholder'), v));
    default: throw new Error('unknown locator strategy ' + spec.by);
  }
};
const find = (spec) => findAll(spec)[spec.nth] || null;
const describe = (el) => {
  let s = '<' + el.tagName.toLowerCase();
  if (el.id) s += ' id="' + el.id + '"';
  const cls = typeof el.className === 'string' ? norm(el.className) : '';
  if (cls) s += ' class="' + (cls.length > 40 ? cls.slice(0, 40) + '…' : cls) + '"';
  return s + '>';
};
const visible = (el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true });
};
"#;

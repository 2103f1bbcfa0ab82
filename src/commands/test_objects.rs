//! Test objects: named locators saved by a flow (`WR_SaveTestObject`, as in the Python
//! WebRunner, with Selenium's `By` names as their type) and the commands that find elements,
//! by a test object's name or by a locator.

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::browser::{BrowserError, Locator};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

/// Selenium's `By` constant names and the strategy each stands for (`By.CSS_SELECTOR` is
/// `"css selector"`).
const SELENIUM_BY: &[(&str, &str)] = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("XPATH", "xpath"),
    ("CSS_SELECTOR", "css selector"),
    ("CLASS_NAME", "class name"),
    ("TAG_NAME", "tag name"),
    ("LINK_TEXT", "link text"),
    ("PARTIAL_LINK_TEXT", "partial link text"),
];

/// The Selenium strategy `by` names: a `By` constant name in any case (`"CSS_SELECTOR"`,
/// `"xpath"`) or a `By` value (`"css selector"`, `"link text"`); `None` for anything else.
pub(super) fn selenium_strategy(by: &str) -> Option<&'static str> {
    let key = by.trim().to_ascii_uppercase().replace([' ', '-'], "_");
    SELENIUM_BY
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, value)| *value)
}

/// The locator of a Selenium strategy (`object_type`, `by`) and a value, or an error naming
/// `command`, the parameter and the strategies known.
pub(super) fn selenium_locator(
    command: &str,
    param: &str,
    by: &str,
    value: &str,
) -> Result<Locator, ActionError> {
    let Some(strategy) = selenium_strategy(by) else {
        let names: Vec<&str> = SELENIUM_BY.iter().map(|(n, _)| *n).collect();
        return Err(ActionError::BadArgument(format!(
            "{command}: `{param}` {by:?} is not a Selenium locator strategy; use one of {} (any case) or their values such as \"css selector\"",
            names.join(", ")
        )));
    };
    Locator::new(strategy, value).map_err(|e| {
        ActionError::BadArgument(format!("{command}: `{param}` {by:?} cannot be used: {e}"))
    })
}

async fn save(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let name = call.str("test_object_name")?;
    let by = call.str("object_type")?;
    let locator = selenium_locator(&call.command, "object_type", by, name)?;
    let shown = locator.to_string();
    ctx.save_test_object(name, locator);
    Ok(json!(shown))
}

async fn clean(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.clear_test_objects();
    nothing()
}

fn no_locator(call: &Call) -> ActionError {
    ActionError::BadArgument(format!(
        "{}: give `element_name` (a test object saved with WR_SaveTestObject) or a locator such as css, xpath, id or by_text (or by + value)",
        call.command
    ))
}

async fn find(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    if crate::executor::locator_of(call)?.is_none() {
        return Err(no_locator(call));
    }
    let el = ctx.element(call).await?;
    Ok(json!(el.describe().await?))
}

/// How many descriptions `WR_find_elements` returns at most.
const MAX_DESCRIBED: usize = 100;

async fn find_all(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let Some(locator) = ctx.locator(call)? else {
        return Err(no_locator(call));
    };
    let el = ctx.element(call).await?;
    let count = el.count().await?;
    if count == 0 {
        return Err(BrowserError::NoSuchElement(locator.to_string()).into());
    }
    let mut elements = Vec::new();
    for i in 0..count.min(MAX_DESCRIBED) {
        elements.push(el.clone().nth(i).describe().await?);
    }
    ctx.set_current_element(Some(locator));
    Ok(json!({ "count": count, "elements": elements }))
}

/// `WR_find_element_by` / `WR_find_elements_by`: the Python WebRunner's direct lookup by a
/// selector and a Selenium strategy (`css selector` unless `by` says otherwise).
async fn find_by(ctx: &mut Context, call: &Call, all: bool) -> Result<Value, ActionError> {
    let selector = call.str("selector")?;
    let by = call.opt_str("by")?.unwrap_or("css selector");
    let by = selenium_strategy(by).unwrap_or(by);
    let mut located = call.clone();
    located.kwargs.insert(
        crate::executor::LOCATOR_KWARG.into(),
        json!({ "by": by, "value": selector }),
    );
    if all {
        find_all(ctx, &located).await
    } else {
        find(ctx, &located).await
    }
}

pub(super) fn register(r: &mut CommandRegistry) {
    const BY: &[Param] = &[
        Param::req("selector", Kind::Str, "what to look for"),
        Param::opt("by", Kind::Str, "optional Selenium strategy, default `css selector` (`id`, `name`, `xpath`, `class name`, `tag name`, `link text`, `partial link text`, or ours: `role`, `label`, `placeholder`, `test_id`, `text`)"),
    ];
    r.register(
        "WR_find_element_by",
        doc(
            "test objects",
            "Finds an element by a selector and a strategy and makes it the current element.",
            BY,
            "a short description such as `<button id=\"go\">`",
        ),
        handler(|c, a| Box::pin(find_by(c, a, false))),
    );
    r.register(
        "WR_find_elements_by",
        doc(
            "test objects",
            "Finds every element a selector and a strategy match; the first becomes the current element.",
            BY,
            "`{count, elements}`",
        ),
        handler(|c, a| Box::pin(find_by(c, a, true))),
    );
    r.register(
        "WR_SaveTestObject",
        doc(
            "test objects",
            "Saves a test object: a locator named `test_object_name` that finds elements whose `object_type` value is `test_object_name` (e.g. type `ID` and name `username` finds `#username`). Element commands then take `element_name` to use it. Types are Selenium's `By` names in any case (`ID`, `XPATH`, `CSS_SELECTOR`, `LINK_TEXT`, …) or their values (`css selector`, `link text`).",
            params![
                Param::req("test_object_name", Kind::Str, "the name, which is also what the locator looks for"),
                Param::req("object_type", Kind::Str, "the Selenium strategy: `ID`, `XPATH`, `CSS_SELECTOR`, `LINK_TEXT`, …"),
            ],
            "the locator saved, e.g. `id=\"username\"`",
        )
        .also(&["WR_save_test_object"]),
        handler(|c, a| Box::pin(save(c, a))),
    );
    r.register(
        "WR_CleanTestObject",
        doc(
            "test objects",
            "Forgets every saved test object.",
            &[],
            "null",
        )
        .also(&["WR_clear_test_objects"]),
        handler(|c, a| Box::pin(clean(c, a))),
    );
    r.register(
        "WR_find_element",
        doc(
            "test objects",
            "Finds an element, by a saved test object's name or by a locator, and makes it the current element for the element commands that follow.",
            params![Param::opt(
                "element_name",
                Kind::Str,
                "the name of a test object saved with `WR_SaveTestObject` (or give a locator instead)"
            )],
            "a short description such as `<button id=\"go\">`",
        )
        .on_element()
        .also(&["WR_find_recorded_element"]),
        handler(|c, a| Box::pin(find(c, a))),
    );
    r.register(
        "WR_find_elements",
        doc(
            "test objects",
            "Finds every element a saved test object (or a locator) matches; fails when none does. The first becomes the current element.",
            params![Param::opt(
                "element_name",
                Kind::Str,
                "the name of a test object saved with `WR_SaveTestObject` (or give a locator instead)"
            )],
            "`{count, elements}`: how many match and a short description of each (the first 100)",
        )
        .on_element()
        .also(&["WR_find_recorded_elements"]),
        handler(|c, a| Box::pin(find_all(c, a))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selenium_by_names_are_read_in_any_case_and_as_values() {
        assert_eq!(selenium_strategy("CSS_SELECTOR"), Some("css selector"));
        assert_eq!(selenium_strategy("css selector"), Some("css selector"));
        assert_eq!(selenium_strategy("Link_Text"), Some("link text"));
        assert_eq!(
            selenium_strategy("partial link text"),
            Some("partial link text")
        );
        assert_eq!(selenium_strategy("xpath"), Some("xpath"));
        assert_eq!(selenium_strategy("ID"), Some("id"));
        assert_eq!(selenium_strategy("css"), None);
        assert_eq!(selenium_strategy(""), None);
    }

    #[test]
    fn selenium_locators_are_built_or_refused_by_name() {
        let l = selenium_locator("WR_SaveTestObject", "object_type", "CSS_SELECTOR", "#go");
        assert_eq!(l.unwrap(), Locator::Css("#go".into()));
        let l = selenium_locator("WR_SaveTestObject", "object_type", "ID", "go");
        assert_eq!(l.unwrap(), Locator::Id("go".into()));
        let e = selenium_locator("WR_SaveTestObject", "object_type", "BY_MAGIC", "x")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("WR_SaveTestObject: `object_type` \"BY_MAGIC\""),
            "{e}"
        );
        assert!(e.contains("CSS_SELECTOR"), "{e}");
    }
}

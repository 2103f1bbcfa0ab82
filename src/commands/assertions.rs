//! Assertions: element text, title, URL and visibility. A failed assertion fails its action
//! with a message that shows what was expected and what was found.

use serde_json::Value;

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

fn check(what: &str, expected: &str, actual: &str, exact: bool) -> Result<Value, ActionError> {
    let ok = if exact {
        actual == expected
    } else {
        actual.contains(expected)
    };
    if ok {
        nothing()
    } else {
        let relation = if exact { "to be" } else { "to contain" };
        Err(ActionError::Failed(format!(
            "expected {what} {relation} {expected:?}, found {actual:?}"
        )))
    }
}

async fn assert_text(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let expected = call.str("text")?.to_string();
    let exact = call.opt_bool("exact")?.unwrap_or(false);
    let el = ctx.element(call).await?;
    let actual = el.text().await?;
    check(
        &format!("text of {}", el.locator()),
        &expected,
        actual.trim(),
        exact,
    )
}

async fn assert_title(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let expected = call.str("title")?;
    let exact = call.opt_bool("exact")?.unwrap_or(true);
    let actual = ctx.session().await?.title().await?;
    check("the title", expected, &actual, exact)
}

async fn assert_url(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let expected = call.str("url")?;
    let exact = call.opt_bool("exact")?.unwrap_or(false);
    let actual = ctx.session().await?.url().await?;
    check("the URL", expected, &actual, exact)
}

async fn assert_visible(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let el = ctx.element(call).await?;
    if el.is_visible().await? {
        nothing()
    } else if el.exists().await? {
        Err(ActionError::Failed(format!(
            "expected {} to be visible, but it is hidden",
            el.locator()
        )))
    } else {
        Err(ActionError::Failed(format!(
            "expected {} to be visible, but no element matches",
            el.locator()
        )))
    }
}

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_assert_text",
        doc(
            "assertions",
            "Checks the element's text (trimmed) contains, or with `exact` equals, the given text.",
            params![
                Param::req("text", Kind::Str, "the expected text"),
                Param::opt(
                    "exact",
                    Kind::Bool,
                    "optional, default false: require equality"
                ),
            ],
            "null",
        )
        .on_element(),
        handler(|c, a| Box::pin(assert_text(c, a))),
    );
    r.register(
        "WR_assert_title",
        doc(
            "assertions",
            "Checks the page title equals, or with `exact: false` contains, the given title.",
            params![
                Param::req("title", Kind::Str, "the expected title"),
                Param::opt("exact", Kind::Bool, "optional, default true"),
            ],
            "null",
        ),
        handler(|c, a| Box::pin(assert_title(c, a))),
    );
    r.register(
        "WR_assert_url",
        doc(
            "assertions",
            "Checks the page URL contains, or with `exact` equals, the given URL.",
            params![
                Param::req("url", Kind::Str, "the expected URL or part of it"),
                Param::opt("exact", Kind::Bool, "optional, default false"),
            ],
            "null",
        ),
        handler(|c, a| Box::pin(assert_url(c, a))),
    );
    r.register(
        "WR_assert_visible",
        doc(
            "assertions",
            "Checks the element exists and is visible.",
            &[],
            "null",
        )
        .on_element(),
        handler(|c, a| Box::pin(assert_visible(c, a))),
    );
}

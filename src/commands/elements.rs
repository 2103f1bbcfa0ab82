//! Elements: find, click, type, clear, and read text, attributes and properties.

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

async fn click(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    ctx.element(call).await?.click().await?;
    nothing()
}

async fn input(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let text = call.str("input_value")?.to_string();
    let el = ctx.element(call).await?;
    if call.opt_bool("clear")?.unwrap_or(false) {
        el.clear().await?;
    }
    el.type_text(&text).await?;
    nothing()
}

async fn clear(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    ctx.element(call).await?.clear().await?;
    nothing()
}

async fn text(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    Ok(json!(ctx.element(call).await?.text().await?))
}

async fn attribute(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let name = call.str("name")?.to_string();
    Ok(json!(ctx.element(call).await?.attribute(&name).await?))
}

async fn property(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let name = call.str("name")?.to_string();
    Ok(ctx.element(call).await?.property(&name).await?)
}

pub(super) fn register(r: &mut CommandRegistry) {
    {
        r.register(
            "WR_element_click",
            doc(
                "elements",
                "Clicks the element with real mouse events at its centre, after scrolling it into view; fails when it is invisible or covered.",
                &[],
                "null",
            )
            .on_element()
            .also(&["WR_click_element"]),
            handler(|c, a| Box::pin(click(c, a))),
        );
    }
    {
        r.register(
            "WR_element_input",
            doc(
                "elements",
                "Focuses the element and types text into it.",
                params![
                    Param::req("input_value", Kind::Str, "the text to type; Selenium `Keys` code points (U+E000–U+E05D) become key presses").aka(&["text"]),
                    Param::opt("clear", Kind::Bool, "optional, default false: empty the field first"),
                ],
                "null",
            )
            .on_element()
            .also(&["WR_input_to_element"]),
            handler(|c, a| Box::pin(input(c, a))),
        );
    }
    r.register(
        "WR_element_clear",
        doc(
            "elements",
            "Empties an input, textarea or editable element.",
            &[],
            "null",
        )
        .on_element(),
        handler(|c, a| Box::pin(clear(c, a))),
    );
    r.register(
        "WR_element_text",
        doc(
            "elements",
            "Reads the element's visible text (an input's value).",
            &[],
            "the text (string)",
        )
        .on_element(),
        handler(|c, a| Box::pin(text(c, a))),
    );
    r.register(
        "WR_element_attribute",
        doc(
            "elements",
            "Reads an attribute of the element.",
            params![Param::req("name", Kind::Str, "the attribute"),],
            "the value (string), or null when the element lacks it",
        )
        .on_element(),
        handler(|c, a| Box::pin(attribute(c, a))),
    );
    r.register(
        "WR_element_property",
        doc(
            "elements",
            "Reads a DOM property of the element (e.g. `checked`, `value`).",
            params![Param::req("name", Kind::Str, "the property"),],
            "the property's value as JSON",
        )
        .on_element(),
        handler(|c, a| Box::pin(property(c, a))),
    );
}

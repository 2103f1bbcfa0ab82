//! Reading an element: its text, HTML, attributes, properties, CSS values and state, a
//! screenshot of it, and `WR_element_assert` (the Python WebRunner's check of an element's
//! details). Reads wait for the element to be attached, not for it to be actionable.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::paths::{output_path, write_output, Target};
use super::{doc, handler};
use crate::browser::Element;
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

async fn read(ctx: &mut Context, call: &Call, what: &str) -> Result<Value, ActionError> {
    let el = ctx.element(call).await?;
    Ok(match what {
        "text" => json!(el.text().await?),
        "inner_text" => json!(el.inner_text().await?),
        "inner_html" => json!(el.inner_html().await?),
        "attribute" => json!(el.attribute(call.str("name")?).await?),
        "dom_attribute" => json!(el.dom_attribute(call.str("name")?).await?),
        "property" => el.property(call.str("name")?).await?,
        "css" => json!(el.css_value(call.str("property_name")?).await?),
        "displayed" => json!(el.is_displayed().await?),
        "enabled" => json!(el.is_enabled().await?),
        _ => json!(el.is_selected().await?),
    })
}

async fn screenshot(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let given = call.str("filename")?.to_string();
    let mut path = output_path(
        &ctx.settings,
        &call.command,
        Path::new(&given),
        Target::File,
    )?;
    if path.extension().is_none() {
        path.set_extension("png");
    }
    let png = ctx.element(call).await?.screenshot().await?;
    write_output(&call.command, &path, &png)?;
    Ok(json!(path.display().to_string()))
}

/// The details `WR_element_assert` compares: Selenium's `tag_name`, `text`, `size`,
/// `location` (and `location_once_scrolled_into_view`); any other key is read as the
/// element's attribute or property (as Selenium's `get_attribute`).
async fn detail(el: &Element, key: &str) -> Result<Value, ActionError> {
    Ok(match key {
        "tag_name" => json!(el
            .property("tagName")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase()),
        "text" => json!(el.text().await?),
        "size" | "location" | "location_once_scrolled_into_view" => {
            if key == "location_once_scrolled_into_view" {
                el.scroll_into_view().await?;
            }
            if key == "size" {
                let width = el.property("offsetWidth").await?;
                let height = el.property("offsetHeight").await?;
                json!({ "height": height, "width": width })
            } else {
                let x = el.property("offsetLeft").await?;
                let y = el.property("offsetTop").await?;
                json!({ "x": x, "y": y })
            }
        }
        other => match el.attribute(other).await? {
            Some(v) => json!(v),
            None => Value::Null,
        },
    })
}

async fn assert_element(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let expected: Map<String, Value> = match call.get("check_dict") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let el = ctx.element(call).await?;
    let mut wrong = Vec::new();
    for (key, want) in &expected {
        let got = detail(&el, key).await?;
        let same = got == *want
            || (got.is_string() && !want.is_string() && got.as_str() == Some(&want.to_string()));
        if !same {
            wrong.push(format!("{key} should be {want} but was {got}"));
        }
    }
    if wrong.is_empty() {
        Ok(Value::Null)
    } else {
        Err(ActionError::Failed(format!(
            "{}: {}",
            el.locator(),
            wrong.join("; ")
        )))
    }
}

const NAME: &[Param] = &[Param::req("name", Kind::Str, "the attribute or property")];

pub(super) fn register(r: &mut CommandRegistry) {
    type Read = (
        &'static str,
        &'static str,
        &'static str,
        &'static [Param],
        &'static str,
        &'static [&'static str],
    );
    const READS: &[Read] = &[
        ("WR_element_text", "text", "Reads the element's visible text (an input's value).", &[], "the text (string)", &[]),
        ("WR_element_inner_text", "inner_text", "Reads the element's `innerText`.", &[], "the text (string)", &[]),
        ("WR_element_inner_html", "inner_html", "Reads the element's `innerHTML`.", &[], "the HTML (string)", &[]),
        ("WR_element_get_attribute", "attribute", "Reads `name` as Selenium's `get_attribute` does: the property when the element has one of that name, else the attribute.", NAME, "the value (string), or null", &[]),
        ("WR_element_get_dom_attribute", "dom_attribute", "Reads the attribute `name` as written in the HTML.", NAME, "the value (string), or null when the element lacks it", &["WR_element_attribute"]),
        ("WR_element_get_property", "property", "Reads a DOM property of the element (e.g. `checked`, `value`).", NAME, "the property's value as JSON", &["WR_element_property"]),
        ("WR_element_value_of_css_property", "css", "Reads the computed value of a CSS property.", params![Param::req("property_name", Kind::Str, "the CSS property, e.g. `color`")], "the value (string)", &[]),
        ("WR_element_is_displayed", "displayed", "Whether the element is shown (has a box, not hidden by CSS).", &[], "true or false", &[]),
        ("WR_element_is_enabled", "enabled", "Whether the element is enabled (not disabled, nor inside a disabled fieldset).", &[], "true or false", &[]),
        ("WR_element_is_selected", "selected", "Whether a checkbox or radio is checked, or an option selected.", &[], "true or false", &[]),
    ];
    for &(name, what, summary, params, returns, aliases) in READS {
        r.register(
            name,
            doc("element reads", summary, params, returns)
                .on_element()
                .also(aliases),
            handler(move |c, a| Box::pin(read(c, a, what))),
        );
    }
    r.register(
        "WR_element_screenshot",
        doc(
            "element reads",
            "Writes a PNG of the element's box (`.png` is added when the name has no extension). A relative path is relative to the run's output folder.",
            params![Param::req("filename", Kind::Str, "the file").aka(&["file_path", "path"])],
            "the file's path",
        )
        .on_element(),
        handler(|c, a| Box::pin(screenshot(c, a))),
    );
    r.register(
        "WR_element_assert",
        doc(
            "element reads",
            "Checks the element's details against `check_dict` (the Python WebRunner's form): `tag_name`, `text`, `size` (`{height, width}`), `location` (`{x, y}`), or any attribute name; fails listing every mismatch.",
            params![Param::req("check_dict", Kind::Object, "the expected values by detail name")],
            "null",
        )
        .on_element()
        .also(&["WR_element_check_current_web_element"]),
        handler(|c, a| Box::pin(assert_element(c, a))),
    );
}

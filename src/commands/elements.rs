//! Element actions: click, type, clear, submit, hover, check, select and upload. Each waits
//! until its element is actionable (attached, visible, stable, enabled where it matters,
//! not covered) up to the action time-out, and names the check that failed when it is not.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::browser::{Element, Locator};
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

/// Runs `act` on the call's element: the small actions that take nothing but the element.
async fn on_element(ctx: &mut Context, call: &Call, act: &str) -> Result<Value, ActionError> {
    let el = ctx.element(call).await?;
    match act {
        "clear" => el.clear().await?,
        "submit" => el.submit().await?,
        "hover" => el.hover().await?,
        "check" => el.check().await?,
        "uncheck" => el.uncheck().await?,
        "double_click" => el.double_click().await?,
        "right_click" => el.right_click().await?,
        "focus" => el.focus().await?,
        _ => el.scroll_into_view().await?,
    }
    nothing()
}

async fn select(ctx: &mut Context, call: &Call, by: &str) -> Result<Value, ActionError> {
    let el = ctx.element(call).await?;
    match by {
        "text" => el.select_by_text(call.str("text")?).await?,
        "value" => el.select_by_value(call.str("value")?).await?,
        _ => {
            let index = call.opt_u32("index")?.unwrap_or(0);
            el.select_by_index(index as usize).await?
        }
    }
    nothing()
}

/// The file input of `WR_upload_file`: a CSS selector, as the Python WebRunner takes it.
fn upload_target(ctx: &mut Context, call: &Call) -> Result<Option<Element>, ActionError> {
    let Some(selector) = call.opt_str("input_selector")? else {
        return Ok(None);
    };
    let session = ctx.open_session().cloned();
    Ok(session.map(|s| {
        Element::new(s, Locator::Css(selector.to_string()))
            .with_timeout(ctx.settings.action_timeout)
    }))
}

async fn upload(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let files = call.strings("file_path");
    let mut paths: Vec<PathBuf> = Vec::new();
    for f in &files {
        paths.push(super::paths::input_path(
            &ctx.settings,
            &call.command,
            f.as_ref(),
        )?);
    }
    ctx.session().await?;
    let el = match upload_target(ctx, call)? {
        Some(el) => el,
        None => ctx.element(call).await?,
    };
    el.set_files(&paths).await?;
    Ok(json!(paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()))
}

const TEXT: &[Param] = &[Param::req("text", Kind::Str, "the option's visible text")];

pub(super) fn register(r: &mut CommandRegistry) {
    r.register(
        "WR_element_click",
        doc(
            "elements",
            "Clicks the element with real mouse events at its centre, once it is attached, visible, stable, enabled and not covered; waits for a page the click opens.",
            &[],
            "null",
        )
        .on_element()
        .also(&["WR_click_element"]),
        handler(|c, a| Box::pin(click(c, a))),
    );
    r.register(
        "WR_element_input",
        doc(
            "elements",
            "Types into a text field with real key events (keydown, keypress, input, keyup per character), once it is editable. Selenium `Keys` code points (U+E000–U+E05D: Enter `\\ue007`, Tab, arrows, Backspace, Control `\\ue009`, Shift, …) are key presses; a modifier stays held until `\\ue000` or the end of the text. A select, file input or checkbox fails naming the command to use.",
            params![
                Param::req("input_value", Kind::Str, "the text to type").aka(&["text"]),
                Param::opt("clear", Kind::Bool, "optional, default false: empty the field first"),
            ],
            "null",
        )
        .on_element()
        .also(&["WR_input_to_element"]),
        handler(|c, a| Box::pin(input(c, a))),
    );
    type Simple = (
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
    );
    const SIMPLE: &[Simple] = &[
        ("WR_element_clear", "clear", "Empties a text field (firing input and change), once it is editable.", &[]),
        ("WR_element_submit", "submit", "Submits the element's form (the element itself when it is a form), as a submit button would.", &[]),
        ("WR_element_hover", "hover", "Moves the mouse over the element's centre, once it is visible, stable and not covered (CSS :hover and mouseover fire).", &["WR_hover"]),
        ("WR_element_check", "check", "Ticks a checkbox or selects a radio button by clicking it; nothing happens when it already is.", &[]),
        ("WR_element_uncheck", "uncheck", "Unticks a checkbox by clicking it; nothing happens when it is not ticked.", &[]),
        ("WR_element_double_click", "double_click", "Double-clicks the element with real mouse events.", &[]),
        ("WR_element_right_click", "right_click", "Right-clicks the element with real mouse events (contextmenu fires).", &[]),
        ("WR_element_focus", "focus", "Focuses the element.", &[]),
        ("WR_element_scroll_into_view", "scroll", "Scrolls the element into view.", &[]),
    ];
    for &(name, act, summary, aliases) in SIMPLE {
        r.register(
            name,
            doc("elements", summary, &[], "null")
                .on_element()
                .also(aliases),
            handler(move |c, a| Box::pin(on_element(c, a, act))),
        );
    }
    r.register(
        "WR_element_select_by_visible_text",
        doc(
            "elements",
            "Selects the `<select>` option whose visible text is `text` (input and change fire); a missing option fails listing the ones there are.",
            TEXT,
            "null",
        )
        .on_element(),
        handler(|c, a| Box::pin(select(c, a, "text"))),
    );
    r.register(
        "WR_element_select_by_value",
        doc(
            "elements",
            "Selects the `<select>` option whose value is `value`.",
            params![Param::req("value", Kind::Str, "the option's value")],
            "null",
        )
        .on_element(),
        handler(|c, a| Box::pin(select(c, a, "value"))),
    );
    r.register(
        "WR_element_select_by_index",
        doc(
            "elements",
            "Selects the `<select>` option at `index` (0-based).",
            params![Param::req(
                "index",
                Kind::Count,
                "the option's position, from 0"
            )],
            "null",
        )
        .on_element(),
        handler(|c, a| Box::pin(select(c, a, "index"))),
    );
    r.register(
        "WR_upload_file",
        doc(
            "elements",
            "Chooses files in a file input (the page sees them as if picked by a person). A relative path is looked up beside the flow file, then in the output folder; an untrusted flow (`--no-scripts`) may only upload from those two folders.",
            params![
                Param::opt("input_selector", Kind::Str, "CSS selector of the file input (or give a locator, or use the current element)"),
                Param::req("file_path", Kind::Strings, "the file, or a list of files"),
            ],
            "the files' resolved paths",
        )
        .on_element(),
        handler(|c, a| Box::pin(upload(c, a))),
    );
}

//! Action chains, as Selenium's `ActionChains`: `WR_move_to_element`, `WR_left_click`,
//! `WR_drag_and_drop`, `WR_send_keys`, … queue steps; `WR_perform` runs them in order with
//! real mouse and keyboard events (the queue then empties); `WR_reset_actions` drops them.
//! An element in a step is a saved test object's name (`element_name`), as in the Python
//! WebRunner; it is looked up when the chain runs, and waits to be visible and stable.

use std::time::Duration;

use serde_json::{json, Value};

use super::{doc, handler, nothing};
use crate::browser::{Input, Locator, MouseButton, Session};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

/// One queued step.
#[derive(Debug, Clone)]
enum Step {
    /// Move to an element's centre plus an offset.
    MoveTo(Locator, f64, f64),
    /// Move by an offset from where the mouse is.
    MoveBy(f64, f64),
    /// Press and release a button `count` times (at an element first, when given).
    Click(Option<Locator>, MouseButton, u32),
    /// Press a button and keep it down.
    Down(Option<Locator>, MouseButton),
    /// Release a button.
    Up(Option<Locator>, MouseButton),
    /// Press a key and keep it down (clicking an element first, when given).
    KeyDown(Option<Locator>, String),
    /// Release a key.
    KeyUp(Option<Locator>, String),
    /// Type text with Selenium's key code points (clicking an element first, when given).
    Keys(Option<Locator>, String),
    /// Wait.
    Pause(Duration),
    /// Turn the mouse wheel.
    Scroll(f64, f64),
}

/// The queued steps of the flow's chain (kept in the [`Context`]).
#[derive(Debug, Default)]
pub(crate) struct Chain(Vec<Step>);

fn queue(ctx: &mut Context, step: Step) -> Result<Value, ActionError> {
    ctx.chain.0.push(step);
    Ok(json!({ "queued": ctx.chain.0.len() }))
}

/// The test object a step names in parameter `param`, if given.
fn object(ctx: &Context, call: &Call, param: &str) -> Result<Option<Locator>, ActionError> {
    let name = match param {
        "element_name" => match ctx.locator(call)? {
            Some(l) => return Ok(Some(l)),
            None => return Ok(None),
        },
        other => call.opt_str(other)?,
    };
    name.map(|n| ctx.test_object(&call.command, n)).transpose()
}

fn offset(call: &Call) -> Result<(f64, f64), ActionError> {
    Ok((call.f64("offset_x")?, call.f64("offset_y")?))
}

async fn add(ctx: &mut Context, call: &Call, kind: &str) -> Result<Value, ActionError> {
    let target = object(ctx, call, "element_name")?;
    let need = |t: Option<Locator>| {
        t.ok_or_else(|| {
            ActionError::BadArgument(format!(
                "{}: give `element_name` (a test object saved with WR_SaveTestObject) or a locator",
                call.command
            ))
        })
    };
    let step = match kind {
        "move_to" => Step::MoveTo(need(target)?, 0.0, 0.0),
        "move_to_offset" => {
            let (x, y) = offset(call)?;
            Step::MoveTo(need(target)?, x, y)
        }
        "move_by" => {
            let (x, y) = offset(call)?;
            Step::MoveBy(x, y)
        }
        "click" => Step::Click(target, MouseButton::Left, 1),
        "double_click" => Step::Click(target, MouseButton::Left, 2),
        "right_click" => Step::Click(target, MouseButton::Right, 1),
        "hold" => Step::Down(target, MouseButton::Left),
        "release" => Step::Up(target, MouseButton::Left),
        "drag" => {
            let to = object(ctx, call, "target_element_name")?.ok_or_else(|| {
                ActionError::BadArgument(format!("{}: give `target_element_name`", call.command))
            })?;
            let from = need(target)?;
            queue(ctx, Step::Down(Some(from), MouseButton::Left))?;
            queue(ctx, Step::MoveTo(to, 0.0, 0.0))?;
            Step::Up(None, MouseButton::Left)
        }
        "drag_offset" => {
            let (x, y) = offset(call)?;
            queue(ctx, Step::Down(Some(need(target)?), MouseButton::Left))?;
            queue(ctx, Step::MoveBy(x, y))?;
            Step::Up(None, MouseButton::Left)
        }
        "keys" => Step::Keys(target, call.str("keys_to_send")?.to_string()),
        "key_down" => Step::KeyDown(target, call.str("keycode_on_key_class")?.to_string()),
        "key_up" => Step::KeyUp(target, call.str("keycode_on_key_class")?.to_string()),
        "pause" => Step::Pause(call.seconds("seconds")?),
        _ => Step::Scroll(call.f64("scroll_x")?, call.f64("scroll_y")?),
    };
    queue(ctx, step)
}

/// The top-page point at the centre of `locator`'s element (plus `dx`, `dy`), once it is
/// visible and stable.
async fn point(
    ctx: &Context,
    session: &Session,
    locator: &Locator,
) -> Result<(f64, f64), ActionError> {
    let el = crate::browser::Element::new(session.clone(), locator.clone())
        .with_timeout(ctx.settings.action_timeout);
    Ok(el.center().await?)
}

async fn run_step(
    ctx: &Context,
    session: &Session,
    input: &Input,
    step: &Step,
) -> Result<(), ActionError> {
    let at = |l: &Option<Locator>| l.clone();
    match step {
        Step::MoveTo(l, dx, dy) => {
            let (x, y) = point(ctx, session, l).await?;
            input.mouse_move(x + dx, y + dy).await?;
        }
        Step::MoveBy(dx, dy) => {
            let s = input.state();
            input.mouse_move(s.x + dx, s.y + dy).await?;
        }
        Step::Click(l, button, count) => {
            let (x, y) = match at(l) {
                Some(l) => point(ctx, session, &l).await?,
                None => (input.state().x, input.state().y),
            };
            input.mouse_click(x, y, *button, *count).await?;
        }
        Step::Down(l, button) | Step::Up(l, button) => {
            if let Some(l) = at(l) {
                let (x, y) = point(ctx, session, &l).await?;
                input.mouse_move(x, y).await?;
            }
            if matches!(step, Step::Down(..)) {
                input.mouse_down(*button).await?;
            } else {
                input.mouse_up(*button).await?;
            }
        }
        Step::KeyDown(l, key) | Step::KeyUp(l, key) | Step::Keys(l, key) => {
            if let Some(l) = at(l) {
                let (x, y) = point(ctx, session, &l).await?;
                input.mouse_click(x, y, MouseButton::Left, 1).await?;
            }
            match step {
                Step::KeyDown(..) => input.key_down(key).await?,
                Step::KeyUp(..) => input.key_up(key).await?,
                _ => input.send_keys(key).await?,
            }
        }
        Step::Pause(d) => ctx.clock.sleep(*d).await,
        Step::Scroll(dx, dy) => input.mouse_wheel(*dx, *dy).await?,
    }
    Ok(())
}

async fn perform(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    let chain = std::mem::take(&mut ctx.chain);
    let session = ctx.session().await?;
    let input = Input::new(&session);
    for (i, step) in chain.0.iter().enumerate() {
        run_step(ctx, &session, &input, step).await.map_err(|e| {
            ActionError::Failed(format!("step {} of the chain ({step:?}): {e}", i + 1))
        })?;
    }
    Ok(json!({ "performed": chain.0.len() }))
}

async fn reset(ctx: &mut Context, _call: &Call) -> Result<Value, ActionError> {
    ctx.chain = Chain::default();
    nothing()
}

const ELEMENT: Param = Param::opt(
    "element_name",
    Kind::Str,
    "optional: a saved test object (or give a locator); without one, where the mouse is",
);
const OFFSET: [Param; 2] = [
    Param::req("offset_x", Kind::Number, "CSS pixels to the right"),
    Param::req("offset_y", Kind::Number, "CSS pixels down"),
];
const KEY: Param = Param::req(
    "keycode_on_key_class",
    Kind::Str,
    "a key: Selenium's `Keys` name (`CONTROL`, `SHIFT`, `ENTER`, …) or code point, or a character",
);

pub(super) fn register(r: &mut CommandRegistry) {
    type Entry = (&'static str, &'static str, &'static str, &'static [Param]);
    const STEPS: &[Entry] = &[
        ("WR_move_to_element", "move_to", "Queues a mouse move to the element's centre.", &[ELEMENT]),
        ("WR_move_to_element_with_offset", "move_to_offset", "Queues a mouse move to the element's centre plus an offset.", &[ELEMENT, OFFSET[0], OFFSET[1]]),
        ("WR_move_by_offset", "move_by", "Queues a mouse move by an offset from where the mouse is.", &OFFSET),
        ("WR_left_click", "click", "Queues a left click (on the element's centre when given).", &[ELEMENT]),
        ("WR_left_double_click", "double_click", "Queues a double click (on the element's centre when given).", &[ELEMENT]),
        ("WR_right_click", "right_click", "Queues a right click (on the element's centre when given).", &[ELEMENT]),
        ("WR_left_click_and_hold", "hold", "Queues pressing the left button (on the element's centre when given) and keeping it down.", &[ELEMENT]),
        ("WR_release", "release", "Queues releasing the left button (over the element when given).", &[ELEMENT]),
        ("WR_drag_and_drop", "drag", "Queues a drag from one element to another with real mouse events (press, move, release).", params![
            Param::req("element_name", Kind::Str, "the element to drag: a saved test object"),
            Param::req("target_element_name", Kind::Str, "where to drop it: a saved test object"),
        ]),
        ("WR_drag_and_drop_offset", "drag_offset", "Queues a drag of the element by an offset.", params![
            Param::req("element_name", Kind::Str, "the element to drag: a saved test object"),
            OFFSET[0],
            OFFSET[1],
        ]),
        ("WR_send_keys", "keys", "Queues typing into the focused element; Selenium `Keys` code points are key presses and a modifier stays held until `\\ue000` or the end of the text.", params![
            Param::req("keys_to_send", Kind::Str, "the text and keys"),
        ]),
        ("WR_send_keys_to_element", "keys", "Queues a click on the element, then typing into it.", params![
            Param::req("element_name", Kind::Str, "the element: a saved test object"),
            Param::req("keys_to_send", Kind::Str, "the text and keys"),
        ]),
        ("WR_press_key", "key_down", "Queues pressing a key and keeping it down (after clicking the element, when given).", &[KEY, ELEMENT]),
        ("WR_release_key", "key_up", "Queues releasing a key.", &[KEY, ELEMENT]),
        ("WR_pause", "pause", "Queues a pause.", params![Param::req("seconds", Kind::Seconds, "how long")]),
        ("WR_scroll", "scroll", "Queues turning the mouse wheel where the mouse is.", params![
            Param::req("scroll_x", Kind::Number, "CSS pixels to the right"),
            Param::req("scroll_y", Kind::Number, "CSS pixels down"),
        ]),
    ];
    for &(name, kind, summary, params) in STEPS {
        r.register(
            name,
            doc(
                "action chains",
                summary,
                params,
                "`{queued}`: how many steps wait for WR_perform",
            )
            .on_element(),
            handler(move |c, a| Box::pin(add(c, a, kind))),
        );
    }
    r.register(
        "WR_perform",
        doc(
            "action chains",
            "Runs the queued steps in order with real input events, then empties the queue. A step that fails names its place in the chain.",
            &[],
            "`{performed}`: how many steps ran",
        ),
        handler(|c, a| Box::pin(perform(c, a))),
    );
    r.register(
        "WR_reset_actions",
        doc("action chains", "Drops the queued steps.", &[], "null"),
        handler(|c, a| Box::pin(reset(c, a))),
    );
}

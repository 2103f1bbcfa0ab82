//! Mouse and keyboard primitives of a tab, for action chains and element actions: real
//! input events through CDP's `Input.dispatchMouseEvent` / `Input.dispatchKeyEvent`. The
//! mouse position, the pressed buttons and the held modifiers are remembered per tab, so
//! every [`Input`] of the same tab (and every element click) sees the same state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Value};

use super::keys::{self, KeyDef};
use super::{BrowserError, Session};

/// A mouse button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseButton {
    /// The main button.
    Left,
    /// The wheel button.
    Middle,
    /// The context-menu button.
    Right,
    /// The "back" side button.
    Back,
    /// The "forward" side button.
    Forward,
}

impl MouseButton {
    /// Parses `left`, `middle`, `right`, `back`, `forward` (any case) or Selenium's numbers
    /// 0–4.
    pub fn parse(name: &str) -> Result<MouseButton, BrowserError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "left" | "0" => Ok(MouseButton::Left),
            "middle" | "1" => Ok(MouseButton::Middle),
            "right" | "2" => Ok(MouseButton::Right),
            "back" | "3" => Ok(MouseButton::Back),
            "forward" | "4" => Ok(MouseButton::Forward),
            other => Err(BrowserError::Invalid(format!(
                "unknown mouse button {other:?}; use left, middle, right, back or forward"
            ))),
        }
    }

    fn cdp_name(self) -> &'static str {
        match self {
            MouseButton::Left => "left",
            MouseButton::Middle => "middle",
            MouseButton::Right => "right",
            MouseButton::Back => "back",
            MouseButton::Forward => "forward",
        }
    }

    fn bit(self) -> u32 {
        match self {
            MouseButton::Left => 1,
            MouseButton::Right => 2,
            MouseButton::Middle => 4,
            MouseButton::Back => 8,
            MouseButton::Forward => 16,
        }
    }
}

/// What a tab's input devices are doing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct InputState {
    /// The mouse position (viewport CSS pixels).
    pub x: f64,
    /// The mouse position (viewport CSS pixels).
    pub y: f64,
    /// The pressed mouse buttons (CDP's `buttons` bitmask).
    pub buttons: u32,
    /// The held modifiers (CDP's `modifiers` bitmask: Alt 1, Control 2, Meta 4, Shift 8).
    pub modifiers: u32,
}

type Shared = Arc<Mutex<InputState>>;

/// The state of every tab, by target id (a few bytes per tab ever opened).
fn state_of(session: &Session) -> Shared {
    static STATES: OnceLock<Mutex<HashMap<String, Shared>>> = OnceLock::new();
    let id = session.page().target_id().inner().clone();
    let mut map = STATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(id).or_default().clone()
}

/// The mouse and keyboard of one tab.
#[derive(Debug, Clone)]
pub struct Input {
    session: Session,
    state: Shared,
}

impl Input {
    /// The input devices of `session`'s tab (state shared with every other `Input` of it).
    pub fn new(session: &Session) -> Input {
        Input {
            session: session.clone(),
            state: state_of(session),
        }
    }

    /// The current mouse position, buttons and modifiers.
    pub fn state(&self) -> InputState {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut InputState)) {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()));
    }

    async fn mouse(
        &self,
        kind: &str,
        x: f64,
        y: f64,
        button: &str,
        buttons: u32,
        count: u32,
    ) -> Result<(), BrowserError> {
        let modifiers = self.state().modifiers;
        self.session
            .cdp(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": button, "buttons": buttons,
                        "clickCount": count, "modifiers": modifiers }),
            )
            .await?;
        Ok(())
    }

    /// Moves the mouse to the viewport point (`x`, `y`).
    pub async fn mouse_move(&self, x: f64, y: f64) -> Result<(), BrowserError> {
        let buttons = self.state().buttons;
        let button = if buttons & 1 != 0 { "left" } else { "none" };
        self.mouse("mouseMoved", x, y, button, buttons, 0).await?;
        self.update(|s| {
            s.x = x;
            s.y = y;
        });
        Ok(())
    }

    /// Presses `button` where the mouse is.
    pub async fn mouse_down(&self, button: MouseButton) -> Result<(), BrowserError> {
        self.press(button, 1).await
    }

    /// Releases `button` where the mouse is.
    pub async fn mouse_up(&self, button: MouseButton) -> Result<(), BrowserError> {
        self.release(button, 1).await
    }

    async fn press(&self, button: MouseButton, count: u32) -> Result<(), BrowserError> {
        let s = self.state();
        let buttons = s.buttons | button.bit();
        self.mouse("mousePressed", s.x, s.y, button.cdp_name(), buttons, count)
            .await?;
        self.update(|s| s.buttons = buttons);
        Ok(())
    }

    async fn release(&self, button: MouseButton, count: u32) -> Result<(), BrowserError> {
        let s = self.state();
        let buttons = s.buttons & !button.bit();
        self.mouse("mouseReleased", s.x, s.y, button.cdp_name(), buttons, count)
            .await?;
        self.update(|s| s.buttons = buttons);
        Ok(())
    }

    /// Moves to (`x`, `y`) and clicks `button` `count` times (2 for a double click: the
    /// page sees two clicks and a `dblclick`).
    pub async fn mouse_click(
        &self,
        x: f64,
        y: f64,
        button: MouseButton,
        count: u32,
    ) -> Result<(), BrowserError> {
        // The page saw the mouse arrive when it was moved here; moving again is no news.
        let s = self.state();
        if (s.x, s.y) != (x, y) || s.buttons != 0 {
            self.mouse_move(x, y).await?;
        }
        for n in 1..=count.max(1) {
            self.press(button, n).await?;
            self.release(button, n).await?;
        }
        Ok(())
    }

    /// Turns the mouse wheel by (`dx`, `dy`) pixels where the mouse is.
    pub async fn mouse_wheel(&self, dx: f64, dy: f64) -> Result<(), BrowserError> {
        let s = self.state();
        self.session
            .cdp(
                "Input.dispatchMouseEvent",
                json!({ "type": "mouseWheel", "x": s.x, "y": s.y, "deltaX": dx, "deltaY": dy,
                        "modifiers": s.modifiers }),
            )
            .await?;
        Ok(())
    }

    /// Presses a key named as Selenium's `Keys` names it (`CONTROL`, `ENTER`), as a DOM key
    /// name, as a WebDriver code point or as one character. A modifier stays held (and
    /// modifies later events) until [`Input::key_up`].
    pub async fn key_down(&self, key: &str) -> Result<(), BrowserError> {
        let def = named(key)?;
        let modifiers = self.state().modifiers | def.modifier;
        key_event(&self.session, &def, true, modifiers).await?;
        self.update(|s| s.modifiers = modifiers);
        Ok(())
    }

    /// Releases a key pressed by [`Input::key_down`].
    pub async fn key_up(&self, key: &str) -> Result<(), BrowserError> {
        let def = named(key)?;
        let modifiers = self.state().modifiers & !def.modifier;
        key_event(&self.session, &def, false, modifiers).await?;
        self.update(|s| s.modifiers = modifiers);
        Ok(())
    }

    /// Types `text` into the focused element: a key press per character, WebDriver key code
    /// points (U+E000–U+E05D) as those keys. A modifier in the text stays held until U+E000
    /// (NULL) or the end of the text; modifiers held by [`Input::key_down`] stay held.
    pub async fn send_keys(&self, text: &str) -> Result<(), BrowserError> {
        let before = self.state().modifiers;
        let mut held = before;
        let result = type_keys(&self.session, text, &mut held).await;
        let released = release(&self.session, held & !before, held).await;
        self.update(|s| s.modifiers = held & before);
        result.and(released)
    }
}

fn named(key: &str) -> Result<KeyDef, BrowserError> {
    keys::key_by_name(key).ok_or_else(|| {
        BrowserError::Invalid(format!(
            "unknown key {key:?}; use a Selenium Keys name such as ENTER, CONTROL or ARROW_DOWN, or one character"
        ))
    })
}

/// Sends one key event. A key with text and no Control/Alt/Meta held inserts it
/// (`keyDown`: keydown, keypress, input); other keys are `rawKeyDown`.
async fn key_event(
    session: &Session,
    def: &KeyDef,
    down: bool,
    modifiers: u32,
) -> Result<Value, BrowserError> {
    let chord = modifiers & (keys::CONTROL | keys::ALT | keys::META) != 0;
    let mut text = def.text.clone();
    let mut key = def.key.clone();
    if modifiers & keys::SHIFT != 0 && key.chars().count() == 1 {
        key = key.to_uppercase();
        text = text.map(|t| t.to_uppercase());
    }
    let kind = match (down, text.is_some() && !chord) {
        (false, _) => "keyUp",
        (true, true) => "keyDown",
        (true, false) => "rawKeyDown",
    };
    let mut params = json!({
        "type": kind, "key": key, "code": def.code, "windowsVirtualKeyCode": def.vk,
        "nativeVirtualKeyCode": def.vk, "location": def.location, "modifiers": modifiers,
    });
    if down && !chord {
        if let Some(t) = &text {
            params["text"] = json!(t);
            params["unmodifiedText"] = json!(t);
        }
    }
    if down && def.location == 3 {
        params["isKeypad"] = json!(true);
    }
    if down && modifiers & (keys::CONTROL | keys::META) != 0 && def.vk == 65 {
        params["commands"] = json!(["selectAll"]);
    }
    session.cdp("Input.dispatchKeyEvent", params).await
}

/// Types `text` as key presses; `held` is the modifier state before and after.
pub(super) async fn type_keys(
    session: &Session,
    text: &str,
    held: &mut u32,
) -> Result<(), BrowserError> {
    for c in text.chars() {
        if c == keys::NULL {
            release(session, *held, *held).await?;
            *held = 0;
            continue;
        }
        let def = keys::key_for_char(c).ok_or_else(|| {
            BrowserError::Invalid(format!(
                "the text holds U+{:04X}, which is no WebDriver key",
                c as u32
            ))
        })?;
        if def.modifier != 0 {
            let now = *held ^ def.modifier;
            key_event(session, &def, *held & def.modifier == 0, now).await?;
            *held = now;
            continue;
        }
        key_event(session, &def, true, *held).await?;
        key_event(session, &def, false, *held).await?;
    }
    Ok(())
}

/// Releases the modifiers in `which` (of `held`).
pub(super) async fn release(session: &Session, which: u32, held: u32) -> Result<(), BrowserError> {
    let mut now = held;
    for (bit, name) in [
        (keys::SHIFT, "SHIFT"),
        (keys::CONTROL, "CONTROL"),
        (keys::ALT, "ALT"),
        (keys::META, "META"),
    ] {
        if which & bit != 0 {
            now &= !bit;
            if let Some(def) = keys::key_by_name(name) {
                key_event(session, &def, false, now).await?;
            }
        }
    }
    Ok(())
}

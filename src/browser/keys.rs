//! Keys: what a character of typed text means as a key event (`key`, `code`, Windows virtual
//! key code, the text it inserts, its location, the modifier it is).
//!
//! The code points U+E000–U+E05D are Selenium's `Keys` and come from the W3C WebDriver
//! specification's table of "normalised key values" (section "Keyboard actions",
//! <https://www.w3.org/TR/webdriver2/#keyboard-actions>): U+E000 is NULL (release every
//! modifier), U+E007 Enter, U+E009 Control and so on. Selenium's names for them (`ENTER`,
//! `ARROW_DOWN`, …) are accepted by [`key_by_name`]. Other characters are typed as
//! themselves with the code of a US keyboard.

/// The modifier bit of Alt in CDP's `modifiers`.
pub const ALT: u32 = 1;
/// The modifier bit of Control.
pub const CONTROL: u32 = 2;
/// The modifier bit of Meta (Command).
pub const META: u32 = 4;
/// The modifier bit of Shift.
pub const SHIFT: u32 = 8;

/// Selenium's NULL key: releases every held modifier.
pub const NULL: char = '\u{e000}';

/// One key as CDP's `Input.dispatchKeyEvent` wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDef {
    /// The DOM `key` value, e.g. `Enter`, `a`.
    pub key: String,
    /// The DOM `code` value, e.g. `Enter`, `KeyA`.
    pub code: String,
    /// The Windows virtual key code, e.g. 13.
    pub vk: u32,
    /// What the key inserts (None for keys that insert nothing).
    pub text: Option<String>,
    /// 0 standard, 1 left, 2 right, 3 numpad.
    pub location: u32,
    /// Its modifier bit when it is a modifier key, else 0.
    pub modifier: u32,
}

/// (code point, key, code, virtual key code, text, location, Selenium names).
type Row = (
    u32,
    &'static str,
    &'static str,
    u32,
    &'static str,
    u32,
    &'static [&'static str],
);

/// The W3C WebDriver key table (U+E000–U+E05D) with Selenium's names.
const TABLE: &[Row] = &[
    (0xE000, "Unidentified", "", 0, "", 0, &["NULL"]),
    (0xE001, "Cancel", "", 3, "", 0, &["CANCEL"]),
    (0xE002, "Help", "Help", 47, "", 0, &["HELP"]),
    (
        0xE003,
        "Backspace",
        "Backspace",
        8,
        "",
        0,
        &["BACKSPACE", "BACK_SPACE"],
    ),
    (0xE004, "Tab", "Tab", 9, "", 0, &["TAB"]),
    (0xE005, "Clear", "", 12, "", 0, &["CLEAR"]),
    (0xE006, "Enter", "Enter", 13, "\r", 0, &["RETURN"]),
    (0xE007, "Enter", "NumpadEnter", 13, "\r", 3, &["ENTER"]),
    (
        0xE008,
        "Shift",
        "ShiftLeft",
        16,
        "",
        1,
        &["SHIFT", "LEFT_SHIFT"],
    ),
    (
        0xE009,
        "Control",
        "ControlLeft",
        17,
        "",
        1,
        &["CONTROL", "LEFT_CONTROL", "CTRL"],
    ),
    (0xE00A, "Alt", "AltLeft", 18, "", 1, &["ALT", "LEFT_ALT"]),
    (0xE00B, "Pause", "Pause", 19, "", 0, &["PAUSE"]),
    (0xE00C, "Escape", "Escape", 27, "", 0, &["ESCAPE", "ESC"]),
    (0xE00D, " ", "Space", 32, " ", 0, &["SPACE"]),
    (0xE00E, "PageUp", "PageUp", 33, "", 0, &["PAGE_UP"]),
    (0xE00F, "PageDown", "PageDown", 34, "", 0, &["PAGE_DOWN"]),
    (0xE010, "End", "End", 35, "", 0, &["END"]),
    (0xE011, "Home", "Home", 36, "", 0, &["HOME"]),
    (
        0xE012,
        "ArrowLeft",
        "ArrowLeft",
        37,
        "",
        0,
        &["ARROW_LEFT", "LEFT"],
    ),
    (0xE013, "ArrowUp", "ArrowUp", 38, "", 0, &["ARROW_UP", "UP"]),
    (
        0xE014,
        "ArrowRight",
        "ArrowRight",
        39,
        "",
        0,
        &["ARROW_RIGHT", "RIGHT"],
    ),
    (
        0xE015,
        "ArrowDown",
        "ArrowDown",
        40,
        "",
        0,
        &["ARROW_DOWN", "DOWN"],
    ),
    (0xE016, "Insert", "Insert", 45, "", 0, &["INSERT"]),
    (0xE017, "Delete", "Delete", 46, "", 0, &["DELETE"]),
    (0xE018, ";", "Semicolon", 186, ";", 0, &["SEMICOLON"]),
    (0xE019, "=", "Equal", 187, "=", 0, &["EQUALS"]),
    (0xE01A, "0", "Numpad0", 96, "0", 3, &["NUMPAD0"]),
    (0xE01B, "1", "Numpad1", 97, "1", 3, &["NUMPAD1"]),
    (0xE01C, "2", "Numpad2", 98, "2", 3, &["NUMPAD2"]),
    (0xE01D, "3", "Numpad3", 99, "3", 3, &["NUMPAD3"]),
    (0xE01E, "4", "Numpad4", 100, "4", 3, &["NUMPAD4"]),
    (0xE01F, "5", "Numpad5", 101, "5", 3, &["NUMPAD5"]),
    (0xE020, "6", "Numpad6", 102, "6", 3, &["NUMPAD6"]),
    (0xE021, "7", "Numpad7", 103, "7", 3, &["NUMPAD7"]),
    (0xE022, "8", "Numpad8", 104, "8", 3, &["NUMPAD8"]),
    (0xE023, "9", "Numpad9", 105, "9", 3, &["NUMPAD9"]),
    (0xE024, "*", "NumpadMultiply", 106, "*", 3, &["MULTIPLY"]),
    (0xE025, "+", "NumpadAdd", 107, "+", 3, &["ADD"]),
    (0xE026, ",", "NumpadComma", 108, ",", 3, &["SEPARATOR"]),
    (0xE027, "-", "NumpadSubtract", 109, "-", 3, &["SUBTRACT"]),
    (0xE028, ".", "NumpadDecimal", 110, ".", 3, &["DECIMAL"]),
    (0xE029, "/", "NumpadDivide", 111, "/", 3, &["DIVIDE"]),
    (0xE031, "F1", "F1", 112, "", 0, &["F1"]),
    (0xE032, "F2", "F2", 113, "", 0, &["F2"]),
    (0xE033, "F3", "F3", 114, "", 0, &["F3"]),
    (0xE034, "F4", "F4", 115, "", 0, &["F4"]),
    (0xE035, "F5", "F5", 116, "", 0, &["F5"]),
    (0xE036, "F6", "F6", 117, "", 0, &["F6"]),
    (0xE037, "F7", "F7", 118, "", 0, &["F7"]),
    (0xE038, "F8", "F8", 119, "", 0, &["F8"]),
    (0xE039, "F9", "F9", 120, "", 0, &["F9"]),
    (0xE03A, "F10", "F10", 121, "", 0, &["F10"]),
    (0xE03B, "F11", "F11", 122, "", 0, &["F11"]),
    (0xE03C, "F12", "F12", 123, "", 0, &["F12"]),
    (
        0xE03D,
        "Meta",
        "MetaLeft",
        91,
        "",
        1,
        &["META", "COMMAND", "LEFT_META"],
    ),
    (
        0xE040,
        "ZenkakuHankaku",
        "",
        244,
        "",
        0,
        &["ZENKAKU_HANKAKU"],
    ),
    (0xE050, "Shift", "ShiftRight", 16, "", 2, &["RIGHT_SHIFT"]),
    (
        0xE051,
        "Control",
        "ControlRight",
        17,
        "",
        2,
        &["RIGHT_CONTROL"],
    ),
    (0xE052, "Alt", "AltRight", 18, "", 2, &["RIGHT_ALT"]),
    (0xE053, "Meta", "MetaRight", 92, "", 2, &["RIGHT_META"]),
    (0xE054, "PageUp", "Numpad9", 33, "", 3, &[]),
    (0xE055, "PageDown", "Numpad3", 34, "", 3, &[]),
    (0xE056, "End", "Numpad1", 35, "", 3, &[]),
    (0xE057, "Home", "Numpad7", 36, "", 3, &[]),
    (0xE058, "ArrowLeft", "Numpad4", 37, "", 3, &[]),
    (0xE059, "ArrowUp", "Numpad8", 38, "", 3, &[]),
    (0xE05A, "ArrowRight", "Numpad6", 39, "", 3, &[]),
    (0xE05B, "ArrowDown", "Numpad2", 40, "", 3, &[]),
    (0xE05C, "Insert", "Numpad0", 45, "", 3, &[]),
    (0xE05D, "Delete", "NumpadDecimal", 46, "", 3, &[]),
];

/// US-keyboard codes of the punctuation keys: (unshifted, shifted, code, virtual key code).
const PUNCTUATION: &[(char, char, &str, u32)] = &[
    ('`', '~', "Backquote", 192),
    ('-', '_', "Minus", 189),
    ('=', '+', "Equal", 187),
    ('[', '{', "BracketLeft", 219),
    (']', '}', "BracketRight", 221),
    ('\\', '|', "Backslash", 220),
    (';', ':', "Semicolon", 186),
    ('\'', '"', "Quote", 222),
    (',', '<', "Comma", 188),
    ('.', '>', "Period", 190),
    ('/', '?', "Slash", 191),
];

const SHIFTED_DIGITS: &str = ")!@#$%^&*(";

fn modifier_bit(key: &str) -> u32 {
    match key {
        "Alt" => ALT,
        "Control" => CONTROL,
        "Meta" => META,
        "Shift" => SHIFT,
        _ => 0,
    }
}

fn from_row(row: &Row) -> KeyDef {
    let (_, key, code, vk, text, location, _) = *row;
    KeyDef {
        key: key.to_string(),
        code: code.to_string(),
        vk,
        text: (!text.is_empty()).then(|| text.to_string()),
        location,
        modifier: modifier_bit(key),
    }
}

/// Whether `c` is one of the WebDriver key code points (U+E000–U+E05D).
pub fn is_special(c: char) -> bool {
    ('\u{e000}'..='\u{e05d}').contains(&c)
}

/// The key a character stands for: a WebDriver key for U+E000–U+E05D, else the character
/// itself (with the US keyboard's code where there is one). `None` for unassigned code
/// points of the WebDriver range.
pub fn key_for_char(c: char) -> Option<KeyDef> {
    if is_special(c) {
        return TABLE.iter().find(|r| r.0 == c as u32).map(from_row);
    }
    let (code, vk) = match c {
        'a'..='z' => (
            format!("Key{}", c.to_ascii_uppercase()),
            c.to_ascii_uppercase() as u32,
        ),
        'A'..='Z' => (format!("Key{c}"), c as u32),
        '0'..='9' => (format!("Digit{c}"), c as u32),
        ' ' => ("Space".to_string(), 32),
        '\n' | '\r' => {
            return Some(KeyDef {
                key: "Enter".into(),
                code: "Enter".into(),
                vk: 13,
                text: Some("\r".into()),
                location: 0,
                modifier: 0,
            })
        }
        '\t' => return key_for_char('\u{e004}'),
        _ => {
            if let Some(i) = SHIFTED_DIGITS.find(c) {
                (format!("Digit{i}"), 48 + i as u32)
            } else if let Some(p) = PUNCTUATION.iter().find(|p| p.0 == c || p.1 == c) {
                (p.2.to_string(), p.3)
            } else {
                (String::new(), 0)
            }
        }
    };
    Some(KeyDef {
        key: c.to_string(),
        code,
        vk,
        text: Some(c.to_string()),
        location: 0,
        modifier: 0,
    })
}

/// Whether typing `c` on a US keyboard needs Shift.
pub fn needs_shift(c: char) -> bool {
    c.is_ascii_uppercase() || SHIFTED_DIGITS.contains(c) || PUNCTUATION.iter().any(|p| p.1 == c)
}

/// A key named the way Selenium's `Keys` names it (`ENTER`, `arrow_down`, `Control`), as
/// a DOM key name (`Enter`, `ArrowDown`), as its code point, or as one character.
pub fn key_by_name(name: &str) -> Option<KeyDef> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return key_for_char(c);
    }
    let upper = name.trim().to_ascii_uppercase().replace([' ', '-'], "_");
    if let Some(row) = TABLE.iter().find(|r| r.6.contains(&upper.as_str())) {
        return Some(from_row(row));
    }
    TABLE
        .iter()
        .find(|r| r.1.eq_ignore_ascii_case(name.trim()) && r.0 < 0xE050)
        .map(from_row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selenium_names_and_code_points_agree() {
        assert_eq!(key_by_name("ENTER"), key_for_char('\u{e007}'));
        assert_eq!(key_by_name("arrow_down").map(|k| k.vk), Some(40));
        assert_eq!(key_by_name("Control").map(|k| k.modifier), Some(CONTROL));
        assert_eq!(key_by_name("a").map(|k| k.code), Some("KeyA".to_string()));
        assert_eq!(key_by_name("F12").map(|k| k.vk), Some(123));
        assert!(key_by_name("NO_SUCH_KEY").is_none());
        assert!(key_for_char('\u{e02a}').is_none());
        assert_eq!(
            key_for_char('!').map(|k| k.code),
            Some("Digit1".to_string())
        );
        assert!(needs_shift('?') && !needs_shift('/'));
    }
}

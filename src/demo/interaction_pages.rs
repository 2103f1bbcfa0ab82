//! The demo site's interaction pages: a form of every input kind, a hover menu, a same-origin
//! iframe, new tabs and windows, alert/confirm/prompt, late and covered buttons, drag and drop,
//! a key logger and a storage/cookie display. Each is a page body (`src/demo/site/*.html`)
//! that the layout ([`super::pages::Page`]) wraps; their elements carry ids, names, classes, roles,
//! labels, placeholders and test ids so every locator strategy has a target.

/// `/form`: text inputs, a select, checkboxes, radio buttons, a file input and a submit that
/// shows what was submitted.
pub const FORM: &str = include_str!("site/form.html");
/// `/hover`: a menu whose submenu items only show while the pointer is over their parent.
pub const HOVER: &str = include_str!("site/hover.html");
/// `/frame`: a page holding a same-origin iframe with a form ([`FRAME_INNER`]).
pub const FRAME: &str = include_str!("site/frame.html");
/// `/frame/inner`: the form inside [`FRAME`]'s iframe; it writes into its parent page.
pub const FRAME_INNER: &str = include_str!("site/frame_inner.html");
/// `/windows`: a `target=_blank` link and a `window.open` button, both to [`POPUP`].
pub const WINDOWS: &str = include_str!("site/windows.html");
/// `/popup`: the page [`WINDOWS`] opens; it says how it was opened.
pub const POPUP: &str = include_str!("site/popup.html");
/// `/dialogs`: alert, confirm and prompt buttons whose outcome is written into the page.
pub const DIALOGS: &str = include_str!("site/dialogs.html");
/// `/timing`: a button that appears 1.5 s after load and one covered by a fading overlay.
pub const TIMING: &str = include_str!("site/timing.html");
/// `/drag`: a mouse-driven drag-and-drop board that also logs double and right clicks.
pub const DRAG: &str = include_str!("site/drag.html");
/// `/keys`: an input that logs every key pressed in it.
pub const KEYS: &str = include_str!("site/keys.html");
/// `/storage`: shows localStorage, sessionStorage and cookies, with buttons that set them.
pub const STORAGE: &str = include_str!("site/storage.html");

/// Every interaction page with its path (the index links to those a person opens first).
pub const ALL: &[(&str, &str)] = &[
    ("/form", FORM),
    ("/hover", HOVER),
    ("/frame", FRAME),
    ("/frame/inner", FRAME_INNER),
    ("/windows", WINDOWS),
    ("/popup", POPUP),
    ("/dialogs", DIALOGS),
    ("/timing", TIMING),
    ("/drag", DRAG),
    ("/keys", KEYS),
    ("/storage", STORAGE),
];

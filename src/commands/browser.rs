//! Opening and closing the browser, and choosing it as the Python WebRunner's flows do
//! (`WR_set_driver`): Chromium only, with the flow's switches.

use serde_json::{json, Map, Value};

use super::{doc, handler, nothing};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

/// The `webdriver_name`s that mean the Chromium webrunner drives.
const CHROMIUM_NAMES: &[&str] = &["chrome", "chromium", "edge", "msedge", "chromium-edge"];

/// Checks that `webdriver_name` names a Chromium-based browser; the error says which are
/// supported.
fn check_driver_name(command: &str, name: &str) -> Result<(), ActionError> {
    let n = name.trim().to_ascii_lowercase();
    if CHROMIUM_NAMES.contains(&n.as_str()) {
        return Ok(());
    }
    Err(ActionError::BadArgument(format!(
        "{command}: webdriver_name {name:?} is not supported: webrunner drives Chromium only (chrome, chromium, edge)"
    )))
}

/// The Chromium switches of `options`: a list of strings such as `--headless` or
/// `--window-size=800,600` (a switch given without its dashes gets them).
fn switches(command: &str, options: Option<&Value>) -> Result<Vec<String>, ActionError> {
    let Some(options) = options else {
        return Ok(Vec::new());
    };
    let list: Vec<&Value> = match options {
        Value::String(_) => vec![options],
        Value::Array(items) => items.iter().collect(),
        other => {
            return Err(ActionError::BadArgument(format!(
                "{command}: `options` must be a list of Chromium switches such as \"--window-size=800,600\", found {}",
                crate::action::kind(other)
            )))
        }
    };
    let mut out = Vec::new();
    for v in list {
        let Some(s) = v.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
            return Err(ActionError::BadArgument(format!(
                "{command}: every entry of `options` must be a non-empty string (a Chromium switch), found {v}"
            )));
        };
        out.push(if s.starts_with('-') {
            s.to_string()
        } else {
            format!("--{s}")
        });
    }
    Ok(out)
}

async fn set_driver(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    check_driver_name(&call.command, call.str("webdriver_name")?)?;
    let args = switches(&call.command, call.get("options"))?;
    for a in args {
        // The window size is a launch option of its own (two --window-size switches would
        // race); every other switch goes on the command line.
        if let Some(size) = a.strip_prefix("--window-size=") {
            ctx.settings.browser.window_size = window_size(&call.command, size)?;
        } else if !ctx.settings.browser.args.contains(&a) {
            ctx.settings.browser.args.push(a);
        }
    }
    // A browser of its own, launched with the switches (a shared one is left running).
    ctx.close_browser().await;
    ctx.open_browser().await?;
    let session = ctx.session().await?;
    let ua = session.evaluate("navigator.userAgent").await?;
    let (w, h) = ctx.settings.browser.window_size;
    Ok(json!({ "user_agent": ua, "args": ctx.settings.browser.args, "window_size": [w, h] }))
}

/// The window size of a `--window-size=W,H` switch (`WxH` is read too).
fn window_size(command: &str, size: &str) -> Result<(u32, u32), ActionError> {
    let bad = || {
        ActionError::BadArgument(format!(
            "{command}: --window-size={size} must be two whole numbers of CSS pixels from 1 to {}, e.g. --window-size=800,600",
            crate::executor::MAX_WINDOW_PIXELS
        ))
    };
    let (w, h) = size.split_once([',', 'x']).ok_or_else(bad)?;
    let px = |v: &str| {
        v.trim()
            .parse::<f64>()
            .ok()
            .and_then(|f| crate::executor::checked_pixels("--window-size", f).ok())
            .ok_or_else(bad)
    };
    Ok((px(w)?, px(h)?))
}

async fn open(ctx: &mut Context, _call: &Call) -> Result<serde_json::Value, ActionError> {
    if ctx.open_session().is_none() {
        ctx.open_browser().await?;
    }
    let session = ctx.session().await?;
    let ua = session.evaluate("navigator.userAgent").await?;
    Ok(json!({ "user_agent": ua }))
}

async fn quit(ctx: &mut Context, _call: &Call) -> Result<serde_json::Value, ActionError> {
    ctx.close_browser().await;
    nothing()
}

/// The attributes `WR_check_current_webdriver` can compare (Selenium's `driver.name` of a
/// Chromium is `"chrome"`).
const DRIVER_ATTRIBUTES: &[&str] = &["name", "title", "current_url", "page_source"];

/// One line per key of `expected` whose value differs from `actual`'s (a key `actual` lacks
/// is a mismatch saying which keys can be checked).
fn mismatches(expected: &Map<String, Value>, actual: &Map<String, Value>) -> Vec<String> {
    expected
        .iter()
        .filter_map(|(key, want)| match actual.get(key) {
            None => Some(format!(
                "{key}: cannot be checked (checks: {})",
                DRIVER_ATTRIBUTES.join(", ")
            )),
            Some(got) if got != want => Some(format!("{key}: expected {want}, found {got}")),
            Some(_) => None,
        })
        .collect()
}

async fn check_current_webdriver(ctx: &mut Context, call: &Call) -> Result<Value, ActionError> {
    let Some(Value::Object(expected)) = call.get("check_dict") else {
        return Err(ActionError::BadArgument(format!(
            "{}: `check_dict` must be an object such as {{\"title\": \"Home\"}}",
            call.command
        )));
    };
    let session = ctx.session().await?;
    let mut actual = Map::new();
    actual.insert("name".into(), json!("chrome"));
    if expected.contains_key("title") {
        actual.insert("title".into(), json!(session.title().await?));
    }
    if expected.contains_key("current_url") {
        actual.insert("current_url".into(), json!(session.url().await?));
    }
    if expected.contains_key("page_source") {
        actual.insert("page_source".into(), json!(session.content().await?));
    }
    let wrong = mismatches(expected, &actual);
    if wrong.is_empty() {
        nothing()
    } else {
        Err(ActionError::Failed(format!(
            "the browser does not match: {}",
            wrong.join("; ")
        )))
    }
}

pub(super) fn register(r: &mut CommandRegistry) {
    const OPEN: crate::executor::CommandDoc = doc(
        "browser",
        "Opens Chromium (headless unless the run is `--headed`). Commands that need a browser open one themselves, so this is optional.",
        &[],
        "`{user_agent}` of the browser",
    );
    const QUIT: crate::executor::CommandDoc = doc(
        "browser",
        "Closes the browser; a later browser command opens a fresh one.",
        &[],
        "null",
    );
    r.register(
        "WR_open_browser",
        OPEN,
        handler(|c, a| Box::pin(open(c, a))),
    );
    const SUMMARY: &str = "Starts a fresh Chromium with the given switches (`options`) and opens a tab in it, closing the browser the flow had; the switches stay for every browser the flow opens later.";
    const NAME: Param = Param::req(
        "webdriver_name",
        Kind::Str,
        "`chrome`, `chromium` or `edge` (all drive Chromium); anything else is refused",
    );
    const OPTIONS: Param = Param::opt(
        "options",
        Kind::Strings,
        "optional: Chromium switches such as `--headless` or `--window-size=800,600`, added to the browser's command line",
    );
    const RETURNS: &str =
        "`{user_agent, args, window_size}`: the browser's user agent, every switch added so far and the window size";
    r.register(
        "WR_set_driver",
        doc(
            "browser",
            SUMMARY,
            params![
                NAME,
                Param::opt(
                    "webdriver_manager_option_dict",
                    Kind::Object,
                    "optional, accepted and unused: there is no driver to download"
                ),
                OPTIONS,
            ],
            RETURNS,
        ),
        handler(|c, a| Box::pin(set_driver(c, a))),
    );
    for name in ["WR_new_driver", "WR_get_webdriver_manager"] {
        r.register(
            name,
            doc("browser", SUMMARY, params![NAME, OPTIONS], RETURNS),
            handler(|c, a| Box::pin(set_driver(c, a))),
        );
    }
    r.register(
        "WR_check_current_webdriver",
        doc(
            "browser",
            "Compares attributes of the browser with the given values, as Selenium's driver attributes: `name` (`chrome`), `title`, `current_url`, `page_source`; fails listing every one that differs.",
            params![Param::req("check_dict", Kind::Object, "attribute name → expected value")],
            "null",
        ),
        handler(|c, a| Box::pin(check_current_webdriver(c, a))),
    );
    r.register(
        "WR_quit",
        QUIT.also(&["WR_quit_all", "WR_single_quit"]),
        handler(|c, a| Box::pin(quit(c, a))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_chromium_names_are_accepted() {
        for ok in ["chrome", "Chromium", "edge", " CHROME "] {
            assert!(check_driver_name("WR_set_driver", ok).is_ok(), "{ok}");
        }
        for bad in ["firefox", "safari", "ie", ""] {
            let e = check_driver_name("WR_set_driver", bad)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("WR_set_driver: webdriver_name"), "{e}");
            assert!(e.contains("Chromium only"), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn options_become_switches() {
        let s = switches("x", Some(&json!(["--headless", "window-size=800,600"]))).unwrap();
        assert_eq!(s, ["--headless", "--window-size=800,600"]);
        assert_eq!(switches("x", Some(&json!("--mute"))).unwrap(), ["--mute"]);
        assert!(switches("x", None).unwrap().is_empty());
        assert!(switches("x", Some(&json!([""]))).is_err());
        assert!(switches("x", Some(&json!({"a": 1}))).is_err());
    }

    #[test]
    fn window_size_switches_are_read_and_checked() {
        assert_eq!(window_size("x", "800,600").unwrap(), (800, 600));
        assert_eq!(window_size("x", "1024x768").unwrap(), (1024, 768));
        for bad in ["800", "0,600", "a,b", "800,99999", "1.5,2"] {
            let e = window_size("WR_set_driver", bad).unwrap_err().to_string();
            assert!(e.starts_with("WR_set_driver: --window-size="), "{e}");
        }
    }

    #[test]
    fn mismatches_list_each_differing_attribute() {
        let actual = json!({"name": "chrome", "title": "Home"});
        let expected = json!({"name": "chrome", "title": "Away", "mobile": false});
        let m = mismatches(expected.as_object().unwrap(), actual.as_object().unwrap());
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0], "title: expected \"Away\", found \"Home\"");
        assert!(m[1].starts_with("mobile: cannot be checked"), "{m:?}");
    }
}

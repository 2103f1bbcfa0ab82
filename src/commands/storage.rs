//! The page's web storage: `localStorage` and `sessionStorage` of the current page's origin,
//! read and written through page script (so it works wherever a page runs script).

use serde_json::{json, Value};

use super::{doc, handler};
use crate::executor::{ActionError, Call, CommandRegistry, Context, Kind, Param};

/// Which storage a command uses.
#[derive(Debug, Clone, Copy)]
enum Area {
    Local,
    Session,
}

impl Area {
    fn js(self) -> &'static str {
        match self {
            Area::Local => "localStorage",
            Area::Session => "sessionStorage",
        }
    }
}

/// What a command does to its storage.
#[derive(Debug, Clone, Copy)]
enum Op {
    Get,
    Set,
    Remove,
    Clear,
    All,
}

/// The function body doing `op` on `area`: `arguments` are the key and the value.
fn script(area: Area, op: Op) -> String {
    let s = area.js();
    match op {
        Op::Get => format!("return window.{s}.getItem(arguments[0]);"),
        Op::Set => format!("window.{s}.setItem(arguments[0], arguments[1]); return null;"),
        Op::Remove => format!("window.{s}.removeItem(arguments[0]); return null;"),
        Op::Clear => format!("window.{s}.clear(); return null;"),
        Op::All => format!(
            "const o = {{}}; for (let i = 0; i < window.{s}.length; i++) {{ const k = window.{s}.key(i); o[k] = window.{s}.getItem(k); }} return o;"
        ),
    }
}

/// What is stored for `value`: a string as it is, anything else as its JSON text.
fn stored_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn run(ctx: &mut Context, call: &Call, area: Area, op: Op) -> Result<Value, ActionError> {
    let mut args = Vec::new();
    if matches!(op, Op::Get | Op::Set | Op::Remove) {
        args.push(json!(call.str("key")?));
    }
    if matches!(op, Op::Set) {
        let value = call.get("value").ok_or_else(|| {
            ActionError::BadArgument(format!("{}: missing argument `value`", call.command))
        })?;
        args.push(json!(stored_text(value)));
    }
    let session = ctx.session().await?;
    session
        .call_function(&script(area, op), &args)
        .await
        .map_err(|e| {
            ActionError::Failed(format!(
                "{}: the page's {} cannot be used: {e}",
                call.command,
                area.js()
            ))
        })
}

/// A storage command: its name, storage, operation, summary, parameters and what it returns.
type Entry = (
    &'static str,
    Area,
    Op,
    &'static str,
    &'static [Param],
    &'static str,
);

pub(super) fn register(r: &mut CommandRegistry) {
    const KEY: Param = Param::req("key", Kind::Str, "the item's key");
    const VALUE: Param = Param::req(
        "value",
        Kind::Any,
        "the value: a string is stored as it is, anything else as its JSON text",
    );
    let commands: [Entry; 8] = [
        (
            "WR_local_storage_get",
            Area::Local,
            Op::Get,
            "Reads an item of the page's `localStorage`.",
            params![KEY],
            "the value (string), or null when there is no such item",
        ),
        (
            "WR_local_storage_set",
            Area::Local,
            Op::Set,
            "Stores an item in the page's `localStorage`.",
            params![KEY, VALUE],
            "null",
        ),
        (
            "WR_local_storage_remove",
            Area::Local,
            Op::Remove,
            "Removes an item of the page's `localStorage`.",
            params![KEY],
            "null",
        ),
        (
            "WR_local_storage_clear",
            Area::Local,
            Op::Clear,
            "Empties the page's `localStorage`.",
            &[],
            "null",
        ),
        (
            "WR_local_storage_all",
            Area::Local,
            Op::All,
            "Reads every item of the page's `localStorage`.",
            &[],
            "an object: key → value",
        ),
        (
            "WR_session_storage_get",
            Area::Session,
            Op::Get,
            "Reads an item of the page's `sessionStorage`.",
            params![KEY],
            "the value (string), or null when there is no such item",
        ),
        (
            "WR_session_storage_set",
            Area::Session,
            Op::Set,
            "Stores an item in the page's `sessionStorage`.",
            params![KEY, VALUE],
            "null",
        ),
        (
            "WR_session_storage_clear",
            Area::Session,
            Op::Clear,
            "Empties the page's `sessionStorage`.",
            &[],
            "null",
        ),
    ];
    for (name, area, op, summary, params, returns) in commands {
        r.register(
            name,
            doc("storage", summary, params, returns),
            handler(move |c, a| Box::pin(run(c, a, area, op))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_stored_as_text() {
        assert_eq!(stored_text(&json!("a b")), "a b");
        assert_eq!(stored_text(&json!(5)), "5");
        assert_eq!(stored_text(&json!({"a": [1]})), r#"{"a":[1]}"#);
    }

    #[test]
    fn each_area_and_operation_has_its_script() {
        assert_eq!(
            script(Area::Session, Op::Get),
            "return window.sessionStorage.getItem(arguments[0]);"
        );
        assert!(script(Area::Local, Op::All).contains("window.localStorage.key(i)"));
    }
}

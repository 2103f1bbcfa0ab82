//! Binding actions to declared parameters: names, aliases, positions, locators, kinds.

use super::*;
use serde_json::json;

const PARAMS: &[Param] = &[
    Param::req("input_value", Kind::Str, "text").aka(&["text"]),
    Param::opt("clear", Kind::Bool, "empty first"),
];

fn sig(locator: bool) -> Signature<'static> {
    Signature {
        command: "WR_element_input",
        params: PARAMS,
        locator,
        open: false,
    }
}

fn action(args: Value, kwargs: Value) -> Action {
    Action {
        command: "WR_element_input".into(),
        args: args.as_array().cloned().unwrap_or_default(),
        kwargs: kwargs.as_object().cloned().unwrap_or_default(),
    }
}

#[test]
fn positional_and_aliases_become_named() {
    let b = sig(true)
        .bind(&action(json!(["hi", true]), json!({})))
        .unwrap();
    assert_eq!(b.kwargs["input_value"], json!("hi"));
    assert_eq!(b.kwargs["clear"], json!(true));
    let b = sig(true)
        .bind(&action(json!([]), json!({"text": "x", "css": "#a"})))
        .unwrap();
    assert_eq!(b.kwargs["input_value"], json!("x"));
    assert_eq!(b.kwargs["locator"], json!({"css": "#a"}));
}

#[test]
fn an_unknown_keyword_names_what_is_taken() {
    let e = sig(true)
        .bind(&action(json!(["x"]), json!({"csss": "#a"})))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown keyword `csss`"), "{e}");
    assert!(e.contains("did you mean `css`"), "{e}");
    assert!(e.contains("input_value (or text)"), "{e}");
    let e = sig(false)
        .bind(&action(json!(["x"]), json!({"css": "#a"})))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown keyword `css`"), "{e}");
}

#[test]
fn missing_twice_and_mistyped_are_errors() {
    let e = sig(true).bind(&action(json!([]), json!({}))).unwrap_err();
    assert!(e.to_string().contains("missing argument `input_value`"));
    let e = sig(true)
        .bind(&action(json!(["a"]), json!({"text": "b"})))
        .unwrap_err();
    assert!(e.to_string().contains("given twice"), "{e}");
    let e = sig(true).bind(&action(json!([1]), json!({}))).unwrap_err();
    assert!(
        e.to_string().contains("must be a string, found a number"),
        "{e}"
    );
    let e = sig(true)
        .bind(&action(json!(["a", false, 3]), json!({})))
        .unwrap_err();
    assert!(e.to_string().contains("at most 2 positional"), "{e}");
}

#[test]
fn numbers_are_checked_by_kind() {
    let p = Param::req("seconds", Kind::Seconds, "");
    assert!(p.check("WR_sleep", &json!(1.5)).is_ok());
    assert!(p.check("WR_sleep", &json!("2")).is_ok());
    let e = p.check("WR_sleep", &json!(1e300)).unwrap_err().to_string();
    assert!(
        e.contains("seconds must be a number of seconds from 0"),
        "{e}"
    );
    let p = Param::req("width", Kind::Pixels, "");
    assert!(p.check("x", &json!(0)).is_err());
    assert!(p.check("x", &json!(800)).is_ok());
}

#[test]
fn the_old_positional_locator_form_still_binds() {
    let s = Signature {
        command: "WR_find_element",
        params: &[Param::opt("element_name", Kind::Str, "")],
        locator: true,
        open: false,
    };
    let b = s.bind(&action(json!(["css", "#go"]), json!({}))).unwrap();
    assert_eq!(b.kwargs["locator"], json!({"by": "css", "value": "#go"}));
    let b = s.bind(&action(json!(["q"]), json!({}))).unwrap();
    assert_eq!(b.kwargs["locator"], json!({"element_name": "q"}));
}

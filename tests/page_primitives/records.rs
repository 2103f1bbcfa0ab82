//! Console and network records, request headers, user agent, blocked URLs, cookies and
//! the page source.

use std::time::Duration;

use serde_json::{json, Value};
use webrunner::browser::WaitUntil;

use crate::common::rt;
use crate::{eval, session, url};

#[test]
fn console_messages_and_failed_responses_are_recorded() {
    rt().block_on(async {
        let s = session().await;
        s.goto_with(
            &url("/pages/console").await,
            WaitUntil::NetworkIdle,
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        let mut messages = Vec::new();
        for _ in 0..200 {
            messages = s.console_messages();
            if messages.iter().any(|m| m.text.contains("uncaught boom")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let find = |level: &str, text: &str| {
            messages
                .iter()
                .find(|m| m.level == level && m.text.contains(text))
                .unwrap_or_else(|| panic!("no {level} {text:?} in {messages:#?}"))
        };
        let hello = find("log", "hello 42");
        assert!(
            hello
                .url
                .as_deref()
                .unwrap_or_default()
                .ends_with("/pages/console"),
            "{hello:?}"
        );
        assert!(
            hello.line.is_some() && hello.timestamp_ms > 1.0e12,
            "{hello:?}"
        );
        find("warning", "careful now");
        find("error", "something broke");
        find("error", "uncaught boom");

        let responses = s.network_requests();
        let status_of = |code: &str| {
            responses
                .iter()
                .find(|r| r.url.ends_with(&format!("/pages/status?code={code}")))
                .unwrap_or_else(|| panic!("no response for {code} in {responses:#?}"))
        };
        assert_eq!(status_of("404").status, Some(404));
        assert_eq!(status_of("500").status, Some(500));
        assert_eq!(status_of("500").method, "GET");
        let document = responses
            .iter()
            .find(|r| r.url.ends_with("/pages/console"))
            .unwrap();
        assert_eq!(
            (document.status, document.mime_type.as_deref()),
            (Some(200), Some("text/html"))
        );
        s.close().await.unwrap();
    });
}

#[test]
fn headers_user_agent_blocked_urls_cookies_and_source() {
    rt().block_on(async {
        let s = session().await;
        s.goto(&url("/products").await).await.unwrap();
        s.set_extra_http_headers([("x-flavour".to_string(), "lemon".to_string())].into())
            .await
            .unwrap();
        s.set_traceparent(Some(
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ))
        .await
        .unwrap();
        s.set_user_agent("webrunner-test/1.0").await.unwrap();
        s.goto(&url("/").await).await.unwrap();
        assert_eq!(
            eval(&s, "navigator.userAgent").await,
            json!("webrunner-test/1.0")
        );
        assert_eq!(
            eval(&s, "document.getElementById('traceparent').textContent").await,
            json!("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        );

        let fetch = "fetch('/pages/status?code=201').then((r) => r.status, (e) => String(e))";
        assert_eq!(eval(&s, fetch).await, json!(201));
        s.block_urls(&["*/pages/status*".to_string()])
            .await
            .unwrap();
        assert_eq!(eval(&s, fetch).await, json!("TypeError: Failed to fetch"));
        s.unblock_urls().await.unwrap();
        assert_eq!(eval(&s, fetch).await, json!(201));
        s.goto(&url("/products").await).await.unwrap();

        s.set_cookie(json!({ "name": "flavour", "value": "lemon" }))
            .await
            .unwrap();
        s.set_cookie(json!({ "name": "size", "value": "big" }))
            .await
            .unwrap();
        let names = |c: Vec<Value>| {
            c.iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let mut got = names(s.cookies().await.unwrap());
        got.sort();
        assert_eq!(got, ["flavour", "size"]);
        s.delete_cookie("flavour").await.unwrap();
        assert_eq!(names(s.cookies().await.unwrap()), ["size"]);
        s.clear_cookies().await.unwrap();
        assert!(s.cookies().await.unwrap().is_empty());
        let err = s
            .set_cookie(json!({ "value": "x" }))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs a `name`"), "{err}");

        let source = s.page_source().await.unwrap();
        assert!(
            source.starts_with("<!DOCTYPE html>") && source.contains("<h1>Products</h1>"),
            "{}",
            &source[..80.min(source.len())]
        );
        let png = s.screenshot(true).await.unwrap();
        assert_eq!(&png[1..4], b"PNG");
        s.close().await.unwrap();
    });
}

//! Same- and cross-origin frames, nested ones, and a real click moved by the frame offset.

use std::time::Duration;

use serde_json::{json, Value};
use webrunner::browser::{FrameRef, WaitUntil};

use crate::common::rt;
use crate::{click_at, eval, session, url};

#[test]
fn frames_same_and_cross_origin_nested_parent_and_default() {
    rt().block_on(async {
        let s = session().await;
        s.goto_with(&url("/pages/frames").await, WaitUntil::NetworkIdle, Duration::from_secs(30))
            .await
            .unwrap();
        // The second frame really is of another origin.
        assert_eq!(
            eval(&s, "(() => { try { frames[1].document.title; return 'same'; } catch (e) { return 'cross'; } })()").await,
            json!("cross")
        );

        s.switch_to_frame(&FrameRef::NameOrId("same".into())).await.unwrap();
        let where_ = eval(&s, "document.getElementById('where').textContent").await;
        assert!(where_.as_str().unwrap().starts_with("same 127.0.0.1:"), "{where_}");
        s.switch_to_frame(&FrameRef::NameOrId("grandchild".into())).await.unwrap();
        assert_eq!(eval(&s, "document.title").await, json!("Grandchild frame"));
        assert_eq!(s.frame_depth(), 2);
        s.switch_to_parent_frame();
        assert_eq!(eval(&s, "document.title").await, json!("Child frame"));
        s.switch_to_default_content();
        assert_eq!(eval(&s, "document.title").await, json!("Frames"));

        s.switch_to_frame(&FrameRef::Css("#cross".into())).await.unwrap();
        let where_ = eval(&s, "document.getElementById('where').textContent").await;
        assert!(where_.as_str().unwrap().starts_with("cross localhost:"), "{where_}");
        let via_function = s
            .call_function("return location.hostname + ' ' + arguments[0];", &[json!("ok")])
            .await
            .unwrap();
        assert_eq!(via_function, json!("localhost ok"));
        // The URL and title stay the top document's.
        assert_eq!(s.title().await.unwrap(), "Frames");

        // A real click at the grandchild button's in-frame centre, moved by the frame offset.
        s.frame_chain(&[FrameRef::Index(1), FrameRef::Index(0)]).await.unwrap();
        // Scrolled into view through both frames, as a click does it.
        eval(&s, "document.getElementById('count').scrollIntoView({ block: 'center' })").await;
        let centre = eval(&s, "(() => { const r = document.getElementById('count').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()").await;
        let (dx, dy) = s.frame_offset().await.unwrap();
        assert!(dx > 30.0 && dy > 0.0, "({dx}, {dy})");
        click_at(&s, dx + centre[0].as_f64().unwrap(), dy + centre[1].as_f64().unwrap())
            .await
            .unwrap();
        click_at(&s, dx + centre[0].as_f64().unwrap(), dy + centre[1].as_f64().unwrap())
            .await
            .unwrap();
        assert_eq!(eval(&s, "document.getElementById('count').textContent").await, json!("2"));

        // A missing frame says what was looked for and which frames there are.
        s.switch_to_default_content();
        let err = s
            .switch_to_frame(&FrameRef::NameOrId("nope".into()))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("frame named \"nope\"")
                && err.contains("id=\"same\" name=\"same-frame\"")
                && err.contains("id=\"cross\""),
            "{err}"
        );
        let err = s.switch_to_frame(&FrameRef::Css("h1".into())).await.unwrap_err().to_string();
        assert!(err.contains("<h1>, not a frame"), "{err}");
        let err = s.switch_to_frame(&FrameRef::Index(7)).await.unwrap_err().to_string();
        assert!(err.contains("frame #7"), "{err}");

        // Navigating the frame gives it a new document that scripts reach.
        s.switch_to_frame(&FrameRef::Index(0)).await.unwrap();
        s.evaluate("location.href = '/pages/second-window'").await.unwrap();
        let mut title = Value::Null;
        for _ in 0..200 {
            title = s.evaluate("document.readyState === 'complete' ? document.title : ''").await.unwrap_or(Value::Null);
            if title == json!("Second window") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(title, json!("Second window"));
        // Once the top page navigates away, the frame is gone, and calls say so.
        s.frame_chain(&[FrameRef::Index(0)]).await.unwrap();
        s.evaluate("top.location.href = '/products'").await.unwrap();
        let mut gone = String::new();
        for _ in 0..200 {
            match s.evaluate("1").await {
                Err(e) => {
                    gone = e.to_string();
                    break;
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        assert!(gone.contains("frame #0) is gone"), "{gone}");
        s.switch_to_default_content();
        assert_eq!(s.title().await.unwrap(), "Products");
        s.close().await.unwrap();
    });
}

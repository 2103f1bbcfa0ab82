//! The replay studio opened from `file://`: rows, badges, timeline, images, hostile text.

use serde_json::json;
use webrunner_report::export_replay_studio;

use crate::common::rt;
use crate::*;

#[test]
fn replay_studio_opened_from_file_shows_rows_badges_timeline_and_decoded_images() {
    rt().block_on(async {
        let run = demo_run().await;
        let out = tempfile::tempdir().expect("temp dir");
        let path = export_replay_studio(&out.path().join("replay.html"), &run.records, Some(run.shots.path()), "Demo run")
            .expect("replay studio");
        let page = tab().await;
        page.goto(&format!("file://{}", path.display())).await.expect("open replay.html");
        page.evaluate("Promise.all([...document.images].filter(i => i.src).map(i => i.decode().catch(() => null)))")
            .await
            .expect("images decode");
        let v = read(
            &page,
            "JSON.stringify({rows: document.querySelectorAll('tr.rec').length, \
             failedRows: document.querySelectorAll('tr.rec.fail').length, \
             failedBadges: document.querySelectorAll('tr.rec .badge.fail').length, \
             passedBadges: document.querySelectorAll('tr.rec .badge.ok').length, \
             flakyBadges: document.querySelectorAll('tr.rec .badge.flaky').length, \
             bars: document.querySelectorAll('#timeline rect.bar').length, \
             failBars: document.querySelectorAll('#timeline rect.bar.fail').length, \
             commands: [...document.querySelectorAll('tr.rec td.command')].map(td => td.textContent), \
             images: [...document.images].filter(i => i.src).map(i => ({cls: i.className, w: i.naturalWidth, data: i.src.startsWith('data:image/png;base64,')})), \
             thumbs: document.querySelectorAll('tr.rec img.thumb').length, \
             tries: [...document.querySelectorAll('ol.tries')].map(ol => [...ol.querySelectorAll('li.try')].map(li => li.classList.contains('fail'))), \
             resources: performance.getEntriesByType('resource').length, \
             title: document.title})",
        )
        .await;
        let records = &run.records;
        let failed = records.iter().filter(|r| r.failed()).count();
        let flaky = records.iter().filter(|r| r.flaky).count();
        assert_eq!(v["rows"], records.len());
        assert_eq!(v["failedRows"], failed);
        assert_eq!(v["failedBadges"], failed);
        assert_eq!(v["passedBadges"], records.len() - failed);
        assert_eq!(v["flakyBadges"], flaky);
        assert_eq!(v["bars"], records.len());
        assert_eq!(v["failBars"], failed);
        let commands: Vec<&str> = records.iter().map(|r| r.command.as_str()).collect();
        assert_eq!(v["commands"], json!(commands));
        assert_eq!(v["thumbs"], failed, "every failure shows its screenshot");
        let retried: Vec<Vec<bool>> = records
            .iter()
            .filter(|r| r.tries.len() > 1)
            .map(|r| r.tries.iter().map(|t| t.status == Status::Failed).collect())
            .collect();
        assert!(!retried.is_empty(), "the demo retries a step");
        assert_eq!(v["tries"], json!(retried), "every attempt of a retried step is listed");
        let images = v["images"].as_array().expect("images");
        assert!(images.len() > failed, "thumbnails and the full screenshots: {images:?}");
        for image in images {
            assert!(image["w"].as_u64().unwrap_or(0) > 0, "decoded: {image}");
            assert_eq!(image["data"], true, "embedded: {image}");
        }
        assert_eq!(v["resources"], 0, "no outside requests");
        assert_eq!(v["title"], "Demo run");
        keep_screenshot(&page, "replay.png").await;

        // The filter hides passed rows; a click on a thumbnail enlarges it.
        page.evaluate("document.getElementById('only-failed').click()").await.expect("filter");
        let visible = read(
            &page,
            "JSON.stringify([...document.querySelectorAll('tr.rec')].filter(tr => getComputedStyle(tr).display !== 'none').map(tr => tr.classList.contains('fail')))",
        )
        .await;
        assert_eq!(visible, json!(vec![true; failed]));
        page.evaluate("document.querySelector('img.thumb').click()").await.expect("click");
        let lightbox = read(
            &page,
            "JSON.stringify({open: !document.getElementById('lightbox').hidden, \
             w: document.getElementById('lightbox-img').naturalWidth, \
             shown: document.getElementById('lightbox-img').getBoundingClientRect().width})",
        )
        .await;
        assert_eq!(lightbox["open"], true);
        assert!(lightbox["w"].as_u64().unwrap_or(0) > 0, "{lightbox}");
        keep_screenshot(&page, "replay-enlarged.png").await;
        page.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))").await.expect("escape");
        assert_eq!(page.evaluate("document.getElementById('lightbox').hidden").await.expect("hidden"), json!(true));
        assert_eq!(read(&page, "JSON.stringify(window.__violations)").await, json!([]));
        let _ = page.close().await;
    });
}

#[test]
fn replay_studio_shows_hostile_record_text_as_text_and_runs_nothing() {
    rt().block_on(async {
        let out = tempfile::tempdir().expect("temp dir");
        let path = export_replay_studio(&out.path().join("replay.html"), &hostile_records(), None, IMG_ONERROR)
            .expect("replay studio");
        let page = tab().await;
        page.goto(&format!("file://{}", path.display())).await.expect("open replay.html");
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)").await.expect("open details");
        let v = read(
            &page,
            "JSON.stringify({title: document.title, h1: document.querySelector('h1').textContent, \
             rows: [...document.querySelectorAll('tr.rec')].map(tr => [...tr.cells].map(td => td.textContent)), \
             lane: document.querySelector('.lane-name').textContent, \
             bar: document.querySelector('rect.bar title').textContent, \
             tries: [...document.querySelectorAll('li.try pre.error')].map(p => p.textContent), \
             scripts: document.scripts.length})",
        )
        .await;
        assert_eq!(v["title"], IMG_ONERROR);
        assert_eq!(v["h1"], IMG_ONERROR);
        assert_eq!(v["lane"], ATTR_BREAK);
        assert!(v["bar"].as_str().unwrap_or("").contains(SCRIPT_TAG), "{v}");
        assert_eq!(v["scripts"], 1, "only the page's own script");
        assert_eq!(
            v["tries"],
            json!([
                format!("{SCRIPT_TAG} {ATTR_BREAK}"),
                format!("{TEXTAREA_BREAK} {IMG_ONERROR}")
            ]),
            "each attempt's error, as text"
        );
        let first = &v["rows"][0];
        assert_eq!(first[2], ATTR_BREAK);
        assert_eq!(first[3], SCRIPT_TAG);
        assert!(first[6].as_str().unwrap_or("").contains(&serde_json::to_string(IMG_ONERROR).expect("json")));
        assert!(first[6].as_str().unwrap_or("").contains(&serde_json::to_string(TEXTAREA_BREAK).expect("json")));
        assert_eq!(first[7], format!("{TEXTAREA_BREAK} {IMG_ONERROR}"));
        assert!(v["rows"][1][9].as_str().unwrap_or("").contains(&serde_json::to_string(SCRIPT_TAG).expect("json")), "result in details");
        assert_nothing_ran(&page, "body").await;
        keep_screenshot(&page, "replay-hostile.png").await;
        let _ = page.close().await;
    });
}

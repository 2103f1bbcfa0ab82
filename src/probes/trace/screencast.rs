//! The page's filmstrip for a trace: a small JPEG of the viewport a few times a second
//! (`Page.captureScreenshot` from a task beside the flow), a frame kept only when the
//! picture changed. Chromium's own screencast (`Page.startScreencast`) was measured first:
//! it slows every frame the page draws (a flow ran 40 % slower even at 5 frames a second),
//! while a capture every quarter second costs a few percent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::json;

use crate::browser::{now_ms, BrowserError, Session};

/// Most frames kept per trace (some tens of MB of small JPEGs); later ones are dropped.
const MAX_FRAMES: usize = 1000;
/// Longest wait for one capture.
const CAPTURE_LIMIT: Duration = Duration::from_secs(1);
/// Time between two captures.
const EVERY: Duration = Duration::from_millis(250);

/// One frame of the filmstrip.
#[derive(Debug)]
pub(super) struct Frame {
    pub wall_ms: f64,
    pub width: f64,
    pub height: f64,
    pub jpeg: Vec<u8>,
}

/// A filmstrip being recorded.
#[derive(Debug)]
pub(super) struct Screencast {
    frames: Arc<Mutex<Vec<Frame>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Screencast {
    /// Starts filming `session`'s tab (its first frame is taken at once).
    pub(super) async fn start(session: &Session) -> Result<Screencast, BrowserError> {
        let metrics = session.cdp("Page.getLayoutMetrics", json!({})).await?;
        let viewport = &metrics["cssLayoutViewport"];
        let width = viewport["clientWidth"].as_f64().unwrap_or(1280.0);
        let height = viewport["clientHeight"].as_f64().unwrap_or(720.0);
        // At most 800 pixels wide, like a filmstrip needs.
        let scale = (800.0 / width).min(1.0);
        let params = json!({
            "format": "jpeg", "quality": 50, "optimizeForSpeed": true,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": scale},
        });
        let frames: Arc<Mutex<Vec<Frame>>> = Arc::default();
        let kept = frames.clone();
        let session = session.clone();
        let task = tokio::spawn(async move {
            let mut last: Vec<u8> = Vec::new();
            loop {
                if session.fatal().is_some() {
                    return;
                }
                let wall_ms = now_ms();
                // A capture asked for before the page's first paint can wait for ever.
                let shot = session.cdp("Page.captureScreenshot", params.clone());
                let shot = tokio::time::timeout(CAPTURE_LIMIT, shot).await;
                let jpeg = shot.ok().and_then(Result::ok).and_then(|v| {
                    let data = v["data"].as_str()?.to_string();
                    base64::engine::general_purpose::STANDARD.decode(data).ok()
                });
                if let Some(jpeg) = jpeg.filter(|j| *j != last) {
                    last = jpeg.clone();
                    let Ok(mut f) = kept.lock() else { return };
                    if f.len() >= MAX_FRAMES {
                        return;
                    }
                    f.push(Frame {
                        wall_ms,
                        width,
                        height,
                        jpeg,
                    });
                }
                tokio::time::sleep(EVERY).await;
            }
        });
        Ok(Screencast { frames, task })
    }

    /// Stops filming and returns the frames.
    pub(super) fn stop(self) -> Vec<Frame> {
        self.task.abort();
        self.frames
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }
}

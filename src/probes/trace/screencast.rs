//! The page's filmstrip for a trace: a small JPEG of the viewport twice a second
//! (`Page.captureScreenshot` from a task beside the flow), a frame kept only when the
//! picture changed. Chromium's own screencast (`Page.startScreencast`) was measured first:
//! it slows every frame the page draws (a flow ran 40 % slower even at 5 frames a second),
//! while a capture every half second costs a few percent.

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
const EVERY: Duration = Duration::from_millis(500);

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
    film: Film,
    task: tokio::task::JoinHandle<()>,
}

/// What the capturing task needs, shared with the last capture at the end.
#[derive(Debug, Clone)]
struct Film {
    session: Session,
    params: serde_json::Value,
    width: f64,
    height: f64,
    frames: Arc<Mutex<Vec<Frame>>>,
}

impl Film {
    /// Captures the viewport and keeps the frame when it differs from `last`; false once
    /// no more frames are kept.
    async fn take(&self, last: &mut Vec<u8>) -> bool {
        let wall_ms = now_ms();
        // A capture asked for before the page's first paint can wait for ever.
        let shot = self
            .session
            .cdp("Page.captureScreenshot", self.params.clone());
        let shot = tokio::time::timeout(CAPTURE_LIMIT, shot).await;
        let jpeg = shot.ok().and_then(Result::ok).and_then(|v| {
            let data = v["data"].as_str()?.to_string();
            base64::engine::general_purpose::STANDARD.decode(data).ok()
        });
        let Some(jpeg) = jpeg.filter(|j| j != last) else {
            return true;
        };
        last.clone_from(&jpeg);
        let Ok(mut f) = self.frames.lock() else {
            return false;
        };
        if f.len() >= MAX_FRAMES {
            return false;
        }
        f.push(Frame {
            wall_ms,
            width: self.width,
            height: self.height,
            jpeg,
        });
        true
    }
}

impl Screencast {
    /// Starts filming `session`'s tab (its first frame is taken at once).
    pub(super) async fn start(session: &Session) -> Result<Screencast, BrowserError> {
        let metrics = session.cdp("Page.getLayoutMetrics", json!({})).await?;
        let viewport = &metrics["cssLayoutViewport"];
        let width = viewport["clientWidth"].as_f64().unwrap_or(1280.0);
        let height = viewport["clientHeight"].as_f64().unwrap_or(720.0);
        // At most 640 pixels wide: a filmstrip's size.
        let scale = (640.0 / width).min(1.0);
        let params = json!({
            "format": "jpeg", "quality": 40, "optimizeForSpeed": true,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": scale},
        });
        let frames: Arc<Mutex<Vec<Frame>>> = Arc::default();
        let film = Film {
            session: session.clone(),
            params,
            width,
            height,
            frames: frames.clone(),
        };
        let filming = film.clone();
        let task = tokio::spawn(async move {
            let (film, mut last) = (filming, Vec::new());
            while film.session.fatal().is_none() && film.take(&mut last).await {
                tokio::time::sleep(EVERY).await;
            }
        });
        Ok(Screencast { film, task })
    }

    /// Stops filming, takes a last frame (the page as the flow left it) and returns the
    /// frames.
    pub(super) async fn stop(self) -> Vec<Frame> {
        self.task.abort();
        if self.film.session.fatal().is_none() {
            let last = self
                .film
                .frames
                .lock()
                .ok()
                .and_then(|f| f.last().map(|l| l.jpeg.clone()));
            self.film.take(&mut last.unwrap_or_default()).await;
        }
        self.film
            .frames
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }
}

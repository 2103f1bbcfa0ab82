//! The page's screencast for a trace: Chromium sends a JPEG frame whenever the page's
//! pixels change (`Page.startScreencast`); each is acknowledged so the next one comes.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::page::{
    EventScreencastFrame, ScreencastFrameAckParams, StartScreencastFormat, StartScreencastParams,
};
use futures::StreamExt;

use crate::browser::{now_ms, BrowserError, Session};

/// Most frames kept per trace (about 30 MB of small JPEGs); later ones are dropped.
const MAX_FRAMES: usize = 1000;

/// One frame of the screencast.
#[derive(Debug)]
pub(super) struct Frame {
    pub wall_ms: f64,
    pub width: f64,
    pub height: f64,
    pub jpeg: Vec<u8>,
}

/// A screencast being recorded.
#[derive(Debug)]
pub(super) struct Screencast {
    frames: Arc<Mutex<Vec<Frame>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Screencast {
    /// Starts the screencast of `session`'s tab.
    pub(super) async fn start(session: &Session) -> Result<Screencast, BrowserError> {
        let page = session.page().clone();
        let mut stream = page
            .event_listener::<EventScreencastFrame>()
            .await
            .map_err(|e| BrowserError::Cdp(format!("Page.screencastFrame: {e}")))?;
        let params = StartScreencastParams::builder()
            .format(StartScreencastFormat::Jpeg)
            .quality(50)
            .max_width(800)
            .max_height(600)
            .build();
        page.execute(params)
            .await
            .map_err(|e| BrowserError::Cdp(format!("Page.startScreencast: {e}")))?;
        let frames: Arc<Mutex<Vec<Frame>>> = Arc::default();
        let kept = frames.clone();
        let task = tokio::spawn(async move {
            while let Some(event) = stream.next().await {
                let _ = page
                    .execute(ScreencastFrameAckParams::new(event.session_id))
                    .await;
                let data: &str = event.data.as_ref();
                let Ok(jpeg) = base64::engine::general_purpose::STANDARD.decode(data) else {
                    continue;
                };
                let wall_ms = event
                    .metadata
                    .timestamp
                    .as_ref()
                    .map(|t| *t.inner() * 1000.0)
                    .unwrap_or_else(now_ms);
                if let Ok(mut f) = kept.lock() {
                    if f.len() < MAX_FRAMES {
                        f.push(Frame {
                            wall_ms,
                            width: event.metadata.device_width,
                            height: event.metadata.device_height,
                            jpeg,
                        });
                    }
                }
            }
        });
        Ok(Screencast { frames, task })
    }

    /// Stops the screencast (on `session`, when it is still there) and returns the frames.
    pub(super) async fn stop(self, session: Option<&Session>) -> Vec<Frame> {
        if let Some(s) = session.filter(|s| s.fatal().is_none()) {
            let _ = s.cdp("Page.stopScreencast", serde_json::json!({})).await;
        }
        self.task.abort();
        self.frames
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }
}

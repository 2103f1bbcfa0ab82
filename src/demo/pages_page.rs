//! Demo pages for the page-level primitives: load states (a slow image and a request made
//! after `load`), JavaScript dialogs, same- and cross-origin frames, new tabs, and console
//! messages with failing requests; plus the slow image and the status endpoint they use.

use std::time::Duration;

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

/// An image that takes 1.5 s, and after `load` a request that takes 1.2 s.
pub const SLOW_LOAD: &str = r#"<h1>Slow load</h1>
<p>Image: <img id="slow-img" src="/pages/slow-image?ms=1500" width="20" height="20" alt="slow"></p>
<p>After load: <span id="xhr"></span></p>
<script>
window.addEventListener('load', () => {
  fetch('/api/slow?ms=1200').then((r) => r.json()).then((j) => { document.getElementById('xhr').textContent = j.result; });
});
</script>"#;

/// A page whose image never arrives (within a minute): it never reaches `load`.
pub const NEVER_LOADS: &str = r#"<h1>Never loads</h1>
<p>Waiting: <img src="/pages/slow-image?ms=60000" width="20" height="20" alt="never"></p>"#;

/// Buttons that open an alert, a confirm and a prompt; the answer shows in `#result`.
pub const DIALOGS: &str = r#"<h1>Dialogs</h1>
<button id="alert" onclick="alert('Hello from the page'); document.getElementById('result').textContent = 'alert closed';">Alert</button>
<button id="confirm" onclick="document.getElementById('result').textContent = confirm('Delete it?') ? 'confirmed' : 'cancelled';">Confirm</button>
<button id="prompt" onclick="const a = prompt('Your name?', 'Ada'); document.getElementById('result').textContent = a === null ? 'no answer' : 'name: ' + a;">Prompt</button>
<p id="result"></p>"#;

/// A same-origin frame and a cross-origin one (`localhost` instead of `127.0.0.1`, with a
/// border and padding), each holding a nested frame.
pub const FRAMES: &str = r#"<h1>Frames</h1>
<iframe id="same" name="same-frame" src="/pages/frame-child?name=same" width="300" height="200"></iframe>
<iframe id="cross" name="cross-frame" width="420" height="300" style="border: 7px solid #345; padding: 5px; margin-left: 30px"></iframe>
<script>
document.getElementById('cross').src = 'http://localhost:' + location.port + '/pages/frame-child?name=cross';
</script>"#;

/// The child of [`FRAMES`]: a button that counts clicks and a nested frame.
pub const FRAME_CHILD: &str = r#"<h1>Child frame</h1>
<p id="where"></p>
<iframe name="grandchild" src="/pages/frame-grandchild" width="300" height="200" style="border: 3px solid #888; padding: 4px"></iframe>
<script>
document.getElementById('where').textContent = new URLSearchParams(location.search).get('name') + ' ' + location.host;
</script>"#;

/// The frame inside [`FRAME_CHILD`]: a button that counts real clicks.
pub const FRAME_GRANDCHILD: &str = r#"<h1>Grandchild frame</h1>
<button id="count" style="margin: 10px 0 0 25px" onclick="this.textContent = String(Number(this.dataset.n = (Number(this.dataset.n || 0) + 1)))">0</button>"#;

/// A link that opens a new tab and a button that opens a window with `window.open`.
pub const WINDOWS: &str = r#"<h1>Windows</h1>
<a id="new-tab" href="/pages/second-window" target="_blank">Open a tab</a>
<button id="open-window" onclick="window.open('/pages/second-window?by=open', '_blank')">Open a window</button>"#;

/// The page [`WINDOWS`] opens.
pub const SECOND_WINDOW: &str = r#"<h1>Second window</h1><p id="here">the second window</p>"#;

/// A page that logs, warns, errors, throws and fetches a missing page and a failing one.
pub const CONSOLE: &str = r#"<h1>Console</h1>
<script>
console.log('hello', 42, { a: 1 });
console.warn('careful now');
console.error('something broke');
setTimeout(() => { throw new Error('uncaught boom'); }, 0);
Promise.all([fetch('/pages/status?code=404'), fetch('/pages/status?code=500')]).then(() => { document.title = 'Console done'; });
</script>"#;

/// A quiet page whose button logs at every level, throws, fetches a missing page (404) and a
/// failing one (500), and whose total never becomes what a test asserts.
pub const EVIDENCE: &str = r#"<h1 id="total">Total: 3</h1>
<button id="go" onclick="act()">Go</button>
<p id="done"></p>
<script>
function act() {
  console.debug('debug-1');
  console.log('log-2', 2);
  console.info('info-3');
  console.warn('warn-4');
  console.error('error-5');
  Promise.all([fetch('/pages/status?code=404'), fetch('/pages/status?code=500')])
    .then(() => { document.getElementById('done').textContent = 'fetched'; });
  throw new TypeError('thrown-6');
}
</script>"#;

#[derive(serde::Deserialize)]
pub(super) struct Delay {
    ms: Option<u64>,
}

#[derive(serde::Deserialize)]
pub(super) struct Code {
    code: Option<u16>,
}

/// A small SVG image sent after `ms` milliseconds (at most a minute).
pub(super) async fn slow_image(Query(d): Query<Delay>) -> impl IntoResponse {
    let ms = d.ms.unwrap_or(1000).min(60_000);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="green"/></svg>"#,
    )
}

/// A reply with status `code` (200 when missing or not a status).
pub(super) async fn status(Query(c): Query<Code>) -> impl IntoResponse {
    let code = c
        .code
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::OK);
    (code, format!("status {}", code.as_u16()))
}

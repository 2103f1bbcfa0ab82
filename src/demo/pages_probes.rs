//! Demo pages for the browser-side probes: a page that leaks on every click (detached nodes
//! kept in a global array, a `scroll` listener per node) and its clean twin, which makes the
//! same nodes and drops them.

/// Every click of `#grow` makes 300 detached nodes and keeps them, with a listener each.
pub const LEAK: &str = r#"<h1>Leaky page</h1>
<button id="grow">Grow</button> <span id="clicks">0</span> clicks
<script>
window.kept = [];
let clicks = 0;
document.getElementById('grow').onclick = () => {
  for (let i = 0; i < 300; i++) {
    const d = document.createElement('div');
    d.textContent = 'kept '.repeat(200) + i;
    window.kept.push(d);
    document.addEventListener('scroll', () => d.id);
  }
  document.getElementById('clicks').textContent = String(++clicks);
};
</script>"#;

/// The clean twin of [`LEAK`]: the same nodes, dropped at once.
pub const CLEAN: &str = r#"<h1>Clean page</h1>
<button id="grow">Grow</button> <span id="clicks">0</span> clicks
<script>
let clicks = 0;
document.getElementById('grow').onclick = () => {
  let made = 0;
  for (let i = 0; i < 300; i++) {
    const d = document.createElement('div');
    d.textContent = 'gone '.repeat(200) + i;
    made += d.textContent.length > 0 ? 1 : 0;
  }
  document.getElementById('clicks').textContent = String(++clicks);
};
</script>"#;

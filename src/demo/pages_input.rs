//! Demo pages for element actions: one whose elements become actionable late (or never),
//! and a form page that counts the key and mouse events it receives, with every kind of
//! locator target (roles, labels, placeholders, test ids, a shadow root).

/// Elements that appear late, are covered until an overlay fades, are disabled for a while,
/// slide into place, or stay covered, disabled, hidden or moving (`#forever` moves while
/// the body has the class `go`). Clicks are listed in `#out`.
pub const WAIT: &str = r##"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Waiting</title>
<style>
.wrap { position: relative; display: inline-block; margin: 8px; }
.overlay { position: absolute; inset: 0; background: #0008; transition: opacity .3s; }
#slide { position: relative; left: 0; transition: left .6s linear; }
@keyframes sway { from { transform: translateX(0); } to { transform: translateX(200px); } }
body.go #forever { animation: sway .5s linear infinite alternate; }
</style></head><body>
<h1>Waiting</h1>
<p id="out"></p>
<button id="late" style="display:none" onclick="hit('late')">late</button>
<span class="wrap"><button id="covered" onclick="hit('covered')">covered</button><span class="overlay" id="fade"></span></span>
<button id="disabled" disabled onclick="hit('disabled')">disabled</button>
<button id="slide" onclick="hit('slide')">slide</button>
<span class="wrap"><button id="never" onclick="hit('never')">never</button><span class="overlay" id="shade"></span></span>
<button id="off" disabled onclick="hit('off')">off</button>
<button id="hidden" style="visibility:hidden" onclick="hit('hidden')">hidden</button>
<button id="forever" onclick="hit('forever')">forever</button>
<div style="margin-top:2400px"><button id="below" onclick="hit('below')">below</button></div>
<script>
const got = [];
function hit(n) { got.push(n); document.getElementById('out').textContent = got.join(','); }
setTimeout(() => { document.getElementById('late').style.display = 'inline'; }, 600);
setTimeout(() => {
  const o = document.getElementById('fade');
  o.addEventListener('transitionend', () => o.remove());
  o.style.opacity = '0';
}, 500);
setTimeout(() => { document.getElementById('disabled').disabled = false; }, 700);
requestAnimationFrame(() => requestAnimationFrame(() => { document.getElementById('slide').style.left = '300px'; }));
</script></body></html>"##;

/// Text fields that count their events, a form submitted by Enter, a select, checkboxes,
/// radios, a file input, a hover menu, a box for pictures, and locator targets.
pub const FORMS: &str = r##"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forms</title>
<style>
body { font-family: sans-serif; margin: 16px; }
.menu { position: absolute; right: 24px; top: 16px; }
.menu ul { display: none; margin: 0; }
.menu:hover ul { display: block; }
#box { width: 120px; height: 40px; background: #c33; }
</style></head><body>
<h1>Forms</h1>
<form id="typing" onsubmit="event.preventDefault(); document.getElementById('submitted').textContent = 'submitted: ' + document.getElementById('field').value;">
  <input id="field" name="field" value="old text">
</form>
<p id="submitted"></p>
<input id="counted" placeholder="Type here"> <button id="elsewhere">elsewhere</button>
<p id="counts"></p>
<p id="keys"></p>
<textarea id="area"></textarea>
<div id="editable" contenteditable="true" style="min-height:20px;border:1px solid #999"></div>
<input id="readonly" readonly value="fixed">
<select id="fruit"><option value="a">Apple</option><option value="b">Banana</option><option value="c" disabled>Cherry</option></select>
<p id="fruit-out"></p>
<input type="checkbox" id="agree"><label for="agree">I agree</label>
<input type="radio" name="size" id="small" value="s"><input type="radio" name="size" id="large" value="l">
<input type="file" id="upload"><p id="upload-out"></p>
<div id="plain">plain text block</div>
<div class="menu"><span id="menu-title">Menu</span><ul id="menu-items"><li>First item</li></ul></div>
<button id="mouse">mouse</button><p id="mouse-log"></p>
<div id="box"></div>
<div id="locators">
  <button name="go-name" class="primary big" onclick="document.getElementById('mouse-log').textContent = 'signed in'">Sign in</button>
  <button>Sign out</button>
  <a href="#exact">Exact link</a> <a href="#other">Another link text</a>
  <label>Email address <input id="email"></label>
  <span id="pw-label">Secret word</span><input id="pw" aria-labelledby="pw-label">
  <input id="search" aria-label="Search the site">
  <input id="city" placeholder="Your city">
  <div data-testid="card">a card</div>
  <h2>Heading two</h2>
  <div id="host"></div>
</div>
<script>
const counts = { keydown: 0, keypress: 0, input: 0, keyup: 0, change: 0 };
const counted = document.getElementById('counted');
const show = () => { document.getElementById('counts').textContent = Object.entries(counts).map(([k, v]) => k + '=' + v).join(' '); };
for (const k of Object.keys(counts)) counted.addEventListener(k, () => { counts[k]++; show(); });
show();
const keys = [];
document.getElementById('area').addEventListener('keydown', (e) => { keys.push(e.key + ':' + e.code + ':' + e.keyCode + (e.shiftKey ? ':shift' : '')); document.getElementById('keys').textContent = keys.join(' '); });
document.getElementById('fruit').addEventListener('change', (e) => { document.getElementById('fruit-out').textContent = 'change: ' + e.target.value; });
document.getElementById('upload').addEventListener('change', (e) => {
  const f = e.target.files[0];
  document.getElementById('upload-out').textContent = f ? f.name + ' ' + f.size : 'none';
});
const log = [];
const m = document.getElementById('mouse');
for (const k of ['click', 'dblclick', 'contextmenu', 'auxclick']) m.addEventListener(k, (e) => { if (k === 'contextmenu') e.preventDefault(); log.push(k + ':' + e.button); document.getElementById('mouse-log').textContent = log.join(' '); });
document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML = '<button class="inner" onclick="this.textContent = \'pressed\'">Shadow button</button><span>shadow words</span>';
</script></body></html>"##;

//! The demo site's HTML pages: constant page bodies, and the askama templates
//! (`src/demo/templates/`) that wrap them in the site's layout and make the one page built
//! from a request (the welcome after a login). The templates escape every value they print.

use askama::Template;

/// A page of the site: a constant body in the layout, with the `traceparent` its request
/// carried (escaped: it comes from the request). `body` is `'static` so that only the site's
/// own markup is ever written unescaped.
#[derive(Template)]
#[template(path = "layout.html")]
pub struct Page<'a> {
    title: &'static str,
    body: &'static str,
    traceparent: &'a str,
}

impl<'a> Page<'a> {
    /// `body` in the layout, titled by its first `<h1>`.
    pub fn new(body: &'static str, traceparent: &'a str) -> Page<'a> {
        Page {
            title: title_of(body),
            body,
            traceparent,
        }
    }
}

/// The page after a successful login, greeting `user`.
#[derive(Template)]
#[template(path = "welcome.html")]
pub struct Welcome<'a> {
    pub user: &'a str,
    pub traceparent: &'a str,
}

/// The text of a body's first plain `<h1>`, else `webrunner demo`.
fn title_of(body: &'static str) -> &'static str {
    body.split("<h1>")
        .nth(1)
        .and_then(|s| s.split("</h1>").next())
        .unwrap_or("webrunner demo")
}

pub const INDEX: &str = r#"<h1>Demo shop</h1>
<div class="card"><p>A small shop for trying flows: <a id="to-login" href="/login">log in</a>,
browse <a id="to-products" href="/products">products</a>, wait for a <a href="/delayed">delayed result</a>.</p></div>
<div class="card"><h2>Interaction pages</h2><ul id="interaction-pages">
<li><a href="/form">Form with every input kind</a></li>
<li><a href="/hover">Hover menu</a></li>
<li><a href="/frame">Form in an iframe</a></li>
<li><a href="/windows">New tabs and windows</a></li>
<li><a href="/dialogs">Alert, confirm and prompt</a></li>
<li><a href="/timing">Late and covered buttons</a></li>
<li><a href="/drag">Drag and drop</a></li>
<li><a href="/keys">Key logger</a></li>
<li><a href="/storage">Storage and cookies</a></li>
</ul></div>"#;

pub const LOGIN: &str = r#"<h1>Login</h1>
<form class="card" method="post" action="/login">
<p><label>User <input id="username" name="username" autocomplete="off"></label></p>
<p><label>Password <input id="password" name="password" type="password"></label></p>
<button id="submit" type="submit">Sign in</button>
</form>"#;

/// The page after a failed login.
pub const LOGIN_FAILED: &str = r#"<h1>Login</h1><div class="card"><p id="error" style="color:#b00">Wrong user name or password.</p><a href="/login">Try again</a></div>"#;

pub const PRODUCTS: &str = r#"<h1>Products</h1>
<div class="card">
<ul id="products">
<li class="product" data-price="12.50">Teapot <span class="price">$12.50</span> <button class="add">Add</button></li>
<li class="product" data-price="29.50">Kettle <span class="price">$29.50</span> <button class="add">Add</button></li>
<li class="product" data-price="4.00">Mug <span class="price">$4.00</span> <button class="add">Add</button></li>
</ul>
<p>Items: <span id="cart-count">0</span> · Total: <span id="cart-total">$0.00</span></p>
</div>
<script>
let total = 0, count = 0;
for (const b of document.querySelectorAll('.add')) {
  b.addEventListener('click', () => {
    total += parseFloat(b.parentElement.dataset.price); count += 1;
    document.getElementById('cart-count').textContent = String(count);
    document.getElementById('cart-total').textContent = '$' + total.toFixed(2);
  });
}
</script>"#;

pub const DELAYED: &str = r#"<h1>Delayed result</h1>
<div class="card"><button id="load">Load</button> <span id="result"></span></div>
<script>
document.getElementById('load').addEventListener('click', async () => {
  document.getElementById('result').textContent = 'Loading…';
  const r = await fetch('/api/slow?ms=600');
  const data = await r.json();
  document.getElementById('result').textContent = data.result;
});
</script>"#;

pub const LATE: &str = r#"<h1>Late element</h1>
<div class="card"><p>A notice appears here 0.8 s after the page loads.</p><div id="slot"></div></div>
<script>
setTimeout(() => {
  const p = document.createElement('p');
  p.id = 'late'; p.textContent = 'I was late';
  document.getElementById('slot').appendChild(p);
}, 800);
</script>"#;

pub const PLAYGROUND: &str = r#"<h1>Playground</h1>
<div class="card" style="position:relative">
<div id="overlay"></div>
<button id="covered">Covered</button>
</div>
<div class="card">
<input id="name" value="initial"> <textarea id="notes">old notes</textarea>
<label><input id="agree" type="checkbox"> agree</label>
<a id="link" href="/products" data-kind="nav" title="to products">Go to products</a>
<button id="counter" onclick="this.textContent = String(Number(this.textContent) + 1)">0</button>
<p id="hidden" style="display:none">secret</p>
<p>Deep <span><b id="deep">needle text here</b></span></p>
</div>"#;

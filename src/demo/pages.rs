//! The demo site's HTML pages.

/// Escapes text for HTML element content and attribute values (the reports' escaper).
pub use webrunner_report::escape::html as escape;

/// Wraps a page body with the site's header, style and `traceparent` footer.
pub fn layout(body: &str, traceparent: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 0; background: #f6f7f9; color: #1d232b; }}
header {{ background: #24435c; color: white; padding: 12px 24px; }}
header a {{ color: #cfe3f5; margin-right: 16px; }}
main {{ padding: 24px; max-width: 760px; }}
.card {{ background: white; border-radius: 6px; padding: 16px; margin: 12px 0; box-shadow: 0 1px 3px #0002; }}
button {{ padding: 6px 14px; }}
#overlay {{ position: absolute; left: 0; top: 0; width: 220px; height: 60px; background: #fffc; }}
footer {{ color: #6a7480; font-size: 12px; padding: 8px 24px; }}
</style></head><body>
<header><strong>webrunner demo shop</strong> <a href="/">Home</a><a href="/login">Login</a><a href="/products">Products</a><a href="/delayed">Delayed</a><a href="/late">Late</a></header>
<main>{body}</main>
<footer>traceparent received: <code id="traceparent">{tp}</code></footer>
</body></html>"#,
        title = title_of(body),
        tp = escape(if traceparent.is_empty() {
            "(none)"
        } else {
            traceparent
        }),
    )
}

fn title_of(body: &str) -> String {
    body.split("<h1>")
        .nth(1)
        .and_then(|s| s.split("</h1>").next())
        .unwrap_or("webrunner demo")
        .to_string()
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

/// The page after a successful login.
pub fn welcome(user: &str) -> String {
    format!(
        r#"<h1>Welcome</h1><div class="card"><p id="welcome">Welcome, {}!</p><a href="/products">Continue shopping</a></div>"#,
        escape(user)
    )
}

/// The page after a failed login.
pub fn login_failed() -> String {
    r#"<h1>Login</h1><div class="card"><p id="error" style="color:#b00">Wrong user name or password.</p><a href="/login">Try again</a></div>"#.to_string()
}

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

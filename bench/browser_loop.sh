#!/usr/bin/env bash
# Browser loop: 200 x (click a button, read its text) on a local page, steps per second,
# webrunner (CDP) and the Python WebRunner (Selenium + chromedriver) side by side on the same
# page served by one local HTTP server.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
cargo build --release --example bench_browser_loop >&2
site=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$site"' EXIT
cat >"$site/page.html" <<'HTML'
<!doctype html><title>loop</title><button id="counter" onclick="this.textContent = String(Number(this.textContent) + 1)">0</button>
HTML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$site" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/page.html" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/page.html"
rust=$(target/release/examples/bench_browser_loop "$url" "$N")
printf 'browser loop steps/s (webrunner, CDP)\t%s\tsteps/s\t%s x (click, read text)\n' "$rust" "$N"
if python3 -c "import je_web_runner" 2>/dev/null && command -v chromedriver >/dev/null; then
  py=$(SE_OFFLINE=true python3 bench/py/browser_loop.py "$url" "$N")
  printf 'browser loop steps/s (Python WebRunner, Selenium)\t%s\tsteps/s\tchromedriver\n' "$py"
  printf 'browser loop ratio (webrunner / Python)\t%s\tx\tgoal >= 2x\n' "$(python3 -c "print(f'{$rust / $py:.1f}')")"
else
  printf 'browser loop steps/s (Python WebRunner)\tskipped\t\tneeds je-web-runner and chromedriver\n'
fi

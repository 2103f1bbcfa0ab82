#!/usr/bin/env bash
# Browser loop: 200 x (click a button, read its text) on one local page, steps per second,
# in one run: webrunner (CDP; evidence capture on, and off for its cost; --trace on for the
# trace recorder's cost), Playwright (playwright-core on the same Chromium) and the
# Python WebRunner (Selenium + chromedriver), each with its ratio to Playwright.
# Each figure is the median of 3 runs. Playwright and the Python WebRunner are skipped with a
# note when npm / je_web_runner + chromedriver are missing. Prints bench/run's result lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
RUNS=${RUNS:-3}
cargo build --release --example bench_browser_loop >&2
site=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$site"' EXIT
cat >"$site/page.html" <<'HTML'
<!doctype html><title>loop</title><button id="counter" onclick="this.textContent = String(Number(this.textContent) + 1)">0</button>
HTML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$site" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/page.html" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/page.html"

# median of RUNS runs of "$@" (each prints one number); FAILED when any run fails
median() {
  local out=() v
  for _ in $(seq "$RUNS"); do
    v=$("$@") || { echo FAILED; return; }
    out+=("$v")
  done
  printf '%s\n' "${out[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# Capture on and off alternate run by run, so a change in the machine's load falls on both.
loop_bin="${CARGO_TARGET_DIR:-target}"/release/examples/bench_browser_loop
ons=() offs=() traced=()
for _ in $(seq "$RUNS"); do
  ons+=("$("$loop_bin" "$url" "$N" || echo FAILED)")
  offs+=("$("$loop_bin" "$url" "$N" off || echo FAILED)")
  traced+=("$("$loop_bin" "$url" "$N" trace || echo FAILED)")
done
mid() { printf '%s\n' "$@" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
rust=$(mid "${ons[@]}")
rust_off=$(mid "${offs[@]}")
rust_trace=$(mid "${traced[@]}")
pw=skipped
if command -v npm >/dev/null && command -v node >/dev/null; then
  modules=$(bench/pw/install.sh) || modules=
  pw=$(NODE_PATH=$modules median node bench/pw/browser_loop.js "$url" "$N")
fi
py=skipped
if python3 -c "import je_web_runner" 2>/dev/null && command -v chromedriver >/dev/null; then
  py=$(SE_OFFLINE=true median python3 bench/py/browser_loop.py "$url" "$N")
fi

ratio() { # $1 / Playwright's figure, or "-" when either is missing
  python3 -c "import sys; a, b = sys.argv[1:]; ok = lambda x: x.replace('.', '', 1).isdigit(); print(f'{float(a) / float(b):.2f}' if ok(a) and ok(b) else '-')" "$1" "$pw"
}
# Result lines for bench/run: metric<TAB>value<TAB>unit<TAB>note
note="$N x (click, read text), median of $RUNS"
printf 'browser loop steps/s (webrunner, CDP)\t%s\tsteps/s\t%s\n' "$rust" "$note"
printf 'browser loop steps/s (webrunner, evidence capture off)\t%s\tsteps/s\t%s\n' "$rust_off" "$note"
printf 'browser loop capture cost (1 - on / off)\t%s\t%%\t\n' "$(python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{(1 - a / b) * 100:.1f}')" "$rust" "$rust_off")"
printf 'browser loop steps/s (webrunner, --trace on)\t%s\tsteps/s\t%s\n' "$rust_trace" "$note"
printf 'browser loop trace cost (1 - traced / untraced)\t%s\t%%\t\n' "$(python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{(1 - a / b) * 100:.1f}')" "$rust_trace" "$rust")"
printf 'browser loop steps/s (Playwright)\t%s\tsteps/s\t%s\n' "$pw" "$note"
printf 'browser loop steps/s (Python WebRunner, Selenium)\t%s\tsteps/s\t%s\n' "$py" "$note"
printf 'browser loop ratio webrunner / Playwright\t%s\tx\t\n' "$(ratio "$rust")"
printf 'browser loop ratio Python WebRunner / Playwright\t%s\tx\t\n' "$(ratio "$py")"

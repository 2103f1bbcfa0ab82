#!/usr/bin/env bash
# Failure clustering speed: 200k failures (a realistic mix of Selenium, chromedriver,
# Playwright, Puppeteer, Cypress and webrunner messages with varying selectors, versions,
# timings, URLs and stack traces). Times, in one run:
#   - the Python WebRunner in-process (cluster_failures + cluster_summary on the loaded list),
#   - the whole `webrunner cluster FILE --format json` process, default rules and --rules seed.
# Prints metric<TAB>value<TAB>unit<TAB>note lines (see bench/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
bin="$root/target/release/webrunner"
n="${CLUSTER_BENCH_N:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release --bin webrunner >&2)
fi
python3 - "$n" "$work/failures.json" <<'PY'
import json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
sels = ["#login", ".btn-primary", "//div[@id='main']/span[2]", "[data-test=submit]", "#user_{i}", "input[name=q{i}]"]
def sel(): return rng.choice(sels).format(i=rng.randint(1, 999))
def ver(): return f"{rng.randint(100,135)}.0.{rng.randint(1000,7000)}.{rng.randint(10,250)}"
def hexa(k): return "".join(rng.choice("0123456789abcdef") for _ in range(k))
def frames(k): return "".join(f"\n#{j} 0x{hexa(12)} <unknown>" for j in range(k))
def url(): return rng.choice(["http://localhost:%d/" % rng.randint(3000, 9000), "https://staging-%d.example.com/app" % rng.randint(1, 50)])
T = [
 lambda: f'selenium.common.exceptions.NoSuchElementException: Message: no such element: Unable to locate element: {{"method":"css selector","selector":"{sel()}"}}\n  (Session info: chrome={ver()})\nStacktrace:' + frames(rng.randint(2, 6)),
 lambda: f"selenium.common.exceptions.StaleElementReferenceException: Message: stale element reference: element is not attached to the page document\n  (Session info: chrome={ver()})",
 lambda: f'Message: element click intercepted: Element <button class="b{rng.randint(1,99)}">...</button> is not clickable at point ({rng.randint(1,1900)}, {rng.randint(1,1000)}). Other element would receive the click: <div class="overlay"></div>',
 lambda: f"selenium.common.exceptions.SessionNotCreatedException: Message: session not created: This version of ChromeDriver only supports Chrome version {rng.randint(100,130)}\nCurrent browser version is {ver()} with binary path /usr/bin/google-chrome",
 lambda: f"TimeoutError: locator.click: Timeout {rng.choice([5000,10000,30000])}ms exceeded.\nCall log:\n  - waiting for locator('{sel()}')\n  -   locator resolved to <button id=\"b{rng.randint(1,9)}\">Go</button>\n  -   <div class=\"modal\"></div> intercepts pointer events\n  - retrying click action, attempt #{rng.randint(1,40)}",
 lambda: f"Error: page.goto: net::ERR_CONNECTION_REFUSED at {url()}\nCall log:\n  - navigating to \"{url()}\", waiting until \"load\"",
 lambda: f"TimeoutError: Navigation timeout of {rng.choice([30000,60000])} ms exceeded\n    at LifecycleWatcher._createTimeoutPromise (/app/node_modules/puppeteer/lib/LifecycleWatcher.js:{rng.randint(100,200)}:{rng.randint(1,40)})",
 lambda: f"CypressError: Timed out retrying after {rng.choice([4000,10000])}ms: Expected to find element: `{sel()}`, but never found it.",
 lambda: f"no element matches css=\"{sel()}\" (failure screenshot: out/screenshots/2024050{rng.randint(1,9)}_10{rng.randint(10,59)}{rng.randint(10,59)}_{rng.randint(100000,999999)}_WR_click.png)",
 lambda: f"timed out after {rng.choice(['5.0','10.0','2.5'])}s waiting for css=\"{sel()}\" to be visible",
 lambda: f"AssertionError: expected text of css=\"h1\" to contain \"Welcome {rng.randint(1,500)}\", found \"Error {rng.choice([404,500,502])}\"",
 lambda: f"Error: Failed to launch the browser process!\n/root/.cache/puppeteer/chrome/linux-{ver()}/chrome-linux64/chrome: error while loading shared libraries: libnss3.so: cannot open shared object file: No such file or directory",
]
failures = []
for i in range(n):
    t = rng.randrange(len(T))
    f = {"function_name": f"test_{t}_{i % 500}", "exception": T[t](), "file_path": f"tests/test_{i % 300}.py"}
    if i % 17 == 0:
        f = {"function_name": f["function_name"], "error": f.pop("exception"), "file_path": f["file_path"]}
    failures.append(f)
json.dump(failures, open(out, "w"))
PY
size=$(stat -c %s "$work/failures.json")
echo "generated $n failures, $size bytes" >&2

python_out=$(python3 - "$work/failures.json" <<'PY'
import json, sys, time
from je_web_runner.utils.failure_cluster.clustering import cluster_failures, cluster_summary
failures = json.load(open(sys.argv[1]))
best = None
for _ in range(3):
    t0 = time.perf_counter()
    summary = cluster_summary(cluster_failures(failures))
    dt = time.perf_counter() - t0
    best = dt if best is None or dt < best else best
print(f"{best*1000:.1f} {len(summary)}")
PY
) || python_out=""

# Best of 10 wall-clock runs of the whole process: a run takes a fifth of a second, so a
# burst of load from elsewhere on a shared machine can swallow several of them.
runs=10
time_cli() {
  local best="" t0 t1 ms
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    "$bin" cluster "$work/failures.json" --format json "$@" >"$work/out.json"
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}
default_us=$(time_cli)
default_clusters=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/out.json")
seed_us=$(time_cli --rules seed)
seed_clusters=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/out.json")

awk -v us="$default_us" -v n="$n" -v c="$default_clusters" -v r="$runs" 'BEGIN{printf "cluster_200k_default_process\t%.1f\tms\twhole `webrunner cluster --format json` process, %d failures, %d clusters, best of %d\n", us/1000, n, c, r}'
awk -v us="$seed_us" -v n="$n" -v c="$seed_clusters" -v r="$runs" 'BEGIN{printf "cluster_200k_seed_process\t%.1f\tms\twhole process with --rules seed, %d clusters, best of %d\n", us/1000, c, r}'
if [ -n "$python_out" ]; then
  py_ms=${python_out% *}
  py_clusters=${python_out#* }
  printf 'cluster_200k_python_inprocess\t%s\tms\tje_web_runner cluster_failures+cluster_summary in-process (list already loaded), %s clusters, best of 3\n' "$py_ms" "$py_clusters"
  awk -v p="$py_ms" -v us="$default_us" 'BEGIN{printf "speedup_default_vs_python\t%.1f\tx\tPython in-process / whole Rust process (default rules)\n", p/(us/1000)}'
  awk -v p="$py_ms" -v us="$seed_us" 'BEGIN{printf "speedup_seed_vs_python\t%.1f\tx\tPython in-process / whole Rust process (--rules seed)\n", p/(us/1000)}'
else
  printf 'cluster_200k_python_inprocess\tn/a\tms\tpython3 with je_web_runner not available\n'
fi

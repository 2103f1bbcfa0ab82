#!/usr/bin/env bash
# Report benchmarks.
#  - Live dashboard under load: 10k saved records served by `webrunner dashboard` on
#    loopback, 50 keep-alive clients requesting /records for 10 s: errors, req/s, p50/p99.
#  - Replay studio for 10k records and 100 screenshots: wall time and file size of
#    `webrunner replay` (whole process: read records.json, embed the screenshots, write), side
#    by side with the Python WebRunner's `export_replay_studio` / `build_replay_html` on the
#    same records and screenshot folder (call time only, interpreter start and import excluded).
# Result lines: metric<TAB>value<TAB>unit<TAB>note; everything else goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/release/webrunner"
[ -x "$bin" ] || cargo build --release --bin webrunner >&2
cargo build --release -p webrunner-report --example dashboard_load >&2
load="$target/release/examples/dashboard_load"

work="$(mktemp -d)"
dash_pid=""
cleanup() {
  if [ -n "$dash_pid" ]; then kill "$dash_pid" 2>/dev/null || true; wait "$dash_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 10k records over 4 flows, every 10th failed; 100 failure screenshots (1280x720 PNG, some
# incompressible rows so each is ~150 KB) named by the failure screenshot rule.
python3 - "$work" >&2 <<'PY'
import json, os, struct, sys, zlib
work = sys.argv[1]
shots = os.path.join(work, "screenshots")
os.makedirs(shots)
def png(path, seed):
    w, h = 1280, 720
    rows = []
    for y in range(h):
        if y % 18 == seed % 18:
            rows.append(b"\0" + os.urandom(w * 3))
        else:
            c = bytes(((y * 7 + seed * 13) % 256, (seed * 31) % 256, (y // 3) % 256))
            rows.append(b"\0" + c * w)
    raw = zlib.compress(b"".join(rows), 6)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
records, made = [], 0
for i in range(10_000):
    command = f"WR_cmd_{i % 250}"
    failed = i % 10 == 3
    sec = i // 10
    rec = {
        "index": i % 2500, "command": command, "args": [f"#selector-{i}"], "kwargs": {"timeout": 5},
        "status": "failed" if failed else "passed",
        "started_at": f"2026-01-01T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.{(i % 10) * 100:03d}Z",
        "duration_ms": 80.0 + (i % 7) * 3.5, "attempts": 2 if i % 50 == 7 else 1, "flaky": i % 50 == 7,
        "result": None if failed else f"text {i}", "error": None, "artifacts": {}, "flow": f"flow_{i // 2500}.json",
    }
    if failed:
        rec["error"] = f"no element matches css #selector-{i}"
        if made < 100:
            path = os.path.join(shots, f"20260101_000000_{made:06d}_{command}.png")
            png(path, made)
            made += 1
            rec["artifacts"]["screenshot"] = path
            rec["error"] += f" (failure screenshot: {path})"
    records.append(rec)
with open(os.path.join(work, "records.json"), "w") as f:
    json.dump(records, f)
# The same records in the Python WebRunner's record shape.
py = [{"function_name": r["command"], "local_param": r["kwargs"] or r["args"], "time": r["started_at"],
       "program_exception": r["error"] if r["error"] else "None"} for r in records]
with open(os.path.join(work, "py_records.json"), "w") as f:
    json.dump(py, f)
PY

ms_now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# --- replay studio: webrunner (whole process), three runs, median
times=""
for _ in 1 2 3; do
  t0=$(ms_now)
  "$bin" replay "$work/records.json" --screenshots "$work/screenshots" -o "$work/replay.html" >/dev/null
  t1=$(ms_now)
  times+="$(( (t1 - t0) / 1000000 ))"$'\n'
done
rust_ms=$(printf '%s' "$times" | median)
rust_size=$(stat -c %s "$work/replay.html")
rust_imgs=$(grep -o 'data:image/png;base64,' "$work/replay.html" | wc -l)

# --- replay studio: Python WebRunner, same records and folder, three calls, median
py_out=$(python3 - "$work" 2>/dev/null <<'PY'
import json, os, statistics, sys, time, logging
logging.disable(logging.CRITICAL)
from je_web_runner.utils.replay_studio.replay_studio import export_replay_studio
work = sys.argv[1]
records = json.load(open(os.path.join(work, "py_records.json")))
out = os.path.join(work, "py_replay.html")
runs = []
for _ in range(3):
    t0 = time.perf_counter()
    export_replay_studio(out, records=records, screenshot_dir=os.path.join(work, "screenshots"), title="WebRunner replay")
    runs.append((time.perf_counter() - t0) * 1000)
html = open(out).read()
print(f"{statistics.median(runs):.0f} {os.path.getsize(out)} {html.count('<img ')}")
PY
)
read -r py_ms py_size py_imgs <<<"$py_out"

printf 'replay 10k records + 100 screenshots: webrunner\t%s\tms\twhole process, median of 3, images embedded (%s data: URIs)\n' "$rust_ms" "$rust_imgs"
printf 'replay 10k records + 100 screenshots: Python\t%s\tms\tbuild_replay_html + write, median of 3, images linked (%s <img> links)\n' "$py_ms" "$py_imgs"
printf 'replay speed-up vs Python\t%s\tx\t\n' "$(awk -v a="$py_ms" -v b="$rust_ms" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}')"
printf 'replay file size: webrunner\t%.2f\tMB\tself-contained, screenshots inside\n' "$(awk -v s="$rust_size" 'BEGIN {print s / 1e6}')"
printf 'replay file size: Python\t%.2f\tMB\tscreenshots referenced by path, not inside\n' "$(awk -v s="$py_size" 'BEGIN {print s / 1e6}')"
printf 'screenshot folder size\t%.2f\tMB\t100 PNG files\n' "$(du -sb "$work/screenshots" | awk '{print $1 / 1e6}')"

# --- dashboard under load
"$bin" dashboard "$work/records.json" --port 0 --format json --serve-for 120 >"$work/dash.json" 2>"$work/dash.err" &
dash_pid=$!
for _ in $(seq 1 100); do [ -s "$work/dash.json" ] && break; sleep 0.1; done
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/dash.json")
payload=$(python3 - "$url" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "records") as r:
    print(len(r.read()))
PY
)
printf 'dashboard /records payload (10k records)\t%.2f\tMB\t\n' "$(awk -v s="$payload" 'BEGIN {print s / 1e6}')"
"$load" "${url}records" --clients 50 --seconds 10 --expect-total 10000
kill "$dash_pid" 2>/dev/null || true
wait "$dash_pid" 2>/dev/null || true
dash_pid=""

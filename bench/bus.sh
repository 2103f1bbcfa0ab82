#!/usr/bin/env bash
# Event bus speed, side by side in one run: BUS_BENCH_N (200000) events of the acceptance
# check's shape ({"i": i, "pad": "x" * (i % 300)}).
#   - webrunner: the whole `webrunner bus publish BUS t --lines` process (publishes/s) and the
#     whole `webrunner bus poll BUS` process, output to /dev/null (lines/s); best of
#     BUS_BENCH_RUNS (3) runs each, on a file and, when redis-server is installed, on a Redis
#     stream (a server started on a free loopback port for the benchmark).
#   - the Python WebRunner's EventBus: publish in a loop (BUS_BENCH_PY_N, 50000) and poll(0)
#     of the same file, in process.
# Goal: >= 10x the Python WebRunner on both, on the file.
# Prints metric<TAB>value<TAB>unit<TAB>note lines (see bench/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
bin="${CARGO_TARGET_DIR:-$root/target}/release/webrunner"
n="${BUS_BENCH_N:-200000}"
py_n="${BUS_BENCH_PY_N:-50000}"
runs="${BUS_BENCH_RUNS:-3}"
py="${BUS_BENCH_PYTHON:-python3}"
work="$(mktemp -d)"
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release --bin webrunner >&2)
fi
python3 -c "import json, sys
for i in range(int(sys.argv[1])): print(json.dumps({'i': i, 'pad': 'x' * (i % 300)}))" "$n" >"$work/payloads"

now() { date +%s.%N; }
# best_of CMD...: the shortest wall time of $runs runs, in seconds.
best_of() {
  local best="" s e t
  for _ in $(seq "$runs"); do
    s=$(now); "$@"; e=$(now)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f", e - s }')
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  echo "$best"
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }

publish_file() { rm -f "$work/bus.log"; "$bin" bus publish "$work/bus.log" t --lines <"$work/payloads" >/dev/null; }
poll_file() { "$bin" bus poll "$work/bus.log" >/dev/null 2>&1; }
pub_s=$(best_of publish_file)
poll_s=$(best_of poll_file)
lines=$(wc -l <"$work/bus.log")
[ "$lines" -eq "$n" ] || { echo "published $lines lines, expected $n" >&2; exit 1; }
rs_pub=$(rate "$n" "$pub_s")
rs_poll=$(rate "$n" "$poll_s")
printf 'bus_file_publish_webrunner\t%s\tevents/s\twhole `bus publish --lines` process, %s events, best of %s\n' "$rs_pub" "$n" "$runs"
printf 'bus_file_poll_webrunner\t%s\tlines/s\twhole `bus poll` process to /dev/null, %s lines, best of %s\n' "$rs_poll" "$n" "$runs"

if "$py" -c "import je_web_runner.api.observability" 2>/dev/null; then
  read -r py_pub py_poll < <("$py" - "$work/py.log" "$work/bus.log" "$py_n" <<'PY'
import sys, time
from je_web_runner.api.observability import EventBus
out, bus, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
b = EventBus(out, sender="py")
t = time.perf_counter()
for i in range(n):
    b.publish("t", {"i": i, "pad": "x" * (i % 300)})
pub = n / (time.perf_counter() - t)
t = time.perf_counter()
got = len(EventBus(bus).poll(0))
poll = got / (time.perf_counter() - t)
print("%.0f %.0f" % (pub, poll))
PY
  )
  printf 'bus_file_publish_python\t%s\tevents/s\tEventBus.publish in a loop, in process, %s events\n' "$py_pub" "$py_n"
  printf 'bus_file_poll_python\t%s\tlines/s\tEventBus.poll(0) of the same %s lines, in process\n' "$py_poll" "$n"
  printf 'bus_file_publish_speedup\t%s\tx\twebrunner whole process / Python in process; goal >= 10\n' "$(awk -v a="$rs_pub" -v b="$py_pub" 'BEGIN { printf "%.1f", a / b }')"
  printf 'bus_file_poll_speedup\t%s\tx\twebrunner whole process / Python in process; goal >= 10\n' "$(awk -v a="$rs_poll" -v b="$py_poll" 'BEGIN { printf "%.1f", a / b }')"
else
  echo "$py cannot import je_web_runner (pip install je-web-runner, or set BUS_BENCH_PYTHON); Python side skipped" >&2
fi

if command -v redis-server >/dev/null 2>&1; then
  port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  k=0
  publish_redis() { k=$((k + 1)); "$bin" bus publish "redis://127.0.0.1:$port/bench$k" t --lines <"$work/payloads" >/dev/null; }
  poll_redis() { "$bin" bus poll "redis://127.0.0.1:$port/bench1" >/dev/null 2>&1; }
  rpub_s=$(best_of publish_redis)
  rpoll_s=$(best_of poll_redis)
  printf 'bus_redis_publish_webrunner\t%s\tevents/s\twhole `bus publish --lines` process to a local redis-server (XADD, pipelined)\n' "$(rate "$n" "$rpub_s")"
  printf 'bus_redis_poll_webrunner\t%s\tlines/s\twhole `bus poll` process from a local redis-server (XREAD)\n' "$(rate "$n" "$rpoll_s")"
else
  echo "redis-server not installed (apt-get install redis-server); Redis side skipped" >&2
fi

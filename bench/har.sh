#!/usr/bin/env bash
# HAR diff speed and memory: two generated HAR 1.2 files of 100k entries each (~127 MB,
# Chrome-like entries with base64 bodies of ~200 characters; the right one has requests
# removed, added, failing, slower and resized). Measures, in one run, with /usr/bin/time -v:
#   - the Python WebRunner: a python3 process running diff_har_files(left, right),
#   - the whole `webrunner har-diff LEFT RIGHT --format json` process (best of 3),
#   - the same with --match multiset --timing-threshold 50 --size-threshold 10,
# and checks that the Python and webrunner JSON are identical.
# Prints metric<TAB>value<TAB>unit<TAB>note lines (see bench/run). HAR_BENCH_N sets the size.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
bin="$root/target/release/webrunner"
gen="$root/target/release/examples/gen_bench_har"
n="${HAR_BENCH_N:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time" >&2
  (apt-get install -y time || (apt-get update && apt-get install -y time)) >&2
fi
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release --bin webrunner >&2)
fi
(cd "$root" && cargo build --release -p webrunner-har --example gen_bench_har >&2)

"$gen" "$work/left.har" "$work/right.har" "$n" 1 >&2
left_mb=$(( $(stat -c %s "$work/left.har") / 1000000 ))
right_mb=$(( $(stat -c %s "$work/right.har") / 1000000 ))
echo "generated $n entries per file: left ${left_mb} MB, right ${right_mb} MB" >&2

# Runs a command under /usr/bin/time -v; prints "wall_seconds max_rss_kb cpu_seconds".
measure() {
  local out="$1"; shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$out"
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
    /Maximum resident set size/ { rss = $2 }
    /User time/ { cpu += $2 }
    /System time/ { cpu += $2 }
    END { printf "%.3f %d %.3f\n", wall, rss, cpu }' "$work/time.txt"
}

# Best wall time of three runs (with that run's RSS and CPU).
best_of_3() {
  local out="$1"; shift
  local best="" line
  for _ in 1 2 3; do
    line=$(measure "$out" "$@")
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
      best="$line"
    fi
  done
  echo "$best"
}

py_script='
import json, os, sys
os.environ.setdefault("WEBRUNNER_LOG_PATH", os.devnull)
from je_web_runner.utils.har_diff.har_diff import diff_har_files
json.dump(diff_har_files(sys.argv[1], sys.argv[2]), sys.stdout)
'
if python3 -c "import je_web_runner.utils.har_diff.har_diff" 2>/dev/null; then
  read -r py_wall py_rss py_cpu < <(measure "$work/python.json" python3 -c "$py_script" "$work/left.har" "$work/right.har")
else
  echo "python3 cannot import je_web_runner (pip install je-web-runner); Python side skipped" >&2
  py_wall=""
fi

read -r rs_wall rs_rss rs_cpu < <(best_of_3 "$work/webrunner.json" "$bin" har-diff "$work/left.har" "$work/right.har" --format json)
read -r ext_wall ext_rss ext_cpu < <(best_of_3 "$work/extended.json" "$bin" har-diff "$work/left.har" "$work/right.har" --format json --match multiset --timing-threshold 50 --size-threshold 10)

counts=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(f"{k}={len(v)}" for k, v in d.items()))' "$work/webrunner.json")
ext_counts=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(f"{k}={len(v)}" for k, v in d.items()))' "$work/extended.json")

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
printf 'har_diff_input_size\t%s\tMB\t2 files x %s entries (left %s MB, right %s MB)\n' "$((left_mb + right_mb))" "$n" "$left_mb" "$right_mb"
if [ -n "$py_wall" ]; then
  same=$(python3 -c '
import json, sys
print("yes" if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else "NO")' "$work/python.json" "$work/webrunner.json")
  printf 'har_diff_python_wall\t%s\ts\tpython3 process running diff_har_files\n' "$py_wall"
  printf 'har_diff_python_max_rss\t%s\tMB\tpython3 process\n' "$(mb "$py_rss")"
  printf 'har_diff_python_cpu\t%s\ts\tuser+sys\n' "$py_cpu"
fi
printf 'har_diff_webrunner_wall\t%s\ts\twebrunner har-diff --format json, best of 3 (%s)\n' "$rs_wall" "$counts"
printf 'har_diff_webrunner_max_rss\t%s\tMB\twhole process; goal <= 150 MB\n' "$(mb "$rs_rss")"
printf 'har_diff_webrunner_cpu\t%s\ts\tuser+sys (both files read in parallel)\n' "$rs_cpu"
if [ -n "$py_wall" ]; then
  printf 'har_diff_speedup_wall\t%s\tx\tpython wall / webrunner wall; goal >= 20x\n' \
    "$(awk -v p="$py_wall" -v r="$rs_wall" 'BEGIN { printf "%.1f", p / r }')"
  printf 'har_diff_speedup_cpu\t%s\tx\tpython cpu / webrunner cpu\n' \
    "$(awk -v p="$py_cpu" -v r="$rs_cpu" 'BEGIN { printf "%.1f", p / r }')"
  printf 'har_diff_same_json_as_python\t%s\t\tseed JSON identical on the benchmark input\n' "$same"
fi
printf 'har_diff_webrunner_extended_wall\t%s\ts\t--match multiset --timing-threshold 50 --size-threshold 10 (%s)\n' "$ext_wall" "$ext_counts"
printf 'har_diff_webrunner_extended_max_rss\t%s\tMB\twhole process\n' "$(mb "$ext_rss")"

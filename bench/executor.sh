#!/usr/bin/env bash
# Executor overhead per no-op action (100k actions), webrunner and the Python WebRunner side
# by side. Prints metric<TAB>value<TAB>unit<TAB>note lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
cargo build --release --example bench_executor >&2
# Best of 5: a run lasts a tenth of a second, and load from elsewhere can swallow one.
rust=$(for _ in 1 2 3 4 5; do target/release/examples/bench_executor "$N"; done | sort -g | head -1)
printf 'executor overhead per no-op action (webrunner)\t%s\tus\tgoal <= 1 us, %s actions, best of 5, mimalloc as in the binary\n' "$rust" "$N"
if python3 -c "import je_web_runner" 2>/dev/null; then
  py=$(python3 bench/py/executor_noop.py "$N")
  printf 'executor overhead per action (Python WebRunner)\t%s\tus\t["abs", [-i]] x %s\n' "$py" "$N"
  printf 'executor overhead ratio (Python / webrunner)\t%s\tx\t\n' "$(python3 -c "print(f'{$py / $rust:.1f}')")"
else
  printf 'executor overhead per action (Python WebRunner)\tskipped\t\tpip install je-web-runner\n'
fi

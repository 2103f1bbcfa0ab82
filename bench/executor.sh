#!/usr/bin/env bash
# Executor overhead per no-op action (100k actions), webrunner and the Python WebRunner side
# by side. Prints metric<TAB>value<TAB>unit<TAB>note lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
cargo build --release --example bench_executor >&2
rust=$(target/release/examples/bench_executor "$N")
printf 'executor overhead per no-op action (webrunner)\t%s\tus\tgoal <= 1 us, %s actions\n' "$rust" "$N"
if python3 -c "import je_web_runner" 2>/dev/null; then
  py=$(python3 bench/py/executor_noop.py "$N")
  printf 'executor overhead per action (Python WebRunner)\t%s\tus\t["abs", [-i]] x %s\n' "$py" "$N"
  printf 'executor overhead ratio (Python / webrunner)\t%s\tx\t\n' "$(python3 -c "print(f'{$py / $rust:.1f}')")"
else
  printf 'executor overhead per action (Python WebRunner)\tskipped\t\tpip install je-web-runner\n'
fi

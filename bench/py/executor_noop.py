"""Python WebRunner executor overhead: 100k ``["abs", [-1]]`` actions in-process.
Prints one line: microseconds per action."""
import contextlib
import io
import sys
import time

from je_web_runner import execute_action

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
# Distinct arguments: identical actions make the seed number repeated record keys, which is
# quadratic in N and would measure that instead of the executor.
actions = [["abs", [-i]] for i in range(N)]
sink = io.StringIO()
with contextlib.redirect_stdout(sink):
    t = time.perf_counter()
    execute_action(actions)
    dt = time.perf_counter() - t
print(f"{dt / N * 1e6:.3f}")

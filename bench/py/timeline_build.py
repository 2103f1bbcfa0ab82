"""The Python WebRunner's timeline on bench/timeline.sh's inputs: loads the three files, then
times build(...) + json.dumps and writes the JSON (with a newline) to OUT.
Prints the seconds of build + json.dumps on stderr.
usage: timeline_build.py DIR OUT"""
import json
import os
import sys
import time

os.environ.setdefault("WEBRUNNER_LOG_PATH", os.devnull)
from je_web_runner.utils.observability.timeline import build

d, out = sys.argv[1], sys.argv[2]
src = {k: json.load(open(os.path.join(d, k + ".json"))) for k in ("spans", "console", "responses")}
t = time.perf_counter()
text = json.dumps(build(**src))
elapsed = time.perf_counter() - t
with open(out, "w") as f:
    f.write(text + "\n")
print("%.3f" % elapsed, file=sys.stderr)

"""Writes spans.json, console.json and responses.json for bench/timeline.sh: N items each
(seeded), shaped like a long run's output with the awkward parts of SPEC §6 mixed in
(numeric strings, `ts` instead of `timestamp_ms`, missing keys, non-ASCII text, ties).
usage: timeline_inputs.py OUT_DIR N [SEED]"""
import json
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
t0 = 1_796_634_000_000
commands = ["WR_to_url", "WR_click", "WR_input", "WR_wait_element", "WR_assert_text", "WR_screenshot"]
flows = ["login", "checkout", "search", "profile"]
levels = ["log", "info", "warning", "error", "debug"]
texts = ["loaded", "click handler ran", "Übersicht geladen", "fetch failed: 503", "日本語のログ", 'quote " and \\ slash', ""]


def when(i):
    """Mostly increasing epoch milliseconds with jitter; a few numeric strings and floats."""
    t = t0 + i * 3 + rng.randint(-50, 50)
    r = rng.random()
    if r < 0.3:
        return t + rng.randint(0, 999) / 1000
    if r < 0.35:
        return str(t)
    return t


spans = []
for i in range(n):
    start = when(i)
    s = {"name": rng.choice(commands), "start_ms": start,
         "attrs": {"flow": rng.choice(flows), "index": i, "status": "passed" if rng.random() < 0.95 else "failed"}}
    if rng.random() < 0.1:
        s["start"] = s.pop("start_ms")
    if rng.random() < 0.97:
        s["end_ms"] = float(start) + rng.randint(1, 900) + rng.random()
    spans.append(s)

console = []
for i in range(n):
    c = {"type": rng.choice(levels), "text": rng.choice(texts)}
    c["location"] = "http://shop.local/app.js:%d:%d" % (rng.randint(1, 900), rng.randint(1, 80)) if rng.random() < 0.6 else None
    c["ts" if rng.random() < 0.1 else "timestamp_ms"] = when(i)
    if rng.random() < 0.05:
        del c["type"]
    console.append(c)

responses = []
for i in range(n):
    status = rng.choice([200, 200, 200, 204, 301, 404, 500])
    r = {"method": rng.choice(["GET", "GET", "POST"]), "status": status,
         "url": "http://shop.local/api/items/%d?page=%d" % (rng.randint(0, 5000), rng.randint(0, 9)),
         "ok": status < 400, "timestamp_ms": when(i)}
    if rng.random() < 0.05:
        del r["method"]
    responses.append(r)

os.makedirs(out, exist_ok=True)
for name, data in [("spans", spans), ("console", console), ("responses", responses)]:
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(data, f)

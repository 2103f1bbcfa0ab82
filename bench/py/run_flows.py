"""Runs flow files through the Python WebRunner (je_web_runner, Selenium + chromedriver) on
headless Debian Chromium and reports every action as passed or failed.

Usage: python3 bench/py/run_flows.py --base URL [--files DIR] [--out DIR] FLOW.json...

In each flow, {base} becomes URL, {files} the flows' folder (files a flow uploads live
there) and {out} a folder for what the flow writes (screenshots). The flow's
WR_get_webdriver_manager / WR_new_driver action gets the headless Chromium options added.
Prints one line per action; exits 1 when any action failed. A flow that failed is run once
more before it counts (and says so): chromedriver tells a double click from two clicks by
their timing, which a loaded machine can stretch."""
import argparse
import contextlib
import io
import json
import os
import sys
import tempfile

OPEN_COMMANDS = {"WR_get_webdriver_manager", "WR_new_driver", "WR_set_driver"}
CHROMIUM_OPTIONS = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900"]


def headless(action):
    """The browser-opening action with Debian's Chromium, headless, and its chromedriver."""
    name = action[0]
    kwargs = dict(action[1]) if len(action) > 1 and isinstance(action[1], dict) else {}
    if len(action) > 1 and isinstance(action[1], list):
        kwargs["webdriver_name"] = action[1][0]
    kwargs.setdefault("webdriver_name", "chrome")
    kwargs["options"] = CHROMIUM_OPTIONS
    kwargs["install_driver"] = False
    kwargs["experimental_options"] = {"binary": "/usr/bin/chromium"}
    return [name, kwargs]


def load(path, base, files, out):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = text.replace("{base}", base).replace("{files}", files).replace("{out}", out)
    flow = json.loads(text)
    if isinstance(flow, dict):
        flow = flow.get("webdriver_wrapper", [])
    return [headless(a) if a[0] in OPEN_COMMANDS else a for a in flow]


def run(path, base, files, out):
    from je_web_runner.utils.executor.action_executor import execute_one
    failures = []
    actions = load(path, base, files, out)
    print(f"== {os.path.basename(path)} ({len(actions)} actions)")
    try:
        for i, action in enumerate(actions):
            quiet = io.StringIO()
            try:
                with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                    value = execute_one(action)
                shown = repr(value)
                print(f"  pass {i:2} {action[0]} -> {shown[:70]}")
            except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the flow
                cause = error.__cause__ or error
                message = f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}"
                print(f"  FAIL {i:2} {action[0]} {json.dumps(action[1:])[:80]} -> {message[:160]}")
                failures.append((i, action[0], message))
    finally:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                execute_one(["WR_quit_all"])
            except Exception:  # noqa: BLE001 - the flow may have quit the browser itself
                pass
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--files")
    parser.add_argument("--out")
    parser.add_argument("flows", nargs="+")
    args = parser.parse_args()
    os.environ.setdefault("SE_OFFLINE", "true")
    files = os.path.abspath(args.files or os.path.dirname(args.flows[0]))
    out = args.out or tempfile.mkdtemp(prefix="py-flows-")
    os.makedirs(out, exist_ok=True)
    total = {}
    for path in args.flows:
        fails = run(path, args.base, files, out)
        if fails:
            print(f"  {os.path.basename(path)} failed; running it once more")
            fails = run(path, args.base, files, out)
        total[os.path.basename(path)] = fails
    failed = {k: v for k, v in total.items() if v}
    print(f"flows without a failed action: {len(total) - len(failed)} of {len(total)}")
    for name, fails in failed.items():
        for i, command, message in fails:
            print(f"  {name} action {i} {command}: {message[:200]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

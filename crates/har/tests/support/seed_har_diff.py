"""Runs the Python WebRunner's diff_har_files on pairs of HAR files.

Reads a JSON list of [left, right] paths on stdin and prints a JSON list with, per pair,
{"ok": result}, {"har_diff_error": message} or {"other_error": type, "message": message}.
"""
import json
import os
import sys

os.environ.setdefault("WEBRUNNER_LOG_PATH", os.devnull)

from je_web_runner.utils.har_diff.har_diff import HarDiffError, diff_har_files  # noqa: E402


def main() -> None:
    results = []
    for left, right in json.load(sys.stdin):
        try:
            results.append({"ok": diff_har_files(left, right)})
        except HarDiffError as error:
            results.append({"har_diff_error": str(error)})
        except Exception as error:  # the seed raises more than HarDiffError on odd input
            results.append({"other_error": type(error).__name__, "message": str(error)})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()

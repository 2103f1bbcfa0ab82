"""Python WebRunner browser loop: N x (click a button, read its text) through its action
executor, Selenium and chromedriver, against URL. Prints steps per second."""
import contextlib
import io
import sys
import time

from je_web_runner import execute_action

url, n = sys.argv[1], int(sys.argv[2])
options = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
setup = [
    ["WR_get_webdriver_manager", {"webdriver_name": "chrome", "options": options, "install_driver": False,
                                  "experimental_options": {"binary": "/usr/bin/chromium"}}],
    ["WR_to_url", {"url": url}],
    ["WR_save_test_object", {"test_object_name": "counter", "object_type": "id"}],
    ["WR_find_element", {"element_name": "counter"}],
]
loop = [
    ["WR_element_click"],
    ["WR_element_get_property", {"name": "textContent"}],
] * n
sink = io.StringIO()
with contextlib.redirect_stdout(sink):
    execute_action(setup)
    t = time.perf_counter()
    result = execute_action(loop)
    dt = time.perf_counter() - t
    execute_action([["WR_quit"]])
values = list(result.values())
if str(values[-1]) != str(n):
    sys.exit(f"the loop did not run: last read {values[-1]!r}, expected {n}")
print(f"{n / dt:.1f}")

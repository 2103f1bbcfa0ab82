#!/usr/bin/env bash
# Installs playwright-core (no browser download: it drives Debian's /usr/bin/chromium) into a
# cache folder outside the repository and prints that folder's node_modules path.
exec "$(dirname "$0")/../../scripts/npm-tool" playwright-core 1.65.2

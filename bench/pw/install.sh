#!/usr/bin/env bash
# Installs playwright-core (no browser download: it drives Debian's /usr/bin/chromium) into a
# cache folder outside the repository and prints that folder's node_modules path.
set -euo pipefail
version=1.65.2
dir=${WEBRUNNER_CACHE:-${XDG_CACHE_HOME:+$XDG_CACHE_HOME/webrunner}}
dir=${dir:-$HOME/.cache/webrunner}/playwright-core-$version
if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "playwright-core@$version" >/dev/null)
fi
echo "$dir/node_modules"

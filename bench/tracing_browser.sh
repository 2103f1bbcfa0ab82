#!/usr/bin/env bash
# Tracing overhead per real browser action: N x (click a counter, read its text) on the demo
# site in real Chromium through the webrunner executor, with no subscriber, with the
# OpenTelemetry layer (tracing-opentelemetry) but no exporter, and with batch export over gRPC
# and over HTTP/protobuf to a real OTLP receiver in the same process. The modes take turns
# round by round; figures are medians over the rounds of the mean per action (wall clock, and
# CPU time of all webrunner threads), plus the baseline's spread between rounds. The program
# is crates/otel/bench (see bench/tracing.sh for the same on no-op actions).
# Env: TRACING_BROWSER_STEPS (200), TRACING_BROWSER_ROUNDS (5).
# Prints metric<TAB>value<TAB>unit<TAB>note lines (see bench/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
target="${CARGO_TARGET_DIR:-$root/target}/otel-bench"
(cd "$root/crates/otel/bench" && CARGO_TARGET_DIR="$target" cargo build --release --quiet --bin tracing-browser >&2)
"$target/release/tracing-browser" \
  --steps "${TRACING_BROWSER_STEPS:-200}" \
  --rounds "${TRACING_BROWSER_ROUNDS:-5}"

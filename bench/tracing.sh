#!/usr/bin/env bash
# Tracing overhead: no-op actions through the real webrunner executor (no browser), with no
# subscriber, with the OpenTelemetry layer but no exporter, and with batch export over gRPC
# and over HTTP/protobuf to a real OTLP receiver in the same process; plus how long shutdown
# takes when the collector is down. Per-action figures are the executor thread's CPU time
# (steady on a shared machine), with wall clock and all-threads CPU beside them.
# The program is crates/otel/bench (a package of its own, so the otel crate's tests never
# build the whole runner). Env: TRACING_BENCH_ACTIONS (20000), TRACING_BENCH_ROUNDS (5),
# OTEL_BSP_MAX_QUEUE_SIZE (262144 here, so the burst of 200k spans is queued, not dropped:
# every span is delivered and its export is part of what is measured).
# Prints metric<TAB>value<TAB>unit<TAB>note lines (see bench/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
target="${CARGO_TARGET_DIR:-$root/target}/otel-bench"
(cd "$root/crates/otel/bench" && CARGO_TARGET_DIR="$target" cargo build --release --quiet >&2)
OTEL_BSP_MAX_QUEUE_SIZE="${OTEL_BSP_MAX_QUEUE_SIZE:-262144}" \
  "$target/release/tracing-overhead" \
  --actions "${TRACING_BENCH_ACTIONS:-20000}" \
  --rounds "${TRACING_BENCH_ROUNDS:-5}"

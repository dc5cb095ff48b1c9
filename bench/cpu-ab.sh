#!/usr/bin/env bash
# A/B CPU cost of the webhook: the server CPU each build spends per message, builds taking turns, so that a machine
# whose speed drifts (or that others are using) weighs on every build alike. Throughput and latency from a busy
# machine mean little; CPU per message is what to compare (BENCHMARKS.md, session 7).
#
#   bench/cpu-ab.sh ROUNDS BIN...      e.g. bench/cpu-ab.sh 2 /tmp/dropmate-old .build/release/dropmate
#
# Each turn is one bench/webhook.sh run of that build (plaintext only: 5 s of warm-up, then one 15 s window of
# distinct messages from 5,000 customers, a fresh data directory); prints the build and its summary line
# (req/s, latencies, server CPU per request).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:?usage: bench/cpu-ab.sh ROUNDS BIN...}; shift
[ $# -ge 1 ] || { echo "usage: bench/cpu-ab.sh ROUNDS BIN..." >&2; exit 1; }
for round in $(seq 1 "$ROUNDS"); do
    for BIN in "$@"; do
        line=$(SKIP_BUILD=1 BENCH_BIN="$BIN" BENCH_MODES=plaintext BENCH_ROUNDS=1 BENCH_DURATION=15s BENCH_WARMUP=5s \
               BENCH_COUNT=400000 bench/webhook.sh 2>/dev/null | grep '^plaintext ' | head -1)
        printf '%s round %d: %s\n' "$BIN" "$round" "$line"
    done
done

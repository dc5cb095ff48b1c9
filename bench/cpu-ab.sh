#!/usr/bin/env bash
# A/B CPU cost of the webhook: the server CPU each build spends per message, builds taking turns, so that a machine
# whose speed drifts (or that others are using) weighs on every build alike. Throughput and latency from a busy
# machine mean little; CPU per message is what to compare (BENCHMARKS.md, session 7).
#
#   bench/cpu-ab.sh ROUNDS BIN...      e.g. bench/cpu-ab.sh 2 /tmp/dropmate-old .build/release/dropmate
#
# Per build and round: a fresh embedded data directory, 5 s of warm-up, then 15 s of distinct plaintext messages from
# 5,000 customers (wrk -t2 -c32, bench/wechat.lua); prints wrk's RESULT line and the server's CPU µs per request.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:?usage: bench/cpu-ab.sh ROUNDS BIN...}; shift
[ $# -ge 1 ] || { echo "usage: bench/cpu-ab.sh ROUNDS BIN..." >&2; exit 1; }
export WECHAT_TOKEN=benchtoken2026 WECHAT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
export WECHAT_APP_ID=wxbench000000001 WECHAT_TIMESTAMP_WINDOW=7200 DROPMATE_RATE_LIMIT=1000000
unset DATABASE_URL REDIS_URL
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HZ=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
    for BIN in "$@"; do
        WORK=$(mktemp -d "${TMPDIR:-/tmp}/dropmate-ab.XXXXXX")
        PORT=$(free_port); METRICS_PORT=$(free_port); export METRICS_PORT
        "$BIN" serve --port "$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
        PID=$!
        until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
            kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
            sleep 0.05
        done
        first=$(( $(date +%s%N) / 1000 ))
        "$BIN" loadgen --mode plaintext --count 500000 --users 5000 --http "127.0.0.1:$PORT" --split 2 --first-msg-id "$first" --out "$WORK/warm.tsv" >/dev/null 2>&1
        wrk -t2 -c32 -d5s -s bench/wechat.lua "http://127.0.0.1:$PORT" -- "$WORK/warm.tsv" 2 >/dev/null
        "$BIN" loadgen --mode plaintext --count 400000 --users 5000 --http "127.0.0.1:$PORT" --split 2 --first-msg-id $((first + 7000000)) --out "$WORK/run.tsv" >/dev/null 2>&1
        before=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
        wrk -t2 -c32 -d15s --latency -s bench/wechat.lua "http://127.0.0.1:$PORT" -- "$WORK/run.tsv" 2 >"$WORK/wrk.txt"
        after=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
        requests=$(awk '/requests in/ { print $1 }' "$WORK/wrk.txt")
        printf '%s round %d: %s cpu_us_per_req=%.1f\n' "$BIN" "$round" "$(grep '^RESULT' "$WORK/wrk.txt")" \
            "$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN { print t / hz * 1e6 / n }')"
        kill "$PID"; wait "$PID" 2>/dev/null || true
        rm -rf "$WORK"
    done
done

#!/usr/bin/env bash
# The DropMate webhook benchmark (BENCHMARKS.md): release build, embedded default, wrk on loopback,
# every request a distinct, correctly signed text message, in plaintext and safe (AES) modes.
#
#   bench/webhook.sh                      # build, run both modes, print a summary
#   SKIP_BUILD=1 BENCH_DURATION=30s bench/webhook.sh
#   BENCH_BACKEND=production bench/webhook.sh   # PostgreSQL + Redis (throwaway, durable settings) instead of SQLite
#
# Knobs (env): BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_DURATION (measured seconds per mode, 15s),
# BENCH_ROUNDS (3: that time is split into as many windows per mode, the modes taking turns), BENCH_WARMUP (the
# warm-up's cap: it makes one pass over max(USERS, 100000) messages, so every customer has written once; 60s, or
# USERS/400 s above 20,000 customers),
# BENCH_COUNT (requests generated per mode, 600000), BENCH_USERS (5000), BENCH_MODES ("plaintext safe"),
# BENCH_BACKEND (embedded), BENCH_RATE_LIMIT (1000000 messages per customer per minute: counted, never reached; the
# synthetic customers send several messages a second each, and throttled messages would be cheaper to answer),
# SKIP_BUILD (1: use the existing .build/release/dropmate), LOG_LEVEL (server log level, default info),
# BENCH_SERVER_PRELOAD (a library for the server's LD_PRELOAD, e.g. jemalloc, to try another allocator).
set -euo pipefail

cd "$(dirname "$0")/.."
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-15s}
ROUNDS=${BENCH_ROUNDS:-3}
COUNT=${BENCH_COUNT:-600000}
USERS=${BENCH_USERS:-5000}
# The warm-up reaches every customer at least once (a shop's followers have written before), so the measured
# windows see the steady state at any number of customers, not a flood of first contacts.
WARMUP_COUNT=$(( USERS > 100000 ? USERS : 100000 ))
# It stops after one pass over its messages (BENCH_ONCE); BENCH_WARMUP only caps it (a slow machine still reaches all).
WARMUP=${BENCH_WARMUP:-$(( USERS > 20000 ? USERS / 400 : 60 ))s}
export DROPMATE_RATE_LIMIT=${BENCH_RATE_LIMIT:-1000000}
BACKEND=${BENCH_BACKEND:-embedded}
MODES=${BENCH_MODES:-plaintext safe}
BIN=${BENCH_BIN:-.build/release/dropmate}  # BENCH_BIN: another build, for A/B runs back to back

# Fixed, throwaway credentials: the same values go to the server and to loadgen.
export WECHAT_TOKEN=benchtoken2026
export WECHAT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
export WECHAT_APP_ID=wxbench000000001
export WECHAT_TIMESTAMP_WINDOW=7200   # requests are signed before the run; keep them fresh for two hours

say() { printf '==> %s\n' "$*" >&2; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime, in clock ticks
# The CPU ticks of the services in production mode: Redis (its one process) and PostgreSQL (the postmaster and
# every backend it forked), so a message's whole cost shows, not only the server's.
service_ticks() {
    local pids="" port
    port=${REDIS_URL##*:}; port=${port%%/*}
    pids+=" $(pgrep -f "redis-server 127.0.0.1:$port" || true)"
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' <<<"$DATABASE_URL")
    local postmaster; postmaster=$(pgrep -f -- "-p $port " | head -1 || true)
    [ -n "$postmaster" ] && pids+=" $postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')"
    local total=0 pid
    for pid in $pids; do [ -r "/proc/$pid/stat" ] && total=$(( total + $(cpu_ticks "$pid" 2>/dev/null || echo 0) )); done
    echo "$total"
}

if ! command -v wrk >/dev/null; then
    say "installing wrk"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building release (swift build -c release --product dropmate)"
    swift build -c release --product dropmate >&2
fi

if [ "$BACKEND" = production ] && [ -z "${DATABASE_URL:-}" ]; then
    say "starting throwaway PostgreSQL + Redis with production durability (fsync on, AOF every second)"
    SKIP_BUILD=1 WITH_SERVICES_DURABLE=1 exec scripts/with-services "$0" "$@"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dropmate-bench.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
       || shuf -i 20000-60000 -n 1)
URL="http://127.0.0.1:$PORT"
# /metrics is not on the serving port: serve opens a metrics listener on METRICS_PORT.
METRICS_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
       || shuf -i 20000-60000 -n 1)
export METRICS_PORT
METRICS_URL="http://127.0.0.1:$METRICS_PORT/metrics"

if [ "$BACKEND" = production ]; then
    [ -n "${REDIS_URL:-}" ] || { say "production backend needs REDIS_URL (redis-server not installed?)"; exit 1; }
    export DATABASE_URL REDIS_URL
    export DROPMATE_PII_KEYS="${DROPMATE_PII_KEYS:-bench1:$(head -c 32 /dev/urandom | base64)}"
    say "production: PostgreSQL + Redis; migrating"
    "$BIN" migrate --data-dir "$WORK/data" >&2
    # Steady state: Redis vouches for a customer's messages from its epoch on (docs/REDIS_CLUSTER.md); a message
    # created before it is also checked against PostgreSQL. These requests are all signed before the run, so each
    # customer's epoch is set an hour back on this Redis's dataset, as in a deployment that has been running (else
    # the first message would start it after every request's CreateTime, and every message would ask PostgreSQL).
    replid=$(redis-cli -u "$REDIS_URL" INFO replication | tr -d '\r' | sed -n 's/^master_replid://p')
    since=$(( $(date +%s) - 3600 ))
    awk -v n="$USERS" -v r="$replid" -v s="$since" 'BEGIN { for (i = 0; i < n; i++) {
        key = "dm:{o_load_" i "}:epoch"; value = r " " s
        printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nEX\r\n$5\r\n86400\r\n", length(key), key, length(value), value } }' \
        | redis-cli -u "$REDIS_URL" --pipe >/dev/null
else
    unset DATABASE_URL REDIS_URL
fi
say "starting $BIN serve ($BACKEND) on port $PORT (data in $WORK/data)"
started=$(date +%s%N)
${BENCH_SERVER_PRELOAD:+env LD_PRELOAD=$BENCH_SERVER_PRELOAD} "$BIN" serve --port "$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
until curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log" >&2; say "the server exited"; exit 1; fi
    if [ $(( ($(date +%s%N) - started) / 1000000 )) -gt 30000 ]; then say "no /healthz after 30 s"; exit 1; fi
    sleep 0.005
done
STARTUP_MS=$(( ($(date +%s%N) - started) / 1000000 ))
sleep 1
IDLE_RSS=$(rss_kb "$SERVER_PID")
say "up in ${STARTUP_MS} ms, idle RSS $((IDLE_RSS / 1024)) MB"

seconds=${DURATION%s}
case "$seconds" in (''|*[!0-9]*) say "BENCH_DURATION must be whole seconds, like 15s"; exit 1;; esac
[ "$ROUNDS" -ge 1 ] && [ $((seconds % ROUNDS)) -eq 0 ] || { say "BENCH_DURATION ($seconds s) must split evenly into BENCH_ROUNDS ($ROUNDS)"; exit 1; }
WINDOW=$((seconds / ROUNDS))
PER_WINDOW=$((COUNT / ROUNDS))

declare -A REQUESTS ELAPSED CPU SERVICE_CPU WRK_CPU OUTCOMES P50 P90 P99 P999 NON200 CYCLES
# What the server did with a window's messages, from its own counters (dropmate_webhook_messages_total by outcome,
# after minus before): "replied=… deduplicated=…".
outcomes() {
    awk '/^dropmate_webhook_messages_total\{/ {
             match($0, /outcome="[a-z_]+"/); key = substr($0, RSTART + 9, RLENGTH - 10)
             if (FILENAME == ARGV[1]) before[key] += $NF; else after[key] += $NF; keys[key] = 1
         }
         END { for (k in keys) { n = after[k] - before[k]; if (n > 0) printf "%s=%d ", k, n } }' "$1" "$2"
}
add_outcomes() {  # add_outcomes "replied=3 " "replied=4 deduplicated=1 " -> "deduplicated=1 replied=7 "
    printf '%s\n%s\n' "$1" "$2" | tr ' ' '\n' | awk -F= 'NF == 2 { n[$1] += $2 } END { for (k in n) printf "%s=%d ", k, n[k] }'
}
maximum() { awk -v a="${1:-0}" -v b="$2" 'BEGIN { print (b + 0 > a + 0) ? b : a }'; }
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# Distinct MsgIds everywhere: each file starts where the previous one ended.
next_id=$(( $(date +%s) * 1000000000 ))
for mode in $MODES; do
    say "$mode: generating $ROUNDS x $PER_WINDOW requests (+ $WARMUP_COUNT for the warm-up)"
    # Complete HTTP requests, one file per wrk thread: loading them is one read and a slice per request.
    "$BIN" loadgen --mode "$mode" --count "$WARMUP_COUNT" --users "$USERS" --http "127.0.0.1:$PORT" --split "$THREADS" \
        --first-msg-id "$next_id" --out "$WORK/warmup-$mode.tsv"
    next_id=$((next_id + WARMUP_COUNT))
    for round in $(seq 1 "$ROUNDS"); do
        "$BIN" loadgen --mode "$mode" --count "$PER_WINDOW" --users "$USERS" --http "127.0.0.1:$PORT" --split "$THREADS" \
            --first-msg-id "$next_id" --out "$WORK/$mode-$round.tsv"
        next_id=$((next_id + PER_WINDOW))
    done
    say "$mode: warm-up (one pass over $WARMUP_COUNT messages, at most $WARMUP)"
    # wrk sleeps its whole -d even when every thread has stopped, so the pass is watched from the server's counters.
    handled() { curl -fsS "$METRICS_URL" | awk '/^dropmate_webhook_messages_total\{/ { n += $NF } END { printf "%d", n }'; }
    start_count=$(handled)
    BENCH_ONCE=1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/wechat.lua "$URL" -- "$WORK/warmup-$mode.tsv" "$THREADS" >/dev/null &
    warmup_pid=$!
    while kill -0 "$warmup_pid" 2>/dev/null && [ $(( $(handled) - start_count )) -lt "$WARMUP_COUNT" ]; do sleep 0.5; done
    kill -INT "$warmup_pid" 2>/dev/null || true
    wait "$warmup_pid" 2>/dev/null || true
    rm -f "$WORK/warmup-$mode.tsv".*
done
if [ "$BACKEND" = production ] && command -v psql >/dev/null; then
    # The warm-up's first contacts (up to 100,000 new customer rows) leave PostgreSQL a vacuum and a checkpoint to do,
    # which a running shop spreads over hours; done now, they do not land in the first measured window.
    say "PostgreSQL: VACUUM ANALYZE and CHECKPOINT after the warm-up"
    psql "$DATABASE_URL" -XAtq -c "VACUUM ANALYZE" -c "CHECKPOINT" >&2
fi

# The modes take turns, a window each, so the machine's drift (its speed moves by 10-15 % within minutes) falls on
# both alike: a single 15-second run per mode compared two different stretches of the machine's time.
: >"$WORK/windows.txt"
for round in $(seq 1 "$ROUNDS"); do
    for mode in $MODES; do
        say "$mode, window $round/$ROUNDS: wrk -t$THREADS -c$CONNECTIONS -d${WINDOW}s --latency -s bench/wechat.lua"
        out="$WORK/wrk-$mode-$round.txt"
        curl -fsS "$METRICS_URL" >"$WORK/metrics-before.txt"
        before=$(cpu_ticks "$SERVER_PID")
        [ "$BACKEND" = production ] && services_before=$(service_ticks)
        TIMEFORMAT='%U %S'
        { time wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WINDOW}s" --latency -s bench/wechat.lua "$URL" -- "$WORK/$mode-$round.tsv" "$THREADS" \
            >"$out"; } 2>"$WORK/wrk-time.txt"
        CPU[$mode]=$(( ${CPU[$mode]:-0} + $(cpu_ticks "$SERVER_PID") - before ))
        [ "$BACKEND" = production ] && SERVICE_CPU[$mode]=$(( ${SERVICE_CPU[$mode]:-0} + $(service_ticks) - services_before ))
        curl -fsS "$METRICS_URL" >"$WORK/metrics-after.txt"
        cat "$out" >&2
        WRK_CPU[$mode]=$(awk -v sum="${WRK_CPU[$mode]:-0}" '{ printf "%.2f", sum + $1 + $2 }' "$WORK/wrk-time.txt")
        OUTCOMES[$mode]=$(add_outcomes "${OUTCOMES[$mode]:-}" "$(outcomes "$WORK/metrics-before.txt" "$WORK/metrics-after.txt")")
        r=$(grep '^RESULT ' "$out" | cut -d' ' -f2-)
        REQUESTS[$mode]=$(( ${REQUESTS[$mode]:-0} + $(awk '/requests in/ { print $1 }' "$out") ))
        ELAPSED[$mode]=$(awk -v sum="${ELAPSED[$mode]:-0}" '/requests in/ { sub(/s,$/, "", $4); printf "%.3f", sum + $4 }' "$out")
        P50[$mode]=$(maximum "${P50[$mode]:-}" "$(field "$r" p50_ms)"); P90[$mode]=$(maximum "${P90[$mode]:-}" "$(field "$r" p90_ms)")
        P99[$mode]=$(maximum "${P99[$mode]:-}" "$(field "$r" p99_ms)"); P999[$mode]=$(maximum "${P999[$mode]:-}" "$(field "$r" p999_ms)")
        NON200[$mode]=$(( ${NON200[$mode]:-0} + $(field "$r" non200) ))
        CYCLES[$mode]=$(( ${CYCLES[$mode]:-0} + $(field "$r" cycles) ))
        printf '  %s, window %d: %s req/s, p99 %s ms\n' "$mode" "$round" "$(field "$r" rps)" "$(field "$r" p99_ms)" >>"$WORK/windows.txt"
        rm -f "$WORK/$mode-$round.tsv".*
    done
done
LOADED_RSS=$(rss_kb "$SERVER_PID")
sleep 3
SETTLED_RSS=$(rss_kb "$SERVER_PID")
DB_MB=$(du -sm "$WORK/data" | cut -f1)

HZ=$(getconf CLK_TCK)
echo
echo "DropMate webhook benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "backend: $BACKEND; wrk -t$THREADS -c$CONNECTIONS, ${seconds}s per mode in $ROUNDS alternating windows of ${WINDOW}s, $COUNT distinct messages per mode, $USERS customers"
echo "req/s: a mode's requests over its measured time; latencies: its worst window's"
printf '%-10s %10s %9s %9s %9s %9s %8s %14s\n' mode "req/s" p50_ms p90_ms p99_ms p99.9_ms non200 "server CPU/req"
declare -A RPS
for mode in $MODES; do
    RPS[$mode]=$(awk -v n="${REQUESTS[$mode]}" -v t="${ELAPSED[$mode]}" 'BEGIN { printf "%.0f", n / t }')
    cpu_us=$(awk -v t="${CPU[$mode]}" -v hz="$HZ" -v n="${REQUESTS[$mode]}" 'BEGIN { printf "%.0f us", t / hz * 1e6 / n }')
    printf '%-10s %10s %9s %9s %9s %9s %8s %14s\n' "$mode" "${RPS[$mode]}" \
        "${P50[$mode]}" "${P90[$mode]}" "${P99[$mode]}" "${P999[$mode]}" "${NON200[$mode]}" "$cpu_us"
    [ "$BACKEND" != production ] || awk -v t="${SERVICE_CPU[$mode]}" -v hz="$HZ" -v n="${REQUESTS[$mode]}" -v m="$mode" \
        'BEGIN { printf "%s: PostgreSQL + Redis used %.0f us of CPU per request besides the server\n", m, t / hz * 1e6 / n }'
    [ "${CYCLES[$mode]}" = 0 ] || echo "WARNING: $mode ran out of requests ${CYCLES[$mode]} time(s); raise BENCH_COUNT"
done
if [ -n "${RPS[plaintext]:-}" ] && [ -n "${RPS[safe]:-}" ]; then
    awk -v p="${RPS[plaintext]}" -v s="${RPS[safe]}" 'BEGIN { printf "safe vs plaintext: %+.1f %%\n", (s - p) * 100 / p }'
fi
echo "windows:"
cat "$WORK/windows.txt"
for mode in $MODES; do
    echo "$mode: the server counted ${OUTCOMES[$mode]:-nothing}; wrk used ${WRK_CPU[$mode]} s of CPU in ${seconds}s"
done
echo "start-up (exec to first /healthz answer): ${STARTUP_MS} ms"
echo "RSS: idle $((IDLE_RSS / 1024)) MB, right after load $((LOADED_RSS / 1024)) MB, 3 s later $((SETTLED_RSS / 1024)) MB"
echo "data directory after the run: ${DB_MB} MB"

#!/usr/bin/env bash
# The DropMate soak (BENCHMARKS.md): production mode (PostgreSQL with fsync on, Redis with AOF; throwaway ones
# unless DATABASE_URL and REDIS_URL are set), two `serve` and two `worker` processes, a steady rate of signed
# webhook requests for SOAK_MINUTES over SOAK_CUSTOMERS customers, SOAK_RETRY_PERCENT of the messages sent twice as
# WeChat retries, each customer ordering every SOAK_ORDER_EVERY messages, and those orders dispatched and delivered
# through the staff API (bench/soak_staff.py). Every minute it records throughput, p50/p99, non-2xx answers, RSS and
# open TCP connections of every process, PostgreSQL's table and index sizes, Redis memory and keys, the job
# queue's depth and the orders by status; at the end it writes soak.csv, draws soak.svg (bench/soak_plot.py) and
# prints a summary of what grew.
#
#   bench/soak.sh                                        # release build, 30 minutes at 3,000 requests/s
#   SKIP_BUILD=1 SOAK_BIN=.build/debug/dropmate SOAK_MINUTES=3 SOAK_RATE=200 bench/soak.sh   # a quick check
#
# Knobs (env): SOAK_MINUTES (30), SOAK_RATE (3000 webhook requests a second, retries included), SOAK_CUSTOMERS
# (100000), SOAK_RETRY_PERCENT (10), SOAK_ORDER_EVERY (60: an order per 60 messages of a customer, 4 of them
# placing it), SOAK_CONNECTIONS (16 per wrk, two wrk, one per serve), SOAK_DEDUPE_RETENTION (900 s: how long the
# processes keep dedupe records, a day in production), SOAK_OUT (bench/soak-results: soak.csv,
# soak.svg, summary.txt, the processes' logs), SOAK_BIN (.build/release/dropmate), SKIP_BUILD (1: use SOAK_BIN as
# it is), LOG_LEVEL (the processes', default notice).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${SOAK_MINUTES:-30}
RATE=${SOAK_RATE:-3000}
CUSTOMERS=${SOAK_CUSTOMERS:-100000}
RETRY=${SOAK_RETRY_PERCENT:-10}
ORDER_EVERY=${SOAK_ORDER_EVERY:-60}
CONNECTIONS=${SOAK_CONNECTIONS:-16}
DEDUPE_RETENTION=${SOAK_DEDUPE_RETENTION:-900}
OUT=${SOAK_OUT:-bench/soak-results}
BIN=${SOAK_BIN:-.build/release/dropmate}
WINDOW=60   # seconds per measured window (one CSV row each)

say() { printf '==> %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for knob in MINUTES RATE CUSTOMERS RETRY ORDER_EVERY CONNECTIONS DEDUPE_RETENTION; do
    case "${!knob}" in (''|*[!0-9]*) say "SOAK_$knob must be a whole number"; exit 1;; esac
done
[ "$RATE" -ge 4 ] && [ "$MINUTES" -ge 1 ] || { say "SOAK_RATE must be at least 4 and SOAK_MINUTES at least 1"; exit 1; }

if ! command -v wrk >/dev/null; then
    say "installing wrk"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building release (swift build -c release --product dropmate)"
    swift build -c release --product dropmate >&2
fi
[ -x "$BIN" ] || { say "no dropmate binary at $BIN"; exit 1; }
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
    say "starting throwaway PostgreSQL + Redis with production durability (fsync on, AOF every second)"
    unset DATABASE_URL REDIS_URL
    SKIP_BUILD=1 WITH_SERVICES_DURABLE=1 exec scripts/with-services "$0" "$@"
fi
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
[ -n "$PSQL" ] || { say "psql is not installed (apt-get install -y postgresql-client)"; exit 1; }
sql() { "$PSQL" "$DATABASE_URL" -XAtq -F, -c "$1"; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dropmate-soak.XXXXXX")
declare -A PID
cleanup() {
    touch "$WORK/stop"
    for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null || true; done
    for name in "${!PID[@]}"; do wait "${PID[$name]}" 2>/dev/null || true; done
    for name in serve1 serve2 worker1 worker2 staff; do [ -f "$WORK/$name.log" ] && cp "$WORK/$name.log" "$OUT/" || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Throwaway credentials, the same for the processes and the load generator.
export WECHAT_TOKEN=soaktoken2026 WECHAT_APP_ID=wxsoak0000000001 WECHAT_ACCOUNT_ID=gh_dropmate
export JWT_SECRET="soak-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"
export DROPMATE_PII_KEYS="soak1:$(head -c 32 /dev/urandom | base64)"
# Each minute's requests are signed just before it (generate, below), so WeChat's own 5-minute window holds, and with
# it how long answers stay in Redis (twice the window plus a second), as in production.
export WECHAT_TIMESTAMP_WINDOW=300 DROPMATE_RATE_LIMIT=0 DROPMATE_PASSWORD_COST=10 LOG_LEVEL=${LOG_LEVEL:-notice}
# Dedupe records are kept a day in production; a day's rows cannot level off inside a 30-minute run, so the soak keeps
# them SOAK_DEDUPE_RETENTION seconds (900: swept every 90 s) to show the prune holding the table's size.
export DROPMATE_DEDUPE_RETENTION_SECONDS=$DEDUPE_RETENTION
export DATABASE_URL REDIS_URL
unset WECHAT_ENCODING_AES_KEY WECHAT_APP_SECRET METRICS_PORT PORT

say "migrating; creating a dispatcher and a courier"
"$BIN" migrate --data-dir "$WORK/data-cli" >&2
STAFF_PASSWORD="soak-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
"$BIN" staff create --username soak_dispatcher --role dispatcher --password "$STAFF_PASSWORD" --data-dir "$WORK/data-cli" >&2
COURIER_ID=$("$BIN" courier create --name 王师傅 --phone 13900139000 --data-dir "$WORK/data-cli" | sed -n 's/^courier #\([0-9]*\) .*/\1/p')
[ -n "$COURIER_ID" ] || { say "could not create the courier"; exit 1; }
# As in bench/webhook.sh: this Redis has remembered each customer's answers for an hour, as in a deployment that has
# been running (docs/REDIS_CLUSTER.md: the epoch is per customer, `<replication id> <since>`).
replid=$(redis-cli -u "$REDIS_URL" INFO replication | tr -d '\r' | sed -n 's/^master_replid://p')
since=$(( $(date +%s) - 3600 ))
awk -v n="$CUSTOMERS" -v r="$replid" -v s="$since" 'BEGIN { for (i = 0; i < n; i++) {
    key = "dm:{o_load_" i "}:epoch"; value = r " " s
    printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nEX\r\n$5\r\n86400\r\n", length(key), key, length(value), value } }' \
    | redis-cli -u "$REDIS_URL" --pipe >/dev/null

declare -A PORTS METRICS
start() {  # start NAME ROLE
    local name=$1 role=$2
    METRICS[$name]=$(free_port)
    local args=("$role" --data-dir "$WORK/data-$name")
    if [ "$role" = serve ]; then PORTS[$name]=$(free_port); args+=(--port "${PORTS[$name]}"); fi
    METRICS_PORT=${METRICS[$name]} "$BIN" "${args[@]}" >"$WORK/$name.log" 2>&1 &
    PID[$name]=$!
}
start serve1 serve; start serve2 serve; start worker1 worker; start worker2 worker
for name in serve1 serve2 worker1 worker2; do
    for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:${METRICS[$name]}/readyz" 2>/dev/null && break; sleep 0.1; done
    curl -fsS -o /dev/null "http://127.0.0.1:${METRICS[$name]}/readyz" || { tail -20 "$WORK/$name.log" >&2; say "$name is not ready"; exit 1; }
done
URL1="http://127.0.0.1:${PORTS[serve1]}"; URL2="http://127.0.0.1:${PORTS[serve2]}"
say "serve on :${PORTS[serve1]} and :${PORTS[serve2]}, two workers; courier #$COURIER_ID"

python3 bench/soak_staff.py "$WORK/stop" "$WORK/staff.json" "$COURIER_ID" soak_dispatcher "$STAFF_PASSWORD" "$URL1" "$URL2" >"$WORK/staff.log" 2>&1 &
PID[staff]=$!

# Messages per window: a minute's requests at the rate, retries included. Each wrk thread stops when its file is
# sent (bench/soak.lua), so every message is sent once and each customer's conversation goes on in order. wrk gets
# 5 s of slack; processes that cannot keep up leave the rest of the minute unsent, and the minute says so.
MESSAGES=$(( RATE * WINDOW * 100 / (100 + RETRY) ))
FIRST_ID=$(( $(date +%s) * 1000000000 ))
generate() {  # generate WINDOW_INDEX: four files, two per wrk (one per thread); a retry goes to the next file
    local k=$1
    "$BIN" loadgen --mode plaintext --count "$MESSAGES" --start $((k * MESSAGES)) --users "$CUSTOMERS" --order-every "$ORDER_EVERY" \
        --retry-percent "$RETRY" --first-msg-id "$FIRST_ID" --http 127.0.0.1 --split 4 --account gh_dropmate \
        --out "$WORK/req-$k" 2>>"$WORK/loadgen.log"
    mv "$WORK/req-$k.2" "$WORK/req-$k-b.0"; mv "$WORK/req-$k.3" "$WORK/req-$k-b.1"
    mv "$WORK/req-$k.0" "$WORK/req-$k-a.0"; mv "$WORK/req-$k.1" "$WORK/req-$k-a.1"
}

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
connections() { ss -Htnp state established 2>/dev/null | grep -c "pid=$1," || true; }
metric_sum() { curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | awk -v name="$2" -v filter="${3:-}" \
    'index($0, name) == 1 && (filter == "" || index($0, filter)) { sum += $NF } END { printf "%.0f", sum }'; }
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

CSV="$OUT/soak.csv"
echo "minute,requests_per_s,p50_ms,p99_ms,non2xx,socket_errors,rss_serve1_mb,rss_serve2_mb,rss_worker1_mb,rss_worker2_mb,conn_serve1,conn_serve2,conn_worker1,conn_worker2,pg_connections,pg_tables_mb,pg_indexes_mb,pg_handled_messages_mb,pg_customers_mb,pg_orders_mb,pg_jobs_mb,pg_deliveries_mb,redis_used_mb,redis_keys,queue_depth,redis_stream_length,orders,orders_confirmed,orders_dispatched,orders_delivered,deduplicated_total" >"$CSV"
sample() {  # sample MINUTE RPS P50 P99 NON2XX SOCKET_ERRORS
    local row="$1,$2,$3,$4,$5,$6"
    for name in serve1 serve2 worker1 worker2; do row+=",$(rss_mb "${PID[$name]}")"; done
    for name in serve1 serve2 worker1 worker2; do row+=",$(connections "${PID[$name]}")"; done
    row+=",$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")"
    row+=",$(sql "SELECT round(coalesce(sum(pg_table_size(c.oid)), 0) / 1048576.0, 2), round(coalesce(sum(pg_indexes_size(c.oid)), 0) / 1048576.0, 2)
                  FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace")"
    for table in handled_messages customers orders jobs deliveries; do
        row+=",$(sql "SELECT round(coalesce(pg_total_relation_size(to_regclass('public.$table')), 0) / 1048576.0, 2)")"
    done
    local memory keys
    memory=$(redis-cli -u "$REDIS_URL" INFO memory | tr -d '\r' | sed -n 's/^used_memory:\([0-9]*\)/\1/p')
    keys=$(redis-cli -u "$REDIS_URL" DBSIZE | tr -d '\r')
    row+=",$(awk -v b="${memory:-0}" 'BEGIN { printf "%.2f", b / 1048576 }'),${keys:-0}"
    row+=",$(metric_sum "${METRICS[serve1]}" dropmate_queue_depth),$(redis-cli -u "$REDIS_URL" XLEN '{dm:jobs}' | tr -d '\r')"
    row+=",$(sql "SELECT count(*), count(*) FILTER (WHERE status = 'confirmed'), count(*) FILTER (WHERE status = 'dispatched'), count(*) FILTER (WHERE status = 'delivered') FROM orders")"
    row+=",$(( $(metric_sum "${METRICS[serve1]}" dropmate_webhook_messages_total 'outcome="deduplicated"') + $(metric_sum "${METRICS[serve2]}" dropmate_webhook_messages_total 'outcome="deduplicated"') ))"
    echo "$row" >>"$CSV"
}

say "generating the first minute's requests ($MESSAGES messages over $CUSTOMERS customers, $RETRY % retried)"
generate 0
sample 0 0 0 0 0 0
THREAD_RATE=$(awk -v r="$RATE" 'BEGIN { printf "%.3f", r / 4 }')
for k in $(seq 0 $((MINUTES - 1))); do
    [ "$k" -lt $((MINUTES - 1)) ] && { generate $((k + 1)) & gen=$!; } || gen=""
    say "minute $((k + 1))/$MINUTES: $RATE requests/s to two serve processes ($MESSAGES messages)"
    SOAK_THREAD_RATE=$THREAD_RATE wrk -t2 -c"$CONNECTIONS" -d$((WINDOW + 5))s --latency -s bench/soak.lua "$URL1" -- "$WORK/req-$k-a" 2 >"$WORK/wrk-a.txt" &
    wa=$!
    SOAK_THREAD_RATE=$THREAD_RATE wrk -t2 -c"$CONNECTIONS" -d$((WINDOW + 5))s --latency -s bench/soak.lua "$URL2" -- "$WORK/req-$k-b" 2 >"$WORK/wrk-b.txt" &
    wb=$!
    wait "$wa" "$wb"
    [ -z "$gen" ] || wait "$gen"
    rm -f "$WORK/req-$k-a".* "$WORK/req-$k-b".*
    a=$(grep '^RESULT ' "$WORK/wrk-a.txt" | cut -d' ' -f2-); b=$(grep '^RESULT ' "$WORK/wrk-b.txt" | cut -d' ' -f2-)
    [ -n "$a" ] && [ -n "$b" ] || { cat "$WORK/wrk-a.txt" "$WORK/wrk-b.txt" >&2; say "wrk did not finish"; exit 1; }
    sa=$(grep '^SOAK ' "$WORK/wrk-a.txt" | cut -d' ' -f2-); sb=$(grep '^SOAK ' "$WORK/wrk-b.txt" | cut -d' ' -f2-)
    [ "$(field "$sa" finished)$(field "$sb" finished)" = 11 ] ||
        say "WARNING: minute $((k + 1)): the processes did not keep up with $RATE requests/s; the rest of its requests were not sent"
    for name in serve1 serve2 worker1 worker2; do
        kill -0 "${PID[$name]}" 2>/dev/null || { tail -20 "$WORK/$name.log" >&2; say "$name exited"; exit 1; }
    done
    sample $((k + 1)) "$(awk -v a="$(field "$sa" rps)" -v b="$(field "$sb" rps)" 'BEGIN { printf "%.0f", a + b }')" \
        "$(awk -v a="$(field "$a" p50_ms)" -v b="$(field "$b" p50_ms)" 'BEGIN { printf "%.2f", (a > b ? a : b) }')" \
        "$(awk -v a="$(field "$a" p99_ms)" -v b="$(field "$b" p99_ms)" 'BEGIN { printf "%.2f", (a > b ? a : b) }')" \
        $(( $(field "$a" non200) + $(field "$b" non200) )) $(( $(field "$a" socket_errors) + $(field "$b" socket_errors) ))
    tail -1 "$CSV" | awk -F, '{ printf "    %s req/s, p99 %s ms, RSS serve %s/%s MB worker %s/%s MB, PG %s+%s MB, Redis %s MB, queue %s, orders %s (%s delivered)\n",
        $2, $4, $7, $8, $9, $10, $16, $17, $23, $25, $27, $30 }' >&2
done
touch "$WORK/stop"
sleep 2
STAFF=$(cat "$WORK/staff.json" 2>/dev/null || echo '{}')
{
    echo "DropMate soak, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "production mode: PostgreSQL (fsync on) + Redis (AOF everysec), two serve and two worker processes ($BIN)"
    echo "$MINUTES min at $RATE requests/s (two wrk, $CONNECTIONS connections each), $CUSTOMERS customers, $RETRY % of messages retried, an order every $ORDER_EVERY messages of a customer"
    echo "staff API (dispatch and deliver): $STAFF"
    python3 bench/soak_plot.py "$CSV" "$OUT/soak.svg"
} | tee "$OUT/summary.txt"
say "wrote $CSV, $OUT/soak.svg and $OUT/summary.txt"

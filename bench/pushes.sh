#!/usr/bin/env bash
# The push benchmark (BENCHMARKS.md): one release `dropmate worker` on a throwaway PostgreSQL + Redis
# (production durability) delivers BENCH_PUSHES queued pushes as WeChat customer-service messages to
# `fake-wechat`, a Swift fake of WeChat's API on loopback. Prints pushes/s and how many tokens were fetched.
#
#   bench/pushes.sh
#   SKIP_BUILD=1 BENCH_PUSHES=100000 bench/pushes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PUSHES=${BENCH_PUSHES:-60000}
say() { printf '==> %s\n' "$*" >&2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building release (dropmate, fake-wechat)"
    swift build -c release --product dropmate >&2
    swift build -c release --product fake-wechat >&2
fi
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
    say "starting throwaway PostgreSQL + Redis with production durability"
    SKIP_BUILD=1 WITH_SERVICES_DURABLE=1 exec scripts/with-services "$0" "$@"
fi

BIN=.build/release/dropmate
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dropmate-pushes.XXXXXX")
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

.build/release/fake-wechat >"$WORK/fake.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q listening "$WORK/fake.log" && break; sleep 0.05; done
FAKE_PORT=$(sed -n 's/^fake-wechat listening on //p' "$WORK/fake.log")
[ -n "$FAKE_PORT" ] || { cat "$WORK/fake.log" >&2; say "fake-wechat did not start"; exit 1; }

export WECHAT_TOKEN=benchtoken2026 WECHAT_APP_ID=wxfake00000000001 WECHAT_APP_SECRET=fakesecretfakesecretfakesecret12
export WECHAT_API_BASE_URL="http://127.0.0.1:$FAKE_PORT" JWT_SECRET=bench-Jk29-Qz7w-Lp4m-Xv8n-Rt3b-Hs6c
export DROPMATE_PII_KEYS="${DROPMATE_PII_KEYS:-bench1:$(head -c 32 /dev/urandom | base64)}"
"$BIN" migrate --data-dir "$WORK/data" >&2

psql_() { psql "$DATABASE_URL" -At -c "$1"; }
say "queuing $PUSHES pushes in the outbox (one per customer)"
psql_ "INSERT INTO jobs (kind, payload, idempotency_key, state, run_at, attempts, max_attempts, created_at, updated_at)
       SELECT 'push', '{\"openID\":\"o_bench_' || g || '\",\"message\":{\"text\":{\"_0\":\"订单 #' || g || ' 已送达，祝您用餐愉快！\"}}}',
              'bench-' || g, 'ready', EXTRACT(EPOCH FROM now())::bigint, 0, 8, EXTRACT(EPOCH FROM now())::bigint, EXTRACT(EPOCH FROM now())::bigint
       FROM generate_series(1, $PUSHES) g" >/dev/null

say "starting one worker"
started=$(date +%s%N)
LOG_LEVEL=warning "$BIN" worker --data-dir "$WORK/data" >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
WORKER=$!
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Wait on fake-wechat's counter (a cheap local HTTP call) until every push has been sent, then on PostgreSQL until
# every job is recorded done. Counting the jobs table every 100 ms for the whole run took ~10 % of the machine's CPU
# (a psql process and a sequential scan each time) away from the worker being measured.
sent_count() { curl -fsS "http://127.0.0.1:$FAKE_PORT/stats" | sed -n 's/.*"sent":\([0-9]*\).*/\1/p'; }
done_count=0
while :; do
    sent=$(sent_count || true)
    if [ "${sent:-0}" -ge "$PUSHES" ]; then
        done_count=$(psql_ "SELECT COUNT(*) FROM jobs WHERE state = 'done'")
        [ "$done_count" -ge "$PUSHES" ] && break
    fi
    kill -0 "$WORKER" 2>/dev/null || { tail -20 "$WORK/worker.log" >&2; say "the worker exited"; exit 1; }
    [ $(( ($(date +%s%N) - started) / 1000000000 )) -lt 300 ] || { say "not done after 300 s (${sent:-0} sent, $done_count done)"; exit 1; }
    sleep 0.1
done
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
ticks=$(cpu_ticks "$WORKER")
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WORKER/status")
stats=$(curl -fsS "http://127.0.0.1:$FAKE_PORT/stats")
dead=$(psql_ "SELECT COUNT(*) FROM jobs WHERE state = 'dead'")
echo
echo "DropMate push benchmark, $(date -u +%Y-%m-%d), $(nproc) cores"
echo "$PUSHES pushes through one worker (PostgreSQL + Redis Streams) to fake-wechat on loopback"
awk -v n="$PUSHES" -v ms="$elapsed_ms" 'BEGIN { printf "pushes/s:        %.0f (%d in %.2f s, from worker start, token fetch included)\n", n / (ms / 1000), n, ms / 1000 }'
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$PUSHES" 'BEGIN { printf "worker CPU/push: %.0f us\n", t / hz * 1e6 / n }'
echo "worker RSS:      $((rss / 1024)) MB"
echo "fake-wechat:     $stats"
echo "dead jobs:       $dead"

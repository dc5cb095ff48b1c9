#!/usr/bin/env bash
# Daily report benchmark through the real job path: a release `dropmate`, one business day of N seeded orders
# (scripts/reports/seed_orders.py: lunch and dinner peaks, 4 merchants, 30 couriers, 1–3 CJK/emoji items,
# ~8 % cancellations) and sealed at rest by `dropmate rotate-key` (BENCH_SEAL=0: left as plain JSON),
# `dropmate enqueue daily-report`, then `dropmate worker` under /usr/bin/time -v until the
# report is recorded. Prints the build time the job logs (read SQL → XLSX + 6 CSVs + SVG → object storage →
# recorded) and the worker's peak RSS, on SQLite and, when DATABASE_URL names a server, on PostgreSQL.
#
#   scripts/with-services bench/report.sh [N …]        # default: 10000 100000 300000
#   SCRATCH=/work/.build-reports2 … to reuse a build directory; BIN=path/to/dropmate to skip the build.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(10000 100000 300000)
if [ -z "${BIN:-}" ]; then
  swift build -c release --product dropmate --scratch-path "${SCRATCH:-.build}" >&2
  BIN="${SCRATCH:-.build}/release/dropmate"
fi
BIN=$(realpath "$BIN")
date=2026-11-24
server_url=${DATABASE_URL:-}
unset DATABASE_URL REDIS_URL
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
psql=${pgbin:+$pgbin/}psql

run() {  # run DB N
  local db=$1 n=$2 work; work=$(mktemp -d)
  local env=(DROPMATE_DATA_DIR="$work/data" LOG_LEVEL=info DROPMATE_PII_KEYS="bench:$(head -c 32 /dev/urandom | base64)")
  local seed=(--sqlite "$work/data/dropmate.sqlite")
  if [ "$db" = postgres ]; then
    local name="dm_bench_$$_$n"
    "$psql" "$server_url" -q -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    local url="${server_url%/*}/$name"
    env+=(DATABASE_URL="$url")
    seed=(--postgres "$url" --psql "$psql")
  fi
  env "${env[@]}" "$BIN" migrate --log-level warning >/dev/null
  python3 scripts/reports/seed_orders.py --date "$date" --orders "$n" "${seed[@]}" 2>/dev/null
  # Sealed at rest as the app stores them (the seeder writes plain JSON): the job then opens each order as in production.
  [ "${BENCH_SEAL:-1}" = 1 ] && env "${env[@]}" "$BIN" rotate-key --log-level warning >/dev/null
  env "${env[@]}" "$BIN" enqueue daily-report --date "$date" --log-level warning >/dev/null
  env "${env[@]}" /usr/bin/time -v -o "$work/time.txt" "$BIN" worker >"$work/worker.log" 2>&1 &
  local timer=$! worker=""
  for _ in $(seq 1 1200); do
    grep -q 'daily report built' "$work/worker.log" && break
    grep -q 'job failed' "$work/worker.log" && { cat "$work/worker.log" >&2; break; }
    sleep 0.1
  done
  worker=$(pgrep -P "$timer" || true)
  [ -n "$worker" ] && kill -TERM "$worker"
  wait "$timer" || true
  local ms rss xlsx
  ms=$(grep 'daily report built' "$work/worker.log" | sed -n 's/.*dropmate.duration_ms=\([0-9]*\).*/\1/p' | head -1)
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2/1024}' "$work/time.txt")
  xlsx=$(find "$work/data/objects" -name report.xlsx -printf '%s' 2>/dev/null | awk '{printf "%.1f", $1/1048576}')
  printf '%-9s %8d orders  build %6.2f s  peak RSS %4d MB  report.xlsx %s MB\n' "$db" "$n" "$(echo "${ms:-0}/1000" | bc -l)" "$rss" "${xlsx:-?}"
  if [ "$db" = postgres ]; then "$psql" "$server_url" -q -c "DROP DATABASE IF EXISTS dm_bench_$$_$n" || true; fi
  rm -rf "$work"
}

for n in "${counts[@]}"; do
  run sqlite "$n"
  if [ -n "$server_url" ]; then run postgres "$n"; fi
done

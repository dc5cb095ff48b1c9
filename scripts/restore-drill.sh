#!/usr/bin/env bash
# Restore drill (docs/RUNBOOK.md#restore-drill): proves that a pg_dump of DropMate's database restores into a
# fresh PostgreSQL with every row intact.
#
#   scripts/restore-drill.sh [path/to/dropmate]     (default .build/debug/dropmate)
#
# 1. starts a throwaway PostgreSQL (the "production" one) on a free loopback port and runs `dropmate migrate`;
# 2. fills every table with realistic rows (SQL generate_series);
# 3. dumps it as the backup CronJob does (pg_dump --format=custom), and checks the archive reads back;
# 4. initialises a second, empty PostgreSQL and restores the dump into it (pg_restore --exit-on-error);
# 5. compares both: the schema (pg_dump --schema-only), each table's row count and an md5 of its rows in a
#    fixed order, and every sequence; then `dropmate migrate` on the restored copy must find nothing to do;
# 6. deletes one restored row and checks the comparison notices, so a silent comparison cannot pass.
# Exits non-zero on any difference. Both servers are stopped and deleted on exit; nothing else is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
dropmate="${1:-.build/debug/dropmate}"
[ -x "$dropmate" ] || { echo "restore-drill: no dropmate binary at $dropmate (swift build --product dropmate)" >&2; exit 2; }
dropmate="$(cd "$(dirname "$dropmate")" && pwd)/$(basename "$dropmate")"

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)   # initdb refuses to run as root

work=$(mktemp -d)
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
started_clusters=()
cleanup() {
  for data in "${started_clusters[@]}"; do
    "${as_owner[@]}" "$pgbin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_cluster() {  # NAME PORT: a fresh cluster with a database "dropmate"
  local data="$work/$1"
  "${as_owner[@]}" "$pgbin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  started_clusters+=("$data")
  "${as_owner[@]}" "$pgbin/pg_ctl" -D "$data" -l "$work/$1.log" -w start \
    -o "-p $2 -k $work -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
  "$pgbin/psql" -qX -h 127.0.0.1 -p "$2" -U postgres -d postgres -c "CREATE DATABASE dropmate" >/dev/null
}
psql_at() { local port=$1; shift; "$pgbin/psql" -qXAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d dropmate "$@"; }

source_port=$(free_port)
start_cluster source "$source_port"
source_url="postgres://postgres@127.0.0.1:$source_port/dropmate?sslmode=disable"
# Production configuration needs the personal-data key even to migrate; a throwaway one does for the drill.
export DROPMATE_PII_KEYS="drill:$(head -c 32 /dev/urandom | base64)"
DATABASE_URL="$source_url" DROPMATE_DATA_DIR="$work/data" "$dropmate" migrate >/dev/null 2>"$work/migrate.log" \
  || { cat "$work/migrate.log" >&2; exit 1; }

# Realistic rows in every table the migrations create: a few merchants with menus, 2,000 customers with
# conversation state, 5,000 orders in every status with their event history, board posts (some hidden,
# some without an order), answered-message dedupe records, jobs in every state, push deliveries and
# couriers. Chinese text, NULLs and large numbers included, because those are what an encoding bug would
# lose. Each block runs only when its table exists, so the drill works with older and newer binaries; a
# table nobody seeds yet is reported (its schema is still compared).
existing=" $(psql_at "$source_port" -c "SELECT string_agg(table_name, ' ') FROM information_schema.tables WHERE table_schema = 'public'") "
seed() {  # TABLE, SQL on stdin
  local sql; sql=$(cat)
  case "$existing" in *" $1 "*) psql_at "$source_port" -c "$sql" >/dev/null ;; esac
}
seed merchants <<'SQL'
INSERT INTO merchants (id, data, updated_at)
SELECT 'drill-m' || m, json_build_object('name', '兰州牛肉面馆 ' || m, 'phone', '0755-8' || lpad(m::text, 7, '0'),
       'open', '10:00', 'close', '22:00')::text, 1764000000 + m
FROM generate_series(1, 5) AS m;
SQL
seed catalog_items <<'SQL'
INSERT INTO catalog_items (id, merchant_id, position, active, data, updated_at)
SELECT 'drill-i' || i, 'drill-m' || (1 + i % 5), i, (i % 7 <> 0)::int,
       json_build_object('name', (ARRAY['牛肉面', '炒饭', '饺子', 'Beef noodles', '酸辣汤'])[1 + i % 5] || ' ' || i,
                         'price_fen', 1200 + 50 * i, 'aliases', json_build_array('item' || i))::text, 1764000000 + i
FROM generate_series(1, 60) AS i;
SQL
seed customers <<'SQL'
INSERT INTO customers (openid, state, expires_at, updated_at)
SELECT 'oDrill' || lpad(c::text, 22, '0'),
       json_build_object('flow', (ARRAY['idle', 'drafting', 'awaitingAddress', 'awaitingConfirmation'])[1 + c % 4],
                         'draft', CASE WHEN c % 4 = 0 THEN NULL ELSE json_build_object('items', json_build_array(json_build_object('id', 'drill-i' || (1 + c % 60), 'qty', 1 + c % 3))) END,
                         'address', '上海市黄浦区人民大道 ' || c || ' 号')::text,
       CASE WHEN c % 3 = 0 THEN NULL ELSE 1764000000 + 1800 + c END, 1764000000 + c
FROM generate_series(1, 2000) AS c;
SQL
seed couriers <<'SQL'
INSERT INTO couriers (name, phone, openid, binding_code, binding_expires_at, api_token_hash, latitude, longitude, position_at, active, created_at, updated_at)
SELECT '骑手' || k, 'v1.k1.' || md5('phone' || k), CASE WHEN k % 4 = 0 THEN NULL ELSE 'oCourier' || k END,
       CASE WHEN k % 4 = 0 THEN 'BIND' || k END, CASE WHEN k % 4 = 0 THEN 1764003600 END,
       encode(sha256(('token' || k)::bytea), 'hex'), 31.22 + k / 1000.0, 121.47 + k / 1000.0, 1764000000 + k,
       (k % 10 <> 0)::int, 1764000000, 1764000000 + k
FROM generate_series(1, 20) AS k;
SQL
seed orders <<'SQL'
INSERT INTO orders (id, customer, merchant_id, status, total_fen, created_at, promised_at, latitude, longitude, data, updated_at)
SELECT 1000 + o, 'oDrill' || lpad((1 + o % 2000)::text, 22, '0'), 'drill-m' || (1 + o % 5),
       (ARRAY['pending', 'confirmed', 'dispatched', 'delivered', 'cancelled'])[1 + o % 5], 1800 * (1 + o % 4),
       1764000000 + 60 * o, CASE WHEN o % 5 = 0 THEN NULL ELSE 1764000000 + 60 * o + 1800 END,
       CASE WHEN o % 6 = 0 THEN NULL ELSE 31.2 + (o % 100) / 1000.0 END,
       CASE WHEN o % 6 = 0 THEN NULL ELSE 121.4 + (o % 77) / 1000.0 END,
       json_build_object('items', json_build_array(json_build_object('name', '牛肉面', 'qty', 1 + o % 4, 'unit_fen', 1800)),
                         'address', '人民广场 ' || o, 'phone_enc', 'v1.k1.' || md5(o::text), 'note', CASE WHEN o % 9 = 0 THEN '不要香菜 🌶' END)::text,
       1764000000 + 60 * o + 5
FROM generate_series(1, 5000) AS o;
DO $$ BEGIN  -- newer schemas: dispatched and delivered orders have a courier
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'courier_id') THEN
    EXECUTE 'UPDATE orders SET courier_id = 1 + id % 20 WHERE status IN (''dispatched'', ''delivered'')';
  END IF;
END $$;
SQL
seed order_events <<'SQL'
INSERT INTO order_events (order_id, status, at)
SELECT 1000 + o, (ARRAY['pending', 'confirmed', 'dispatched', 'delivered'])[s], 1764000000 + 60 * o + 300 * s
FROM generate_series(1, 5000) AS o, generate_series(1, 4) AS s
WHERE s <= 1 + o % 4;
SQL
seed board_posts <<'SQL'
INSERT INTO board_posts (customer, order_id, body, hidden, created_at)
SELECT 'oDrill' || lpad((1 + p % 2000)::text, 22, '0'), CASE WHEN p % 4 = 0 THEN NULL ELSE 1000 + p END,
       (ARRAY['很好吃，送得也快！', 'Noodles were great', '汤有点咸', '骑手很客气 👍'])[1 + p % 4] || ' #' || p, (p % 10 = 0)::int,
       1764000000 + 97 * p
FROM generate_series(1, 800) AS p;
SQL
seed handled_messages <<'SQL'
INSERT INTO handled_messages (key, reply, created_at)
SELECT 'msg:' || (24000000000000000 + h), '<xml><ToUserName><![CDATA[oDrill' || h || ']]></ToUserName><Content><![CDATA[已加入订单：牛肉面 ×2]]></Content></xml>',
       1764000000 + h
FROM generate_series(1, 3000) AS h;
SQL
seed jobs <<'SQL'
INSERT INTO jobs (kind, payload, idempotency_key, state, run_at, attempts, max_attempts, locked_until, last_error, created_at, updated_at)
SELECT (ARRAY['push', 'sms', 'expire-draft', 'daily-report'])[1 + j % 4],
       json_build_object('openid', 'oDrill' || lpad((1 + j % 2000)::text, 22, '0'), 'message', '订单 #' || (1000 + j) || ' 已送达')::text,
       CASE WHEN j % 3 = 0 THEN NULL ELSE 'order-' || (1000 + j) || '-delivered' END,
       (ARRAY['pending', 'running', 'done', 'dead'])[1 + j % 4], 1764000000 + 10 * j, j % 9, 8,
       CASE WHEN j % 4 = 1 THEN 1764000000 + 10 * j + 120 END,
       CASE WHEN j % 4 = 3 THEN 'errcode 45015: response out of time limit' END,
       1764000000 + 10 * j, 1764000000 + 10 * j + 1
FROM generate_series(1, 4000) AS j;
SQL
seed deliveries <<'SQL'
INSERT INTO deliveries (job_id, openid, channel, msgid, status, created_at, updated_at)
SELECT id, 'oDrill' || lpad((1 + id % 2000)::text, 22, '0'), CASE WHEN id % 5 = 0 THEN 'template' ELSE 'customer-service' END,
       CASE WHEN id % 5 = 0 THEN (3000000000 + id)::text END, CASE WHEN id % 7 = 0 THEN 'failed' ELSE 'sent' END,
       created_at, updated_at + 2
FROM jobs WHERE state = 'done';
SQL
seed courier_binding_attempts <<'SQL'
INSERT INTO courier_binding_attempts (openid, failures, window_start)
SELECT 'oGuess' || lpad(g::text, 22, '0'), 1 + g % 5, 1764000000 + 60 * g
FROM generate_series(1, 50) AS g;
SQL
psql_at "$source_port" -c "SELECT setval('order_numbers', 6000) WHERE EXISTS (SELECT 1 FROM pg_sequences WHERE sequencename = 'order_numbers')" >/dev/null

# One row per table: its row count and an md5 over its rows, sorted by their text (byte order); then every
# sequence's last value. Tables come from the catalog, so a table a later migration adds is covered too.
fingerprint() {
  local port=$1 sql
  sql=$(psql_at "$port" <<'SQL'
SELECT string_agg(format('SELECT %L AS name, count(*)::text AS n, coalesce(md5(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C")), ''-'') AS sum FROM %I.%I t',
                         table_name, table_schema, table_name), E'\nUNION ALL ')
       || E'\nUNION ALL SELECT ''sequence '' || sequencename, coalesce(last_value, 0)::text, ''-'' FROM pg_sequences WHERE schemaname = ''public'''
       || E'\nORDER BY 1'
FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE';
SQL
)
  psql_at "$port" -F ' ' -c "$sql"
}
# pg_dump's \restrict lines carry a random key per run: not part of the schema.
schema() { "$pgbin/pg_dump" --schema-only --no-owner --no-privileges -h 127.0.0.1 -p "$1" -U postgres dropmate | grep -Ev '^(--|$|\\(un)?restrict )'; }

psql_at "$source_port" -c "ANALYZE" >/dev/null
dump="$work/dropmate.dump"
"$pgbin/pg_dump" --format=custom --no-owner --no-privileges --file="$dump" --dbname="$source_url"
"$pgbin/pg_restore" --list "$dump" >/dev/null

target_port=$(free_port)
start_cluster target "$target_port"
"$pgbin/pg_restore" --no-owner --no-privileges --exit-on-error -h 127.0.0.1 -p "$target_port" -U postgres -d dropmate "$dump"

fingerprint "$source_port" > "$work/source.txt"
fingerprint "$target_port" > "$work/target.txt"
schema "$source_port" > "$work/source-schema.sql"
schema "$target_port" > "$work/target-schema.sql"
status=0
if ! diff -u "$work/source-schema.sql" "$work/target-schema.sql" >&2; then echo "restore-drill: the restored schema differs" >&2; status=1; fi
if ! diff -u "$work/source.txt" "$work/target.txt" >&2; then echo "restore-drill: the restored rows differ" >&2; status=1; fi
tables=$(grep -vc '^sequence ' "$work/source.txt")
rows=$(grep -v '^sequence ' "$work/source.txt" | awk '{s += $2} END {print s}')
empty=$(grep -v '^sequence ' "$work/source.txt" | awk '$2 == 0 {print $1}' | tr '\n' ' ' || true)
if [ -n "$empty" ]; then echo "restore-drill: warning: no rows to compare in $empty(add a seed block for it above)" >&2; fi

# The app accepts the restored database: its schema is current, so migrate has nothing to do.
DATABASE_URL="postgres://postgres@127.0.0.1:$target_port/dropmate?sslmode=disable" DROPMATE_DATA_DIR="$work/data" \
  "$dropmate" migrate >/dev/null 2>"$work/migrate-target.log" || { cat "$work/migrate-target.log" >&2; status=1; }
fingerprint "$target_port" > "$work/target-after-migrate.txt"
if ! diff -q "$work/target.txt" "$work/target-after-migrate.txt" >/dev/null; then
  echo "restore-drill: dropmate migrate changed the restored database" >&2; status=1
fi

# The comparison must be able to fail: lose one restored row and expect a difference.
psql_at "$target_port" -c "DELETE FROM board_posts WHERE id = (SELECT max(id) FROM board_posts)" >/dev/null
fingerprint "$target_port" > "$work/target-tampered.txt"
if diff -q "$work/source.txt" "$work/target-tampered.txt" >/dev/null; then
  echo "restore-drill: deleting a restored row went unnoticed; the comparison is broken" >&2; status=1
fi

[ "$status" -eq 0 ] || exit "$status"
echo "restore-drill: $tables tables, $rows rows and $(grep -c '^sequence ' "$work/source.txt") sequence(s) restored identically from a $(du -k "$dump" | cut -f1) KB pg_dump (PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}')) in $((SECONDS - started)) s"

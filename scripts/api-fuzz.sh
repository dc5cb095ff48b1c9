#!/usr/bin/env bash
# Fuzzes the staff API from its own OpenAPI document with schemathesis: the real binary on a throwaway data
# directory, an admin token for the authenticated endpoints, and one check that matters here: no 5xx, ever. Before that,
# scripts/openapi-check.py validates the served document with openapi-spec-validator.
#   scripts/api-fuzz.sh [path/to/dropmate]      (SCHEMATHESIS_MAX_EXAMPLES, default 30 per operation)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.build/debug/dropmate}"
[ -x "$BIN" ] || { echo "no dropmate binary at $BIN (swift build first)" >&2; exit 1; }
TOOLS="$(scripts/python-tools)"
. scripts/lib/throwaway-server.sh
# Something to find: an order in chat, a courier, a staff admin.
printf '2 份牛肉面\n/location 31.2243,121.4805 人民广场\n13800138000\n确认\n留言 好吃\n' | "$BIN" chat --port "$PORT" --openid o_fuzz >/dev/null
"$BIN" courier create --name Fuzz >/dev/null
echo "fuzzing admin password 123" | "$BIN" staff create --username fuzzadmin --role admin >/dev/null
TOKEN="$(curl -fs -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"fuzzadmin","password":"fuzzing admin password 123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
# The document itself first: valid OpenAPI 3 by an independent validator, the YAML and JSON the same, the docs page served.
"$TOOLS/python" scripts/openapi-check.py "$URL"
"$TOOLS/schemathesis" run "$URL/api/v1/openapi.yaml" --url "$URL/api/v1" \
  --header "Authorization: Bearer $TOKEN" --checks not_a_server_error \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-30}" --seed 20261125 --request-timeout 10 --no-color
if grep -q '"level":"critical"\|fatal error' "$WORK/server.log"; then echo "the server logged a crash" >&2; exit 1; fi
kill -0 $SERVER || { echo "the server died during fuzzing" >&2; exit 1; }
echo "api-fuzz: no 5xx; the server kept serving"

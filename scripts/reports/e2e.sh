#!/usr/bin/env bash
# The daily report end to end, as an operator gets it: the real binary on a fresh data directory, orders seeded
# into its database, `dropmate enqueue daily-report` (twice: one build), the in-process worker builds it, the
# files are downloaded through the staff API's signed links and checked with independent readers
# (check_report.py: openpyxl and Python's csv) against totals counted while seeding.
# Usage: scripts/reports/e2e.sh [path/to/dropmate] [orders]
# REPORT_PREVIEW_DIR=dir also keeps the workbook and PNGs of its first and last pages (LibreOffice) for a person to look at.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-.build/debug/dropmate}")
orders=${2:-2000}
date=2026-11-24
work=$(mktemp -d)
server=""
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DROPMATE_DATA_DIR="$work/data" PORT="$port" PUBLIC_BASE_URL="http://127.0.0.1:$port" DROPMATE_PASSWORD_COST=10
unset DATABASE_URL REDIS_URL

"$bin" migrate --log-level warning >/dev/null
python3 scripts/reports/seed_orders.py --sqlite "$work/data/dropmate.sqlite" --date "$date" --orders "$orders" --expected "$work/expected.json"
"$bin" rotate-key --log-level warning >/dev/null   # seals the seeded plain-text personal data, as for rows written before sealing
"$bin" staff create --username e2e-admin --role admin --password 'e2e password 1234' >/dev/null
"$bin" enqueue daily-report --date "$date"
again=$("$bin" enqueue daily-report --date "$date")
case "$again" in
    "already queued as job #"*) ;;
    *) echo "e2e: the second enqueue of $date said: $again" >&2; exit 1 ;;
esac

"$bin" serve >"$work/serve.log" 2>&1 &
server=$!
python3 - "$port" "$date" "$work/out" <<'PY'
import json, os, sys, time, urllib.request
port, date, out = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response: return response.status, response.read()
    except urllib.error.HTTPError as error: return error.code, error.read()
    except OSError: return 0, b""
deadline = time.time() + 120
token = None
while token is None and time.time() < deadline:
    status, body = call("POST", "/api/v1/auth/login", {"username": "e2e-admin", "password": "e2e password 1234"})
    if status == 200: token = json.loads(body)["token"]
    else: time.sleep(0.3)
assert token, "the server did not come up"
while time.time() < deadline:
    status, body = call("GET", f"/api/v1/reports/{date}", token=token)
    if status == 200: break
    time.sleep(0.3)
assert status == 200, f"no report after 120 s: {status} {body[:200]!r}"
report = json.loads(body)
status, body = call("GET", "/api/v1/jobs/dead", token=token)
assert json.loads(body)["items"] == [], f"dead jobs: {body!r}"
os.makedirs(f"{out}/csv")
def fetch(url, path):
    with urllib.request.urlopen(url, timeout=30) as response, open(path, "wb") as f: f.write(response.read())
fetch(report["files"]["xlsx"], f"{out}/report.xlsx")
fetch(report["files"]["chart"], f"{out}/chart.svg")
for name, url in report["files"]["csv"].items(): fetch(url, f"{out}/csv/{name}.csv")
with urllib.request.urlopen(report["page_url"], timeout=10) as page:
    html = page.read().decode()
    assert page.status == 200 and 'src="data:image/svg+xml;base64,' in html and "<script" not in html, "the H5 page"
    assert "default-src 'none'" in page.headers.get("Content-Security-Policy", ""), "the H5 page's CSP"
print(f"e2e: report of {date} built once by the real binary: {report['summary']['placed']} orders; files downloaded through signed links")
PY
[ "$(grep 'daily report built' "$work/serve.log" | grep -c "$date")" = 1 ] || { echo "e2e: expected exactly one build in the log"; cat "$work/serve.log"; exit 1; }
python3 scripts/reports/check_report.py "$work/out" --expected "$work/expected.json"
if [ -n "${REPORT_PREVIEW_DIR:-}" ]; then
  mkdir -p "$REPORT_PREVIEW_DIR"
  cp "$work/out/report.xlsx" "$work/out/chart.svg" "$REPORT_PREVIEW_DIR/"
  scripts/reports/render_preview.sh "$work/out/report.xlsx" "$REPORT_PREVIEW_DIR/summary.png" 1
  scripts/reports/render_preview.sh "$work/out/report.xlsx" "$REPORT_PREVIEW_DIR/by-hour.png" last
  echo "e2e: previews in $REPORT_PREVIEW_DIR"
fi

#!/usr/bin/env bash
# Screenshots of every H5 page as WeChat's in-app browser would show it (a 390×844 phone screen), taken with
# headless Chromium against the real binary on a throwaway data directory: the ad page, the confirmation page,
# the tracking page (an order dispatched to a courier who shared a position), the public message board and the menu page.
#   scripts/h5/screenshots.sh [path/to/dropmate] [output directory, default docs/screenshots]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:-.build/debug/dropmate}"
OUT="${2:-docs/screenshots}"
[ -x "$BIN" ] || { echo "no dropmate binary at $BIN (swift build first)" >&2; exit 1; }
CHROME="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$CHROME" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  CHROME="$(command -v chromium)"
fi
. scripts/lib/throwaway-server.sh

# A customer orders by chat; the summary carries the signed confirmation link.
printf '2 份牛肉面\n/location 31.2243,121.4805 人民广场\n13800138000\n留言 面很好吃，谢谢！\n' \
  | "$BIN" chat --port "$PORT" --openid o_screenshot >"$WORK/chat.txt"
CONFIRM="$(grep -o "$URL/confirm/[^ ]*" "$WORK/chat.txt" | head -1)"
printf '留言 明天还来\n' | "$BIN" chat --port "$PORT" --openid o_other >/dev/null
# "菜单" answers with the signed menu page (photos, prices, sold-out marks, a cart per shop).
MENU="$(printf '菜单\n' | "$BIN" chat --port "$PORT" --openid o_menu | grep -o "$URL/menu?[^ ]*" | head -1)"

# That order waits for confirmation (its page shows the button). Another customer's order is confirmed in chat
# and dispatched through the staff API to a courier whose app reports a position.
printf '1 份奶茶\n/location 31.2243,121.4805 人民广场\n13900139000\n确认\n' | "$BIN" chat --port "$PORT" --openid o_track >>"$WORK/chat.txt"
"$BIN" staff create --username admin --role admin --password "screenshots only 123" >/dev/null
TOKEN="$(curl -fs -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"screenshots only 123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
COURIER="$(curl -fs -X POST "$URL/api/v1/couriers" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"王师傅","phone":"13700137000"}')"
APP_TOKEN="$(echo "$COURIER" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_token"])')"
curl -fs -X POST "$URL/api/v1/orders/1002/dispatch" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"courier_id":1}' >/dev/null
curl -fs -X POST "$URL/api/v1/courier/position" -H "Authorization: Bearer $APP_TOKEN" -H 'Content-Type: application/json' -d '{"latitude":31.2290,"longitude":121.4760}' >/dev/null
TRACK="$(curl -fs "$URL/dev/outbox" | python3 -c 'import json,re,sys
texts = [str(entry["message"]) for entry in json.load(sys.stdin)]
print(next((m.group(0) for t in texts for m in [re.search(r"http://[^ \x27\"\\]*/track/[^ \x27\"\\]*", t)] if m), ""))')"
[ -n "$CONFIRM" ] && [ -n "$TRACK" ] && [ -n "$MENU" ] || { echo "could not find the links (chat: $WORK/chat.txt)" >&2; cat "$WORK/chat.txt" >&2; exit 1; }

mkdir -p "$OUT"
shoot() {
  "$CHROME" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=390,844 \
    --screenshot="$OUT/$1.png" "$2" >/dev/null 2>&1
  echo "$OUT/$1.png  ← $2"
}
shoot ad "$URL/ads/beef-noodles"
shoot confirm "$CONFIRM"
shoot track "$TRACK"
shoot board "$URL/board"
shoot menu "$MENU"

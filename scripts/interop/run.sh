#!/usr/bin/env bash
# Starts the built dropmate on a free port with a fixed account, then plays WeChat's side with wechatpy.
# Usage: scripts/interop/run.sh [path-to-dropmate]   (default .build/debug/dropmate)
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-.build/debug/dropmate}
python3 -c "import wechatpy" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check wechatpy
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=interopToken42
aes_key=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
app_id=wxinterop00000001
WECHAT_TOKEN=$token WECHAT_ENCODING_AES_KEY=$aes_key WECHAT_APP_ID=$app_id JWT_SECRET=interop-secret-interop-secret-0123 \
  "$binary" serve --port "$port" --data-dir "$work/data" --log-level warning > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
python3 scripts/interop/wechatpy_client.py "http://127.0.0.1:$port" "$token" "$aes_key" "$app_id"

# Sourced by scripts that need a real DropMate to talk to: starts `$BIN serve` on a free loopback port with a
# throwaway data directory (embedded default), waits until /healthz answers, and stops it and deletes the
# directory on exit. Sets WORK, PORT, URL and SERVER; the server's output is in $WORK/server.log.
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
export DROPMATE_DATA_DIR="$WORK/data" PORT PUBLIC_BASE_URL="$URL" DROPMATE_PASSWORD_COST=10
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null && break; sleep 0.1; done
curl -fs "$URL/healthz" >/dev/null || { cat "$WORK/server.log" >&2; echo "dropmate did not start" >&2; exit 1; }

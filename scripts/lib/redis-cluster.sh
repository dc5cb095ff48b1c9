# Sourced: starts a throwaway Redis Cluster on loopback with Debian's redis-server and `redis-cli --cluster create`.
#   start_redis_cluster MASTERS REPLICAS_PER_MASTER   e.g. 3 0 (three masters) or 3 1 (six nodes, for failover)
# Sets REDIS_CLUSTER_DIR, REDIS_CLUSTER_PORTS (masters first, as created), REDIS_CLUSTER_URL (redis://h:p,h:p,…)
# and exports REDIS_URL to it; stop_redis_cluster stops every node it started (by pid) and deletes the directory.
# REDIS_CLUSTER_NODE_TIMEOUT (ms, default 1000) is how long a silent master takes to be failed over;
# REDIS_CLUSTER_AOF=1 runs the nodes with an append-only file (fsync every second), as production does.
# REDIS_CLUSTER_TLS=1 makes every node speak TLS only (clients, cluster bus and replication) with a throwaway CA;
# REDIS_URL is then rediss://localhost:P,… and REDIS_TLS_CA_FILE names the CA (the nodes announce 127.0.0.1, so the
# client must check their certificates against the URL's name).
REDIS_CLUSTER_DIR=""
REDIS_CLUSTER_PORTS=()
REDIS_CLUSTER_PIDS=()

# N free loopback ports P whose cluster bus port P+10000 is free too.
redis_cluster_ports() {
  python3 - "$1" <<'EOF'
import random, socket, sys
def free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); return True
    except OSError:
        return False
    finally:
        s.close()
found = []
while len(found) < int(sys.argv[1]):
    p = random.randint(20000, 50000)
    if p not in found and free(p) and free(p + 10000):
        found.append(p)
print(" ".join(map(str, found)))
EOF
}

start_redis_cluster() {
  local masters=$1 replicas=$2 count=$(( $1 * (1 + $2) )) port
  REDIS_CLUSTER_DIR=$(mktemp -d)
  read -r -a REDIS_CLUSTER_PORTS <<<"$(redis_cluster_ports "$count")"
  local persistence=(--appendonly no) tls=() cli_tls=() scheme=redis host=127.0.0.1
  [ "${REDIS_CLUSTER_AOF:-0}" = 1 ] && persistence=(--appendonly yes --appendfsync everysec)
  if [ "${REDIS_CLUSTER_TLS:-0}" = 1 ]; then
    local pki="$REDIS_CLUSTER_DIR/pki"
    mkdir -p "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj "/CN=dropmate test CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$pki/node.key" -out "$pki/node.csr" -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost\n' >"$pki/ext"
    openssl x509 -req -in "$pki/node.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -out "$pki/node.crt" -days 2 \
      -extfile "$pki/ext" 2>/dev/null
    tls=(--tls-cert-file "$pki/node.crt" --tls-key-file "$pki/node.key" --tls-ca-cert-file "$pki/ca.crt" --tls-auth-clients no
         --tls-cluster yes --tls-replication yes)
    cli_tls=(--tls --cacert "$pki/ca.crt" --sni localhost)
    scheme=rediss host=localhost
    export REDIS_TLS_CA_FILE="$pki/ca.crt"
  fi
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    mkdir -p "$REDIS_CLUSTER_DIR/$port"
    local listen=(--port "$port")
    [ ${#tls[@]} -gt 0 ] && listen=(--port 0 --tls-port "$port" "${tls[@]}")
    redis-server "${listen[@]}" --bind 127.0.0.1 --save '' "${persistence[@]}" --daemonize yes --dir "$REDIS_CLUSTER_DIR/$port" \
      --pidfile "$REDIS_CLUSTER_DIR/$port/redis.pid" --logfile "$REDIS_CLUSTER_DIR/$port/redis.log" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "${REDIS_CLUSTER_NODE_TIMEOUT:-1000}" \
      --cluster-replica-validity-factor 0 --maxmemory-policy noeviction
  done
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    for _ in $(seq 1 50); do [ -s "$REDIS_CLUSTER_DIR/$port/redis.pid" ] && break; sleep 0.1; done
    REDIS_CLUSTER_PIDS+=("$(cat "$REDIS_CLUSTER_DIR/$port/redis.pid")")
  done
  local nodes=()
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
  redis-cli "${cli_tls[@]}" --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes >"$REDIS_CLUSTER_DIR/create.log" 2>&1 \
    || { cat "$REDIS_CLUSTER_DIR/create.log" >&2; return 1; }
  # Every node agrees the cluster is up; every replica has its master's data.
  local deadline=$(( $(date +%s) + 30 ))
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    until redis-cli "${cli_tls[@]}" -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' \
          && ! redis-cli "${cli_tls[@]}" -p "$port" info replication 2>/dev/null | grep -q 'master_link_status:down\|master_sync_in_progress:1'; do
      [ "$(date +%s)" -lt "$deadline" ] || { echo "redis cluster: node $port not ready" >&2; return 1; }
      sleep 0.1
    done
  done
  local seeds=()
  for port in "${REDIS_CLUSTER_PORTS[@]:0:$masters}"; do seeds+=("$host:$port"); done
  REDIS_CLUSTER_URL="$scheme://$(IFS=,; echo "${seeds[*]}")"
  export REDIS_URL="$REDIS_CLUSTER_URL"
  echo "redis cluster: $masters masters, $replicas replica(s) each, on ${REDIS_CLUSTER_PORTS[*]}${tls:+ (TLS only)}" >&2
}

stop_redis_cluster() {
  local pid
  for pid in "${REDIS_CLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${REDIS_CLUSTER_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  [ -n "$REDIS_CLUSTER_DIR" ] && rm -rf "$REDIS_CLUSTER_DIR"
  REDIS_CLUSTER_PIDS=()
}

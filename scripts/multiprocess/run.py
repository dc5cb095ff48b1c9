#!/usr/bin/env python3
"""End-to-end multi-process fault test for DropMate's production mode.

Starts a throwaway PostgreSQL and Redis, two `dropmate serve` and two `dropmate worker` processes on them,
plays WeChat's side (plaintext mode, with WeChat-style retries) and breaks things under traffic:
duplicate deliveries to both servers, kill -9 of a worker, a Redis restart and a PostgreSQL restart.

Usage: python3 scripts/multiprocess/run.py [path/to/dropmate]   (default: env DROPMATE_BIN, else .build/debug/dropmate)
Standard library only. Set MULTIPROCESS_KEEP=1 to keep the temp directory (logs) after the run.

MULTIPROCESS_REDIS_CLUSTER=1 runs the same on a Redis Cluster of six nodes on loopback (three masters, a replica
each, AOF everysec, created with `redis-cli --cluster create`); scenario c then kills -9 the master serving most of
its customers under traffic instead of restarting Redis: its replica is promoted, and no accepted order may be lost.
"""

import concurrent.futures
import hashlib
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLUSTER = os.environ.get("MULTIPROCESS_REDIS_CLUSTER", "") not in ("", "0")
TOKEN = "mptoken2026"
APP_ID = "wxmultiproc000001"
# Fresh random secrets per run: dropmate refuses placeholders and keys whose bytes barely vary ("B" * 43).
PII_KEYS = "mp1:" + __import__("base64").b64encode(os.urandom(32)).decode()
JWT_SECRET = "mp-" + os.urandom(24).hex()
ACCOUNT = "gh_dropmate"
PRINT_LOCK = threading.Lock()
STOPPING = threading.Event()  # set on SIGTERM/SIGINT: client threads stop sending


def say(message):
    with PRINT_LOCK:
        print(f"multiprocess: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Interrupted(BaseException):
    """Raised in the main thread by SIGTERM/SIGINT/SIGHUP so that the finally block cleans up."""


class SetupFailed(Exception):
    pass


# ----------------------------------------------------------------------------------------------------------------
# Services: PostgreSQL, Redis, dropmate processes
# ----------------------------------------------------------------------------------------------------------------


class Harness:
    def __init__(self, binary):
        self.source_binary = binary
        self.dir = tempfile.mkdtemp(prefix="dropmate-multiprocess-")
        self.as_owner = []
        self.pgbin = None
        self.metrics_ports = {}
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.pg_started = False
        self.redis_started = False
        self.cluster_ports = []  # Redis Cluster nodes (MULTIPROCESS_REDIS_CLUSTER), masters first as created
        self.procs = {}  # name -> (Popen, log path, argv)
        self.logs = {}  # name -> [log paths, oldest first]
        self.started_at = {}  # name -> when its current process started
        self.ports = []
        self.binary = os.path.join(self.dir, "dropmate")

    # --- PostgreSQL ---------------------------------------------------------------------------------------------

    def start_postgres(self):
        bins = sorted((os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")
                       if os.path.isdir(os.path.join("/usr/lib/postgresql", v, "bin"))),
                      key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p)]) \
            if os.path.isdir("/usr/lib/postgresql") else []
        if not bins:
            raise SetupFailed("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin); apt-get install -y postgresql")
        self.pgbin = bins[-1]
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, user="postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        result = subprocess.run(self.as_owner + [os.path.join(self.pgbin, "initdb"), "-D", self.pg_data, "-U", "postgres", "-A", "trust"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise SetupFailed(f"initdb failed ({result.returncode}):\n{result.stdout[-2000:]}")
        self.pg_ctl("start", "-o", f"-p {self.pg_port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200")
        self.pg_started = True

    @property
    def pg_data(self):
        return os.path.join(self.dir, "data")

    def pg_ctl(self, action, *extra, check=True, timeout=60):
        argv = self.as_owner + [os.path.join(self.pgbin, "pg_ctl"), "-D", self.pg_data, "-l", os.path.join(self.dir, "pg.log"), "-w"]
        argv += [action] + list(extra)
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise SetupFailed(f"pg_ctl {action} failed ({result.returncode}): {result.stdout.strip()}\n{tail(os.path.join(self.dir, 'pg.log'))}")
        return result

    def psql(self, sql, timeout=60):
        """Runs `sql`; returns the rows as lists of strings. Raises RuntimeError on failure."""
        result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", "postgres",
                                 "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()} (SQL: {sql[:120]})")
        return [line.split("|") for line in result.stdout.splitlines() if line != ""]

    def scalar(self, sql):
        rows = self.psql(sql)
        return rows[0][0] if rows else None

    @property
    def database_url(self):
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres?sslmode=disable"

    # --- Redis --------------------------------------------------------------------------------------------------

    @property
    def redis_pidfile(self):
        return os.path.join(self.dir, "redis.pid")

    def start_redis(self):
        if shutil.which("redis-server") is None:
            raise SetupFailed("redis-server is not installed; apt-get install -y redis-server")
        if CLUSTER:
            return self.start_redis_cluster()
        try:
            os.unlink(self.redis_pidfile)
        except FileNotFoundError:
            pass
        result = subprocess.run(["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", self.dir,
                                 "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "yes",
                                 "--pidfile", self.redis_pidfile, "--logfile", os.path.join(self.dir, "redis.log")],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        if result.returncode != 0:
            raise SetupFailed(f"redis-server failed ({result.returncode}): {result.stdout.strip()}")
        self.redis_started = True
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.redis_ping():
                return
            time.sleep(0.05)
        raise SetupFailed(f"Redis did not answer PING within 15 s\n{tail(os.path.join(self.dir, 'redis.log'))}")

    def redis_cli(self, *args, timeout=10, port=None):
        if CLUSTER and port is None:  # any live node; -c follows MOVED to the key's master
            port = next((p for p in self.cluster_ports if self.cluster_node_pid(p) is not None), self.cluster_ports[0])
            return subprocess.run(["redis-cli", "-c", "-h", "127.0.0.1", "-p", str(port)] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port or self.redis_port)] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)

    # --- Redis Cluster (MULTIPROCESS_REDIS_CLUSTER) ----------------------------------------------------------------

    def start_redis_cluster(self):
        """Six nodes: three masters and a replica each, as scripts/lib/redis-cluster.sh starts them."""
        while len(self.cluster_ports) < 6:
            port = free_port()
            if port < 55000 and port not in self.cluster_ports and self.port_free(port + 10000):
                self.cluster_ports.append(port)
        for port in self.cluster_ports:
            node_dir = os.path.join(self.dir, f"redis-{port}")
            os.makedirs(node_dir, exist_ok=True)
            result = subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", node_dir,
                                     "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "yes",
                                     "--pidfile", os.path.join(node_dir, "redis.pid"), "--logfile", os.path.join(node_dir, "redis.log"),
                                     "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                                     "--cluster-replica-validity-factor", "0", "--maxmemory-policy", "noeviction"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
            if result.returncode != 0:
                raise SetupFailed(f"redis-server failed ({result.returncode}): {result.stdout.strip()}")
        self.redis_started = True
        deadline = time.time() + 15
        while not all(self.redis_cli("ping", port=p, timeout=5).stdout.strip() == "PONG" for p in self.cluster_ports):
            if time.time() > deadline:
                raise SetupFailed("the Redis Cluster's nodes did not answer PING within 15 s")
            time.sleep(0.05)
        create = subprocess.run(["redis-cli", "--cluster", "create"] + [f"127.0.0.1:{p}" for p in self.cluster_ports]
                                + ["--cluster-replicas", "1", "--cluster-yes"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        if create.returncode != 0:
            raise SetupFailed(f"redis-cli --cluster create failed: {create.stdout[-1500:]}")
        self.wait_cluster_ok(30)
        for port in self.cluster_ports:  # every replica has its master's data before traffic starts
            deadline = time.time() + 30
            while "master_link_status:down" in self.redis_cli("info", "replication", port=port).stdout:
                if time.time() > deadline:
                    raise SetupFailed(f"replica {port} did not sync within 30 s")
                time.sleep(0.1)

    @staticmethod
    def port_free(port):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return True
            except OSError:
                return False

    def cluster_node_pid(self, port):
        try:
            with open(os.path.join(self.dir, f"redis-{port}", "redis.pid")) as f:
                pid = int(f.read().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if "redis-server" in cmdline and str(port) in cmdline else None

    def cluster_masters(self, port=None):
        """{port: [slot ranges]} of the masters as a live node sees them."""
        out = self.redis_cli("cluster", "nodes", port=port or next(p for p in self.cluster_ports if self.cluster_node_pid(p))).stdout
        masters = {}
        for line in out.splitlines():
            fields = line.split()
            if len(fields) >= 8 and "master" in fields[2] and "fail" not in fields[2]:
                masters[int(fields[1].split("@")[0].rsplit(":", 1)[1])] = fields[8:]
        return masters

    def wait_cluster_ok(self, seconds):
        deadline = time.time() + seconds
        while True:
            live = [p for p in self.cluster_ports if self.cluster_node_pid(p) is not None]
            if live and all("cluster_state:ok" in self.redis_cli("cluster", "info", port=p, timeout=5).stdout for p in live):
                return
            if time.time() > deadline:
                raise SetupFailed(f"the Redis Cluster did not report cluster_state:ok within {seconds} s")
            time.sleep(0.05)

    def stop_redis_cluster(self):
        pids = [pid for pid in (self.cluster_node_pid(p) for p in self.cluster_ports) if pid is not None]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        for pid in pids:
            deadline = time.time() + 10
            while os.path.exists(f"/proc/{pid}") and time.time() < deadline:
                time.sleep(0.05)

    def redis_ping(self):
        try:
            return self.redis_cli("ping", timeout=5).stdout.strip() == "PONG"
        except subprocess.TimeoutExpired:
            return False

    def redis_pid(self):
        """The pid of the Redis we started, if it is still running (checked against its command line)."""
        try:
            with open(self.redis_pidfile) as f:
                pid = int(f.read().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if "redis-server" in cmdline and str(self.redis_port) in cmdline else None

    def stop_redis(self, nosave=False):
        """Shuts our Redis down (SHUTDOWN persists the AOF) and waits until its process is gone."""
        pid = self.redis_pid()
        result = self.redis_cli("shutdown", *(["nosave"] if nosave else []))
        deadline = time.time() + 15
        while pid is not None and time.time() < deadline:
            if not os.path.exists(f"/proc/{pid}"):
                break
            time.sleep(0.05)
        else:
            if pid is not None and self.redis_pid() == pid:
                os.kill(pid, signal.SIGKILL)
                return f"SHUTDOWN did not stop it ({result.stdout.strip()}); killed"
        return None

    @property
    def redis_url(self):
        if CLUSTER:
            return "redis://" + ",".join(f"127.0.0.1:{p}" for p in self.cluster_ports[:3])
        return f"redis://127.0.0.1:{self.redis_port}"

    # --- dropmate -----------------------------------------------------------------------------------------------

    def copy_binary(self):
        if not os.path.isfile(self.source_binary) or not os.access(self.source_binary, os.X_OK):
            raise SetupFailed(f"no executable dropmate binary at {self.source_binary}")
        shutil.copy2(self.source_binary, self.binary)
        os.chmod(self.binary, 0o755)

    def env(self, name):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "DROPMATE_", "REDIS_", "DATABASE_", "JWT_", "PORT", "HOST", "METRICS_"))}
        env.update({
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_APP_ID": APP_ID,
            "JWT_SECRET": JWT_SECRET,
            "DROPMATE_PII_KEYS": PII_KEYS,
            "WECHAT_TIMESTAMP_WINDOW": "7200",
            "DROPMATE_RATE_LIMIT": "0",
            "DROPMATE_JOB_LEASE_SECONDS": "5",
            "DROPMATE_DATA_DIR": os.path.join(self.dir, f"data-{name}"),
            "LOG_LEVEL": "info",
            # Each worker serves /metrics, /healthz and /readyz; on one machine they need ports of their own.
            "METRICS_PORT": str(self.metrics_ports.setdefault(name, free_port())),
        })
        return env

    def migrate(self):
        log = os.path.join(self.dir, "migrate.log")
        with open(log, "wb") as out:
            result = subprocess.run([self.binary, "migrate"], env=self.env("migrate"), stdout=out, stderr=subprocess.STDOUT, timeout=120)
        self.logs["migrate"] = [log]
        if result.returncode != 0:
            raise SetupFailed(f"dropmate migrate exited {result.returncode}\n{tail(log)}")
        say(f"migrate: {open(log, encoding='utf-8', errors='replace').read().strip()}")

    def start(self, name, *args):
        paths = self.logs.setdefault(name, [])
        log = os.path.join(self.dir, f"{name}.log" if not paths else f"{name}.{len(paths) + 1}.log")
        paths.append(log)
        argv = [self.binary] + list(args)
        with open(log, "wb") as out:
            # A session of its own: a Ctrl-C on the terminal reaches us, and we stop them in order.
            proc = subprocess.Popen(argv, env=self.env(name), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        self.procs[name] = (proc, log, argv)
        self.started_at[name] = time.time()
        return proc

    def stop_all(self, timeout=10):
        alive = [(name, p) for name, (p, _, _) in self.procs.items() if p.poll() is None]
        for _, p in alive:
            try:
                p.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.time() + timeout
        for _, p in alive:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def cleanup(self):
        try:
            self.stop_all()
        except Exception as error:  # keep cleaning up
            say(f"cleanup: stopping dropmate: {error}")
        if self.redis_started and CLUSTER:
            try:
                self.stop_redis_cluster()
            except Exception as error:
                say(f"cleanup: stopping the Redis Cluster: {error}")
        elif self.redis_started:
            try:
                if self.redis_pid() is not None:
                    self.stop_redis(nosave=True)
            except Exception as error:
                say(f"cleanup: stopping Redis: {error}")
        if self.pg_started:
            try:
                self.pg_ctl("stop", "-m", "immediate", check=False, timeout=30)
            except Exception as error:
                say(f"cleanup: stopping PostgreSQL: {error}")
        if os.environ.get("MULTIPROCESS_KEEP"):
            say(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump_logs(self, names=None, lines=15):
        for name in names or list(self.logs):
            for path in self.logs.get(name, []):
                say(f"--- tail of {os.path.basename(path)} ---")
                with PRINT_LOCK:
                    print(tail(path, lines, skip="push (dev mode"), flush=True)

    def dead_processes(self):
        return [f"{name} (exit {p.returncode})" for name, (p, _, _) in self.procs.items() if p.poll() is not None]


def tail(path, lines=20, skip=None):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            content = f.read().splitlines()
    except OSError as error:
        return f"(cannot read {path}: {error})"
    if skip:
        content = [line for line in content if skip not in line]
    return "\n".join(content[-lines:])


def http_get(port, path, timeout=3):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return None, str(error)


def first_error(path):
    """The line of a log that says why the process stopped (or its last line)."""
    lines = tail(path, 200).splitlines()
    for line in lines:
        if line.startswith("dropmate:") or " error " in line or " critical " in line or "Fatal error" in line:
            return line[:400]
    return (lines[-1] if lines else "(empty log)")[:400]


def wait_ready(ports, timeout=30, harness=None):
    """Waits until every port's /readyz answers 200 "ready"; returns None, or why not.
    With `harness`, stops early when one of its processes has exited."""
    deadline = time.time() + timeout
    last = {}
    pending = list(ports)
    while pending and time.time() < deadline:
        if harness is not None and harness.dead_processes():
            return "exited: " + ", ".join(harness.dead_processes())
        for port in list(pending):
            status, body = http_get(port, "/readyz")
            last[port] = (status, body.strip()[:120])
            if status == 200 and body.strip() == "ready":
                pending.remove(port)
        if pending:
            time.sleep(0.2)
    if pending:
        return "; ".join(f":{p} /readyz -> {last.get(p)}" for p in pending)
    return None


# ----------------------------------------------------------------------------------------------------------------
# WeChat's side (plaintext mode)
# ----------------------------------------------------------------------------------------------------------------

_msg_ids = itertools.count(random.randrange(6_000_000_000_000_000_000, 7_000_000_000_000_000_000))
_msg_lock = threading.Lock()


class Message:
    """One customer message; retries reuse MsgId and CreateTime, as WeChat does."""

    def __init__(self, openid, text):
        with _msg_lock:
            self.msg_id = next(_msg_ids)
        self.openid = openid
        self.text = text
        self.create_time = int(time.time())

    def body(self):
        return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{self.openid}]]></FromUserName>"
                f"<CreateTime>{self.create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{self.text}]]></Content><MsgId>{self.msg_id}</MsgId></xml>").encode("utf-8")


def signature(timestamp, nonce):
    return hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()


def post_once(port, message, timeout=10):
    """One delivery. Returns ("text", reply) / ("empty", "") for `success`, or ("error", why) for no answer."""
    timestamp = str(int(time.time()))
    nonce = str(random.randrange(10**9, 10**10))
    query = f"/wechat?signature={signature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", query, body=message.body(), headers={"Content-Type": "text/xml", "Connection": "close"})
        response = connection.getresponse()
        data = response.read().decode("utf-8", errors="replace")
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return "error", f":{port} {type(error).__name__}: {error}"
    finally:
        connection.close()
    if status != 200:
        return "error", f":{port} HTTP {status} {data.strip()[:100]}"
    if data.strip() in ("", "success"):
        return "empty", ""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return "error", f":{port} unparsable reply ({error}): {data[:100]}"
    content = root.findtext("Content")
    if content is None:
        title = root.findtext("Articles/item/Title")  # a news reply
        return "text", title or ""
    return "text", content


def deliver(ports, message, first=0, attempts=3, pause=0.3):
    """WeChat-style: up to `attempts` tries, alternating servers from `first`.
    Returns (kind, text, port that answered or None)."""
    errors = []
    for attempt in range(attempts):
        if STOPPING.is_set():
            return "error", "interrupted", None
        port = ports[(first + attempt) % len(ports)]
        kind, text = post_once(port, message)
        if kind != "error":
            return kind, text, port
        errors.append(text)
        if attempt + 1 < attempts:
            time.sleep(pause)
    return "error", "; ".join(errors), None


OUTBOX_SEEN = {}  # (port, openid) -> (how far pages were read, the customer's entries so far by id)
# Job ids are not committed in order across processes: each look re-reads this far back before where it stopped.
OUTBOX_REREAD = 2000
OUTBOX_LOCK = threading.Lock()


def outbox_page(port, openid, after):
    """One page of /dev/outbox: (entries, where the next page starts or None)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/dev/outbox?openid={openid}&after={after}", timeout=3) as response:
            entries = json.loads(response.read().decode("utf-8", errors="replace"))
            following = response.headers.get("X-Next-After")
            return entries, (int(following) if following and int(following) > after else None)
    except (OSError, ValueError, http.client.HTTPException):
        return [], None


def outbox(port, openid):
    """The customer's pushes listed at /dev/outbox (dev mode: no WECHAT_APP_SECRET, loopback), as (id, text).
    The outbox is served a page at a time: pages already read are remembered, only new ones are fetched."""
    with OUTBOX_LOCK:
        reached, known = OUTBOX_SEEN.get((port, openid), (0, {}))
    known = dict(known)
    after = max(0, reached - OUTBOX_REREAD)
    while True:
        page, following = outbox_page(port, openid, after)
        for entry in page:
            known[entry.get("id", 0)] = entry
        if page:
            after = max(after, max(entry.get("id", 0) for entry in page))
        if following is None:
            break
        after = following
    with OUTBOX_LOCK:
        OUTBOX_SEEN[(port, openid)] = (max(reached, after), known)
    pushes = []
    for entry in sorted(known.values(), key=lambda entry: entry.get("id", 0)):
        message = entry.get("message", {})
        if "text" in message:
            value = message["text"]
            pushes.append((entry.get("id"), value.get("_0", "") if isinstance(value, dict) else str(value)))
        elif "news" in message:
            pushes.append((entry.get("id"), json.dumps(message["news"], ensure_ascii=False)))
    return pushes


FLOW = ["2 份牛肉面", "黄浦区人民大道200号", "13800138000", "确认"]
ORDER_RE = re.compile(r"订单 #(\d+)")


def check_step(step, text, order_id):
    """None if `text` is the reply expected at `step` (0-based); else why not. Returns (problem, order_id)."""
    if step == 0:
        return (None if "牛肉面 ×2" in text else f"reply to '{FLOW[0]}' lacks '牛肉面 ×2': {text[:80]!r}"), order_id
    if step == 1:
        return (None if text.strip() else "empty reply to the address"), order_id
    if step == 2:
        match = ORDER_RE.search(text)
        if not match:
            return f"reply to the phone has no '订单 #N': {text[:80]!r}", order_id
        return None, int(match.group(1))
    if order_id is None:
        return "no order number known before '确认'", order_id
    return (None if f"#{order_id} 已确认" in text else f"reply to '确认' lacks '#{order_id} 已确认': {text[:80]!r}"), order_id


class Customer:
    def __init__(self, openid):
        self.openid = openid
        self.step = 0
        self.pending = None  # the Message of the current step, kept for resending
        self.order_id = None
        self.failures = []  # deliveries that got no answer (outage), as (step, why)
        self.problems = []  # hard failures
        self.resumed = False
        self.used_pushes = set()  # outbox ids already taken as a late reply
        self.dropped = 0  # messages answered 'success' whose reply never showed up as a push
        self.late = []  # messages answered 'success' whose reply came as a push (how)

    @property
    def done(self):
        return self.step >= len(FLOW)


# A reply that missed WeChat's 5 s window is pushed when it is ready. A customer lock left behind by a Redis
# outage lapses after 30 s (RedisCoordinator.lockTTL), so a late reply may take that long.
PUSH_WAIT = 40


def wait_pushed_reply(ports, customer, step, timeout=PUSH_WAIT):
    """A step answered `success` had its reply pushed: find it in the dev outbox."""
    deadline = time.time() + timeout
    while time.time() < deadline and not STOPPING.is_set():
        for push_id, text in outbox(ports[0], customer.openid):
            if push_id in customer.used_pushes:
                continue
            problem, _ = check_step(step, text, customer.order_id)
            if problem is None:
                customer.used_pushes.add(push_id)
                return text
        time.sleep(0.3)
    return None


def advance(ports, customer, first, pace=0.0, harness=None):
    """Runs the customer's flow from its current step; stops at the first step that gets no answer."""
    while not customer.done and not customer.problems:
        if customer.pending is None:
            customer.pending = Message(customer.openid, FLOW[customer.step])
        sent = time.time()
        kind, text, port = deliver(ports, customer.pending, first=first)
        took = time.time() - sent
        first += 1
        if kind == "error":
            customer.failures.append((customer.step, text))
            return False
        if kind == "empty":
            # The reply missed WeChat's 5 s window: it should come as a push. If it never does, the message
            # failed during the outage (the customer would have to write again): resent later like the others.
            lock = ""
            if harness is not None:  # evidence: is the customer's Redis lock still held?
                try:
                    pttl = harness.redis_cli("PTTL", f"dm:{{{customer.openid}}}:lock", timeout=3).stdout.strip()
                except subprocess.TimeoutExpired:
                    pttl = "?"
                lock = f"; its Redis lock had {pttl} ms to live" if pttl.lstrip("-").isdigit() and int(pttl) > 0 else ""
            answered = time.time()
            pushed = wait_pushed_reply(ports, customer, customer.step)
            what = (f"step {customer.step + 1} (MsgId {customer.pending.msg_id}) answered 'success' by :{port} after {took:.1f} s{lock}")
            if pushed is None:
                customer.dropped += 1
                customer.failures.append((customer.step, f"{what}, and no pushed reply showed up within {PUSH_WAIT} s"))
                return False
            customer.late.append(f"{what}; the reply came as a push {time.time() - answered:.1f} s later")
            text = pushed
        problem, customer.order_id = check_step(customer.step, text, customer.order_id)
        if problem:
            customer.problems.append(problem)
            return False
        customer.step += 1
        customer.pending = None
        if pace:
            time.sleep(pace)
    return customer.done


# ----------------------------------------------------------------------------------------------------------------
# Scenarios
# ----------------------------------------------------------------------------------------------------------------


class Results:
    def __init__(self):
        self.items = []

    def record(self, name, problems, info=""):
        ok = not problems
        self.items.append((name, ok))
        detail = info if ok else "; ".join(problems[:8]) + (f" (+{len(problems) - 8} more)" if len(problems) > 8 else "")
        say(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""))
        return ok


def scenario_a(h, ports):
    """Every message to both servers at once (sometimes a third copy): each order exactly once."""
    customers = [f"o_mp_a_{i:03d}" for i in range(40)]
    problems = []
    lock = threading.Lock()
    stats = {"copies": 0, "empty": 0, "third": 0}

    def copy_of(message, first, delay):
        if delay:
            time.sleep(delay)
        kind, text, _ = deliver(ports, message, first=first)
        return kind, text

    def run(openid):
        order_id = None
        for step, text in enumerate(FLOW):
            message = Message(openid, text)
            copies = [(0, 0.0), (1, 0.0)]
            if random.random() < 0.35:
                copies.append((random.randrange(2), random.uniform(0.0, 0.4)))
            with concurrent.futures.ThreadPoolExecutor(len(copies)) as pool:
                answers = list(pool.map(lambda c: copy_of(message, *c), copies))
            with lock:
                stats["copies"] += len(answers)
                stats["empty"] += sum(1 for kind, _ in answers if kind == "empty")
                stats["third"] += len(answers) == 3
            failed = [t for kind, t in answers if kind == "error"]
            if failed:
                return f"{openid} step {step + 1}: a copy got no answer in 3 attempts: {failed[0]}"
            texts = {t for kind, t in answers if kind == "text"}
            if len(texts) > 1:
                return f"{openid} step {step + 1}: copies got different replies: {sorted(t[:60] for t in texts)}"
            if not texts:
                pushed = outbox(ports[0], openid)
                note = f" (a reply was pushed instead: {pushed[-1][1][:60]!r})" if pushed else ""
                return f"{openid} step {step + 1}: every copy got 'success', none the reply text{note}"
            problem, order_id = check_step(step, texts.pop(), order_id)
            if problem:
                return f"{openid} step {step + 1}: {problem}"
        return None

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(len(customers)) as pool:
        for problem in pool.map(run, customers):
            if problem:
                problems.append(problem)
    say(f"a: {len(customers)} customers, {stats['copies']} deliveries ({stats['third']} messages with a third copy, "
        f"{stats['empty']} copies answered 'success') in {time.time() - started:.1f} s")
    try:
        counts = {c: int(n) for c, n in h.psql("SELECT customer, COUNT(*) FROM orders WHERE customer LIKE 'o_mp_a_%' GROUP BY customer")}
        statuses = h.psql("SELECT customer, id, status FROM orders WHERE customer LIKE 'o_mp_a_%'")
    except RuntimeError as error:
        return problems + [str(error)], ""
    for c in customers:
        if counts.get(c, 0) != 1:
            problems.append(f"{c} has {counts.get(c, 0)} orders in PostgreSQL, expected 1")
    for c, order_id, status in statuses:
        if status != "confirmed":
            problems.append(f"order #{order_id} of {c} is '{status}', expected 'confirmed'")
    return problems, f"40 customers, 1 confirmed order each ({stats['copies']} deliveries)"


JOBS_B = 20000


def scenario_b(h, ports):
    """20000 push jobs in the outbox; kill -9 worker 1 in the middle; none is lost."""
    problems = []
    info = []
    now = "EXTRACT(EPOCH FROM now())::bigint"
    # Payloads are sealed at rest (bound to their column), so the binary seals one and SQL copies it 20000
    # times: the jobs share a recipient, and are told apart by their ids.
    seeded = subprocess.run([h.binary, "enqueue", "push", "--key", "mpseal-b", "--payload",
                             '{"openID":"o_mp_b_1","message":{"text":{"_0":"hello"}}}'],
                            env=h.env("enqueue"), capture_output=True, text=True, timeout=60)
    if seeded.returncode != 0:
        return [f"dropmate enqueue push failed: {seeded.stdout}{seeded.stderr}"], ""
    h.psql("INSERT INTO jobs (kind, payload, idempotency_key, state, run_at, attempts, max_attempts, created_at, updated_at) "
           "SELECT 'push', (SELECT payload FROM jobs WHERE idempotency_key = 'mpseal-b'), "
           f"'mp-b-' || g, 'ready', {now}, 0, 8, {now}, {now} FROM generate_series(1, {JOBS_B}) g")
    inserted_at = time.time()
    say(f"b: inserted {JOBS_B} push jobs")
    done_sql = "SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE 'mp-b-%' AND state = 'done'"
    worker1 = h.procs["worker1"][0]
    killed_at_done = None
    deadline = time.time() + 60
    done = 0
    while time.time() < deadline:
        done = int(h.scalar(done_sql))
        if done >= 500 and done < JOBS_B:
            os.kill(worker1.pid, signal.SIGKILL)
            worker1.wait()
            killed_at_done = done
            break
        if done >= JOBS_B:
            break
        if worker1.poll() is not None:
            problems.append(f"worker1 exited on its own (status {worker1.returncode}) before it could be killed")
            break
        time.sleep(0.05)
    if killed_at_done is None:
        if done >= JOBS_B:
            problems.append(f"all {JOBS_B} jobs were done before the harness saw ≥ 500 and could kill a worker; nothing was tested")
        elif not problems:
            problems.append(f"only {done} of {JOBS_B} jobs done after 60 s: the workers do not run jobs from the jobs table")
        h.dump_logs(["worker1", "worker2"])
        restart_worker1(h)
        discard_unfinished_b(h)
        return problems, ""
    say(f"b: kill -9 worker1 (pid {worker1.pid}) with {killed_at_done} of {JOBS_B} jobs done "
        f"({time.time() - inserted_at:.1f} s after the insert)")
    deadline = time.time() + 90
    samples = []  # (time, done), to tell a slow queue from a stuck one
    while time.time() < deadline:
        done = int(h.scalar(done_sql))
        samples.append((time.time(), done))
        if done >= JOBS_B:
            break
        time.sleep(0.25)
    waited = time.time() - inserted_at
    states = {s: int(n) for s, n in h.psql("SELECT state, COUNT(*) FROM jobs WHERE idempotency_key LIKE 'mp-b-%' GROUP BY state")}
    dead = states.get("dead", 0)
    if done < JOBS_B:
        recent = [(t, d) for t, d in samples if t >= samples[-1][0] - 20]
        rate = (recent[-1][1] - recent[0][1]) / max(0.1, recent[-1][0] - recent[0][0])
        stream = h.redis_cli("XLEN", "{dm:jobs}").stdout.strip()
        pending = h.redis_cli("XPENDING", "{dm:jobs}", "workers").stdout.strip().splitlines()[:1]
        # Per unfinished state: how many rows, and how their leases stand (negative: ran out that long ago).
        leases = h.psql("SELECT state, COUNT(*), MIN(locked_until - EXTRACT(EPOCH FROM now())::bigint), "
                        "MAX(locked_until - EXTRACT(EPOCH FROM now())::bigint), MAX(attempts) FROM jobs "
                        "WHERE idempotency_key LIKE 'mp-b-%' AND state NOT IN ('done', 'dead') GROUP BY state")
        unfinished = ", ".join(f"{n} '{st}' (lease {lo}..{hi} s from now, attempts ≤ {att})" if lo != "" else f"{n} '{st}' (no lease)"
                               for st, n, lo, hi, att in leases)
        why = (f"only {done} of {JOBS_B} jobs done 90 s after the kill; unfinished: {unfinished}; "
               f"progress over the last 20 s: {rate:.0f} jobs/s"
               + (" (stuck)" if rate < 1 else f" (the rest would need ~{(JOBS_B - done) / rate:.0f} s more)")
               + f"; Redis stream {{dm:jobs}} has {stream} entries, {pending[0] if pending else '?'} pending, for {JOBS_B - done} unfinished jobs")
        if stream.isdigit() and int(stream) > 2 * JOBS_B:
            why += (" -- far more entries than jobs: rows seem to be relayed again and again (e.g. 'queued' rows whose "
                    "5 s lease lapsed before a worker started them), which keeps the workers busy relaying")
        problems.append(why)
        h.dump_logs(["worker2"], lines=8)
    if dead:
        problems.append(f"{dead} jobs are dead")
    # Informational: deliveries logged more than once (allowed only for jobs worker1 had in hand).
    counts = {}
    by_job_id = False
    for name in ("worker1", "worker2"):
        for path in h.logs.get(name, []):
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if "o_mp_b_" not in line or "push" not in line:
                        continue
                    match = re.search(r"dropmate\.job_id=(\d+)", line)
                    if match:
                        by_job_id = True
                        key = "job " + match.group(1)
                    else:
                        match = re.search(r"dropmate\.openid=(o_mp_b_\d+)", line)
                        if not match:
                            continue
                        key = match.group(1)
                    counts[key] = counts.get(key, 0) + 1
    duplicates = sum(1 for n in counts.values() if n > 1)
    if done < JOBS_B and by_job_id:
        unfinished_ids = {f"job {row[0]}" for row in h.psql(
            "SELECT id FROM jobs WHERE idempotency_key LIKE 'mp-b-%' AND state NOT IN ('done', 'dead')")}
        delivered = len(unfinished_ids & set(counts))
        problems.append(f"of the {len(unfinished_ids)} unfinished jobs, {delivered} were delivered (logged) but never "
                        f"marked done and {len(unfinished_ids) - delivered} were never delivered")
    how = "job ids" if by_job_id else "OpenIDs (this binary logs no dropmate.job_id; each job has its own OpenID)"
    info.append(f"killed at {killed_at_done} done; {done} of {JOBS_B} done {waited:.1f} s after the insert, {dead} dead")
    say(f"b: informational: {len(counts)} distinct jobs delivered in the logs, {duplicates} delivered more than once "
        f"(by {how}); duplicates are allowed only for jobs worker1 had in hand when killed")
    restart_worker1(h)
    if done < JOBS_B:
        discard_unfinished_b(h)
    return problems, "; ".join(info) + f"; {duplicates} duplicate deliveries"


def discard_unfinished_b(h):
    """Keeps a failed b from loading the later scenarios: its unfinished jobs go (their stream entries turn stale)."""
    removed = h.psql("WITH gone AS (DELETE FROM jobs WHERE idempotency_key LIKE 'mp-b-%' AND state <> 'done' RETURNING 1) "
                     "SELECT COUNT(*) FROM gone")[0][0]
    if removed != "0":
        say(f"b: deleted the {removed} unfinished mp-b jobs so that they do not load the later scenarios")


def restart_worker1(h):
    if h.procs["worker1"][0].poll() is not None:
        h.start("worker1", "worker")
        say("b: restarted worker1")


def outage_scenario(h, ports, letter, what, break_it):
    """60 customers from 8 threads; `break_it` (which returns a note or None) runs about 1 s in."""
    customers = [Customer(f"o_mp_{letter}_{i:03d}") for i in range(60)]
    counter = itertools.count()

    def run(customer):
        advance(ports, customer, first=next(counter) % 2, pace=0.2, harness=h)

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(run, c) for c in customers]
        time.sleep(1.0)
        outage_note = break_it()
        concurrent.futures.wait(futures)
        for f in futures:
            f.result()
    problems = []
    if outage_note:
        problems.append(outage_note)
    interrupted = [c for c in customers if c.failures and not c.done]
    total_failures = sum(len(c.failures) for c in customers)
    dropped = sum(c.dropped for c in customers)
    say(f"{letter}: traffic done in {time.time() - started:.1f} s; {len(customers) - len(interrupted)} flows completed, "
        f"{len(interrupted)} interrupted by the {what} restart ({total_failures} messages without an answer: "
        f"{total_failures - dropped} got no answer in 3 attempts, {dropped} got 'success' but their reply never came)")
    not_ready = wait_ready(ports, timeout=30)
    if not_ready:
        problems.append(f"/readyz not 200 within 30 s after the {what} restart: {not_ready}")
    for c in customers:
        if c.problems:
            problems.append(f"{c.openid}: {c.problems[0]}")
    # Orders made so far: whoever got a summary has exactly that order; nobody has two.
    try:
        before = {}
        for order_id, customer in h.psql(f"SELECT id, customer FROM orders WHERE customer LIKE 'o_mp_{letter}_%'"):
            before.setdefault(customer, []).append(int(order_id))
    except RuntimeError as error:
        return problems + [f"cannot read orders: {error}"], ""
    for c in customers:
        if c.order_id is not None and before.get(c.openid) != [c.order_id]:
            problems.append(f"{c.openid} was told order #{c.order_id} but PostgreSQL has {before.get(c.openid, [])}")
        elif c.order_id is None and len(before.get(c.openid, [])) > 1:
            problems.append(f"{c.openid} has orders {before[c.openid]} after the {what} restart")
    # Finish the interrupted flows: resend the message that got no answer (same MsgId), then go on.
    if not not_ready:
        def resume(c):
            c.resumed = True
            if not advance(ports, c, first=0, harness=h):
                why = c.problems[0] if c.problems else c.failures[-1][1]
                return f"{c.openid}: resuming at step {c.step + 1} after the {what} restart failed: {why}"
            return None

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            problems += [p for p in pool.map(resume, [c for c in interrupted if not c.problems]) if p]
    try:
        after = {}
        for order_id, customer in h.psql(f"SELECT id, customer FROM orders WHERE customer LIKE 'o_mp_{letter}_%'"):
            after.setdefault(customer, []).append(int(order_id))
    except RuntimeError as error:
        return problems + [f"cannot read orders: {error}"], ""
    for c in customers:
        orders = after.get(c.openid, [])
        if len(orders) > 1:
            problems.append(f"{c.openid} has {len(orders)} orders {orders}")
        elif c.done and orders != [c.order_id]:
            problems.append(f"{c.openid} was told order #{c.order_id} but PostgreSQL has {orders}")
    resumed = sum(1 for c in interrupted if c.resumed and c.done)
    late = [f"{c.openid} {note}" for c in customers for note in c.late]
    if late:
        say(f"{letter}: informational: {len(late)} replies missed WeChat's 5 s window and came as pushes instead, e.g. {late[0]}")
    return problems, (f"60 customers, {len(interrupted)} interrupted and {resumed} finished afterwards, one order each"
                      + (f"; {len(late)} replies came late as pushes" if late else ""))


def scenario_c_cluster(h, ports):
    """A master dies (kill -9) under traffic; the cluster promotes its replica. Turns on its slots wait (the client
    retries while the cluster is down), writes it had not yet passed to its replica are lost, and the customers'
    epochs on the promoted replica belong to another dataset: nothing cached there is trusted."""
    customers = [f"o_mp_c_{i:03d}" for i in range(60)]
    masters = h.cluster_masters()
    slots = {port: 0 for port in masters}
    for customer in customers:  # the master serving most of the scenario's customers
        slot = int(h.redis_cli("cluster", "keyslot", f"dm:{{{customer}}}:lock").stdout.strip())
        for port, ranges in masters.items():
            if any(int(r.split("-")[0]) <= slot <= int(r.split("-")[-1]) for r in ranges if r[0].isdigit()):
                slots[port] += 1
    victim = max(slots, key=slots.get)

    def break_it():
        pid = h.cluster_node_pid(victim)
        say(f"c: kill -9 of Redis Cluster master 127.0.0.1:{victim} (pid {pid}), which serves {slots[victim]} of the 60 customers")
        os.kill(pid, signal.SIGKILL)
        killed = time.time()
        deadline = killed + 30
        while time.time() < deadline:
            current = h.cluster_masters()
            if victim not in current and len(current) == 3:
                try:
                    h.wait_cluster_ok(max(1, deadline - time.time()))
                except SetupFailed as error:
                    return str(error)
                promoted = [p for p in current if p not in masters]
                say(f"c: replica 127.0.0.1:{promoted[0] if promoted else '?'} promoted; cluster ok {time.time() - killed:.1f} s after the kill")
                return None
            time.sleep(0.1)
        return "no replica was promoted within 30 s of the kill"
    return outage_scenario(h, ports, "c", "Redis master failover", break_it)


def scenario_c(h, ports):
    if CLUSTER:
        return scenario_c_cluster(h, ports)

    def break_it():
        pid = h.redis_pid()
        say(f"c: redis-cli shutdown (pid {pid})")
        note = h.stop_redis()
        down = time.time()
        time.sleep(1.0)
        h.start_redis()
        say(f"c: Redis started again after {time.time() - down:.1f} s down")
        return f"Redis restart: {note}" if note else None
    return outage_scenario(h, ports, "c", "Redis", break_it)


def scenario_d(h, ports):
    def break_it():
        # Stop, stay down for a while (as a managed database's failover does), then start again.
        say("d: pg_ctl stop -m fast; down for 1.5 s")
        started = time.time()
        stopped = h.pg_ctl("stop", "-m", "fast", check=False)
        if stopped.returncode != 0:
            return f"pg_ctl stop failed ({stopped.returncode}): {stopped.stdout.strip()[-300:]}"
        time.sleep(1.5)
        result = h.pg_ctl("start", "-o", f"-p {h.pg_port} -k {h.dir} -c listen_addresses=127.0.0.1 -c max_connections=200", check=False)
        say(f"d: PostgreSQL back after {time.time() - started:.1f} s")
        return None if result.returncode == 0 else f"pg_ctl start failed ({result.returncode}): {result.stdout.strip()[-300:]}"
    return outage_scenario(h, ports, "d", "PostgreSQL", break_it)


def scenario_e(h):
    problems = []
    alive = []
    # A process only just (re)started may not have its signal handlers yet: give each 5 s of life first.
    youngest = max(h.started_at.values())
    if time.time() - youngest < 5:
        time.sleep(5 - (time.time() - youngest))
    for name, (p, _, _) in h.procs.items():
        if p.poll() is not None:
            problems.append(f"{name} is not running (exit status {p.returncode}) before SIGTERM")
        else:
            alive.append((name, p))
    for _, p in alive:
        p.send_signal(signal.SIGTERM)
    started = time.time()
    times = []
    for name, p in alive:
        try:
            status = p.wait(max(0.1, started + 15 - time.time()))
        except subprocess.TimeoutExpired:
            problems.append(f"{name} still running 15 s after SIGTERM")
            p.kill()
            p.wait()
            continue
        times.append(f"{name} {time.time() - started:.1f} s")
        if status != 0:
            problems.append(f"{name} exited with status {status} after SIGTERM")
    if problems:
        h.dump_logs([name for name, _ in h.procs.items()], lines=10)
    return problems, "all four exited 0 after SIGTERM (" + ", ".join(times) + ")"


# ----------------------------------------------------------------------------------------------------------------


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DROPMATE_BIN") or os.path.join(REPO_ROOT, ".build/debug/dropmate")
    binary = os.path.abspath(binary)

    def on_signal(signum, _frame):
        STOPPING.set()
        raise Interrupted(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    results = Results()
    h = Harness(binary)
    begun = time.time()
    interrupted = None
    try:
        say(f"binary {binary}; temp dir {h.dir}")
        try:
            h.copy_binary()
            h.start_postgres()
            say(f"PostgreSQL on 127.0.0.1:{h.pg_port} ({h.pgbin})")
            h.start_redis()
            if CLUSTER:
                say(f"Redis Cluster on 127.0.0.1:{','.join(map(str, h.cluster_ports))} (three masters, a replica each, AOF everysec)")
            else:
                say(f"Redis on 127.0.0.1:{h.redis_port} (AOF everysec)")
            h.migrate()
            ports = [free_port(), free_port()]
            while ports[0] == ports[1]:
                ports[1] = free_port()
            h.ports = ports
            roles = {"server1": ["serve", "--port", str(ports[0])], "server2": ["serve", "--port", str(ports[1])],
                     "worker1": ["worker"], "worker2": ["worker"]}
            # All four at once, as pods of a deployment start.
            for name, args in roles.items():
                h.start(name, *args)
            not_ready = wait_ready(ports, timeout=30, harness=h)
            time.sleep(0.5)
            dead = h.dead_processes()
            start_problems = []
            if dead:
                start_problems.append(f"exited during start-up: {', '.join(dead)}")
                for name in [d.split(" ")[0] for d in dead]:
                    start_problems.append(f"{name}: {first_error(h.procs[name][1])}")
            elif not_ready:
                start_problems.append(f"servers not ready within 30 s: {not_ready}")
            results.record("start: two servers and two workers started together all come up", start_problems,
                           f"servers ready on :{ports[0]} and :{ports[1]}; two workers running")
            if start_problems:
                h.dump_logs([d.split(" ")[0] for d in dead] or None)
                if not dead:
                    raise SetupFailed("giving up: the servers never became ready")
                # Restart what died, one at a time, so the scenarios can still run.
                for name in [d.split(" ")[0] for d in dead]:
                    h.start(name, *roles[name])
                    say(f"restarted {name} after it died at start-up")
                    time.sleep(1.0)
                not_ready = wait_ready(ports, timeout=30, harness=h)
                time.sleep(0.5)
                dead = h.dead_processes()
                if dead or not_ready:
                    raise SetupFailed(f"still not up after a restart: {', '.join(dead) or not_ready}")
                say(f"servers ready on :{ports[0]} and :{ports[1]}; two workers running")
        except (SetupFailed, OSError, subprocess.SubprocessError) as error:
            results.record("setup", [str(error)])
            h.dump_logs()
            return 1

        scenarios = [
            ("a. retries to both servers make each order exactly once", lambda: scenario_a(h, ports)),
            ("b. kill -9 of a worker in the middle of jobs loses none", lambda: scenario_b(h, ports)),
            ("c. a Redis Cluster master killed under traffic fails over and loses no accepted order" if CLUSTER
             else "c. restarting Redis under traffic loses no accepted order", lambda: scenario_c(h, ports)),
            ("d. restarting PostgreSQL under traffic loses no accepted order", lambda: scenario_d(h, ports)),
        ]
        only = os.environ.get("MULTIPROCESS_ONLY")  # e.g. "a,c": run just those (e always runs)
        for name, run in scenarios:
            if only and name[0] not in only.split(","):
                continue
            say(f"running {name}")
            not_ready = wait_ready(ports, timeout=30)
            try:
                if not_ready:
                    problems, info = [f"servers not ready before the scenario: {not_ready}"], ""
                else:
                    problems, info = run()
            except (SetupFailed, RuntimeError, OSError, subprocess.SubprocessError) as error:
                problems, info = [f"harness error: {type(error).__name__}: {error}"], ""
            dead = [d for d in h.dead_processes() if not (d.startswith("worker1") and name.startswith("b."))]
            if dead:
                problems.append(f"crashed: {', '.join(dead)}")
            if not results.record(name, problems, info):
                if dead:
                    h.dump_logs([d.split(" ")[0] for d in dead])
        say("running e. every process alive, and SIGTERM stops each with status 0 within 15 s")
        problems, info = scenario_e(h)
        results.record("e. processes alive; SIGTERM exits 0 within 15 s", problems, info)
    except Interrupted as signal_name:
        interrupted = str(signal_name)
        say(f"interrupted by {interrupted}; cleaning up")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        h.cleanup()
        passed = sum(1 for _, ok in results.items if ok)
        failed = len(results.items) - passed
        say(f"total time {time.time() - begun:.0f} s")
        print(f"multiprocess: {passed} passed, {failed} failed", flush=True)
    if interrupted:
        return 130
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

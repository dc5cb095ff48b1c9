"""Shared helpers for the attack suite: a real `dropmate serve` on a throwaway data directory, signed WeChat
messages, the staff API and the CLI. Standard library only.

An attack module (attacks/*.py) defines plain functions named `attack_<what>()` that replay one attack against
the real binary and `assert` that it is refused. `run.py` imports every module and calls each function.
"""

import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BINARY = os.environ.get("DROPMATE_BIN") or os.path.join(REPO_ROOT, ".build", "debug", "dropmate")
TOKEN = "attacksuite2026"
APP_ID = "wxattacksuite0001"
ACCOUNT = "gh_dropmate"
_SERVERS = []


def free_port(other_than=()):
    """A port nothing listens on now; never one of `other_than` (the kernel may hand the same free port out twice)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in other_than:
            return port


def nonce(length=10):
    return "".join(random.choice(string.ascii_letters + string.digits) for _ in range(length))


def signature(token, timestamp, nonce_value):
    return hashlib.sha1("".join(sorted([token, str(timestamp), nonce_value])).encode()).hexdigest()


def text_xml(openid, content, msg_id=None, create_time=None, to=ACCOUNT):
    create_time = create_time or int(time.time())
    msg_id = msg_id if msg_id is not None else random.randint(10**15, 10**16)
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def reply_content(body):
    """The Content of a passive XML reply, or the raw body ("success", "") when it is not one."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not text.startswith("<xml>"):
        return text
    node = ET.fromstring(text).find("Content")
    return node.text if node is not None and node.text is not None else text


def base_env(data_dir, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "DROPMATE_", "JWT_", "DATABASE_URL",
                                                                     "REDIS_URL", "STORAGE_", "SMS_", "METRICS_"))}
    env.update({
        "DROPMATE_DATA_DIR": data_dir, "PORT": str(port), "METRICS_PORT": str(free_port(other_than=(port,))),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID,
        "DROPMATE_PASSWORD_COST": "10", "LOG_LEVEL": "info",
    })
    return env


class Server:
    """`dropmate serve` on a fresh data directory and a free port; stopped at exit by run.py."""

    def __init__(self, env=None, host="127.0.0.1", data_dir=None, wait=True):
        self.work = tempfile.mkdtemp(prefix="dm-attack-")
        self.data_dir = data_dir or os.path.join(self.work, "data")
        self.port = free_port()
        self.host = host
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = base_env(self.data_dir, self.port)
        self.env["HOST"] = host
        self.env.update(env or {})
        self.log_path = os.path.join(self.work, "server.log")
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen([BINARY, "serve"], env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        _SERVERS.append(self)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dropmate exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                status, _, _ = self.http("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"dropmate did not become healthy:\n{self.log_text()[-3000:]}")

    def log_text(self):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stops the server with `sig`; returns its exit code (None if it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        return self.process.returncode

    def cleanup(self):
        self.stop(signal.SIGKILL)
        self._log.close()
        if not os.environ.get("ATTACK_KEEP"):
            shutil.rmtree(self.work, ignore_errors=True)

    # --- the CLI on the same data directory -------------------------------------------------------------------
    def cli(self, *args, stdin=None, env=None, timeout=60):
        merged = dict(self.env)
        merged.update(env or {})
        return subprocess.run([BINARY, *args], input=stdin, env=merged, capture_output=True, text=True, timeout=timeout)

    # --- HTTP ---------------------------------------------------------------------------------------------------
    def http(self, method, path, json_body=None, headers=None, token=None, body=None, timeout=30):
        """Returns (status, headers as a lower-cased dict, parsed JSON or text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=hdrs)
            response = conn.getresponse()
            raw = response.read()
            response_headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()
        text = raw.decode("utf-8", "replace")
        if "json" in response_headers.get("content-type", ""):
            try:
                return response.status, response_headers, json.loads(text)
            except ValueError:
                pass
        return response.status, response_headers, text

    # --- WeChat -------------------------------------------------------------------------------------------------
    def sign(self, timestamp, nonce_value):
        return signature(self.env.get("WECHAT_TOKEN", TOKEN), timestamp, nonce_value)

    def post_wechat(self, body, timestamp=None, nonce_value=None, extra_query=None):
        """POSTs `body` to /wechat with a valid plaintext signature; returns (status, raw body bytes)."""
        timestamp = str(timestamp or int(time.time()))
        nonce_value = nonce_value or nonce()
        query = {"signature": self.sign(timestamp, nonce_value), "timestamp": timestamp, "nonce": nonce_value}
        query.update(extra_query or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", "/wechat?" + urllib.parse.urlencode(query), body=body,
                         headers={"Content-Type": "text/xml"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def text(self, openid, content, msg_id=None, timestamp=None, nonce=None):
        """Sends one signed text message; returns (status, the reply's Content or the raw body)."""
        status, body = self.post_wechat(text_xml(openid, content, msg_id), timestamp, nonce)
        return status, reply_content(body)

    # --- staff --------------------------------------------------------------------------------------------------
    def staff(self, username, role, password):
        result = self.cli("staff", "create", "--username", username, "--role", role, stdin=password + "\n")
        assert result.returncode == 0, f"staff create failed: {result.stdout}{result.stderr}"
        return result.stdout

    def login(self, username, password, headers=None):
        status, _, body = self.http("POST", "/api/v1/auth/login", {"username": username, "password": password},
                                    headers=headers)
        assert status == 200, f"login as {username} failed: {status} {body}"
        return body


_SHARED = None


def shared():
    """One default server for attacks that need nothing special."""
    global _SHARED
    if _SHARED is None or _SHARED.process.poll() is not None:
        _SHARED = Server()
    return _SHARED


def start_refused(env, host="127.0.0.1", timeout=30):
    """Starts `dropmate serve` with `env` and expects it to refuse: returns (exit code, output)."""
    work = tempfile.mkdtemp(prefix="dm-attack-")
    try:
        port = free_port()
        merged = base_env(os.path.join(work, "data"), port)
        merged["HOST"] = host
        merged.update(env)
        try:
            result = subprocess.run([BINARY, "serve"], env=merged, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as timed_out:
            output = (timed_out.stdout or b"").decode() if isinstance(timed_out.stdout, bytes) else (timed_out.stdout or "")
            raise AssertionError(f"dropmate started (still running after {timeout} s) with {sorted(env)}: {output[-500:]}")
        return result.returncode, result.stdout + result.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


def stop_all():
    for server in _SERVERS:
        server.cleanup()
    _SERVERS.clear()

"""Pages and worker shutdown (issue 15, items 10 and 16).

Each attack replays what got through before the fix: a dispatcher's cancel reason carrying <script> rendered as
markup on the signed report page; HTML pages without a Content-Security-Policy, nosniff, framing or referrer
headers; SIGTERM while a job was in hand cancelling it and leaving it `running` and locked for its lease.
"""

import datetime
import http.server
import json
import os
import secrets
import signal
import sqlite3
import threading
import time
import urllib.parse

import lib

PASSWORD = "correct horse battery"
SCRIPT = "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>"


def expect_page_headers(headers, what):
    policy = headers.get("content-security-policy", "")
    assert headers.get("content-type", "").startswith("text/html"), f"{what}: not a page: {headers.get('content-type')}"
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, f"{what}: CSP {policy!r}"
    assert "script-src" not in policy and "unsafe-inline" not in policy, f"{what}: the policy allows script: {policy!r}"
    assert headers.get("x-content-type-options") == "nosniff", f"{what}: no nosniff"
    assert headers.get("x-frame-options") == "DENY", f"{what}: no X-Frame-Options"
    assert headers.get("referrer-policy") == "no-referrer", f"{what}: signed links would leak through Referer"


def attack_cancel_reason_with_script_on_the_signed_report_page():
    server = lib.Server()
    server.staff("dispatcher1", "dispatcher", PASSWORD)
    token = server.login("dispatcher1", PASSWORD)["token"]
    for text in ["1 份牛肉面", "人民广场 1 号", "13800138000", "确认"]:
        status, reply = server.text("o_report_xss", text)
        assert status == 200, f"{text}: {status} {reply}"
    status, _, answer = server.http("POST", "/api/v1/orders/1001/cancel", {"reason": SCRIPT}, token=token,
                                    headers={"Idempotency-Key": "cancel-xss"})
    assert status == 200, f"the dispatcher cancels with a reason: {status} {answer}"
    # Today's report, in the business's time zone (Asia/Shanghai by default).
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date().isoformat()
    result = server.cli("enqueue", "daily-report", "--date", today)
    assert result.returncode == 0, result.stdout + result.stderr
    deadline = time.time() + 30
    while True:
        status, _, report = server.http("GET", f"/api/v1/reports/{today}", token=token)
        if status == 200:
            break
        assert time.time() < deadline, f"the report of {today} was not built: {status} {report}"
        time.sleep(0.2)
    page_url = urllib.parse.urlsplit(report["page_url"])
    status, headers, page = server.http("GET", page_url.path + "?" + page_url.query)
    assert status == 200, f"{status} {page[:300]}"
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in page, "the reason is shown as text"
    assert "<script" not in page and "<img src=x" not in page, "the dispatcher's text became markup on the report page"
    assert "<svg" not in page, "stored SVG is inlined as markup (it belongs in an <img>)"
    expect_page_headers(headers, "report page")


def attack_html_pages_without_security_headers():
    server = lib.shared()
    for path in ["/ads/beef-noodles", "/ads/nope", "/board", "/confirm/1001", "/confirm/1001?exp=9999999999&sig=00",
                 "/track/1001?exp=9999999999&sig=00", "/reports/2026-01-01?exp=9999999999&sig=00", "/reports/2026-01-01"]:
        _, headers, _ = server.http("GET", path)
        expect_page_headers(headers, path)
    _, headers, _ = server.http("GET", "/healthz")
    assert headers.get("x-content-type-options") == "nosniff", "/healthz is sniffable"


class SlowWeChat:
    """WeChat's token and customer-service endpoints on loopback; message sends wait `delay` seconds."""

    def __init__(self, delay):
        self.delay = delay
        self.received = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, payload):
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                self.answer({"access_token": "TOKEN-" + secrets.token_hex(8), "expires_in": 7200})

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake.lock:
                    fake.received += 1
                time.sleep(fake.delay)
                try:
                    self.answer({"errcode": 0, "errmsg": "ok", "msgid": 1})
                except OSError:
                    pass  # the worker hung up (its job was stopped)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for_send(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if self.received:
                    return
            time.sleep(0.05)
        raise AssertionError("the push job never reached WeChat")

    def close(self):
        self.server.shutdown()


def push_jobs(server):
    """(state, attempts, locked_until) of every push job, read from the stopped server's SQLite database."""
    database = sqlite3.connect(os.path.join(server.data_dir, "dropmate.sqlite"))
    try:
        return database.execute("SELECT state, attempts, locked_until FROM jobs WHERE kind = 'push' ORDER BY id").fetchall()
    finally:
        database.close()


def sigterm_mid_job(delay, grace):
    """Starts the embedded default with a slow WeChat, queues one push, SIGTERMs while it is in hand."""
    fake = SlowWeChat(delay)
    try:
        server = lib.Server(env={"WECHAT_APP_SECRET": secrets.token_hex(16), "WECHAT_API_BASE_URL": fake.url,
                                 "DROPMATE_SHUTDOWN_GRACE_SECONDS": str(grace)})
        payload = json.dumps({"openID": "o_sigterm", "message": {"text": {"_0": "您的订单已送达"}}})
        result = server.cli("enqueue", "push", "--payload", payload, "--key", "sigterm-1")
        assert result.returncode == 0, result.stdout + result.stderr
        fake.wait_for_send()
        stopping = time.time()
        code = server.stop(signal.SIGTERM, timeout=60)
        took = time.time() - stopping
        log = server.log_text()
        assert code == 0, f"SIGTERM exit code {code}:\n{log[-2000:]}"
        assert "CancellationError" not in log and "worker loop failed" not in log, log[-2000:]
        return push_jobs(server), took, server
    finally:
        fake.close()


def attack_sigterm_abandons_the_job_in_hand():
    jobs, took, _ = sigterm_mid_job(delay=2, grace=25)
    assert jobs == [("done", 1, None)], f"the job in hand did not finish: {jobs}"
    assert took < 20, f"stopping took {took:.1f} s"


def attack_sigterm_leaves_a_job_that_cannot_finish_running_and_locked():
    jobs, took, server = sigterm_mid_job(delay=4, grace=1)
    assert all(state != "running" for state, _, _ in jobs), f"left running and locked for its lease: {jobs}"
    assert jobs == [("ready", 0, None)], f"not handed back (queued again, lease released, attempt not counted): {jobs}"
    assert took < 4, f"the grace was not kept: {took:.1f} s"
    assert "handed jobs back on shutdown" in server.log_text()

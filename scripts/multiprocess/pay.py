#!/usr/bin/env python3
"""WeChat Pay across processes: one callback delivered three times at once to two replicas pays the order once.

Starts a throwaway PostgreSQL and Redis, `fake-wechat` in pay mode (WeChat Pay API v3 on loopback: it checks our
request signatures, signs its answers, and sends signed, AEAD_AES_256_GCM-encrypted callbacks), two `dropmate
serve` replicas and one `dropmate worker`, all pointed at the fake (WECHAT_PAY_API_BASE_URL). A customer orders
and confirms in chat (payment required), opens the pay link on the other replica, then WeChat Pay's callback for
that payment arrives three times at the same moment, split across the two replicas. Checked:

- every copy is answered success (204), and the order is paid exactly once (one change of the payment row, one
  "order paid" log line across both replicas);
- exactly one "paid" push is queued, and the worker sends exactly one;
- the same callback replayed afterwards is answered success and changes nothing;
- staff dispatch is refused before the payment and allowed after it (`payment_required` gate, both replicas).

Usage: python3 scripts/multiprocess/pay.py [path/to/dropmate]   (fake-wechat is taken from the same directory,
or FAKE_WECHAT_BIN). Standard library only. MULTIPROCESS_KEEP=1 keeps the temp directory (logs).
"""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as mp  # noqa: E402  (the multi-process harness: PostgreSQL, Redis, dropmate processes, WeChat's side)

FIXTURES = os.path.join(mp.REPO_ROOT, "Tests", "DropMateWeChatPayTests", "Fixtures")
MCH_ID = "1900000109"
API_V3_KEY = "DropMateFakeApiV3Key0123456789ab"  # fake-wechat's default, a throwaway test key
CERT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092026120500000000000001"
CUSTOMER = "o_mp_pay_001"


class PayHarness(mp.Harness):
    """The multi-process harness with WeChat Pay configured against `fake-wechat`."""

    def __init__(self, binary, fake_binary):
        super().__init__(binary)
        self.fake_binary = fake_binary
        self.fake = None
        self.fake_port = None
        self.public_base = None
        self.platform_key = os.path.join(self.dir, "wechatpay-public.pem")

    def env(self, name):
        env = super().env(name)
        env.update({
            "PUBLIC_BASE_URL": self.public_base or "http://127.0.0.1:1",
            "DROPMATE_PAYMENT": "required",
            "WECHAT_PAY_MCH_ID": MCH_ID,
            "WECHAT_PAY_PRIVATE_KEY_FILE": os.path.join(FIXTURES, "merchant-test-key.pem"),
            "WECHAT_PAY_CERT_SERIAL": CERT_SERIAL,
            "WECHAT_PAY_API_V3_KEY": API_V3_KEY,
            "WECHAT_PAY_PUBLIC_KEY_FILE": self.platform_key,
            "WECHAT_PAY_PUBLIC_KEY_ID": PUBLIC_KEY_ID,
            "WECHAT_PAY_API_BASE_URL": f"http://127.0.0.1:{self.fake_port}",
        })
        return env

    def start_fake(self):
        if not os.access(self.fake_binary, os.X_OK):
            raise mp.SetupFailed(f"no fake-wechat binary at {self.fake_binary} (swift build --product fake-wechat)")
        log = os.path.join(self.dir, "fake-wechat.log")
        self.logs["fake-wechat"] = [log]
        out = open(log, "wb")
        self.fake = subprocess.Popen([self.fake_binary, "--app-id", mp.APP_ID,
                                      "--pay-merchant-public-key", os.path.join(FIXTURES, "merchant-test-public.pem"),
                                      "--pay-public-key-out", self.platform_key],
                                     stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            match = re.search(r"fake-wechat listening on (\d+)", mp.tail(log, 5))
            if match and os.path.exists(self.platform_key):
                self.fake_port = int(match.group(1))
                return
            if self.fake.poll() is not None:
                raise mp.SetupFailed(f"fake-wechat exited {self.fake.returncode}: {mp.tail(log)}")
            time.sleep(0.05)
        raise mp.SetupFailed(f"fake-wechat did not start: {mp.tail(log)}")

    def cleanup(self):
        if self.fake is not None and self.fake.poll() is None:
            self.fake.terminate()
            try:
                self.fake.wait(10)
            except subprocess.TimeoutExpired:
                self.fake.kill()
                self.fake.wait()
        super().cleanup()

    def fake_call(self, path, body):
        request = urllib.request.Request(f"http://127.0.0.1:{self.fake_port}{path}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read().decode())


def post_raw(port, path, headers, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def paid_pushes(h, port, order_id):
    return [text for _, text in mp.outbox(port, CUSTOMER) if f"订单 #{order_id} 已收到付款" in text]


def staff_token(h, port):
    """An admin created with the CLI (on PostgreSQL), logged in through the staff API."""
    password = "pay multiprocess admin 2026"
    created = subprocess.run([h.binary, "staff", "create", "--username", "mpadmin", "--role", "admin"], input=password + "\n",
                             env=h.env("cli"), capture_output=True, text=True, timeout=60)
    if created.returncode != 0:
        raise RuntimeError(f"staff create failed: {created.stdout}{created.stderr}")
    status, body = post_raw(port, "/api/v1/auth/login", {"Content-Type": "application/json"},
                            json.dumps({"username": "mpadmin", "password": password}))
    if status != 200:
        raise RuntimeError(f"login failed: {status} {body[:200]}")
    return json.loads(body)["token"]


def courier(h):
    created = subprocess.run([h.binary, "courier", "create", "--name", "王师傅", "--phone", "13900139001"], env=h.env("cli"), capture_output=True, text=True, timeout=60)
    if created.returncode != 0:
        raise RuntimeError(f"courier create failed: {created.stdout}{created.stderr}")
    return int(h.scalar("SELECT MAX(id) FROM couriers"))


def dispatch(port, token, order_id, courier_id, key):
    return post_raw(port, f"/api/v1/orders/{order_id}/dispatch", {"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                                                                  "Idempotency-Key": key}, json.dumps({"courier_id": courier_id}))


def scenario(h, ports):
    problems = []
    # The customer orders and confirms (to alternating replicas); the confirmation carries the pay link.
    reply = ""
    order_id = None
    for step, text in enumerate(mp.FLOW):
        kind, reply, _ = mp.deliver(ports, mp.Message(CUSTOMER, text), first=step)
        if kind != "text":
            return [f"step {step + 1} ({text}): {kind} {reply}"], ""
        problem, order_id = mp.check_step(step, reply, order_id)
        if problem:
            return [problem], ""
    link = re.search(r"https?://[^/\s]+(/pay/\d+\?exp=\d+&sig=[0-9a-f]+)", reply)
    if not link:
        return [f"the confirmation has no pay link: {reply!r}"], ""
    # Opened on the other replica: the JSAPI transaction is created at the fake (our signature checked there).
    status, page = mp.http_get(ports[1], link.group(1))
    if status != 200 or "prepay_id=" not in page:
        return [f"pay page on :{ports[1]} answered {status}: {page[:200]!r}"], ""
    out_trade_no = f"DM{order_id}"
    token = staff_token(h, ports[0])
    courier_id = courier(h)
    status, body = dispatch(ports[0], token, order_id, courier_id, "mp-pay-dispatch-1")
    if status != 409 or "payment_required" not in body:
        problems.append(f"dispatching the unpaid order was answered {status} {body[:160]}, expected 409 payment_required")
    if h.scalar(f"SELECT status FROM payments WHERE order_id = {order_id}") != "unpaid":
        problems.append("the opened payment is not 'unpaid'")
    # The customer pays; WeChat Pay delivers the one callback three times at once, to both replicas.
    urls = [f"http://127.0.0.1:{ports[0]}/wechat/pay/notify", f"http://127.0.0.1:{ports[1]}/wechat/pay/notify",
            f"http://127.0.0.1:{ports[0]}/wechat/pay/notify"]
    started = time.time()
    answer = h.fake_call("/fake/pay/callback", {"out_trade_no": out_trade_no, "deliver_to": urls})
    took = time.time() - started
    if sorted(answer["statuses"]) != [204, 204, 204]:
        problems.append(f"the three copies were answered {answer['statuses']}, expected 204 each")
    row = h.psql(f"SELECT status, version FROM payments WHERE order_id = {order_id}")
    if row != [["paid", "2"]]:
        problems.append(f"payment row is {row}, expected paid at version 2 (opened, then paid once)")
    keys = h.psql(f"SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE 'pay-push:{order_id}:paid%'")[0][0]
    if keys != "1":
        problems.append(f"{keys} 'paid' push jobs queued, expected 1")
    # The worker sends it: exactly one "paid" push shows up.
    deadline = time.time() + 20
    while time.time() < deadline and not paid_pushes(h, ports[0], order_id):
        time.sleep(0.2)
    time.sleep(1.0)  # a second push, if one were queued, would be sent by now
    pushes = paid_pushes(h, ports[0], order_id)
    if len(pushes) != 1:
        problems.append(f"{len(pushes)} 'paid' pushes sent, expected 1: {pushes}")
    logged = sum(mp.tail(path, 100000).count("order paid") for name in ("server1", "server2") for path in h.logs.get(name, []))
    if logged != 1:
        problems.append(f"'order paid' logged {logged} times across the replicas, expected once")
    # A replay of the very same callback (WeChat Pay retries): success, and nothing changes.
    headers = dict(answer["headers"])
    headers["Content-Type"] = "application/json"
    status, body = post_raw(ports[1], "/wechat/pay/notify", headers, answer["body"])
    if status != 204:
        problems.append(f"the replayed callback was answered {status} {body[:120]}")
    row = h.psql(f"SELECT status, version FROM payments WHERE order_id = {order_id}")
    if row != [["paid", "2"]]:
        problems.append(f"after the replay the payment row is {row}, expected unchanged")
    time.sleep(0.5)
    if len(paid_pushes(h, ports[0], order_id)) != 1:
        problems.append("the replay sent another 'paid' push")
    status, body = dispatch(ports[1], token, order_id, courier_id, "mp-pay-dispatch-2")
    if status != 200:
        problems.append(f"dispatching the paid order on the other replica was answered {status} {body[:160]}")
    return problems, (f"order #{order_id}: 3 concurrent callbacks on 2 replicas answered {answer['statuses']} in {took:.2f} s; "
                      f"paid once (payment version 2), one 'paid' push sent; a replay changed nothing")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DROPMATE_BIN") or os.path.join(mp.REPO_ROOT, ".build/debug/dropmate"))
    fake_binary = os.path.abspath(os.environ.get("FAKE_WECHAT_BIN") or os.path.join(os.path.dirname(binary), "fake-wechat"))
    results = mp.Results()
    h = PayHarness(binary, fake_binary)
    begun = time.time()
    try:
        try:
            h.copy_binary()
            h.start_postgres()
            h.start_redis()
            h.start_fake()
            h.migrate()
            ports = [mp.free_port(), mp.free_port()]
            while ports[0] == ports[1]:
                ports[1] = mp.free_port()
            h.public_base = f"http://127.0.0.1:{ports[0]}"
            h.start("server1", "serve", "--port", str(ports[0]))
            h.start("server2", "serve", "--port", str(ports[1]))
            h.start("worker1", "worker")
            not_ready = mp.wait_ready(ports, timeout=30, harness=h)
            if not_ready:
                raise mp.SetupFailed(f"servers not ready: {not_ready}")
        except (mp.SetupFailed, OSError, subprocess.SubprocessError) as error:
            results.record("setup", [str(error)])
            h.dump_logs()
            return 1
        try:
            problems, info = scenario(h, ports)
        except (RuntimeError, OSError, KeyError, ValueError) as error:
            problems, info = [f"harness error: {type(error).__name__}: {error}"], ""
        dead = h.dead_processes()
        if dead:
            problems.append(f"crashed: {', '.join(dead)}")
        if not results.record("pay. one callback three times at once on two replicas: paid once, one push", problems, info):
            h.dump_logs(lines=20)
    finally:
        h.cleanup()
        failed = sum(1 for _, ok in results.items if not ok)
        mp.say(f"pay: total time {time.time() - begun:.1f} s")
        print(f"multiprocess pay: {len(results.items) - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

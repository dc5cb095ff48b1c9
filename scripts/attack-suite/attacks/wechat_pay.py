"""WeChat Pay's callback, POST /wechat/pay/notify (issue 19).

Anyone on the internet can POST to the notify URL. Each attack sends what a forger or a replaying attacker would,
against the real binary with WeChat Pay configured against `fake-wechat` in pay mode (which signs and encrypts
callbacks as WeChat Pay does, and bends them on request): a forged or tampered signature, a stale timestamp, another
key's serial, a resource encrypted with another API v3 key, a payment for the wrong amount. Each must be refused
(4xx, JSON {"code":"FAIL",...}) with the order left unpaid; a replayed valid callback must be answered success and
change nothing (no second payment, no second "paid" push). No callback may put the API v3 key in the log.
"""

import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

import lib

FIXTURES = os.path.join(lib.REPO_ROOT, "Tests", "DropMateWeChatPayTests", "Fixtures")
FAKE_BINARY = os.environ.get("FAKE_WECHAT_BIN") or os.path.join(os.path.dirname(lib.BINARY), "fake-wechat")
API_V3_KEY = "DropMateFakeApiV3Key0123456789ab"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092026120500000000000001"
PASSWORD = "correct horse battery"
FLOW = ["1 份牛肉面", "人民广场 1 号", "13800138000", "确认"]


class FakeWeChatPay:
    """`fake-wechat` in pay mode on a free port; stopped by run.py with the servers."""

    def __init__(self):
        if not os.access(FAKE_BINARY, os.X_OK):
            raise AssertionError(f"no fake-wechat binary at {FAKE_BINARY} (swift build --product fake-wechat)")
        self.work = tempfile.mkdtemp(prefix="dm-attack-pay-")
        self.public_key = os.path.join(self.work, "wechatpay-public.pem")
        self.log_path = os.path.join(self.work, "fake.log")
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen([FAKE_BINARY, "--app-id", lib.APP_ID,
                                         "--pay-merchant-public-key", os.path.join(FIXTURES, "merchant-test-public.pem"),
                                         "--pay-public-key-out", self.public_key], stdout=self._log, stderr=subprocess.STDOUT)
        lib._SERVERS.append(self)
        deadline = time.time() + 30
        while True:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                match = re.search(r"fake-wechat listening on (\d+)", f.read())
            if match and os.path.exists(self.public_key):
                self.port = int(match.group(1))
                return
            assert self.process.poll() is None and time.time() < deadline, "fake-wechat did not start"
            time.sleep(0.05)

    def callback(self, out_trade_no, **bending):
        """The customer pays `out_trade_no`; returns WeChat Pay's callback (headers, body), bent as asked."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/fake/pay/callback",
                                         data=json.dumps(dict(out_trade_no=out_trade_no, **bending)).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read().decode())
        return answer["headers"], answer["body"]

    def cleanup(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        if not os.environ.get("ATTACK_KEEP"):
            shutil.rmtree(self.work, ignore_errors=True)


_SETUP = None


class Shop:
    """A shop with WeChat Pay required, its admin's token, and a fresh customer per order."""

    def __init__(self):
        self.fake = FakeWeChatPay()
        self.server = lib.Server(env={
            "DROPMATE_PAYMENT": "required", "WECHAT_PAY_MCH_ID": "1900000109",
            "WECHAT_PAY_PRIVATE_KEY_FILE": os.path.join(FIXTURES, "merchant-test-key.pem"),
            "WECHAT_PAY_CERT_SERIAL": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", "WECHAT_PAY_API_V3_KEY": API_V3_KEY,
            "WECHAT_PAY_PUBLIC_KEY_FILE": self.fake.public_key, "WECHAT_PAY_PUBLIC_KEY_ID": PUBLIC_KEY_ID,
            "WECHAT_PAY_API_BASE_URL": f"http://127.0.0.1:{self.fake.port}",
        })
        self.server.staff("payadmin", "admin", PASSWORD)
        self.token = self.server.login("payadmin", PASSWORD)["token"]
        self.customers = itertools.count(1)

    def order(self):
        """A confirmed order whose pay page was opened (its WeChat Pay transaction exists): (order id, openid)."""
        openid = f"o_attack_pay_{next(self.customers):03d}"
        reply = ""
        for text in FLOW:
            status, reply = self.server.text(openid, text)
            assert status == 200, f"{text}: {status} {reply}"
        link = re.search(r"(/pay/(\d+)\?exp=\d+&sig=[0-9a-f]+)", reply)
        assert link, f"no pay link after confirming: {reply!r}"
        status, _, page = self.server.http("GET", link.group(1))
        assert status == 200 and "prepay_id=" in page, f"pay page: {status} {page[:300]}"
        return int(link.group(2)), openid

    def payment(self, order_id):
        status, _, body = self.server.http("GET", f"/api/v1/orders/{order_id}", token=self.token)
        assert status == 200, f"order {order_id}: {status} {body}"
        return body["order"]["payment"]

    def notify(self, headers, body):
        sent = dict(headers)
        sent["Content-Type"] = "application/json"
        return self.server.http("POST", "/wechat/pay/notify", headers=sent, body=body.encode())

    def paid_pushes(self, openid):
        status, _, entries = self.server.http("GET", f"/dev/outbox?openid={openid}")
        assert status == 200, f"/dev/outbox: {status}"
        texts = [json.dumps(entry.get("message", {}), ensure_ascii=False) for entry in entries]
        return [t for t in texts if "已收到付款" in t]


def shop():
    global _SETUP
    if _SETUP is None or _SETUP.server.process.poll() is not None:
        _SETUP = Shop()
    return _SETUP


def expect_refused(shop_, order_id, answer, what):
    status, headers, body = answer
    assert 400 <= status < 500, f"{what}: answered {status} {body!r}, expected a 4xx refusal"
    assert isinstance(body, dict) and body.get("code") == "FAIL" and body.get("message"), \
        f"{what}: the refusal is not JSON {{\"code\":\"FAIL\",\"message\":…}}: {headers.get('content-type')} {body!r}"
    payment = shop_.payment(order_id)
    assert payment["status"] == "unpaid" and "transaction_id" not in payment, f"{what}: the order's payment became {payment}"
    assert API_V3_KEY not in shop_.server.log_text(), f"{what}: the API v3 key is in the log"


def attack_pay_callback_with_a_forged_signature():
    s = shop()
    order_id, _ = s.order()
    headers, body = s.fake.callback(f"DM{order_id}", forge_signature=True)
    expect_refused(s, order_id, s.notify(headers, body), "a signature that does not verify")
    # A genuine callback with its body altered after signing (another event, the same signature).
    headers, body = s.fake.callback(f"DM{order_id}")
    tampered = body.replace('"summary":"支付成功"', '"summary":"支付成功!"')
    assert tampered != body, "the fake's callback has no summary to alter"
    expect_refused(s, order_id, s.notify(headers, tampered), "a body altered after signing")
    # No signature at all.
    unsigned = {k: v for k, v in headers.items() if k.lower() != "wechatpay-signature"}
    expect_refused(s, order_id, s.notify(unsigned, body), "a callback without Wechatpay-Signature")


def attack_pay_callback_with_a_stale_timestamp():
    s = shop()
    order_id, _ = s.order()
    for offset in (-600, 600):  # ten minutes old, ten minutes ahead: outside the 5-minute window, yet signed
        headers, body = s.fake.callback(f"DM{order_id}", timestamp_offset=offset)
        expect_refused(s, order_id, s.notify(headers, body), f"a callback signed {offset:+d} s from now")


def attack_pay_callback_with_another_serial():
    s = shop()
    order_id, _ = s.order()
    headers, body = s.fake.callback(f"DM{order_id}", serial="PUB_KEY_ID_0119000001092026120500000000000099")
    expect_refused(s, order_id, s.notify(headers, body), "a callback naming another public key id")


def attack_pay_callback_with_an_undecryptable_resource():
    s = shop()
    order_id, _ = s.order()
    headers, body = s.fake.callback(f"DM{order_id}", undecryptable=True)
    expect_refused(s, order_id, s.notify(headers, body), "a resource encrypted with another API v3 key")


def attack_pay_callback_with_the_wrong_amount():
    s = shop()
    order_id, _ = s.order()
    headers, body = s.fake.callback(f"DM{order_id}", amount_fen=1)
    expect_refused(s, order_id, s.notify(headers, body), "a genuine callback reporting ¥0.01 for the order")


def attack_pay_callback_replayed():
    s = shop()
    order_id, openid = s.order()
    headers, body = s.fake.callback(f"DM{order_id}")
    status, _, answer = s.notify(headers, body)
    assert status in (200, 204), f"the genuine callback was answered {status} {answer!r}"
    paid = s.payment(order_id)
    assert paid["status"] == "paid" and paid.get("transaction_id"), f"the genuine callback did not pay the order: {paid}"
    deadline = time.time() + 15
    while not s.paid_pushes(openid):
        assert time.time() < deadline, "no 'paid' push was sent"
        time.sleep(0.2)
    for _ in range(3):  # the same bytes again, as an attacker who captured them (or WeChat Pay retrying) sends them
        status, _, answer = s.notify(headers, body)
        assert status in (200, 204), f"the replay was answered {status} {answer!r}: WeChat Pay would keep retrying"
    time.sleep(1.0)
    assert s.payment(order_id) == paid, f"the replay changed the payment: {paid} -> {s.payment(order_id)}"
    pushes = s.paid_pushes(openid)
    assert len(pushes) == 1, f"{len(pushes)} 'paid' pushes after replays: {pushes}"
    assert API_V3_KEY not in s.server.log_text(), "the API v3 key is in the log"

"""The webhook, configuration, metrics and logs (issue 15, items 3, 4, 5, 6, 13, 14, 15).

Each attack replays what got through before the fix: other bodies under one seen plaintext query string, another
customer's MsgId answered with that customer's stored reply, a message from nobody answered to nobody, the dev
outbox served on every interface, placeholder secrets starting a server, business counters on the public port,
plain-text lines in a JSON log stream, and plaintext requests to an account in safe mode.
"""

import json
import time

import lib

PHONE = "13800138000"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"  # WeChat's published test key (not a placeholder)


def attack_forged_plaintext_bodies_under_one_seen_query():
    server = lib.shared()
    timestamp, seen = int(time.time()), lib.nonce()
    original = lib.text_xml("o_wh_victim", "2 份牛肉面")
    status, first = server.post_wechat(original, timestamp, seen)
    assert status == 200 and "牛肉面" in lib.reply_content(first), f"the real message: {status} {first[:200]}"
    # WeChat's retry of the same request is still answered, with the same answer.
    status, retried = server.post_wechat(original, timestamp, seen)
    assert status == 200 and lib.reply_content(retried) == lib.reply_content(first), f"the retry: {status}"
    # Whoever saw the query string (a proxy's access log) sends other bodies as other customers.
    for openid in ["o_wh_forger1", "o_wh_forger2", "o_wh_victim"]:
        forged = lib.text_xml(openid, "3 份牛肉面")
        status, body = server.post_wechat(forged, timestamp, seen)
        assert status == 403, f"a forged body as {openid} under a seen query got {status}: {body[:200]}"


def attack_another_customers_msg_id():
    server = lib.Server()
    msg_id = 4200000000000000000 + int(time.time())
    for text in ["2 份牛肉面", "黄浦区人民大道200号"]:
        status, _ = server.text("o_wh_alice", text)
        assert status == 200
    status, summary = server.post_wechat(lib.text_xml("o_wh_alice", PHONE, msg_id=msg_id))
    summary = lib.reply_content(summary)
    assert status == 200 and "订单 #" in summary, f"alice's order summary: {summary}"
    # Mallory sends her own message carrying Alice's MsgId.
    status, stolen = server.post_wechat(lib.text_xml("o_wh_mallory", "你好", msg_id=msg_id))
    stolen = lib.reply_content(stolen)
    assert status == 200, status
    assert stolen != summary and "订单 #" not in stolen and "8000" not in stolen, f"mallory got alice's answer: {stolen}"


def attack_empty_from_user_name():
    server = lib.shared()
    for sender in ["", "  "]:
        status, body = server.post_wechat(lib.text_xml(sender, "菜单"))
        text = body.decode("utf-8", "replace")
        assert status == 400, f"a message from {sender!r} got {status}: {text[:200]}"
        assert "<ToUserName>" not in text, f"a reply went to nobody: {text[:200]}"


def attack_dev_outbox_on_every_interface():
    server = lib.Server(host="0.0.0.0")
    status, _ = server.text("o_wh_outbox", "2 份牛肉面")
    assert status == 200
    for path in ["/dev/outbox", "/dev/outbox?after=0&limit=100000", "/dev/outbox?openid=o_wh_outbox"]:
        status, _, body = server.http("GET", path)
        assert status == 404, f"{path} on 0.0.0.0 without an AppSecret: {status} {str(body)[:200]}"


def attack_dev_outbox_is_paged_even_on_loopback():
    server = lib.shared()
    status, headers, entries = server.http("GET", "/dev/outbox?after=0&limit=100000")
    assert status == 200 and isinstance(entries, list), f"{status} {str(entries)[:200]}"
    assert len(entries) <= 1000, f"an unpaged outbox: {len(entries)} entries"


def attack_placeholder_secrets_start_a_server():
    placeholders = {
        "JWT_SECRET": "change-me-to-at-least-32-random-characters",
        "DROPMATE_PII_KEYS": "k1:" + "B" * 43 + "=",
        "WECHAT_TOKEN": "REPLACEME",
        "WECHAT_APP_SECRET": "your-app-secret-goes-here-000000",
        "WECHAT_ENCODING_AES_KEY": "A" * 43,
        "SMS_PROVIDER_KEY": "EXAMPLE_KEY_xxx",
        "STORAGE_SECRET_ACCESS_KEY": "REPLACE_ME",
    }
    for variable, value in placeholders.items():
        code, output = lib.start_refused({variable: value})
        assert code != 0, f"dropmate started with {variable} a placeholder"
        assert variable in output, f"the refusal does not name {variable}: {output[-400:]}"
        assert value not in output, f"the refusal printed {variable}'s value"
    code, output = lib.start_refused({"JWT_SECRET": "ab" * 20})
    assert code != 0 and "JWT_SECRET" in output, "a JWT secret of two characters started"


def attack_metrics_on_the_public_port():
    server = lib.shared()
    status, _, body = server.http("GET", "/metrics")
    assert status == 404, f"/metrics on the serving port: {status} {str(body)[:200]}"
    token = "wh-metrics-9Qz2-Lm7k-Xw4v-Tp3s"
    guarded = lib.Server(env={"METRICS_TOKEN": token})
    for headers in [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Bearer {token}x"}]:
        status, _, body = guarded.http("GET", "/metrics", headers=headers)
        assert status == 401, f"/metrics with {headers}: {status} {str(body)[:200]}"
    status, _, body = guarded.http("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and "dropmate_" in body, f"the right token: {status}"


def attack_plain_text_lines_in_json_logs():
    server = lib.Server(env={"LOG_FORMAT": "json"})
    server.text("o_wh_logs", "菜单")
    server.stop()
    lines = [line for line in server.log_text().splitlines() if line.strip()]
    assert lines, "no log lines at all"
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"LOG_FORMAT=json printed a line that is not JSON: {line[:200]}")
        assert {"time", "level", "message"} <= set(record), f"a JSON line without time/level/message: {line[:200]}"
    code, output = lib.start_refused({"LOG_FORMAT": "json", "JWT_SECRET": "change-me-to-at-least-32-random-characters"})
    assert code != 0
    for line in output.splitlines():
        if line.strip():
            json.loads(line)  # a refusal to start is a JSON line too


def attack_plaintext_requests_in_safe_mode():
    server = lib.Server(env={"WECHAT_ENCODING_AES_KEY": AES_KEY, "WECHAT_MESSAGE_MODE": "safe"})
    status, body = server.post_wechat(lib.text_xml("o_wh_safe", "2 份牛肉面"))
    assert status == 403, f"a plaintext request in safe mode got {status}: {body[:200]}"

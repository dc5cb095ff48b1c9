#!/usr/bin/env python3
"""Plays WeChat's side against a running DropMate with wechatpy, an independent WeChat SDK.

Verifies the URL, sends text, location and event messages in plaintext, compatible and safe
modes, and checks every reply (decrypting and verifying encrypted ones with wechatpy).
Exit code 0 and a closing "N passed, 0 failed" line when all is well.
"""
import hashlib
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from wechatpy.crypto import WeChatCrypto

BASE, TOKEN, AES_KEY, APP_ID = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
passed, failed = 0, 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def sign(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def http(method, query, body=None):
    request = urllib.request.Request(f"{BASE}/wechat?{urllib.parse.urlencode(query)}", data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def message_xml(openid, msg_type, fields):
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" if isinstance(v, str) else f"<{k}>{v}</{k}>" for k, v in fields.items())
    return (f"<xml><ToUserName><![CDATA[gh_interop]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{inner}</xml>")


def send(mode, openid, msg_type, fields):
    """Posts one message as WeChat would in `mode`; returns the reply's <Content> or <Title> ('' for success)."""
    timestamp, nonce = str(int(time.time())), str(random.randint(10**8, 10**9))
    plain = message_xml(openid, msg_type, fields)
    query = {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": openid}
    body = plain
    if mode != "plaintext":
        envelope = ET.fromstring(crypto.encrypt_message(plain, nonce, timestamp))
        encrypted = envelope.findtext("Encrypt")
        query.update({"encrypt_type": "aes", "msg_signature": envelope.findtext("MsgSignature")})
        body = f"<xml><ToUserName><![CDATA[gh_interop]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        if mode == "compatible":
            body = plain.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    status, text = http("POST", query, body.encode())
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {text[:200]}")
    if text in ("", "success"):
        return ""
    if mode != "plaintext":
        envelope = ET.fromstring(text)
        text = crypto.decrypt_message(text, envelope.findtext("MsgSignature"), envelope.findtext("TimeStamp"), envelope.findtext("Nonce"))
    reply = ET.fromstring(text)
    assert reply.findtext("ToUserName") == openid, "reply addressed to someone else"
    return reply.findtext("Content") or reply.findtext("Articles/item/Title") or ""


def main():
    timestamp, nonce = str(int(time.time())), "1234567"
    status, text = http("GET", {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "echostr": "interop-echo"})
    check("URL verification echoes echostr", status == 200 and text == "interop-echo", f"{status} {text!r}")
    status, text = http("GET", {"signature": "0" * 40, "timestamp": timestamp, "nonce": nonce, "echostr": "interop-echo"})
    check("a bad signature is refused", status in (401, 403) and "interop-echo" not in text, f"{status}")

    for mode in ("plaintext", "compatible", "safe"):
        user = f"o_interop_{mode}_{random.randint(0, 10**6)}"
        msg_id = random.randint(10**15, 10**16)
        try:
            check(f"{mode}: subscribe gets the welcome", "DropMate" in send(mode, user, "event", {"Event": "subscribe", "EventKey": ""}))
            menu = send(mode, user, "event", {"Event": "CLICK", "EventKey": "MENU"})
            check(f"{mode}: the MENU button lists the ads", "牛肉面" in menu, menu[:80])
            draft = send(mode, user, "text", {"Content": "2 份牛肉面", "MsgId": msg_id})
            check(f"{mode}: a Chinese order starts a draft", "牛肉面 ×2" in draft, draft[:80])
            again = send(mode, user, "text", {"Content": "2 份牛肉面", "MsgId": msg_id})
            check(f"{mode}: a retry gets the same reply", again == draft, again[:80])
            address = send(mode, user, "location", {"Location_X": 31.2243, "Location_Y": 121.4805, "Scale": 15, "Label": "人民广场", "MsgId": msg_id + 1})
            check(f"{mode}: a location message is the address", "人民广场" in address, address[:80])
            summary = send(mode, user, "text", {"Content": "13800138000", "MsgId": msg_id + 2})
            check(f"{mode}: the phone completes the summary", "订单 #" in summary and "138****8000" in summary, summary[:80])
            confirmed = send(mode, user, "text", {"Content": "确认", "MsgId": msg_id + 3})
            check(f"{mode}: confirming in chat", "已确认" in confirmed, confirmed[:80])
            eta = send(mode, user, "text", {"Content": "where is my order", "MsgId": msg_id + 4})
            check(f"{mode}: the ETA answer", "expected at" in eta, eta[:80])
            featured = send(mode, user, "text", {"Content": "今日推荐", "MsgId": msg_id + 5})
            check(f"{mode}: today's special is a news reply", featured.startswith("牛肉面"), featured[:80])
            check(f"{mode}: an unknown type is acknowledged", send(mode, user, "miniprogrampage", {"MsgId": msg_id + 6}) == "")
        except Exception as error:  # a transport or protocol failure fails the mode, and the run goes on
            check(f"{mode}: conversation", False, repr(error))

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

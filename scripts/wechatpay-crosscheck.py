#!/usr/bin/env python3
"""Cross-checks DropMate's WeChat Pay v3 crypto with an independent implementation (Python `cryptography`).

  wechatpay-crosscheck.py vectors FIXTURES_DIR
      prints JSON test vectors (signatures by the test keys, a GCM ciphertext) computed here, for the Swift tests.
  wechatpay-crosscheck.py verify FIXTURES_DIR < cases.json
      reads what the Swift code produced (Authorization headers, pay sheets, encrypted resources, answers signed as
      the platform) and checks every one independently; exits 1 naming each failure.
"""
import base64, json, sys
from pathlib import Path
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

API_V3_KEY = b"0123456789abcdefghijABCDEFGHIJkl"


def load(dir_, name, private):
    data = (Path(dir_) / name).read_bytes()
    return serialization.load_pem_private_key(data, None) if private else serialization.load_pem_public_key(data)


def sign(key, message):
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verifies(public, signature_b64, message):
    try:
        public.verify(base64.b64decode(signature_b64), message.encode(), padding.PKCS1v15(), hashes.SHA256())
        return True
    except Exception:
        return False


def vectors(dir_):
    merchant = load(dir_, "merchant-test-key.pem", True)
    platform = load(dir_, "platform-test-key.pem", True)
    request = "POST\n/v3/pay/transactions/jsapi\n1733400000\nNONCE0123456789ABCDEFGHIJKLMNOPQ\n{\"amount\":{\"total\":2800}}\n"
    sheet = "wxfake00000000001\n1733400000\nSHEETNONCE\nprepay_id=wx201410272009395522657a690389285100\n"
    callback = "1733400000\nCALLBACKNONCE\n{\"id\":\"EV-1\"}\n"
    plaintext = json.dumps({"out_trade_no": "DM1001", "trade_state": "SUCCESS", "amount": {"total": 2800}}, separators=(",", ":"))
    ciphertext = base64.b64encode(AESGCM(API_V3_KEY).encrypt(b"abcdefghijkl", plaintext.encode(), b"transaction")).decode()
    print(json.dumps({
        "api_v3_key": API_V3_KEY.decode(),
        "request_message": request, "request_signature": sign(merchant, request),
        "sheet_message": sheet, "sheet_signature": sign(merchant, sheet),
        "callback_message": callback, "callback_signature": sign(platform, callback),
        "gcm": {"nonce": "abcdefghijkl", "associated_data": "transaction", "ciphertext": ciphertext, "plaintext": plaintext},
    }, indent=2, ensure_ascii=False))


def verify(dir_, cases):
    merchant_public = load(dir_, "merchant-test-public.pem", False)
    platform_public = load(dir_, "platform-test-public.pem", False)
    failures = []
    for case in cases.get("authorizations", []):
        header = case["header"]
        fields = dict(part.split("=", 1) for part in header.removeprefix("WECHATPAY2-SHA256-RSA2048 ").split(","))
        fields = {k: v.strip('"') for k, v in fields.items()}
        message = f'{case["method"]}\n{case["path"]}\n{fields["timestamp"]}\n{fields["nonce_str"]}\n{case["body"]}\n'
        if not header.startswith("WECHATPAY2-SHA256-RSA2048 ") or not verifies(merchant_public, fields["signature"], message):
            failures.append(f"authorization for {case['method']} {case['path']} does not verify")
    for sheet in cases.get("sheets", []):
        message = f'{sheet["appId"]}\n{sheet["timeStamp"]}\n{sheet["nonceStr"]}\n{sheet["package"]}\n'
        if sheet["signType"] != "RSA" or not verifies(merchant_public, sheet["paySign"], message):
            failures.append(f"pay sheet for {sheet['package']} does not verify")
    for answer in cases.get("platform_signed", []):
        message = f'{answer["timestamp"]}\n{answer["nonce"]}\n{answer["body"]}\n'
        if not verifies(platform_public, answer["signature"], message):
            failures.append("platform-signed answer does not verify")
    for resource in cases.get("resources", []):
        try:
            plain = AESGCM(API_V3_KEY).decrypt(resource["nonce"].encode(), base64.b64decode(resource["ciphertext"]),
                                               resource["associated_data"].encode())
            if plain.decode() != resource["plaintext"]:
                failures.append("resource decrypts to different text")
        except Exception as error:
            failures.append(f"resource does not decrypt: {type(error).__name__}")
    checked = sum(len(cases.get(k, [])) for k in ("authorizations", "sheets", "platform_signed", "resources"))
    if checked == 0:
        failures.append("nothing to check")
    for failure in failures:
        print("FAIL:", failure)
    print(f"checked {checked} items, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("vectors", "verify"):
        sys.exit(__doc__)
    if sys.argv[1] == "vectors":
        vectors(sys.argv[2])
    else:
        verify(sys.argv[2], json.load(sys.stdin))

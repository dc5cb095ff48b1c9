#!/usr/bin/env python3
"""moto's S3 server with IAM signature checks on and S3's presigned-URL rules added.

moto 5 verifies header-signed requests (SignatureDoesNotMatch, InvalidAccessKeyId) once
INITIAL_NO_AUTH_ACTION_COUNT setup calls have passed, but it does not check presigned URLs at all:
moto/s3/responses.py only looks for "Signature=" in the URL. So this wrapper does what S3 does with a
query-signed request before moto sees it: recompute the signature with botocore's own signer (an
implementation independent of ours), refuse a wrong one (403 SignatureDoesNotMatch) or an expired one
(403 AccessDenied, "Request has expired"), and hand a valid one to moto as an ordinary header-signed request.

It also injects one fault for retry tests: the first request of each method to a path containing
"/fault-503-once/" gets 503 SlowDown, as a throttled S3 answers.

Usage: moto_s3_server.py PORT   (credentials for presigned checks come from MOTO_PRESIGN_CREDENTIALS_FILE,
a file holding "ACCESS_KEY_ID SECRET" that with-moto writes after creating the IAM user).
"""
import datetime
import hmac
import os
import sys
import threading
from urllib.parse import parse_qsl, urlencode, quote

os.environ.setdefault("INITIAL_NO_AUTH_ACTION_COUNT", "3")  # create_user, put_user_policy, create_access_key

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from moto.server import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import run_simple  # noqa: E402

PRESIGN_PARAMS = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                  "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"}


def s3_error(start_response, code, message, status="403 Forbidden"):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message><RequestId>moto-presign</RequestId></Error>").encode()
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


def known_credentials():
    path = os.environ.get("MOTO_PRESIGN_CREDENTIALS_FILE", "")
    if not path or not os.path.exists(path):
        return {}
    access_key, secret = open(path).read().split()
    return {access_key: secret}


class PresignedURLCheck:
    def __init__(self, app):
        self.app = app
        self.faulted = set()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if "/fault-503-once/" in environ.get("PATH_INFO", ""):
            with self.lock:
                first = (environ["REQUEST_METHOD"], environ["PATH_INFO"]) not in self.faulted
                self.faulted.add((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
            if first:
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                return s3_error(start_response, "SlowDown", "Please reduce your request rate.", "503 Service Unavailable")
        params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        names = {name for name, _ in params}
        if "X-Amz-Signature" not in names:
            return self.app(environ, start_response)
        query = dict(params)
        try:
            access_key, day, region, service, _ = query["X-Amz-Credential"].split("/")
            timestamp = query["X-Amz-Date"]
            expires = int(query["X-Amz-Expires"])
            signed_at = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except (KeyError, ValueError):
            return s3_error(start_response, "AuthorizationQueryParametersError", "Malformed presigned query")
        secret = known_credentials().get(access_key)
        if secret is None:
            return s3_error(start_response, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist.")
        host = environ["HTTP_HOST"]
        path = environ.get("RAW_URI", environ.get("REQUEST_URI", quote(environ["PATH_INFO"]))).split("?")[0]
        unsigned_query = urlencode([(n, v) for n, v in params if n != "X-Amz-Signature"], quote_via=quote, safe="~")
        request = AWSRequest(method=environ["REQUEST_METHOD"], url=f"http://{host}{path}?{unsigned_query}")
        request.context["timestamp"] = timestamp
        auth = S3SigV4QueryAuth(Credentials(access_key, secret), service, region, expires=expires)
        expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        if not hmac.compare_digest(expected, query["X-Amz-Signature"]):
            return s3_error(start_response, "SignatureDoesNotMatch",
                            "The request signature we calculated does not match the signature you provided.")
        if datetime.datetime.now(datetime.timezone.utc) > signed_at + datetime.timedelta(seconds=expires):
            return s3_error(start_response, "AccessDenied", "Request has expired")
        # Valid: forward as a header-signed request, which moto's own IAM check accepts.
        remaining = [(n, v) for n, v in params if n not in PRESIGN_PARAMS]
        forward = AWSRequest(method=environ["REQUEST_METHOD"],
                             url=f"http://{host}{path}" + (f"?{urlencode(remaining)}" if remaining else ""))
        S3SigV4Auth(Credentials(access_key, secret), "s3", region).add_auth(forward)
        environ["QUERY_STRING"] = urlencode(remaining)
        for key in ("RAW_URI", "REQUEST_URI"):
            if key in environ:
                environ[key] = path + (f"?{environ['QUERY_STRING']}" if remaining else "")
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256"):
            environ["HTTP_" + name.upper().replace("-", "_")] = forward.headers[name]
        return self.app(environ, start_response)


if __name__ == "__main__":
    port = int(sys.argv[1])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, PresignedURLCheck(app), threaded=True, use_reloader=False)

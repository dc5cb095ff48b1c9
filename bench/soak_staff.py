#!/usr/bin/env python3
"""The soak's dispatcher (bench/soak.sh): moves orders through dispatch and delivery with the staff REST API, as
a dispatcher's console and a courier would, until the stop file appears.

Every second: the confirmed orders (GET /orders?status=confirmed) are dispatched to the courier
(POST /orders/ID/dispatch), and the orders dispatched in an earlier round are delivered (POST /orders/ID/deliver),
each with an Idempotency-Key, alternating between the serve processes. Tokens are renewed by logging in again when
one is refused. Counts go to STATS (JSON) after every round.

Usage: soak_staff.py STOP_FILE STATS_FILE COURIER_ID USERNAME PASSWORD URL [URL ...]
"""
import http.client
import json
import os
import sys
import time
import urllib.parse
import uuid


class API:
    def __init__(self, url, username, password):
        parts = urllib.parse.urlparse(url)
        self.host, self.port = parts.hostname, parts.port
        self.username, self.password = username, password
        self.connection = None
        self.token = None

    def request(self, method, path, body=None, retry=True):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        try:
            self.connection.request(method, "/api/v1" + path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            if retry:
                return self.request(method, path, body, retry=False)
            raise
        if response.status == 401 and retry and not path.startswith("/auth/"):
            self.login()
            return self.request(method, path, body, retry=False)
        return response.status, (json.loads(data) if data else {})

    def login(self):
        self.token = None
        status, answer = self.request("POST", "/auth/login", {"username": self.username, "password": self.password}, retry=False)
        if status != 200:
            raise SystemExit(f"soak_staff: login failed ({status}): {answer}")
        self.token = answer["token"]


def main():
    stop_file, stats_file, courier, username, password, *urls = sys.argv[1:]
    courier = int(courier)
    apis = [API(url, username, password) for url in urls]
    for api in apis:
        api.login()
    stats = {"dispatched": 0, "delivered": 0, "refused": 0, "errors": 0, "rounds": 0, "api_calls": 0, "api_seconds": 0.0}
    waiting_delivery = []  # dispatched in an earlier round
    turn = 0
    while not os.path.exists(stop_file):
        started = time.monotonic()
        dispatched_now = []
        try:
            api = apis[turn % len(apis)]
            turn += 1
            for order_id in waiting_delivery:
                status, _ = api.request("POST", f"/orders/{order_id}/deliver", {})
                stats["api_calls"] += 1
                stats["delivered" if status == 200 else "refused"] += 1
            waiting_delivery = []
            for _ in range(5):  # up to 500 a round
                status, page = api.request("GET", "/orders?status=confirmed&per_page=100")
                stats["api_calls"] += 1
                items = page.get("items", []) if status == 200 else []
                if not items:
                    break
                for order in items:
                    status, _ = api.request("POST", f"/orders/{order['id']}/dispatch", {"courierId": courier})
                    stats["api_calls"] += 1
                    if status == 200:
                        stats["dispatched"] += 1
                        dispatched_now.append(order["id"])
                    else:
                        stats["refused"] += 1
        except Exception as error:  # keep going: the soak reports it
            stats["errors"] += 1
            stats["last_error"] = repr(error)[:300]
        waiting_delivery = dispatched_now
        stats["rounds"] += 1
        stats["api_seconds"] += time.monotonic() - started
        with open(stats_file + ".tmp", "w") as out:
            json.dump(stats, out)
        os.replace(stats_file + ".tmp", stats_file)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


if __name__ == "__main__":
    main()

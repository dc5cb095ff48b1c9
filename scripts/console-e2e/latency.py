"""How soon a chat order reaches an open board: the real binary, a signed-in console session's event stream
(`/console/events`), and N orders placed through the signed webhook, each by a customer of its own. For each order
it measures from sending the webhook request that creates the order until (a) its event arrives on the stream and
(b) its card has been fetched as the board's script does (`/console/board/cards/ID`). The webhook's own work is
inside both figures (the commit happens before its reply), so they bound the commit-to-card time from above.

Then it times the board with all those orders open, and an order's page ranking 50 couriers for dispatch.

Usage: python3 scripts/console-e2e/latency.py [orders]   (DROPMATE_BIN: the binary; default .build/debug/dropmate)
"""

import http.client
import os
import re
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "attack-suite"))
import lib  # noqa: E402


def cookie_of(headers, name):
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


def sign_in(server, username, password):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/console/signin")
    response = conn.getresponse()
    page = response.read().decode()
    login = cookie_of(response.getheaders(), "dm_login")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    body = f"csrf={csrf}&username={username}&password={password.replace(' ', '+')}"
    conn.request("POST", "/console/signin", body=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"dm_login={login}"})
    response = conn.getresponse()
    response.read()
    session = cookie_of(response.getheaders(), "dm_console")
    assert response.status == 303 and session, response.status
    return session


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    server = lib.Server()
    try:
        server.staff("bench-dispatcher", "dispatcher", "latency bench password 2026")
        session = sign_in(server, "bench-dispatcher", "latency bench password 2026")
        arrived = {}
        ready = threading.Event()

        def listen():
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
            conn.request("GET", "/console/events", headers={"Cookie": f"dm_console={session}", "Accept": "text/event-stream"})
            response = conn.getresponse()
            assert response.status == 200, response.status
            event = None
            while True:
                line = response.fp.readline()
                if not line:
                    return
                text = line.decode().rstrip("\n")
                if text.startswith("event: "):
                    event = text[7:]
                    if event == "hello":
                        ready.set()
                elif text.startswith("data: ") and event == "order":
                    arrived.setdefault(int(text[6:]), time.perf_counter())

        threading.Thread(target=listen, daemon=True).start()
        assert ready.wait(10), "no hello on the event stream"
        card = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        to_event, to_card = [], []
        for i in range(count):
            customer = f"o_bench_{i}"
            server.text(customer, "I want 1 beef noodles")
            server.text(customer, f"{i} Huaihai Road")
            sent = time.perf_counter()
            status, reply = server.text(customer, "13800138000")
            number = int(reply.split("Order #", 1)[1].split(" ", 1)[0])
            deadline = time.time() + 5
            while number not in arrived and time.time() < deadline:
                time.sleep(0.0005)
            assert number in arrived, f"no event for order #{number}"
            card.request("GET", f"/console/board/cards/{number}", headers={"Cookie": f"dm_console={session}"})
            response = card.getresponse()
            response.read()
            assert response.status == 200
            done = time.perf_counter()
            to_event.append((arrived[number] - sent) * 1000)
            to_card.append((done - sent) * 1000)

        def describe(values):
            ordered = sorted(values)
            return f"median {statistics.median(ordered):.1f} ms, p99 {ordered[max(0, int(len(ordered) * 0.99) - 1)]:.1f} ms, max {ordered[-1]:.1f} ms"

        print(f"{count} orders: webhook sent -> event on the stream: {describe(to_event)}")
        print(f"{count} orders: webhook sent -> card fetched:        {describe(to_card)}")

        # The board and an order's page with every one of those orders open and 50 couriers on the roster (each
        # with a position, so the dispatch list ranks all 50 by distance and load).
        server.staff("bench-admin", "admin", "latency bench password 2026")
        admin = server.login("bench-admin", "latency bench password 2026")["token"]
        for n in range(50):
            status, _, created = server.http("POST", "/api/v1/couriers", {"name": f"courier {n}", "phone": f"1370013{n:04d}"}, token=admin)
            assert status == 201, created
            server.http("POST", "/api/v1/courier/position", {"latitude": 31.2 + n / 1000, "longitude": 121.47 + n / 1000},
                        token=created["api_token"])

        def page_times(path, runs=20):
            times, size = [], 0
            for _ in range(runs):
                start = time.perf_counter()
                card.request("GET", path, headers={"Cookie": f"dm_console={session}"})
                response = card.getresponse()
                size = len(response.read())
                assert response.status == 200, (path, response.status)
                times.append((time.perf_counter() - start) * 1000)
            return f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms, {size / 1024:.0f} KB"

        status, reply = server.text("o_bench_0", "yes")   # order #1001 confirmed: its page offers the dispatch list
        assert "confirmed" in reply, reply
        print(f"board with {count} open orders:           {page_times('/console')}")
        print(f"an order's page with 50 couriers ranked: {page_times('/console/orders/1001')}")
        card.request("GET", "/console/orders/1001", headers={"Cookie": f"dm_console={session}"})
        assert card.getresponse().read().decode().count("<option ") == 50

        # 50 staff browsers' event streams on this one process: memory, and CPU while 100 more orders flow to all.
        def usage():
            with open(f"/proc/{server.process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{server.process.pid}/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), rss

        counts = [0] * 50
        def watch(index):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
            conn.request("GET", "/console/events", headers={"Cookie": f"dm_console={session}"})
            response = conn.getresponse()
            while True:
                line = response.fp.readline()
                if not line:
                    return
                if line.startswith(b"event: order"):
                    counts[index] += 1

        def orders(prefix):
            for i in range(100):
                customer = f"{prefix}{i}"
                server.text(customer, "I want 1 beef noodles")
                server.text(customer, f"{i} Century Avenue")
                server.text(customer, "13800138000")

        start_cpu, _ = usage()
        orders("o_baseline_")   # one stream open (the first one above)
        cpu_before, rss_before = usage()
        baseline = cpu_before - start_cpu
        for index in range(50):
            threading.Thread(target=watch, args=(index,), daemon=True).start()
        time.sleep(1)
        cpu_open, rss_open = usage()
        orders("o_streams_")
        deadline = time.time() + 10
        while min(counts) < 100 and time.time() < deadline:
            time.sleep(0.05)
        cpu_after, rss_after = usage()
        print(f"50 event streams: RSS {rss_before / 1024:.1f} MB -> {rss_open / 1024:.1f} MB with them open; "
              f"100 orders (300 webhook messages) cost {cpu_after - cpu_open:.2f} s CPU fanned out to 51 streams, {baseline:.2f} s to one; "
              f"events received per stream: min {min(counts)}, max {max(counts)}")
    finally:
        lib.stop_all()


if __name__ == "__main__":
    main()

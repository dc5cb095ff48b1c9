#!/usr/bin/env python3
"""Seed one business day of orders straight into DropMate's `orders` table, and count what the report must say.

seed_orders.py --date 2026-11-24 --orders N (--sqlite PATH | --postgres URL) [--expected expected.json] [--seed 7]

Orders spread over the day with lunch and dinner peaks, over the demo merchants (plus some unknown to the
catalog), 30 couriers with Chinese names, CJK and emoji items, a few formula-like item names, ~8 %
cancellations, and a handful placed just outside the day (23:59:59 the day before, 00:00:00 the day after) that
the report must leave out. The stored document is `DropMate.Order` as Swift's Codable writes it (plain JSON, as
rows written before sealing existed: the store refuses plain text, so run `dropmate rotate-key` to seal them). `expected.json` holds the totals counted
here, for `check_report.py --expected`.
"""
import argparse, csv, datetime, json, os, random, sqlite3, subprocess, sys, tempfile

p = argparse.ArgumentParser()
p.add_argument("--date", required=True)
p.add_argument("--orders", type=int, required=True)
p.add_argument("--sqlite")
p.add_argument("--postgres")
p.add_argument("--psql", default="psql")
p.add_argument("--expected")
p.add_argument("--utc-offset-hours", type=int, default=8)
p.add_argument("--seed", type=int, default=7)
args = p.parse_args()
rng = random.Random(args.seed)

day = datetime.date.fromisoformat(args.date)
start = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone(datetime.timedelta(hours=args.utc_offset_hours))).timestamp())
end = start + 86400
merchants = ["lanzhou", "dumplings", "sichuan-spice", "canton-bbq"]
items = [("牛肉面", 1800), ("奶茶🧋", 1200), ("茶叶蛋", 300), ("猪肉饺子", 2200), ("酸辣汤", 900), ("麻辣香锅🌶️", 3600),
         ("叉烧饭", 2800), ("=SUM(A1:A9)", 100), ("+86 特价", 500), ("@home 套餐", 4200)]
couriers = [f"骑手{n:02d} {'张王李赵刘陈杨黄'[n % 8]}师傅" for n in range(30)]
reasons = ["customer_cancelled", "merchant_closed", "顾客取消", "-2 out of stock"]
weights = [1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 8, 12, 16, 12, 7, 5, 5, 7, 12, 14, 10, 6, 3, 2]


def order(oid, placed):
    lines, total = [], 0
    for _ in range(rng.choice([1, 1, 2, 3])):
        name, price = rng.choice(items)
        qty = rng.choice([1, 1, 1, 2, 3])
        lines.append({"itemID": "i" + str(abs(hash(name)) % 1000), "name": {"zh": name, "en": "item"}, "quantity": qty, "unitPrice": price})
        total += qty * price
    doc = {"id": oid, "customer": f"o_{oid}", "merchantID": rng.choice(merchants), "lines": lines,
           "address": {"text": rng.choice(["上海市浦东新区张江路88号", "北京市海淀区中关村大街1号", "12 Main St, Haidian, Beijing"])},
           "phone": "138%08d" % rng.randrange(10**8), "status": "awaiting_confirmation", "language": "zh", "createdAt": placed}
    courier_id = None
    if rng.random() < 0.95:
        doc["confirmedAt"] = placed + rng.randint(20, 240)
        doc["promisedAt"] = doc["confirmedAt"] + rng.randint(25, 50) * 60
        doc["status"] = "confirmed"
    if rng.random() < 0.08:
        doc["status"] = "cancelled"
        doc["cancelledAt"] = placed + rng.randint(60, 1800)
        doc["cancelReason"] = rng.choice(reasons)
    elif "confirmedAt" in doc:
        courier_id = rng.randrange(30) + 1
        doc["courierID"], doc["courierName"] = courier_id, couriers[courier_id - 1]
        doc["dispatchedAt"] = doc["confirmedAt"] + rng.randint(60, 600)
        doc["pickedUpAt"] = doc["dispatchedAt"] + rng.randint(60, 600)
        doc["status"] = "dispatched"
        if rng.random() < 0.97:
            doc["deliveredAt"] = doc["pickedUpAt"] + rng.randint(300, 2700)
            doc["status"] = "delivered"
            doc["routeMetres"] = float(rng.randint(300, 8000))
    return doc, total, courier_id


def placed_time():
    hour = rng.choices(range(24), weights)[0]
    return start + hour * 3600 + rng.randrange(3600)


expected = {"placed": 0, "delivered": 0, "cancelled": 0, "revenue_fen": 0, "placed_by_hour": [0] * 24, "pushes_sent": 0, "dead_jobs": 0}
rows = []
times = [start - 1, start, end - 1, end] + [placed_time() for _ in range(args.orders - 2)]
for n, placed in enumerate(sorted(times)):
    oid = 100001 + n
    doc, total, courier_id = order(oid, placed)
    rows.append((oid, doc["customer"], doc["merchantID"], doc["status"], total, placed, doc.get("promisedAt"), json.dumps(doc, ensure_ascii=False), placed, courier_id))
    if start <= placed < end:
        expected["placed"] += 1
        expected["placed_by_hour"][(placed - start) // 3600] += 1
        if doc["status"] == "cancelled":
            expected["cancelled"] += 1
        else:
            expected["revenue_fen"] += total
            if "deliveredAt" in doc:
                expected["delivered"] += 1

columns = "id, customer, merchant_id, status, total_fen, created_at, promised_at, data, updated_at, courier_id"
if args.sqlite:
    db = sqlite3.connect(args.sqlite)
    db.executemany(f"INSERT INTO orders ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as a running server's checkpointer would have
    db.close()
if args.postgres:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in row] for row in rows])
        name = f.name
    try:
        subprocess.run([args.psql, args.postgres, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                        f"\\copy orders ({columns}) FROM '{name}' WITH (FORMAT csv, NULL '')"], check=True)
        subprocess.run([args.psql, args.postgres, "-q", "-c", "ANALYZE orders"], check=True)
    finally:
        os.unlink(name)
if args.expected:
    with open(args.expected, "w") as f:
        json.dump(expected, f, indent=1)
print(f"seeded {len(rows)} orders ({expected['placed']} on {args.date})", file=sys.stderr)

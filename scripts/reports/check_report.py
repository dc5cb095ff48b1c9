#!/usr/bin/env python3
"""Independent check of a DropMate daily report, with openpyxl and Python's csv module.

usage: check_report.py REPORT_DIR [--expected expected.json]

REPORT_DIR holds report.xlsx, csv/*.csv (or report-csv.zip) and chart.svg, as DailyReportBuilder
writes them. The script checks the workbook's structure and types, the CSVs' encoding and quoting,
that both formats hold the same rows and totals, that the totals add up across sections, and,
with --expected, that they match totals counted elsewhere (SQL over the same data, or the bench).
It exits 1 listing every failure, 0 when all checks pass.
"""
import argparse
import csv
import datetime as dt
import io
import itertools
import json
import re
import subprocess
import sys
import zipfile
from xml.etree import ElementTree
from pathlib import Path

try:
    import openpyxl
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "openpyxl"])
    import openpyxl

SHEETS = ["Summary", "Orders", "Couriers", "Merchants", "Items", "By hour", "Payments"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# Columns of the Orders section by kind, by header.
ORDER_DATES = ["Placed", "Confirmed", "Dispatched", "Picked up", "Delivered", "Cancelled", "Promised"]
ORDER_NUMBERS = ["Item count", "Fee (yuan)", "Total (yuan)", "Minutes late", "Delivery minutes", "Distance (m)"]
# A workbook bigger than this is read in openpyxl's read-only mode (structure then comes from the XML).
FULL_LOAD_LIMIT = 8 * 1024 * 1024
BARE_LF = re.compile(rb"(?<!\r)\n")


class Checker:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def expect(self, condition, message):
        if condition:
            self.passed += 1
        else:
            self.failures.append(message)
        return condition


def csv_name(section):
    return section.lower().replace(" ", "_") + ".csv"


def read_csv_bytes(report_dir):
    folder = report_dir / "csv"
    if folder.is_dir():
        return {s: (folder / csv_name(s)).read_bytes() for s in SHEETS}
    with zipfile.ZipFile(report_dir / "report-csv.zip") as archive:
        return {s: archive.read(csv_name(s)) for s in SHEETS}


def check_csv_encoding(check, section, raw):
    """BOM, CRLF after every record (a bare LF is allowed only inside quotes), balanced quotes."""
    check.expect(raw.startswith(b"\xef\xbb\xbf"), f"{section}.csv: no UTF-8 BOM")
    body = raw[3:]
    # Splitting on quotes alternates outside / inside segments; "" inside a field splits into an empty outside one.
    segments = body.split(b'"')
    check.expect(len(segments) % 2 == 1, f"{section}.csv: unbalanced quotes")
    for index in range(0, len(segments), 2):
        segment = segments[index]
        if BARE_LF.search(segment) or (segment.startswith(b"\n") and index > 0):
            check.expect(False, f"{section}.csv: a record ends with a bare LF, not CRLF")
            break
    check.expect(body.endswith(b"\r\n"), f"{section}.csv: last record not ended by CRLF")


def parse_csv(raw):
    return csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""))


def as_number(text):
    return None if text == "" else float(text)


def as_datetime(text):
    return None if text == "" else dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def same_seconds(a, b):
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 1


def close(a, b, tolerance=0.006):
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= tolerance


def check_text_cell(check, where, value):
    if isinstance(value, str) and value.startswith(DANGEROUS):
        check.expect(False, f"{where}: text starts like a formula and was not neutralised: {value[:30]!r}")


def load_workbook(path):
    read_only = path.stat().st_size > FULL_LOAD_LIMIT
    return openpyxl.load_workbook(path, read_only=read_only), read_only


def check_structure(check, path, workbook, read_only):
    check.expect(workbook.sheetnames == SHEETS, f"sheet names {workbook.sheetnames} != {SHEETS}")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        workbook_rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        sheet_parts = re.findall(r'Target="(worksheets/sheet\d+\.xml)"', workbook_rels)
        for part in sheet_parts:
            head = archive.open("xl/" + part).read(4096).decode("utf-8", "replace")
            check.expect('state="frozen"' in head and 'ySplit="1"' in head, f"{part}: header row not frozen")
            check.expect("<col " in head and 'customWidth="1"' in head, f"{part}: no column widths")
        chart_parts = [n for n in names if n.startswith("xl/charts/chart")]
        check.expect(len(chart_parts) == 1, f"expected one chart part, found {chart_parts}")
        if chart_parts:
            chart = ElementTree.fromstring(archive.read(chart_parts[0]))
            namespace = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
            check.expect(chart.find(".//c:barChart", namespace) is not None, "chart is not a bar chart")
            references = [f.text for f in chart.iterfind(".//c:val//c:f", namespace)]
            check.expect(references == ["'By hour'!$B$2:$B$25", "'By hour'!$C$2:$C$25"],
                         f"chart series do not reference the By hour data range: {references}")
        check.expect(any(n.startswith("xl/drawings/drawing") for n in names), "no drawing part for the chart")
        for name in names:
            if name.startswith("xl/worksheets/sheet"):
                check.expect(b"<f>" not in archive.read(name), f"{name}: holds a formula")
    if not read_only:
        for sheet in workbook.worksheets:
            check.expect(sheet.freeze_panes == "A2", f"{sheet.title}: openpyxl sees freeze_panes {sheet.freeze_panes}")
            check.expect(sheet.column_dimensions["A"].width > 0, f"{sheet.title}: no width for column A")
        check.expect(len(workbook["By hour"]._charts) == 1, "openpyxl finds no chart on By hour")


def sheet_rows(workbook, name):
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def check_orders(check, xlsx_rows, csv_rows):
    """Walks the Orders rows of both formats in step (neither is held in memory) and counts totals."""
    header = list(next(xlsx_rows))
    check.expect(header == next(csv_rows), "Orders: XLSX and CSV headers differ")
    column = {name: index for index, name in enumerate(header)}
    width = len(header)
    text_columns = [i for i, name in enumerate(header) if name not in ORDER_DATES + ORDER_NUMBERS]
    totals = {"placed": 0, "delivered": 0, "cancelled": 0, "revenue": 0.0}
    for number, (x_row, c_row) in enumerate(itertools.zip_longest(xlsx_rows, csv_rows), start=2):
        if not check.expect(x_row is not None and c_row is not None, f"Orders: row {number} is missing from one format"):
            break
        x_row = list(x_row) + [None] * (width - len(x_row))
        if not check.expect(len(c_row) == width, f"Orders.csv row {number}: {len(c_row)} fields, not {width}"):
            continue
        for name in ORDER_DATES:
            x, c = x_row[column[name]], c_row[column[name]]
            check.expect(x is None or isinstance(x, dt.datetime), f"Orders!{name}{number}: {x!r} is not a date-time")
            check.expect(same_seconds(x, as_datetime(c)), f"Orders {name} row {number}: XLSX {x} vs CSV {c}")
        for name in ORDER_NUMBERS:
            x, c = x_row[column[name]], c_row[column[name]]
            check.expect(x is None or isinstance(x, (int, float)), f"Orders!{name}{number}: {x!r} is not a number")
            check.expect(close(x, as_number(c)), f"Orders {name} row {number}: XLSX {x} vs CSV {c}")
        for index in text_columns:
            x, value = x_row[index], c_row[index]
            check.expect((x or "") == value, f"Orders {header[index]} row {number}: XLSX {x!r} vs CSV {value!r}")
            check_text_cell(check, f"Orders.csv {header[index]}{number}", value)
            check_text_cell(check, f"Orders!{header[index]}{number}", x)
        phone = c_row[column["Phone"]]
        check.expect(phone == "" or re.fullmatch(r"\d{3}\*{4}\d{4}", phone), f"Orders row {number}: phone not masked: {phone}")
        status = c_row[column["Status"]]
        totals["placed"] += 1
        totals["delivered"] += status == "delivered"
        totals["cancelled"] += status == "cancelled"
        if status != "cancelled":
            totals["revenue"] += float(c_row[column["Total (yuan)"]])
    return totals


def check_same_section(check, name, xlsx_rows, csv_rows):
    """Aggregate sections: same cells in both formats (numbers as numbers in the XLSX)."""
    check.expect(len(xlsx_rows) == len(csv_rows), f"{name}: {len(xlsx_rows)} XLSX rows vs {len(csv_rows)} CSV rows")
    check.expect(list(xlsx_rows[0]) == csv_rows[0], f"{name}: headers differ")
    for number, (x_row, c_row) in enumerate(zip(xlsx_rows[1:], csv_rows[1:]), start=2):
        for index, value in enumerate(c_row):
            x = x_row[index] if index < len(x_row) else None
            if isinstance(x, dt.datetime):
                check.expect(same_seconds(x, as_datetime(value)), f"{name} row {number} col {index + 1}: {x} vs {value}")
            elif isinstance(x, (int, float)) and not isinstance(x, bool):
                check.expect(close(x, as_number(value), 0.0051), f"{name} row {number} col {index + 1}: {x} vs {value}")
            else:
                check.expect((x or "") == value, f"{name} row {number} col {index + 1}: {x!r} vs {value!r}")
                check_text_cell(check, f"{name} row {number}", value)


def summary_value(rows, metric):
    for row in rows[1:]:
        if row[0] == metric:
            return row[1]
    return None


def check_totals(check, book, order_totals, expected):
    summary = book["Summary"]
    placed = summary_value(summary, "Orders placed")
    for metric, key in [("Orders placed", "placed"), ("Orders delivered", "delivered"), ("Orders cancelled", "cancelled")]:
        value = summary_value(summary, metric)
        check.expect(isinstance(value, int), f"Summary {metric} is not an integer: {value!r}")
        check.expect(value == order_totals[key], f"Summary {metric} {value} != {order_totals[key]} counted in Orders")
    revenue = summary_value(summary, "Revenue (yuan, orders not cancelled)")
    check.expect(close(revenue, order_totals["revenue"], 0.01), f"Summary revenue {revenue} != {order_totals['revenue']:.2f} from Orders")
    hours = book["By hour"][1:]
    check.expect(len(hours) == 24, f"By hour has {len(hours)} rows, not 24")
    check.expect(sum(r[1] for r in hours) == placed, "By hour orders placed do not add up to the orders placed")
    after = summary_value(summary, "Delivered after the day ended") or 0
    check.expect(sum(r[2] for r in hours) + after == order_totals["delivered"],
                 "By hour deliveries + deliveries after the day != delivered")
    merchants = book["Merchants"][1:]
    check.expect(sum(r[1] for r in merchants) == placed, "Merchants' orders do not add up to the orders placed")
    check.expect(close(sum(r[4] for r in merchants), revenue, 0.01), "Merchants' revenue does not add up to the revenue")
    couriers = book["Couriers"][1:]
    check.expect(sum(r[2] for r in couriers) <= order_totals["delivered"], "Couriers deliver more than was delivered")
    if expected:
        for metric, key in [("Orders placed", "placed"), ("Orders delivered", "delivered"),
                            ("Orders cancelled", "cancelled"), ("WeChat pushes sent", "pushes_sent"),
                            ("Dead jobs", "dead_jobs")]:
            if key in expected:
                value = summary_value(summary, metric)
                check.expect(value == expected[key], f"{metric}: report {value} != expected {expected[key]}")
        if "revenue_fen" in expected:
            check.expect(round(revenue * 100) == expected["revenue_fen"], f"revenue {revenue} != expected {expected['revenue_fen']} fen")
        if "placed_by_hour" in expected:
            check.expect([r[1] for r in hours] == expected["placed_by_hour"], "orders placed by hour differ from expected")


def check_payments(check, book):
    """Payments: the merchant totals and the day total add up from the payment rows; the Summary agrees."""
    rows = book["Payments"]
    header = rows[0]
    kind, paid, refunded, net = 0, header.index("Paid (yuan)"), header.index("Refunded (yuan)"), header.index("Net (yuan)")
    payments = [r for r in rows[1:] if r[kind] == "payment"]
    merchants = [r for r in rows[1:] if r[kind] == "merchant total"]
    days = [r for r in rows[1:] if r[kind] == "day total"]
    notes = [r for r in rows[1:] if r[kind] == "note"]
    if notes:
        check.expect(not payments and not merchants and not days, "Payments: the payment-off note comes with payment rows")
        check.expect(summary_value(book["Summary"], "Net paid (yuan)") is None, "Summary shows payments while payment is off")
        return
    if not check.expect(len(days) == 1, f"Payments: {len(days)} day total rows, not 1"):
        return
    for column, label in [(paid, "paid"), (refunded, "refunded"), (net, "net")]:
        total = days[0][column]
        check.expect(close(sum(r[column] for r in payments), total, 0.01), f"Payments: {label} rows do not add up to the day total")
        check.expect(close(sum(r[column] for r in merchants), total, 0.01), f"Payments: merchants' {label} does not add up to the day total")
    check.expect(close(summary_value(book["Summary"], "Net paid (yuan)"), days[0][net], 0.01), "Summary net paid != Payments day total")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report_dir", type=Path)
    parser.add_argument("--expected", type=Path, help="JSON of totals counted independently")
    args = parser.parse_args()
    check = Checker()
    xlsx_path = args.report_dir / "report.xlsx"
    workbook, read_only = load_workbook(xlsx_path)
    check_structure(check, xlsx_path, workbook, read_only)

    raw = read_csv_bytes(args.report_dir)
    csvs = {}
    for section in SHEETS:
        check_csv_encoding(check, section, raw[section])
        csvs[section] = parse_csv(raw[section])
    orders_csv = csvs.pop("Orders")
    del raw  # the CSV readers hold their own text

    xlsx = {name: sheet_rows(workbook, name) for name in SHEETS if name != "Orders"}
    csvs = {name: list(rows) for name, rows in csvs.items()}
    order_totals = check_orders(check, workbook["Orders"].iter_rows(values_only=True), orders_csv)
    for name in xlsx:
        check_same_section(check, name, xlsx[name], csvs[name])
    expected = json.loads(args.expected.read_text()) if args.expected else None
    check_totals(check, xlsx, order_totals, expected)
    check_payments(check, xlsx)

    svg = (args.report_dir / "chart.svg").read_text(encoding="utf-8")
    check.expect(svg.lstrip().startswith("<svg") and "<script" not in svg, "chart.svg is not a script-free SVG")

    if check.failures:
        shown = check.failures[:40]
        print(f"FAIL: {len(check.failures)} failed, {check.passed} passed", file=sys.stderr)
        for failure in shown:
            print("  - " + failure, file=sys.stderr)
        return 1
    print(f"OK: {check.passed} checks passed ({order_totals['placed']} orders, "
          f"{'read-only' if read_only else 'full'} openpyxl load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

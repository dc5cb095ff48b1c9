#!/usr/bin/env python3
"""Draws the soak's CSV (bench/soak.sh) as an SVG of small line charts and prints a summary of what grew.

Usage: soak_plot.py soak.csv soak.svg
Standard library only. Each panel plots one or more columns against the minute; the summary gives, for each
measure, its value after the first minute, at the end, and its slope over the second half of the run (per
minute), which is what "nothing grows without bound" is judged by: a table that is pruned levels off, a leak
keeps its slope.
"""
import csv
import sys
from xml.sax.saxutils import escape

PANELS = [
    ("Throughput (requests/s)", ["requests_per_s"]),
    ("Latency, worst wrk of the minute (ms)", ["p50_ms", "p99_ms"]),
    ("RSS (MB)", ["rss_serve1_mb", "rss_serve2_mb", "rss_worker1_mb", "rss_worker2_mb"]),
    ("Open TCP connections", ["conn_serve1", "conn_serve2", "conn_worker1", "conn_worker2", "pg_connections"]),
    ("PostgreSQL size (MB)", ["pg_tables_mb", "pg_indexes_mb"]),
    ("PostgreSQL tables with indexes (MB)", ["pg_handled_messages_mb", "pg_customers_mb", "pg_orders_mb", "pg_jobs_mb", "pg_deliveries_mb"]),
    ("Redis", ["redis_used_mb", "redis_keys"]),
    ("Job queue", ["queue_depth", "redis_stream_length"]),
    ("Orders", ["orders", "orders_confirmed", "orders_dispatched", "orders_delivered"]),
]
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
WIDTH, HEIGHT, COLUMNS = 460, 230, 3


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def nice_max(value):
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def panel(title, names, rows, x0, y0):
    left, right, top, bottom = 58, 12, 28, 42
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    minutes = [number(r["minute"]) for r in rows]
    last_minute = max(minutes) if minutes else 1
    # Two units on one panel (Redis MB and keys): the second series is scaled to its own axis on the right.
    scales = {}
    if title == "Redis":
        scales = {name: nice_max(max(number(r[name]) for r in rows)) for name in names}
    shared = nice_max(max((number(r[name]) for r in rows for name in names), default=0))
    out = [f'<g transform="translate({x0},{y0})">',
           f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>']
    axis_max = scales.get(names[0], shared)
    for i in range(5):
        value = axis_max * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{value:g}</text>')
    if len(scales) == 2:
        for i in range(5):
            value = scales[names[1]] * i / 4
            y = top + plot_h - plot_h * i / 4
            out.append(f'<text x="{left + plot_w + 2}" y="{y + 4:.1f}" font-size="9" fill="{COLOURS[1]}">{value:g}</text>')
    for i in range(0, int(last_minute) + 1, max(1, int(last_minute) // 6 or 1)):
        x = left + plot_w * i / max(last_minute, 1)
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle">{i}</text>')
    out.append(f'<text x="{left + plot_w}" y="18" font-size="9" text-anchor="end" fill="#666">x: minute</text>')
    for index, name in enumerate(names):
        top_value = scales.get(name, shared)
        points = " ".join(f"{left + plot_w * m / max(last_minute, 1):.1f},{top + plot_h - plot_h * min(number(r[name]) / top_value, 1):.1f}"
                          for m, r in zip(minutes, rows))
        colour = COLOURS[index % len(COLOURS)]
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        legend_x = left + (index % 3) * (plot_w / 3)
        legend_y = top + plot_h + 27 + (index // 3) * 11
        out.append(f'<text x="{legend_x:.1f}" y="{legend_y:.1f}" font-size="9" fill="{colour}">{escape(name)}</text>')
    out.append("</g>")
    return "\n".join(out)


def slope(points):
    """Least-squares slope of (x, y) points."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0


def main():
    source, target = sys.argv[1], sys.argv[2]
    rows = list(csv.DictReader(open(source, newline="")))
    if not rows:
        raise SystemExit("soak_plot: no rows in " + source)
    panels = [panel(title, names, rows, (i % COLUMNS) * WIDTH, (i // COLUMNS) * HEIGHT) for i, (title, names) in enumerate(PANELS)]
    height = HEIGHT * ((len(PANELS) + COLUMNS - 1) // COLUMNS)
    with open(target, "w") as out:
        out.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH * COLUMNS}" height="{height}" font-family="sans-serif">\n')
        out.write(f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(panels) + "\n</svg>\n")

    measured = [r for r in rows if number(r["minute"]) >= 1]
    if not measured:
        return
    second_half = measured[len(measured) // 2:]
    print(f"{'measure':26} {'minute 1':>11} {'end':>11} {'min':>10} {'max':>10} {'slope/min, 2nd half':>20}")
    for _, names in PANELS:
        for name in names:
            values = [number(r[name]) for r in measured]
            growth = slope([(number(r["minute"]), number(r[name])) for r in second_half])
            print(f"{name:26} {values[0]:11.2f} {values[-1]:11.2f} {min(values):10.2f} {max(values):10.2f} {growth:20.3f}")
    requests = sum(number(r["requests_per_s"]) * 60 for r in measured)
    print(f"requests: {requests:.0f} in {len(measured)} min, mean {requests / 60 / len(measured):.0f}/s; "
          f"worst p99 {max(number(r['p99_ms']) for r in measured):.2f} ms; non-2xx {sum(number(r['non2xx']) for r in measured):.0f}; "
          f"socket errors {sum(number(r['socket_errors']) for r in measured):.0f}; deduplicated {number(measured[-1]['deduplicated_total']):.0f}")


if __name__ == "__main__":
    main()

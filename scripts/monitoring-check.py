#!/usr/bin/env python3
"""Checks monitoring/ against what the app exports and what the runbook says (promtool checks the rest).

- alerts and dashboard use only the metric names DropMate exports (a typo would alert on nothing forever);
- every alert has `for`, a severity, summary, description and a runbook_url whose anchor is a heading in
  docs/RUNBOOK.md, and a firing case in alerts.test.yml;
- the Grafana dashboard is valid JSON with unique panel ids.
Usage: scripts/monitoring-check.py   (from the repository root; scripts/validate-deploy runs it)
"""
import json
import re
import sys

import yaml

# What the app exports on /metrics (histograms add _bucket/_sum/_count).
METRICS = {
    "dropmate_http_request_duration_seconds": "histogram",
    "dropmate_webhook_messages_total": "counter",
    "dropmate_webhook_dedupe_hits_total": "counter",
    "dropmate_orders_total": "counter",
    "dropmate_queue_depth": "gauge",
    "dropmate_queue_oldest_job_age_seconds": "gauge",
    "dropmate_jobs_total": "counter",
    "dropmate_jobs_unhandled_total": "counter",
    "dropmate_wechat_api_calls_total": "counter",
    "dropmate_wechat_token_refreshes_total": "counter",
    "dropmate_sms_sends_total": "counter",
    "dropmate_report_build_duration_seconds": "histogram",
    "dropmate_read_replica_fallback": "gauge",
    "dropmate_read_replica_lag_seconds": "gauge",
    "process_cpu_seconds_total": "counter",
    "process_resident_memory_bytes": "gauge",
    "process_start_time_seconds": "gauge",
}
KNOWN = set(METRICS) | {f"{m}_{s}" for m, t in METRICS.items() if t == "histogram" for s in ("bucket", "sum", "count")}
METRIC_NAME = re.compile(r"\b(?:dropmate|process)_[a-z0-9_]+\b")
SCRAPE_HEALTH = re.compile(r"\bup\{job=\"dropmate\"")  # Prometheus's own series for the scrape job

problems = []


def metric_names(expr):
    return set(METRIC_NAME.findall(expr))


def slug(heading):
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def main():
    runbook = open("docs/RUNBOOK.md", encoding="utf-8").read()
    anchors = {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.*)$", runbook, re.M)}

    rules = yaml.safe_load(open("monitoring/prometheus/alerts.yml"))
    tests = yaml.safe_load(open("monitoring/prometheus/alerts.test.yml"))
    fired = {t["alertname"] for test in tests["tests"] for t in test.get("alert_rule_test", []) if t.get("exp_alerts")}
    alerts = []
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts.append(name)
            for unknown in metric_names(rule["expr"]) - KNOWN:
                problems.append(f"{name}: unknown metric {unknown}")
            if not metric_names(rule["expr"]) and not SCRAPE_HEALTH.search(rule["expr"]):
                problems.append(f"{name}: no metric found in its expression")
            if "for" not in rule:
                problems.append(f"{name}: no `for:`")
            if rule.get("labels", {}).get("severity") not in ("critical", "warning"):
                problems.append(f"{name}: severity must be critical or warning")
            ann = rule.get("annotations", {})
            for key in ("summary", "description", "runbook_url"):
                if not ann.get(key):
                    problems.append(f"{name}: annotation {key} missing")
            url = ann.get("runbook_url", "")
            if "docs/RUNBOOK.md#" not in url or url.split("#", 1)[1] not in anchors:
                problems.append(f"{name}: runbook_url {url} has no matching heading in docs/RUNBOOK.md")
            if name not in fired:
                problems.append(f"{name}: no firing test in alerts.test.yml")

    check_scrape_port()
    dashboard = json.load(open("monitoring/grafana/dropmate-slis.json"))
    ids = [p["id"] for p in dashboard["panels"]]
    if len(ids) != len(set(ids)):
        problems.append("dashboard: panel ids are not unique")
    exprs = 0
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            exprs += 1
            for unknown in metric_names(target["expr"]) - KNOWN:
                problems.append(f"dashboard panel {panel['title']!r}: unknown metric {unknown}")

    for p in problems:
        print(f"monitoring: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"monitoring: {len(alerts)} alerts, each with a runbook section and a test; dashboard {len(ids)} panels, {exprs} queries on exported metrics")


def check_scrape_port():
    """/metrics is not public: Prometheus scrapes the port each pod's prometheus.io/port names, and for the api
    that is METRICS_PORT, never the serving port the Service and the Ingress use."""
    scrape = yaml.safe_load(open("monitoring/prometheus/scrape-config.yml"))
    relabels = [r for job in scrape for r in job.get("relabel_configs", [])]
    if not any("__meta_kubernetes_pod_annotation_prometheus_io_port" in r.get("source_labels", []) and r.get("target_label") == "__address__"
               for r in relabels):
        problems.append("scrape-config.yml: the scrape address must come from the pod's prometheus.io/port annotation")
    for doc in yaml.safe_load_all(open("k8s/base/api.yaml")):
        if not doc or doc.get("kind") != "Deployment":
            continue
        template = doc["spec"]["template"]
        port = (template["metadata"].get("annotations") or {}).get("prometheus.io/port")
        container = template["spec"]["containers"][0]
        http = next((p["containerPort"] for p in container.get("ports", []) if p.get("name") == "http"), None)
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        if port is None or int(port) == http:
            problems.append("k8s/base/api.yaml: Prometheus must scrape the api's metrics port, not its serving port")
        if env.get("METRICS_PORT") != port:
            problems.append("k8s/base/api.yaml: METRICS_PORT and prometheus.io/port disagree")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""DropMate's own rules for the rendered Kubernetes manifests: what a JSON schema cannot see.

Usage: scripts/k8s-policy.py OVERLAY RENDERED.yaml   (OVERLAY: minikube or do)
       scripts/k8s-policy.py --same A.yaml B.yaml NAME  (two kustomize versions rendered the same objects)
       scripts/k8s-policy.py --requests RENDERED.yaml   (replicas x requests per workload: docs/COST.md)
Prints every violation and exits 1 if there is one. Called by scripts/validate-deploy.
"""
import base64
import json
import re
import sys

import yaml

SECRET_KEYS = {
    "DATABASE_URL", "JWT_SECRET", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN",
    "WECHAT_ENCODING_AES_KEY", "SMS_PROVIDER_KEY", "STORAGE_BUCKET", "STORAGE_ACCESS_KEY_ID",
    "STORAGE_SECRET_ACCESS_KEY", "REDIS_URL", "DROPMATE_PII_KEYS",
}
PLACEHOLDER = re.compile(r"REPLACE_?ME", re.IGNORECASE)
PUBLIC_PREFIXES = {"/wechat", "/api", "/confirm", "/track", "/ads", "/board", "/reports", "/console", "/courier", "/console/events"}
APP_UID = 10001
WORKER_DRAIN_SECONDS = 30  # compose's stop_grace_period for the worker

problems = []


def fail(where, message):
    problems.append(f"{where}: {message}")


def name_of(doc):
    return f"{doc['kind']}/{doc['metadata']['name']}"


def pod_template(doc):
    kind = doc["kind"]
    if kind in ("Deployment", "StatefulSet", "Job"):
        return doc["spec"]["template"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]
    return None


def component(doc):
    return (doc["metadata"].get("labels") or {}).get("app.kubernetes.io/component")


def check_metrics_port(deployment, policy):
    """/metrics is not public: the api serves it on METRICS_PORT, which Prometheus scrapes and the ingress
    controller cannot reach; the serving port (the Service's, the Ingress's) has none."""
    template = pod_template(deployment)
    container = template["spec"]["containers"][0]
    ports = {port.get("name"): port["containerPort"] for port in container.get("ports") or []}
    env = {e["name"]: e.get("value") for e in container.get("env") or []}
    annotations = template["metadata"].get("annotations") or {}
    metrics = str(env.get("METRICS_PORT") or "")
    if not metrics or int(metrics) == ports.get("http"):
        fail(name_of(deployment), "METRICS_PORT must be set to a port of its own (not the serving port)")
    if annotations.get("prometheus.io/scrape") == "true" and annotations.get("prometheus.io/port") != metrics:
        fail(name_of(deployment), "prometheus.io/port must be METRICS_PORT")
    for rule in policy["spec"].get("ingress") or []:
        sources = {(peer.get("namespaceSelector") or {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                   for peer in rule.get("from") or [{}]}
        rule_ports = {port.get("port") for port in rule.get("ports") or []}
        if "ingress-nginx" in sources and metrics and int(metrics) in rule_ports:
            fail(name_of(policy), "the ingress controller must not reach the metrics port")
        if "monitoring" in sources and rule_ports - {int(metrics or 0)}:
            fail(name_of(policy), "monitoring may reach the api on its metrics port only")


def check_pod(doc, template):
    where = name_of(doc)
    spec = template["spec"]
    pod_sc = spec.get("securityContext") or {}
    if spec.get("automountServiceAccountToken") is not False:
        fail(where, "automountServiceAccountToken must be false")
    if pod_sc.get("runAsNonRoot") is not True:
        fail(where, "pod securityContext.runAsNonRoot must be true")
    if (pod_sc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        fail(where, "pod seccompProfile must be RuntimeDefault")
    is_app = any(c["image"].split(":")[0].endswith("dropmate") for c in spec["containers"])
    if is_app:
        if spec.get("serviceAccountName", "default") == "default":
            fail(where, "needs its own ServiceAccount")
        if pod_sc.get("runAsUser") != APP_UID:
            fail(where, f"runs as UID {pod_sc.get('runAsUser')}, the image's user is {APP_UID}")
    for c in spec.get("initContainers", []) + spec["containers"]:
        cw = f"{where} container {c['name']}"
        image = c["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
        if "@sha256:" not in image and (tag is None or tag == "latest"):
            fail(cw, f"image {image} must be pinned to a tag other than latest")
        res = c.get("resources") or {}
        for key in ("cpu", "memory"):
            if key not in (res.get("requests") or {}):
                fail(cw, f"resources.requests.{key} missing")
        if "memory" not in (res.get("limits") or {}):
            fail(cw, "resources.limits.memory missing")
        sc = c.get("securityContext") or {}
        if sc.get("allowPrivilegeEscalation") is not False:
            fail(cw, "allowPrivilegeEscalation must be false")
        if sc.get("readOnlyRootFilesystem") is not True:
            fail(cw, "readOnlyRootFilesystem must be true")
        if sc.get("privileged"):
            fail(cw, "must not be privileged")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            fail(cw, "capabilities must drop ALL")
        if (sc.get("capabilities") or {}).get("add"):
            fail(cw, "must not add capabilities")
        if sc.get("runAsUser", pod_sc.get("runAsUser", 0)) == 0:
            fail(cw, "must not run as root")
        if doc["kind"] in ("Deployment", "StatefulSet") and c in spec["containers"]:
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                if probe not in c:
                    fail(cw, f"{probe} missing")
            if is_app:
                if (c.get("readinessProbe") or {}).get("httpGet", {}).get("path") != "/readyz":
                    fail(cw, "readinessProbe must GET /readyz")
                if (c.get("livenessProbe") or {}).get("httpGet", {}).get("path") != "/healthz":
                    fail(cw, "livenessProbe must GET /healthz")
                mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
                if "/tmp" not in mounts:
                    fail(cw, "needs a writable /tmp (emptyDir) with a read-only root")


def main(overlay, path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)

    workloads = [d for d in docs if pod_template(d)]
    for d in workloads:
        check_pod(d, pod_template(d))

    deployments = {component(d): d for d in by_kind.get("Deployment", [])}
    for comp in ("api", "worker"):
        if comp not in deployments:
            fail("Deployment", f"{comp} missing")
    api, worker = deployments.get("api"), deployments.get("worker")
    if api and api["spec"].get("replicas", 1) < 2:
        fail(name_of(api), "needs at least 2 replicas")
    if api and not (api["spec"]["template"]["spec"].get("topologySpreadConstraints")):
        fail(name_of(api), "needs topologySpreadConstraints")
    if worker:
        grace = worker["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
        if grace <= WORKER_DRAIN_SECONDS:
            fail(name_of(worker), f"terminationGracePeriodSeconds {grace} must exceed the {WORKER_DRAIN_SECONDS} s drain")
        if not worker["spec"]["template"]["spec"].get("topologySpreadConstraints"):
            fail(name_of(worker), "needs topologySpreadConstraints")

    hpas = {d["spec"]["scaleTargetRef"]["name"]: d for d in by_kind.get("HorizontalPodAutoscaler", [])}
    pdb_selectors = [d["spec"]["selector"]["matchLabels"] for d in by_kind.get("PodDisruptionBudget", [])]
    for d in deployments.values():
        hpa = hpas.get(d["metadata"]["name"])
        if not hpa:
            fail(name_of(d), "no HorizontalPodAutoscaler")
        else:
            if hpa["apiVersion"] != "autoscaling/v2":
                fail(name_of(hpa), "must be autoscaling/v2")
            if hpa["spec"].get("minReplicas", 1) < 2:
                fail(name_of(hpa), "minReplicas must be at least 2")
            if "stabilizationWindowSeconds" not in ((hpa["spec"].get("behavior") or {}).get("scaleDown") or {}):
                fail(name_of(hpa), "needs a scale-down stabilization window")
        labels = d["spec"]["template"]["metadata"]["labels"]
        if not any(all(labels.get(k) == v for k, v in sel.items()) for sel in pdb_selectors):
            fail(name_of(d), "no PodDisruptionBudget selects its pods")

    for d in by_kind.get("CronJob", []):
        s = d["spec"]
        where = name_of(d)
        if s.get("concurrencyPolicy") != "Forbid":
            fail(where, "concurrencyPolicy must be Forbid")
        for key in ("timeZone", "startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
            if key not in s:
                fail(where, f"{key} missing")
        for key in ("backoffLimit", "activeDeadlineSeconds"):
            if key not in s["jobTemplate"]["spec"]:
                fail(where, f"jobTemplate {key} missing")
    reports = [d for d in by_kind.get("CronJob", []) if component(d) == "daily-report"]
    if not reports:
        fail("CronJob", "daily-report missing")
    for d in reports:
        c = pod_template(d)["spec"]["containers"][0]
        if c.get("command") or c.get("args") != ["enqueue", "daily-report"]:
            fail(name_of(d), "must run only `dropmate enqueue daily-report`")
        if d["spec"].get("timeZone") != "Asia/Shanghai":
            fail(name_of(d), "timeZone must be Asia/Shanghai")
    for d in by_kind.get("Job", []):
        for key in ("backoffLimit", "activeDeadlineSeconds"):
            if key not in d["spec"]:
                fail(name_of(d), f"{key} missing")
    if not any(component(d) == "migrate" and pod_template(d)["spec"]["containers"][0].get("args") == ["migrate"]
               for d in by_kind.get("Job", [])):
        fail("Job", "migrate Job running `dropmate migrate` missing")

    secrets = by_kind.get("Secret", [])
    for d in secrets:
        for key, value in (d.get("data") or {}).items():
            text = base64.b64decode(value).decode()
            if text and not PLACEHOLDER.search(text):
                fail(name_of(d), f"{key} holds a value that is not a REPLACE_ME placeholder")
        for key, text in (d.get("stringData") or {}).items():
            if text and not PLACEHOLDER.search(text):
                fail(name_of(d), f"{key} holds a value that is not a REPLACE_ME placeholder")
    app_secret = next((d for d in secrets if d["metadata"]["name"].startswith("dropmate-secrets")), None)
    if not app_secret:
        fail("Secret", "dropmate-secrets missing")
    else:
        missing = SECRET_KEYS - set(app_secret.get("data") or {})
        if missing:
            fail(name_of(app_secret), f"keys missing: {', '.join(sorted(missing))}")
    config = next((d for d in by_kind.get("ConfigMap", []) if d["metadata"]["name"].startswith("dropmate-config")), None)
    if not config or config["data"].get("LOG_FORMAT") != "json":
        fail("ConfigMap/dropmate-config", "LOG_FORMAT must be json")
    elif set(config["data"]) & SECRET_KEYS:
        fail(name_of(config), f"secret keys in the ConfigMap: {sorted(set(config['data']) & SECRET_KEYS)}")

    for d in by_kind.get("ServiceAccount", []):
        if d.get("automountServiceAccountToken") is not False:
            fail(name_of(d), "automountServiceAccountToken must be false")
    for kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        for d in by_kind.get(kind, []):
            fail(name_of(d), "DropMate's workloads need no Kubernetes API permissions")

    policies = by_kind.get("NetworkPolicy", [])
    if not any(p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
               and not p["spec"].get("ingress") and not p["spec"].get("egress") for p in policies):
        fail("NetworkPolicy", "a default deny-all policy is missing")
    for d in workloads:
        labels = pod_template(d)["metadata"]["labels"]
        own = [p for p in policies if p["spec"]["podSelector"].get("matchLabels")
               and all(labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items())]
        if not own:
            fail(name_of(d), "no NetworkPolicy of its own")
        for p in own:
            sources = [peer for rule in p["spec"].get("ingress") or [] for peer in rule.get("from") or [{}]]
            allowed = {(peer.get("namespaceSelector") or {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                       for peer in sources}
            comp = labels.get("app.kubernetes.io/component")
            if comp == "api" and allowed - {"ingress-nginx", "monitoring"}:
                fail(name_of(p), "api may be reached only from ingress-nginx (and monitoring for /metrics)")
            if comp == "api":
                check_metrics_port(d, p)
            if comp == "worker" and allowed - {"monitoring"}:
                fail(name_of(p), "the worker takes no traffic (monitoring may scrape /metrics)")
            if comp in ("migrate", "daily-report", "backup") and sources:
                fail(name_of(p), "Jobs take no traffic")

    paths = set()
    for d in by_kind.get("Ingress", []):
        if not d["spec"].get("tls"):
            fail(name_of(d), "needs TLS")
        for rule in d["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                paths.add(p["path"])
                if p["pathType"] != "Prefix":
                    fail(name_of(d), f"{p['path']} must be a Prefix path")
                if p["path"] == "/wechat":
                    read = int((d["metadata"].get("annotations") or {}).get("nginx.ingress.kubernetes.io/proxy-read-timeout", "60"))
                    if read > 5:
                        fail(name_of(d), "the webhook's proxy-read-timeout must not exceed WeChat's 5 s")
                if p["path"] == "/console/events":
                    # Server-Sent Events: each event must pass at once, and a quiet stream must stay open.
                    notes = d["metadata"].get("annotations") or {}
                    if notes.get("nginx.ingress.kubernetes.io/proxy-buffering") != "off":
                        fail(name_of(d), "the console's event stream needs proxy-buffering off")
                    if int(notes.get("nginx.ingress.kubernetes.io/proxy-read-timeout", "60")) < 60:
                        fail(name_of(d), "the console's event stream needs a proxy-read-timeout of a minute or more")
    if paths != PUBLIC_PREFIXES:
        fail("Ingress", f"public paths {sorted(paths)} should be exactly {sorted(PUBLIC_PREFIXES)}")

    if overlay == "do":
        issuers = by_kind.get("ClusterIssuer", [])
        if not any(i["metadata"]["name"] == "letsencrypt" and "acme" in i["spec"] for i in issuers):
            fail("ClusterIssuer", "letsencrypt (ACME) missing")
        if not any((d["metadata"].get("annotations") or {}).get("cert-manager.io/cluster-issuer") == "letsencrypt"
                   for d in by_kind.get("Ingress", [])):
            fail("Ingress", "no Ingress asks cert-manager for a certificate")
        if app_secret:
            data = {k: base64.b64decode(v).decode() for k, v in app_secret["data"].items()}
            if "sslmode=require" not in data.get("DATABASE_URL", ""):
                fail(name_of(app_secret), "managed PostgreSQL needs sslmode=require")
            if not data.get("REDIS_URL", "").startswith("rediss://"):
                fail(name_of(app_secret), "managed Redis needs rediss:// (TLS)")
        if not any(component(d) == "backup" for d in by_kind.get("CronJob", [])):
            fail("CronJob", "nightly pg_dump backup missing")
    if overlay == "minikube":
        sets = {d["metadata"]["name"]: d for d in by_kind.get("StatefulSet", [])}
        for name in ("postgres", "redis"):
            if name not in sets or not sets[name]["spec"].get("volumeClaimTemplates"):
                fail(f"StatefulSet/{name}", "missing, or without a PersistentVolumeClaim")
        if "redis" in sets:
            args = " ".join(sets["redis"]["spec"]["template"]["spec"]["containers"][0].get("args", []))
            for want in ("--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction"):
                if want not in args:
                    fail("StatefulSet/redis", f"needs {want}")

    for p in problems:
        print(f"policy: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{overlay}: policy clean ({len(docs)} objects, {len(workloads)} workloads)")


def same(a, b, name):
    """Compares two renderings, ignoring generator hash suffixes (each kustomize version hashes its own
    way), empty metadata maps kustomize v2 writes out and base64 line wrapping."""
    def normal(path):
        docs = []
        for d in yaml.safe_load_all(open(path)):
            if not d:
                continue
            for key in ("annotations", "labels"):
                if d.get("metadata", {}).get(key) == {}:
                    del d["metadata"][key]
            if d.get("kind") == "Secret":  # v5 wraps long base64 lines
                d["data"] = {k: base64.b64decode("".join(v.split())).decode() for k, v in (d.get("data") or {}).items()}
            text = json.dumps(d, sort_keys=True)
            docs.append(re.sub(r"(dropmate-(?:config|secrets))-[a-z0-9]{10}", r"\1", text))
        return sorted(docs)
    left, right = normal(a), normal(b)
    if left != right:
        only_left = [d[:200] for d in left if d not in right]
        only_right = [d[:200] for d in right if d not in left]
        print(f"{name}: kustomize versions disagree\n  only in {a}: {only_left}\n  only in {b}: {only_right}", file=sys.stderr)
        sys.exit(1)
    print(f"{name}: kustomize v2 and the local kustomize render the same {len(left)} objects")


def quantity(text, unit):
    """CPU in millicores or memory in MiB from a Kubernetes quantity."""
    text = str(text)
    if unit == "cpu":
        return float(text[:-1]) if text.endswith("m") else float(text) * 1000
    factors = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "K": 1e3 / 2**20, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    for suffix, factor in factors.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text) / 2**20


def requests(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    hpas = {d["spec"]["scaleTargetRef"]["name"]: d["spec"] for d in docs if d["kind"] == "HorizontalPodAutoscaler"}
    print("| workload | replicas (HPA max) | CPU request each | memory request / limit each | CPU at min | memory at min |")
    print("| --- | --- | --- | --- | --- | --- |")
    total_cpu = total_mem = max_cpu = 0
    for d in docs:
        template = pod_template(d)
        if not template:
            continue
        cpu = sum(quantity(c["resources"]["requests"]["cpu"], "cpu") for c in template["spec"]["containers"])
        mem = sum(quantity(c["resources"]["requests"]["memory"], "mem") for c in template["spec"]["containers"])
        lim = sum(quantity(c["resources"]["limits"]["memory"], "mem") for c in template["spec"]["containers"])
        if d["kind"] in ("Deployment", "StatefulSet"):
            hpa = hpas.get(d["metadata"]["name"], {})
            low, high = hpa.get("minReplicas", d["spec"].get("replicas", 1)), hpa.get("maxReplicas", d["spec"].get("replicas", 1))
            total_cpu += low * cpu
            total_mem += low * mem
            max_cpu += high * cpu
            print(f"| {d['kind']} {d['metadata']['name']} | {low} ({high}) | {cpu:.0f}m | {mem:.0f} / {lim:.0f} MiB | {low * cpu:.0f}m | {low * mem:.0f} MiB |")
        else:
            print(f"| {d['kind']} {d['metadata']['name']} | runs to completion | {cpu:.0f}m | {mem:.0f} / {lim:.0f} MiB | — | — |")
    print(f"| **always running** | | | | **{total_cpu:.0f}m** | **{total_mem:.0f} MiB** |")
    print(f"\nAt every HPA's maximum: {max_cpu:.0f}m CPU requested.")


if __name__ == "__main__":
    if sys.argv[1] == "--requests":
        requests(sys.argv[2])
    elif sys.argv[1] == "--same":
        same(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main(sys.argv[1], sys.argv[2])

#!/usr/bin/env python3
"""Checks .github/workflows/*.yml for what actionlint would catch, for machines where actionlint cannot be
installed (its PyPI package downloads the binary from GitHub at install time).

- no `${{ … }}` inside `run:` scripts (expressions reach the shell through `env:`, never pasted into it:
  that is how untrusted input becomes script injection);
- `needs:` names existing jobs; `needs.J.outputs.X` and `steps.S.outputs.X` / `steps.S.outcome` refer to a
  job in `needs` with that output and to a step id of the same job that runs earlier;
- every `uses:` is pinned to a version (`@v4`, a tag or a SHA);
- every `run:` script passes shellcheck (bash, as GitHub runs it: `bash -e -o pipefail`).
The schema itself is checked by check-jsonschema's vendored GitHub workflow schema (scripts/validate-deploy).
Usage: scripts/workflow-check.py SHELLCHECK WORKFLOW.yml...
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
problems = []


def expressions(value):
    if isinstance(value, str):
        yield from (m.group(1) for m in EXPR.finditer(value))
        if "${{" not in value and re.search(r"\b(steps|needs)\.", value):
            yield value  # `if:` conditions are expressions without the braces
    elif isinstance(value, dict):
        for v in value.values():
            yield from expressions(v)
    elif isinstance(value, list):
        for v in value:
            yield from expressions(v)


def check(shellcheck, path):
    workflow = yaml.safe_load(open(path))
    jobs = workflow.get("jobs") or {}
    scripts = []
    for job_name, job in jobs.items():
        where = f"{path}: job {job_name}"
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        for need in needs:
            if need not in jobs:
                problems.append(f"{where}: needs unknown job {need}")
        ids_before = []
        for index, step in enumerate(job.get("steps", [])):
            sw = f"{where} step {step.get('name') or step.get('id') or step.get('uses') or index}"
            if "uses" in step and "@" not in step["uses"] and not step["uses"].startswith("./"):
                problems.append(f"{sw}: `uses: {step['uses']}` is not pinned to a version")
            if "run" in step:
                if "${{" in step["run"]:
                    problems.append(f"{sw}: `${{{{ }}}}` inside run: pass it through env: instead")
                scripts.append((sw, step["run"]))
            for expr in expressions({k: v for k, v in step.items() if k != "run"}):
                for ref in re.findall(r"steps\.([\w-]+)\.", expr):
                    if ref not in ids_before:
                        problems.append(f"{sw}: refers to step {ref}, which is not an earlier step of this job")
            if "id" in step:
                ids_before.append(step["id"])
        # Job-level expressions: outputs, env, if.
        for expr in expressions({k: v for k, v in job.items() if k != "steps"}):
            for ref in re.findall(r"steps\.([\w-]+)\.", expr):
                if ref not in ids_before:
                    problems.append(f"{where}: refers to step {ref}, which this job does not have")
            for ref_job, output in re.findall(r"needs\.([\w-]+)\.outputs\.([\w-]+)", expr):
                if ref_job not in needs:
                    problems.append(f"{where}: uses needs.{ref_job} without `needs: {ref_job}`")
                elif output not in (jobs.get(ref_job, {}).get("outputs") or {}):
                    problems.append(f"{where}: job {ref_job} has no output {output}")
    with tempfile.TemporaryDirectory() as tmp:
        for index, (where, script) in enumerate(scripts):
            file = os.path.join(tmp, f"step{index}.sh")
            with open(file, "w") as f:
                f.write("#!/usr/bin/env bash\nset -eo pipefail\n" + script)
            result = subprocess.run([shellcheck, "--shell=bash", "--format=gcc", file], capture_output=True, text=True)
            if result.returncode:
                problems.append(f"{where}: shellcheck:\n{result.stdout.replace(file, 'run')}")
    return len(jobs), len(scripts)


def main():
    shellcheck, paths = sys.argv[1], sys.argv[2:]
    totals = [check(shellcheck, p) for p in paths]
    for p in problems:
        print(f"workflow: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"workflow: {', '.join(paths)}: {sum(t[0] for t in totals)} jobs, {sum(t[1] for t in totals)} run scripts shellcheck-clean, expressions only through env:")


if __name__ == "__main__":
    main()

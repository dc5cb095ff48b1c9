#!/usr/bin/env python3
"""Replays every known attack on DropMate against the real binary and asserts each one is refused.

Usage: scripts/attack-suite/run.py [attacks/<module>.py …]   (default: every module in attacks/)
The binary is DROPMATE_BIN, else .build/debug/dropmate. ATTACK_KEEP=1 keeps the servers' data and logs.
A hole that comes back fails the run, naming the attack.
"""

import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lib  # noqa: E402


def modules(paths):
    if not paths:
        directory = os.path.join(HERE, "attacks")
        paths = sorted(os.path.join(directory, name) for name in os.listdir(directory)
                       if name.endswith(".py") and not name.startswith("_"))
    for path in paths:
        path = path if os.path.isabs(path) else os.path.join(HERE, path) if not os.path.exists(path) else path
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(f"attacks.{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield name, module


def main():
    if not os.access(lib.BINARY, os.X_OK):
        sys.exit(f"attack-suite: no dropmate binary at {lib.BINARY} (swift build first, or set DROPMATE_BIN)")
    failures, count = [], 0
    try:
        for name, module in modules(sys.argv[1:]):
            for attack_name in sorted(n for n in dir(module) if n.startswith("attack_")):
                count += 1
                started = time.time()
                try:
                    getattr(module, attack_name)()
                    print(f"refused  {name}.{attack_name} ({time.time() - started:.1f} s)", flush=True)
                except Exception:  # noqa: BLE001 — every failure is reported, the run goes on
                    failures.append(f"{name}.{attack_name}")
                    print(f"HOLE     {name}.{attack_name}\n{traceback.format_exc()}", flush=True)
    finally:
        lib.stop_all()
    if failures:
        sys.exit(f"attack-suite: {len(failures)} of {count} attacks got through: {', '.join(failures)}")
    print(f"attack-suite: all {count} attacks refused")


if __name__ == "__main__":
    main()

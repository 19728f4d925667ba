#!/usr/bin/env python3
"""Cost of `incplan check` on the hostile plans of issue 8: wall time and peak memory.

    python3 bench/hostile.py [INCPLAN]

Runs each case as a child process and reads its peak resident memory from `os.wait4`
(`resource.getrusage` of that one child). INCPLAN defaults to the `incplan` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile.plans import C_LOOP_CASES, MEMORY_CASES, SLOW_PLAN, plan  # noqa: E402


def measure(command: list[str]) -> tuple[int, float, float, float]:
    """(exit code, seconds, CPU seconds, peak MiB) of one child (and its children: `check` lints
    in a child of its own)."""
    start = time.perf_counter()
    before = os.times()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    after = os.times()
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = after.children_user + after.children_system - before.children_user - before.children_system
    return child.returncode, time.perf_counter() - start, cpu, usage.ru_maxrss / 1024


def main() -> None:
    incplan = sys.argv[1] if len(sys.argv) > 1 else shutil.which("incplan")
    if incplan is None:
        sys.exit("incplan is not on PATH: activate its virtual environment or pass its path")
    cases = {name: plan(template) for name, template in {**MEMORY_CASES, **C_LOOP_CASES}.items()}
    cases["slow (10 channels x 5 severities)"] = SLOW_PLAN
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'case':36} {'exit':>4} {'seconds':>8} {'CPU s':>6} {'peak MiB':>9}")
        for name, text in cases.items():
            path = Path(tmp) / "plan.yaml"
            path.write_text(text)
            code, seconds, cpu, peak = measure([incplan, "check", str(path)])
            print(f"{name:36} {code:>4} {seconds:>8.2f} {cpu:>6.2f} {peak:>9.0f}", flush=True)


if __name__ == "__main__":
    main()

"""Offline plan timings, each including interpreter start (the way CI and people run it)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from cutover.bench import Bench, Measurement

_CLI = [sys.executable, "-m", "cutover.cli.app"]


def _plan(*args: str) -> Measurement:
    with tempfile.TemporaryDirectory(prefix="cutover-bench-plan-") as out:
        result = subprocess.run([*_CLI, "plan", *args, "--out", out], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"cutover plan {' '.join(args)} failed: {result.stderr[-2000:]}")
        plans = [p for p in Path(out).glob("*.json") if not p.name.endswith(".policy-config.json")]
        return Measurement({"stacks": len(plans)})


BENCHES = [
    Bench("cutover plan --all (core + 48 sites)", "<= 10 s", lambda: _plan("--all"), limit_seconds=10.0, repeat=3),
    Bench("cutover plan one stack (incl. interpreter start)", "<= 2 s", lambda: _plan("pref-13-tokyo"),
          limit_seconds=2.0, repeat=5),
]

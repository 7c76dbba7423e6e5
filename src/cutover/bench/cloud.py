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
        return Measurement({"stacks": len(list(Path(out).glob("*.json")))})


BENCHES = [
    Bench("cutover plan --all (core + 48 sites)", "<= 15 s", lambda: _plan("--all"), limit_seconds=15.0, repeat=3),
    Bench("cutover plan one stack (incl. interpreter start)", "<= 3 s", lambda: _plan("pref-13-tokyo"),
          limit_seconds=3.0, repeat=5),
]

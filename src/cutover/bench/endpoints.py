"""Endpoint convergence on the twin: module calls per PC (first converge, compliant) and one prefecture's time."""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from cutover.bench import Bench, Measurement
from cutover.inventory import load_inventory
from cutover.runner import run_playbook
from cutover.twin import fleet

SITE = "pref-13-tokyo"


def _calls(twin_dir: Path) -> list[int]:
    states = [json.loads(p.read_text(encoding="utf-8")) for p in twin_dir.glob("*.json")]
    return [s["module_calls"]["total"] for s in states if s["reachable"]]


def _converge_twice() -> Measurement:
    inventory = load_inventory()
    root = Path(tempfile.mkdtemp(prefix="cutover-bench-endpoints-"))
    try:
        fleet.build_site(inventory, inventory.sites[SITE], root / "twin", reuse=False)
        twin_dir = root / "twin" / SITE
        limit = "site_" + SITE.replace("-", "_")
        start = time.perf_counter()
        run_playbook("endpoints.yml", limit, root / "run", twin_dir=twin_dir)
        first_seconds = time.perf_counter() - start
        first = _calls(twin_dir)
        run_playbook("endpoints.yml", limit, root / "run", twin_dir=twin_dir)
        second = [b - a for a, b in zip(first, _calls(twin_dir), strict=True)]
        return Measurement({
            "PCs": len(first),
            "first converge s": round(first_seconds, 2),
            "calls/PC first (median)": statistics.median(first),
            "calls/PC compliant (max)": max(second),
        })
    finally:
        shutil.rmtree(root, ignore_errors=True)


BENCHES = [
    Bench(f"converge one prefecture twice on the twin ({SITE}), all roles", "compliant PC: ngav <= 3 calls",
          _converge_twice, repeat=3),
]

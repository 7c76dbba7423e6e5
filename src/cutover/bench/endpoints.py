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


NGAV_MODULES = ("cutover_ngav_facts", "ansible.windows.win_package", "community.windows.win_scheduled_task",
                "ansible.windows.win_regedit", "ansible.windows.win_reboot")


def _calls(twin_dir: Path, modules: tuple[str, ...] | None = None) -> list[int]:
    states = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(twin_dir.glob("*.json"))]
    return [s["module_calls"]["total"] if modules is None
            else sum(s["module_calls"]["by_module"].get(m, 0) for m in modules) for s in states if s["reachable"]]


def _converge_twice() -> Measurement:
    inventory = load_inventory()
    root = Path(tempfile.mkdtemp(prefix="cutover-bench-endpoints-"))
    try:
        fleet.build_site(inventory, inventory.sites[SITE], root / "twin", reuse=False)
        twin_dir = root / "twin" / SITE
        fleet.console_uninstall_site(twin_dir)  # the runbook's Apex One console step
        limit = "site_" + SITE.replace("-", "_")
        policy = {"ngav_reboot_policy": "auto"}  # restart and install in the same converge
        start = time.perf_counter()
        run_playbook("endpoints.yml", limit, root / "run", twin_dir=twin_dir, extravars=policy, name="first")
        first_seconds = time.perf_counter() - start
        first, first_ngav = _calls(twin_dir), _calls(twin_dir, NGAV_MODULES)
        run_playbook("endpoints.yml", limit, root / "run", twin_dir=twin_dir, extravars=policy, name="second")
        second = [b - a for a, b in zip(first, _calls(twin_dir), strict=True)]
        second_ngav = [b - a for a, b in zip(first_ngav, _calls(twin_dir, NGAV_MODULES), strict=True)]
        return Measurement({
            "PCs": len(first),
            "first converge s": round(first_seconds, 2),
            "calls/PC first (median)": statistics.median(first),
            "calls/PC compliant, all roles (max)": max(second),
            "ngav calls/PC first (median)": statistics.median(first_ngav),
            "ngav calls/PC compliant (max)": max(second_ngav),
        })
    finally:
        shutil.rmtree(root, ignore_errors=True)


BENCHES = [
    Bench(f"converge one prefecture twice on the twin ({SITE}), all roles", "compliant PC: ngav = 1 call",
          _converge_twice, repeat=3),
]

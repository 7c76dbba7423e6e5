"""Verification on the twin: seconds per PC for one prefecture (target <= 0.5 s/PC) and module calls per PC.

The fleet is built and converged once (not measured); each run is one `cutover verify` of the whole
site: expectations, one batched ansible-runner run with one probe call per host, the checks, JUnit/JSON.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from cutover import verify
from cutover.bench import Bench, Measurement
from cutover.inventory import load_inventory
from cutover.runner import run_playbook
from cutover.twin import fleet
from cutover.twin import state as twin_state

SITE = "pref-13-tokyo"
AS_OF = dt.date(2026, 11, 24)
TARGET_PER_PC = 0.5
_fleet: dict = {}


def _setup() -> None:
    if _fleet:
        return
    inventory = load_inventory()
    site = inventory.sites[SITE]
    root = Path(tempfile.mkdtemp(prefix="cutover-bench-verify-"))
    atexit.register(shutil.rmtree, root, True)
    fleet.build_site(inventory, site, root / "twin", AS_OF, reuse=False)
    fleet.build_file_server(inventory, site, root / "twin", reuse=False)
    run_playbook("endpoints.yml", "site_" + SITE.replace("-", "_"), root / "run", twin_dir=root / "twin" / SITE)
    _fleet.update(inventory=inventory, site=site, root=root)


def _calls(root: Path) -> dict[str, int]:
    return {p.stem: twin_state.load(p.parent, p.stem)["module_calls"]["total"]
            for p in sorted((root / "twin" / SITE).glob("*.json"))}


def _verify() -> Measurement:
    root = _fleet["root"]
    before = _calls(root)
    result = verify.verify(_fleet["inventory"], [_fleet["site"]], AS_OF, root / "verify", twin=root / "twin")
    after = _calls(root)
    hosts = len(result.hosts[SITE])
    return Measurement({"hosts": hosts, "s/host": round(result.seconds / hosts, 3),
                        "module calls/PC (max)": max(after[h] - before[h] for h in before),
                        "checks": len(result.findings)})


def _hosts() -> int:
    site = load_inventory().sites[SITE]
    return len(site.endpoints) + len({s.legacy_unc.split("\\")[2] for s in site.config.file_shares if s.legacy_unc})


BENCHES = [
    Bench(f"cutover verify one prefecture on the twin ({SITE})", f"<= {TARGET_PER_PC} s per PC, <= 2 calls/PC",
          _verify, limit_seconds=TARGET_PER_PC * _hosts(), repeat=3, setup=_setup),
]

"""The main job, timed the way people run it (`cutover rehearse` in a fresh interpreter, fresh twin).

- one prefecture (Fukui, 13 PCs): <= 60 s;
- stage cost per PC at 1x, 2x and 4x one wave's fleet (wave 0 has 54 PCs; the rehearsed sites are
  wave 1's smallest until the PC count is reached, so each is one wave's run): growth should be linear;
- the whole sample organisation (48 sites, 1,705 PCs): <= 20 min. Long: it runs only when asked for
  by name (``scripts/bench organisation``), never in scripts/test.

Every run also prints the real-wave estimate at 1.5 s per call (``--latency 1.5``): the figures keep
the converge + verify estimate in minutes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cutover.bench import Bench, Measurement
from cutover.inventory import load_inventory

AS_OF = "2026-11-24"
WAVE_0_PCS = 54
STAGES = ("plan", "converge", "migrate", "verify", "evidence", "report")


def _rehearse(*args: str) -> Measurement:
    out = Path(tempfile.mkdtemp(prefix="cutover-bench-rehearsal-"))
    try:
        result = subprocess.run([sys.executable, "-m", "cutover.cli.app", "rehearse", *args, "--out", str(out),
                                 "--as-of", AS_OF, "--latency", "1.5"], capture_output=True, text=True, check=False)
        if result.returncode not in (0, 1, 3):  # ready, not ready, ready on plan
            raise RuntimeError(f"rehearse {' '.join(args)} failed: {result.stderr[-2000:]}")
        pcs = sum(1 for _ in (out / "twin").glob("*/*.json"))
        timings = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", _line(result.stdout, "timings: "))}
        figures = {"PCs": pcs, **{f"{k} s/PC": round(timings.get(k, 0) / pcs, 3) for k in STAGES}}
        estimate = re.search(r"([\d.]+) min at forks", _line(result.stdout, "estimate converge + verify"))
        if estimate:
            figures["real PCs at 1.5 s/call, min"] = float(estimate.group(1))
        return Measurement(figures)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _line(text: str, start: str) -> str:
    return next((line for line in text.splitlines() if line.startswith(start)), "")


def _wave_1_sites(pcs: int) -> list[str]:
    """Wave 1's sites, smallest first, until they hold at least ``pcs`` PCs."""
    chosen, total = [], 0
    for site in sorted(load_inventory().sites_in_wave(1), key=lambda s: (len(s.endpoints), s.id)):
        if total >= pcs:
            break
        chosen.append(site.id)
        total += len(site.endpoints)
    return chosen


def _scaled(factor: int) -> Measurement:
    return _rehearse(*[arg for site in _wave_1_sites(factor * WAVE_0_PCS) for arg in ("--site", site)])


BENCHES = [
    Bench("cutover rehearse --site 18 (one prefecture, 13 PCs, fresh twin)", "<= 60 s",
          lambda: _rehearse("--site", "18"), limit_seconds=60.0, repeat=3),
    *(Bench(f"rehearse {f}x one wave's fleet (>= {f * WAVE_0_PCS} PCs of wave 1), cost per PC and stage",
            "linear: s/PC flat", lambda f=f: _scaled(f), repeat=3) for f in (1, 2, 4)),
    Bench("cutover rehearse --all (whole organisation, 1,705 PCs)", "<= 20 min", lambda: _rehearse("--all"),
          limit_seconds=20 * 60.0, repeat=1, explicit=True),
]

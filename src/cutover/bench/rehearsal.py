"""The main job for one prefecture, including interpreter start: `cutover rehearse --site 18`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cutover.bench import Bench, Measurement


def _rehearse() -> Measurement:
    out = Path(tempfile.mkdtemp(prefix="cutover-bench-rehearsal-"))
    try:
        result = subprocess.run([sys.executable, "-m", "cutover.cli.app", "rehearse", "--site", "18", "--out",
                                 str(out)], capture_output=True, text=True, check=False)
        if result.returncode not in (0, 1, 3):  # ready, not ready, ready on plan
            raise RuntimeError(f"rehearse failed: {result.stderr[-2000:]}")
        return Measurement({"PCs": len(list((out / "twin" / "pref-18-fukui").glob("*.json")))})
    finally:
        shutil.rmtree(out, ignore_errors=True)


BENCHES = [Bench("cutover rehearse --site 18 (one prefecture, fresh twin)", "a few minutes", _rehearse, repeat=3)]

"""Inventory validation at scale: 10,000 PCs and 20,000 addresses in <= 2 s."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from cutover.bench import Bench, Measurement
from cutover.inventory import load_inventory
from cutover.sample_org import generate_synthetic

_ROOT: list[Path] = []


def _setup() -> None:
    if not _ROOT:
        root = Path(tempfile.mkdtemp(prefix="cutover-bench-inv-"))
        atexit.register(shutil.rmtree, root, True)
        generate_synthetic(root, pcs=10_000, addresses=20_000)
        _ROOT.append(root)


def _validate() -> Measurement:
    inv = load_inventory(_ROOT[0])
    return Measurement({"PCs": inv.endpoint_count, "addresses": inv.address_count})


BENCHES = [
    Bench("inventory validate (10k PCs, 20k addresses)", "<= 2 s", _validate, limit_seconds=2.0,
          repeat=5, setup=_setup),
]

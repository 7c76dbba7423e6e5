"""Shared fixtures: the project root, the embedded sample organisation, and a scratch copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inventories"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


_LOADED: dict[str, object] = {}  # kept for the process: mutation runs start many test sessions in one process


@pytest.fixture(scope="session")
def sample_inventory():
    from cutover.inventory import load_inventory

    if "sample" not in _LOADED:  # the inventory is immutable (frozen models): sharing it is safe
        _LOADED["sample"] = load_inventory(SAMPLE)
    return _LOADED["sample"]


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample organisation (site folders and organisation.yml)."""
    target = tmp_path / "inventories"
    shutil.copytree(SAMPLE, target)
    return target

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


@pytest.fixture(scope="session")
def sample_inventory():
    from cutover.inventory import load_inventory

    return load_inventory(SAMPLE)


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample organisation (site folders and organisation.yml)."""
    target = tmp_path / "inventories"
    shutil.copytree(SAMPLE, target)
    return target

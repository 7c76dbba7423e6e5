"""Property-based tests (Hypothesis) for the three readers of outside input, with a bounded budget.

The contract every reader keeps, for any input: it loads, or it fails with exit 2 and a message naming
where (file, and line/row/sheet/field when there is one). It never crashes and never writes on failure.

The corpus grows: every hostile file found by hand or by Hypothesis is saved under ``corpus/<reader>/``
and replayed on every run. Budgets: the default profile runs in the test command (seconds per test);
``HYPOTHESIS_PROFILE=deep`` runs a thousand examples per test for a longer hunt.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis.errors import InvalidArgument

CORPUS = Path(__file__).resolve().parent / "corpus"
SAMPLE = Path(__file__).resolve().parents[2] / "inventories"
SITE_FOLDER, SITE = "18-fukui", "pref-18-fukui"

settings.register_profile("default", max_examples=60, deadline=2000, print_blob=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("deep", max_examples=1000, deadline=5000, print_blob=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "default"))


def small_inventory(target: Path) -> Path:
    """organisation.yml and one site: a complete inventory that loads in milliseconds."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE / "organisation.yml", target / "organisation.yml")
    shutil.copytree(SAMPLE / SITE_FOLDER, target / SITE_FOLDER)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def inventory_root(tmp_path_factory) -> Path:
    return small_inventory(tmp_path_factory.mktemp("fuzz-inventory") / "inventories")


def corpus(reader: str) -> list[Path]:
    return sorted(p for p in (CORPUS / reader).iterdir() if p.is_file())


def outcome(label: str) -> None:
    """Count outcomes (``--hypothesis-show-statistics``) so a property that never loads anything shows up."""
    with contextlib.suppress(InvalidArgument):  # a corpus replay runs outside Hypothesis
        event(label)

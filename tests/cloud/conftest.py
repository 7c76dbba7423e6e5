"""Every stack of the sample organisation is planned once per test session against the Azure double."""

from __future__ import annotations

import datetime as dt

import pytest

from cutover.cloud import offline

AS_OF = dt.date(2026, 11, 24)
SITE = "pref-18-fukui"  # hybrid pilot site
CLOUD_ONLY = "hq"


@pytest.fixture(scope="session")
def plans(sample_inventory) -> dict[str, offline.StackPlan]:
    stacks = ["core", *sample_inventory.sites]
    return {p.stack: p for p in offline.plan_stacks(sample_inventory, stacks, AS_OF, jobs=2)}


@pytest.fixture(scope="session")
def previews(sample_inventory) -> dict[str, offline.StackPlan]:
    """The first preview of new stacks: core, a hybrid and a cloud-only site, Storage Mover and File Sync sites."""
    stacks = ["core", SITE, CLOUD_ONLY, "pref-27-osaka", "pref-32-shimane"]
    return {p.stack: p for p in offline.plan_stacks(sample_inventory, stacks, AS_OF, phase="preview")}


def only(plan: offline.StackPlan, type_token: str):
    found = plan.by_type(type_token)
    assert len(found) == 1, f"{plan.stack}: expected one {type_token}, found {len(found)}"
    return found[0]

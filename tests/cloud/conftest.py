"""Every stack of the sample organisation is planned once per test session against the Azure double."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from cutover.cloud import offline

AS_OF = dt.date(2026, 11, 24)
SITE = "pref-18-fukui"  # hybrid pilot site
CLOUD_ONLY = "hq"


# Mutation runs (scripts/mutation) plan a representative subset: hybrid and cloud-only, Storage Mover,
# File Sync and NTLMv2-waived sites. The normal test run plans every site.
REPRESENTATIVE = ("pref-18-fukui", "hq", "pref-27-osaka", "pref-32-shimane", "pref-03-iwate", "pref-36-tokushima")


@pytest.fixture(scope="session")
def planned_sites(sample_inventory):
    if os.environ.get("CUTOVER_CLOUD_FAST"):
        return [sample_inventory.sites[s] for s in REPRESENTATIVE]
    return list(sample_inventory.sites.values())


@pytest.fixture(scope="session")
def plans(sample_inventory, planned_sites) -> dict[str, offline.StackPlan]:
    stacks = ["core", *(s.id for s in planned_sites)]
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

"""Every stack of the sample organisation is planned once per test session (the real programs, under mocks)."""

from __future__ import annotations

import datetime as dt

import pytest

from cutover.cloud import offline

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="session")
def plans(sample_inventory) -> dict[str, offline.StackPlan]:
    stacks = ["core", *sample_inventory.sites]
    return {p.stack: p for p in offline.plan_stacks(sample_inventory, stacks, AS_OF)}


def only(plan: offline.StackPlan, type_token: str):
    found = plan.by_type(type_token)
    assert len(found) == 1, f"{plan.stack}: expected one {type_token}, found {len(found)}"
    return found[0]

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
FAST = bool(os.environ.get("CUTOVER_CLOUD_FAST"))


def _mutmut_reached() -> set[str] | None:
    """mutmut's record of the functions the running test reached (mutation runs only), else None.

    mutmut (https://mutmut.readthedocs.io) tests a mutant with the tests that reached its function in
    its stats pass, recorded per test. A session fixture computes the plans during the first test that
    asks for them, so every later test reading the same plans would count as reaching none of the code
    that made them, and mutants there would be judged by one test only. :func:`_shared` records what
    computing a fixture reached and credits it to every test that uses the fixture.
    """
    if not FAST:
        return None
    try:
        from mutmut.state import state
    except ImportError:
        return None
    return state()._stats


_REACHED: dict[str, set[str]] = {}


def _shared(name: str, compute):
    reached = _mutmut_reached()
    if reached is None:
        return compute()
    earlier = set(reached)
    reached.clear()
    try:
        return compute()
    finally:
        _REACHED[name] = set(reached)
        reached |= earlier


@pytest.fixture(autouse=True)
def _credit_shared_plans(request):
    reached = _mutmut_reached()
    if reached is not None:
        for name in ("plans", "previews"):
            if name in request.fixturenames:
                request.getfixturevalue(name)
                reached |= _REACHED.get(name, set())


@pytest.fixture(scope="session")
def planned_sites(sample_inventory):
    if FAST:
        return [sample_inventory.sites[s] for s in REPRESENTATIVE]
    return list(sample_inventory.sites.values())


@pytest.fixture(scope="session")
def plans(sample_inventory, planned_sites) -> dict[str, offline.StackPlan]:
    stacks = ["core", *(s.id for s in planned_sites)]
    # mutation runs plan in this process: mutmut does not see what forked workers reach
    jobs = 1 if FAST else 2
    return _shared("plans", lambda: {p.stack: p for p in offline.plan_stacks(sample_inventory, stacks, AS_OF,
                                                                             jobs=jobs)})


@pytest.fixture(scope="session")
def previews(sample_inventory) -> dict[str, offline.StackPlan]:
    """The first preview of new stacks: core, a hybrid and a cloud-only site, Storage Mover and File Sync sites."""
    stacks = ["core", SITE, CLOUD_ONLY, "pref-27-osaka", "pref-32-shimane"]
    return _shared("previews", lambda: {p.stack: p for p in offline.plan_stacks(sample_inventory, stacks, AS_OF,
                                                                                phase="preview")})


def plan_here(inventory, stack: str, as_of=AS_OF, phase="up") -> offline.StackPlan:
    """One stack planned in this process (with core first), for tests that change the inventory or the day."""
    return offline.plan_stacks(inventory, [stack], as_of, phase=phase)[0]


def only(plan: offline.StackPlan, type_token: str):
    found = plan.by_type(type_token)
    assert len(found) == 1, f"{plan.stack}: expected one {type_token}, found {len(found)}"
    return found[0]

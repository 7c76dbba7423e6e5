"""The twin probe is read-only and as strict as Windows: every fleet PC's state is the same after a probe."""

from __future__ import annotations

import copy

import pytest

from cutover.twin import fleet, hives
from cutover.twin import modules as twin_modules
from cutover.twin import state as twin_state
from cutover.verify import expect, requests
from tests.verify.conftest import AS_OF

twin_modules.load_all()
SITES = ("pref-18-fukui", "pref-13-tokyo")


@pytest.mark.parametrize("site_id", SITES)
def test_a_probe_changes_nothing_and_leaves_no_hive_loaded(sample_inventory, site_id):
    site = sample_inventory.sites[site_id]
    for pc in expect.for_site(sample_inventory, site, AS_OF):
        state = fleet.build_pc(next(e for e in site.endpoints if e.hostname == pc.host), site, AS_OF)
        before = copy.deepcopy(twin_state.snapshot(state))
        mounted = hives.mounts(state)
        result = twin_modules.execute(state, "cutover_endpoint_probe", requests.for_pc(pc))
        assert not result.get("failed"), result
        assert result["changed"] is False
        after = twin_state.snapshot(state)
        assert {k: v for k, v in after.items() if k != "hives"} == {k: v for k, v in before.items() if k != "hives"}
        assert hives.mounts(state) == mounted and hives.leaks(state) == [], pc.host


def test_the_users_hive_is_reached_the_way_windows_allows(sample_inventory):
    site = sample_inventory.sites["pref-18-fukui"]
    pc = next(p for p in expect.for_site(sample_inventory, site, AS_OF) if p.outlook_personal)
    state = fleet.build_pc(next(e for e in site.endpoints if e.hostname == pc.host), site, AS_OF)
    for user in state["users"]:
        hives.log_off(state, user["sid"])
    request = requests.for_pc(pc)
    read = twin_modules.execute(copy.deepcopy(state), "cutover_endpoint_probe", request)
    assert {u["hive"] for u in read["users"]} == {"loaded_by_module"}
    state["faults"]["locked_hive"] = True
    locked = twin_modules.execute(state, "cutover_endpoint_probe", request)
    assert {u["hive"] for u in locked["users"]} == {"unreadable"}
    assert all(u["registry"] == [] and "could not load" in u["error"] for u in locked["users"])


def test_per_user_keys_are_not_machine_keys(sample_inventory):
    site = sample_inventory.sites["pref-18-fukui"]
    state = fleet.build_pc(site.endpoints[0], site, AS_OF)
    sid = state["users"][0]["sid"]
    with pytest.raises(twin_modules.TwinError, match="only HKLM paths"):
        twin_modules.execute(state, "cutover_endpoint_probe", {"registry": [{"path": f"HKU:\\{sid}", "names": ["x"]}]})

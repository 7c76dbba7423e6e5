"""The ngav role converging twin fleets through ansible-runner, exactly as on real PCs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cutover.evidence.collectors.ansible import read_facts
from cutover.runner import run_playbook
from cutover.twin import fleet
from cutover.twin import state as twin_state

AS_OF = dt.date(2026, 11, 24)
SITE = "pref-29-nara"  # a 20-PC prefecture of the sample organisation


def build(inventory, site_id, out: Path, faults=None) -> Path:
    fleet.build_site(inventory, inventory.sites[site_id], out, AS_OF, faults, reuse=False)
    return out / site_id


def converge(site_id: str, twin_dir: Path, out: Path, **kwargs):
    return run_playbook("endpoints.yml", f"site_{site_id.replace('-', '_')}", out, twin_dir=twin_dir, **kwargs)


def states(twin_dir: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(twin_dir.glob("*.json"))}


@pytest.fixture(scope="module")
def twenty(tmp_path_factory, sample_inventory):
    root = tmp_path_factory.mktemp("nara")
    twin_dir = build(sample_inventory, SITE, root / "twin")
    first = converge(SITE, twin_dir, root / "run")
    after_first = {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()}
    calls_first = {h: s["module_calls"]["total"] for h, s in states(twin_dir).items()}
    ngav_first = {h: ngav_calls(s) for h, s in states(twin_dir).items()}
    second = converge(SITE, twin_dir, root / "run")
    return {"root": root, "twin": twin_dir, "first": first, "second": second, "after_first": after_first,
            "calls_first": calls_first, "ngav_first": ngav_first}


def test_fleet_has_twenty_pcs_with_the_old_antivirus(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path)
    pcs = states(twin_dir)
    assert len(pcs) == 20 == len(sample_inventory.sites[SITE].endpoints)
    for pc in pcs.values():
        assert any(p["display_name"] == fleet.TREND_DISPLAY for p in pc["products"].values())
        assert fleet.LUNCH_TASK in pc["scheduled_tasks"]
        assert pc["services"]["ntrtscan"]["state"] == "running"


def test_fleet_is_deterministic_and_reflects_the_inventory(sample_inventory, tmp_path):
    a = states(build(sample_inventory, SITE, tmp_path / "a"))
    b = states(build(sample_inventory, SITE, tmp_path / "b"))
    assert a == b
    site = sample_inventory.sites[SITE]
    for endpoint in site.endpoints:
        pc = a[endpoint.hostname]
        assert pc["hardware"]["disks"][0]["media_type"] == endpoint.disk_media.upper()
        assert pc["reachable"] == ((AS_OF - endpoint.last_seen).days <= 60)


def test_first_converge_replaces_the_antivirus_everywhere_reachable(twenty, sample_inventory):
    site = sample_inventory.sites[SITE]
    assert twenty["first"].failed == set()
    unreachable = {e.hostname for e in site.endpoints if (AS_OF - e.last_seen).days > 60}
    assert twenty["first"].unreachable == unreachable
    for host, pc in states(twenty["twin"]).items():
        if host in unreachable:
            assert pc["module_calls"]["total"] == 0
            continue
        names = {p["display_name"] for p in pc["products"].values()}
        assert fleet.TREND_DISPLAY not in names
        assert fleet.LUNCH_TASK not in pc["scheduled_tasks"]
        if pc["role"] == "web_meeting_laptop":
            assert pc["defender"]["realtime_enabled"] is True
            assert "Example NGAV Agent" not in names
        else:
            assert "Example NGAV Agent" in names
            first_scan = "\\Cutover\\NGAV first full scan" in pc["scheduled_tasks"]
            assert first_scan == (pc["hardware"]["disks"][0]["media_type"] == "HDD")


NGAV_MODULES = ("cutover_ngav_facts", "ansible.windows.win_package", "community.windows.win_scheduled_task",
                "ansible.windows.win_regedit")


def ngav_calls(pc) -> int:
    return sum(pc["module_calls"]["by_module"].get(m, 0) for m in NGAV_MODULES)


def test_second_converge_changes_nothing_and_ngav_costs_at_most_three_calls(twenty):
    assert twenty["second"].changed == {}
    for host, pc in states(twenty["twin"]).items():
        assert twin_state.snapshot(pc) == twenty["after_first"][host]
        if pc["reachable"]:
            assert 1 <= ngav_calls(pc) - twenty["ngav_first"][host] <= 3


def test_facts_are_published_for_evidence(twenty, sample_inventory):
    facts_dir = twenty["root"] / "run" / "facts"
    for endpoint in sample_inventory.sites[SITE].endpoints:
        facts = read_facts(facts_dir, endpoint.hostname)
        if endpoint.hostname in twenty["first"].unreachable:
            assert facts is None
            continue
        checks = {c["id"]: c["status"] for c in facts["cutover_ngav"]["checks"]}
        assert checks["ngav.old_av_absent"] == "pass"
        assert set(checks.values()) == {"pass"}


def test_faults_give_the_right_outcome_and_never_stop_the_run(sample_inventory, tmp_path):
    site = sample_inventory.sites["pref-18-fukui"]
    hosts = [e.hostname for e in site.endpoints if (AS_OF - e.last_seen).days <= 60]
    installer, share = hosts[0], hosts[1]
    faults = {installer: {"installer_exit_code": 1603}, share: {"unreachable_share": True}}
    twin_dir = build(sample_inventory, site.id, tmp_path / "twin", faults)
    outcome = converge(site.id, twin_dir, tmp_path / "run")
    assert outcome.failed == {installer, share}
    others = set(hosts) - {installer, share}
    assert others <= outcome.ok and not (others & outcome.failed)
    facts = {h: read_facts(tmp_path / "run" / "facts", h)["cutover_ngav"] for h in (installer, share)}
    by_id = {h: {c["id"]: c["status"] for c in f["checks"]} for h, f in facts.items()}
    assert by_id[installer]["ngav.old_av_absent"] == "fail"  # the uninstaller returned 1603
    assert any(a["id"] == "ngav.remove_old_av_by_hand" for a in facts[installer]["actions"])
    pc = states(twin_dir)[share]
    assert "Example NGAV Agent" not in {p["display_name"] for p in pc["products"].values()}


def test_check_mode_changes_nothing(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, "pref-18-fukui", tmp_path / "twin")
    before = {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()}
    outcome = converge("pref-18-fukui", twin_dir, tmp_path / "run", check=True)
    assert outcome.changed  # check mode reports what would change
    assert {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()} == before

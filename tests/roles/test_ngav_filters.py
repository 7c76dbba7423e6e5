"""The ngav role's filters, called directly: what the role plans to change, and the fact it publishes.

The discovery results have the shape cutover_ngav_facts returns (see the twin module).
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

from cutover.evidence.facts import RoleFact

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "roles/ngav/filter_plugins/ngav.py"
spec = importlib.util.spec_from_file_location("ngav_filters", PLUGIN)
filters = importlib.util.module_from_spec(spec)
spec.loader.exec_module(filters)

ON, OFF = 0x61100, 0x60100  # Security Center productState: bits 12-15 are 1 (on) or 0 (off)
OLD_PRODUCT = {"product_id": "{A1B2C3D4-0000-1111-2222-333344445555}", "display_name": "Trend Micro Apex One"}
TASK = "\\Trend Micro\\Lunchtime scan"


def discovered(*, old=True, task=True, healthy=True, media="SSD", realtime=False, defender_state=OFF):
    return {
        "old_av": {"products": [OLD_PRODUCT] if old else [],
                   "services": {"ntrtscan": "running" if old else None, "tmlisten": None},
                   "tasks": [TASK] if task else []},
        "ngav": {"product": {"display_name": "Example NGAV Sensor"} if healthy else None,
                 "services": {"ngavsvc": "running" if healthy else "stopped"},
                 "security_center": {"display_name": "Example NGAV", "product_state": ON if healthy else OFF}},
        "defender": {"realtime_enabled": realtime,
                     "security_center": {"display_name": "Windows Defender", "product_state": defender_state}},
        "disk": {"media_type": media, "bus_type": "SATA"},
        "last_boot": "2026-11-20T08:30:00",
    }


def by_id(fact):
    assert RoleFact.model_validate(fact)  # every fact the role publishes is the collector's contract
    return {c["id"]: c for c in fact["checks"]}


# ---- the plan ------------------------------------------------------------------------------------------------


def test_plan_on_a_pc_with_the_old_antivirus():
    # Removed from the Apex One console (the default): nothing is uninstalled here and the NGAV waits for it.
    plan = filters.ngav_plan(discovered(healthy=False, media="HDD"))
    assert plan == {"remove_products": [], "remove_tasks": [TASK], "restart": False, "install": False,
                    "first_scan": False, "defender_on": False}
    # The uninstaller removes it in this run: the NGAV only after the restart the pilot wave allows ...
    auto = filters.ngav_plan(discovered(healthy=False, media="HDD"), removal="uninstaller", reboot_policy="auto")
    assert auto == {"remove_products": [OLD_PRODUCT["product_id"]], "remove_tasks": [TASK], "restart": True,
                    "install": True, "first_scan": True, "defender_on": False}
    # ... and not at all in this run when restarts are only reported.
    report = filters.ngav_plan(discovered(healthy=False, media="HDD"), removal="uninstaller")
    assert (report["remove_products"], report["restart"], report["install"], report["first_scan"]) == (
        [OLD_PRODUCT["product_id"]], False, False, False)


def test_plan_after_the_console_uninstall_waits_for_the_restart():
    state = discovered(old=False, healthy=False, media="HDD")
    state["old_av"]["services"]["tmlisten"] = "stopped"  # the services go only at the restart
    assert filters.ngav_plan(state)["install"] is False
    restarted = filters.ngav_plan(state, reboot_policy="auto")
    assert (restarted["restart"], restarted["install"], restarted["first_scan"]) == (True, True, True)
    gone = filters.ngav_plan(discovered(old=False, healthy=False, media="HDD"))
    assert (gone["restart"], gone["install"], gone["first_scan"]) == (False, True, True)


def test_plan_on_a_converged_pc_changes_nothing():
    plan = filters.ngav_plan(discovered(old=False, task=False, media="HDD"))
    assert plan == {"remove_products": [], "remove_tasks": [], "restart": False, "install": False,
                    "first_scan": False, "defender_on": False}


def test_plan_toggles_switch_each_change_off():
    plan = filters.ngav_plan(discovered(healthy=False, media="HDD"), removal="uninstaller", remove_old_av=False,
                             remove_old_scan_task=False, install=False, first_scan_on_hdd=True, reboot_policy="auto")
    assert plan == {"remove_products": [], "remove_tasks": [], "restart": False, "install": False,
                    "first_scan": False, "defender_on": False}
    gone = discovered(old=False, healthy=False, media="HDD")
    assert filters.ngav_plan(gone, first_scan_on_hdd=False)["first_scan"] is False
    assert filters.ngav_plan(discovered(old=False, healthy=False, media="SSD"))["first_scan"] is False


def test_plan_for_a_meeting_laptop_turns_defender_on_instead_of_installing():
    # While the old agent is registered Windows keeps Defender off: the policy only once it is gone.
    waiting = filters.ngav_plan(discovered(healthy=False), role="web_meeting_laptop")
    assert (waiting["install"], waiting["defender_on"]) == (False, False)
    plan = filters.ngav_plan(discovered(old=False, healthy=False), role="web_meeting_laptop")
    assert (plan["install"], plan["defender_on"]) == (False, True)
    on = filters.ngav_plan(discovered(old=False, healthy=False, realtime=True), role="web_meeting_laptop")
    assert on["defender_on"] is False
    legacy = filters.ngav_plan(discovered(old=False, healthy=False), role="web_meeting_laptop",
                               meeting_laptops_use_defender=False)
    assert (legacy["install"], legacy["defender_on"]) == (True, False)


@pytest.mark.parametrize(("change", "healthy"), [
    (lambda d: None, True),
    (lambda d: d["ngav"].update(product=None), False),
    (lambda d: d["ngav"]["services"].update(ngavsvc="stopped"), False),
    (lambda d: d["ngav"]["services"].update(second="running"), True),
    (lambda d: d["ngav"]["services"].update(second="paused"), False),
    (lambda d: d["ngav"].update(security_center=None), False),
    (lambda d: d["ngav"]["security_center"].update(product_state=OFF), False),
    (lambda d: d["ngav"]["security_center"].update(product_state=0x62100), False),  # snoozed (2), not on (1)
    (lambda d: d["ngav"]["security_center"].update(product_state=0x1000), True),
    (lambda d: d.pop("ngav"), False),
])
def test_healthy_needs_the_product_running_services_and_security_center_on(change, healthy):
    state = discovered()
    change(state)
    assert filters.healthy(state) is healthy


def test_task_name_and_folder():
    assert filters.ngav_task_name(TASK) == "Lunchtime scan"
    assert filters.ngav_task_folder(TASK) == "\\Trend Micro\\"
    assert filters.ngav_task_folder("\\A\\B\\C") == "\\A\\B\\"
    assert filters.FilterModule().filters() == {"ngav_plan": filters.ngav_plan, "ngav_fact": filters.ngav_fact,
                                                "ngav_task_name": filters.ngav_task_name,
                                                "ngav_task_folder": filters.ngav_task_folder,
                                                "ngav_next_window": filters.ngav_next_window}


# ---- the fact ------------------------------------------------------------------------------------------------


def test_fact_on_a_converged_pc_passes():
    fact = filters.ngav_fact(discovered(old=False, task=False), product="Example NGAV")
    assert fact["schema"] == 2 and fact["actions"] == []
    assert fact["collected_at"].endswith("Z") and len(fact["collected_at"]) == 20
    assert {k: (c["status"], c["message"]) for k, c in by_id(fact).items()} == {
        "ngav.old_av_absent": ("pass", "old antivirus not installed, no leftover services"),
        "ngav.old_scan_task_absent": ("pass", "no scheduled scan of the old antivirus"),
        "ngav.installed_healthy": ("pass", "Example NGAV installed, services running, registered on in Security "
                                           "Center"),
    }
    assert by_id(fact)["ngav.old_av_absent"]["data"] == {"products": [], "leftover_services": [],
                                                         "reboot_pending": []}
    assert by_id(fact)["ngav.old_scan_task_absent"]["data"] == {"scheduled_scan": {}, "tasks": []}
    healthy = by_id(fact)["ngav.installed_healthy"]["data"]
    assert healthy["product"] == {"display_name": "Example NGAV Sensor"} and healthy["services"] == {
        "ngavsvc": "running"} and healthy["disk"]["media_type"] == "SSD"
    assert healthy["security_center"]["product_state"] == ON and healthy["last_boot"] == "2026-11-20T08:30:00"


def test_fact_with_the_old_antivirus_left_fails_and_asks_for_its_removal():
    fact = filters.ngav_fact(discovered(healthy=False), product="Example NGAV")
    checks = by_id(fact)
    assert (checks["ngav.old_av_absent"]["status"], checks["ngav.old_av_absent"]["message"]) == (
        "fail", "old antivirus still installed: Trend Micro Apex One")
    assert checks["ngav.old_av_absent"]["data"] == {"products": ["Trend Micro Apex One"],
                                                    "leftover_services": ["ntrtscan"], "reboot_pending": []}
    assert (checks["ngav.old_scan_task_absent"]["status"], checks["ngav.old_scan_task_absent"]["message"]) == (
        "fail", f"old antivirus scan still scheduled: {TASK}")
    assert (checks["ngav.installed_healthy"]["status"], checks["ngav.installed_healthy"]["message"]) == (
        "pending", "Example NGAV is installed once the old antivirus is gone")
    [action] = fact["actions"]  # removed from the console by default
    assert action["id"] == "ngav.uninstall_from_console" and "Apex One" in action["message_en"]
    [by_hand] = filters.ngav_fact(discovered(healthy=False), removal="uninstaller")["actions"]
    assert by_hand["id"] == "ngav.remove_old_av_by_hand"
    assert "by hand" in by_hand["message_en"] and "手作業で削除" in by_hand["message_ja"]


def test_a_leftover_service_alone_waits_for_the_restart():
    state = discovered(old=False)  # the agent is uninstalled; ntrtscan is gone, tmlisten waits for the restart
    state["old_av"]["services"]["tmlisten"] = "stopped"
    fact = filters.ngav_fact(state)
    check = by_id(fact)["ngav.old_av_absent"]
    assert (check["status"], check["message"]) == (
        "pending", "old antivirus uninstalled; its services go at the next restart: tmlisten")
    assert [a["id"] for a in fact["actions"]] == ["ngav.restart_pc"]


def test_fact_for_a_meeting_laptop_checks_defender():
    off = by_id(filters.ngav_fact(discovered(old=False, task=False), role="web_meeting_laptop"))
    assert "ngav.installed_healthy" not in off
    assert (off["ngav.defender_realtime"]["status"], off["ngav.defender_realtime"]["message"]) == (
        "fail", "Windows Defender real-time protection off and no other antivirus")
    on = by_id(filters.ngav_fact(discovered(old=False, task=False, realtime=True), role="web_meeting_laptop"))
    assert (on["ngav.defender_realtime"]["status"], on["ngav.defender_realtime"]["message"]) == (
        "pass", "Windows Defender real-time protection on")
    assert on["ngav.defender_realtime"]["data"]["defender"]["realtime_enabled"] is True
    center = by_id(filters.ngav_fact(discovered(old=False, task=False, defender_state=ON), role="web_meeting_laptop"))
    assert center["ngav.defender_realtime"]["status"] == "pass"
    legacy = by_id(filters.ngav_fact(discovered(old=False, task=False), role="web_meeting_laptop",
                                     meeting_laptops_use_defender=False))
    assert "ngav.defender_realtime" not in legacy and legacy["ngav.installed_healthy"]["status"] == "pass"


@pytest.mark.parametrize("result", [None, {}, {"failed": True, "msg": "WinRM timed out"}, {"changed": False}])
def test_a_discovery_that_did_not_run_is_an_error_never_a_pass(result):
    fact = filters.ngav_fact(result)
    [check] = fact["checks"]
    expected = (result or {}).get("msg") or "discovery did not run"
    assert (check["id"], check["status"], check["message"]) == ("ngav.discovered", "error",
                                                                f"could not check: {expected}")
    assert fact["actions"] == [] and fact["schema"] == 2 and check["data"] == {}


def test_check_mode_says_nothing_was_changed():
    fact = filters.ngav_fact(discovered(healthy=False), check_mode=True)
    assert all(c["message"].endswith(" (check mode: nothing was changed)") for c in fact["checks"])
    assert not any("check mode" in c["message"] for c in filters.ngav_fact(discovered())["checks"])


def test_the_fact_does_not_change_its_input():
    state = discovered(healthy=False)
    before = copy.deepcopy(state)
    filters.ngav_fact(state)
    filters.ngav_plan(state)
    assert state == before


def test_defaults_and_edge_cases_of_the_fact():
    fact = filters.ngav_fact(discovered(old=False, task=False))
    assert by_id(fact)["ngav.installed_healthy"]["message"].startswith("NGAV installed, ")  # the default product name
    failed = filters.ngav_fact({**discovered(), "failed": True, "msg": "module crashed"})
    assert [c["status"] for c in failed["checks"]] == ["error"]
    assert set(failed) == {"schema", "area", "collected_at", "reboot_required", "checks", "actions", "state"}
    product_only = discovered(task=False)
    product_only["old_av"]["services"] = {"ntrtscan": None}
    check = by_id(filters.ngav_fact(product_only))["ngav.old_av_absent"]
    assert (check["status"], check["message"]) == ("fail", "old antivirus still installed: Trend Micro Apex One")
    tasks = by_id(filters.ngav_fact(discovered()))["ngav.old_scan_task_absent"]["data"]
    assert tasks == {"scheduled_scan": {}, "tasks": [TASK]}
    action = filters.ngav_fact(discovered(), removal="uninstaller")["actions"][0]
    assert action["message_en"] == ("The old antivirus could not be removed automatically: remove it by hand "
                                    "(uninstaller with the uninstall password) and restart the PC")
    assert action["message_ja"] == ("旧ウイルス対策ソフトを自動で削除できませんでした。アンインストール用パスワードを"
                                    "使って手作業で削除し、PCを再起動してください")
    checked = filters.ngav_fact(discovered(old=False, task=False), check_mode=True)
    assert by_id(checked)["ngav.old_av_absent"]["message"] == (
        "old antivirus not installed, no leftover services (check mode: nothing was changed)")
    assert filters._on({"display_name": "no state"}) is False and filters._on(None) is False


def test_collected_at_is_utc_whatever_the_local_zone(monkeypatch):
    import datetime as dt
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        stamp = filters.ngav_fact(discovered())["collected_at"]
    finally:
        monkeypatch.undo()
        time.tzset()
    moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 120


def test_an_install_or_uninstall_asking_for_a_restart_is_the_reboot_signal():
    state = discovered(old=False, task=False)
    assert filters.ngav_fact(state)["reboot_required"] is False
    asked = filters.ngav_fact(state, registered=[{"results": [{"changed": True, "rc": 3010, "reboot_required": True}]},
                                                 {"skipped": True}, {"skipped": True}])
    assert asked["reboot_required"] is True
    answered = filters.ngav_fact(state, registered=[{"results": [{"rc": 3010, "reboot_required": True}]},
                                                    {"changed": True, "rebooted": True}, {"skipped": True}])
    assert answered["reboot_required"] is False
    installer = filters.ngav_fact(state, registered=[{}, {}, {"changed": True, "rc": 3010, "reboot_required": True}])
    assert installer["reboot_required"] is True


def test_old_agent_services_waiting_for_a_restart_are_the_reboot_signal():
    state = discovered(old=False)
    state["old_av"]["services"]["tmlisten"] = "stopped"
    fact = filters.ngav_fact(state)
    assert by_id(fact)["ngav.old_av_absent"]["status"] == "pending" and fact["reboot_required"] is True
    assert "ngav.restart_pc" in [a["id"] for a in fact["actions"]]

"""The mail_client role's filters: targets, what differs (the write plan) and the cutover_mail fact."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cutover.evidence.facts import RoleFact

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "roles/mail_client/filter_plugins/mail_client.py"
spec = importlib.util.spec_from_file_location("mail_client_filters", PLUGIN)
filters = importlib.util.module_from_spec(spec)
spec.loader.exec_module(filters)

ACCOUNTS = [
    {"address": "A.Sato@fukui.union.example", "kind": "personal", "client": "outlook"},
    {"address": "b.ito@fukui.union.example", "kind": "personal", "client": "garoon+thunderbird"},
    {"address": "c.mori@fukui.union.example", "kind": "personal", "client": "garoon+outlook"},
    {"address": "info@fukui.union.example", "kind": "shared", "client": "outlook"},
    {"address": "d.kato@fukui.union.example", "kind": "personal", "client": "garoon"},
]
LOGGED_ON, AWAY, ENTRA = ("S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1002",
                          "S-1-12-1-1111111111-2222222222-3333333333-4444444444")
KEY = "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\9375CFF0413111d3B88A00104B2A6676\\00000002"
PROFILE = "C:\\Users\\b.ito\\AppData\\Roaming\\Thunderbird\\Profiles\\x.default-release"


def user(sid, hive="loaded", status="ok", appdata=None):
    return {"sid": sid, "profile_path": f"C:\\Users\\{sid[-4:]}", "hive_file": f"C:\\Users\\{sid[-4:]}\\NTUSER.DAT",
            "hive": hive, "status": status, "reason": None if status == "ok" else "could not load",
            "unload_error": None, "appdata": appdata or {"reachable": True, "path": "C:\\x", "reason": None}}


def account(sid, address, leave, version="16.0", key=KEY):
    return {"sid": sid, "version": version, "outlook_profile": "Outlook", "account_key": key[-8:], "key": key,
            "address": address, "email_kind": "Binary", "leave_on_server": leave, "leave_on_server_kind": "DWord"}


def discovered(users=(), outlook=(), thunderbird=(), running_outlook=(), running_thunderbird=()):
    return {"changed": False, "users": list(users), "outlook": list(outlook), "thunderbird": list(thunderbird),
            "running": {"outlook": list(running_outlook), "thunderbird": list(running_thunderbird), "error": None}}


def tb_profile(sid, address, pinned=None, exists=False):
    return {"sid": sid, "profile_dir": PROFILE, "user_js": f"{PROFILE}\\user.js", "user_js_exists": exists,
            "error": None, "servers": [{"server": "server1", "hostname": "pop.union.example", "addresses": [address],
                                        "prefs": {"leave_on_server": "true"}, "pinned": pinned or {}}]}


def loop(*results):
    return {"results": list(results), "changed": any(r.get("changed") for r in results)}


def test_only_personal_addresses_of_that_client_are_targets():
    assert filters.mail_client_targets(ACCOUNTS, "outlook") == ["a.sato@fukui.union.example",
                                                                "c.mori@fukui.union.example"]
    assert filters.mail_client_targets(ACCOUNTS, "thunderbird") == ["b.ito@fukui.union.example"]
    with pytest.raises(ValueError):
        filters.mail_client_targets(ACCOUNTS, "gmail")


@pytest.mark.parametrize(("raw", "days", "wanted"), [
    (None, 15, 0x000F0003), (0x1, 15, 0x000F0003), (0x000E0003, 15, 0x000F0003),
    (0x000E0007, 15, 0x000F0007),  # the user's "remove when deleted from Deleted Items" stays
    (0x1, 1, 0x00010003), (0x1, 999, 0x03E70003),
])
def test_leave_on_server_value(raw, days, wanted):
    assert filters.desired_leave_on_server(raw, days) == wanted


@pytest.mark.parametrize("days", [0, 1000, -1])
def test_days_out_of_range_are_refused(days):
    with pytest.raises(ValueError, match="days"):
        filters.desired_leave_on_server(1, days)


def test_plan_writes_through_hku_for_logged_on_users_and_with_hive_for_the_others():
    found = discovered(users=[user(LOGGED_ON), user(AWAY, hive="loaded_by_module"), user(ENTRA, hive="left_loaded")],
                       outlook=[account(LOGGED_ON, "a.sato@fukui.union.example", 0x000E0003),
                                account(AWAY, "a.sato@fukui.union.example", 0x1),
                                account(ENTRA, "c.mori@fukui.union.example", 0x4, version="15.0"),
                                account(LOGGED_ON, "info@fukui.union.example", 0x1)])
    plan = filters.mail_client_plan(found, ACCOUNTS, 15)
    by_sid = {item["sid"]: item for item in plan["outlook"]}
    assert set(by_sid) == {LOGGED_ON, AWAY, ENTRA}  # never the shared address
    assert by_sid[LOGGED_ON]["path"] == f"HKU:\\{LOGGED_ON}\\{KEY}" and "hive" not in by_sid[LOGGED_ON]
    assert by_sid[AWAY]["path"] == f"HKLM:\\ANSIBLE\\{KEY}"
    assert by_sid[AWAY]["hive"] == user(AWAY)["hive_file"]
    assert by_sid[ENTRA]["data"] == 0x000F0007 and by_sid[ENTRA]["version"] == "15.0"


def test_plan_leaves_compliant_running_and_unreadable_users_alone():
    found = discovered(users=[user(LOGGED_ON), user(AWAY, status="error")],
                       outlook=[account(LOGGED_ON, "a.sato@fukui.union.example", 0x000F0003),
                                account(LOGGED_ON, "c.mori@fukui.union.example", 0x1, key=KEY[:-1] + "3"),
                                account(AWAY, "a.sato@fukui.union.example", 0x1)],
                       running_outlook=[LOGGED_ON])
    assert filters.mail_client_plan(found, ACCOUNTS, 15) == {"outlook": [], "thunderbird": []}


def test_plan_pins_missing_thunderbird_prefs_in_user_js():
    pinned = {"leave_on_server": "true", "delete_by_age_from_server": "true", "num_days_to_leave_on_server": "7"}
    found = discovered(users=[user(LOGGED_ON)], thunderbird=[tb_profile(LOGGED_ON, "b.ito@fukui.union.example",
                                                                        pinned, exists=True)])
    plan = filters.mail_client_plan(found, ACCOUNTS, 15)["thunderbird"]
    assert [(i["line"], i["path"]) for i in plan] == [
        ('user_pref("mail.server.server1.num_days_to_leave_on_server", 15);', f"{PROFILE}\\user.js")]
    assert plan[0]["regexp"] == r'^\s*user_pref\(\s*"mail\.server\.server1\.num_days_to_leave_on_server"\s*,'


def test_fact_reports_written_pending_and_untouched_addresses():
    found = discovered(users=[user(LOGGED_ON), user(AWAY, hive="loaded_by_module")],
                       outlook=[account(AWAY, "a.sato@fukui.union.example", 0x000E0003),
                                account(LOGGED_ON, "c.mori@fukui.union.example", 0x1)],
                       running_outlook=[LOGGED_ON])
    plan = filters.mail_client_plan(found, ACCOUNTS, 15)
    written = loop({"item": plan["outlook"][0], "changed": True, "data_changed": True})
    fact = filters.mail_client_fact(ACCOUNTS, found, written, {}, 15)
    RoleFact.model_validate(fact)
    by_id = {f"{c['id']}.{c['item']}": c for c in fact["checks"]}
    assert [(c["id"], c["item"]) for c in fact["checks"]][:1] == [("mail.outlook", "a.sato@fukui.union.example")]
    sato = by_id["mail.outlook.a.sato@fukui.union.example"]
    assert sato["status"] == "pass" and sato["data"]["accounts"][0]["after"] == 0x000F0003
    assert "— set" in sato["message"]
    mori = by_id["mail.outlook.c.mori@fukui.union.example"]
    assert mori["status"] == "pending" and "Outlook is running" in mori["message"]
    assert "mail.outlook.info@fukui.union.example" not in by_id  # shared: never a target
    assert [a["id"] for a in fact["actions"] if a["id"].startswith("mail.outlook")] == ["mail.outlook.close_client"]


def test_a_failed_write_is_an_error_and_check_mode_is_not_compliant_yet():
    found = discovered(users=[user(AWAY, hive="loaded_by_module")],
                       outlook=[account(AWAY, "a.sato@fukui.union.example", 0x1)])
    item = filters.mail_client_plan(found, ACCOUNTS[:1], 15)["outlook"][0]
    failed = loop({"item": item, "failed": True, "changed": False,
                   "msg": "failed to load registry hive from 'C:\\Users\\1002\\NTUSER.DAT' to HKLM:\\ANSIBLE"})
    check = filters.mail_client_fact(ACCOUNTS[:1], found, failed, {}, 15)["checks"][0]
    assert check["status"] == "error" and "failed to load registry hive" in check["message"]
    would = loop({"item": item, "changed": True})
    check = filters.mail_client_fact(ACCOUNTS[:1], found, would, {}, 15, check_mode=True)["checks"][0]
    assert check["status"] == "fail" and "would be set" in check["message"]


def test_address_missing_from_the_pc_is_a_failure_with_an_action_unless_a_profile_was_unreadable():
    fact = filters.mail_client_fact(ACCOUNTS[:1], discovered(users=[user(LOGGED_ON)]), {}, {}, 15)
    assert fact["checks"][0]["status"] == "fail"
    assert fact["actions"][0]["id"] == "mail.outlook.not_found"
    fact = filters.mail_client_fact(ACCOUNTS[:1], discovered(users=[user(AWAY, status="error")]), {}, {}, 15)
    assert fact["checks"][0]["status"] == "error" and "could not load" in fact["checks"][0]["message"]


def test_unreachable_appdata_is_an_error_with_a_hands_on_action_never_a_pass():
    far = {"reachable": False, "path": "\\\\fs01\\redirect$\\b.ito\\AppData\\Roaming",
           "reason": "AppData is redirected to \\\\fs01\\redirect$\\b.ito\\AppData\\Roaming, a network path"}
    fact = filters.mail_client_fact(ACCOUNTS[1:2], discovered(users=[user(LOGGED_ON, appdata=far)]), {}, {}, 15)
    assert fact["checks"][0]["status"] == "error" and fact["checks"][0]["message"].startswith("not reachable")
    assert fact["actions"][0]["id"] == "mail.thunderbird.not_reachable"


def test_thunderbird_written_is_a_pass_and_running_thunderbird_is_noted_not_pending():
    found = discovered(users=[user(LOGGED_ON)], thunderbird=[tb_profile(LOGGED_ON, "b.ito@fukui.union.example")],
                       running_thunderbird=[LOGGED_ON])
    plan = filters.mail_client_plan(found, ACCOUNTS, 15)["thunderbird"]
    written = loop(*({"item": item, "changed": True, "msg": "line added"} for item in plan))
    check = filters.mail_client_fact(ACCOUNTS[1:2], found, {}, written, 15)["checks"][0]
    assert check["status"] == "pass" and "next starts" in check["message"]


def test_failed_or_missing_discovery_is_an_error_for_every_target_and_switched_off_clients_are_not_applicable():
    fact = filters.mail_client_fact(ACCOUNTS, {"failed": True, "msg": "boom"}, {}, {}, 15)
    assert {c["status"] for c in fact["checks"]} == {"error"} and len(fact["checks"]) == 3
    fact = filters.mail_client_fact(ACCOUNTS, discovered(users=[user(LOGGED_ON)]), {}, {}, 15, clients=["outlook"])
    assert {(c["id"], c["item"]): c["status"] for c in fact["checks"]}[
        ("mail.thunderbird", "b.ito@fukui.union.example")] == "not_applicable"


def test_a_hive_left_loaded_is_an_error_check_with_a_restart_action():
    stuck = user(AWAY, hive="loaded_by_module") | {"status": "error", "unload_error": "HKU\\cutover_x stays loaded"}
    fact = filters.mail_client_fact(ACCOUNTS[:1], discovered(users=[stuck]), {}, {}, 15)
    hive = {c["id"]: c for c in fact["checks"]}["mail.hive_unloaded"]
    assert (hive["status"], hive["item"]) == ("error", AWAY)
    assert "mail.hive_left_loaded" in [a["id"] for a in fact["actions"]]
    assert fact["reboot_required"] is True  # the role's one reboot signal: restart before the user logs on
    assert filters.mail_client_fact(ACCOUNTS[:1], discovered(users=[user(AWAY)]), {}, {}, 15)[
        "reboot_required"] is False

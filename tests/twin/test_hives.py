"""The twin's hive substrate refuses what Windows refuses, and win_regedit's ``hive:`` behaves as upstream."""

from __future__ import annotations

import pytest

from cutover.twin import hives
from cutover.twin import modules as twin_modules
from cutover.twin import state as twin_state

twin_modules.load_all()
SID = "S-1-12-1-1111111111-2222222222-3333333333-4444444444"  # an Entra ID user
FILE = "C:\\Users\\a.entra\\NTUSER.DAT"
OUTLOOK = "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\9375CFF0413111d3B88A00104B2A6676\\00000002"


def pc(logged_on: bool) -> dict:
    state = {"registry": {}, "users": [{"sid": SID, "profile_path": "C:\\Users\\a.entra", "logged_on": False}],
             "module_calls": {"total": 0, "by_module": {}}}
    hives.add_hive_file(state, FILE)
    hives.hive_set(state, FILE, OUTLOOK, "Leave on Server", "REG_DWORD", 0x000E0003)
    if logged_on:
        hives.log_on(state, SID, FILE)
    return state


def test_a_logged_on_users_hive_is_at_hku_sid_and_cannot_be_loaded_again():
    state = pc(logged_on=True)
    assert twin_state.reg_get(state, f"HKU\\{SID}\\{OUTLOOK}")["Leave on Server"]["data"] == 0x000E0003
    with pytest.raises(hives.HiveError) as error:
        hives.load(state, f"HKU\\cutover_{SID}", FILE, by="test")
    assert error.value.code == hives.IN_USE
    with pytest.raises(hives.HiveError, match="session uses it"):
        hives.unload(state, f"HKU\\{SID}")


def test_load_and_unload_round_trip_keeps_the_content_and_hides_it_when_unloaded():
    state = pc(logged_on=False)
    assert twin_state.reg_get(state, f"HKU\\{SID}\\{OUTLOOK}") is None  # not logged on: not under HKU
    hives.load(state, "HKU\\cutover_x", FILE, by="test")
    assert twin_state.reg_get(state, f"HKU\\cutover_x\\{OUTLOOK}")["Leave on Server"]["data"] == 0x000E0003
    twin_state.reg_set(state, f"HKU\\cutover_x\\{OUTLOOK}", "Leave on Server", "REG_DWORD", 0x000F0003)
    hives.unload(state, "HKU\\cutover_x")
    assert not any(k.startswith("HKU\\CUTOVER_X") for k in state["registry"])
    assert hives.hive_get(state, FILE, OUTLOOK)["Leave on Server"]["data"] == 0x000F0003


def test_unload_fails_while_a_key_is_open():
    state = pc(logged_on=False)
    hives.load(state, "HKU\\cutover_x", FILE, by="test")
    key = hives.open_key(state, f"HKU\\cutover_x\\{OUTLOOK}")
    with pytest.raises(hives.HiveError) as error:
        hives.unload(state, "HKU\\cutover_x")
    assert error.value.code == hives.ACCESS_DENIED
    key.close()
    hives.unload(state, "HKU\\cutover_x")
    assert hives.mounts(state) == {}


def test_missing_held_or_badly_placed_hives_do_not_load():
    state = pc(logged_on=False)
    with pytest.raises(hives.HiveError) as missing:
        hives.load(state, "HKU\\cutover_y", "C:\\Users\\nobody\\NTUSER.DAT", by="test")
    assert missing.value.code == hives.NOT_FOUND
    with pytest.raises(hives.HiveError, match="directly under HKLM or HKU"):
        hives.load(state, "HKLM\\SOFTWARE\\Deep", FILE, by="test")
    hives.hold(state, FILE)
    with pytest.raises(hives.HiveError) as held:
        hives.load(state, "HKU\\cutover_x", FILE, by="test")
    assert held.value.code == hives.IN_USE


def test_keys_cannot_be_created_under_hku_for_a_user_who_is_not_loaded():
    state = pc(logged_on=False)
    with pytest.raises(hives.HiveError, match="no hive is loaded"):
        hives.create_key(state, f"HKU\\{SID}\\Software\\X")


def _module(name, run, monkeypatch):
    monkeypatch.setitem(twin_modules.REGISTRY, name, twin_modules.TwinModule(name, {}, run))


def test_a_module_that_forgets_to_close_a_key_leaves_the_hive_loaded_and_fails(monkeypatch):
    def careless(state, p, check_mode, diff):  # the old Outlook module: loop variables still hold keys
        hives.load(state, f"HKU\\cutover_{SID}", FILE, by="careless")
        hives.open_key(state, f"HKU\\cutover_{SID}\\{OUTLOOK}")
        try:
            hives.unload(state, f"HKU\\cutover_{SID}")
        except hives.HiveError as exc:
            return {"warnings": [str(exc)]}
        return {}

    _module("careless", careless, monkeypatch)
    state = pc(logged_on=False)
    result = twin_modules.execute(state, "careless", {})
    assert result["failed"] is True and f"HKU\\CUTOVER_{SID}" in result["msg"]
    assert [leak["mount"] for leak in hives.leaks(state)] == [f"HKU\\CUTOVER_{SID}"]
    assert state["hives"]["open"] == []  # the process ended: its handles are gone, the hive is not
    with pytest.raises(hives.HiveError) as error:  # and nothing can load that user's hive any more
        hives.load(state, "HKLM\\ANSIBLE", FILE, by="later")
    assert error.value.code == hives.IN_USE


def test_a_careful_module_leaves_nothing_behind(monkeypatch):
    def careful(state, p, check_mode, diff):
        with hives.user_hive(state, SID, FILE, by="careful") as root, hives.open_key(state, f"{root}\\{OUTLOOK}") as k:
            return {"value": k.get("Leave on Server")["data"]}

    _module("careful", careful, monkeypatch)
    state = pc(logged_on=False)
    assert twin_modules.execute(state, "careful", {}) == {"value": 0x000E0003, "changed": False}
    assert hives.leaks(state) == [] and hives.mounts(state) == {}


def test_a_hive_another_process_keeps_open_is_recorded_but_not_blamed_on_the_module(monkeypatch):
    def reports(state, p, check_mode, diff):
        hives.load(state, f"HKU\\cutover_{SID}", FILE, by="reports")
        try:
            hives.unload(state, f"HKU\\cutover_{SID}")
        except hives.HiveError as exc:
            return {"unload_error": str(exc)}
        return {}

    _module("reports", reports, monkeypatch)
    state = pc(logged_on=False)
    state["hives"]["blocked_unload"].append(FILE.upper())
    result = twin_modules.execute(state, "reports", {})
    assert "failed" not in result and "another process" in result["unload_error"]
    assert hives.leaks(state)[0]["cause"] == "another process holds a key"


# ---- ansible.windows.win_regedit ------------------------------------------------------------------

def regedit(state, check=False, diff=False, **args):
    return twin_modules.execute(state, "ansible.windows.win_regedit",
                                args | {"_ansible_check_mode": check, "_ansible_diff": diff})


def test_win_regedit_hive_loads_under_hklm_ansible_changes_and_unloads():
    state = pc(logged_on=False)
    result = regedit(state, diff=True, path=f"HKLM:\\ANSIBLE\\{OUTLOOK}", name="Leave on Server", type="dword",
                     data=0x000F0003, hive=FILE)
    assert result["changed"] and result["data_changed"] and not result.get("failed")
    path = f"HKLM:\\ANSIBLE\\{OUTLOOK}"
    assert result["diff"] == {"before": {path: {"Leave on Server": {"type": "DWord", "value": "0x000e0003"}}},
                              "after": {path: {"Leave on Server": {"type": "DWord", "value": "0x000f0003"}}}}
    assert hives.mounts(state) == {} and hives.leaks(state) == []
    assert hives.hive_get(state, FILE, OUTLOOK)["Leave on Server"]["data"] == 0x000F0003
    again = regedit(state, path=path, name="Leave on Server", type="dword", data="0x000F0003", hive=FILE)
    assert again["changed"] is False


def test_win_regedit_hive_fails_when_the_user_is_logged_on():
    state = pc(logged_on=True)
    result = regedit(state, path=f"HKLM:\\ANSIBLE\\{OUTLOOK}", name="Leave on Server", type="dword", data=1, hive=FILE)
    assert result["failed"] and "failed to load registry hive from" in result["msg"]
    assert "Win32ErrorCode 32" in result["msg"]
    assert hives.hive_get(state, FILE, OUTLOOK)["Leave on Server"]["data"] == 0x000E0003


def test_win_regedit_through_hku_for_a_logged_on_user_and_not_for_a_logged_off_one():
    state = pc(logged_on=True)
    path = f"HKU:\\{SID}\\{OUTLOOK}"
    assert regedit(state, path=path, name="Leave on Server", type="dword", data=0x000F0003)["changed"]
    hives.log_off(state, SID)
    result = regedit(state, path=path, name="Leave on Server", type="dword", data=1)
    assert result["failed"] and "failed to create registry key" in result["msg"]
    assert hives.hive_get(state, FILE, OUTLOOK)["Leave on Server"]["data"] == 0x000F0003


def test_win_regedit_check_mode_changes_nothing_and_unloads():
    state = pc(logged_on=False)
    result = regedit(state, check=True, path=f"HKLM:\\ANSIBLE\\{OUTLOOK}", name="Leave on Server", type="dword",
                     data=0x000F0003, hive=FILE)
    assert result["changed"] and hives.mounts(state) == {}
    assert hives.hive_get(state, FILE, OUTLOOK)["Leave on Server"]["data"] == 0x000E0003


def test_win_regedit_unloads_a_leftover_hklm_ansible_with_a_warning_and_refuses_a_missing_hive():
    state = pc(logged_on=False)
    other = "C:\\Users\\Default\\NTUSER.DAT"
    hives.add_hive_file(state, other)
    hives.load(state, "HKLM\\ANSIBLE", other, by="an interrupted run")
    result = regedit(state, path=f"HKLM:\\ANSIBLE\\{OUTLOOK}", name="Leave on Server", type="dword", data=7,
                     hive=FILE)
    assert not result.get("failed") and "had to unload hive" in result["warnings"][0]
    assert hives.mounts(state) == {}
    missing = regedit(state, path="HKLM:\\ANSIBLE\\X", name="y", data="z", hive="C:\\Users\\gone\\NTUSER.DAT")
    assert missing["failed"] and "is not valid or accessible" in missing["msg"]
    bad = regedit(state, path="HKEY_LOCAL_MACHINE\\X", name="y", data="z")
    assert bad["failed"] and "not a valid powershell path" in bad["msg"]


def test_a_module_that_crashes_with_a_hive_loaded_still_leaves_it_recorded(monkeypatch):
    def crashes(state, p, check_mode, diff):  # a terminating error between load and unload
        hives.load(state, f"HKU\\cutover_{SID}", FILE, by="crashes")
        hives.open_key(state, f"HKU\\cutover_{SID}\\{OUTLOOK}")
        raise twin_modules.TwinError("terminating error")

    _module("crashes", crashes, monkeypatch)
    state = pc(logged_on=False)
    with pytest.raises(twin_modules.TwinError):
        twin_modules.execute(state, "crashes", {})
    assert state["hives"]["open"] == []
    assert [leak["mount"] for leak in hives.leaks(state)] == [f"HKU\\CUTOVER_{SID}"]

"""What is not verified: a setting the converge left "pending", a hive that cannot be read, a PC that does not answer.

None of them may pass: pending is a failure with its reason and a hands-on action; the others are
errors ("could not check").
"""

from __future__ import annotations

from cutover.evidence import collect
from cutover.twin import hives
from tests.verify.conftest import AS_OF, SITE, converge, edit
from tests.verify.test_sabotage import leave_on_server, outlook_account

OUTLOOK_PC, ADDRESS = "P18-NB-006", "k.watanabe@fukui.union.example"


def log_off(state):
    for user in state["users"]:
        hives.log_off(state, user["sid"])


def by_check(result, host):
    return {f.check: f for f in result.findings if f.host == host}


def test_outlook_running_leaves_the_setting_pending_and_pending_is_not_verified(
        fleet_copy, run_verify, sample_inventory, tmp_path):
    def outlook_open_with_the_old_value(state):
        leave_on_server(ADDRESS, 0x000E0003)(state)
        user = state["users"][0]
        if not user["logged_on"]:
            hives.log_on(state, user["sid"], hives.user_hive_file(user["profile_path"]))
        state["processes"] = [{"name": "OUTLOOK.EXE", "user_sid": user["sid"]}]

    edit(fleet_copy, OUTLOOK_PC, outlook_open_with_the_old_value)
    outcome = converge(fleet_copy, tmp_path / "run", limit=OUTLOOK_PC, tags="mail")
    assert outcome.failed == set()
    result = run_verify(fleet_copy)
    finding = by_check(result, OUTLOOK_PC)["mail.outlook_leave_on_server"]
    assert finding.status == "fail"
    assert "Outlook is running" in finding.message and "0x000E0003" in finding.message
    assert "pending is not verified" in finding.message
    assert "close Outlook" in finding.action_en and "Outlook を終了" in finding.action_ja

    [junit] = [p for p in result.files[SITE] if p.suffix == ".xml"]
    evidence = collect.collect_site(sample_inventory, sample_inventory.sites[SITE], collect.Sources(junit=(junit,)),
                                    AS_OF)
    [check] = [c for c in evidence.checks if c.host == OUTLOOK_PC and c.id.endswith("outlook_leave_on_server")]
    assert check.status == "fail"
    [action] = [a for a in evidence.actions if a.host == OUTLOOK_PC]
    assert "close Outlook" in action.message_en and action.message_ja


def test_an_unreadable_hive_is_an_error_not_a_pass(fleet_copy, run_verify):
    def locked(state):
        log_off(state)
        state["faults"]["locked_hive"] = True

    edit(fleet_copy, OUTLOOK_PC, locked)
    finding = by_check(run_verify(fleet_copy), OUTLOOK_PC)["mail.outlook_leave_on_server"]
    assert finding.status == "error"
    assert finding.message.startswith("could not check") and "unreadable" in finding.message


def test_a_hive_loaded_for_the_read_is_read(fleet_copy, run_verify):
    edit(fleet_copy, OUTLOOK_PC, log_off)
    assert by_check(run_verify(fleet_copy), OUTLOOK_PC)["mail.outlook_leave_on_server"].status == "pass"


def test_a_pc_that_does_not_answer_is_an_error_with_hands_on_work(fleet_copy, run_verify):
    edit(fleet_copy, "P18-DT-003", lambda s: s.update(reachable=False))
    result = run_verify(fleet_copy)
    assert by_check(result, "P18-DT-003").keys() == {"endpoint.reachable"}
    finding = by_check(result, "P18-DT-003")["endpoint.reachable"]
    assert finding.status == "error" and "last seen" in finding.message and finding.action_en
    assert not result.ok


def test_an_account_the_inventory_expects_but_the_pc_lacks_fails(fleet_copy, run_verify):
    def remove_account(state):
        values = outlook_account(state, ADDRESS)
        values["Email"] = {"type": "REG_SZ", "data": "someone.else@fukui.union.example"}

    edit(fleet_copy, OUTLOOK_PC, remove_account)
    finding = by_check(run_verify(fleet_copy), OUTLOOK_PC)["mail.outlook_leave_on_server"]
    assert finding.status == "fail" and "no Outlook POP account" in finding.message and finding.action_en


def test_the_remove_when_deleted_flag_is_the_users_choice(fleet_copy, run_verify):
    edit(fleet_copy, OUTLOOK_PC, leave_on_server(ADDRESS, 0x000F0007))
    assert by_check(run_verify(fleet_copy), OUTLOOK_PC)["mail.outlook_leave_on_server"].status == "pass"

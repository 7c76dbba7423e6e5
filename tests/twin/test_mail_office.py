"""mail_client and office_m365 on twin fleets: every profile, both value types, shared addresses untouched."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from cutover.evidence.collectors.ansible import read_facts
from cutover.runner import run_playbook
from cutover.twin import fleet
from cutover.twin import state as twin_state

AS_OF = dt.date(2026, 11, 24)
SITE = "pref-18-fukui"
OUTLOOK_PC, THUNDERBIRD_PC, RUNNING_PC = "P18-NB-006", "P18-NB-007", "P18-DT-008"
PERSONAL, SHARED = "k.watanabe@fukui.union.example", "info@fukui.union.example"
ACCOUNTS = "HKU\\{sid}\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\{profile}\\" \
           "9375CFF0413111d3B88A00104B2A6676\\{account}"


def utf16(text: str) -> list[int]:
    return list((text + "\0").encode("utf-16-le"))


def edit(twin_dir: Path, host: str, change) -> None:
    state = twin_state.load(twin_dir, host)
    change(state)
    twin_state.save(twin_dir, state)


def add_pop(state, sid, profile, account, email, leave, as_text=False):
    key = ACCOUNTS.format(sid=sid, profile=profile, account=account)
    twin_state.reg_set(state, key, "clsid", "REG_SZ", fleet.POP3_CLSID)
    twin_state.reg_set(state, key, "Email", "REG_SZ" if as_text else "REG_BINARY",
                       email if as_text else utf16(email))
    twin_state.reg_set(state, key, "Leave on Server", "REG_DWORD", leave)


def leave_on_server(state, sid, profile, account):
    values = twin_state.reg_get(state, ACCOUNTS.format(sid=sid, profile=profile, account=account))
    return values["Leave on Server"]["data"]


def converge(twin_dir: Path, out: Path):
    return run_playbook("endpoints.yml", "site_pref_18_fukui", out, twin_dir=twin_dir)


def test_mail_settings_across_profiles_types_and_clients(sample_inventory, tmp_path):
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, reuse=False)
    twin_dir = tmp_path / "twin" / SITE
    second_sid = "S-1-5-21-111111111-222222222-1099"

    def outlook_cases(state):
        first_sid = state["users"][0]["sid"]
        # The same personal address in a second, logged-off user's profile, stored as REG_SZ.
        state["users"].append({"sid": second_sid, "name": "user9", "profile_path": "C:\\Users\\user9",
                               "logged_on": False, "thunderbird_profiles": []})
        add_pop(state, second_sid, "Outlook", "00000009", PERSONAL.upper(), 0x1, as_text=True)
        # A shared address configured in Outlook: must stay untouched.
        add_pop(state, first_sid, "Outlook", "00000008", SHARED, 0x000E0003)
        # A second Outlook profile of the first user with another POP account nobody targets.
        add_pop(state, first_sid, "Work", "00000002", "someone.else@fukui.union.example", 0x1)

    def thunderbird_two_servers(state):
        prefs = state["users"][0]["thunderbird_profiles"][0]["prefs"]
        prefs.update({"mail.server.server9.type": "pop3", "mail.server.server9.userName": "club@other.example",
                      "mail.account.account9.server": "server9", "mail.server.server9.leave_on_server": "true"})

    def outlook_running(state):
        state["processes"].append({"name": "OUTLOOK.EXE", "user_sid": state["users"][0]["sid"]})

    edit(twin_dir, OUTLOOK_PC, outlook_cases)
    edit(twin_dir, THUNDERBIRD_PC, thunderbird_two_servers)
    edit(twin_dir, RUNNING_PC, outlook_running)
    first = converge(twin_dir, tmp_path / "run")
    assert not first.failed

    pc = twin_state.load(twin_dir, OUTLOOK_PC)
    first_sid = pc["users"][0]["sid"]
    target = 0x000F0003
    accounts = {k: v for k, v in pc["registry"].items() if "9375CFF0413111D3B88A00104B2A6676" in k}
    personal = [k for k, v in accounts.items()
                if k.endswith(("\\00000002", "\\00000009")) and "\\WORK\\" not in k]
    assert personal and all(accounts[k]["Leave on Server"]["data"] == target for k in personal)
    assert leave_on_server(pc, first_sid, "Outlook", "00000008") == 0x000E0003  # shared: untouched
    assert leave_on_server(pc, first_sid, "Work", "00000002") == 0x1  # not targeted: untouched

    tb = twin_state.load(twin_dir, THUNDERBIRD_PC)["users"][0]["thunderbird_profiles"][0]
    assert 'user_pref("mail.server.server1.num_days_to_leave_on_server", 15);' in tb["user_js"]
    assert not any("server9" in line for line in tb["user_js"])

    running = read_facts(tmp_path / "run" / "facts", RUNNING_PC)["cutover_mail"]["checks"]
    assert [c["status"] for c in running] == ["pending"]

    # Outlook closed: the next run applies it; a third run changes nothing.
    edit(twin_dir, RUNNING_PC, lambda state: state["processes"].clear())
    converge(twin_dir, tmp_path / "run")
    running = read_facts(tmp_path / "run" / "facts", RUNNING_PC)["cutover_mail"]["checks"]
    assert [c["status"] for c in running] == ["pass"]
    before = {h: twin_state.snapshot(json.loads(p.read_text())) for h, p in
              ((p.stem, p) for p in twin_dir.glob("*.json"))}
    third = converge(twin_dir, tmp_path / "run")
    assert third.changed == {}
    after = {p.stem: twin_state.snapshot(json.loads(p.read_text())) for p in twin_dir.glob("*.json")}
    assert after == before


def test_locked_hive_is_an_error_not_a_pass(sample_inventory, tmp_path):
    faults = {OUTLOOK_PC: {"locked_hive": True}}
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, faults, reuse=False)
    twin_dir = tmp_path / "twin" / SITE
    edit(twin_dir, OUTLOOK_PC, lambda state: state["users"][0].update(logged_on=False))
    converge(twin_dir, tmp_path / "run")
    checks = read_facts(tmp_path / "run" / "facts", OUTLOOK_PC)["cutover_mail"]["checks"]
    assert [c["status"] for c in checks] == ["error"]
    assert "could not load" in checks[0]["message"]


def test_office_variants_are_classified_on_the_pcs(sample_inventory, tmp_path):
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, reuse=False)
    converge(tmp_path / "twin" / SITE, tmp_path / "run")
    seen = {}
    for endpoint in sample_inventory.sites[SITE].endpoints:
        facts = read_facts(tmp_path / "run" / "facts", endpoint.hostname)
        if facts and "cutover_office" in facts:
            check = facts["cutover_office"]["checks"][0]
            seen[check["data"]["product"]] = check["status"]
    assert seen.get("Office 2019") == "fail" or seen.get("Office LTSC 2021") == "fail"
    assert seen.get("Microsoft 365 Apps") == "pass"
    assert all(status in ("pass", "fail") for status in seen.values())

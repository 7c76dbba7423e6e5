"""mail_client and office_m365 on twin fleets, judged on raw twin state (hives, files), never on the role's word.

The scenarios carry what real PCs carry: Microsoft Entra ID users (S-1-12-1-...), Outlook 2013
(15.0) beside 2016+ (16.0) profiles, users who are not logged on (their NTUSER.DAT must be loaded
and unloaded), Outlook running, AppData redirected to a file server, and hives another process holds.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cutover.evidence.collectors.ansible import read_facts
from cutover.evidence.facts import RoleFact
from cutover.runner import run_playbook
from cutover.twin import fleet, hives
from cutover.twin import state as twin_state

AS_OF = dt.date(2026, 11, 24)
SITE = "pref-18-fukui"
OUTLOOK_PC, THUNDERBIRD_PC, RUNNING_PC, TWO_TB_PC = "P18-NB-006", "P18-NB-007", "P18-DT-008", "P18-NB-005"
PERSONAL, SHARED, OTHER = "k.watanabe@fukui.union.example", "info@fukui.union.example", "x.other@fukui.union.example"
TB_PERSONAL = "m.matsumoto@fukui.union.example"
ENTRA_SID = "S-1-12-1-2611111111-1222222222-3233333333-4244444444"
AD_SID = "S-1-5-21-111111111-222222222-333333333-1099"
OUTLOOK_KEY = "Software\\Microsoft\\Office\\{version}\\Outlook\\Profiles\\{profile}\\" \
              "9375CFF0413111d3B88A00104B2A6676\\{account}"
TARGET = 0x000F0003  # leave a copy (0x1) + remove after (0x2) + 15 days in the high word
MAIL_MODULES = ("cutover_mail_facts", "ansible.windows.win_regedit", "community.windows.win_lineinfile")


def utf16(text: str) -> list[int]:
    return list((text + "\0").encode("utf-16-le"))


def edit(twin_dir: Path, host: str, change) -> None:
    state = twin_state.load(twin_dir, host)
    change(state)
    twin_state.save(twin_dir, state)


def add_user(state, sid: str, name: str, logged_on: bool = False) -> str:
    profile = f"C:\\Users\\{name}"
    state["users"].append({"sid": sid, "name": name, "profile_path": profile, "logged_on": False, "entra": False,
                           "appdata": f"{profile}\\AppData\\Roaming"})
    twin_state.reg_set(state, f"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\{sid}",
                       "ProfileImagePath", "REG_EXPAND_SZ", profile)
    hive = hives.user_hive_file(profile)
    hives.add_hive_file(state, hive)
    if logged_on:
        hives.log_on(state, sid, hive)
    return hive


def add_pop(state, hive, version, profile, account, email, leave, as_text=False):
    key = OUTLOOK_KEY.format(version=version, profile=profile, account=account)
    hives.hive_set(state, hive, key, "clsid", "REG_SZ", fleet.POP3_CLSID)
    hives.hive_set(state, hive, key, "Email", "REG_SZ" if as_text else "REG_BINARY", email if as_text else utf16(email))
    hives.hive_set(state, hive, key, "Leave on Server", "REG_DWORD", leave)


def leave_on_server(state, hive, version, profile, account):
    return hives.hive_get(state, hive, OUTLOOK_KEY.format(version=version, profile=profile, account=account))[
        "Leave on Server"]["data"]


def first_hive(state) -> str:
    return hives.user_hive_file(state["users"][0]["profile_path"])


def converge(twin_dir: Path, out: Path, check: bool = False):
    return run_playbook("endpoints.yml", "site_pref_18_fukui", out, twin_dir=twin_dir, check=check)


def states(twin_dir: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(twin_dir.glob("*.json"))}


def mail_calls(pc) -> int:
    return sum(pc["module_calls"]["by_module"].get(m, 0) for m in MAIL_MODULES)


def checks(out: Path, host: str) -> dict[str, dict]:
    """The PC's mail checks by '<id>.<address>' (the address is each check's item; the fact is the typed contract)."""
    fact = RoleFact.model_validate(read_facts(out / "facts", host)["cutover_mail"])
    return {f"{c.id}.{c.item}" if c.item else c.id: c.model_dump() for c in fact.checks}


@pytest.fixture(scope="module")
def mail_site(tmp_path_factory, sample_inventory):
    """Site 18 with hard cases added, converged: check mode, first run, Outlook closed, third run."""
    root = tmp_path_factory.mktemp("mail")
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], root / "twin", AS_OF, reuse=False)
    twin_dir = root / "twin" / SITE

    def outlook_cases(state):
        hive = first_hive(state)
        # An Entra ID user who is not logged on reads the same personal address, stored as REG_SZ.
        entra = add_user(state, ENTRA_SID, "k.watanabe.entra")
        add_pop(state, entra, "16.0", "Outlook", "00000009", PERSONAL.upper(), 0x1 | 0x4, as_text=True)
        # An AD user with Outlook 2013: the account lives under 15.0.
        old = add_user(state, AD_SID, "k.watanabe.2013", logged_on=True)
        add_pop(state, old, "15.0", "Outlook", "00000003", PERSONAL, 0x000E0003)
        # A shared address and an address nobody targets: both must stay untouched.
        add_pop(state, hive, "16.0", "Outlook", "00000008", SHARED, 0x000E0003)
        add_pop(state, hive, "16.0", "Work", "00000002", OTHER, 0x1)

    def thunderbird_redirected(state):  # AppData on the file server; a stale local copy remains
        user = state["users"][0]
        unc = f"\\\\dc-fs01\\redirect$\\{user['name']}\\AppData\\Roaming"
        hives.hive_set(state, first_hive(state), "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\"
                       "User Shell Folders", "AppData", "REG_EXPAND_SZ", unc)
        state["files"] = {k.replace(f"{user['profile_path']}\\AppData\\Roaming", unc) if "Thunderbird" in k else k: v
                          for k, v in state["files"].items()}
        fleet._thunderbird(state, f"{user['profile_path']}\\AppData\\Roaming", [TB_PERSONAL], stale=True)

    def two_thunderbird_servers(state):
        user = state["users"][0]
        prefs = next(k for k in state["files"] if k.endswith("prefs.js") and user["profile_path"] in k)
        state["files"][prefs]["content"] += ('user_pref("mail.server.server9.type", "pop3");\n'
                                          'user_pref("mail.server.server9.userName", "club@other.example");\n'
                                          'user_pref("mail.account.account9.server", "server9");\n')

    def outlook_running(state):
        user = state["users"][0]
        if not user["logged_on"]:
            hives.log_on(state, user["sid"], first_hive(state))
        state["processes"].append({"name": "OUTLOOK.EXE", "user_sid": user["sid"]})

    edit(twin_dir, OUTLOOK_PC, outlook_cases)
    edit(twin_dir, THUNDERBIRD_PC, thunderbird_redirected)
    edit(twin_dir, TWO_TB_PC, two_thunderbird_servers)
    edit(twin_dir, RUNNING_PC, outlook_running)
    initial = states(twin_dir)
    check = converge(twin_dir, root / "check", check=True)
    after_check = states(twin_dir)
    first = converge(twin_dir, root / "first")
    after_first = states(twin_dir)
    edit(twin_dir, RUNNING_PC, lambda state: state["processes"].clear())
    second = converge(twin_dir, root / "second")
    after_second = states(twin_dir)
    third = converge(twin_dir, root / "third")
    return {"root": root, "twin": twin_dir, "initial": initial, "check": check, "after_check": after_check,
            "first": first, "after_first": after_first, "second": second, "after_second": after_second,
            "third": third, "after_third": states(twin_dir)}


def test_every_targeted_outlook_account_is_set_incl_entra_users_and_outlook_2013(mail_site):
    pc = mail_site["after_first"][OUTLOOK_PC]
    hive = first_hive(pc)
    assert leave_on_server(pc, hive, "16.0", "Outlook", "00000002") == TARGET  # the fleet's own account
    entra = hives.user_hive_file("C:\\Users\\k.watanabe.entra")
    assert leave_on_server(pc, entra, "16.0", "Outlook", "00000009") == TARGET | 0x4  # Entra user; 0x4 kept
    old = hives.user_hive_file("C:\\Users\\k.watanabe.2013")
    assert leave_on_server(pc, old, "15.0", "Outlook", "00000003") == TARGET  # Outlook 2013 profile
    assert leave_on_server(pc, hive, "16.0", "Outlook", "00000008") == 0x000E0003  # shared: untouched
    assert leave_on_server(pc, hive, "16.0", "Work", "00000002") == 0x1  # not targeted: untouched
    check = checks(mail_site["root"] / "first", OUTLOOK_PC)[f"mail.outlook.{PERSONAL}"]
    assert check["status"] == "pass"
    assert {(a["sid"], a["version"]) for a in check["data"]["accounts"]} >= {(ENTRA_SID, "16.0"), (AD_SID, "15.0")}


def test_no_hive_is_left_loaded_and_logged_on_users_are_written_through_hku(mail_site):
    for host, pc in mail_site["after_first"].items():
        assert hives.leaks(pc) == [], host
        assert {m: i["by"] for m, i in hives.mounts(pc).items() if i["by"] != hives.SESSION} == {}, host
    pc = mail_site["after_first"][OUTLOOK_PC]
    assert f"HKU\\{AD_SID}" in hives.mounts(pc)  # the logged-on user stays logged on, never loaded twice
    # win_regedit: one call per differing account (logged-on users through HKU:\<SID>, others with hive:)
    regedit = "ansible.windows.win_regedit"
    # fileshare_client sets CloudKerberosTicketRetrievalEnabled with win_regedit too, where it was not set
    fileshare = read_facts(mail_site["root"] / "first" / "facts", OUTLOOK_PC)["cutover_fileshare"]
    ticket = next(c for c in fileshare["checks"] if c["id"] == "fileshare.ticket_retrieval")
    assert pc["module_calls"]["by_module"][regedit] - mail_site["after_check"][OUTLOOK_PC]["module_calls"][
        "by_module"][regedit] == 3 + int(ticket["data"]["changed"])


def test_thunderbird_prefs_are_pinned_in_user_js_for_the_targeted_server_only(mail_site):
    pc = mail_site["after_first"][TWO_TB_PC]
    user_js = next(v["content"] for k, v in pc["files"].items() if k.endswith("user.js"))
    lines = user_js.splitlines()
    assert 'user_pref("mail.server.server1.leave_on_server", true);' in lines
    assert 'user_pref("mail.server.server1.delete_by_age_from_server", true);' in lines
    assert 'user_pref("mail.server.server1.num_days_to_leave_on_server", 15);' in lines
    assert not any("server9" in line for line in lines)
    assert checks(mail_site["root"] / "first", TWO_TB_PC)["mail.thunderbird.m.ito@fukui.union.example"][
        "status"] == "pass"


def test_redirected_appdata_on_a_file_server_is_not_reachable_never_done(mail_site):
    pc = mail_site["after_first"][THUNDERBIRD_PC]
    assert not any(k.endswith("user.js") for k in pc["files"])  # neither the share nor the stale local copy
    check = checks(mail_site["root"] / "first", THUNDERBIRD_PC)[f"mail.thunderbird.{TB_PERSONAL}"]
    assert check["status"] == "error" and check["message"].startswith("not reachable")
    assert "\\\\dc-fs01\\redirect$" in check["message"]
    actions = read_facts(mail_site["root"] / "first" / "facts", THUNDERBIRD_PC)["cutover_mail"]["actions"]
    assert [a["id"] for a in actions] == ["mail.thunderbird.not_reachable"]


def test_outlook_running_is_pending_with_an_action_then_applied_once_closed(mail_site):
    first = mail_site["after_first"][RUNNING_PC]
    assert leave_on_server(first, first_hive(first), "16.0", "Outlook", "00000002") != TARGET
    fact = read_facts(mail_site["root"] / "first" / "facts", RUNNING_PC)["cutover_mail"]
    assert [c["status"] for c in fact["checks"]] == ["pending"]
    assert [a["id"] for a in fact["actions"]] == ["mail.outlook.close_client"]
    second = mail_site["after_second"][RUNNING_PC]
    assert leave_on_server(second, first_hive(second), "16.0", "Outlook", "00000002") == TARGET
    assert [c["status"] for c in checks(mail_site["root"] / "second", RUNNING_PC).values()] == ["pass"]


def test_check_mode_changes_nothing_and_reports_would_be_set(mail_site):
    strip = twin_state.snapshot
    assert {h: strip(s) for h, s in mail_site["after_check"].items()} == \
           {h: strip(s) for h, s in mail_site["initial"].items()}
    check = checks(mail_site["root"] / "check", OUTLOOK_PC)[f"mail.outlook.{PERSONAL}"]
    assert check["status"] == "fail" and "would be set" in check["message"]
    tb = checks(mail_site["root"] / "check", TWO_TB_PC)["mail.thunderbird.m.ito@fukui.union.example"]
    assert tb["status"] == "fail"


def test_a_compliant_pc_costs_one_discovery_call_and_the_third_run_changes_nothing(mail_site, sample_inventory):
    assert mail_site["third"].changed == {}
    assert {h: twin_state.snapshot(s) for h, s in mail_site["after_third"].items()} == \
           {h: twin_state.snapshot(s) for h, s in mail_site["after_second"].items()}
    site = sample_inventory.sites[SITE]
    for host, pc in mail_site["after_third"].items():
        calls = mail_calls(pc) - mail_calls(mail_site["after_second"][host])
        targeted = any(host in m.endpoints and m.kind == "personal" and (m.uses_outlook or m.uses_thunderbird)
                       for m in site.mail)
        assert calls == (1 if targeted and pc["reachable"] else 0), host


def test_a_locked_hive_is_an_error_not_a_pass(sample_inventory, tmp_path):
    faults = {OUTLOOK_PC: {"locked_hive": True}}
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, faults, reuse=False)
    twin_dir = tmp_path / "twin" / SITE
    edit(twin_dir, OUTLOOK_PC, lambda state: hives.log_off(state, state["users"][0]["sid"]))
    converge(twin_dir, tmp_path / "run")
    found = checks(tmp_path / "run", OUTLOOK_PC)
    assert [c["status"] for c in found.values()] == ["error"]
    assert "could not load" in found[f"mail.outlook.{PERSONAL}"]["message"]
    assert "Win32 error 32" in found[f"mail.outlook.{PERSONAL}"]["message"]


def test_a_hive_another_process_keeps_loaded_is_reported_and_unloaded_by_the_next_run(sample_inventory, tmp_path):
    faults = {OUTLOOK_PC: {"hive_unload_blocked": True}}
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, faults, reuse=False)
    twin_dir = tmp_path / "twin" / SITE
    edit(twin_dir, OUTLOOK_PC, lambda state: hives.log_off(state, state["users"][0]["sid"]))
    outcome = converge(twin_dir, tmp_path / "run")
    assert OUTLOOK_PC not in outcome.failed
    pc = twin_state.load(twin_dir, OUTLOOK_PC)
    assert [leak["cause"] for leak in hives.leaks(pc)] == ["another process holds a key"]
    found = checks(tmp_path / "run", OUTLOOK_PC)
    [hive] = [c for c in found.values() if c["id"] == "mail.hive_unloaded"]
    assert hive["status"] == "error" and hive["item"] == hive["data"]["sid"]
    assert found[f"mail.outlook.{PERSONAL}"]["status"] != "pass"  # the hive is in use: not written
    facts = read_facts(tmp_path / "run" / "facts", OUTLOOK_PC)["cutover_mail"]
    assert "mail.hive_left_loaded" in [a["id"] for a in facts["actions"]]
    assert facts["reboot_required"] is True  # restart before that user logs on
    edit(twin_dir, OUTLOOK_PC, lambda state: state["faults"].update(hive_unload_blocked=False))
    converge(twin_dir, tmp_path / "run")  # reads the leftover HKU\cutover_<SID>, unloads it, then writes
    converge(twin_dir, tmp_path / "run")
    pc = twin_state.load(twin_dir, OUTLOOK_PC)
    assert [m for m, i in hives.mounts(pc).items() if i["by"] != hives.SESSION] == []
    assert leave_on_server(pc, first_hive(pc), "16.0", "Outlook", "00000002") == TARGET
    assert checks(tmp_path / "run", OUTLOOK_PC)[f"mail.outlook.{PERSONAL}"]["status"] == "pass"


def office_checks(out: Path, host: str) -> dict[str, dict]:
    return {c["id"]: c for c in (read_facts(out / "facts", host) or {}).get("cutover_office", {}).get("checks", [])}


def test_every_microsoft_365_pc_with_click_to_run_helper_msis_is_supported(sample_inventory, tmp_path):
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, reuse=False)
    twin_dir = tmp_path / "twin" / SITE
    run_playbook("endpoints.yml", "site_pref_18_fukui", tmp_path / "run", twin_dir=twin_dir, tags="office")
    seen, m365 = {}, 0
    for host, pc in states(twin_dir).items():
        if not pc["reachable"]:
            continue
        found = office_checks(tmp_path / "run", host)
        assert pc["module_calls"]["by_module"] == {"cutover_office_facts": 1}, host  # one read-only call
        support = found["office.support"]
        seen[support["data"]["product"]] = support["status"]
        ids = (pc["registry"].get(fleet_c2r()) or {}).get("ProductReleaseIds", {}).get("data", "")
        if ids.startswith("O365"):
            m365 += 1
            helpers = [k for k in pc["registry"] if k.endswith(("008C-0000-1000-0000000FF1CE}",
                                                                "007E-0000-1000-0000000FF1CE}",
                                                                "008F-0000-1000-0000000FF1CE}"))]
            assert len(helpers) >= 2, host  # the fleet carries what real Click-to-Run PCs carry
            assert (support["data"]["product"], support["status"]) == ("Microsoft 365 Apps", "pass"), host
            assert support["data"]["ignored_msi_components"], host
        if "VisioProRetail" in ids:
            assert found["office.visio"]["status"] == "manual", host  # check the licence, never "replace Office"
    assert m365 >= 2
    assert seen.get("Office 2019") == "fail" or seen.get("Office LTSC 2021") == "fail"
    assert all(status in ("pass", "fail") for status in seen.values())


def fleet_c2r() -> str:
    return "HKLM\\SOFTWARE\\MICROSOFT\\OFFICE\\CLICKTORUN\\CONFIGURATION"


def test_odt_waits_for_closed_office_apps_installs_from_the_distribution_point_and_changes_only_after_success(
        sample_inventory, tmp_path):
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, reuse=False)
    twin_dir = tmp_path / "twin" / SITE
    pc_states = states(twin_dir)
    host = next(h for h, pc in pc_states.items() if pc["reachable"])
    setup = "\\\\dist.union.example\\office\\odt\\setup.exe"

    def outlook_open(state):
        twin_state.reg_set(state, fleet_c2r(), "ProductReleaseIds", "REG_SZ", "HomeBusiness2019Retail")
        state["distribution"][setup] = {"odt": True}
        state["processes"].append({"name": "OUTLOOK.EXE", "user_sid": "S-1-5-21-1-2-3-1001"})
        state["faults"]["installer_exit_code"] = 17002

    edit(twin_dir, host, outlook_open)
    deploy = {"office_m365_deploy": True, "office_m365_deploy_apply": True}

    def run(name):
        run_playbook("endpoints.yml", host, tmp_path / name, twin_dir=twin_dir, tags="office", extravars=deploy)
        return office_checks(tmp_path / name, host), twin_state.load(twin_dir, host)

    found, pc = run("open")
    assert found["office.deploy"]["status"] == "pending" and "OUTLOOK.EXE" in found["office.deploy"]["message"]
    assert "O365BusinessRetail" not in pc["registry"][fleet_c2r()]["ProductReleaseIds"]["data"]
    edit(twin_dir, host, lambda state: state["processes"].clear())
    found, pc = run("failing")  # setup.exe exits 17002: an error, and nothing says it changed
    assert found["office.deploy"]["status"] == "error" and "17002" in found["office.deploy"]["message"]
    assert found["office.support"]["status"] == "fail"
    edit(twin_dir, host, lambda state: state["faults"].update(installer_exit_code=None))
    found, pc = run("done")
    assert found["office.deploy"]["status"] == "pass"
    assert found["office.support"]["data"]["product"] == "Microsoft 365 Apps"  # read again from the PC
    config = next(v["content"] for k, v in pc["files"].items() if k.endswith("configuration.xml"))
    assert 'SourcePath="\\\\dist.union.example\\office\\m365"' in config
    assert '<Product ID="HomeBusiness2019Retail" />' in config  # only the suite found is removed


def test_a_deployment_without_a_source_path_is_refused_before_any_pc_is_touched(sample_inventory, tmp_path):
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", AS_OF, reuse=False)
    twin_dir = tmp_path / "twin" / SITE
    before = {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()}
    outcome = run_playbook("endpoints.yml", "site_pref_18_fukui", tmp_path / "run", twin_dir=twin_dir, tags="office",
                           extravars={"office_m365_deploy": True, "office_m365_deploy_apply": True,
                                      "office_m365_source_path": ""})
    assert outcome.failed  # the assert task stops the role on every PC that would deploy
    after = {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()}
    changed = {h for h in before if {k: v for k, v in after[h].items() if k != "hives"}
               != {k: v for k, v in before[h].items() if k != "hives"}}
    assert changed == set()


def test_the_fleet_carries_what_real_pcs_carry(sample_inventory):
    """Entra users, Outlook 2013 beside 2016+, redirected AppData, Click-to-Run helper MSIs, Visio/Project."""
    seen: dict[str, int] = {}

    def count(name, flag=True):
        seen[name] = seen.get(name, 0) + bool(flag)

    for site_id in ("pref-18-fukui", "pref-02-aomori", "pref-13-tokyo"):
        site = sample_inventory.sites[site_id]
        for endpoint in site.endpoints:
            pc = fleet.build_pc(endpoint, site, AS_OF)
            count("pcs")
            users = pc["users"]
            count("entra users", any(u["sid"].startswith("S-1-12-1-") for u in users))
            count("ad users", any(u["sid"].startswith("S-1-5-21-") for u in users))
            count("entra pc with ad user", not pc["entra_join"]["domain_joined"]
                  and any(u["sid"].startswith("S-1-5-21-") for u in users))
            count("redirected appdata", any(u["appdata"].startswith("\\\\") for u in users))
            keys = [k for f in pc["hives"]["files"].values() for k in f] + list(pc["registry"])
            count("outlook 15.0", any("\\15.0\\OUTLOOK\\PROFILES\\" in k.upper() for k in keys))
            count("outlook 16.0", any("\\16.0\\OUTLOOK\\PROFILES\\" in k.upper() for k in keys))
            c2r = pc["registry"].get(fleet_c2r())
            if c2r:
                count("click-to-run")
                helpers = [k for k in pc["registry"] if "-008C-0000-1000-0000000FF1CE}" in k]
                count("click-to-run with helper msis", helpers)
                count("visio or project", "Visio" in c2r["ProductReleaseIds"]["data"]
                      or "Project" in c2r["ProductReleaseIds"]["data"])
            count("msi office 2013", any("{90150000-0011-" in k for k in pc["registry"]))
    assert seen["click-to-run with helper msis"] == seen["click-to-run"] > 0
    assert seen["entra pc with ad user"] == 0
    for what in ("entra users", "ad users", "redirected appdata", "outlook 15.0", "outlook 16.0", "visio or project",
                 "msi office 2013"):
        assert seen[what] > 0, what

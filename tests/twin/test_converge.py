"""The endpoint roles converging twin fleets through ansible-runner, exactly as on real PCs.

The twin refuses what Windows refuses: the old agent asks for its uninstall password, its services
go only at a restart, a share cannot be read from a PSRP session (second hop), Task Scheduler starts
nothing on battery unless told to, a one-off trigger in the past never fires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

from cutover.evidence.collectors.ansible import ENDPOINT_AREAS, read_facts
from cutover.evidence.facts import FACT_PREFIX, RoleFact
from cutover.runner import run_playbook
from cutover.twin import fleet, session
from cutover.twin import modules as twin_modules
from cutover.twin import state as twin_state
from cutover.twin.modules import windows

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 24)
SITE = "pref-29-nara"  # a 20-PC prefecture of the sample organisation (wave 3)
PILOT = "pref-18-fukui"  # wave 0: reboot policy 'auto' in inventories/group_vars/wave_0.yml
NGAV_MODULES = ("cutover_ngav_facts", "ansible.windows.win_package", "community.windows.win_scheduled_task",
                "ansible.windows.win_regedit", "ansible.windows.win_reboot")
MAPPING_TASK = "\\Cutover\\cutover drive mapping"
FIRST_SCAN = "\\Cutover\\NGAV first full scan"
CONFIG = "C:\\ProgramData\\cutover\\drive-map.json"


def build(inventory, site_id, out: Path, faults=None, console_uninstall=True, clock: dt.datetime | None = None
          ) -> Path:
    fleet.build_site(inventory, inventory.sites[site_id], out, AS_OF, faults, reuse=False)
    if console_uninstall:
        fleet.console_uninstall_site(out / site_id)
    if clock is not None:  # the PCs' own clocks (as-of for what they do; reachability stays as of AS_OF)
        for path in (out / site_id).glob("*.json"):
            edit(out / site_id, path.stem, lambda d: d.update(clock=clock.isoformat()))
    return out / site_id


_RUNS = {"n": 0}


def converge(site_or_host: str, twin_dir: Path, out: Path, **kwargs):
    _RUNS["n"] += 1  # a fresh runner folder per run (ansible-runner merges extra vars left in an old one)
    limit = f"site_{site_or_host.replace('-', '_')}" if site_or_host.startswith(("pref-", "hq")) else site_or_host
    return run_playbook("endpoints.yml", limit, out, twin_dir=twin_dir, name=f"c{_RUNS['n']}", **kwargs)


def states(twin_dir: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(twin_dir.glob("*.json"))}


def pc(twin_dir: Path, host: str) -> dict:
    return twin_state.load(twin_dir, host)


def edit(twin_dir: Path, host: str, fn) -> None:
    doc = pc(twin_dir, host)
    fn(doc)
    twin_state.save(twin_dir, doc)


def ngav_calls(doc) -> int:
    return sum(doc["module_calls"]["by_module"].get(m, 0) for m in NGAV_MODULES)


def fact(out: Path, host: str, area: str) -> dict:
    return read_facts(out / "facts", host)[f"cutover_{area}"]


def statuses(out: Path, host: str, area: str = "ngav") -> dict[str, str]:
    return {c["id"]: c["status"] for c in fact(out, host, area)["checks"]}


@pytest.fixture(scope="module")
def twenty(tmp_path_factory, sample_inventory):
    root = tmp_path_factory.mktemp("nara")
    twin_dir = build(sample_inventory, SITE, root / "twin")
    first = converge(SITE, twin_dir, root / "run", extravars={"ngav_reboot_policy": "auto"})
    after_first = {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()}
    ngav_first = {h: ngav_calls(s) for h, s in states(twin_dir).items()}
    calls_first = {h: s["module_calls"]["total"] for h, s in states(twin_dir).items()}
    second = converge(SITE, twin_dir, root / "run", extravars={"ngav_reboot_policy": "auto"})
    return {"root": root, "twin": twin_dir, "first": first, "second": second, "after_first": after_first,
            "ngav_first": ngav_first, "calls_first": calls_first}


# ------------------------------------------------------------------------------------------------
# the fleet
# ------------------------------------------------------------------------------------------------

def test_the_old_agent_has_the_shape_of_a_real_apex_one_install(sample_inventory, tmp_path):
    pcs = states(build(sample_inventory, SITE, tmp_path, console_uninstall=False))
    assert len(pcs) == 20 == len(sample_inventory.sites[SITE].endpoints)
    for doc in pcs.values():
        key = twin_state.reg_get(doc, fleet.APEX_UNINSTALL)
        assert key["DisplayName"]["data"] == fleet.TREND_DISPLAY
        assert key["UninstallString"]["data"].lower().endswith('\\ntrmv.exe"')
        assert "WOW6432NODE" in twin_state.norm_key(fleet.APEX_UNINSTALL)
        schedule = twin_state.reg_get(doc, fleet.APEX_SCHEDULE)
        assert schedule["Enable"]["data"] == 1 and (schedule["Hour"]["data"], schedule["Minute"]["data"]) == (12, 15)
        assert not any("trend" in t.lower() for t in doc["scheduled_tasks"])  # no Task Scheduler task (2c)
        assert doc["products"][fleet.APEX_KEY]["uninstall_password_sha256"]
        assert doc["services"]["ntrtscan"]["state"] == "running"


def test_notebooks_run_on_battery_part_of_the_time(sample_inventory, tmp_path):
    pcs = states(build(sample_inventory, PILOT, tmp_path, console_uninstall=False))
    notebooks = [d for d in pcs.values() if "-NB-" in d["hostname"] or "-WM-" in d["hostname"]]
    assert any(not d["power"]["ac_online"] for d in notebooks) and any(d["power"]["ac_online"] for d in notebooks)
    assert all(d["power"]["ac_online"] for d in pcs.values() if "-DT-" in d["hostname"])


def test_fleet_is_deterministic_and_reflects_the_inventory(sample_inventory, tmp_path):
    a = states(build(sample_inventory, SITE, tmp_path / "a"))
    b = states(build(sample_inventory, SITE, tmp_path / "b"))
    assert a == b
    for endpoint in sample_inventory.sites[SITE].endpoints:
        doc = a[endpoint.hostname]
        assert doc["hardware"]["disks"][0]["media_type"] == endpoint.disk_media.upper()
        assert doc["reachable"] == ((AS_OF - endpoint.last_seen).days <= 60)


def test_a_console_uninstall_leaves_services_until_the_restart(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path)
    doc = next(d for d in states(twin_dir).values() if d["reachable"])
    assert fleet.APEX_KEY not in doc["products"] and twin_state.reg_get(doc, fleet.APEX_SCHEDULE) is None
    assert doc["services"]["ntrtscan"]["state"] == "stopped" and windows.reboot_pending(doc)
    assert doc["defender"]["realtime_enabled"] is True  # Windows turns Defender on when the agent unregisters
    windows.reboot(doc)
    assert "ntrtscan" not in doc["services"] and not windows.reboot_pending(doc)


# ------------------------------------------------------------------------------------------------
# ngav: the happy path (console uninstall done, reboot policy auto)
# ------------------------------------------------------------------------------------------------

def test_first_converge_restarts_once_and_replaces_the_antivirus(twenty, sample_inventory):
    site = sample_inventory.sites[SITE]
    assert twenty["first"].failed == set()
    unreachable = {e.hostname for e in site.endpoints if (AS_OF - e.last_seen).days > 60}
    assert twenty["first"].unreachable == unreachable
    for host, doc in states(twenty["twin"]).items():
        if host in unreachable:
            assert doc["module_calls"]["total"] == 0
            continue
        names = {p["display_name"] for p in doc["products"].values()}
        assert fleet.TREND_DISPLAY not in names and "ntrtscan" not in doc["services"]
        assert doc["module_calls"]["by_module"]["ansible.windows.win_reboot"] == 1
        if doc["role"] == "web_meeting_laptop":
            assert doc["defender"]["realtime_enabled"] is True
            assert "Example NGAV Agent" not in names
        else:
            assert "Example NGAV Agent" in names
            assert (FIRST_SCAN in doc["scheduled_tasks"]) == (doc["hardware"]["disks"][0]["media_type"] == "HDD")


def test_second_converge_changes_nothing_and_a_compliant_pc_costs_one_ngav_call(twenty):
    assert twenty["second"].changed == {}
    for host, doc in states(twenty["twin"]).items():
        assert twin_state.snapshot(doc) == twenty["after_first"][host]
        if doc["reachable"]:
            assert ngav_calls(doc) - twenty["ngav_first"][host] == 1
            assert doc["module_calls"]["by_module"]["cutover_fileshare_readiness"] == 2  # fileshare: 1 per run


def test_facts_are_published_for_evidence(twenty, sample_inventory):
    for endpoint in sample_inventory.sites[SITE].endpoints:
        facts = read_facts(twenty["root"] / "run" / "facts", endpoint.hostname)
        if endpoint.hostname in twenty["first"].unreachable:
            assert facts is None
            continue
        checks = {c["id"]: c["status"] for c in facts["cutover_ngav"]["checks"]}
        assert checks["ngav.old_av_absent"] == "pass" and checks["ngav.old_scan_task_absent"] == "pass"
        assert set(checks.values()) == {"pass"}


def test_every_fact_of_the_converged_site_is_the_typed_contract(twenty, sample_inventory):
    """Role facts validate against the model in a rehearsal: every reachable PC publishes every endpoint
    area, and after the restart the first converge made, no fact asks for another one."""
    reached = [e.hostname for e in sample_inventory.sites[SITE].endpoints
               if e.hostname not in twenty["first"].unreachable]
    assert reached
    for host in reached:
        cached = read_facts(twenty["root"] / "run" / "facts", host)
        published = {key.removeprefix(FACT_PREFIX): RoleFact.model_validate(value)
                     for key, value in cached.items() if key.startswith(FACT_PREFIX)}
        assert set(published) == set(ENDPOINT_AREAS), host
        assert all(fact.area == area for area, fact in published.items())
        assert not any(fact.reboot_required for fact in published.values()), host


# ------------------------------------------------------------------------------------------------
# ngav: removing the old agent (defect 5)
# ------------------------------------------------------------------------------------------------

def reachable_host(twin_dir: Path, disk: str | None = None, role: str = "staff_pc") -> str:
    return next(h for h, d in states(twin_dir).items() if d["reachable"] and d["role"] == role
                and (disk is None or d["hardware"]["disks"][0]["media_type"] == disk))


def test_without_the_console_uninstall_the_agent_stays_and_the_ngav_waits(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path / "twin", console_uninstall=False)
    host = reachable_host(twin_dir)
    out = tmp_path / "run"
    converge(host, twin_dir, out, extravars={"ngav_reboot_policy": "auto"})
    doc = pc(twin_dir, host)
    assert fleet.APEX_KEY in doc["products"] and "Example NGAV Agent" not in str(doc["products"])
    checks = statuses(out, host)
    assert checks["ngav.old_av_absent"] == "fail" and checks["ngav.installed_healthy"] == "pending"
    assert checks["ngav.old_scan_task_absent"] == "fail"  # the agent's own scheduled scan is still active
    assert [a["id"] for a in fact(out, host, "ngav")["actions"]] == ["ngav.uninstall_from_console"]


def test_the_uninstaller_waits_for_its_password_unless_it_is_given(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path / "twin", console_uninstall=False)
    host = reachable_host(twin_dir)
    out = tmp_path / "run"
    outcome = converge(host, twin_dir, out, extravars={"ngav_old_av_removal": "uninstaller"})
    assert host in outcome.failed and fleet.APEX_KEY in pc(twin_dir, host)["products"]
    assert [a["id"] for a in fact(out, host, "ngav")["actions"]] == ["ngav.remove_old_av_by_hand"]
    converge(host, twin_dir, out, extravars={"ngav_old_av_removal": "uninstaller", "ngav_reboot_policy": "report",
                                             "vault_ngav_old_av_uninstall_password": "example-uninstall-pw"})
    doc = pc(twin_dir, host)
    assert fleet.APEX_KEY not in doc["products"] and doc["services"]["ntrtscan"]["state"] == "stopped"
    checks = statuses(out, host)
    assert checks["ngav.old_av_absent"] == "pending" and checks["ngav.installed_healthy"] == "pending"
    assert "ngav.restart_pc" in [a["id"] for a in fact(out, host, "ngav")["actions"]]
    assert doc["module_calls"]["by_module"].get("ansible.windows.win_reboot", 0) == 0  # policy 'report'


def test_the_password_never_reaches_the_logs(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path / "twin", console_uninstall=False)
    host = reachable_host(twin_dir)
    out = tmp_path / "run"
    converge(host, twin_dir, out, extravars={"ngav_old_av_removal": "uninstaller",
                                             "vault_ngav_old_av_uninstall_password": "example-uninstall-pw"})
    logged = "".join(p.read_text(encoding="utf-8", errors="replace") for p in (out / "runner").rglob("*")
                     if (p.is_file() and "job_events" in p.parts) or p.name == "stdout")
    assert "example-uninstall-pw" not in logged and logged


def test_after_the_restart_the_next_converge_installs_the_ngav(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path / "twin")  # console uninstall done, policy 'report'
    host = reachable_host(twin_dir)
    out = tmp_path / "run"
    converge(host, twin_dir, out)
    assert statuses(out, host)["ngav.old_av_absent"] == "pending" and "ntrtscan" in pc(twin_dir, host)["services"]
    assert statuses(out, host)["ngav.installed_healthy"] == "pending"  # not next to the old agent's drivers
    assert "Example NGAV Agent" not in {p["display_name"] for p in pc(twin_dir, host)["products"].values()}
    edit(twin_dir, host, windows.reboot)  # the user restarts the PC as the report asks
    converge(host, twin_dir, out)
    assert set(statuses(out, host).values()) == {"pass"}
    assert "Example NGAV Agent" in {p["display_name"] for p in pc(twin_dir, host)["products"].values()}


def test_the_pilot_wave_restarts_by_its_own_policy(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    host = reachable_host(twin_dir)
    converge(host, twin_dir, tmp_path / "run")  # inventories/group_vars/wave_0.yml: ngav_reboot_policy auto
    assert pc(twin_dir, host)["module_calls"]["by_module"]["ansible.windows.win_reboot"] == 1
    assert set(statuses(tmp_path / "run", host).values()) == {"pass"}


# ------------------------------------------------------------------------------------------------
# ngav: the installer and the second hop (defect 4)
# ------------------------------------------------------------------------------------------------

def test_a_share_cannot_be_read_from_a_psrp_session_without_delegation_or_become(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path, console_uninstall=False)
    doc = pc(twin_dir, reachable_host(twin_dir))
    share = fleet.SAMPLE_NGAV["share_path"]
    args = {"path": share, "product_id": fleet.SAMPLE_NGAV["product"]["product_id"]}
    failed = twin_modules.execute(doc, "ansible.windows.win_package", dict(args))
    assert failed.get("failed") and "cannot be reached" in failed["msg"]
    for allowed in (session.Session(become_user="SYSTEM"),  # domain-joined: the computer account
                    session.Session(become_user="svc-dist@AD.UNION.EXAMPLE", become_password=True,
                                    logon_type="NewCredentials"),
                    session.Session(auth="credssp")):
        copy = json.loads(json.dumps(doc))
        with session.active(allowed):
            assert twin_modules.execute(copy, "ansible.windows.win_package", dict(args))["changed"] is True
    delegation = session.Session(auth="kerberos", delegate=True)
    with session.active(delegation):  # Kerberos delegation works only to a PC trusted for delegation
        assert twin_modules.execute(json.loads(json.dumps(doc)), "ansible.windows.win_package", dict(args))["failed"]
    cloud_only = {**json.loads(json.dumps(doc)), "entra_join": {"azure_ad_joined": True, "domain_joined": False}}
    with session.active(session.Session(become_user="SYSTEM")):  # no computer account in AD: anonymous
        assert twin_modules.execute(cloud_only, "ansible.windows.win_package", dict(args))["failed"]


def test_the_role_takes_the_installer_from_https_and_refuses_a_share(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path / "twin")
    host = reachable_host(twin_dir)
    refused = converge(host, twin_dir, tmp_path / "run",
                       extravars={"ngav_installer_path": fleet.SAMPLE_NGAV["share_path"]})
    assert host in refused.failed
    assert "Example NGAV Agent" not in {p["display_name"] for p in pc(twin_dir, host)["products"].values()}
    converge(host, twin_dir, tmp_path / "run", extravars={"ngav_reboot_policy": "auto"})
    assert "Example NGAV Agent" in {p["display_name"] for p in pc(twin_dir, host)["products"].values()}


def test_faults_give_the_right_outcome_and_never_stop_the_run(sample_inventory, tmp_path):
    site = sample_inventory.sites[PILOT]
    hosts = [e.hostname for e in site.endpoints if (AS_OF - e.last_seen).days <= 60 and e.role == "staff_pc"]
    installer, distribution = hosts[0], hosts[1]
    faults = {installer: {"installer_exit_code": 1603}, distribution: {"unreachable_share": True}}
    twin_dir = build(sample_inventory, site.id, tmp_path / "twin", faults)
    outcome = converge(site.id, twin_dir, tmp_path / "run")
    assert {installer, distribution} <= outcome.failed
    others = set(hosts) - {installer, distribution}
    assert others <= outcome.ok and not (others & outcome.failed)
    for host in (installer, distribution):
        assert statuses(tmp_path / "run", host)["ngav.installed_healthy"] == "fail"
        assert "Example NGAV Agent" not in {p["display_name"] for p in pc(twin_dir, host)["products"].values()}


# ------------------------------------------------------------------------------------------------
# ngav: the first full scan on HDD PCs (defect 6)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("clock", "expected"), [
    ("2027-02-03T10:00:00+09:00", "2027-02-03T22:00:00"),
    ("2027-02-03T21:50:00+09:00", "2027-02-04T22:00:00"),  # too close: the next evening
    ("2027-02-03T23:30:00+09:00", "2027-02-04T22:00:00"),
    ("2027-12-31T22:30:00+09:00", "2028-01-01T22:00:00"),
])
def test_the_first_scan_starts_at_the_next_off_hours_window(clock, expected):
    spec = importlib.util.spec_from_file_location("ngav_filters", ROOT / "roles/ngav/filter_plugins/ngav.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.ngav_next_window(clock, "22:00") == expected


def test_a_pc_registered_after_any_fixed_date_still_scans_that_night(sample_inventory, tmp_path):
    # Registered after the role's old fixed start (2027-01-01T22:00): that one-off would never run.
    twin_dir = build(sample_inventory, SITE, tmp_path / "twin", clock=dt.datetime(2027, 2, 3, 10, 0, tzinfo=fleet.JST))
    host = reachable_host(twin_dir, disk="HDD")
    out = tmp_path / "run"
    converge(host, twin_dir, out, extravars={"ngav_reboot_policy": "auto"})
    doc = pc(twin_dir, host)
    start = doc["scheduled_tasks"][FIRST_SCAN]["triggers"][0]["start_boundary"]
    assert start == "2027-02-03T22:00:00" and doc["scheduled_tasks"][FIRST_SCAN]["wake_to_run"] is True
    assert statuses(out, host)["ngav.first_scan_scheduled"] == "pass"
    edit(twin_dir, host, lambda d: windows.advance(d, dt.datetime(2027, 2, 4, 8, 0, tzinfo=fleet.JST)))
    converge(host, twin_dir, out)
    scan = next(c for c in fact(out, host, "ngav")["checks"] if c["id"] == "ngav.first_scan_scheduled")
    assert scan["status"] == "pass" and scan["message"] == "first full scan done"


def test_a_missed_first_scan_gets_the_next_window(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, SITE, tmp_path / "twin", clock=dt.datetime(2027, 2, 3, 10, 0, tzinfo=fleet.JST))
    host = reachable_host(twin_dir, disk="HDD")
    out = tmp_path / "run"
    converge(host, twin_dir, out, extravars={"ngav_reboot_policy": "auto"})

    def off_all_night(doc):
        doc["power"]["night"] = "off"
        windows.advance(doc, dt.datetime(2027, 2, 4, 9, 0, tzinfo=fleet.JST))

    edit(twin_dir, host, off_all_night)
    assert not pc(twin_dir, host)["scheduled_tasks"][FIRST_SCAN].get("runs")
    converge(host, twin_dir, out)
    doc = pc(twin_dir, host)
    assert doc["scheduled_tasks"][FIRST_SCAN]["triggers"][0]["start_boundary"] == "2027-02-04T22:00:00"
    assert statuses(out, host)["ngav.first_scan_scheduled"] == "pass"


# ------------------------------------------------------------------------------------------------
# fileshare_client: the logon drive-mapping task (defect 7)
# ------------------------------------------------------------------------------------------------

def test_task_scheduler_starts_nothing_on_battery_unless_told(sample_inventory, tmp_path):
    """What the old logon-mapping module did (a task registered without battery settings) fails here as on
    Windows: the task does not start when a notebook on battery logs on."""
    doc = pc(build(sample_inventory, PILOT, tmp_path, console_uninstall=False), "P18-DT-001")
    doc["power"]["ac_online"] = False
    task = {"name": "plain", "path": "\\Cutover\\", "triggers": [{"type": "logon"}], "group": "S-1-5-32-545",
            "actions": [{"path": "powershell.exe", "arguments": "-File C:\\x.ps1"}]}
    twin_modules.execute(doc, "community.windows.win_scheduled_task", dict(task))
    assert doc["scheduled_tasks"]["\\Cutover\\plain"]["disallow_start_if_on_batteries"] is True
    assert windows.logon(doc, doc["users"][0]["name"]) == []
    twin_modules.execute(doc, "community.windows.win_scheduled_task",
                         {**task, "disallow_start_if_on_batteries": False, "stop_if_going_on_batteries": False})
    assert windows.logon(doc, doc["users"][0]["name"]) == ["\\Cutover\\plain"]
    doc["power"]["ac_online"] = True


def test_notebooks_on_battery_still_map_drives_at_logon(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    host = next(h for h, d in states(twin_dir).items() if d["reachable"] and not d["power"]["ac_online"])
    converge(host, twin_dir, tmp_path / "run", tags="fileshare")
    doc = pc(twin_dir, host)
    task = doc["scheduled_tasks"][MAPPING_TASK]
    assert task["disallow_start_if_on_batteries"] is False and task["stop_if_going_on_batteries"] is False
    assert windows.logon(doc, doc["users"][0]["name"]) == [MAPPING_TASK]


def test_an_existing_task_with_another_definition_is_updated(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    host = reachable_host(twin_dir)
    edit(twin_dir, host, lambda d: d["scheduled_tasks"].update({MAPPING_TASK: {
        **windows.TASK_DEFAULTS, "triggers": [{"type": "logon"}], "group": "S-1-5-32-545",
        "actions": [{"path": "powershell.exe", "arguments": "-File C:\\old\\map.ps1"}]}}))
    converge(host, twin_dir, tmp_path / "run", tags="fileshare")
    task = pc(twin_dir, host)["scheduled_tasks"][MAPPING_TASK]
    assert "C:\\ProgramData\\cutover\\cutover-map-drives.ps1" in task["actions"][0]["arguments"]
    assert task["disallow_start_if_on_batteries"] is False and task["execution_time_limit"] == "PT10M"


def test_file_content_is_compared_case_sensitively(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    host = reachable_host(twin_dir)
    out = tmp_path / "run"
    converge(host, twin_dir, out, tags="fileshare")
    wanted = pc(twin_dir, host)["files"][CONFIG]["content"]
    shouted = wanted.replace("file.core.windows.net", "FILE.CORE.WINDOWS.NET")
    assert shouted != wanted and shouted.lower() == wanted.lower()
    edit(twin_dir, host, lambda d: d["files"].update({CONFIG: windows.file_entry(shouted.encode("utf-8"))}))
    changed = converge(host, twin_dir, out, tags="fileshare")
    assert host in changed.changed and pc(twin_dir, host)["files"][CONFIG]["content"] == wanted
    assert pc(twin_dir, host)["files"][CONFIG]["sha1"] == hashlib.sha1(wanted.encode()).hexdigest()


def test_check_mode_changes_nothing(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    before = {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()}
    outcome = converge(PILOT, twin_dir, tmp_path / "run", check=True)
    assert outcome.changed  # check mode reports what would change
    assert {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()} == before


def test_a_run_after_a_check_run_in_the_same_folder_is_a_real_run(sample_inventory, tmp_path):
    """ansible-runner reuses the env/ files an earlier run left (its --check cmdline, its extra variables)."""
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    before = {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()}
    limit = f"site_{PILOT.replace('-', '_')}"
    checked = run_playbook("endpoints.yml", limit, tmp_path / "run", twin_dir=twin_dir, name="same", check=True,
                           extravars={"ngav_install": False})
    assert checked.changed and {h: twin_state.snapshot(s) for h, s in states(twin_dir).items()} == before
    real = run_playbook("endpoints.yml", limit, tmp_path / "run", twin_dir=twin_dir, name="same")
    after = states(twin_dir)
    assert real.changed and {h: twin_state.snapshot(s) for h, s in after.items()} != before
    # the drives are mapped, and the NGAV is installed: the check run's ngav_install: false did not stay set
    reachable = [s for s in after.values() if s.get("reachable", True)]
    assert reachable and all(MAPPING_TASK in s["scheduled_tasks"] for s in reachable)
    assert any("Example NGAV Agent" in {p["display_name"] for p in s["products"].values()} for s in reachable)


def test_an_unreachable_pc_stays_unreachable_whatever_the_event_numbers(tmp_path):
    """Local tasks (argument validation, the roles' guards) report ok for a PC before its first call fails:
    the collector reads the events in the order they happened (9 before 10), not by file name."""
    from cutover.evidence.collectors.ansible import read_runner_artifacts

    events = tmp_path / "runner" / "c1" / "artifacts" / "x" / "job_events"
    events.mkdir(parents=True)
    for counter, event in ((9, "runner_on_ok"), (10, "runner_on_unreachable")):
        (events / f"{counter}-{counter:08d}.json").write_text(json.dumps(  # as ansible-runner writes them
            {"event": event, "counter": counter, "created": f"2026-11-24T01:00:{counter:02d}.000000",
             "event_data": {"host": "P36-DT-006", "res": {"msg": "the PC does not answer"}}}))
    assert read_runner_artifacts(tmp_path / "runner").unreachable == {"P36-DT-006": "the PC does not answer"}


def test_an_aes_256_only_share_sets_windows_11_cipher_order_and_leaves_windows_10_not_ready(sample_inventory,
                                                                                          tmp_path):
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    docs = states(twin_dir)
    windows11 = next(h for h, d in docs.items() if d["reachable"] and d["os"]["build"] >= 22000)
    windows10 = next(h for h, d in docs.items() if d["reachable"] and d["os"]["build"] < 22000)
    out = tmp_path / "run"
    aes256 = {"cutover_smb_channel_encryption": "AES-256-GCM"}
    converge(f"{windows11},{windows10}", twin_dir, out, tags="fileshare", extravars=aes256)
    policy = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\LanmanWorkstation"
    order = twin_state.reg_get(pc(twin_dir, windows11), policy)
    assert order["CipherSuiteOrder"] == {"type": "REG_MULTI_SZ", "data": ["AES_256_GCM", "AES_128_GCM"]}
    assert statuses(out, windows11, "fileshare")["fileshare.smb_cipher"] == "pass"
    assert twin_state.reg_get(pc(twin_dir, windows10), policy) is None
    assert statuses(out, windows10, "fileshare")["fileshare.smb_cipher"] == "fail"
    again = converge(windows11, twin_dir, out, tags="fileshare", extravars=aes256)
    assert windows11 not in again.changed  # discovered once, nothing differs
    both = converge(windows10, twin_dir, out, tags="fileshare")  # the site's real setting keeps AES-128-GCM
    assert windows10 not in both.failed and statuses(out, windows10, "fileshare")["fileshare.smb_cipher"] == "pass"


def test_a_file_held_open_cannot_be_overwritten(sample_inventory, tmp_path):
    twin_dir = build(sample_inventory, PILOT, tmp_path / "twin")
    host = reachable_host(twin_dir)
    out = tmp_path / "run"
    converge(host, twin_dir, out, tags="fileshare")
    script = "C:\\ProgramData\\cutover\\cutover-map-drives.ps1"
    held = {**windows.file_entry(b"old"), "open_by": "notepad.exe"}
    edit(twin_dir, host, lambda d: d["files"].update({script: held}))
    outcome = converge(host, twin_dir, out, tags="fileshare")
    assert host in outcome.failed and pc(twin_dir, host)["files"][script].get("content") == "old"
    assert statuses(out, host, "fileshare")["fileshare.mapping_installed"] == "error"


def test_console_uninstall_command(tmp_path):
    from typer.testing import CliRunner

    from cutover.cli import app

    runner = CliRunner()
    missing = runner.invoke(app, ["twin", "console-uninstall", "--site", "18", "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "build it first" in missing.output
    assert runner.invoke(app, ["twin", "build", "--site", "18", "--out", str(tmp_path)]).exit_code == 0
    online = sum(d["reachable"] for d in states(tmp_path / PILOT).values() if d["role"] != "file_server")
    done = runner.invoke(app, ["twin", "console-uninstall", "--site", "18", "--out", str(tmp_path)])
    assert done.exit_code == 0 and f"on {online} PCs" in done.output
    again = runner.invoke(app, ["twin", "console-uninstall", "--site", "18", "--out", str(tmp_path)])
    assert "on 0 PCs" in again.output

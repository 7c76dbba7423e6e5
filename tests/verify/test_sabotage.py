"""Sabotage: the proof that verification can fail.

After a converge (and the migration), the twin state is tampered with in one way per case; each must
make `cutover verify` fail for that PC and that check only, and show up in the evidence (a failing
check attributed to the PC), in the report (the site page names the PC and the check) and in the gate
(a condition not met naming the PC).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cutover import gate as gating
from cutover.evidence import collect
from cutover.report import build, write
from cutover.twin import fleet, hives
from cutover.twin import state as twin_state
from tests.verify.conftest import AS_OF, SITE, edit, states

KERBEROS = "HKLM\\SYSTEM\\CURRENTCONTROLSET\\CONTROL\\LSA\\KERBEROS\\PARAMETERS"
C2R = "HKLM\\SOFTWARE\\MICROSOFT\\OFFICE\\CLICKTORUN\\CONFIGURATION"
NGAV_SERVICE = "ExampleNgavSvc"


def _text(value: dict) -> str:
    if value["type"] == "REG_BINARY":
        return bytes(value["data"]).decode("utf-16-le").rstrip("\0")
    return str(value["data"])


def outlook_account(state: dict, address: str) -> dict:
    """The registry values of the Outlook POP3 account reading ``address``, wherever its user's hive is."""
    for user in state["users"]:
        file = hives.user_hive_file(user["profile_path"])
        mount = hives.mount_of(state, file)
        if mount is not None:
            keys = {k: v for k, v in state["registry"].items() if k.startswith(mount + "\\")}
        else:
            keys = state["hives"]["files"][file.upper()]
        for values in keys.values():
            if "Email" in values and _text(values["Email"]).lower() == address:
                return values
    raise AssertionError(f"no Outlook account for {address} on {state['hostname']}")


def leave_on_server(address: str, value: int) -> Callable[[dict], None]:
    def change(state: dict) -> None:
        outlook_account(state, address)["Leave on Server"] = {"type": "REG_DWORD", "data": value}
    return change


def _write(state: dict, path: str, text: str) -> None:
    data = text.encode("utf-8")
    state["files"][path] = {**state["files"][path], "content": text, "size": len(data),
                            "sha256": hashlib.sha256(data).hexdigest()}


def drop_user_js(state: dict) -> None:
    """Thunderbird ran after the converge (it keeps the user.js values in prefs.js), then the lines went."""
    pinned = [path for path in state["files"] if path.lower().endswith("\\user.js")]
    assert pinned, "the converge wrote no user.js"
    for path in pinned:
        lines = state["files"][path]["content"].splitlines()
        ours = [line for line in lines if "mail.server." in line]
        assert ours, f"{path}: no retention lines"
        prefs = path[: -len("user.js")] + "prefs.js"
        _write(state, prefs, state["files"][prefs]["content"] + "".join(f"{line}\n" for line in ours))
        _write(state, path, "".join(f"{line}\n" for line in lines if line not in ours))


def stop_ngav(state: dict) -> None:
    state["services"][NGAV_SERVICE]["state"] = "stopped"


def unregister_ngav(state: dict) -> None:
    state["security_center"] = [e for e in state["security_center"] if e["display_name"] != "Example NGAV"]


def lunchtime_scan_back(state: dict) -> None:
    """The Apex One agent's server-pushed lunchtime scan and its scan service, back on the PC."""
    for name, data in (("Enable", 1), ("Frequency", 3), ("Hour", 12), ("Minute", 15)):
        twin_state.reg_set(state, fleet.APEX_SCHEDULE, name, "REG_DWORD", data)
    state["services"]["ntrtscan"] = {"display_name": fleet.TREND_SERVICES["ntrtscan"], "state": "running",
                                     "start_mode": "auto", "path": f"{fleet.APEX_FOLDER}\\ntrtscan.exe"}


def old_av_back(state: dict) -> None:
    key = "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{0D1E2F3A-TREND-BACK}"
    twin_state.reg_set(state, key, "DisplayName", "REG_SZ", fleet.TREND_DISPLAY)
    twin_state.reg_set(state, key, "Publisher", "REG_SZ", "Trend Micro Inc.")


def delete_mapping_task(state: dict) -> None:
    del state["scheduled_tasks"]["\\Cutover\\cutover drive mapping"]


def ticket_retrieval_off(state: dict) -> None:
    state["registry"][KERBEROS]["CloudKerberosTicketRetrievalEnabled"] = {"type": "REG_DWORD", "data": 0}


def office_2019(state: dict) -> None:
    state["registry"][C2R]["ProductReleaseIds"] = {"type": "REG_SZ", "data": "HomeBusiness2019Retail"}


def first_scan_gone(state: dict) -> None:
    del state["scheduled_tasks"]["\\Cutover\\NGAV first full scan"]


def _target(state: dict) -> dict:
    return next(tree for unc, tree in state["trees"].items() if ".file.core.windows.net" in unc)


def target_file_changed(state: dict) -> None:
    tree = _target(state)
    name = sorted(tree)[0]
    tree[name] = {"size": 4096, "sha256": "0" * 64, "mtime": "2026-11-23T18:05:00"}


def oldest_target_file_truncated(state: dict) -> None:
    """Only the size tells: the time is kept and the file is too old to be among those hashed."""
    tree = _target(state)
    name = min(tree, key=lambda k: (tree[k]["mtime"], k))
    tree[name] = {**tree[name], "size": tree[name]["size"] // 2, "sha256": "1" * 64}


def target_file_deleted(state: dict) -> None:
    tree = _target(state)
    del tree[sorted(tree)[-1]]


@dataclass(frozen=True)
class Sabotage:
    name: str
    host: str
    check: str
    change: Callable[[dict], None]
    server: bool = False
    also: tuple[str, ...] = ()  # other checks the same change must fail on that PC


CASES = [
    Sabotage("leave-on-server-back-to-1", "P18-NB-006", "mail.outlook_leave_on_server",
             leave_on_server("k.watanabe@fukui.union.example", 1)),
    Sabotage("personal-account-removed-from-user-js", "P18-NB-007", "mail.thunderbird_leave_on_server",
             drop_user_js),
    Sabotage("ngav-service-stopped", "P18-DT-003", "ngav.services_running", stop_ngav),
    Sabotage("ngav-unregistered-from-security-center", "P18-NB-004", "ngav.security_center_on", unregister_ngav),
    Sabotage("old-av-lunchtime-scan-back", "P18-DT-010", "ngav.old_scan_task_absent", lunchtime_scan_back,
             also=("ngav.old_av_absent",)),  # the scan service that runs the schedule is the old antivirus too
    Sabotage("old-av-product-back", "P18-DT-011", "ngav.old_av_absent", old_av_back),
    Sabotage("drive-mapping-task-deleted", "P18-NB-005", "fileshare.drive_mapping_task", delete_mapping_task),
    Sabotage("kerberos-ticket-retrieval-off", "P18-DT-002", "fileshare.ticket_retrieval", ticket_retrieval_off),
    Sabotage("office-downgraded-to-2019", "P18-WM-012", "office.supported", office_2019),
    Sabotage("first-scan-task-missing-on-hdd", "P18-DT-008", "ngav.first_scan_task", first_scan_gone),
    Sabotage("migration-target-file-changed-after-verification", "DC-FS01", "migration.target_matches_source",
             target_file_changed, server=True),
    Sabotage("migration-target-file-truncated-keeping-its-time", "DC-FS01", "migration.target_matches_source",
             oldest_target_file_truncated, server=True),
    Sabotage("migration-target-file-deleted", "DC-FS01", "migration.target_matches_source", target_file_deleted,
             server=True),
    Sabotage("shared-address-given-the-15-day-value", "P18-DT-010", "mail.shared_addresses_untouched",
             leave_on_server("soumu@fukui.union.example", 0x000F0003)),
    Sabotage("defender-off-on-a-web-meeting-laptop", "P18-WM-013", "ngav.defender_on",
             lambda s: s["services"]["WinDefend"].update(state="stopped")),
]


def failing(result) -> set[tuple[str, str]]:
    return {(f.host, f.check) for f in result.findings if f.status != "pass"}


def evidence_for(sample_inventory, result):
    site = sample_inventory.sites[SITE]
    [junit] = [p for p in result.files[SITE] if p.suffix == ".xml"]
    return collect.collect_site(sample_inventory, site, collect.Sources(junit=(junit,)), AS_OF)


def site_page(sample_inventory, evidence, out: Path) -> str:
    written = write.write_all(build.build([evidence], sample_inventory, today=AS_OF), out, "en")
    [page] = [p for p in written["html"] if p.name == f"{SITE}.html"]
    return page.read_text(encoding="utf-8")


def assessment(sample_inventory, evidence) -> gating.Assessment:
    return gating.assess(evidence, gating.Context.for_site(sample_inventory, SITE, AS_OF))


def gate_blames(sample_inventory, evidence, host: str) -> list[str]:
    return [c.id for c in assessment(sample_inventory, evidence).unmet if host in c.why]


def test_the_converged_fleet_verifies_with_one_call_per_host(converged, fleet_copy, run_verify):
    before = {h: s["module_calls"]["total"] for h, s in states(fleet_copy).items()}
    result = run_verify(fleet_copy)
    assert failing(result) == set()
    assert result.ok
    hosts = {f.host for f in result.findings}
    assert hosts == set(before) | {"DC-FS01"}
    assert {f.check for f in result.findings} >= {c.check for c in CASES}
    after = {h: s["module_calls"]["total"] for h, s in states(fleet_copy).items()}
    assert {h: after[h] - before[h] for h in before} == dict.fromkeys(before, 1)
    for host, state in states(fleet_copy).items():
        assert state["module_calls"]["by_module"]["cutover_endpoint_probe"] == 1, host


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_sabotage_makes_verify_fail_for_that_pc(case, fleet_copy, run_verify, sample_inventory, tmp_path):
    edit(fleet_copy, case.host, case.change, server=case.server)
    result = run_verify(fleet_copy)
    assert failing(result) == {(case.host, check) for check in (case.check, *case.also)}
    assert not result.ok
    [finding] = [f for f in result.findings if (f.host, f.check) == (case.host, case.check)]
    assert finding.status == "fail" and finding.message

    evidence = evidence_for(sample_inventory, result)
    [check] = [c for c in evidence.checks if c.host == case.host and c.id == f"testinfra.{case.check}"]
    assert check.status == "fail" and check.message == finding.message[:500]
    assert assessment(sample_inventory, evidence).readiness is gating.Readiness.NOT_READY

    page = site_page(sample_inventory, evidence, tmp_path / "report")
    assert case.host in page and case.check in page

    assert gate_blames(sample_inventory, evidence, case.host), f"the gate does not name {case.host}"


def test_twelve_ways_at_least():
    assert len({c.name for c in CASES}) >= 12

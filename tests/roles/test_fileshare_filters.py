"""The fileshare_client role's filters, called directly: the drive map and the cutover_fileshare fact.

Readiness results have the shape cutover_fileshare_readiness returns (see the twin module).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cutover.evidence.facts import RoleFact

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "roles/fileshare_client/filter_plugins/fileshare.py"
spec = importlib.util.spec_from_file_location("fileshare_filters", PLUGIN)
filters = importlib.util.module_from_spec(spec)
spec.loader.exec_module(filters)

HOST = "stfilespref18fukui.file.core.windows.net"


def readiness(*, reachable=True, build=22631, edition="Professional", joined=True, ticket=1, stopped=()):
    """cutover_fileshare_readiness's result: read-only, so never changed; the ticket setting as found."""
    return {
        "changed": False,
        "tcp": {"host": HOST, "port": 445, "reachable": reachable,
                "error": None if reachable else "no answer within 3000 ms", "elapsed_ms": 12},
        "os": {"caption": "Microsoft Windows 11 Pro", "build": build, "ubr": 4460, "edition_id": edition},
        "entra_join": {"azure_ad_joined": joined, "domain_joined": True},
        "ticket_retrieval": {"value": ticket},
        "services": {name: {"exists": True, "state": "stopped" if name in stopped else "running",
                            "start_mode": "auto"} for name in ("LanmanWorkstation", "KeyIso")},
    }


def by_id(fact):
    assert RoleFact.model_validate(fact)  # every fact the role publishes is the collector's contract
    return {c["id"]: c for c in fact["checks"]}


def statuses(fact):
    return {k: c["status"] for k, c in by_id(fact).items()}


def test_drive_map_points_each_group_at_its_share_and_folder():
    shares = [{"name": "shared", "legacy_unc": "\\\\dc-fs01\\fukui$\\shared"}, {"name": "archive"}]
    mappings = [{"group": "members", "share": "shared", "letter": "S"},
                {"group": "officers", "share": "shared", "folder": "役員のみ", "letter": "T"},
                {"group": "members", "share": "archive", "letter": "U"}]
    assert filters.fileshare_drive_map(mappings, shares, HOST, "pref-18-fukui") == [
        {"group": "cutover-pref-18-fukui-members", "letter": "S", "unc": f"\\\\{HOST}\\shared",
         "legacy_unc": "\\\\dc-fs01\\fukui$\\shared"},
        {"group": "cutover-pref-18-fukui-officers", "letter": "T", "unc": f"\\\\{HOST}\\shared\\役員のみ",
         "legacy_unc": "\\\\dc-fs01\\fukui$\\shared\\役員のみ"},
        {"group": "cutover-pref-18-fukui-members", "letter": "U", "unc": f"\\\\{HOST}\\archive", "legacy_unc": None},
    ]
    assert filters.fileshare_drive_map(None, None, HOST, "hq") == []


def test_a_ready_pc_passes_every_check():
    fact = filters.fileshare_fact(readiness(), "hybrid")
    assert fact["schema"] == 2 and fact["actions"] == [] and fact["collected_at"].endswith("Z")
    assert {k: (c["status"], c["message"]) for k, c in by_id(fact).items()} == {
        "fileshare.tcp445": ("pass", f"TCP 445 to {HOST} reachable"),
        "fileshare.os_supported": ("pass", "Microsoft Windows 11 Pro build 22631"),
        "fileshare.entra_joined": ("pass", "Entra joined"),
        "fileshare.ticket_retrieval": ("pass", "CloudKerberosTicketRetrievalEnabled = 1"),
        "fileshare.services": ("pass", "required services running"),
        "fileshare.smb_cipher": ("pass", "the share allows AES-128-GCM: Windows' default cipher order"),
    }
    assert by_id(fact)["fileshare.tcp445"]["data"]["port"] == 445
    assert by_id(fact)["fileshare.os_supported"]["data"]["edition_id"] == "Professional"
    assert by_id(fact)["fileshare.entra_joined"]["data"]["azure_ad_joined"] is True
    assert by_id(fact)["fileshare.ticket_retrieval"]["data"] == {"before": 1, "after": 1, "changed": False}
    assert set(by_id(fact)["fileshare.services"]["data"]) == {"LanmanWorkstation", "KeyIso"}


def test_port_445_blocked_fails_with_the_alternatives_and_a_hands_on_action():
    fact = filters.fileshare_fact(readiness(reachable=False), "hybrid")
    check = by_id(fact)["fileshare.tcp445"]
    assert check["status"] == "fail"
    assert check["message"] == f"TCP 445 to {HOST} blocked (no answer within 3000 ms): {filters.ALTERNATIVES}"
    [action] = fact["actions"]
    assert action["id"] == "fileshare.port445" and action["message_en"] == (
        f"TCP 445 is blocked at this office: {filters.ALTERNATIVES}")
    assert "TCP 445 が遮断" in action["message_ja"]


@pytest.mark.parametrize(("mode", "build", "edition", "ok"), [
    ("hybrid", 19041, "Professional", True),  # Windows 10 2004
    ("hybrid", 19040, "Professional", False),
    ("hybrid", 18363, "Enterprise", False),
    ("cloud_only", 22000, "Professional", True),
    ("cloud_only", 22000, "Enterprise", True),
    ("cloud_only", 22000, "Education", True),
    ("cloud_only", 21999, "Professional", False),
    ("cloud_only", 19045, "Enterprise", False),
    ("cloud_only", 22631, "Core", False),  # Home
])
def test_os_support_depends_on_the_identity_mode(mode, build, edition, ok):
    check = by_id(filters.fileshare_fact(readiness(build=build, edition=edition), mode))["fileshare.os_supported"]
    assert check["status"] == ("pass" if ok else "fail")
    need = ("Windows 11 Pro/Enterprise (cloud-only identities)" if mode == "cloud_only"
            else "Windows 10 2004 or later, or Windows 11 (hybrid identities)")
    assert check["message"] == f"Microsoft Windows 11 Pro build {build}" + ("" if ok else f": needs {need}")


def test_an_unknown_build_is_not_supported():
    state = readiness()
    state["os"]["build"] = None
    assert by_id(filters.fileshare_fact(state, "hybrid"))["fileshare.os_supported"]["status"] == "fail"


@pytest.mark.parametrize(("joined", "status", "message"), [
    (True, "pass", "Entra joined"), (False, "fail", "not Entra (hybrid) joined"),
    (None, "error", "not Entra (hybrid) joined"),  # dsregcmd gave no answer: could not check
])
def test_entra_join(joined, status, message):
    check = by_id(filters.fileshare_fact(readiness(joined=joined), "hybrid"))["fileshare.entra_joined"]
    assert (check["status"], check["message"]) == (status, message)


def test_ticket_retrieval_set_now_needs_a_restart_and_unset_fails():
    # win_regedit's result when the role set the value in this run
    now = by_id(filters.fileshare_fact(readiness(ticket=0), "hybrid", ticket={"changed": True}))[
        "fileshare.ticket_retrieval"]
    assert (now["status"], now["message"]) == (
        "pass", "CloudKerberosTicketRetrievalEnabled = 1 (set now: takes effect after a restart)")
    assert now["data"] == {"before": 0, "after": 1, "changed": True}
    failed = by_id(filters.fileshare_fact(readiness(ticket=0), "hybrid", ticket={"changed": True, "failed": True}))[
        "fileshare.ticket_retrieval"]
    assert failed["status"] == "fail"
    unset = by_id(filters.fileshare_fact(readiness(ticket=0), "hybrid"))["fileshare.ticket_retrieval"]
    assert (unset["status"], unset["message"]) == ("fail", "CloudKerberosTicketRetrievalEnabled is not set")
    missing = by_id(filters.fileshare_fact(readiness(ticket=None), "hybrid"))["fileshare.ticket_retrieval"]
    assert missing["status"] == "fail"


def test_stopped_services_fail_by_name():
    check = by_id(filters.fileshare_fact(readiness(stopped=("LanmanWorkstation", "KeyIso")), "hybrid"))[
        "fileshare.services"]
    assert (check["status"], check["message"]) == ("fail", "services not running: KeyIso, LanmanWorkstation")


def test_mapping_state_is_reported_when_the_mapping_task_ran():
    # mapping: the registered results of the folder, file and task steps (None: mapping not installed)
    assert "fileshare.mapping_installed" not in by_id(filters.fileshare_fact(readiness(), "hybrid"))
    unchanged = {"folder": {"skipped": True}, "files": {"results": []}, "task": {"skipped": True}}
    installed = by_id(filters.fileshare_fact(readiness(), "hybrid", unchanged))["fileshare.mapping_installed"]
    assert (installed["status"], installed["message"]) == ("pass", "logon-time mapping installed")
    assert installed["data"] == {"switch_mappings": False, "rollback": False, "plan": {}}
    written = {"folder": {"changed": True}, "files": {"changed": True}, "task": {"changed": False}}
    switched = by_id(filters.fileshare_fact(readiness(), "hybrid", written, switch=True, plan={"task": False}))[
        "fileshare.mapping_installed"]
    assert switched["message"] == ("logon-time mapping installed (changed now: folder, files); "
                                   "switched to the Azure file share")
    assert switched["data"] == {"switch_mappings": True, "rollback": False, "plan": {"task": False}}
    back = by_id(filters.fileshare_fact(readiness(), "hybrid", unchanged, rollback=True))["fileshare.mapping_installed"]
    assert back["message"] == "logon-time mapping installed; rollback: old mappings restored at next logon"
    assert back["data"]["rollback"] is True
    failed = by_id(filters.fileshare_fact(readiness(), "hybrid", {**unchanged, "task": {"failed": True}}))[
        "fileshare.mapping_installed"]
    assert (failed["status"], failed["message"]) == ("error", "could not install the logon-time mapping (task)")


@pytest.mark.parametrize("result", [None, {}, {"failed": True, "msg": "Test-NetConnection failed"},
                                    {"changed": False}])
def test_readiness_that_did_not_run_is_an_error(result):
    fact = filters.fileshare_fact(result, "hybrid")
    [check] = fact["checks"]
    expected = (result or {}).get("msg", "readiness discovery did not run")
    assert (check["id"], check["status"], check["message"]) == ("fileshare.readiness", "error",
                                                                f"could not check: {expected}")
    assert fact["actions"] == [] and check["data"] == {}
    assert filters.FilterModule().filters() == {"fileshare_drive_map": filters.fileshare_drive_map,
                                                "fileshare_fact": filters.fileshare_fact,
                                                "fileshare_files": filters.fileshare_files,
                                                "fileshare_plan": filters.fileshare_plan}


def test_a_mapping_to_a_share_the_site_does_not_have_has_no_legacy_path():
    assert filters.fileshare_drive_map([{"group": "members", "share": "nowhere", "letter": "N"}],
                                       [{"name": "shared"}], HOST, "hq") == [
        {"group": "cutover-hq-members", "letter": "N", "unc": f"\\\\{HOST}\\nowhere", "legacy_unc": None}]


def test_a_failed_readiness_run_is_an_error_even_with_partial_results():
    fact = filters.fileshare_fact({**readiness(), "failed": True, "msg": "timeout"}, "hybrid")
    assert [(c["id"], c["status"], c["message"]) for c in fact["checks"]] == [
        ("fileshare.readiness", "error", "could not check: timeout")]
    assert set(fact) == {"schema", "area", "collected_at", "reboot_required", "checks", "actions", "state"}
    assert (fact["schema"], fact["area"], fact["reboot_required"], fact["state"]) == (2, "fileshare", False, {})
    blocked = filters.fileshare_fact(readiness(reachable=False), "hybrid")["actions"][0]
    assert blocked["message_ja"] == ("この事務所では TCP 445 が遮断されています。プロバイダーへの開放依頼、"
                                     "または VPN／ExpressRoute／Azure File Sync を検討してください")


def test_collected_at_is_utc_whatever_the_local_zone(monkeypatch):
    import datetime as dt
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        stamps = [filters.fileshare_fact(readiness(), "hybrid")["collected_at"],
                  filters.fileshare_fact(None, "hybrid")["collected_at"]]
    finally:
        monkeypatch.undo()
        time.tzset()
    for stamp in stamps:
        moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 120


def test_ticket_retrieval_set_in_this_run_is_the_reboot_signal():
    assert filters.fileshare_fact(readiness(ticket=0), "hybrid", ticket={"changed": True})["reboot_required"] is True
    assert filters.fileshare_fact(readiness(), "hybrid")["reboot_required"] is False
    failed = filters.fileshare_fact(readiness(ticket=0), "hybrid", ticket={"changed": True, "failed": True})
    assert failed["reboot_required"] is False


# ---- SMB channel encryption: AES-256-GCM only locks Windows 10 out and needs Windows 11's cipher order --------

AES256 = "AES-256-GCM"
BOTH = "AES-128-GCM;AES-256-GCM"
ORDER = ["AES_256_GCM", "AES_128_GCM"]


def with_order(state, order):
    state["smb_client"] = {"cipher_suite_order": order}
    return state


@pytest.mark.parametrize(("channel", "build", "order", "wanted"), [
    (BOTH, 22631, None, False),            # AES-128-GCM still allowed: nothing changes on clients
    (AES256, 22631, None, True),           # Windows 11, default order
    (AES256, 22631, ["AES_128_GCM", "AES_256_GCM"], True),
    (AES256, 22631, ORDER, False),         # already set
    (AES256, 22000, None, True),           # first Windows 11 build
    (AES256, 19045, None, False),          # Windows 10 cannot: readiness fails instead
    (" AES-256-GCM ", 22631, None, True),
    (None, 22631, None, False),
])
def test_cipher_order_is_set_only_on_windows_11_at_an_aes_256_only_share(channel, build, order, wanted):
    state = with_order(readiness(build=build), order)
    plan = filters.fileshare_plan(state, [], {}, channel_encryption=channel, cipher_order=ORDER)
    assert plan["cipher_order"] is wanted
    assert filters.fileshare_plan(state, [], {}, channel_encryption=channel, cipher_order=[])["cipher_order"] is False


def test_cipher_readiness_per_windows_version():
    def check(build, channel, order=None, cipher=None):
        state = with_order(readiness(build=build), order)
        return by_id(filters.fileshare_fact(state, "hybrid", channel_encryption=channel, cipher_order=ORDER,
                                            cipher=cipher))["fileshare.smb_cipher"]

    both = check(19045, BOTH)
    assert (both["status"], both["message"]) == (
        "pass", "the share allows AES-128-GCM;AES-256-GCM: Windows' default cipher order")
    windows10 = check(19045, AES256)
    assert windows10["status"] == "fail" and "Windows 10 cannot negotiate" in windows10["message"]
    default = check(22631, AES256)
    assert (default["status"], default["message"]) == (
        "fail", "the share allows AES-256-GCM only and this PC's SMB cipher order is Windows' default "
                "(AES_128_GCM first)")
    wrong = check(22631, AES256, ["AES_128_GCM", "AES_256_GCM"])
    assert wrong["status"] == "fail" and wrong["message"].endswith("is AES_128_GCM, AES_256_GCM")
    now = check(22631, AES256, None, {"changed": True})
    assert (now["status"], now["message"]) == (
        "pass", "SMB client cipher order starts with AES_256_GCM (set now: takes effect after a restart)")
    assert now["data"] == {"channel_encryption": AES256, "cipher_suite_order": ORDER, "changed": True}
    failed = check(22631, AES256, None, {"changed": True, "failed": True})
    assert failed["status"] == "fail"
    kept = check(22631, AES256, ORDER)
    assert (kept["status"], kept["message"]) == ("pass", "SMB client cipher order starts with AES_256_GCM")


def test_cipher_order_set_in_this_run_is_the_reboot_signal():
    state = with_order(readiness(build=22631), None)
    fact = filters.fileshare_fact(state, "hybrid", channel_encryption=AES256, cipher_order=ORDER,
                                  cipher={"changed": True})
    assert fact["reboot_required"] is True
    failed = filters.fileshare_fact(state, "hybrid", channel_encryption=AES256, cipher_order=ORDER,
                                    cipher={"changed": True, "failed": True})
    assert failed["reboot_required"] is False

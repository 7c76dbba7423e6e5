"""What to ask the read-only probe (``cutover_endpoint_probe``) on each host: one call per host.

Only what the host's checks compare is read. Registry values are read by name, so secrets stored
beside them (Outlook's POP3 password blob) never leave the PC.
"""

from __future__ import annotations

from typing import Any

from cutover.verify.expect import PcExpectation, ServerExpectation

UNINSTALL_KEYS = ("HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
                  "HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall")
UNINSTALL_VALUES = ["DisplayName", "DisplayVersion", "Publisher", "WindowsInstaller"]
CLICK_TO_RUN = "HKLM:\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration"
CLICK_TO_RUN_VALUES = ["ProductReleaseIds", "VersionToReport", "Platform", "CDNBaseUrl", "UpdateChannel"]
KERBEROS = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"
TICKET_RETRIEVAL = "CloudKerberosTicketRetrievalEnabled"
LANMAN_POLICY = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\LanmanWorkstation"
CIPHER_SUITE_ORDER = "CipherSuiteOrder"
# Outlook 2016 and later (16.0) and Outlook 2013 (15.0) keep POP accounts in the user's hive:
# Profiles\<profile>\9375CFF0413111d3B88A00104B2A6676\<account>.
OUTLOOK_PROFILES = ("Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles",
                    "Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles")
OUTLOOK_VALUES = ["clsid", "Email", "Leave on Server"]
THUNDERBIRD_FILES = ("Thunderbird\\Profiles\\*\\prefs.js", "Thunderbird\\Profiles\\*\\user.js")
THUNDERBIRD_PREFS = r'^\s*user_pref\("mail\.(server|account|identity)\.'
SECURITY_CENTER_SERVICES = ("WinDefend",)
SCHEDULE_VALUES = ["Enable", "Hour", "Minute"]
SCAN_SERVICE = "ntrtscan"  # Apex One's scan service runs the schedule


def schedule_key(relative: str) -> str:
    """The 32-bit agent keeps its schedule in the WOW6432Node view of HKLM."""
    return "HKLM:\\SOFTWARE\\WOW6432Node\\" + relative.removeprefix("SOFTWARE\\")


ALL_LINES = r"\S"


def for_pc(pc: PcExpectation) -> dict[str, Any]:
    registry: list[dict[str, Any]] = []
    user_registry: list[dict[str, Any]] = []
    appdata_files: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    services: list[str] = []
    task_folders: list[str] = []
    processes: list[str] = []
    security_center = False
    if pc.old_av or pc.ngav or pc.office:
        registry += [{"path": key, "names": UNINSTALL_VALUES, "depth": 1} for key in UNINSTALL_KEYS]
    if pc.old_av:
        services += pc.old_av.services
        task_folders += pc.old_av.task_folders
        if pc.old_av.remove_task and pc.old_av.schedule_key:
            registry.append({"path": schedule_key(pc.old_av.schedule_key), "names": SCHEDULE_VALUES, "depth": 0})
            services.append(SCAN_SERVICE)
    if pc.ngav:
        services += pc.ngav.services
        security_center = True
    if pc.defender:
        services += SECURITY_CENTER_SERVICES
        security_center = True
    if pc.first_scan_task:
        task_folders.append(pc.first_scan_task.rsplit("\\", 1)[0] + "\\")
    if pc.office:
        registry.append({"path": CLICK_TO_RUN, "names": CLICK_TO_RUN_VALUES, "depth": 0})
    if pc.outlook_personal or pc.outlook_shared:
        user_registry += [{"path": path, "names": OUTLOOK_VALUES, "depth": 3} for path in OUTLOOK_PROFILES]
        processes.append("OUTLOOK.EXE")
    if pc.thunderbird_personal or pc.thunderbird_shared:
        appdata_files += [{"path": path, "match": THUNDERBIRD_PREFS} for path in THUNDERBIRD_FILES]
        processes.append("thunderbird.exe")
    if pc.ticket_retrieval:
        registry.append({"path": KERBEROS, "names": [TICKET_RETRIEVAL], "depth": 0})
    if pc.cipher_order:
        registry.append({"path": LANMAN_POLICY, "names": [CIPHER_SUITE_ORDER], "depth": 0})
    if pc.drive_map:
        task_folders.append(pc.drive_map.task_path.rsplit("\\", 1)[0] + "\\")
        files += [{"path": pc.drive_map.script}, {"path": pc.drive_map.configuration, "match": ALL_LINES}]
    request: dict[str, Any] = {
        "registry": registry, "user_registry": user_registry, "files": files, "appdata_files": appdata_files,
        "services": list(dict.fromkeys(services)), "task_folders": list(dict.fromkeys(task_folders)),
        "processes": processes, "security_center": security_center,
    }
    return {k: v for k, v in request.items() if v}


def for_server(servers: list[ServerExpectation], hash_newest: int = 20) -> dict[str, Any]:
    """One request for a file server, covering the shares of every site verified in this run."""
    paths = list(dict.fromkeys(path for server in servers for share in server.shares
                               for path in (share.source, share.target)))
    return {"trees": [{"path": path, "hash_newest": hash_newest} for path in paths]}

"""Twin counterpart of roles/ngav/library/cutover_ngav_facts.ps1."""

from __future__ import annotations

import fnmatch

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register, windows

UNINSTALL_ROOTS = ("HKLM\\SOFTWARE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\UNINSTALL\\",
                   "HKLM\\SOFTWARE\\WOW6432NODE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\UNINSTALL\\")
PENDING_KEYS = {"RebootPending": "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\"
                                 "RebootPending",
                "RebootRequired": "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\"
                                  "RebootRequired"}
HAS_NOT_RUN = 267011  # SCHED_S_TASK_HAS_NOT_RUN


def _like(value: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def _scheduled_scan(state, key: str) -> dict:
    """The agent's schedule, read in the 32-bit registry view (WOW6432Node) where the agent keeps it."""
    values = twin_state.reg_get(state, "HKLM\\SOFTWARE\\WOW6432Node\\" + key.removeprefix("SOFTWARE\\"))
    result = {"present": values is not None, "enabled": None, "frequency": None, "hour": None, "minute": None,
              "key": key}
    for name, field in (("Enable", "enabled"), ("Frequency", "frequency"), ("Hour", "hour"), ("Minute", "minute")):
        if values and name in values:
            result[field] = int(values[name]["data"])
    if result["enabled"] is not None:
        result["enabled"] = result["enabled"] == 1
    return result


def _first_scan(state, path: str) -> dict:
    task = state["scheduled_tasks"].get(path)
    if task is None:
        return {"present": False, "next_run_time": None, "last_run_time": None, "last_result": None}
    start = next((t.get("start_boundary") for t in task.get("triggers") or [] if t.get("type") == "time"), None)
    now = windows.now(state)
    runs = task.get("runs") or []
    next_run = None
    if start and task.get("enabled", True):
        moment = windows.parse_local(start, now)
        next_run = moment.isoformat() if moment > now else None
    return {"present": True, "next_run_time": next_run, "last_run_time": runs[-1]["at"] if runs else None,
            "last_result": runs[-1]["result"] if runs else HAS_NOT_RUN}


@register("cutover_ngav_facts", {
    "old_av_display_patterns": opt("list", ["Trend Micro Apex One*", "Trend Micro OfficeScan*", "ウイルスバスター*"],
                                   elements="str"),
    "old_av_services": opt("list", ["ntrtscan", "TmListen", "TMBMServer", "tmccsf"], elements="str"),
    "old_av_schedule_key": opt("str", "SOFTWARE\\TrendMicro\\PC-cillinNTCorp\\CurrentVersion\\"
                                      "Prescheduled Scan Configuration"),
    "old_av_task_paths": opt("list", [], elements="str"),
    "ngav_display_pattern": opt("str", required=True),
    "ngav_services": opt("list", [], elements="str"),
    "ngav_security_center_name": opt("str", required=True),
    "first_scan_task": opt("str", "\\Cutover\\NGAV first full scan"),
})
def cutover_ngav_facts(state, p, check_mode, diff):
    entries = []
    for key, values in state["registry"].items():
        if key.startswith(UNINSTALL_ROOTS) and "DisplayName" in values and key.count("\\") == \
                (6 if key.startswith(UNINSTALL_ROOTS[0]) else 7):
            entries.append({"product_id": key.rsplit("\\", 1)[1], "display_name": values["DisplayName"]["data"],
                            "publisher": (values.get("Publisher") or {}).get("data"),
                            "uninstall_string": (values.get("UninstallString") or {}).get("data")})
    # Keys are stored upper-cased; give back the product code as the product registered it.
    codes = {c.upper(): c for c in state["products"]}
    for entry in entries:
        entry["product_id"] = codes.get(entry["product_id"], entry["product_id"])

    def services(names):
        return {n: (state["services"].get(n) or {}).get("state") for n in names}

    center = state["security_center"]
    ngav_center = next((e for e in center if e["display_name"] == p["ngav_security_center_name"]), None)
    defender_center = next((e for e in center if e["display_name"] == "Windows Defender"), None)
    system = next(d for d in state["hardware"]["disks"] if d.get("system"))
    tasks = [t for t in state["scheduled_tasks"]
             if any(t.lower().startswith(folder.lower()) for folder in p["old_av_task_paths"])]
    reasons = ["PendingFileRenameOperations"] if windows.reboot_pending(state) else []
    reasons += [name for name, key in PENDING_KEYS.items() if twin_state.reg_get(state, key) is not None]
    return {
        "changed": False,
        "old_av": {"products": [e for e in entries if _like(e["display_name"], p["old_av_display_patterns"])],
                   "services": services(p["old_av_services"]), "tasks": sorted(tasks),
                   "scheduled_scan": _scheduled_scan(state, p["old_av_schedule_key"])},
        "reboot_pending": {"pending": bool(reasons), "reasons": reasons},
        "ngav": {"product": next((e for e in entries if _like(e["display_name"], [p["ngav_display_pattern"]])), None),
                 "services": services(p["ngav_services"]), "security_center": ngav_center,
                 "first_scan": _first_scan(state, p["first_scan_task"])},
        "security_center": center,
        "defender": {"realtime_enabled": state["defender"]["realtime_enabled"], "security_center": defender_center},
        "disk": {"media_type": system["media_type"], "bus_type": system["bus_type"]},
        "last_boot": state["last_boot"],
        "clock": windows.now(state).isoformat(),
    }

"""Twin counterpart of roles/ngav/library/cutover_ngav_facts.ps1."""

from __future__ import annotations

import fnmatch

from cutover.twin.modules import opt, register


def _like(value: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


@register("cutover_ngav_facts", {
    "old_av_display_patterns": opt("list", ["Trend Micro Apex One*", "Trend Micro OfficeScan*", "ウイルスバスター*"],
                                   elements="str"),
    "old_av_services": opt("list", ["ntrtscan", "TmListen", "TMBMServer", "tmccsf"], elements="str"),
    "old_av_task_paths": opt("list", ["\\TrendMicro\\"], elements="str"),
    "ngav_display_pattern": opt("str", required=True),
    "ngav_services": opt("list", [], elements="str"),
    "ngav_security_center_name": opt("str", required=True),
})
def cutover_ngav_facts(state, p, check_mode, diff):
    entries = []
    for key, values in state["registry"].items():
        if "\\CURRENTVERSION\\UNINSTALL\\" in key and "DisplayName" in values:
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
    return {
        "changed": False,
        "old_av": {"products": [e for e in entries if _like(e["display_name"], p["old_av_display_patterns"])],
                   "services": services(p["old_av_services"]), "tasks": sorted(tasks)},
        "ngav": {"product": next((e for e in entries if _like(e["display_name"], [p["ngav_display_pattern"]])), None),
                 "services": services(p["ngav_services"]), "security_center": ngav_center},
        "security_center": center,
        "defender": {"realtime_enabled": state["defender"]["realtime_enabled"], "security_center": defender_center},
        "disk": {"media_type": system["media_type"], "bus_type": system["bus_type"]},
        "last_boot": state["last_boot"],
    }


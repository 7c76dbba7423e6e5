"""Filters of the ngav role: what differs (the plan) and the cutover_ngav fact (schema 1)."""

from __future__ import annotations

import datetime as dt

ON = 0x1  # Security Center productState: bits 12-15 = 1 means "on"


def _on(entry) -> bool:
    return bool(entry) and ((int(entry.get("product_state", 0)) >> 12) & 0xF) == ON


def _present(services: dict) -> list[str]:
    return sorted(name for name, state in (services or {}).items() if state)


def healthy(discovered: dict) -> bool:
    ngav = discovered.get("ngav") or {}
    services = ngav.get("services") or {}
    return bool(ngav.get("product")) and all(s == "running" for s in services.values()) \
        and _on(ngav.get("security_center"))


def ngav_plan(discovered, role="staff_pc", remove_old_av=True, remove_old_scan_task=True, install=True,
              first_scan_on_hdd=True, meeting_laptops_use_defender=True):
    """What the role must change on this PC, from the one discovery call."""
    old = discovered.get("old_av") or {}
    meeting = role == "web_meeting_laptop" and meeting_laptops_use_defender
    will_install = bool(install) and not meeting and not healthy(discovered)
    return {
        "remove_products": [p["product_id"] for p in old.get("products") or []] if remove_old_av else [],
        "remove_tasks": list(old.get("tasks") or []) if remove_old_scan_task else [],
        "install": will_install,
        "first_scan": bool(first_scan_on_hdd) and will_install
        and (discovered.get("disk") or {}).get("media_type") == "HDD",
        "defender_on": meeting and not (discovered.get("defender") or {}).get("realtime_enabled"),
    }


def ngav_task_name(path: str) -> str:
    return path.rsplit("\\", 1)[-1]


def ngav_task_folder(path: str) -> str:
    return path.rsplit("\\", 1)[0] + "\\"


def ngav_fact(result, role="staff_pc", product="NGAV", meeting_laptops_use_defender=True, check_mode=False):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not result or result.get("failed") or "old_av" not in result:
        message = (result or {}).get("msg") or "discovery did not run"
        return {"schema": 1, "collected_at": now, "actions": [], "checks": [
            {"id": "ngav.discovered", "status": "error", "message": f"could not check: {message}", "data": {}}]}
    old = result["old_av"]
    leftovers = _present(old.get("services"))
    products = [p["display_name"] for p in old.get("products") or []]
    checks = [
        {"id": "ngav.old_av_absent", "status": "fail" if products or leftovers else "pass",
         "message": ("old antivirus still present: " + ", ".join(products + leftovers)) if products or leftovers
         else "old antivirus not installed, no leftover services",
         "data": {"products": products, "leftover_services": leftovers}},
        {"id": "ngav.old_scan_task_absent", "status": "fail" if old.get("tasks") else "pass",
         "message": ("lunchtime scan still scheduled: " + ", ".join(old["tasks"])) if old.get("tasks")
         else "no scheduled scan of the old antivirus", "data": {"tasks": old.get("tasks") or []}},
    ]
    meeting = role == "web_meeting_laptop" and meeting_laptops_use_defender
    if meeting:
        defender = result.get("defender") or {}
        on = bool(defender.get("realtime_enabled")) or _on(defender.get("security_center"))
        checks.append({"id": "ngav.defender_realtime", "status": "pass" if on else "fail",
                       "message": "Windows Defender real-time protection on" if on
                       else "Windows Defender real-time protection off and no other antivirus",
                       "data": {"defender": defender}})
    else:
        ok = healthy(result)
        ngav = result.get("ngav") or {}
        checks.append({"id": "ngav.installed_healthy", "status": "pass" if ok else "fail",
                       "message": f"{product} installed, services running, registered on in Security Center" if ok
                       else f"{product} missing or unhealthy",
                       "data": {"product": ngav.get("product"), "services": ngav.get("services"),
                                "security_center": ngav.get("security_center"),
                                "disk": result.get("disk"), "last_boot": result.get("last_boot")}})
    actions = []
    if products or leftovers:
        actions.append({"id": "ngav.remove_old_av_by_hand",
                        "message_en": "The old antivirus could not be removed automatically: remove it by hand "
                                      "(uninstaller with the uninstall password) and restart the PC",
                        "message_ja": "旧ウイルス対策ソフトを自動で削除できませんでした。アンインストール用パスワードを"
                                      "使って手作業で削除し、PCを再起動してください"})
    if check_mode:
        for check in checks:
            check["message"] += " (check mode: nothing was changed)"
    return {"schema": 1, "collected_at": now, "checks": checks, "actions": actions}


class FilterModule:
    def filters(self):
        return {"ngav_plan": ngav_plan, "ngav_fact": ngav_fact, "ngav_task_name": ngav_task_name,
                "ngav_task_folder": ngav_task_folder}

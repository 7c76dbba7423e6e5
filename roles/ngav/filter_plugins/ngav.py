"""Filters of the ngav role: what differs (the plan), when the first scan starts, and the cutover_ngav fact."""

from __future__ import annotations

import datetime as dt

from cutover.evidence.facts import could_not_check, restart_pending, role_fact

ON = 0x1  # Security Center productState: bits 12-15 = 1 means "on"
ACTIONS = {
    "console": ("ngav.uninstall_from_console",
                "Uninstall the old antivirus agent of this PC from the Apex One console (Agent Uninstallation) or "
                "with Apex Central's \"Uninstall a Security Agent\", then run the converge again",
                "Apex One の管理コンソール（エージェントのアンインストール）または Apex Central から、この PC の"
                "旧ウイルス対策エージェントをアンインストールし、もう一度適用してください"),
    "by_hand": ("ngav.remove_old_av_by_hand",
                "The old antivirus could not be removed automatically: remove it by hand (uninstaller with the "
                "uninstall password) and restart the PC",
                "旧ウイルス対策ソフトを自動で削除できませんでした。アンインストール用パスワードを使って手作業で削除し、"
                "PCを再起動してください"),
    "restart": ("ngav.restart_pc",
                "Restart this PC: the old antivirus is uninstalled but its services and drivers go only at the "
                "restart; the NGAV is installed at the next converge after it",
                "この PC を再起動してください。旧ウイルス対策ソフトはアンインストール済みですが、サービスとドライバーは"
                "再起動で削除されます。再起動後の次回の適用で次世代ウイルス対策を導入します"),
}


def _on(entry) -> bool:
    return bool(entry) and ((int(entry.get("product_state", 0)) >> 12) & 0xF) == ON


def _present(services: dict) -> list[str]:
    return sorted(name for name, state in (services or {}).items() if state)


def healthy(discovered: dict) -> bool:
    ngav = discovered.get("ngav") or {}
    services = ngav.get("services") or {}
    return bool(ngav.get("product")) and all(s == "running" for s in services.values()) \
        and _on(ngav.get("security_center"))


def _first_scan_missed(discovered: dict) -> bool:
    scan = (discovered.get("ngav") or {}).get("first_scan") or {}
    return bool(scan.get("present")) and not scan.get("next_run_time") and not scan.get("last_run_time")


def ngav_plan(discovered, role="staff_pc", removal="console", remove_old_av=True, remove_old_scan_task=True,
              install=True, first_scan_on_hdd=True, meeting_laptops_use_defender=True, reboot_policy="report"):
    """What the role must change on this PC, from the one discovery call.

    The NGAV is installed only once the old agent is gone and nothing of it waits for a restart (two
    real-time engines must not run together); that restart happens in this run only when the wave's
    reboot policy is ``auto``.
    """
    old = discovered.get("old_av") or {}
    products = old.get("products") or []
    uninstall = [p["product_id"] for p in products] if remove_old_av and removal == "uninstaller" else []
    gone_after_run = not products or bool(uninstall)
    restart_needed = gone_after_run and bool(uninstall or _present(old.get("services")))
    restart = restart_needed and reboot_policy == "auto"
    meeting = role == "web_meeting_laptop" and meeting_laptops_use_defender
    wanted = bool(install) and not meeting and not healthy(discovered)
    install_now = wanted and gone_after_run and (not restart_needed or restart)
    hdd = (discovered.get("disk") or {}).get("media_type") == "HDD"
    return {
        "remove_products": uninstall,
        "remove_tasks": list(old.get("tasks") or []) if remove_old_scan_task else [],
        "restart": restart,
        "install": install_now,
        "first_scan": bool(first_scan_on_hdd) and hdd and not meeting
        and (install_now or (healthy(discovered) and _first_scan_missed(discovered))),
        # While another antivirus is registered Windows keeps Defender's real-time protection off whatever
        # the policy says: the policy is set only once the old agent is gone.
        "defender_on": meeting and gone_after_run and not (discovered.get("defender") or {}).get("realtime_enabled"),
    }


def ngav_next_window(clock, start="22:00", lead_minutes=15):
    """The next start of the off-hours window after the PC's clock, as Task Scheduler local time.

    ``clock`` is the PC's local time as discovery reads it (ISO 8601 with offset); the result has no
    offset because a task trigger's start boundary is the PC's local time.
    """
    now = dt.datetime.fromisoformat(str(clock))
    hour, minute = (int(part) for part in str(start).split(":"))
    candidate = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate < now + dt.timedelta(minutes=int(lead_minutes)):
        candidate += dt.timedelta(days=1)
    return candidate.strftime("%Y-%m-%dT%H:%M:%S")


def ngav_task_name(path: str) -> str:
    return path.rsplit("\\", 1)[-1]


def ngav_task_folder(path: str) -> str:
    return path.rsplit("\\", 1)[0] + "\\"


def _action(kind: str) -> dict:
    ident, en, ja = ACTIONS[kind]
    return {"id": ident, "message_en": en, "message_ja": ja}


def _old_av_check(result, removal):
    old = result["old_av"]
    leftovers = _present(old.get("services"))
    products = [p["display_name"] for p in old.get("products") or []]
    pending = (result.get("reboot_pending") or {}).get("reasons") or []
    data = {"products": products, "leftover_services": leftovers, "reboot_pending": pending}
    if products:
        return ({"id": "ngav.old_av_absent", "status": "fail", "data": data,
                 "message": "old antivirus still installed: " + ", ".join(products)},
                [_action("console" if removal == "console" else "by_hand")])
    if leftovers:
        return ({"id": "ngav.old_av_absent", "status": "pending", "data": data,
                 "message": "old antivirus uninstalled; its services go at the next restart: " + ", ".join(leftovers)},
                [_action("restart")])
    return ({"id": "ngav.old_av_absent", "status": "pass", "data": data,
             "message": "old antivirus not installed, no leftover services"}, [])


def _old_scan_check(result):
    """The lunchtime scan as it exists on an agent: the server's schedule in the agent's registry, run by the
    agent's scan service; plus any Task Scheduler task found in the configured folders."""
    old = result["old_av"]
    schedule = old.get("scheduled_scan") or {}
    scanner = (old.get("services") or {}).get("ntrtscan")
    active = bool(schedule.get("present") and schedule.get("enabled") and scanner)
    where = []
    if active:
        when = (f" at {schedule['hour']:02d}:{schedule['minute']:02d}"
                if schedule.get("hour") is not None and schedule.get("minute") is not None else "")
        where.append(f"Apex One scheduled scan{when} (server setting in the agent's registry)")
    where += old.get("tasks") or []
    if where:
        return {"id": "ngav.old_scan_task_absent", "status": "fail", "data": {"scheduled_scan": schedule,
                                                                             "tasks": old.get("tasks") or []},
                "message": "old antivirus scan still scheduled: " + ", ".join(where)}
    note = " (a schedule key is left without the agent's scan service)" if schedule.get("present") else ""
    return {"id": "ngav.old_scan_task_absent", "status": "pass", "message": "no scheduled scan of the old antivirus"
            + note, "data": {"scheduled_scan": schedule, "tasks": []}}


def ngav_fact(result, role="staff_pc", product="NGAV", meeting_laptops_use_defender=True, check_mode=False,
              removal="console", first_scan_on_hdd=True, registered=()):
    """The cutover_ngav fact; ``registered``: the uninstall, restart and install results, in the order they ran."""
    if not result or result.get("failed") or "old_av" not in result:
        return could_not_check("ngav", "discovered", (result or {}).get("msg") or "discovery did not run")
    old_check, actions = _old_av_check(result, removal)
    checks = [old_check, _old_scan_check(result)]
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
        status = "pass" if ok else ("pending" if old_check["status"] != "pass" else "fail")
        message = (f"{product} installed, services running, registered on in Security Center" if ok
                   else f"{product} is installed once the old antivirus is gone" if status == "pending"
                   else f"{product} missing or unhealthy")
        checks.append({"id": "ngav.installed_healthy", "status": status, "message": message,
                       "data": {"product": ngav.get("product"), "services": ngav.get("services"),
                                "security_center": ngav.get("security_center"),
                                "disk": result.get("disk"), "last_boot": result.get("last_boot")}})
        scan = ngav.get("first_scan") or {}
        if ok and first_scan_on_hdd and (result.get("disk") or {}).get("media_type") == "HDD":
            done = scan.get("last_run_time") and scan.get("last_result") == 0
            armed = scan.get("present") and scan.get("next_run_time")
            checks.append({"id": "ngav.first_scan_scheduled", "status": "pass" if done or armed else "fail",
                           "message": ("first full scan done" if done else
                                       f"first full scan starts {scan['next_run_time']}" if armed else
                                       "no first full scan scheduled to run (missed or missing)"),
                           "data": scan})
    if check_mode:
        for entry in checks:
            entry["message"] += " (check mode: nothing was changed)"
    # The one reboot signal of this role: the old agent's services and drivers go only at a restart, and an
    # uninstaller or installer may ask for one (exit 3010) that no restart of this run answered.
    return role_fact("ngav", checks, actions,
                     reboot_required=old_check["status"] == "pending" or restart_pending(*registered))


class FilterModule:
    def filters(self):
        return {"ngav_plan": ngav_plan, "ngav_fact": ngav_fact, "ngav_task_name": ngav_task_name,
                "ngav_task_folder": ngav_task_folder, "ngav_next_window": ngav_next_window}

"""NGAV area: the old antivirus gone, the NGAV (or Defender on web-meeting laptops) on, the HDD first scan."""

from __future__ import annotations

import fnmatch

from cutover.verify import requests
from cutover.verify.checks.model import Finding
from cutover.verify.checks.raw import Raw
from cutover.verify.expect import PcExpectation

DEFENDER = "Windows Defender"
DEFENDER_SERVICE = "WinDefend"


def _like(value: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def _on(entry: dict | None) -> bool:
    """Security Center productState bits 12-15: 1 means on (community decoding, see docs/evidence.md)."""
    return entry is not None and (int(entry["product_state"]) >> 12) & 0xF == 1


def _old_av(pc: PcExpectation, raw: Raw) -> list[Finding]:
    out = []
    if pc.old_av.remove_product:
        products = sorted({str(e["DisplayName"]) for e in raw.uninstall()
                           if _like(str(e["DisplayName"]), pc.old_av.display_patterns)})
        leftovers = sorted(n for n in pc.old_av.services if raw.service(n)["exists"])
        present = products + [f"service {s}" for s in leftovers]
        out.append(Finding(
            pc.site, pc.host, "ngav.old_av_absent", "fail" if present else "pass",
            ("old antivirus still present: " + ", ".join(present)) if present
            else "no uninstall entry and no service of the old antivirus",
            action_en="Remove the old antivirus by hand (its uninstaller with the uninstall password), then restart"
            if present else None,
            action_ja="旧ウイルス対策ソフトをアンインストール用パスワードで手作業で削除し、再起動してください"
            if present else None,
            data={"products": products, "services": leftovers}))
    if pc.old_av.remove_task:
        out.append(_old_scan(pc, raw))
    return out


def _old_scan(pc: PcExpectation, raw: Raw) -> Finding:
    """The lunchtime scan as it exists on an Apex One agent: the server's schedule in the agent's registry,
    enabled and run by the agent's scan service; plus any Task Scheduler task in the configured folders."""
    problem = raw.error_about("scheduled_tasks") or raw.error_about("registry") or raw.error_about("services")
    if problem:
        return Finding(pc.site, pc.host, "ngav.old_scan_task_absent", "error", f"could not check: {problem}")
    tasks = sorted(t["path"] for t in raw.tasks()
                   if any(t["path"].lower().startswith(f.lower()) for f in pc.old_av.task_folders))
    where = list(tasks)
    schedule = None
    if pc.old_av.schedule_key:
        key = requests.schedule_key(pc.old_av.schedule_key)
        enable, hour, minute = (raw.value(key, name) for name in requests.SCHEDULE_VALUES)
        schedule = {"enable": enable and enable["value"], "hour": hour and hour["value"],
                    "minute": minute and minute["value"]}
        if enable is not None and int(enable["value"]) == 1 and raw.service(requests.SCAN_SERVICE)["exists"]:
            when = f" at {int(hour['value']):02d}:{int(minute['value']):02d}" if hour and minute else ""
            where.insert(0, f"Apex One scheduled scan{when} ({key} Enable = 1, {requests.SCAN_SERVICE} present)")
    return Finding(pc.site, pc.host, "ngav.old_scan_task_absent", "fail" if where else "pass",
                   ("old antivirus scan still scheduled: " + ", ".join(where)) if where
                   else "no scheduled scan of the old antivirus", data={"tasks": tasks, "schedule": schedule})


def _security_center(pc: PcExpectation, raw: Raw, check: str, name: str) -> tuple[dict | None, Finding | None]:
    """The product's Security Center entry, or a finding when there is nothing to look it up in."""
    center = raw.result.get("security_center")
    if center is None:
        reason = raw.error_about("security_center") or "no Security Center data"
        return None, Finding(pc.site, pc.host, check, "error", f"could not check: {reason}")
    return next((e for e in center if e["display_name"] == name), None), None


def _ngav(pc: PcExpectation, raw: Raw) -> list[Finding]:
    expected = pc.ngav
    out = []
    product = next((e for e in raw.uninstall() if _like(str(e["DisplayName"]), [expected.display_pattern])), None)
    out.append(Finding(
        pc.site, pc.host, "ngav.installed", "pass" if product else "fail",
        f"{product['DisplayName']} {product.get('DisplayVersion') or ''}".strip() if product
        else f"no uninstall entry matching {expected.display_pattern!r}", data={"product": product}))
    services = {n: raw.service(n) for n in expected.services}
    stopped = sorted(n for n, s in services.items() if s["state"] != "running")
    out.append(Finding(
        pc.site, pc.host, "ngav.services_running", "fail" if stopped or not services else "pass",
        ("not running: " + ", ".join(f"{n} ({services[n]['state'] or 'missing'})" for n in stopped)) if stopped
        else "no NGAV service configured (ngav_product_services)" if not services
        else "running: " + ", ".join(sorted(services)), data={"services": services}))
    entry, problem = _security_center(pc, raw, "ngav.security_center_on", expected.security_center_name)
    if problem:
        out.append(problem)
    elif entry is None:
        registered = ", ".join(e["display_name"] for e in raw.result["security_center"]) or "none"
        out.append(Finding(pc.site, pc.host, "ngav.security_center_on", "fail",
                           f"{expected.security_center_name!r} not registered in Security Center "
                           f"(registered: {registered})", data={"security_center": raw.result["security_center"]}))
    else:
        out.append(Finding(pc.site, pc.host, "ngav.security_center_on", "pass" if _on(entry) else "fail",
                           f"{entry['display_name']}: productState 0x{int(entry['product_state']):X} "
                           + ("(on)" if _on(entry) else "(not on)"), data={"entry": entry}))
    return out


def _defender(pc: PcExpectation, raw: Raw) -> Finding:
    entry, problem = _security_center(pc, raw, "ngav.defender_on", DEFENDER)
    if problem:
        return problem
    service = raw.service(DEFENDER_SERVICE)
    on = _on(entry) and service["state"] == "running"
    state = "missing" if entry is None else f"0x{int(entry['product_state']):X}"
    return Finding(pc.site, pc.host, "ngav.defender_on", "pass" if on else "fail",
                   "Windows Defender on in Security Center, WinDefend running" if on
                   else f"Windows Defender not on (Security Center {state}, WinDefend {service['state']})",
                   data={"entry": entry, "service": service})


def _first_scan(pc: PcExpectation, raw: Raw) -> Finding:
    problem = raw.error_about("scheduled_tasks")
    if problem:
        return Finding(pc.site, pc.host, "ngav.first_scan_task", "error", f"could not check: {problem}")
    task = raw.task(pc.first_scan_task)
    ok = task is not None and task["enabled"]
    return Finding(pc.site, pc.host, "ngav.first_scan_task", "pass" if ok else "fail",
                   f"{pc.first_scan_task} scheduled" if ok else
                   f"{pc.first_scan_task} {'disabled' if task else 'missing'}: the first full scan would run in "
                   "office hours on this HDD PC", data={"task": task})


def check_ngav(pc: PcExpectation, raw: Raw) -> list[Finding]:
    out = []
    if pc.old_av:
        out += _old_av(pc, raw)
    if pc.ngav:
        out += _ngav(pc, raw)
    if pc.defender:
        out.append(_defender(pc, raw))
    if pc.first_scan_task:
        out.append(_first_scan(pc, raw))
    return out

"""Filters of the fileshare_client role: the drive map, what differs (the plan), and the cutover_fileshare fact."""

from __future__ import annotations

import datetime as dt
import hashlib

# The logon task's definition the role wants. Task Scheduler starts nothing on battery by default
# (DisallowStartIfOnBatteries and StopIfGoingOnBatteries are True when not set), which would leave
# notebooks on battery without drives: both are set to False.
TASK_FIELDS = ("enabled", "group", "run_level", "disallow_start_if_on_batteries", "stop_if_going_on_batteries",
               "execution_time_limit")

ALTERNATIVES = ("ask the ISP to allow outbound TCP 445 to *.file.core.windows.net; otherwise a point-to-site "
                "VPN, ExpressRoute, or Azure File Sync on a local server (HTTPS 443)")


def fileshare_drive_map(mappings, shares, storage_host, site_id):
    by_name = {s["name"]: s for s in shares or []}
    out = []
    for m in mappings or []:
        share = by_name.get(m["share"], {})
        folder = f"\\{m['folder']}" if m.get("folder") else ""
        legacy = share.get("legacy_unc")
        out.append({"group": f"cutover-{site_id}-{m['group']}", "letter": m["letter"],
                    "unc": f"\\\\{storage_host}\\{m['share']}{folder}",
                    "legacy_unc": f"{legacy}{folder}" if legacy else None})
    return out


def fileshare_files(directory, script, configuration):
    """The mapping's files with the SHA-1 of exactly the bytes win_copy writes (UTF-8 of the content)."""
    return [{"path": f"{directory}\\{name}", "content": content,
             "sha1": hashlib.sha1(content.encode("utf-8")).hexdigest()}
            for name, content in (("cutover-map-drives.ps1", script), ("drive-map.json", configuration))]


def fileshare_plan(readiness, files, task, ticket_retrieval=True, install_mapping=True):
    """What differs, compared byte for byte (SHA-1, case-sensitive) and field for field (the task)."""
    discovered = (readiness or {}).get("mapping") or {}
    current = discovered.get("files") or {}
    copy = [f for f in files if current.get(f["path"]) != f["sha1"]] if install_mapping else []
    found = discovered.get("task") or {"present": False}
    wanted = {k: task.get(k) for k in TASK_FIELDS}
    differs = not found.get("present") or any(found.get(k) != v for k, v in wanted.items()) \
        or [(a.get("path"), a.get("arguments") or "") for a in found.get("actions") or []] \
        != [(a.get("path"), a.get("arguments") or "") for a in task.get("actions") or []] \
        or [t.get("type") for t in found.get("triggers") or []] != [t.get("type") for t in task.get("triggers") or []]
    ticket = ((readiness or {}).get("ticket_retrieval") or {}).get("value")
    return {"write": copy, "directory": any(current.get(f["path"]) is None for f in copy),
            "task": bool(install_mapping) and bool(differs),
            "ticket_retrieval": bool(ticket_retrieval) and ticket != 1}


def fileshare_fact(readiness, identity_mode, mapping=None, switch=False, rollback=False, plan=None, ticket=None):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not readiness or readiness.get("failed") or "tcp" not in readiness:
        message = (readiness or {}).get("msg", "readiness discovery did not run")
        return {"schema": 1, "collected_at": now, "actions": [],
                "checks": [{"id": "fileshare.readiness", "status": "error", "message": f"could not check: {message}",
                            "data": {}}]}
    tcp, os_info, join = readiness["tcp"], readiness["os"], readiness["entra_join"]
    services = readiness["services"]
    before = (readiness.get("ticket_retrieval") or {}).get("value")
    set_now = bool(ticket) and ticket.get("changed") and not ticket.get("failed")
    ticket = {"before": before, "after": 1 if set_now else before, "changed": bool(set_now)}
    build = int(os_info.get("build") or 0)
    if identity_mode == "cloud_only":
        os_ok = build >= 22000 and os_info.get("edition_id") in ("Professional", "Enterprise", "Education")
        need = "Windows 11 Pro/Enterprise (cloud-only identities)"
    else:
        os_ok = build >= 19041
        need = "Windows 10 2004 or later, or Windows 11 (hybrid identities)"
    stopped = sorted(n for n, s in services.items() if s.get("state") != "running")
    checks = [
        {"id": "fileshare.tcp445", "status": "pass" if tcp["reachable"] else "fail",
         "message": (f"TCP {tcp['port']} to {tcp['host']} reachable" if tcp["reachable"]
                     else f"TCP {tcp['port']} to {tcp['host']} blocked ({tcp.get('error')}): {ALTERNATIVES}"),
         "data": tcp},
        {"id": "fileshare.os_supported", "status": "pass" if os_ok else "fail",
         "message": f"{os_info.get('caption')} build {build}" + ("" if os_ok else f": needs {need}"), "data": os_info},
        {"id": "fileshare.entra_joined", "status": "pass" if join.get("azure_ad_joined") else
         ("error" if join.get("azure_ad_joined") is None else "fail"),
         "message": "Entra joined" if join.get("azure_ad_joined") else "not Entra (hybrid) joined", "data": join},
        {"id": "fileshare.ticket_retrieval", "status": "pass" if ticket.get("after") == 1 else "fail",
         "message": ("CloudKerberosTicketRetrievalEnabled = 1" + (" (set now: takes effect after a restart)"
                                                                  if ticket.get("changed") else ""))
         if ticket.get("after") == 1 else "CloudKerberosTicketRetrievalEnabled is not set", "data": ticket},
        {"id": "fileshare.services", "status": "fail" if stopped else "pass",
         "message": ("services not running: " + ", ".join(stopped)) if stopped else "required services running",
         "data": services},
    ]
    if mapping is not None:
        failed = [name for name, result in mapping.items() if (result or {}).get("failed")]
        changed = [name for name, result in mapping.items() if (result or {}).get("changed")]
        checks.append({"id": "fileshare.mapping_installed", "status": "error" if failed else "pass",
                       "message": (f"could not install the logon-time mapping ({', '.join(failed)})" if failed else
                                   "logon-time mapping installed" + (f" (changed now: {', '.join(changed)})"
                                                                     if changed else ""))
                       + ("; switched to the Azure file share" if switch else "")
                       + ("; rollback: old mappings restored at next logon" if rollback else ""),
                       "data": {"switch_mappings": switch, "rollback": rollback, "plan": plan or {}}})
    actions = []
    if not tcp["reachable"]:
        actions.append({"id": "fileshare.port445", "message_en": f"TCP 445 is blocked at this office: {ALTERNATIVES}",
                        "message_ja": "この事務所では TCP 445 が遮断されています。プロバイダーへの開放依頼、"
                                      "または VPN／ExpressRoute／Azure File Sync を検討してください"})
    return {"schema": 1, "collected_at": now, "checks": checks, "actions": actions}


class FilterModule:
    def filters(self):
        return {"fileshare_drive_map": fileshare_drive_map, "fileshare_fact": fileshare_fact,
                "fileshare_files": fileshare_files, "fileshare_plan": fileshare_plan}

"""Filters of the fileshare_client role: the drive map, and readiness as the cutover_fileshare fact."""

from __future__ import annotations

import datetime as dt

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


def fileshare_fact(readiness, identity_mode, mapping=None, switch=False, rollback=False):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not readiness or readiness.get("failed") or "tcp" not in readiness:
        message = (readiness or {}).get("msg", "readiness discovery did not run")
        return {"schema": 1, "collected_at": now, "actions": [],
                "checks": [{"id": "fileshare.readiness", "status": "error", "message": f"could not check: {message}",
                            "data": {}}]}
    tcp, os_info, join = readiness["tcp"], readiness["os"], readiness["entra_join"]
    ticket, services = readiness["ticket_retrieval"], readiness["services"]
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
    if mapping is not None and not mapping.get("skipped"):
        checks.append({"id": "fileshare.mapping_installed", "status": "error" if mapping.get("failed") else "pass",
                       "message": "logon-time mapping installed" + (" (changed now)" if mapping.get("changed") else "")
                       + ("; switched to the Azure file share" if switch else "")
                       + ("; rollback: old mappings restored at next logon" if rollback else ""),
                       "data": {"switch_mappings": switch, "rollback": rollback}})
    actions = []
    if not tcp["reachable"]:
        actions.append({"id": "fileshare.port445", "message_en": f"TCP 445 is blocked at this office: {ALTERNATIVES}",
                        "message_ja": "この事務所では TCP 445 が遮断されています。プロバイダーへの開放依頼、"
                                      "または VPN／ExpressRoute／Azure File Sync を検討してください"})
    return {"schema": 1, "collected_at": now, "checks": checks, "actions": actions}


class FilterModule:
    def filters(self):
        return {"fileshare_drive_map": fileshare_drive_map, "fileshare_fact": fileshare_fact}

"""Filters of the fileshare_client role: the drive map, what differs (the plan), and the cutover_fileshare fact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from cutover.evidence.facts import could_not_check, role_fact

# The logon task's definition the role wants. Task Scheduler starts nothing on battery by default
# (DisallowStartIfOnBatteries and StopIfGoingOnBatteries are True when not set), which would leave
# notebooks on battery without drives: both are set to False.
TASK_FIELDS = ("enabled", "group", "run_level", "disallow_start_if_on_batteries", "stop_if_going_on_batteries",
               "execution_time_limit")

# SMB channel encryption (the share's channelEncryption). Azure Files negotiates AES-256-GCM only with
# Windows 11 / Server 2022 clients; a share allowing AES-256-GCM alone refuses Windows 10's session setup
# (STATUS_ACCESS_DENIED), and Windows 11 must be told to use it through the client cipher suite order
# (https://learn.microsoft.com/azure/storage/files/files-smb-protocol; the policy "Cipher suite order",
# HKLM\SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation CipherSuiteOrder, read at restart).
WINDOWS11_FIRST_BUILD = 22000
AES256_ONLY = "AES-256-GCM"  # Azure's name of the cipher
AES256_SUITE = "AES_256_GCM"  # Windows' name of the same cipher suite

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


def drive_map_json(configuration) -> str:
    """drive-map.json as the logon script reads it: sorted keys, 4-space indent, ASCII escapes, a final newline."""
    return json.dumps(configuration, indent=4, sort_keys=True, separators=(",", ": "), ensure_ascii=True) + "\n"


def fileshare_files(directory, script, configuration):
    """The mapping's files with the SHA-1 of exactly the bytes win_copy writes (UTF-8 of the content).

    ``configuration`` is the drive map as a mapping (written as :func:`drive_map_json`) or as its text.
    """
    if isinstance(configuration, Mapping):
        configuration = drive_map_json(configuration)
    return [{"path": f"{directory}\\{name}", "content": content,
             "sha1": hashlib.sha1(content.encode("utf-8")).hexdigest()}
            for name, content in (("cutover-map-drives.ps1", script), ("drive-map.json", configuration))]


def aes256_only(channel_encryption) -> bool:
    """The share allows AES-256-GCM alone (``AES-256-GCM``), not ``AES-128-GCM;AES-256-GCM``."""
    return {c.strip() for c in str(channel_encryption or "").split(";") if c.strip()} == {AES256_ONLY}


def _cipher_order_wanted(readiness, channel_encryption, cipher_order) -> bool:
    """Windows 11 at a share that allows AES-256-GCM only, whose policy order does not start with it."""
    build = int(((readiness or {}).get("os") or {}).get("build") or 0)
    current = ((readiness or {}).get("smb_client") or {}).get("cipher_suite_order")
    return (aes256_only(channel_encryption) and build >= WINDOWS11_FIRST_BUILD and bool(cipher_order)
            and list(current or []) != list(cipher_order))


def fileshare_plan(readiness, files, task, ticket_retrieval=True, install_mapping=True, channel_encryption=None,
                   cipher_order=None):
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
            "ticket_retrieval": bool(ticket_retrieval) and ticket != 1,
            "cipher_order": _cipher_order_wanted(readiness, channel_encryption, cipher_order)}


def _cipher_check(readiness, channel_encryption, cipher_order, cipher):
    build = int((readiness.get("os") or {}).get("build") or 0)
    found = (readiness.get("smb_client") or {}).get("cipher_suite_order")
    set_now = bool(cipher) and cipher.get("changed") and not cipher.get("failed")
    order = list(cipher_order or []) if set_now else list(found or [])
    data = {"channel_encryption": channel_encryption, "cipher_suite_order": order or None, "changed": bool(set_now)}
    if not aes256_only(channel_encryption):
        return {"id": "fileshare.smb_cipher", "status": "pass", "data": data,
                "message": f"the share allows {channel_encryption or 'AES-128-GCM'}: Windows' default cipher order"}
    if build < WINDOWS11_FIRST_BUILD:
        return {"id": "fileshare.smb_cipher", "status": "fail", "data": data,
                "message": "the share allows AES-256-GCM only, which Windows 10 cannot negotiate: upgrade to "
                           "Windows 11 (or keep AES-128-GCM allowed at this site until its Windows 10 deadline)"}
    if order[:1] == [AES256_SUITE]:
        return {"id": "fileshare.smb_cipher", "status": "pass", "data": data,
                "message": "SMB client cipher order starts with AES_256_GCM"
                           + (" (set now: takes effect after a restart)" if set_now else "")}
    return {"id": "fileshare.smb_cipher", "status": "fail", "data": data,
            "message": "the share allows AES-256-GCM only and this PC's SMB cipher order "
                       + (f"is {', '.join(order)}" if order else "is Windows' default (AES_128_GCM first)")}


def fileshare_fact(readiness, identity_mode, mapping=None, switch=False, rollback=False, plan=None, ticket=None,
                   channel_encryption=None, cipher_order=None, cipher=None):
    if not readiness or readiness.get("failed") or "tcp" not in readiness:
        why = (readiness or {}).get("msg", "readiness discovery did not run")
        return could_not_check("fileshare", "readiness", why)
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
        _cipher_check(readiness, channel_encryption, cipher_order, cipher),
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
    # CloudKerberosTicketRetrievalEnabled set in this run takes effect only after a restart.
    # Both registry settings written in this run take effect only after a restart: the role's one reboot signal.
    cipher_set = bool(cipher) and cipher.get("changed") and not cipher.get("failed")
    return role_fact("fileshare", checks, actions, reboot_required=bool(set_now or cipher_set))


class FilterModule:
    def filters(self):
        return {"fileshare_drive_map": fileshare_drive_map, "fileshare_fact": fileshare_fact,
                "fileshare_files": fileshare_files, "fileshare_plan": fileshare_plan}

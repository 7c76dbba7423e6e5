"""Twin counterparts of the fileshare_client role's modules."""

from __future__ import annotations

import hashlib

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register

KERBEROS = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"


@register("cutover_fileshare_readiness", {
    "storage_host": opt("str", required=True), "port": opt("int", 445), "timeout_ms": opt("int", 3000),
    "ensure_ticket_retrieval": opt("bool", False),
    "services": opt("list", ["WinHttpAutoProxySvc", "iphlpsvc", "LanmanWorkstation"], elements="str"),
})
def cutover_fileshare_readiness(state, p, check_mode, diff):
    reachable = bool(state["network"].get("tcp", {}).get(f"{p['storage_host']}:{p['port']}", False))
    tcp = {"host": p["storage_host"], "port": p["port"], "reachable": reachable,
           "error": None if reachable else f"no answer within {p['timeout_ms']} ms",
           "elapsed_ms": 12 if reachable else p["timeout_ms"]}
    values = twin_state.reg_get(state, KERBEROS) or {}
    current = (values.get("CloudKerberosTicketRetrievalEnabled") or {}).get("data")
    ticket = {"before": current, "after": current, "changed": False}
    changed = False
    if p["ensure_ticket_retrieval"] and current != 1:
        if not check_mode:
            twin_state.reg_set(state, KERBEROS, "CloudKerberosTicketRetrievalEnabled", "REG_DWORD", 1)
        ticket.update(after=1, changed=True)
        changed = True
    services = {}
    for name in p["services"]:
        service = state["services"].get(name)
        services[name] = ({"exists": False, "state": None, "start_mode": None} if service is None else
                          {"exists": True, "state": service["state"], "start_mode": service["start_mode"]})
    os_info = state["os"]
    return {"changed": changed, "tcp": tcp, "os": {"caption": os_info["caption"], "build": os_info["build"],
                                                    "ubr": os_info["ubr"], "edition_id": os_info["edition_id"]},
            "entra_join": dict(state.get("entra_join", {"azure_ad_joined": None, "domain_joined": None,
                                                         "error": "dsregcmd gave no answer"})),
            "ticket_retrieval": ticket, "services": services}


@register("cutover_logon_mapping", {
    "directory": opt("str", "C:\\ProgramData\\cutover"), "script": opt("str", required=True),
    "configuration": opt("str", required=True), "task_name": opt("str", "cutover drive mapping"),
    "state": opt("str", "present", ["present", "absent"]),
})
def cutover_logon_mapping(state, p, check_mode, diff):
    files = {f"{p['directory']}\\cutover-map-drives.ps1": p["script"],
             f"{p['directory']}\\drive-map.json": p["configuration"]}
    task = f"\\Cutover\\{p['task_name']}"
    changed = False
    if p["state"] == "absent":
        for path in files:
            if path in state["files"]:
                if not check_mode:
                    del state["files"][path]
                changed = True
        if task in state["scheduled_tasks"]:
            if not check_mode:
                del state["scheduled_tasks"][task]
            changed = True
        return {"changed": changed}
    for path, content in files.items():
        data = content.encode("utf-8")
        entry = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "content": content}
        if state["files"].get(path) != entry:
            if not check_mode:
                state["files"][path] = entry
            changed = True
    if task not in state["scheduled_tasks"]:
        if not check_mode:
            state["scheduled_tasks"][task] = {
                "triggers": [{"type": "logon"}], "principal": "S-1-5-32-545",
                "actions": [{"path": "powershell.exe",
                             "arguments": f"-File {p['directory']}\\cutover-map-drives.ps1"}]}
        changed = True
    return {"changed": changed}

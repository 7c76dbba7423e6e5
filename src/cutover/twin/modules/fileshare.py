"""Twin counterpart of the fileshare_client role's read-only discovery module."""

from __future__ import annotations

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register, windows

KERBEROS = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"
LANMAN_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\LanmanWorkstation"  # CipherSuiteOrder (policy)
# ServiceController.StartType names, as the module reports them (the twin stores Win32 start modes).
START_TYPES = {"auto": "automatic", "delayed": "automatic", "manual": "manual", "disabled": "disabled"}
TASK_FIELDS = ("enabled", "group", "run_level", "disallow_start_if_on_batteries", "stop_if_going_on_batteries",
               "execution_time_limit")


def _task(state, path: str) -> dict:
    task = state["scheduled_tasks"].get(path)
    if task is None:
        return {"present": False}
    return {"present": True, **{k: task.get(k) for k in TASK_FIELDS},
            "actions": [{"path": a.get("path"), "arguments": a.get("arguments") or ""}
                        for a in task.get("actions") or []],
            "triggers": [{"type": t.get("type")} for t in task.get("triggers") or []]}


@register("cutover_fileshare_readiness", {
    "storage_host": opt("str", required=True), "port": opt("int", 445), "timeout_ms": opt("int", 3000),
    "mapping_files": opt("list", [], elements="str"),
    "mapping_task": opt("str", "\\Cutover\\cutover drive mapping"),
    "services": opt("list", ["WinHttpAutoProxySvc", "iphlpsvc", "LanmanWorkstation"], elements="str"),
})
def cutover_fileshare_readiness(state, p, check_mode, diff):
    reachable = bool(state["network"].get("tcp", {}).get(f"{p['storage_host']}:{p['port']}", False))
    tcp = {"host": p["storage_host"], "port": p["port"], "reachable": reachable,
           "error": None if reachable else f"no answer within {p['timeout_ms']} ms",
           "elapsed_ms": 12 if reachable else p["timeout_ms"]}
    values = twin_state.reg_get(state, KERBEROS) or {}
    ticket = (values.get("CloudKerberosTicketRetrievalEnabled") or {}).get("data")
    order = ((twin_state.reg_get(state, LANMAN_POLICY) or {}).get("CipherSuiteOrder") or {}).get("data")
    services = {}
    for name in p["services"]:
        service = state["services"].get(name)
        services[name] = ({"exists": False, "state": None, "start_mode": None} if service is None else
                          {"exists": True, "state": service["state"],
                           "start_mode": START_TYPES.get(service["start_mode"], service["start_mode"])})
    os_info = state["os"]
    files = {path: windows.file_sha1(state["files"].get(path)) for path in p["mapping_files"]}
    return {"changed": False, "tcp": tcp, "os": {"caption": os_info["caption"], "build": os_info["build"],
                                                  "ubr": os_info["ubr"], "edition_id": os_info["edition_id"]},
            "entra_join": dict(state.get("entra_join", {"azure_ad_joined": None, "domain_joined": None,
                                                         "error": "dsregcmd gave no answer"})),
            "ticket_retrieval": {"value": None if ticket is None else int(ticket)}, "services": services,
            "smb_client": {"cipher_suite_order": None if order is None else [str(x) for x in order]},
            "mapping": {"files": files, "task": _task(state, p["mapping_task"])}}

"""File-share area: Kerberos cloud ticket retrieval where needed, the logon-time drive mapping installed."""

from __future__ import annotations

import json

from cutover.verify import requests
from cutover.verify.checks.model import Finding
from cutover.verify.checks.raw import Raw
from cutover.verify.expect import PcExpectation


def check_fileshare(pc: PcExpectation, raw: Raw) -> list[Finding]:
    out = []
    if pc.ticket_retrieval:
        value = raw.value(requests.KERBEROS, requests.TICKET_RETRIEVAL)
        on = value is not None and value["type"] == "REG_DWORD" and int(value["value"]) == 1
        out.append(Finding(pc.site, pc.host, "fileshare.ticket_retrieval", "pass" if on else "fail",
                           f"{requests.TICKET_RETRIEVAL} = 1" if on else
                           f"{requests.TICKET_RETRIEVAL} is {'not set' if value is None else value['value']} "
                           "(Entra Kerberos needs 1)", data={"value": value}))
    if pc.cipher_order:
        value = raw.value(requests.LANMAN_POLICY, requests.CIPHER_SUITE_ORDER)
        found = list(value["value"]) if value is not None and value["type"] == "REG_MULTI_SZ" else None
        ok = found == list(pc.cipher_order)
        out.append(Finding(pc.site, pc.host, "fileshare.smb_cipher_order", "pass" if ok else "fail",
                           f"{requests.CIPHER_SUITE_ORDER} = {', '.join(found)}" if ok else
                           f"{requests.CIPHER_SUITE_ORDER} is {'not set' if value is None else value['value']} "
                           f"(the share allows AES-256-GCM only: expected {', '.join(pc.cipher_order)})",
                           data={"value": value}))
    if pc.drive_map:
        out.append(_check_drive_map(pc, raw))
    return out


def _check_drive_map(pc: PcExpectation, raw: Raw) -> Finding:
    expected = pc.drive_map
    if raw.error_about("scheduled_tasks") or raw.error_about("files"):
        return Finding(pc.site, pc.host, "fileshare.drive_mapping_task", "error",
                       "could not check: " + (raw.error_about("scheduled_tasks") or raw.error_about("files")))
    problems = []
    task = raw.task(expected.task_path)
    if task is None:
        problems.append(f"task {expected.task_path} missing")
    else:
        if not task["enabled"]:
            problems.append(f"task {expected.task_path} disabled")
        if not any(expected.script.lower() in str(a.get("arguments") or "").lower() for a in task["actions"]):
            problems.append(f"task {expected.task_path} does not run {expected.script}")
    if raw.file(expected.script) is None:
        problems.append(f"{expected.script} missing")
    configuration = raw.file(expected.configuration)
    mappings = None
    if configuration is None:
        problems.append(f"{expected.configuration} missing")
    else:
        try:
            document = json.loads("\n".join(configuration.get("lines") or []))
            mappings = sorted((m["letter"], m["unc"]) for m in document.get("mappings") or [])
        except (json.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
            problems.append(f"{expected.configuration} unreadable ({exc})")
        else:
            if document.get("site") != expected.site:
                problems.append(f"{expected.configuration} is for site {document.get('site')!r}")
            if mappings != list(expected.mappings):
                problems.append(f"{expected.configuration} maps {mappings}, expected {list(expected.mappings)}")
    data = {"task": task, "mappings": mappings}
    if problems:
        return Finding(pc.site, pc.host, "fileshare.drive_mapping_task", "fail", "; ".join(problems), data=data)
    return Finding(pc.site, pc.host, "fileshare.drive_mapping_task", "pass",
                   f"{expected.task_path} runs at logon; {len(expected.mappings)} mapping(s) for {expected.site}",
                   data=data)

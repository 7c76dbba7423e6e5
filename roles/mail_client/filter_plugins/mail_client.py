"""Filters of the mail_client role: which addresses to converge, and the cutover_mail fact."""

from __future__ import annotations

import datetime as dt

CLIENTS = ("outlook", "thunderbird")
_STATUS = {"ok": "pass", "changed": "pass", "pending": "pending"}


def mail_client_targets(accounts, client):
    """Personal addresses this PC reads with ``client`` (shared addresses are never touched)."""
    if client not in CLIENTS:
        raise ValueError(f"client must be one of {CLIENTS}, got {client!r}")
    return sorted({a["address"].lower() for a in accounts or []
                   if a.get("kind") == "personal" and client in str(a.get("client", "")).split("+")})


def _found(result):
    return {record["address"]: record for record in (result or {}).get("accounts", [])}


def mail_client_fact(accounts, outlook_result, thunderbird_result, days, check_mode=False):
    """The cutover_mail fact (schema 1): one check per targeted address and client."""
    checks = []
    actions = []
    for client, result in (("outlook", outlook_result), ("thunderbird", thunderbird_result)):
        targets = mail_client_targets(accounts, client)
        if not targets:
            continue
        if not result or result.get("skipped"):
            for address in targets:
                checks.append({"id": f"mail.{client}.{address}", "status": "not_applicable",
                               "message": f"{client} convergence switched off", "data": {"address": address}})
            continue
        if result.get("failed"):
            for address in targets:
                checks.append({"id": f"mail.{client}.{address}", "status": "error",
                               "message": f"could not check {client}: {result.get('msg', 'module failed')}",
                               "data": {"address": address}})
            continue
        found = _found(result)
        locked = [u for u in result.get("users", []) if u.get("status") in ("error", "pending")]
        for address in targets:
            record = found.get(address)
            if record is None:
                if locked:
                    status, message = "error", (f"{address} not found, but {len(locked)} user profile(s) could not be "
                                                "read: " + "; ".join(str(u.get("reason")) for u in locked))
                else:
                    status, message = "fail", f"{address} is not configured in {client} on this PC"
                    actions.append({"id": f"mail.{client}.not_found",
                                    "message_en": f"Check {address}: the survey says {client} reads it on this PC, "
                                                  "but no such POP account exists",
                                    "message_ja": f"{address}: 調査回答では{client}で受信とされていますが、"
                                                  "このPCにPOPアカウントがありません。回答または端末を確認してください"})
                checks.append({"id": f"mail.{client}.{address}", "status": status, "message": message,
                               "data": {"address": address, "found": False}})
                continue
            status = _STATUS.get(record.get("status"), "error")
            if check_mode and record.get("status") == "changed":
                status = "fail"  # check mode: it would change, so it is not compliant yet
            verb = {"ok": "already set", "changed": "would be set" if check_mode else "set",
                    "pending": "pending"}.get(record.get("status"), record.get("status"))
            message = f"{address}: keep a copy, remove after {days} days — {verb}"
            if record.get("reason"):
                message += f" ({record['reason']})"
            checks.append({"id": f"mail.{client}.{address}", "status": status, "message": message,
                           "data": {"address": address, "found": True, "before": record.get("before"),
                                    "after": record.get("after"), "module_status": record.get("status")}})
    return {
        "schema": 1,
        "collected_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "checks": checks,
        "actions": actions,
    }


class FilterModule:
    def filters(self):
        return {"mail_client_targets": mail_client_targets, "mail_client_fact": mail_client_fact}

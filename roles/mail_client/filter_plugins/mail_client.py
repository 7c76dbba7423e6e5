"""Filters of the mail_client role: which addresses to converge, what differs, and the cutover_mail fact.

The discovery module (cutover_mail_facts) only reads. ``mail_client_plan`` decides, from what it
read, which Outlook accounts need ``Leave on Server`` written (ansible.windows.win_regedit: through
HKU:\\<SID> for a logged-on user, with ``hive:`` otherwise) and which Thunderbird ``user.js`` lines
are missing (community.windows.win_lineinfile). ``mail_client_fact`` judges every targeted address
from the discovery and the results of those writes.
"""

from __future__ import annotations

import re

from cutover.evidence.facts import role_fact

CLIENTS = ("outlook", "thunderbird")
LEAVE_ON_SERVER, REMOVE_AFTER, REMOVE_ON_NUKE = 0x1, 0x2, 0x4
HIVE_MOUNT = "HKLM:\\ANSIBLE"  # where ansible.windows.win_regedit loads a hive given with hive:
RETENTION = ("leave_on_server", "delete_by_age_from_server", "num_days_to_leave_on_server")
_RANK = {"error": 0, "pending": 1, "fail": 2, "pass": 3}


def mail_client_targets(accounts, client):
    """Personal addresses this PC reads with ``client`` (shared addresses are never touched)."""
    if client not in CLIENTS:
        raise ValueError(f"client must be one of {CLIENTS}, got {client!r}")
    return sorted({a["address"].lower() for a in accounts or []
                   if a.get("kind") == "personal" and client in str(a.get("client", "")).split("+")})


def desired_leave_on_server(raw, days):
    """Keep a copy and remove it after ``days`` days; the user's "remove when deleted" flag (0x4) stays."""
    if not 1 <= int(days) <= 999:
        raise ValueError(f"days must be between 1 and 999, got {days}")
    return ((raw or 0) & REMOVE_ON_NUKE) | LEAVE_ON_SERVER | REMOVE_AFTER | (int(days) << 16)


def _desired_prefs(days):
    return {"leave_on_server": "true", "delete_by_age_from_server": "true", "num_days_to_leave_on_server": str(days)}


def _users(discovered):
    return {u["sid"]: u for u in (discovered or {}).get("users", [])}


def _running(discovered, client):
    return set(((discovered or {}).get("running") or {}).get(client) or [])


def mail_client_plan(discovered, accounts, days):
    """What to write: ``{"outlook": [win_regedit items], "thunderbird": [win_lineinfile items]}``."""
    plan = {"outlook": [], "thunderbird": []}
    if not discovered or discovered.get("failed") or discovered.get("skipped") or "users" not in discovered:
        return plan
    users = _users(discovered)
    outlook_targets = set(mail_client_targets(accounts, "outlook"))
    for record in discovered.get("outlook") or []:
        user = users.get(record["sid"], {})
        if record.get("address") not in outlook_targets or user.get("status") != "ok":
            continue
        data = desired_leave_on_server(record.get("leave_on_server"), days)
        if record.get("leave_on_server") == data or record["sid"] in _running(discovered, "outlook"):
            continue
        item = {"address": record["address"], "sid": record["sid"], "key": record["key"],
                "version": record["version"], "data": data, "before": record.get("leave_on_server")}
        if user.get("hive") == "loaded":
            item["path"] = f"HKU:\\{record['sid']}\\{record['key']}"
        else:
            item |= {"path": f"{HIVE_MOUNT}\\{record['key']}", "hive": user["hive_file"]}
        plan["outlook"].append(item)
    thunderbird_targets = set(mail_client_targets(accounts, "thunderbird"))
    wanted = _desired_prefs(days)
    for profile in discovered.get("thunderbird") or []:
        if profile.get("error"):
            continue
        for server in profile.get("servers") or []:
            address = next((a for a in server.get("addresses") or [] if a in thunderbird_targets), None)
            if address is None:
                continue
            for pref in RETENTION:
                if (server.get("pinned") or {}).get(pref) == wanted[pref]:
                    continue
                name = f"mail.server.{server['server']}.{pref}"
                plan["thunderbird"].append({
                    "address": address, "sid": profile["sid"], "profile_dir": profile["profile_dir"],
                    "server": server["server"], "path": profile["user_js"], "exists": profile.get("user_js_exists"),
                    "regexp": r'^\s*user_pref\(\s*"' + re.escape(name) + r'"\s*,',
                    "line": f'user_pref("{name}", {wanted[pref]});'})
    return plan


def _results(registered):
    """Loop results of a registered task, by item."""
    return [r for r in (registered or {}).get("results") or [] if isinstance(r, dict)]


def _written(registered, keys):
    found = {}
    for result in _results(registered):
        item = result.get("item") or {}
        found.setdefault(tuple(item.get(k) for k in keys), []).append(result)
    return found


def _write_status(results, check_mode):
    """(status, reason) of an item's write results: failed -> error, changed -> changed."""
    if not results:
        return None, None
    failed = [r for r in results if r.get("failed") or r.get("unreachable")]
    if failed:
        return "error", f"could not write: {failed[0].get('msg', 'module failed')}"
    if any(r.get("skipped") for r in results):
        return ("changed", None) if check_mode else ("error", "the write was skipped")
    return ("changed", None) if any(r.get("changed") for r in results) else ("ok", None)


def _verdict(statuses, check_mode):
    """The evidence status of an address from its records' statuses."""
    mapped = []
    for status in statuses:
        if status == "changed":
            mapped.append("fail" if check_mode else "pass")
        else:
            mapped.append({"ok": "pass", "pending": "pending"}.get(status, "error"))
    return min(mapped, key=_RANK.__getitem__)


def _outlook_records(discovered, address, days, written, check_mode):
    records = []
    running = _running(discovered, "outlook")
    for record in discovered.get("outlook") or []:
        if record.get("address") != address:
            continue
        desired = desired_leave_on_server(record.get("leave_on_server"), days)
        entry = {"sid": record["sid"], "version": record["version"], "outlook_profile": record["outlook_profile"],
                 "account_key": record["account_key"], "before": record.get("leave_on_server"), "after": desired,
                 "status": "ok", "reason": None}
        if record.get("leave_on_server") == desired:
            entry["after"] = record.get("leave_on_server")
        elif record["sid"] in running:
            entry |= {"status": "pending", "after": record.get("leave_on_server"),
                      "reason": "Outlook is running for this user; it is set on the next run after Outlook is closed"}
        else:
            status, reason = _write_status(written.get((record["sid"], record["key"])), check_mode)
            if status is None:
                status, reason = "error", "not written (the user's hive could not be read)"
            entry |= {"status": status, "reason": reason}
            if status == "error":
                entry["after"] = record.get("leave_on_server")
        records.append(entry)
    return records


def _thunderbird_records(discovered, address, days, written, check_mode):
    records = []
    wanted = _desired_prefs(days)
    for profile in discovered.get("thunderbird") or []:
        for server in profile.get("servers") or []:
            if address not in (server.get("addresses") or []):
                continue
            entry = {"sid": profile["sid"], "profile_dir": profile["profile_dir"], "server": server["server"],
                     "before": {"prefs.js": server.get("prefs"), "user.js": server.get("pinned")},
                     "status": "ok", "reason": None}
            if any((server.get("pinned") or {}).get(p) != wanted[p] for p in RETENTION):
                status, reason = _write_status(written.get((profile["profile_dir"], server["server"])), check_mode)
                if status is None:  # check mode does not create a missing user.js (see tasks/main.yml)
                    status, reason = ("changed", None) if check_mode else ("error", "not written")
                entry |= {"status": status, "reason": reason}
            if entry["status"] in ("ok", "changed") and profile["sid"] in _running(discovered, "thunderbird"):
                entry["reason"] = "Thunderbird is running: it applies user.js when it next starts"
            records.append(entry)
    return records


def _missing(client, address, discovered, days):
    """Check and actions for an address found nowhere: could not look everywhere (error) or absent (fail)."""
    users = discovered.get("users") or []
    unread = [u for u in users if u.get("status") in ("error", "skipped")]
    unreachable = [u for u in users if client == "thunderbird" and u.get("appdata")
                   and not u["appdata"].get("reachable")]
    data = {"address": address, "found": False}
    if unreachable:
        reasons = "; ".join(u["appdata"]["reason"] for u in unreachable)
        action = {"id": f"mail.{client}.not_reachable",
                  "message_en": f"{address}: Thunderbird profiles could not be read ({reasons}). In Thunderbird, set "
                                "Account Settings > Server Settings > Leave messages on server, For at most "
                                f"{days} days by hand",
                  "message_ja": f"{address}: Thunderbird のプロファイルを読めません"
                                "（AppData がリダイレクトされています）。Thunderbird の [アカウント設定] > "
                                "[サーバー設定] で「サーバーにメッセージを残す」"
                                f"「最長 {days} 日間」を手作業で設定してください"}
        return {"status": "error", "message": f"not reachable: {reasons}", "data": data}, [action]
    if unread:
        reasons = "; ".join(str(u.get("reason")) for u in unread)
        return {"status": "error", "message": f"{address} not found, but {len(unread)} user profile(s) could not be "
                                              f"read: {reasons}", "data": data}, []
    action = {"id": f"mail.{client}.not_found",
              "message_en": f"Check {address}: the survey says {client} reads it on this PC, but no such POP account "
                            "exists",
              "message_ja": f"{address}: 調査回答では{client}で受信とされていますが、"
                            "このPCにPOPアカウントがありません。回答または端末を確認してください"}
    return {"status": "fail", "message": f"{address} is not configured in {client} on this PC", "data": data}, [action]


def _hive_checks(discovered):
    checks, actions = [], []
    for user in discovered.get("users") or []:
        if not user.get("unload_error"):
            continue
        checks.append({"id": "mail.hive_unloaded", "status": "error", "message": user["unload_error"],
                       "item": user["sid"], "data": {"sid": user["sid"], "hive_file": user.get("hive_file")}})
        actions.append({"id": "mail.hive_left_loaded",
                        "message_en": f"Restart the PC before {user['sid']} logs on: {user['unload_error']} (otherwise "
                                      "the user gets a temporary profile)",
                        "message_ja": f"{user['sid']} がサインインする前にPCを再起動してください: ユーザーのレジストリ"
                                      "ハイブが読み込まれたままです（一時プロファイルになるおそれがあります）"})
    return checks, actions


def mail_client_fact(accounts, discovered, outlook_written, thunderbird_written, days, check_mode=False,
                     clients=CLIENTS):
    """The cutover_mail fact: one check ``mail.<client>`` per targeted address (its ``item``), and hands-on actions."""
    checks, actions = [], []
    enabled = set(clients or ())
    broken = not discovered or discovered.get("failed") or "users" not in discovered
    if not broken:
        checks, actions = _hive_checks(discovered)
    for client in CLIENTS:
        targets = mail_client_targets(accounts, client)
        for address in targets:
            check_id, item = f"mail.{client}", {"item": address}
            if client not in enabled or (discovered or {}).get("skipped"):
                checks.append({"id": check_id, **item, "status": "not_applicable",
                               "message": f"{client} convergence switched off", "data": {"address": address}})
                continue
            if broken:
                checks.append({"id": check_id, **item, "status": "error",
                               "message": f"could not check {client}: {(discovered or {}).get('msg', 'no discovery')}",
                               "data": {"address": address}})
                continue
            if client == "outlook":
                written = _written(outlook_written, ("sid", "key"))
                records = _outlook_records(discovered, address, days, written, check_mode)
            else:
                written = _written(thunderbird_written, ("profile_dir", "server"))
                records = _thunderbird_records(discovered, address, days, written, check_mode)
            if not records:
                check, more = _missing(client, address, discovered, days)
                checks.append({"id": check_id, **item, **check})
                actions += more
                continue
            status = _verdict([r["status"] for r in records], check_mode)
            verbs = {"pass": "set" if any(r["status"] == "changed" for r in records) else "already set",
                     "fail": "would be set", "pending": "pending", "error": "not set"}
            message = f"{address}: keep a copy, remove after {days} days — {verbs[status]}"
            reasons = sorted({r["reason"] for r in records if r.get("reason")})
            if reasons:
                message += f" ({'; '.join(reasons)})"
            checks.append({"id": check_id, **item, "status": status, "message": message,
                           "data": {"address": address, "found": True, "accounts": records}})
            if status == "pending":
                actions.append({"id": f"mail.{client}.close_client",
                                "message_en": f"{address}: ask the user to close Outlook (or sign out) before the "
                                              "next run; the setting is applied then",
                                "message_ja": f"{address}: 次回の実行までに Outlook を終了する"
                                              "（またはサインアウトする）よう利用者に依頼してください。"
                                              "その時に設定されます"})
    # A user's hive left loaded must go before that user logs on: the role's one reboot signal.
    return role_fact("mail", checks, actions, reboot_required=any(c["id"] == "mail.hive_unloaded" for c in checks))


class FilterModule:
    def filters(self):
        return {"mail_client_targets": mail_client_targets, "mail_client_plan": mail_client_plan,
                "mail_client_fact": mail_client_fact}

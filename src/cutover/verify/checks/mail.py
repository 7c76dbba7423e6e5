"""Mail area: personal POP addresses leave mail on the server for the set days only; shared ones are untouched.

Outlook: ``Leave on Server`` of each POP3 account (per-user hive) compared with
``LEAVE_ON_SERVER | REMOVE_AFTER | days << 16`` (0x000F0003 for 15 days), the user's own
"remove when deleted" bit (0x4) aside. Thunderbird: the retention prefs the profile's ``user.js``
enforces at every start for the address's POP3 server.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cutover.verify import requests
from cutover.verify.checks.model import Finding
from cutover.verify.checks.raw import Raw, hex8, key_norm, reg_text
from cutover.verify.expect import REMOVE_ON_NUKE, PcExpectation

POP3_CLSID = "{ED475411-B0D6-11D2-8C3B-00104B2A6676}"
ACCOUNTS_KEY = "9375CFF0413111D3B88A00104B2A6676"


# ---- mail: Outlook ---------------------------------------------------------------------------------

def outlook_accounts(raw: Raw) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(POP3 accounts found in every readable hive, users whose hive could not be read)."""
    accounts, unreadable = [], []
    for user in raw.users():
        if user.get("hive") == "unreadable":
            unreadable.append(user)
            continue
        for entry in user.get("registry") or []:
            if key_norm(entry["path"]) not in {key_norm(p) for p in requests.OUTLOOK_PROFILES}:
                continue
            for relative, values in entry["keys"].items():
                parts = relative.split("\\")
                if len(parts) != 3 or parts[1].upper() != ACCOUNTS_KEY:
                    continue
                if str((values.get("clsid") or {}).get("value", "")).upper() != POP3_CLSID:
                    continue
                email = reg_text(values.get("Email"))
                if not email:
                    continue
                current = values.get("Leave on Server")
                accounts.append({"sid": user["sid"], "profile": parts[0], "account": parts[2],
                                 "version": entry["path"].split("\\")[3], "address": email.strip().lower(),
                                 "leave_on_server": None if current is None else int(current["value"])})
    return accounts, unreadable


def _unreadable(users: list[dict[str, Any]]) -> str:
    return "; ".join(f"hive of {u['sid']} unreadable ({u.get('error')})" for u in users)


def check_outlook(pc: PcExpectation, raw: Raw) -> list[Finding]:
    if not pc.outlook_personal:
        return []
    accounts, unreadable = outlook_accounts(raw)
    wanted = pc.leave_on_server
    problems, errors, actions_en, actions_ja, seen = [], [], [], [], []
    for address in pc.outlook_personal:
        found = [a for a in accounts if a["address"] == address]
        if not found:
            if unreadable:
                errors.append(f"{address}: not found in the readable profiles; {_unreadable(unreadable)}")
            else:
                problems.append(f"{address}: no Outlook POP account on this PC (mail.csv says it is read here)")
                actions_en.append(f"Check {address} on this PC: set up the account or correct mail.csv")
                actions_ja.append(f"{address} をこの PC で確認し、アカウントを設定するか mail.csv を修正してください")
            continue
        for account in found:
            seen.append(account)
            value = account["leave_on_server"]
            if value is not None and value & ~REMOVE_ON_NUKE == wanted:
                continue
            where = f"{address} (user {account['sid']}, profile {account['profile']})"
            if raw.running("OUTLOOK.EXE", account["sid"]):
                problems.append(f"{where}: Leave on Server {hex8(value)}, expected {hex8(wanted)}; Outlook is running "
                                "for this user, so the setting was not written — it is applied on the next run after "
                                "Outlook closes (pending is not verified)")
                actions_en.append(f"Ask the user of {address} to close Outlook (or sign out) before the next converge")
                actions_ja.append(f"{address} の利用者に、次回の設定処理の前に Outlook を終了（またはサインアウト）"
                                  "するよう依頼してください")
            else:
                problems.append(f"{where}: Leave on Server {hex8(value)}, expected {hex8(wanted)} "
                                f"(leave a copy, remove after {pc.mail_days} days)")
    data = {"expected": wanted, "accounts": seen}
    if problems:
        return [Finding(pc.site, pc.host, "mail.outlook_leave_on_server", "fail", "; ".join(problems + errors),
                        action_en="; ".join(actions_en) or None, action_ja="；".join(actions_ja) or None, data=data)]
    if errors:
        return [Finding(pc.site, pc.host, "mail.outlook_leave_on_server", "error",
                        "could not check: " + "; ".join(errors), data=data)]
    return [Finding(pc.site, pc.host, "mail.outlook_leave_on_server", "pass",
                    f"{', '.join(pc.outlook_personal)}: Leave on Server {hex8(wanted)}", data=data)]


# ---- mail: Thunderbird -----------------------------------------------------------------------------

_PREF = re.compile(r'^\s*user_pref\(\s*"(?P<name>[^"]+)"\s*,\s*(?P<value>.+?)\s*\)\s*;')


def parse_prefs(lines: list[str]) -> dict[str, Any]:
    prefs = {}
    for line in lines:
        match = _PREF.match(line)
        if not match:
            continue
        text = match.group("value")
        try:
            prefs[match.group("name")] = json.loads(text)
        except json.JSONDecodeError:
            prefs[match.group("name")] = text
    return prefs


def thunderbird_servers(prefs: dict[str, Any]) -> dict[str, str]:
    """Address -> POP3 server key (``server2``) from the account, identity and server prefs."""
    servers: dict[str, str] = {}
    for name, server in prefs.items():
        if not (name.startswith("mail.account.") and name.endswith(".server")):
            continue
        if prefs.get(f"mail.server.{server}.type") != "pop3":
            continue
        account = name[len("mail.account."):-len(".server")]
        identities = str(prefs.get(f"mail.account.{account}.identities", "")).split(",")
        candidates = [prefs.get(f"mail.identity.{i.strip()}.useremail") for i in identities if i.strip()]
        candidates.append(prefs.get(f"mail.server.{server}.userName"))
        for candidate in candidates:
            if candidate:
                servers[str(candidate).strip().lower()] = str(server)
    return servers


def thunderbird_profiles(raw: Raw) -> tuple[list[dict[str, Any]], list[str]]:
    """Each Thunderbird profile folder with its prefs.js and user.js prefs; and what could not be read."""
    profiles: dict[str, dict[str, Any]] = {}
    problems = []
    for user in raw.users():
        if user.get("hive") == "unreadable":
            problems.append(f"hive of {user['sid']} unreadable ({user.get('error')})")
            continue
        appdata = user.get("appdata") or {}
        if not appdata.get("reachable", False):
            problems.append(f"AppData of {user['sid']} not readable ({appdata.get('reason') or 'unknown'})")
            continue
        for entry in user.get("files") or []:
            kind = "user_js" if entry["path"].lower().endswith("user.js") else "prefs_js"
            for match in entry["matches"]:
                folder = match["path"].rsplit("\\", 1)[0]
                profile = profiles.setdefault(folder.lower(), {"sid": user["sid"], "dir": folder,
                                                               "prefs_js": {}, "user_js": {}})
                profile[kind] = parse_prefs(match.get("lines") or [])
    if raw.error_about("files"):
        problems.append(raw.error_about("files"))
    return list(profiles.values()), problems


RETENTION = ("leave_on_server", "delete_by_age_from_server", "num_days_to_leave_on_server")


def _retention(prefs: dict[str, Any], server: str) -> dict[str, Any]:
    return {k: prefs.get(f"mail.server.{server}.{k}") for k in RETENTION}


def check_thunderbird(pc: PcExpectation, raw: Raw) -> list[Finding]:
    if not pc.thunderbird_personal:
        return []
    profiles, unreadable = thunderbird_profiles(raw)
    wanted = {"leave_on_server": True, "delete_by_age_from_server": True, "num_days_to_leave_on_server": pc.mail_days}
    problems, errors, actions_en, actions_ja, seen = [], [], [], [], []
    for address in pc.thunderbird_personal:
        found = []
        for profile in profiles:
            effective = {**profile["prefs_js"], **profile["user_js"]}  # user.js wins at every start
            server = thunderbird_servers(effective).get(address)
            if server:
                found.append((profile, server))
        if not found:
            if unreadable:
                errors.append(f"{address}: not found; " + "; ".join(unreadable))
            else:
                problems.append(f"{address}: no Thunderbird POP account on this PC (mail.csv says it is read here)")
                actions_en.append(f"Check {address} on this PC: set up the account or correct mail.csv")
                actions_ja.append(f"{address} をこの PC で確認し、アカウントを設定するか mail.csv を修正してください")
            continue
        for profile, server in found:
            enforced = _retention(profile["user_js"], server)
            seen.append({"address": address, "dir": profile["dir"], "server": server, "user_js": enforced})
            if enforced == wanted:
                continue
            where = f"{address} ({profile['dir']}, {server})"
            if raw.running("thunderbird.exe", profile["sid"]):
                problems.append(f"{where}: user.js has {enforced}, expected {wanted}; Thunderbird is running for this "
                                "user, so user.js was not written — it is applied on the next run (pending is not "
                                "verified)")
                actions_en.append(f"Ask the user of {address} to close Thunderbird before the next converge")
                actions_ja.append(f"{address} の利用者に、次回の設定処理の前に Thunderbird を終了するよう"
                                  "依頼してください")
            else:
                problems.append(f"{where}: user.js has {enforced}, expected {wanted}")
    data = {"expected": wanted, "accounts": seen}
    if problems:
        return [Finding(pc.site, pc.host, "mail.thunderbird_leave_on_server", "fail", "; ".join(problems + errors),
                        action_en="; ".join(actions_en) or None, action_ja="；".join(actions_ja) or None, data=data)]
    if errors:
        return [Finding(pc.site, pc.host, "mail.thunderbird_leave_on_server", "error",
                        "could not check: " + "; ".join(errors), data=data)]
    return [Finding(pc.site, pc.host, "mail.thunderbird_leave_on_server", "pass",
                    f"{', '.join(pc.thunderbird_personal)}: user.js leaves mail for {pc.mail_days} days", data=data)]


# ---- mail: shared addresses ------------------------------------------------------------------------

def check_shared(pc: PcExpectation, raw: Raw) -> list[Finding]:
    if not (pc.outlook_shared or pc.thunderbird_shared):
        return []
    problems, unreadable = [], []
    if pc.outlook_shared:
        accounts, users = outlook_accounts(raw)
        unreadable += [f"hive of {u['sid']} unreadable ({u.get('error')})" for u in users]
        for account in accounts:
            value = account["leave_on_server"]
            if account["address"] in pc.outlook_shared and value is not None and value & 0x2 \
                    and value >> 16 == pc.mail_days:
                problems.append(f"{account['address']} (Outlook, user {account['sid']}): Leave on Server "
                                f"{hex8(value)} removes shared mail after {pc.mail_days} days")
    if pc.thunderbird_shared:
        profiles, cannot = thunderbird_profiles(raw)
        unreadable += cannot
        for profile in profiles:
            effective = {**profile["prefs_js"], **profile["user_js"]}
            for address, server in thunderbird_servers(effective).items():
                if address not in pc.thunderbird_shared:
                    continue
                values = _retention(effective, server)
                if values["delete_by_age_from_server"] is True \
                        and values["num_days_to_leave_on_server"] == pc.mail_days:
                    problems.append(f"{address} (Thunderbird, {profile['dir']}): removes shared mail after "
                                    f"{pc.mail_days} days")
    shared = sorted({*pc.outlook_shared, *pc.thunderbird_shared})
    if problems:
        return [Finding(pc.site, pc.host, "mail.shared_addresses_untouched", "fail", "; ".join(problems),
                        action_en="Restore the shared address's previous retention setting (shared mailboxes are "
                                  "read from several PCs)",
                        action_ja="共有アドレスの受信設定を元に戻してください（共有メールは複数の PC で受信します）",
                        data={"shared": shared})]
    if unreadable:
        return [Finding(pc.site, pc.host, "mail.shared_addresses_untouched", "error",
                        "could not check: " + "; ".join(unreadable), data={"shared": shared})]
    return [Finding(pc.site, pc.host, "mail.shared_addresses_untouched", "pass",
                    f"{', '.join(shared)}: no {pc.mail_days}-day removal", data={"shared": shared})]

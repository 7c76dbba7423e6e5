"""Twin counterparts of the mail_client role's modules (Outlook and Thunderbird POP retention)."""

from __future__ import annotations

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register

POP3 = "{ED475411-B0D6-11D2-8C3B-00104B2A6676}"
ACCOUNTS = "9375CFF0413111D3B88A00104B2A6676"
BLOCK_START = "// BEGIN cutover-managed POP retention (do not edit between these lines)"
BLOCK_END = "// END cutover-managed POP retention"


def _text(value: dict | None) -> str | None:
    if value is None:
        return None
    data = value["data"]
    if value["type"] == "REG_BINARY":
        return bytes(data).decode("utf-16-le").rstrip("\0")
    return str(data)


def _running(state, sid: str, process: str) -> bool:
    if process == "OUTLOOK.EXE" and state["faults"].get("outlook_running"):
        return True
    return any(p["name"].lower() == process.lower() and p["user_sid"] == sid for p in state["processes"])


@register("cutover_outlook_pop", {
    "addresses": opt("list", required=True, elements="str"),
    "days": opt("int", 15),
    "load_unloaded_hives": opt("bool", True),
})
def cutover_outlook_pop(state, p, check_mode, diff):
    days = p["days"]
    if not 1 <= days <= 999:
        return {"failed": True, "msg": f"days must be between 1 and 999 (got {days})"}
    targets = {a.strip().lower() for a in p["addresses"]}
    users, accounts, changed = [], [], False
    for user in state["users"]:
        sid = user["sid"]
        record = {"sid": sid, "profile_path": user["profile_path"], "hive": "loaded", "status": "ok", "reason": None}
        if not user["logged_on"]:
            if not p["load_unloaded_hives"]:
                record |= {"hive": "not_loaded", "status": "pending",
                           "reason": "user not logged on and load_unloaded_hives is false"}
                users.append(record)
                continue
            if state["faults"].get("locked_hive"):
                record |= {"hive": "locked", "status": "error",
                           "reason": f"could not load {user['profile_path']}\\NTUSER.DAT (reg load exit 1)"}
                users.append(record)
                continue
            record["hive"] = "loaded_by_module"
        profiles = f"HKU\\{sid}\\SOFTWARE\\MICROSOFT\\OFFICE\\16.0\\OUTLOOK\\PROFILES"
        for profile in twin_state.reg_subkeys(state, profiles):
            for account in twin_state.reg_subkeys(state, f"{profiles}\\{profile}\\{ACCOUNTS}"):
                key = f"{profiles}\\{profile}\\{ACCOUNTS}\\{account}"
                values = twin_state.reg_get(state, key) or {}
                if (values.get("clsid") or {}).get("data") != POP3:
                    continue
                email = _text(values.get("Email"))
                if not email:
                    continue
                address = email.strip().lower()
                current = values.get("Leave on Server")
                before = None if current is None else int(current["data"])
                item = {"sid": sid, "outlook_profile": profile, "account_key": account, "address": address,
                        "email_type": "Binary" if values["Email"]["type"] == "REG_BINARY" else "String",
                        "before": before, "after": before, "status": "not_targeted", "reason": None}
                if address in targets:
                    desired = ((before or 0) & 0x4) | 0x1 | 0x2 | (days << 16)
                    if before == desired:
                        item["status"] = "ok"
                    elif _running(state, sid, "OUTLOOK.EXE"):
                        item |= {"status": "pending",
                                 "reason": "Outlook is running for this user; applied on the next run"}
                    else:
                        if not check_mode:
                            twin_state.reg_set(state, key, "Leave on Server", "REG_DWORD", desired)
                        item |= {"after": desired, "status": "changed"}
                        changed = True
                accounts.append(item)
        users.append(record)
    return {"changed": changed, "users": users, "accounts": accounts}


@register("cutover_thunderbird_pop", {
    "addresses": opt("list", required=True, elements="str"),
    "days": opt("int", 15),
})
def cutover_thunderbird_pop(state, p, check_mode, diff):
    days = p["days"]
    if not 1 <= days <= 999:
        return {"failed": True, "msg": f"days must be between 1 and 999 (got {days})"}
    targets = {a.strip().lower() for a in p["addresses"]}
    accounts, changed = [], False
    for user in state["users"]:
        for profile in user.get("thunderbird_profiles", []):
            prefs = profile["prefs"]
            servers: dict[str, str] = {}
            for name, server in prefs.items():
                if not (name.startswith("mail.account.") and name.endswith(".server")):
                    continue
                if prefs.get(f"mail.server.{server}.type") != "pop3":
                    continue
                account = name[len("mail.account."):-len(".server")]
                candidates = [prefs.get(f"mail.identity.{i.strip()}.useremail")
                              for i in prefs.get(f"mail.account.{account}.identities", "").split(",") if i.strip()]
                candidates.append(prefs.get(f"mail.server.{server}.userName"))
                for candidate in candidates:
                    if candidate:
                        servers[candidate.strip().lower()] = server
            wanted, records = [], []
            for address in sorted(servers):
                server = servers[address]
                record = {"sid": user["sid"], "profile_dir": profile["dir"], "address": address, "server": server,
                          "before": {k: prefs.get(f"mail.server.{server}.{k}") for k in
                                     ("leave_on_server", "delete_by_age_from_server", "num_days_to_leave_on_server")},
                          "status": "not_targeted", "reason": None}
                if address in targets:
                    wanted += [f'user_pref("mail.server.{server}.leave_on_server", true);',
                               f'user_pref("mail.server.{server}.delete_by_age_from_server", true);',
                               f'user_pref("mail.server.{server}.num_days_to_leave_on_server", {days});']
                    record["status"] = "ok"
                records.append(record)
            if wanted:
                lines = profile["user_js"]
                inside, kept, current = False, [], []
                for line in lines:
                    if line == BLOCK_START:
                        inside = True
                    elif line == BLOCK_END:
                        inside = False
                    elif inside:
                        current.append(line)
                    else:
                        kept.append(line)
                needs_write = current != wanted
                running = _running(state, user["sid"], "thunderbird.exe")
                for record in records:
                    if record["status"] == "ok" and needs_write:
                        record |= ({"status": "pending",
                                    "reason": "Thunderbird is running for this user; applied on the next run"}
                                   if running else {"status": "changed"})
                if needs_write and not running:
                    if not check_mode:
                        profile["user_js"] = [*kept, BLOCK_START, *wanted, BLOCK_END]
                    changed = True
            accounts += records
    return {"changed": changed, "accounts": accounts}


@register("cutover_hive_cleanup", {"prefix": opt("str", "cutover_")})
def cutover_hive_cleanup(state, p, check_mode, diff):
    return {"changed": False, "unloaded": []}  # the twin's modules never leave a hive loaded

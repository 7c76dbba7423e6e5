"""Twin counterpart of the mail_client role's read-only discovery module ``cutover_mail_facts``.

Same options and result as ``roles/mail_client/library/cutover_mail_facts.ps1`` and the same way of
reading (``ansible/module_utils/Ansible.ModuleUtils.CutoverProfile.psm1``): ProfileList users
(S-1-5-21 and Entra S-1-12-1), a logged-on user's hive read at HKU\\<SID>, any other loaded at
HKU\\cutover_<SID> through :mod:`cutover.twin.hives` (keys closed, unloaded in finally, failures
reported), Outlook 15.0 and 16.0 POP3 accounts, AppData from the hive's User Shell Folders, and
Thunderbird profiles read only where the session can reach them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cutover.twin import hives
from cutover.twin.modules import opt, register

POP3 = "{ED475411-B0D6-11D2-8C3B-00104B2A6676}"
ACCOUNTS = "9375CFF0413111d3B88A00104B2A6676"
OUTLOOK_VERSIONS = ("16.0", "15.0")
PROFILE_LIST = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"
SHELL_FOLDERS = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders"
PROFILE_SID = re.compile(r"^S-1-(5-21|12-1)-\d+-\d+-\d+-\d+$", re.IGNORECASE)
PREF_LINE = re.compile(r'^\s*user_pref\(\s*"(?P<name>(?:[^"\\]|\\.)+)"\s*,\s*(?P<value>.+?)\s*\)\s*;')
RETENTION = ("leave_on_server", "delete_by_age_from_server", "num_days_to_leave_on_server")
_KIND = {"REG_SZ": "String", "REG_EXPAND_SZ": "ExpandString", "REG_BINARY": "Binary", "REG_DWORD": "DWord",
         "REG_QWORD": "QWord", "REG_MULTI_SZ": "MultiString", "REG_NONE": "None"}


# ---- the module_utils (Ansible.ModuleUtils.CutoverProfile) -----------------------------------------

def read_key(state: dict[str, Any], path: str) -> dict[str, Any] | None:
    """Get-CutoverRegistryKey: {values: {name: {kind, data}}, subkeys} of one key, opened and closed here."""
    key = hives.open_key(state, path)
    if key is None:
        return None
    with key:
        values = {name: {"kind": _KIND[v["type"]], "data": v["data"]} for name, v in key.values().items()}
        return {"values": values, "subkeys": key.subkeys()}


def user_profiles(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Get-CutoverUserProfile: user SIDs from ProfileList (system, service and .bak entries skipped)."""
    found = []
    listing = read_key(state, PROFILE_LIST)
    for sid in (listing or {}).get("subkeys", []):
        if not PROFILE_SID.match(sid):
            continue
        entry = read_key(state, f"{PROFILE_LIST}\\{sid}") or {"values": {}}
        path = str((entry["values"].get("ProfileImagePath") or {}).get("data") or "")
        found.append({"sid": sid, "profile_path": path, "hive_file": hives.user_hive_file(path),
                      "loaded": hives.key_exists(state, f"HKU\\{sid}")})
    return found


def process_owners(state: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Get-CutoverProcessOwner: SIDs running each process name."""
    sids: dict[str, list[str]] = {name.lower(): [] for name in names}
    for process in state.get("processes", []):
        name = process["name"].lower()
        if name in sids and process["user_sid"] not in sids[name]:
            sids[name].append(process["user_sid"])
    if state["faults"].get("outlook_running") and "outlook.exe" in sids:  # fault: Outlook open for every user
        sids["outlook.exe"] = sorted({u["sid"] for u in state.get("users", [])} | set(sids["outlook.exe"]))
    return {"sids": sids, "error": None}


def with_user_hive(state: dict[str, Any], profile: dict[str, Any], module: str,
                   reader: Callable[[str], Any]) -> dict[str, Any]:
    """Invoke-CutoverUserHive: run ``reader(root key)`` on the user's hive, loading/unloading it if needed."""
    result: dict[str, Any] = {"hive": None, "output": None, "error": None, "unload_error": None}
    sid = profile["sid"]
    mount = f"HKU\\cutover_{sid}"
    ours = False
    if hives.key_exists(state, f"HKU\\{sid}"):
        root, result["hive"] = f"HKU\\{sid}", "loaded"
    elif hives.key_exists(state, mount):
        root, result["hive"], ours = mount, "left_loaded", True
    elif not hives.hive_file_exists(state, profile["hive_file"]):
        return result | {"error": f"no hive file at {profile['hive_file']}"}
    else:
        try:
            hives.load(state, mount, profile["hive_file"], by=module)
        except hives.HiveError as exc:
            return result | {"error": f"could not load {profile['hive_file']}: {hives.win32_text(exc.code)}"}
        root, result["hive"], ours = mount, "loaded_by_module", True
    try:
        result["output"] = reader(root)
    except hives.HiveError as exc:
        result["error"] = f"could not read the hive of {sid}: {exc}"
    finally:
        if ours:
            try:
                hives.unload(state, mount)
            except hives.HiveError as exc:
                result["unload_error"] = f"HKU\\cutover_{sid} stays loaded: {hives.win32_text(exc.code)}"
    return result


def resolve_appdata(state: dict[str, Any], root: str, profile_path: str) -> dict[str, Any]:
    """Resolve-CutoverAppData: the roaming AppData folder, folder redirection honoured."""
    default = f"{profile_path}\\AppData\\Roaming"
    folders = read_key(state, f"{root}\\{SHELL_FOLDERS}")
    raw = str(((folders or {}).get("values", {}).get("AppData") or {}).get("data") or "")
    if not raw:
        return {"raw": None, "path": default, "redirected": False, "reachable": True, "reason": None}
    path = re.sub("%USERPROFILE%", lambda _: profile_path, raw, flags=re.IGNORECASE)
    appdata = {"raw": raw, "path": path, "redirected": path.rstrip("\\").lower() != default.rstrip("\\").lower(),
               "reachable": True, "reason": None}
    if re.search(r"%[^%]+%", path):
        appdata |= {"reachable": False,
                    "reason": f"AppData is {raw}, a variable of the user's logon session, unknown to a remote session"}
    elif path.startswith("\\\\"):
        appdata |= {"reachable": False, "reason": f"AppData is redirected to {path}, a network path a remote session "
                                                  "cannot reach (no credential delegation)"}
    elif re.match(r"^[A-Za-z]:", path) and path[0].upper() not in state.get("drives", ["C"]):
        appdata |= {"reachable": False, "reason": f"AppData is redirected to {path}, a drive this session does not "
                                                  "have (a mapped drive of the user)"}
    return appdata


# ---- files (read-only) ---------------------------------------------------------------------------

def file_text(state: dict[str, Any], path: str) -> str | None:
    """A local text file's content (paths are case-insensitive), or None when it does not exist.

    A UNC path is never read: a remote session has no credential delegation (Test-Path says False).
    """
    if path.startswith("\\\\"):
        return None
    wanted = path.replace("/", "\\").lower()
    return next((entry.get("content", "") for name, entry in state["files"].items() if name.lower() == wanted), None)


def _prefs(text: str) -> dict[str, str]:
    prefs = {}
    for line in text.splitlines():
        match = PREF_LINE.match(line)
        if match:
            prefs[match.group("name")] = match.group("value").strip('"')
    return prefs


# ---- the module ----------------------------------------------------------------------------------

def _outlook_accounts(state: dict[str, Any], root: str, sid: str) -> list[dict[str, Any]]:
    found = []
    for version in OUTLOOK_VERSIONS:
        profiles_path = f"Software\\Microsoft\\Office\\{version}\\Outlook\\Profiles"
        profiles = read_key(state, f"{root}\\{profiles_path}")
        for outlook_profile in (profiles or {}).get("subkeys", []):
            accounts_path = f"{profiles_path}\\{outlook_profile}\\{ACCOUNTS}"
            for account in (read_key(state, f"{root}\\{accounts_path}") or {}).get("subkeys", []):
                key_path = f"{accounts_path}\\{account}"
                values = (read_key(state, f"{root}\\{key_path}") or {}).get("values", {})
                if _text(values.get("clsid")) != POP3:
                    continue
                record = {"sid": sid, "version": version, "outlook_profile": outlook_profile, "account_key": account,
                          "key": key_path, "address": None, "email_kind": None, "leave_on_server": None,
                          "leave_on_server_kind": None}
                email = _text(values.get("Email"))
                if email:
                    record |= {"address": email.strip().lower(), "email_kind": values["Email"]["kind"]}
                leave = values.get("Leave on Server")
                if leave is not None:
                    record["leave_on_server_kind"] = leave["kind"]
                    if leave["kind"] == "DWord":
                        record["leave_on_server"] = int(leave["data"]) & 0xFFFFFFFF
                found.append(record)
    return found


def _text(value: dict[str, Any] | None) -> str | None:
    if value is None or value["data"] is None:
        return None
    if value["kind"] == "Binary":
        return bytes(value["data"]).decode("utf-16-le").rstrip("\0")
    return str(value["data"])


def _thunderbird_profiles(state: dict[str, Any], appdata: str, sid: str) -> list[dict[str, Any]]:
    base = f"{appdata}\\Thunderbird"
    ini = file_text(state, f"{base}\\profiles.ini")
    if ini is None:
        return []
    directories, path, relative = [], None, True
    for line in [*ini.splitlines(), "[end]"]:
        if line.strip().startswith("["):
            if path:
                directories.append(f"{base}\\{path.replace('/', chr(92))}" if relative else path)
            path, relative = None, True
        elif (match := re.match(r"^\s*Path=(.+)$", line)) is not None:
            path = match.group(1).strip()
        elif re.match(r"^\s*IsRelative=0", line):
            relative = False
    found = []
    for directory in directories:
        user_js = f"{directory}\\user.js"
        prefs = _prefs(file_text(state, f"{directory}\\prefs.js") or "")
        pinned_text = file_text(state, user_js)
        pinned = _prefs(pinned_text or "")
        servers = []
        for name in sorted(prefs):
            match = re.match(r"^mail\.account\.([^.]+)\.server$", name)
            if not match:
                continue
            server = prefs[name]
            if prefs.get(f"mail.server.{server}.type") != "pop3":
                continue
            addresses = [prefs[f"mail.identity.{i.strip()}.useremail"].strip().lower()
                         for i in prefs.get(f"mail.account.{match.group(1)}.identities", "").split(",")
                         if prefs.get(f"mail.identity.{i.strip()}.useremail")]
            user_name = prefs.get(f"mail.server.{server}.userName") or ""
            if "@" in user_name:
                addresses.append(user_name.strip().lower())
            servers.append({"server": server, "hostname": prefs.get(f"mail.server.{server}.hostname"),
                            "addresses": list(dict.fromkeys(addresses)),
                            "prefs": {k: prefs.get(f"mail.server.{server}.{k}") for k in RETENTION},
                            "pinned": {k: pinned.get(f"mail.server.{server}.{k}") for k in RETENTION}})
        found.append({"sid": sid, "profile_dir": directory, "user_js": user_js,
                      "user_js_exists": pinned_text is not None, "servers": servers, "error": None})
    return found


@register("cutover_mail_facts", {
    "outlook": opt("bool", True),
    "thunderbird": opt("bool", True),
    "load_unloaded_hives": opt("bool", True),
})
def cutover_mail_facts(state, p, check_mode, diff):
    users, outlook, thunderbird = [], [], []
    owners = process_owners(state, ("OUTLOOK.EXE", "thunderbird.exe"))
    for profile in user_profiles(state):
        user = {"sid": profile["sid"], "profile_path": profile["profile_path"], "hive_file": profile["hive_file"],
                "hive": None, "status": "ok", "reason": None, "unload_error": None, "appdata": None}
        users.append(user)
        if not profile["loaded"] and not p["load_unloaded_hives"]:
            user |= {"hive": "not_loaded", "status": "skipped",
                     "reason": "user not logged on and load_unloaded_hives is false"}
            continue

        def reader(root, profile=profile):
            return {"outlook": _outlook_accounts(state, root, profile["sid"]) if p["outlook"] else [],
                    "appdata": resolve_appdata(state, root, profile["profile_path"]) if p["thunderbird"] else None}

        read = with_user_hive(state, profile, "cutover_mail_facts", reader)
        user |= {"hive": read["hive"], "unload_error": read["unload_error"]}
        if read["error"]:
            user |= {"status": "error", "reason": read["error"]}
            continue
        if read["unload_error"]:
            user |= {"status": "error", "reason": read["unload_error"]}
        outlook += read["output"]["outlook"]
        user["appdata"] = read["output"]["appdata"]
        if p["thunderbird"] and user["appdata"]["reachable"]:
            thunderbird += _thunderbird_profiles(state, user["appdata"]["path"], profile["sid"])
    return {"changed": False, "users": users, "outlook": outlook, "thunderbird": thunderbird,
            "running": {"outlook": owners["sids"]["outlook.exe"], "thunderbird": owners["sids"]["thunderbird.exe"],
                        "error": owners["error"]}}

"""Twin counterpart of ansible/library/cutover_endpoint_probe.ps1: raw, read-only state for verification.

Reads exactly what it is asked for and returns raw values, never a verdict. It is as strict as
Windows: a user's hive is read where the user's session mounted it (``HKU\\<SID>``) or loaded for
the read and unloaded afterwards; a hive that cannot be loaded is reported unreadable for that user
(never read anyway); per-user keys cannot be asked for through ``registry``. Nothing in the PC's
state changes (the call counter aside), which the tests check.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register
from cutover.twin.state import TwinError

MODULE = "cutover_endpoint_probe"
MAX_DEPTH = 4
_KEY_OPTIONS = {"path", "names", "depth"}
_FILE_OPTIONS = {"path", "match"}
_TREE_OPTIONS = {"path", "hash_newest"}


def _items(params: dict, option: str, allowed: set[str], required: tuple[str, ...] = ("path",)) -> list[dict]:
    """Validate the sub-options of a list-of-dicts option the way AnsibleModule does."""
    items = []
    for index, item in enumerate(params[option] or []):
        if not isinstance(item, dict):
            raise TwinError(f"{option}[{index}] must be a dict")
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise TwinError(f"Unsupported parameters for ({MODULE}) module: {option}.{', '.join(unknown)}")
        for name in required:
            if not item.get(name):
                raise TwinError(f"missing required arguments: {name} found in {option}")
        items.append(item)
    return items


def _key_items(params: dict, option: str) -> list[dict]:
    """Registry items: path and names required, depth checked before anything is read (or a hive loaded)."""
    items = _items(params, option, _KEY_OPTIONS, required=("path", "names"))
    for item in items:
        depth = int(item.get("depth") or 0)
        if not 0 <= depth <= MAX_DEPTH:
            raise TwinError(f"depth must be between 0 and {MAX_DEPTH} (got {depth})")
    return items


# ---- registry ----------------------------------------------------------------------------------

def _read_keys(state: dict[str, Any], root: str, item: dict) -> dict[str, Any]:
    """Values named in ``item`` of the key at ``root`` and of its subkeys down to ``item['depth']``."""
    depth = int(item.get("depth") or 0)
    names = list(item["names"])
    keys: dict[str, dict[str, Any]] = {}
    prefix = root + "\\"
    for key, values in state.get("registry", {}).items():
        if key == root:
            relative = ""
        elif key.startswith(prefix):
            relative = key[len(prefix):]
            if relative.count("\\") >= depth:
                continue
        else:
            continue
        keys[relative] = {name: {"type": values[name]["type"], "value": values[name]["data"]}
                          for name in names if name in values}
    return {"path": item["path"], "keys": dict(sorted(keys.items()))}


def _machine_key(path: str) -> str:
    key = twin_state.norm_key(path)
    if not key.startswith("HKLM\\"):
        raise TwinError(f"registry: only HKLM paths (got {path}); per-user keys are read with user_registry")
    return key


# ---- users and their hives -----------------------------------------------------------------------

def _users(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Profiles as ProfileList lists them (local S-1-5-21 and Entra S-1-12-1 accounts)."""
    listed = twin_state.reg_subkeys(state, "HKLM\\SOFTWARE\\MICROSOFT\\WINDOWS NT\\CURRENTVERSION\\PROFILELIST")
    by_sid = {u["sid"].upper(): u for u in state.get("users", [])}
    return [by_sid[sid] for sid in listed if sid.startswith(("S-1-5-21-", "S-1-12-1-")) and sid in by_sid]


@contextlib.contextmanager
def _user_hive(state: dict[str, Any], user: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(root key, how it was reached): the session's mount, or a read-only load undone afterwards."""
    session = twin_state.norm_key(f"HKU\\{user['sid']}")
    if user.get("logged_on"):
        yield session, "loaded"
        return
    if state["faults"].get("locked_hive"):
        raise TwinError(f"could not load {user['profile_path']}\\NTUSER.DAT: the process cannot access the file "
                        "because it is being used by another process (Win32ErrorCode 32)")
    yield session, "loaded_by_module"


def _appdata(user: dict[str, Any]) -> dict[str, Any]:
    """The user's roaming AppData folder (read from the hive's User Shell Folders on a real PC)."""
    return {"path": f"{user['profile_path']}\\AppData\\Roaming", "redirected": False, "reachable": True,
            "reason": None}


# ---- files ---------------------------------------------------------------------------------------

def _pref_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, str) and value in ("true", "false")):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _files(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every file the twin models, by absolute path: {"content" (text or None), "size", "sha256"}."""
    files = {path: {"content": entry.get("content"), "size": entry.get("size"), "sha256": entry.get("sha256")}
             for path, entry in state.get("files", {}).items()}
    for user in state.get("users", []):
        for profile in user.get("thunderbird_profiles", []):
            prefs = "".join(f'user_pref("{name}", {_pref_literal(value)});\n'
                            for name, value in sorted(profile["prefs"].items()))
            texts = {"prefs.js": prefs}
            if profile.get("user_js"):
                texts["user.js"] = "".join(f"{line}\n" for line in profile["user_js"])
            for name, text in texts.items():
                data = text.encode("utf-8")
                files[f"{profile['dir']}\\{name}"] = {"content": text, "size": len(data),
                                                      "sha256": hashlib.sha256(data).hexdigest()}
    return files


def _read_files(files: dict[str, dict[str, Any]], pattern: str, match: str | None) -> dict[str, Any]:
    wanted = pattern.replace("/", "\\").lower()
    regex = re.compile(match) if match else None
    found = []
    for path in sorted(files):
        if not fnmatch.fnmatchcase(path.lower(), wanted):
            continue
        entry = files[path]
        record = {"path": path, "size": entry["size"], "sha256": entry["sha256"]}
        if regex is not None:
            text = entry["content"]
            if text is None:
                raise TwinError(f"twin: the content of {path} is not modelled")
            record["lines"] = [line for line in text.splitlines() if regex.search(line)]
        found.append(record)
    return {"path": pattern, "matches": found}


# ---- the module ----------------------------------------------------------------------------------

@register(MODULE, {
    "registry": opt("list", [], elements="dict"),
    "user_registry": opt("list", [], elements="dict"),
    "files": opt("list", [], elements="dict"),
    "appdata_files": opt("list", [], elements="dict"),
    "services": opt("list", [], elements="str"),
    "task_folders": opt("list", [], elements="str"),
    "processes": opt("list", [], elements="str"),
    "security_center": opt("bool", False),
    "trees": opt("list", [], elements="dict"),
})
def cutover_endpoint_probe(state, p, check_mode, diff):
    user_registry = _key_items(p, "user_registry")
    registry = _key_items(p, "registry")
    file_items = _items(p, "files", _FILE_OPTIONS)
    user_file_items = _items(p, "appdata_files", _FILE_OPTIONS)
    trees = _items(p, "trees", _TREE_OPTIONS)
    result: dict[str, Any] = {"changed": False, "errors": []}

    result["registry"] = [_read_keys(state, _machine_key(item["path"]), item) for item in registry]

    files = _files(state) if file_items or user_file_items else {}
    result["files"] = [_read_files(files, item["path"], item.get("match")) for item in file_items]

    users = []
    if user_registry or user_file_items:
        for user in _users(state):
            record: dict[str, Any] = {"sid": user["sid"], "profile_path": user["profile_path"], "hive": None,
                                      "error": None, "registry": [], "appdata": None, "files": []}
            try:
                with _user_hive(state, user) as (root, how):
                    record["hive"] = how
                    record["registry"] = [_read_keys(state, twin_state.norm_key(f"{root}\\{item['path']}"), item)
                                          for item in user_registry]
                    record["appdata"] = _appdata(user)
            except TwinError as exc:
                record |= {"hive": "unreadable", "error": str(exc)}
                users.append(record)
                continue
            if record["appdata"]["reachable"]:
                record["files"] = [_read_files(files, f"{record['appdata']['path']}\\{item['path']}",
                                               item.get("match")) for item in user_file_items]
            users.append(record)
    result["users"] = users

    result["services"] = {name: ({"exists": True, "state": s["state"], "start_mode": s["start_mode"]}
                                 if (s := state.get("services", {}).get(name)) else
                                 {"exists": False, "state": None, "start_mode": None})
                          for name in p["services"]}

    folders = [f if f.endswith("\\") else f + "\\" for f in p["task_folders"]]
    result["scheduled_tasks"] = [
        {"path": path, "enabled": task.get("enabled", True) is not False,
         "actions": [{"path": a.get("path"), "arguments": a.get("arguments")} for a in task.get("actions") or []]}
        for path, task in sorted(state.get("scheduled_tasks", {}).items())
        if any(path.lower().startswith(folder.lower()) for folder in folders)]

    wanted = {name.lower() for name in p["processes"]}
    processes = [{"name": proc["name"].lower(), "user_sid": proc["user_sid"]} for proc in state.get("processes", [])
                 if proc["name"].lower() in wanted]
    if "outlook.exe" in wanted and state.get("faults", {}).get("outlook_running"):
        processes += [{"name": "outlook.exe", "user_sid": u["sid"]} for u in state.get("users", [])
                      if u.get("logged_on")]
    result["processes"] = processes

    if p["security_center"]:
        if "security_center" in state:
            result["security_center"] = [{"display_name": e["display_name"], "product_state": e["product_state"]}
                                         for e in state["security_center"]]
        else:
            result["security_center"] = None
            result["errors"].append("security_center: root/SecurityCenter2 is not available on this host")
    else:
        result["security_center"] = None

    result["trees"] = [_read_tree(state, item, result["errors"]) for item in trees]
    return result


def _read_tree(state: dict[str, Any], item: dict, errors: list[str]) -> dict[str, Any]:
    """Every file under a folder (relative path, size, last write) and SHA-256 of the newest ones."""
    newest = int(item.get("hash_newest") if item.get("hash_newest") is not None else 20)
    tree = state.get("trees", {}).get(item["path"].lower().rstrip("\\"))
    if tree is None:
        return {"path": item["path"], "exists": False, "files": [], "sha256": {}}
    if state.get("faults", {}).get("unreachable_share"):
        errors.append(f"trees: cannot read {item['path']}: the network path was not found")
        return {"path": item["path"], "exists": None, "files": [], "sha256": {}}
    listing = [[path, entry["size"], entry.get("mtime")] for path, entry in sorted(tree.items())]
    picked = sorted(tree, key=lambda k: (tree[k].get("mtime") or "", k), reverse=True)[:max(newest, 0)]
    return {"path": item["path"], "exists": True, "files": listing,
            "sha256": {path: tree[path]["sha256"] for path in sorted(picked)}}

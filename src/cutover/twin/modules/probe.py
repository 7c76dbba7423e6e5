"""Twin counterpart of ansible/library/cutover_endpoint_probe.ps1: raw, read-only state for verification.

Reads exactly what it is asked for and returns raw values, never a verdict, the way the real module
does through ``Ansible.ModuleUtils.CutoverProfile`` (whose twin counterparts live in
:mod:`cutover.twin.modules.mail`): keys are opened read-only and closed (:mod:`cutover.twin.hives`);
a logged-on user's hive is read where the session mounted it, any other user's is loaded for the read
and unloaded in ``finally``; a hive that cannot be loaded is reported unreadable for that user (never
read anyway, never read as empty); per-user keys cannot be asked for through ``registry``; AppData is
resolved from the hive (folder redirection honoured) and a UNC path is never read from the remote
session. Nothing in the PC's state changes (the call counter aside), which the tests check.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from cutover.twin import hives
from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register
from cutover.twin.modules.mail import process_owners, resolve_appdata, user_profiles, with_user_hive
from cutover.twin.state import TwinError

MODULE = "cutover_endpoint_probe"
MAX_DEPTH = 4
_KEY_OPTIONS = {"path", "names", "depth"}
_FILE_OPTIONS = {"path", "match"}
_TREE_OPTIONS = {"path", "hash_newest", "exclude_dirs"}
EXCLUDED_DIRS = ("System Volume Information", "$RECYCLE.BIN", "DfsrPrivate")  # the module's default (/XD)
NO_DELEGATION = "access is denied: a remote session has no credentials for network paths (no delegation)"


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
    depth, names = int(item.get("depth") or 0), list(item["names"])
    keys: dict[str, dict[str, Any]] = {}
    pending = [("", 0)]
    while pending:
        relative, level = pending.pop()
        key = hives.open_key(state, f"{root}\\{relative}" if relative else root)
        if key is None:
            continue
        with key:
            values = key.values()
            keys[relative] = {n: {"type": values[n]["type"], "value": values[n]["data"]} for n in names if n in values}
            if level < depth:
                pending += [(f"{relative}\\{sub}" if relative else sub, level + 1) for sub in key.subkeys()]
    return {"path": item["path"], "keys": dict(sorted(keys.items()))}


def _machine_key(path: str) -> str:
    key = twin_state.norm_key(path)
    if not key.startswith("HKLM\\"):
        raise TwinError(f"registry: only HKLM paths (got {path}); per-user keys are read with user_registry")
    return key


# ---- files ---------------------------------------------------------------------------------------

def _read_files(state: dict[str, Any], pattern: str, match: str | None, errors: list[str]) -> dict[str, Any]:
    """Files matching a path with wildcards: size, SHA-256 and, with ``match``, the matching lines."""
    if pattern.startswith("\\\\"):
        errors.append(f"files: cannot read {pattern}: {NO_DELEGATION}")
        return {"path": pattern, "matches": []}
    wanted = pattern.replace("/", "\\").lower()
    regex = re.compile(match) if match else None
    found = []
    for path in sorted(state.get("files", {})):
        if not fnmatch.fnmatchcase(path.lower(), wanted):
            continue
        entry = state["files"][path]
        record = {"path": path, "size": entry.get("size"), "sha256": entry.get("sha256")}
        if regex is not None:
            text = entry.get("content")
            if text is None:
                raise TwinError(f"twin: the content of {path} is not modelled")
            record["lines"] = [line for line in text.lstrip("\ufeff").splitlines() if regex.search(line)]
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
    appdata_items = _items(p, "appdata_files", _FILE_OPTIONS)
    trees = _items(p, "trees", _TREE_OPTIONS)
    errors: list[str] = []
    result: dict[str, Any] = {"changed": False, "errors": errors}

    result["registry"] = [_read_keys(state, _machine_key(item["path"]), item) for item in registry]
    result["files"] = [_read_files(state, item["path"], item.get("match"), errors) for item in file_items]
    result["users"] = _users(state, user_registry, appdata_items, errors) if user_registry or appdata_items else []

    result["services"] = {name: ({"exists": True, "state": s["state"], "start_mode": s["start_mode"]}
                                 if (s := state.get("services", {}).get(name)) else
                                 {"exists": False, "state": None, "start_mode": None})
                          for name in p["services"]}

    folders = [f if f.endswith("\\") else f + "\\" for f in p["task_folders"]]
    result["scheduled_tasks"] = [
        {"path": path, "enabled": task.get("enabled", True) is not False,
         "actions": [{"path": a.get("path"), "arguments": a.get("arguments")} for a in task.get("actions") or []]}
        for path, task in sorted(state.get("scheduled_tasks", {}).items())
        if any(path.lower().startswith(folder.lower()) for folder in folders)] if folders else []

    result["processes"] = []
    if p["processes"]:
        owners = process_owners(state, tuple(p["processes"]))
        result["processes"] = [{"name": name, "user_sid": sid} for name, sids in owners["sids"].items() for sid in sids]

    result["security_center"] = None
    if p["security_center"]:
        if "security_center" in state:
            result["security_center"] = [{"display_name": e["display_name"], "product_state": e["product_state"]}
                                         for e in state["security_center"]]
        else:
            errors.append("security_center: root/SecurityCenter2 is not available: invalid namespace")

    result["trees"] = [_read_tree(state, item, errors) for item in trees]
    return result


def _users(state: dict[str, Any], user_registry: list[dict], appdata_items: list[dict],
           errors: list[str]) -> list[dict[str, Any]]:
    users = []
    for profile in user_profiles(state):
        record: dict[str, Any] = {"sid": profile["sid"], "profile_path": profile["profile_path"], "hive": None,
                                  "error": None, "registry": [], "appdata": None, "files": []}

        def reader(root: str, profile: dict = profile) -> dict[str, Any]:
            return {"registry": [_read_keys(state, twin_state.norm_key(f"{root}\\{item['path']}"), item)
                                 for item in user_registry],
                    "appdata": resolve_appdata(state, root, profile["profile_path"])}

        read = with_user_hive(state, profile, MODULE, reader)
        if read["unload_error"]:
            errors.append(f"users: {read['unload_error']}")
        if read["error"] or read["output"] is None:
            record |= {"hive": "unreadable", "error": read["error"] or "the hive gave no answer"}
            users.append(record)
            continue
        record |= {"hive": read["hive"], "registry": read["output"]["registry"], "appdata": read["output"]["appdata"]}
        if record["appdata"]["reachable"]:
            record["files"] = [_read_files(state, f"{record['appdata']['path']}\\{item['path']}", item.get("match"),
                                           errors) for item in appdata_items]
        users.append(record)
    return users


def _read_tree(state: dict[str, Any], item: dict, errors: list[str]) -> dict[str, Any]:
    """Every file under a folder (relative path, size, last write) and SHA-256 of the newest ones."""
    newest = int(item.get("hash_newest") if item.get("hash_newest") is not None else 20)
    if state.get("faults", {}).get("unreachable_share"):
        errors.append(f"trees: cannot read all of {item['path']}: the network path was not found")
        return {"path": item["path"], "exists": None, "files": [], "sha256": {}}
    tree = state.get("trees", {}).get(item["path"].lower().rstrip("\\"))
    if tree is None:
        return {"path": item["path"], "exists": False, "files": [], "sha256": {}}
    skipped = {name.lower() for name in (item.get("exclude_dirs") if item.get("exclude_dirs") is not None
                                         else EXCLUDED_DIRS)}
    junctions = [path.lower() + "\\" for path, entry in tree.items() if entry.get("junction")]
    # As robocopy copied it: excluded folder names anywhere (/XD), junctions and what is below them (/XJ).
    walked = {path: entry for path, entry in tree.items()
              if not entry.get("junction") and not any(path.lower().startswith(j) for j in junctions)
              and not any(part.lower() in skipped for part in path.split("\\")[:-1])}
    listing = [[path, entry["size"], entry.get("mtime")] for path, entry in sorted(walked.items())]
    picked = sorted(walked, key=lambda k: (walked[k].get("mtime") or "", k), reverse=True)[:max(newest, 0)]
    return {"path": item["path"], "exists": True, "files": listing,
            "sha256": {path: walked[path]["sha256"] for path in sorted(picked)}}

"""Twin counterpart of ``ansible.windows.win_regedit``, hive loading included.

Follows ansible.windows' ``plugins/modules/win_regedit.ps1`` (https://github.com/ansible-collections/
ansible.windows/blob/main/plugins/modules/win_regedit.ps1): with ``hive`` the file is loaded under
``HKLM:\\ANSIBLE`` (in check mode too) and unloaded in ``finally``; ``path`` is then given as
``HKLM:\\ANSIBLE\\...``. A hive already loaded at ``HKLM:\\ANSIBLE`` is unloaded first with a
warning. A hive in use (its user is logged on) fails to load, as RegLoadKey does. Every key is
opened and closed through :mod:`cutover.twin.hives`, so the unload follows the same rules as on
Windows. The diff has upstream's shape: ``{path: {name: {"type": "DWord", "value": "0x000f0003"}}}``.
"""

from __future__ import annotations

import re
from typing import Any

from cutover.twin import hives
from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register

ANSIBLE_MOUNT = "HKLM\\ANSIBLE"
_KINDS = {"none": "REG_NONE", "binary": "REG_BINARY", "dword": "REG_DWORD", "expandstring": "REG_EXPAND_SZ",
          "multistring": "REG_MULTI_SZ", "string": "REG_SZ", "qword": "REG_QWORD"}
_KIND_NAMES = {"REG_NONE": "None", "REG_BINARY": "Binary", "REG_DWORD": "DWord", "REG_EXPAND_SZ": "ExpandString",
               "REG_MULTI_SZ": "MultiString", "REG_SZ": "String", "REG_QWORD": "QWord"}
_PS_PATH = re.compile(r"^HK(CC|CR|CU|LM|U):\\", re.IGNORECASE)


class _Fail(Exception):
    pass


def _convert(kind: str, data: Any) -> Any:
    if kind in ("REG_DWORD", "REG_QWORD"):
        number = 0 if data is None else int(data, 0) if isinstance(data, str) else int(data)
        if kind == "REG_DWORD" and number > 0xFFFFFFFF:
            raise _Fail("data cannot be larger than 0xffffffff when type is dword")
        return number
    if kind in ("REG_BINARY", "REG_NONE"):
        if isinstance(data, str):
            return [int(b, 16) for b in re.sub(r"^hex:", "", data.lower()).split(",") if b.strip()]
        return [int(b) for b in data or []]
    if kind == "REG_MULTI_SZ":
        return [str(x) for x in (data if isinstance(data, list) else [] if data is None else [data])]
    return "" if data is None else str(data)


def _diff_value(kind: str, data: Any) -> dict[str, Any]:
    if kind in ("REG_BINARY", "REG_NONE"):
        value: Any = [f"0x{b:02x}" for b in data]
    elif kind == "REG_DWORD":
        value = f"0x{data & 0xFFFFFFFF:08x}"
    elif kind == "REG_QWORD":
        value = f"0x{data & 0xFFFFFFFFFFFFFFFF:016x}"
    else:
        value = data
    return {"type": _KIND_NAMES[kind], "value": value}


def _present(state, path, name, kind, data, check_mode, result, diff) -> None:
    key = hives.open_key(state, path, writable=True)
    try:
        if key is None:
            if not check_mode:
                try:
                    key = hives.create_key(state, path)
                except hives.HiveError as exc:
                    raise _Fail(f"failed to create registry key at {path}: {exc}") from exc
            result["changed"] = True
            diff["before"], diff["after"] = {}, {path: {}}
        else:
            diff["before"], diff["after"] = {path: {}}, {path: {}}
        if key is None or data is None:
            return
        current = key.get(name or "")
        if current is None:
            if not check_mode:
                key.set(name or "", kind, data)
            result["changed"] = True
            diff["after"][path][name] = _diff_value(kind, data)
            return
        if current["type"] != kind:
            result["data_type_changed"] = True
        if current["data"] != data:
            result["data_changed"] = True
        if result["data_type_changed"] or result["data_changed"]:
            if not check_mode:
                key.set(name or "", kind, data)
            result["changed"] = True
            diff["before"][path][name] = _diff_value(current["type"], current["data"])
            diff["after"][path][name] = _diff_value(kind, data)
        else:
            diff["before"][path][name] = diff["after"][path][name] = _diff_value(kind, data)
    finally:
        if key is not None:
            key.close()


def _absent(state, path, name, delete_key, check_mode, result, diff) -> None:
    key = hives.open_key(state, path, writable=True)
    if key is None:
        return
    try:
        if delete_key and not name:
            key.close()
            if not check_mode:
                norm = twin_state.norm_key(path)
                for k in [k for k in state["registry"] if k == norm or k.startswith(norm + "\\")]:
                    del state["registry"][k]
            result["changed"] = True
            diff["before"], diff["after"] = {path: {}}, {}
            return
        current = key.get(name or "")
        if current is None:
            return
        if not check_mode:
            key.delete(name or "")
        result["changed"] = True
        diff["before"], diff["after"] = {path: {name: _diff_value(current["type"], current["data"])}}, {path: {}}
    finally:
        key.close()


@register("ansible.windows.win_regedit", {
    "path": opt("str", required=True), "name": opt("str"), "data": opt("raw"),
    "type": opt("str", "string", ["none", "binary", "dword", "expandstring", "multistring", "string", "qword"]),
    "state": opt("str", "present", ["absent", "present"]), "delete_key": opt("bool", True), "hive": opt("path"),
})
def win_regedit(state, p, check_mode, diff_wanted):
    path, name, kind = p["path"], p["name"] or None, _KINDS[p["type"]]
    result: dict[str, Any] = {"changed": False, "data_changed": False, "data_type_changed": False}
    diff: dict[str, Any] = {"before": "", "after": ""}
    warnings: list[str] = []
    if not _PS_PATH.match(path):
        return result | {"failed": True,
                         "msg": f"path: {path} is not a valid powershell path, see module documentation for examples."}
    if name is None and kind != "REG_SZ":
        warnings.append("the data type when name is not specified can only be 'string', the type has automatically "
                        "been converted")
        kind = "REG_SZ"
    loaded = False
    try:
        data = _convert(kind, p["data"]) if p["state"] == "present" else None
        if p["hive"]:
            if not hives.hive_file_exists(state, p["hive"]):
                raise _Fail(f"hive at path '{p['hive']}' is not valid or accessible, cannot load hive")
            if ANSIBLE_MOUNT in hives.mounts(state):
                warnings.append("hive already loaded at HKLM:\\ANSIBLE, had to unload hive for win_regedit to continue")
                try:
                    hives.unload(state, ANSIBLE_MOUNT)
                except hives.HiveError as exc:
                    raise _Fail(f"failed to unload registry hive HKLM:\\ANSIBLE from {p['hive']}: {exc}") from exc
            try:
                hives.load(state, ANSIBLE_MOUNT, p["hive"], by="ansible.windows.win_regedit")
            except hives.HiveError as exc:
                raise _Fail(f"failed to load registry hive from '{p['hive']}' to HKLM:\\ANSIBLE: {exc}") from exc
            loaded = True
        if p["state"] == "present":
            _present(state, path, name, kind, data, check_mode, result, diff)
        else:
            _absent(state, path, name, p["delete_key"], check_mode, result, diff)
    except _Fail as exc:
        result |= {"failed": True, "msg": str(exc)}
    finally:
        if loaded:
            try:
                hives.unload(state, ANSIBLE_MOUNT)
            except hives.HiveError as exc:  # upstream: the Hive's Dispose throws out of the finally block
                result |= {"failed": True, "msg": str(exc)}
    if warnings:
        result["warnings"] = warnings
    if diff_wanted:
        result["diff"] = diff
    return result

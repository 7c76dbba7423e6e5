"""One JSON document per twin PC: load, save atomically, and the small helpers modules share.

The document models what the project's modules read and change on a real PC: registry (HKLM and
per-user hives with their loaded state), installed products with their uninstall entries, services,
files, scheduled tasks, the Security Center antivirus list, hardware and OS, TCP reachability,
processes per user, whether the PC answers at all, fault switches, and a count of module calls.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from cutover import atomic

SCHEMA = 1


class TwinError(Exception):
    """A module call the twin cannot honour (unknown module, unmodelled option...)."""


def path_for(directory: Path, host: str) -> Path:
    return Path(directory) / f"{host.upper()}.json"


def load(directory: Path, host: str) -> dict[str, Any]:
    path = path_for(directory, host)
    if not path.is_file():
        raise TwinError(f"no twin PC {host} in {directory} (build the fleet first: cutover twin build)")
    return json.loads(path.read_text(encoding="utf-8"))


def save(directory: Path, state: dict[str, Any]) -> None:
    """Atomic (a reader sees the old or the new document) but not fsync'ed: the twin rewrites a PC's
    document on every call over the connection, and a lost write after a power cut costs a rebuild only."""
    atomic.write_text(path_for(directory, state["hostname"]),
                      json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True), durable=False)


def snapshot(state: dict[str, Any]) -> dict[str, Any]:
    """A copy without the call counter, to compare before/after a converge."""
    data = copy.deepcopy(state)
    data.pop("module_calls", None)
    return data


# ------------------------------------------------------------------------------------------------
# registry: keys are stored upper-cased ("HKLM\\SOFTWARE\\..."), value names keep their case
# ------------------------------------------------------------------------------------------------

_ROOTS = {"HKEY_LOCAL_MACHINE": "HKLM", "HKLM:": "HKLM", "HKLM": "HKLM", "HKEY_USERS": "HKU", "HKU:": "HKU",
          "HKU": "HKU", "HKEY_CURRENT_USER": "HKCU", "HKCU:": "HKCU", "HKCU": "HKCU"}


def norm_key(path: str) -> str:
    text = path.replace("/", "\\").strip("\\")
    if text.lower().startswith("registry::"):
        text = text[len("registry::"):]
    head, _, rest = text.partition("\\")
    root = _ROOTS.get(head.upper(), head.upper().rstrip(":"))
    return (root + ("\\" + rest if rest else "")).upper()


def reg_get(state: dict[str, Any], key: str) -> dict[str, Any] | None:
    return state["registry"].get(norm_key(key))


def reg_set(state: dict[str, Any], key: str, name: str, kind: str, data: Any) -> None:
    state["registry"].setdefault(norm_key(key), {})[name] = {"type": kind, "data": data}


def reg_subkeys(state: dict[str, Any], key: str) -> list[str]:
    prefix = norm_key(key) + "\\"
    names = {k[len(prefix):].split("\\", 1)[0] for k in state["registry"] if k.startswith(prefix)}
    return sorted(names)


def count_call(state: dict[str, Any], module: str) -> None:
    calls = state.setdefault("module_calls", {"total": 0, "by_module": {}})
    calls["total"] += 1
    calls["by_module"][module] = calls["by_module"].get(module, 0) + 1

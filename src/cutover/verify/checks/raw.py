"""The probe's raw answer for one host, with lookups that never guess."""

from __future__ import annotations

from typing import Any

from cutover.verify import requests


def key_norm(path: str) -> str:
    return path.replace("/", "\\").strip("\\").upper()


class Raw:
    """The probe's answer for one host, with lookups that never guess."""

    def __init__(self, result: dict[str, Any]):
        self.result = result
        self.errors: list[str] = list(result.get("errors") or [])

    def error_about(self, what: str) -> str | None:
        return next((e for e in self.errors if e.startswith(what + ":")), None)

    def keys(self, path: str) -> dict[str, dict[str, Any]]:
        """Relative subkey (upper case) -> values, for a machine key the request asked for."""
        for entry in self.result.get("registry") or []:
            if key_norm(entry["path"]) == key_norm(path):
                return {key_norm(k): v for k, v in entry["keys"].items()}
        raise KeyError(f"the probe was not asked for {path}")

    def value(self, path: str, name: str) -> dict[str, Any] | None:
        return self.keys(path).get("", {}).get(name)

    def uninstall(self) -> list[dict[str, Any]]:
        entries = []
        for path in requests.UNINSTALL_KEYS:
            for relative, values in self.keys(path).items():
                if relative and "DisplayName" in values:
                    entries.append({"key": relative, "path": path,
                                    **{name: v["value"] for name, v in values.items()}})
        return entries

    def service(self, name: str) -> dict[str, Any]:
        return (self.result.get("services") or {}).get(name) or {"exists": False, "state": None, "start_mode": None}

    def tasks(self) -> list[dict[str, Any]]:
        return list(self.result.get("scheduled_tasks") or [])

    def task(self, path: str) -> dict[str, Any] | None:
        return next((t for t in self.tasks() if t["path"].lower() == path.lower()), None)

    def running(self, process: str, sid: str) -> bool:
        return any(p["name"].lower() == process.lower() and p["user_sid"].upper() == sid.upper()
                   for p in self.result.get("processes") or [])

    def users(self) -> list[dict[str, Any]]:
        return list(self.result.get("users") or [])

    def file(self, path: str) -> dict[str, Any] | None:
        for entry in self.result.get("files") or []:
            if entry["path"].lower() == path.lower():
                return entry["matches"][0] if entry["matches"] else None
        raise KeyError(f"the probe was not asked for {path}")


def reg_text(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    if value["type"] in ("REG_BINARY", "REG_NONE"):
        return bytes(int(b) for b in value["value"]).decode("utf-16-le", errors="replace").replace("\0", "")
    return str(value["value"])


def hex8(value: int | None) -> str:
    return "not set" if value is None else f"0x{value:08X}"

"""Per-user registry hives on a twin PC, with the rules Windows enforces when a module loads one.

Every user's ``NTUSER.DAT`` is a *hive file*. Windows mounts it under ``HKU\\<SID>`` while the
user is logged on; a module that needs the hive of a user who is not logged on mounts it itself
(``RegLoadKey`` under HKLM or HKU) and must unmount it (``RegUnLoadKey``). What Windows refuses,
the twin refuses (https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw,
https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regunloadkeyw):

- a hive file that is already mounted (the user is logged on, another module holds it) or that
  another process holds open cannot be loaded: error 32, the file is in use;
- a hive file that does not exist cannot be loaded: error 2;
- hives mount only one level below ``HKLM`` or ``HKU``, under a name that is not taken;
- a hive cannot be unloaded while any key inside it is still open (error 5, access denied): twin
  modules open keys with :func:`open_key` and close them, like the real ones dispose
  ``RegistryKey`` objects, so a module that forgets to close a key fails here as on Windows;
- the hive of a logged-on user is in use by the user's session and cannot be unloaded;
- a key cannot be created directly under ``HKU`` (only mounted hives live there).

After each module call, :func:`end_of_call` closes what the module left open (the PowerShell
process ends) and records every hive the call mounted and did not unmount in
``state["hives"]["leaks"]``; :func:`cutover.twin.modules.execute` then fails the call, because a
hive left loaded gives the user a temporary profile at the next logon.

State (inside the PC's JSON document)::

    state["hives"] = {
      "files":  {FILE: {RELATIVE KEY: {value name: {"type", "data"}}}},  # hives not mounted now
      "mounts": {MOUNT KEY: {"file": FILE, "by": "session" | "<module name>"}},
      "held":   [FILE, ...],     # held open by another process (backup agent, profile service)
      "blocked_unload": [FILE],  # another process holds a key inside: unload fails (error 5)
      "open":   [KEY, ...],      # keys open during the current module call
      "leaks":  [{"module", "mount", "file", "cause"}],
    }

The PC's fault switches apply to every user hive: ``locked_hive`` (each NTUSER.DAT is held open by
another process) and ``hive_unload_blocked`` (another process holds a key in every hive a module
loads).

Mounted content lives in ``state["registry"]`` under the mount key, so every reader of the
registry (``cutover.twin.state.reg_get``) sees exactly what Windows shows. Paths are
case-insensitive and stored upper-cased, as the rest of the twin's registry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from cutover.twin import state as twin_state

IN_USE = 32  # ERROR_SHARING_VIOLATION
NOT_FOUND = 2  # ERROR_FILE_NOT_FOUND
ACCESS_DENIED = 5  # ERROR_ACCESS_DENIED
_MESSAGES = {
    IN_USE: "The process cannot access the file because it is being used by another process",
    NOT_FOUND: "The system cannot find the file specified",
    ACCESS_DENIED: "Access is denied",
    87: "The parameter is incorrect",
}
SESSION = "session"  # the mount Windows made at logon (HKU\<SID>)


class HiveError(twin_state.TwinError):
    """What RegLoadKey/RegUnLoadKey/RegCreateKey return on Windows: a Win32 error code and its text."""

    def __init__(self, code: int, message: str):
        self.code = code
        super().__init__(f"{message} ({_MESSAGES.get(code, 'error')}, Win32ErrorCode {code})")


def win32_text(code: int) -> str:
    """How the PowerShell side formats a Win32 error: '<message> (Win32 error <code>)'."""
    return f"{_MESSAGES.get(code, 'error')} (Win32 error {code})"


def _file(path: str) -> str:
    return path.replace("/", "\\").upper()


def _hives(state: dict[str, Any]) -> dict[str, Any]:
    if "hives" not in state:
        _adopt(state)
    hives = state["hives"]
    for name, empty in (("files", {}), ("mounts", {}), ("held", []), ("blocked_unload", []), ("open", []),
                        ("leaks", [])):
        hives.setdefault(name, type(empty)())
    return hives


def _adopt(state: dict[str, Any]) -> None:
    """A document written the plain way (shared test vectors, older fleets): every user's keys under HKU\\<SID>.

    Each listed user gets its ProfileList entry (unless the document has one) and a hive file
    ``<profile_path>\\NTUSER.DAT`` holding those keys; a user marked
    ``logged_on`` has it mounted at HKU\\<SID> by the session, anyone else's leaves the registry,
    which is what a PC looks like to a module (and what the Windows harness arranges).
    """
    hives: dict[str, Any] = {"files": {}, "mounts": {}}
    state["hives"] = hives
    for user in state.get("users", []):
        listed = f"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\{user['sid']}"
        if twin_state.reg_get(state, listed) is None:
            twin_state.reg_set(state, listed, "ProfileImagePath", "REG_EXPAND_SZ", user["profile_path"])
        mount = twin_state.norm_key(f"HKU\\{user['sid']}")
        file = _file(user_hive_file(user["profile_path"]))
        content: dict[str, dict] = {}
        for key in [k for k in state["registry"] if k == mount or k.startswith(mount + "\\")]:
            values = state["registry"].pop(key)
            content[key[len(mount) + 1:] if key != mount else ""] = values
        hives["files"][file] = content
        if user.get("logged_on"):
            load(state, mount, file, by=SESSION)


def document_view(state: dict[str, Any]) -> dict[str, Any]:
    """The state with every user's hive shown under HKU\\<SID>, mounted or not (how a test observes it)."""
    view = dict(state, registry=dict(state["registry"]))
    for user in state.get("users", []):
        file = _file(user_hive_file(user["profile_path"]))
        if mount_of(state, file) is None:
            for key, values in _hives(state)["files"].get(file, {}).items():
                view["registry"][twin_state.norm_key(f"HKU\\{user['sid']}\\{key}")] = values
    return view


# ---- building PCs and tests (what Windows itself does at logon and logoff) ----------------------

def user_hive_file(profile_path: str) -> str:
    return f"{profile_path}\\NTUSER.DAT"


def add_hive_file(state: dict[str, Any], file: str) -> None:
    """A hive file exists on disk (an empty one unless content is set with :func:`hive_set`)."""
    _hives(state)["files"].setdefault(_file(file), {})


def hive_set(state: dict[str, Any], file: str, key: str, name: str, kind: str, data: Any) -> None:
    """Set a value inside a hive file, wherever it is mounted (fleet building and test set-up only)."""
    hives = _hives(state)
    mount = mount_of(state, file)
    if mount is not None:
        twin_state.reg_set(state, f"{mount}\\{key}", name, kind, data)
        return
    stored = hives["files"].setdefault(_file(file), {})
    stored.setdefault(key.strip("\\").upper(), {})[name] = {"type": kind, "data": data}


def hive_get(state: dict[str, Any], file: str, key: str) -> dict[str, Any] | None:
    """The values of a key inside a hive file, mounted or not (tests only: modules use open_key)."""
    mount = mount_of(state, file)
    if mount is not None:
        return twin_state.reg_get(state, f"{mount}\\{key}")
    return _hives(state)["files"].get(_file(file), {}).get(key.strip("\\").upper())


def log_on(state: dict[str, Any], sid: str, file: str) -> None:
    """The user logs on: Windows mounts the hive at HKU\\<SID>."""
    load(state, f"HKU\\{sid}", file, by=SESSION)
    for user in state.get("users", []):
        if user["sid"] == sid:
            user["logged_on"] = True


def log_off(state: dict[str, Any], sid: str) -> None:
    """The user logs off: Windows unmounts HKU\\<SID>."""
    mount = twin_state.norm_key(f"HKU\\{sid}")
    if mount in _hives(state)["mounts"]:
        _unmount(state, mount)
    for user in state.get("users", []):
        if user["sid"] == sid:
            user["logged_on"] = False


def hold(state: dict[str, Any], file: str) -> None:
    """Another process holds the hive file open: loading it fails (error 32)."""
    hives = _hives(state)
    if _file(file) not in hives["held"]:
        hives["held"].append(_file(file))


# ---- what modules do ---------------------------------------------------------------------------

def mount_of(state: dict[str, Any], file: str) -> str | None:
    """Where a hive file is mounted now (``HKU\\S-1-...``, ``HKLM\\ANSIBLE`` ...), or None."""
    wanted = _file(file)
    return next((m for m, info in _hives(state)["mounts"].items() if info["file"] == wanted), None)


def mounts(state: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every mounted hive: mount key -> {"file", "by"}."""
    return dict(_hives(state)["mounts"])


def key_exists(state: dict[str, Any], key: str) -> bool:
    norm = twin_state.norm_key(key)
    return norm in state["registry"] or any(k.startswith(norm + "\\") for k in state["registry"])


def hive_file_exists(state: dict[str, Any], file: str) -> bool:
    return _file(file) in _hives(state)["files"] or mount_of(state, file) is not None


def load(state: dict[str, Any], mount: str, file: str, by: str) -> None:
    """RegLoadKey: mount ``file`` at ``mount`` (``HKU\\name`` or ``HKLM\\name``), or raise HiveError."""
    hives = _hives(state)
    mount = twin_state.norm_key(mount)
    root, _, name = mount.partition("\\")
    if root not in ("HKU", "HKLM") or not name or "\\" in name:
        raise HiveError(87, f"Failed to load registry hive at {file}: hives mount directly under HKLM or HKU")
    if mount in hives["mounts"] or key_exists(state, mount):
        raise HiveError(ACCESS_DENIED, f"Failed to load registry hive at {file}: {mount} already exists")
    wanted = _file(file)
    held = wanted in hives["held"] or (by != SESSION and state.get("faults", {}).get("locked_hive"))
    if mount_of(state, file) is not None or held:
        raise HiveError(IN_USE, f"Failed to load registry hive at {file}")
    if wanted not in hives["files"]:
        raise HiveError(NOT_FOUND, f"Failed to load registry hive at {file}")
    content = hives["files"].pop(wanted)
    for key, values in content.items():
        state["registry"][f"{mount}\\{key}" if key else mount] = values
    state["registry"].setdefault(mount, {})
    hives["mounts"][mount] = {"file": wanted, "by": by}


def unload(state: dict[str, Any], mount: str) -> None:
    """RegUnLoadKey: unmount the hive at ``mount``, or raise HiveError (a key still open: error 5)."""
    hives = _hives(state)
    mount = twin_state.norm_key(mount)
    info = hives["mounts"].get(mount)
    if info is None:
        raise HiveError(87, f"Failed to unload registry hive at {mount}: nothing is loaded there")
    if info["by"] == SESSION:
        raise HiveError(ACCESS_DENIED, f"Failed to unload registry hive at {mount}: the user's session uses it")
    if info["file"] in hives["blocked_unload"] or state.get("faults", {}).get("hive_unload_blocked"):
        raise HiveError(ACCESS_DENIED, f"Failed to unload registry hive at {mount}: another process holds a key")
    still_open = [k for k in hives["open"] if k == mount or k.startswith(mount + "\\")]
    if still_open:
        raise HiveError(ACCESS_DENIED, f"Failed to unload registry hive at {mount}: {len(still_open)} key(s) "
                                       f"still open ({still_open[0]})")
    _unmount(state, mount)


def _unmount(state: dict[str, Any], mount: str) -> None:
    hives = _hives(state)
    info = hives["mounts"].pop(mount)
    content: dict[str, dict] = {}
    for key in [k for k in state["registry"] if k == mount or k.startswith(mount + "\\")]:
        values = state["registry"].pop(key)
        relative = key[len(mount) + 1:] if key != mount else ""
        if relative or values:
            content[relative] = values
    hives["files"][info["file"]] = content


class Key:
    """An open registry key (a RegistryKey handle): read or write it, then close it."""

    def __init__(self, state: dict[str, Any], path: str, writable: bool):
        self._state, self.path, self.writable, self.closed = state, twin_state.norm_key(path), writable, False
        _hives(state)["open"].append(self.path)

    def _check(self) -> None:
        if self.closed:
            raise twin_state.TwinError(f"twin: key {self.path} used after it was closed")

    def values(self) -> dict[str, dict[str, Any]]:
        self._check()
        return dict(self._state["registry"].get(self.path) or {})

    def get(self, name: str) -> dict[str, Any] | None:
        return self.values().get(name)

    def subkeys(self) -> list[str]:
        self._check()
        return twin_state.reg_subkeys(self._state, self.path)

    def set(self, name: str, kind: str, data: Any) -> None:
        self._check()
        if not self.writable:
            raise HiveError(ACCESS_DENIED, f"cannot write {name!r} at {self.path}: opened read-only")
        twin_state.reg_set(self._state, self.path, name, kind, data)

    def delete(self, name: str) -> None:
        self._check()
        if not self.writable:
            raise HiveError(ACCESS_DENIED, f"cannot delete {name!r} at {self.path}: opened read-only")
        del self._state["registry"][self.path][name]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._state["hives"]["open"].remove(self.path)

    def __enter__(self) -> Key:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_key(state: dict[str, Any], path: str, writable: bool = False) -> Key | None:
    """RegOpenKeyEx: an open Key, or None when the key does not exist (like .NET ``OpenSubKey``)."""
    return Key(state, path, writable) if key_exists(state, path) else None


def create_key(state: dict[str, Any], path: str) -> Key:
    """RegCreateKeyEx: open the key for writing, creating it; refused directly under HKU."""
    norm = twin_state.norm_key(path)
    if norm.startswith("HKU\\"):
        top = "\\".join(norm.split("\\")[:2])
        if top not in _hives(state)["mounts"]:
            raise HiveError(ACCESS_DENIED, f"cannot create {path}: no hive is loaded at {top}")
    state["registry"].setdefault(norm, {})
    return Key(state, norm, writable=True)


@contextlib.contextmanager
def user_hive(state: dict[str, Any], sid: str, file: str, by: str, mount: str | None = None) -> Iterator[str]:
    """Read a user's hive the right way: ``HKU\\<SID>`` if mounted, else load it and unload it afterwards.

    Yields the key under which the hive's content is visible. Raises HiveError when the hive cannot
    be loaded, or when it cannot be unloaded (a key still open), exactly as the real modules report.
    """
    session = twin_state.norm_key(f"HKU\\{sid}")
    if _hives(state)["mounts"].get(session, {}).get("file") == _file(file):
        yield session
        return
    target = twin_state.norm_key(mount or f"HKU\\cutover_{sid}")
    load(state, target, file, by=by)
    try:
        yield target
    finally:
        unload(state, target)


# ---- the module call boundary ------------------------------------------------------------------

def start_of_call(state: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What is mounted before a module runs (compared by :func:`end_of_call`)."""
    return mounts(state)


def end_of_call(state: dict[str, Any], module: str, before: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """The module's process ends: its open keys close; every hive it left mounted is recorded as a leak."""
    hives = _hives(state)
    hives["open"].clear()
    leaks = []
    for mount, info in hives["mounts"].items():
        if mount in before or info["by"] == SESSION:
            continue
        blocked = info["file"] in hives["blocked_unload"] or state.get("faults", {}).get("hive_unload_blocked")
        cause = "another process holds a key" if blocked else "module"
        leaks.append({"module": module, "mount": mount, "file": info["file"], "cause": cause})
    hives["leaks"].extend(leaks)
    return leaks


def leaks(state: dict[str, Any]) -> list[dict[str, str]]:
    """Hives left loaded by module calls on this PC (each is a temporary-profile risk)."""
    return list(state.get("hives", {}).get("leaks", []))

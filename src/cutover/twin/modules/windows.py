"""Twin counterparts of the ansible.windows / community.windows modules the roles use, and the Windows
behaviour they run into: products whose removal leaves a reboot pending, Task Scheduler defaults,
the second hop for installers on shares, restarts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from cutover.twin import session as twin_session
from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register

DEFENDER_ON = 397568  # 0x61100: Windows Defender on, up to date
SESSION_MANAGER = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager"
# Task Scheduler's own defaults for settings a task definition leaves out:
# https://learn.microsoft.com/windows/win32/taskschd/tasksettings-disallowstartifonbatteries (True) and
# https://learn.microsoft.com/windows/win32/taskschd/tasksettings-stopifgoingonbatteries (True).
TASK_DEFAULTS = {"enabled": True, "disallow_start_if_on_batteries": True, "stop_if_going_on_batteries": True,
                 "start_when_available": False, "wake_to_run": False, "execution_time_limit": "PT72H"}


# ------------------------------------------------------------------------------------------------
# time, restarts and what waits for them
# ------------------------------------------------------------------------------------------------

def now(state: dict[str, Any]) -> dt.datetime:
    """The PC's local clock (ISO with offset in the state; the fleet sets it from the as-of date)."""
    return dt.datetime.fromisoformat(state.get("clock") or state["last_boot"])


def parse_local(text: str, now_: dt.datetime) -> dt.datetime:
    """A Task Scheduler time without an offset is the PC's local time."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=now_.tzinfo)


def advance(state: dict[str, Any], until: dt.datetime) -> list[str]:
    """Let the PC's clock run to ``until``: time-triggered tasks that fall due run, if the PC is awake for them.

    ``state["power"]["night"]`` says what the PC does outside office hours: ``on``, ``sleep`` (a task runs
    only when it may wake the PC) or ``off`` (nothing runs). Returns the tasks that ran.
    """
    start = now(state)
    night = (state.get("power") or {}).get("night", "on")
    ran = []
    for path, task in sorted(state["scheduled_tasks"].items()):
        for trigger in task.get("triggers") or []:
            if trigger.get("type") != "time" or not task.get("enabled", True) or not trigger.get("start_boundary"):
                continue
            due = parse_local(trigger["start_boundary"], start)
            office_hours = 8 <= due.hour < 19
            awake = office_hours or night == "on" or (night == "sleep" and task.get("wake_to_run"))
            if start < due <= until and awake:
                task.setdefault("runs", []).append({"at": due.isoformat(), "result": 0})
                ran.append(path)
    state["clock"] = until.isoformat()
    return ran


def reboot_pending(state: dict[str, Any]) -> bool:
    return bool((twin_state.reg_get(state, SESSION_MANAGER) or {}).get("PendingFileRenameOperations"))


def _pend(state: dict[str, Any], services: list[str], files: list[str]) -> None:
    pending = state.setdefault("pending_reboot", {"services": [], "files": []})
    pending["services"] = sorted(set(pending["services"]) | set(services))
    pending["files"] = sorted(set(pending["files"]) | set(files))
    operations = [f"\\??\\{path}" for path in pending["files"]] or ["\\??\\C:\\Windows\\Temp\\cutover-pending"]
    twin_state.reg_set(state, SESSION_MANAGER, "PendingFileRenameOperations", "REG_MULTI_SZ", operations)


def reboot(state: dict[str, Any]) -> None:
    """What a restart does: pending deletions happen, services start, users are logged off."""
    pending = state.pop("pending_reboot", {"services": [], "files": []})
    for name in pending["services"]:
        state["services"].pop(name, None)
    for path in pending["files"]:
        state["files"].pop(path, None)
    (twin_state.reg_get(state, SESSION_MANAGER) or {}).pop("PendingFileRenameOperations", None)
    moment = now(state) + dt.timedelta(minutes=3)
    state["clock"] = moment.isoformat()
    state["last_boot"] = moment.isoformat()
    state["processes"] = []
    for user in state.get("users", []):
        user["logged_on"] = False
    for service in state["services"].values():
        if service.get("start_mode") == "auto":
            service["state"] = "running"


# ------------------------------------------------------------------------------------------------
# products
# ------------------------------------------------------------------------------------------------

def product_of(state: dict[str, Any], code: str | None) -> str | None:
    """The key of a product in the state, matched like Windows matches Uninstall key names (case-blind)."""
    return next((k for k in state["products"] if code and k.upper() == code.upper()), None)


def remove_product(state: dict[str, Any], code: str) -> None:
    """An uninstall that finished: entries go at once; services with drivers behind them only at the restart."""
    product = state["products"].pop(code)
    state["registry"].pop(twin_state.norm_key(product["uninstall_key"]), None)
    for key in product.get("registry_keys", []):
        prefix = twin_state.norm_key(key)
        for k in [k for k in state["registry"] if k == prefix or k.startswith(prefix + "\\")]:
            del state["registry"][k]
    if product.get("services_removed_at_reboot"):
        for name in product.get("services", []):
            if name in state["services"]:
                state["services"][name] = {**state["services"][name], "state": "stopped", "start_mode": "disabled",
                                           "delete_pending": True}
        _pend(state, product.get("services", []), product.get("files", []))
    else:
        for name in product.get("services", []):
            state["services"].pop(name, None)
    for task in product.get("tasks", []):
        state["scheduled_tasks"].pop(task, None)
    name = product.get("security_center")
    state["security_center"] = [e for e in state["security_center"] if e["display_name"] != name]
    third_party = [e for e in state["security_center"] if e["display_name"] != "Windows Defender"]
    if not third_party:  # Windows turns Defender back on when no other antivirus is registered
        state["defender"]["realtime_enabled"] = True
        for entry in state["security_center"]:
            if entry["display_name"] == "Windows Defender":
                entry["product_state"] = DEFENDER_ON


def _install(state: dict[str, Any], package: dict[str, Any]) -> None:
    product = package["product"]
    code = product["product_id"]
    key = f"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{code}"
    twin_state.reg_set(state, key, "DisplayName", "REG_SZ", product["display_name"])
    twin_state.reg_set(state, key, "Publisher", "REG_SZ", product.get("publisher", ""))
    state["products"][code] = {"display_name": product["display_name"], "publisher": product.get("publisher", ""),
                               "version": product.get("version", ""), "uninstall_key": key,
                               "services": sorted(product.get("services", [])), "tasks": [],
                               "security_center": product.get("security_center")}
    for service in product.get("services", []):
        state["services"][service] = {"display_name": service, "state": "running", "start_mode": "auto"}
    if product.get("security_center"):
        state["security_center"].append({"display_name": product["security_center"], "product_state": 266240})
        state["defender"]["realtime_enabled"] = False
        for entry in state["security_center"]:
            if entry["display_name"] == "Windows Defender":
                entry["product_state"] = 393472


def _prompts_for_password(product: dict[str, Any], arguments: Any) -> bool:
    """The agent asks for its uninstall password unless the server allows uninstalling without one."""
    digest = product.get("uninstall_password_sha256")
    if not digest:
        return False
    tokens = str(arguments or "").split() if not isinstance(arguments, list) else [str(a) for a in arguments]
    return not any(hashlib.sha256(t.encode()).hexdigest() == digest for t in tokens)


def _package_source(state: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str | None]:
    """(package, error) for an installer path: a URL is downloaded, a UNC path needs network credentials."""
    package = state.get("distribution", {}).get(path)
    if path.lower().startswith(("http://", "https://")):
        if package is None or state["faults"].get("unreachable_share"):
            return None, f"Error downloading '{path}': the remote server returned an error: (404) Not Found."
        return package, None
    try:
        twin_session.network_access(state, path)
    except twin_session.AccessDenied:
        return None, f"the file at the path '{path}' cannot be reached"
    if package is None or state["faults"].get("unreachable_share"):
        return None, f"the file at the path '{path}' cannot be reached"
    return package, None


@register("ansible.windows.win_package", {
    "arguments": opt("raw"), "chdir": opt("path"), "checksum": opt("str"),
    "checksum_algorithm": opt("str", "sha1", ["md5", "sha1", "sha256", "sha384", "sha512"]),
    "creates_path": opt("path"), "creates_service": opt("str"), "creates_version": opt("str"),
    "expected_return_code": opt("list", [0, 3010], elements="int"), "log_path": opt("path"), "path": opt("str"),
    "product_id": opt("str"), "provider": opt("str", "auto", ["auto", "msi", "msix", "msp", "registry"]),
    "state": opt("str", "present", ["absent", "present"]), "wait_for_children": opt("bool", False),
}, modelled={"arguments", "checksum", "checksum_algorithm", "creates_service", "expected_return_code", "log_path",
             "path", "product_id", "state", "provider"})
def win_package(state, p, check_mode, diff):
    expected = [int(c) for c in p["expected_return_code"]]
    rc = state["faults"].get("installer_exit_code")
    code = product_of(state, p["product_id"])
    if p["state"] == "absent":
        if not p["product_id"]:
            return {"failed": True, "msg": "product_id is required when state=absent without a path"}
        if code is None:
            return {"changed": False, "rc": 0, "reboot_required": False}
        if check_mode:
            return {"changed": True, "rc": 0, "reboot_required": False}
        if _prompts_for_password(state["products"][code], p["arguments"]):
            return {"failed": True, "changed": False, "rc": None, "reboot_required": False,
                    "msg": "twin: the uninstaller is waiting at its password prompt in a session nobody can see; on a "
                           "real PC this task never returns (allow uninstalling without a password on the server for "
                           "this wave, or remove the agent with the server's uninstall task)"}
        rc = 0 if rc is None else int(rc)
        if rc not in expected:
            return {"failed": True, "changed": False, "rc": rc, "reboot_required": False,
                    "msg": "unexpected rc from uninstall: see rc, stdout, and stderr for more details"}
        remove_product(state, code)
        return {"changed": True, "rc": rc, "reboot_required": rc == 3010}
    if code is not None:
        return {"changed": False, "rc": 0, "reboot_required": False}
    if p["creates_service"] and p["creates_service"] in state["services"]:
        return {"changed": False, "rc": 0, "reboot_required": False}
    if check_mode:  # the real module skips its Test-Path of the installer in check mode
        return {"changed": True, "rc": 0, "reboot_required": False}
    package, error = _package_source(state, p["path"] or "")
    if error:
        return {"failed": True, "changed": False, "rc": 0, "reboot_required": False, "msg": error}
    actual = package["sha256"].upper()
    if p["checksum"] and p["checksum"].upper() != actual:
        return {"failed": True, "changed": False, "rc": 0, "reboot_required": False, "checksum": actual,
                "msg": f"The checksum for {p['path']} did not match '{p['checksum']}', it was '{actual}'"}
    rc = 0 if rc is None else int(rc)
    if rc not in expected:
        return {"failed": True, "changed": False, "rc": rc, "reboot_required": False,
                "msg": "unexpected rc from install: see rc, stdout, and stderr for more details"}
    _install(state, package)
    return {"changed": True, "rc": rc, "reboot_required": rc == 3010, "checksum": actual}


# ------------------------------------------------------------------------------------------------
# scheduled tasks
# ------------------------------------------------------------------------------------------------

_TASK_OPTIONS = {
    "name": opt("str", required=True), "path": opt("str", "\\"), "state": opt("str", "present", ["absent", "present"]),
    "actions": opt("list", elements="dict"), "triggers": opt("list", elements="dict"), "display_name": opt("str"),
    "group": opt("str"),
    "logon_type": opt("str", None, ["none", "password", "s4u", "interactive_token", "group", "service_account",
                                    "token_or_password"]),
    "run_level": opt("str", None, ["limited", "highest"]), "username": opt("str"), "password": opt("str"),
    "update_password": opt("bool", True), "author": opt("str"), "date": opt("str"), "description": opt("str"),
    "source": opt("str"), "version": opt("str"), "allow_demand_start": opt("bool"),
    "allow_hard_terminate": opt("bool"), "compatibility": opt("int", None, [0, 1, 2, 3, 4]),
    "delete_expired_task_after": opt("str"), "disallow_start_if_on_batteries": opt("bool"), "enabled": opt("bool"),
    "execution_time_limit": opt("str"), "hidden": opt("bool"), "multiple_instances": opt("int", None, [0, 1, 2, 3]),
    "priority": opt("int"), "restart_count": opt("int"), "restart_interval": opt("str"),
    "run_only_if_idle": opt("bool"), "run_only_if_network_available": opt("bool"),
    "start_when_available": opt("bool"), "stop_if_going_on_batteries": opt("bool"), "wake_to_run": opt("bool"),
}


@register("community.windows.win_scheduled_task", _TASK_OPTIONS)
def win_scheduled_task(state, p, check_mode, diff):
    """Creates with Task Scheduler's defaults for what is left out; on an existing task changes only what is given."""
    folder = p["path"].rstrip("\\")
    full = f"{folder}\\{p['name']}"
    tasks = state["scheduled_tasks"]
    current = tasks.get(full)
    if p["state"] == "absent":
        if current is None:
            return {"changed": False}
        if not check_mode:
            del tasks[full]
        return {"changed": True, **({"diff": {"before": current, "after": {}}} if diff else {})}
    given = {k: v for k, v in p.items() if k not in ("name", "path", "state", "password", "update_password")
             and v is not None}
    wanted = {**TASK_DEFAULTS, **(current or {}), **given}
    if current == wanted:
        return {"changed": False}
    if not check_mode:
        tasks[full] = wanted
    return {"changed": True, **({"diff": {"before": current or {}, "after": wanted}} if diff else {})}


def logon(state: dict[str, Any], user_name: str) -> list[str]:
    """The tasks Task Scheduler starts when ``user_name`` logs on (battery conditions applied)."""
    user = next(u for u in state["users"] if u["name"] == user_name)
    user["logged_on"] = True
    on_battery = not (state.get("power") or {}).get("ac_online", True)
    started = []
    for path, task in sorted(state["scheduled_tasks"].items()):
        if not task.get("enabled", True) or not any(t.get("type") == "logon" for t in task.get("triggers") or []):
            continue
        if on_battery and task.get("disallow_start_if_on_batteries", True):
            continue
        started.append(path)
    return started


# ------------------------------------------------------------------------------------------------
# files and restarts (win_regedit lives in registry.py with the hive substrate)
# ------------------------------------------------------------------------------------------------

@register("ansible.windows.win_reboot", {
    "pre_reboot_delay": opt("float", 2), "post_reboot_delay": opt("float", 0), "reboot_timeout": opt("float", 600),
    "connect_timeout": opt("float", 5), "test_command": opt("str"), "msg": opt("str", "Reboot initiated by Ansible"),
    "boot_time_command": opt("str", "(Get-CimInstance -ClassName Win32_OperatingSystem -Property LastBootUpTime)"
                                    ".LastBootUpTime.ToFileTime()"),
})
def win_reboot(state, p, check_mode, diff):
    # An action plugin: it never sends a module. The twin connection models the commands it runs
    # (boot time, shutdown.exe /r, the post-reboot test) and calls reboot() above.
    raise twin_state.TwinError("ansible.windows.win_reboot runs as an action plugin, not as a module")


def _parent(path: str) -> str:
    return path.rsplit("\\", 1)[0]


def directory_exists(state: dict[str, Any], path: str) -> bool:
    folder = path.rstrip("\\").lower()
    return folder in {d.lower() for d in state.get("directories", [])} or any(
        f.lower().startswith(folder + "\\") for f in state["files"])


@register("ansible.windows.win_file", {
    "path": opt("path", required=True), "state": opt("str", None, ["absent", "directory", "file", "touch"]),
})
def win_file(state, p, check_mode, diff):
    path = p["path"].rstrip("\\")
    if p["state"] == "directory":
        if directory_exists(state, path):
            return {"changed": False}
        if not check_mode:
            state.setdefault("directories", []).append(path)
        return {"changed": True}
    if p["state"] == "absent":
        gone = [f for f in state["files"] if f.lower() == path.lower() or f.lower().startswith(path.lower() + "\\")]
        was_dir = directory_exists(state, path)
        if not gone and not was_dir:
            return {"changed": False}
        if not check_mode:
            for f in gone:
                del state["files"][f]
            state["directories"] = [d for d in state.get("directories", []) if d.lower() != path.lower()]
        return {"changed": True}
    raise twin_state.TwinError(f"the twin does not model win_file state={p['state']}")


def file_sha1(entry: dict[str, Any] | None) -> str | None:
    """The SHA-1 win_copy compares: of the stored bytes (a state fragment may give only ``content``)."""
    if not entry:
        return None
    if entry.get("sha1"):
        return entry["sha1"]
    if "content" in entry:
        return hashlib.sha1(entry["content"].encode("utf-8")).hexdigest()
    if "content_base64" in entry:
        return hashlib.sha1(base64.b64decode(entry["content_base64"])).hexdigest()
    return None


def file_entry(data: bytes) -> dict[str, Any]:
    entry: dict[str, Any] = {"size": len(data), "sha1": hashlib.sha1(data).hexdigest(),
                             "sha256": hashlib.sha256(data).hexdigest()}
    try:
        entry["content"] = data.decode("utf-8")
    except UnicodeDecodeError:
        entry["content_base64"] = base64.b64encode(data).decode()
    return entry


@register("ansible.windows.win_copy", {
    "content": opt("str"), "decrypt": opt("bool", True), "dest": opt("path", required=True),
    "backup": opt("bool", False), "force": opt("bool", True), "local_follow": opt("bool", True),
    "remote_src": opt("bool", False), "src": opt("path"),
}, modelled={"dest", "force", "src", "content", "decrypt", "local_follow"},
    internal={"_copy_mode", "files", "directories", "symlinks", "_original_basename"})
def win_copy(state, p, check_mode, diff):
    """The action plugin's two module calls: ``query`` (which files differ, by SHA-1) and ``single``."""
    mode = p.get("_copy_mode") or "single"
    if mode == "query":
        folder = p["dest"].rstrip("\\")
        differ = []
        for item in p.get("files") or []:
            target = f"{folder}\\{item['dest']}"
            current = state["files"].get(target)
            if current is None or (p["force"] and file_sha1(current) != item.get("checksum")):
                differ.append(item)
        return {"changed": False, "files": differ, "directories": [], "symlinks": []}
    if mode != "single":
        raise twin_state.TwinError(f"the twin does not model win_copy _copy_mode={mode}")
    data = base64.b64decode(state.get("remote_tmp", {}).pop(p["src"], "") or "")
    if not directory_exists(state, _parent(p["dest"])):
        return {"failed": True, "msg": f"Destination directory '{_parent(p['dest'])}' does not exist"}
    before = state["files"].get(p["dest"])
    try:
        twin_session.check_not_in_use(state, p["dest"])
    except twin_session.SharingViolation as exc:
        return {"failed": True, "msg": f"Failed to copy file: {exc}"}
    state["files"][p["dest"]] = file_entry(data)
    result = {"changed": True, "dest": p["dest"], "checksum": state["files"][p["dest"]]["sha1"]}
    if diff:
        after = state["files"][p["dest"]].get("content")
        result["diff"] = {"before": (before or {}).get("content", ""), "after": after}
    return result

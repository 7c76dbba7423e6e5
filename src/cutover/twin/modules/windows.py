"""Twin counterparts of the ansible.windows / community.windows modules the roles use."""

from __future__ import annotations

from typing import Any

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register

DEFENDER_ON = 397568  # 0x61100: Windows Defender on, up to date


def _remove_product(state: dict[str, Any], code: str) -> None:
    product = state["products"].pop(code)
    state["registry"].pop(twin_state.norm_key(product["uninstall_key"]), None)
    for service in product.get("services", []):
        state["services"].pop(service, None)
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
    code = p["product_id"]
    expected = [int(c) for c in p["expected_return_code"]]
    rc = state["faults"].get("installer_exit_code")
    if p["state"] == "absent":
        if not code:
            return {"failed": True, "msg": "product_id is required when state=absent without a path"}
        if code not in state["products"]:
            return {"changed": False, "rc": 0, "reboot_required": False}
        rc = 0 if rc is None else int(rc)
        if rc not in expected:
            return {"failed": True, "changed": False, "rc": rc, "msg": f"unexpected rc from uninstall: see rc ({rc})"}
        if not check_mode:
            _remove_product(state, code)
        return {"changed": True, "rc": rc, "reboot_required": rc == 3010}
    if code and code in state["products"]:
        return {"changed": False, "rc": 0, "reboot_required": False}
    if p["creates_service"] and p["creates_service"] in state["services"]:
        return {"changed": False, "rc": 0, "reboot_required": False}
    package = state.get("distribution", {}).get(p["path"] or "")
    if package is None or state["faults"].get("unreachable_share"):
        return {"failed": True, "changed": False, "msg": f"the file at the path '{p['path']}' cannot be reached"}
    if p["checksum"] and p["checksum"].lower() != package["sha256"].lower():
        return {"failed": True, "changed": False,
                "msg": f"The checksum for {p['path']} did not match '{p['checksum']}', it was '{package['sha256']}'"}
    rc = 0 if rc is None else int(rc)
    if rc not in expected:
        return {"failed": True, "changed": False, "rc": rc, "msg": f"unexpected rc from install: see rc ({rc})"}
    if not check_mode:
        _install(state, package)
    return {"changed": True, "rc": rc, "reboot_required": rc == 3010}


@register("community.windows.win_scheduled_task", {
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
})
def win_scheduled_task(state, p, check_mode, diff):
    folder = p["path"].rstrip("\\")
    full = f"{folder}\\{p['name']}"
    tasks = state["scheduled_tasks"]
    if p["state"] == "absent":
        if full not in tasks:
            return {"changed": False}
        before = tasks[full]
        if not check_mode:
            del tasks[full]
        return {"changed": True, "diff": {"before": before, "after": {}}} if diff else {"changed": True}
    wanted = {k: v for k, v in p.items() if k not in ("name", "path", "state", "password", "update_password")
              and v is not None}
    current = tasks.get(full)
    if current == wanted:
        return {"changed": False}
    if not check_mode:
        tasks[full] = wanted
    return {"changed": True, "diff": {"before": current or {}, "after": wanted}} if diff else {"changed": True}

"""Twin counterparts of the office_m365 role's modules (read-only Office discovery, ODT deployment).

The ODT model: setup.exe must exist (a local file, or on the distribution point the session can
reach); a configuration without ``SourcePath`` is refused unless the CDN is allowed; nothing starts
while an Office app runs (``FORCEAPPSHUTDOWN`` is FALSE); the installer exit code comes from the
``installer_exit_code`` fault; on success Click-to-Run lists the configuration's products, registers
its hidden helper MSI components, ``<Remove>`` drops the Click-to-Run products it names (all of them
with ``All="TRUE"``) and ``<RemoveMSI/>`` removes MSI Office.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register

C2R = "HKLM\\SOFTWARE\\MICROSOFT\\OFFICE\\CLICKTORUN\\CONFIGURATION"
UNINSTALL_ROOTS = {"HKLM\\SOFTWARE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\UNINSTALL\\":
                   "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\",
                   "HKLM\\SOFTWARE\\WOW6432NODE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\UNINSTALL\\":
                   "HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"}
OFFICE_CODE = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]000000FF1CE\}$", re.IGNORECASE)
OFFICE_APPS = ("OUTLOOK.EXE", "WINWORD.EXE", "EXCEL.EXE", "POWERPNT.EXE", "MSACCESS.EXE", "MSPUB.EXE",
               "ONENOTE.EXE", "VISIO.EXE", "WINPROJ.EXE", "lync.exe")
CHANNELS = {"MonthlyEnterprise": "55336b82-a18d-4dd6-b5f6-9e5095c314a6",
            "Current": "492350f6-3a01-4f97-b9c0-c7c6ddf67d60",
            "SemiAnnual": "7ffbc6bf-bc32-4f92-8982-f9dd17fd3114"}
# What Click-to-Run registers beside the product (checked-facts-2 section 6b): (code, display name).
C2R_HELPERS = (("{90160000-008C-0000-1000-0000000FF1CE}", "Office 16 Click-to-Run Extensibility Component"),
               ("{90160000-008C-0411-1000-0000000FF1CE}", "Office 16 Click-to-Run Localization Component"),
               ("{90160000-007E-0000-1000-0000000FF1CE}", "Office 16 Click-to-Run Licensing Component"),
               ("{90160000-00DD-0000-1000-0000000FF1CE}",
                "Office 16 Click-to-Run Extensibility Component 64-bit Registration"))


def _data(values: dict[str, Any], name: str) -> Any:
    return (values.get(name) or {}).get("data")


def running_office_apps(state: dict[str, Any]) -> list[str]:
    names = {p["name"].lower() for p in state.get("processes", [])}
    if state["faults"].get("outlook_running"):
        names.add("outlook.exe")
    return [app for app in OFFICE_APPS if app.lower() in names]


def msi_products(state: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for key, values in sorted(state["registry"].items()):
        root = next((r for r in UNINSTALL_ROOTS if key.startswith(r)), None)
        code = key[len(root):] if root else ""
        if not root or "\\" in code or not OFFICE_CODE.match(code):
            continue
        found.append({"product_code": code.upper(), "display_name": _data(values, "DisplayName"),
                      "display_version": _data(values, "DisplayVersion"),
                      "windows_installer": int(_data(values, "WindowsInstaller") or 0),
                      "system_component": int(_data(values, "SystemComponent") or 0),
                      "parent_key_name": _data(values, "ParentKeyName"),
                      "registry_path": UNINSTALL_ROOTS[root] + code})
    return found


@register("cutover_office_facts", {})
def cutover_office_facts(state, p, check_mode, diff):
    values = twin_state.reg_get(state, C2R)
    click_to_run = None
    if values is not None:
        click_to_run = {"registry_path": "HKLM:\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration",
                        "product_release_ids": _data(values, "ProductReleaseIds"),
                        "version_to_report": _data(values, "VersionToReport"), "platform": _data(values, "Platform"),
                        "cdn_base_url": _data(values, "CDNBaseUrl"), "update_channel": _data(values, "UpdateChannel")}
    return {"changed": False, "click_to_run": click_to_run, "msi_products": msi_products(state),
            "office_apps_running": running_office_apps(state), "office_apps_error": None}


def _release_ids(state: dict[str, Any]) -> list[str]:
    raw = str(_data(twin_state.reg_get(state, C2R) or {}, "ProductReleaseIds") or "")
    return [r.strip() for r in raw.split(",") if r.strip()]


def _setup_exists(state: dict[str, Any], path: str) -> bool:
    if path.startswith("\\\\"):
        return path in state.get("distribution", {}) and not state["faults"].get("unreachable_share")
    return any(name.lower() == path.lower() for name in state["files"])


def _install(state: dict[str, Any], configuration: ET.Element) -> None:
    add = configuration.find("Add")
    products = [e.get("ID") for e in add.findall("Product")] if add is not None else []
    if configuration.find("RemoveMSI") is not None:
        for key in [k for k in state["registry"]
                    if any(k.startswith(r) for r in UNINSTALL_ROOTS) and OFFICE_CODE.match(k.rsplit("\\", 1)[1])]:
            del state["registry"][key]
    url = f"http://officecdn.microsoft.com/pr/{CHANNELS.get(add.get('Channel', 'Current'), CHANNELS['Current'])}"
    kept = _release_ids(state)
    remove = configuration.find("Remove")
    if remove is not None:  # <Remove All="TRUE"/> drops every Click-to-Run product, <Product ID=.../> that one
        gone = {e.get("ID") for e in remove.findall("Product")}
        kept = [] if remove.get("All", "").upper() == "TRUE" else [r for r in kept if r not in gone]
    ids = ",".join(dict.fromkeys([*kept, *products]))
    for name, data in (("ProductReleaseIds", ids), ("VersionToReport", "16.0.17928.20156"),
                       ("Platform", "x64" if add.get("OfficeClientEdition", "64") == "64" else "x86"),
                       ("CDNBaseUrl", url), ("UpdateChannel", url)):
        twin_state.reg_set(state, C2R, name, "REG_SZ", data)
    root = next(iter(UNINSTALL_ROOTS))
    for code, display in C2R_HELPERS:
        for name, kind, data in (("DisplayName", "REG_SZ", display), ("DisplayVersion", "REG_SZ", "16.0.17928.20156"),
                                 ("WindowsInstaller", "REG_DWORD", 1), ("SystemComponent", "REG_DWORD", 1)):
            twin_state.reg_set(state, root + code, name, kind, data)


@register("cutover_odt_deploy", {
    "setup_path": opt("str", required=True), "work_dir": opt("str", "C:\\ProgramData\\cutover\\odt"),
    "product_id": opt("str", required=True), "configuration_xml": opt("str", required=True),
    "allow_cdn": opt("bool", False),
})
def cutover_odt_deploy(state, p, check_mode, diff):
    before = _release_ids(state)
    result: dict[str, Any] = {"changed": False, "pending": False}
    if diff:
        result["diff"] = {"before": {"product_release_ids": ",".join(before)},
                          "after": {"product_release_ids": ",".join(before)}}
    if p["product_id"] in before:
        return result | {"msg": f"{p['product_id']} is already installed"}
    try:
        configuration = ET.fromstring(p["configuration_xml"])
    except ET.ParseError as exc:
        return result | {"failed": True, "msg": f"configuration_xml is not valid XML: {exc}"}
    add = configuration.find("Add")
    if not (add is not None and add.get("SourcePath")) and not p["allow_cdn"]:
        return result | {"failed": True, "msg": "the configuration has no Add/@SourcePath: every PC would download "
                                                "Office from the Microsoft CDN; set the distribution point "
                                                "(office_m365_source_path) or allow_cdn"}
    running = running_office_apps(state)
    if running:
        return result | {"pending": True, "running_apps": running,
                         "msg": f"Office apps are open ({', '.join(running)}): setup.exe is not started "
                                "(FORCEAPPSHUTDOWN is FALSE); it runs when they are closed"}
    if not _setup_exists(state, p["setup_path"]):
        return result | {"failed": True, "msg": f"the Office Deployment Tool is not reachable at {p['setup_path']}"}
    if diff:
        result["diff"]["after"] = {"product_release_ids": ",".join([*before, p["product_id"]])}
    if check_mode:
        return result | {"changed": True, "msg": f"would run setup.exe /configure for {p['product_id']}"}
    text = p["configuration_xml"]
    data = text.encode("utf-8")
    state["files"][f"{p['work_dir']}\\configuration.xml"] = {"size": len(data), "content": text,
                                                             "sha256": hashlib.sha256(data).hexdigest()}
    rc = int(state["faults"].get("installer_exit_code") or 0)
    if rc:
        return result | {"failed": True, "rc": rc, "msg": f"setup.exe /configure returned {rc}"}
    _install(state, configuration)
    after = _release_ids(state)
    if diff:
        result["diff"]["after"] = {"product_release_ids": ",".join(after)}
    if p["product_id"] not in after:
        return result | {"failed": True, "rc": 0, "msg": f"setup.exe /configure returned 0 but {p['product_id']} is "
                                                         f"not among ProductReleaseIds ({','.join(after)})"}
    return result | {"changed": True, "rc": 0, "msg": f"{p['product_id']} installed"}

"""Twin counterparts of the office_m365 role's modules."""

from __future__ import annotations

from cutover.twin import state as twin_state
from cutover.twin.modules import opt, register

C2R = "HKLM\\SOFTWARE\\MICROSOFT\\OFFICE\\CLICKTORUN\\CONFIGURATION"
UNINSTALL = ("HKLM\\SOFTWARE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\UNINSTALL\\",
             "HKLM\\SOFTWARE\\WOW6432NODE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\UNINSTALL\\")


@register("cutover_office_facts", {})
def cutover_office_facts(state, p, check_mode, diff):
    values = twin_state.reg_get(state, C2R)
    click_to_run = None
    if values is not None:
        def get(name):
            return (values.get(name) or {}).get("data")
        click_to_run = {"registry_path": "HKLM:\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration",
                        "product_release_ids": get("ProductReleaseIds"), "version_to_report": get("VersionToReport"),
                        "platform": get("Platform"), "cdn_base_url": get("CDNBaseUrl"),
                        "update_channel": get("UpdateChannel")}
    msi = []
    for key, entry in sorted(state["registry"].items()):
        if key.startswith(UNINSTALL) and key.endswith("0000000FF1CE}"):
            code = key.rsplit("\\", 1)[1]
            msi.append({"product_code": code, "display_name": (entry.get("DisplayName") or {}).get("data"),
                        "display_version": (entry.get("DisplayVersion") or {}).get("data"),
                        "windows_installer": int((entry.get("WindowsInstaller") or {}).get("data") or 0),
                        "registry_path": key})
    return {"changed": False, "click_to_run": click_to_run, "msi_products": msi}


@register("cutover_odt_deploy", {
    "setup_path": opt("str", required=True), "work_dir": opt("str", "C:\\ProgramData\\cutover\\odt"),
    "product_id": opt("str", required=True), "configuration_xml": opt("str", required=True),
})
def cutover_odt_deploy(state, p, check_mode, diff):
    values = twin_state.reg_get(state, C2R) or {}
    installed = str((values.get("ProductReleaseIds") or {}).get("data") or "").split(",")
    if p["product_id"] in installed:
        return {"changed": False, "msg": f"{p['product_id']} is already installed"}
    if state["faults"].get("unreachable_share"):
        return {"failed": True, "msg": f"the Office Deployment Tool is not reachable at {p['setup_path']}"}
    if check_mode:
        return {"changed": True, "msg": f"would run setup.exe /configure for {p['product_id']}"}
    rc = state["faults"].get("installer_exit_code") or 0
    if rc:
        return {"failed": True, "rc": rc, "msg": f"setup.exe /configure returned {rc}"}
    for key in [k for k in state["registry"] if k.startswith(UNINSTALL) and k.endswith("0000000FF1CE}")]:
        del state["registry"][key]  # <RemoveMSI /> removes MSI Office
    channel = "http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6"
    for name, data in (("ProductReleaseIds", p["product_id"]), ("VersionToReport", "16.0.17928.20156"),
                       ("Platform", "x64"), ("CDNBaseUrl", channel), ("UpdateChannel", channel)):
        twin_state.reg_set(state, C2R, name, "REG_SZ", data)
    return {"changed": True, "rc": 0, "msg": f"{p['product_id']} installed"}

"""The role settings verification needs, read where the roles read them.

Expected values come from the same places as the converge's: the roles' documented defaults
(``roles/<role>/defaults/main.yml``), overridden by the inventory's ``group_vars`` for ``all``,
``windows`` and the site's group, and the custom modules' documented defaults (the logon-mapping
folder and task name). Values that are Jinja templates in the defaults are computed here in Python
with the same rule (ticket retrieval per identity mode); a template in ``group_vars`` for a setting
verification reads is refused as bad input, because verification could not know what it means.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cutover.inventory.ansible_view import site_group
from cutover.runner import PROJECT_ROOT

ROLES = PROJECT_ROOT / "roles"
ROLE_DEFAULTS = ("ngav", "office_m365", "mail_client", "fileshare_client")
GROUPS = ("all", "windows")  # plus the site's group
TEMPLATED = {"fileshare_client_ticket_retrieval"}  # computed by ticket_retrieval_needed()
KEYS = (
    "ngav_enabled", "ngav_remove_old_av", "ngav_remove_old_scan_task", "ngav_install",
    "ngav_schedule_first_scan_on_hdd", "ngav_meeting_laptops_use_defender", "ngav_old_av_display_patterns",
    "ngav_old_av_services", "ngav_old_av_task_paths", "ngav_product_display_pattern", "ngav_product_services",
    "ngav_security_center_name", "ngav_first_scan_task_name",
    "office_m365_enabled",
    "mail_client_enabled", "mail_client_outlook", "mail_client_thunderbird", "mail_client_days",
    "fileshare_client_enabled", "fileshare_client_install_mapping",
)
FIRST_SCAN_FOLDER = "\\Cutover\\"  # roles/ngav/tasks/main.yml puts the first-scan task here
MAPPING_FOLDER = "\\Cutover\\"  # cutover_logon_mapping registers its task here


class SettingsError(ValueError):
    """A setting verification cannot read (names the file and the variable)."""


@dataclass(frozen=True)
class LogonMapping:
    directory: str
    task_name: str

    @property
    def task_path(self) -> str:
        return MAPPING_FOLDER + self.task_name

    @property
    def script(self) -> str:
        return f"{self.directory}\\cutover-map-drives.ps1"

    @property
    def configuration(self) -> str:
        return f"{self.directory}\\drive-map.json"


def _yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"{path}: cannot read ({exc})") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping of variables")
    return data


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def role_defaults() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for role in ROLE_DEFAULTS:
        path = ROLES / role / "defaults" / "main.yml"
        data = _yaml(path)
        for key in KEYS:
            if key in data:
                if _is_template(data[key]):
                    raise SettingsError(f"{path}: {key} is a template; verification needs a plain value")
                values[key] = data[key]
    missing = [k for k in KEYS if k not in values]
    if missing:
        raise SettingsError(f"role defaults lack {', '.join(missing)} (roles/*/defaults/main.yml)")
    return values


def _group_files(group_vars: Path, group: str) -> list[Path]:
    files = [group_vars / f"{group}{ext}" for ext in (".yml", ".yaml")]
    folder = group_vars / group
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))
    return [p for p in files if p.is_file()]


def module_default(doc: Path, option: str) -> Any:
    """The documented default of a custom module's option (the ``.py`` beside its ``.ps1``)."""
    tree = ast.parse(doc.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)["options"][option].get("default")
    raise SettingsError(f"{doc}: no DOCUMENTATION")


def logon_mapping() -> LogonMapping:
    doc = ROLES / "fileshare_client" / "library" / "cutover_logon_mapping.py"
    return LogonMapping(module_default(doc, "directory"), module_default(doc, "task_name"))


def for_site(inventory_root: Path, site_id: str) -> dict[str, Any]:
    """Role settings for a site's PCs: defaults, then group_vars of all, windows and the site's group."""
    values = role_defaults()
    group_vars = Path(inventory_root) / "group_vars"
    for group in (*GROUPS, site_group(site_id)):
        for path in _group_files(group_vars, group):
            data = _yaml(path)
            for key, value in data.items():
                if key not in KEYS and key not in TEMPLATED:
                    continue
                if _is_template(value) or key in TEMPLATED:
                    raise SettingsError(f"{path}: {key} is set to {value!r}; verification cannot mirror this "
                                        "override (set a plain value in the role defaults or the site's inventory)")
                values[key] = value
    days = values["mail_client_days"]
    if not isinstance(days, int) or not 1 <= days <= 999:
        raise SettingsError(f"mail_client_days must be a whole number of days between 1 and 999 (got {days!r})")
    return values


def ticket_retrieval_needed(identity_mode: str) -> bool:
    """Mirror of fileshare_client_ticket_retrieval: Entra Kerberos (both identity modes) needs it."""
    return identity_mode in ("hybrid", "cloud_only")

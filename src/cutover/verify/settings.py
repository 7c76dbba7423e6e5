"""The role settings verification needs, read where the roles read them.

Expected values come from the same places as the converge's: the roles' documented defaults
(``roles/<role>/defaults/main.yml``), overridden by the inventory's ``group_vars`` of every group the
PC is in, in Ansible's order (``all`` first, then the PC's groups — all children of ``all`` — by
name, a later one winning); the logon mapping's folder and task name are fileshare_client's defaults.
Values that are Jinja templates in the defaults are computed here in Python with the
same rule (ticket retrieval per identity mode); a template in ``group_vars`` for a setting
verification reads is refused as bad input, because verification could not know what it means.
Host variables other than the inventory's own fields are not read: the inventory has none.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cutover import smb
from cutover.inventory import Endpoint, Site
from cutover.inventory.ansible_view import host_groups, site_group
from cutover.runner import PROJECT_ROOT

ROLES = PROJECT_ROOT / "roles"
ROLE_DEFAULTS = ("ngav", "office_m365", "mail_client", "fileshare_client")
STALE_DAYS = 60  # the inventory plugin's default for not_seen_recently
# computed here: ticket_retrieval_needed(), and the site's channel encryption from the inventory
TEMPLATED = {"fileshare_client_ticket_retrieval", "fileshare_client_channel_encryption"}
KEYS = (
    "ngav_enabled", "ngav_remove_old_av", "ngav_remove_old_scan_task", "ngav_install",
    "ngav_schedule_first_scan_on_hdd", "ngav_meeting_laptops_use_defender", "ngav_old_av_display_patterns",
    "ngav_old_av_services", "ngav_old_av_task_paths", "ngav_old_av_schedule_key", "ngav_product_display_pattern",
    "ngav_product_services",
    "ngav_security_center_name", "ngav_first_scan_task_name",
    "office_m365_enabled",
    "mail_client_enabled", "mail_client_outlook", "mail_client_thunderbird", "mail_client_days",
    "fileshare_client_enabled", "fileshare_client_install_mapping",
    "fileshare_client_directory", "fileshare_client_task_name", "fileshare_client_cipher_suite_order",
)
FIRST_SCAN_FOLDER = "\\Cutover\\"  # roles/ngav/tasks/change.yml puts the first-scan task here
MAPPING_FOLDER = "\\Cutover\\"  # roles/fileshare_client/tasks/main.yml registers its logon task here


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


@functools.cache
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


def logon_mapping() -> LogonMapping:
    """Where fileshare_client installs the logon mapping (its documented defaults)."""
    defaults = role_defaults()
    return LogonMapping(defaults["fileshare_client_directory"], defaults["fileshare_client_task_name"])


def stale_days(inventory_root: Path) -> int:
    """The inventory plugin's ``stale_days`` (``cutover.yml``), which decides the not_seen_recently group."""
    config = Path(inventory_root) / "cutover.yml"
    data = _yaml(config) if config.is_file() else {}
    return int(data.get("stale_days", STALE_DAYS))


def groups_of(site: Site, endpoint: Endpoint, today: dt.date, stale: int = STALE_DAYS) -> tuple[str, ...]:
    """The PC's groups in the order Ansible applies their group_vars: all, then the others by name."""
    return ("all", *sorted({"windows", site_group(site.id), *host_groups(site, endpoint, today, stale)}))


@functools.cache
def _overrides(group_vars: Path, group: str) -> tuple[tuple[str, Any], ...]:
    """The settings a group's group_vars set, in file order; a template for one of them is bad input."""
    found = []
    for path in _group_files(group_vars, group):
        for key, value in _yaml(path).items():
            if key not in KEYS and key not in TEMPLATED:
                continue
            if _is_template(value) or key in TEMPLATED:
                raise SettingsError(f"{path}: {key} is set to {value!r}; verification cannot mirror this "
                                    "override (set a plain value in the role defaults or the site's inventory)")
            found.append((key, value))
    return tuple(found)


def for_groups(inventory_root: Path, groups: tuple[str, ...]) -> dict[str, Any]:
    """Role settings of a PC in these groups: the defaults, then each group's group_vars in order."""
    values = dict(role_defaults())
    group_vars = Path(inventory_root).resolve() / "group_vars"
    for group in groups:
        values.update(_overrides(group_vars, group))
    days = values["mail_client_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 999:
        raise SettingsError(f"mail_client_days must be a whole number of days between 1 and 999 (got {days!r})")
    return values


def check_site(inventory_root: Path, site: Site, today: dt.date) -> None:
    """Raise SettingsError for the first setting of any of the site's PCs that verification cannot mirror."""
    stale = stale_days(inventory_root)
    for endpoint in site.endpoints:
        for_groups(inventory_root, groups_of(site, endpoint, today, stale))


def cipher_order_needed(channel_encryption: str, build: int) -> bool:
    """Mirror of fileshare_client's plan: Windows 11 at a share that allows AES-256-GCM only."""
    return smb.channel_allows_aes256_only(channel_encryption) and build >= smb.WINDOWS11_FIRST_BUILD


def ticket_retrieval_needed(identity_mode: str) -> bool:
    """Mirror of fileshare_client_ticket_retrieval: Entra Kerberos (both identity modes) needs it."""
    return identity_mode in ("hybrid", "cloud_only")

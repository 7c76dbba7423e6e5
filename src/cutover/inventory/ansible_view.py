"""How the inventory looks from Ansible: group names and variables (used by the inventory plugin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from cutover import naming, smb
from cutover.inventory.model import Endpoint, Inventory, Site


def site_group(site_id: str) -> str:
    return "site_" + site_id.replace("-", "_")


def host_groups(site: Site, endpoint: Endpoint, today: dt.date, stale_days: int) -> list[str]:
    groups = [
        f"wave_{site.wave}",
        f"role_{endpoint.role}",
        f"disk_{endpoint.disk_media}",
        "os_windows_11" if endpoint.build_number >= 22000 else "os_windows_10",
    ]
    if endpoint.ram_gib <= 8:
        groups.append("ram_8gb_or_less")
    if (today - endpoint.last_seen).days > stale_days:
        groups.append("not_seen_recently")
    return groups


def host_vars(site: Site, endpoint: Endpoint) -> dict[str, Any]:
    accounts = [
        {"address": m.address, "kind": m.kind, "client": m.client}
        for m in site.mail
        if endpoint.hostname in m.endpoints
    ]
    return {
        "cutover_site": site.id,
        "cutover_wave": site.wave,
        "cutover_model": endpoint.model,
        "cutover_form_factor": endpoint.form_factor,
        "cutover_role": endpoint.role,
        "cutover_ram_gib": endpoint.ram_gib,
        "cutover_disk_media": endpoint.disk_media,
        "cutover_os_edition": endpoint.os_edition,
        "cutover_os_build": endpoint.os_build,
        "cutover_last_seen": endpoint.last_seen.isoformat(),
        "cutover_mail_accounts": accounts,
    }


def site_vars(site: Site, inventory: Inventory, as_of: dt.date) -> dict[str, Any]:
    """The site group's variables on ``as_of`` (the SMB ciphers depend on the Windows 10 deadline)."""
    cfg = site.config
    org = inventory.organisation
    account = naming.storage_account(site.id, org.azure_location, org.mail_domain)
    return {
        "cutover_storage_host": f"{account}.file.core.windows.net",
        "cutover_site_name_ja": cfg.name_ja,
        "cutover_identity_mode": cfg.identity_mode,
        "cutover_file_shares": [s.model_dump(mode="json") for s in cfg.file_shares],
        "cutover_drive_mappings": [m.model_dump(mode="json") for m in cfg.drive_mappings],
        "cutover_switch_mappings": cfg.cutover.switch_mappings,
        "cutover_rollback": cfg.cutover.rollback,
        # The site's allowed SMB channel ciphers (the same function the stack uses): AES-256-GCM only means
        # Windows 10 PCs cannot connect and Windows 11 PCs must prefer AES_256_GCM (docs/cloud.md).
        "cutover_smb_channel_encryption": smb.channel_encryption(
            (e.build_number for e in site.endpoints), org.windows10_deadline, as_of),
    }


def file_server_vars(inventory: Inventory, sites: Collection[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Data-center file servers (from the shares' legacy_unc) and the shares each must migrate (of ``sites``)."""
    servers: dict[str, list[dict[str, Any]]] = {}
    org = inventory.organisation
    for site in inventory.sites.values():
        if sites is not None and site.id not in sites:
            continue
        account = naming.storage_account(site.id, org.azure_location, org.mail_domain)
        for share in site.config.file_shares:
            if not share.legacy_unc:
                continue
            parts = share.legacy_unc.strip("\\").split("\\")
            servers.setdefault(parts[0].upper(), []).append({
                "site": site.id, "share": share.name, "source": share.legacy_unc, "smb_share": parts[1],
                "target": f"\\\\{account}.file.core.windows.net\\{share.name}",
                "identity_mode": site.config.identity_mode})
    return servers

"""What each PC and file server must show, computed in Python from the inventory.

The values come from the same host and site variables the roles get (``cutover.inventory.ansible_view``)
and the same settings (``cutover.verify.settings``); nothing here asks a PC or a converge module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cutover.inventory import Inventory, Site
from cutover.inventory.ansible_view import file_server_vars, host_vars, site_vars
from cutover.verify import settings as verify_settings

LEAVE_ON_SERVER = 0x1  # PROP_POP_LEAVE_ON_SERVER flags (Outlook account management API)
REMOVE_AFTER = 0x2
REMOVE_ON_NUKE = 0x4  # the user's own choice; the mail role keeps it


def leave_on_server(days: int) -> int:
    """Leave a copy on the server and remove it after ``days`` days: 0x000F0003 for 15 days."""
    return LEAVE_ON_SERVER | REMOVE_AFTER | (days << 16)


@dataclass(frozen=True)
class Ngav:
    display_pattern: str
    services: tuple[str, ...]
    security_center_name: str


@dataclass(frozen=True)
class OldAv:
    display_patterns: tuple[str, ...]
    services: tuple[str, ...]
    task_folders: tuple[str, ...]
    remove_product: bool
    remove_task: bool
    schedule_key: str = ""  # the agent's server-pushed scheduled scan (HKLM, 32-bit view)


@dataclass(frozen=True)
class DriveMap:
    task_path: str
    script: str
    configuration: str
    site: str
    mappings: tuple[tuple[str, str], ...]  # (letter, UNC on the Azure file share)


@dataclass(frozen=True)
class PcExpectation:
    site: str
    host: str
    role: str
    disk_media: str
    last_seen: dt.date
    as_of: dt.date
    old_av: OldAv | None
    ngav: Ngav | None  # None: this PC is protected by Windows Defender instead (web-meeting laptops)
    defender: bool
    first_scan_task: str | None
    office: bool
    mail_days: int
    outlook_personal: tuple[str, ...] = ()
    thunderbird_personal: tuple[str, ...] = ()
    outlook_shared: tuple[str, ...] = ()
    thunderbird_shared: tuple[str, ...] = ()
    ticket_retrieval: bool = False
    drive_map: DriveMap | None = None
    cipher_order: tuple[str, ...] | None = None  # SMB client cipher order the role sets (Windows 11, AES-256 only)

    @property
    def leave_on_server(self) -> int:
        return leave_on_server(self.mail_days)


@dataclass(frozen=True)
class ShareCopy:
    share: str
    source: str
    target: str


@dataclass(frozen=True)
class ServerExpectation:
    site: str
    host: str
    shares: tuple[ShareCopy, ...] = field(default=())


def _addresses(accounts: list[dict], kind: str, client: str) -> tuple[str, ...]:
    return tuple(sorted({a["address"].strip().lower() for a in accounts
                         if a["kind"] == kind and client in a["client"]}))


def for_site(inventory: Inventory, site: Site, as_of: dt.date, hosts: set[str] | None = None) -> list[PcExpectation]:
    """Expectations for the site's PCs (all, or those named in ``hosts``), in inventory order."""
    sv = site_vars(site, inventory, as_of)
    root = Path(inventory.root)
    stale = verify_settings.stale_days(root)
    mapping = verify_settings.logon_mapping()
    out = []
    for endpoint in site.endpoints:
        if hosts is not None and endpoint.hostname not in hosts:
            continue
        hv = host_vars(site, endpoint)
        s = verify_settings.for_groups(root, verify_settings.groups_of(site, endpoint, as_of, stale))
        meeting = hv["cutover_role"] == "web_meeting_laptop" and s["ngav_meeting_laptops_use_defender"]
        ngav_on = bool(s["ngav_enabled"])
        old_av = OldAv(tuple(s["ngav_old_av_display_patterns"]), tuple(s["ngav_old_av_services"]),
                       tuple(s["ngav_old_av_task_paths"]), bool(s["ngav_remove_old_av"]),
                       bool(s["ngav_remove_old_scan_task"]), s["ngav_old_av_schedule_key"]) if ngav_on else None
        ngav = (Ngav(s["ngav_product_display_pattern"], tuple(s["ngav_product_services"]),
                     s["ngav_security_center_name"]) if ngav_on and s["ngav_install"] and not meeting else None)
        first_scan = (verify_settings.FIRST_SCAN_FOLDER + s["ngav_first_scan_task_name"]
                      if ngav is not None and s["ngav_schedule_first_scan_on_hdd"]
                      and hv["cutover_disk_media"] == "hdd" else None)
        accounts = hv["cutover_mail_accounts"]
        personal = bool(s["mail_client_enabled"])
        fileshare = bool(s["fileshare_client_enabled"])
        drive_map = None
        if fileshare and s["fileshare_client_install_mapping"]:
            storage = sv["cutover_storage_host"]
            pairs = tuple(sorted(
                (m["letter"], f"\\\\{storage}\\{m['share']}" + (f"\\{m['folder']}" if m.get("folder") else ""))
                for m in sv["cutover_drive_mappings"]))
            drive_map = DriveMap(mapping.task_path, mapping.script, mapping.configuration, site.id, pairs)
        out.append(PcExpectation(
            site=site.id, host=endpoint.hostname, role=hv["cutover_role"], disk_media=hv["cutover_disk_media"],
            last_seen=endpoint.last_seen, as_of=as_of, old_av=old_av, ngav=ngav, defender=ngav_on and meeting,
            first_scan_task=first_scan, office=bool(s["office_m365_enabled"]), mail_days=int(s["mail_client_days"]),
            outlook_personal=_addresses(accounts, "personal", "outlook")
            if personal and s["mail_client_outlook"] else (),
            thunderbird_personal=_addresses(accounts, "personal", "thunderbird")
            if personal and s["mail_client_thunderbird"] else (),
            outlook_shared=_addresses(accounts, "shared", "outlook"),
            thunderbird_shared=_addresses(accounts, "shared", "thunderbird"),
            ticket_retrieval=fileshare and verify_settings.ticket_retrieval_needed(sv["cutover_identity_mode"]),
            drive_map=drive_map,
            cipher_order=tuple(s["fileshare_client_cipher_suite_order"])
            if fileshare and verify_settings.cipher_order_needed(sv["cutover_smb_channel_encryption"],
                                                                 endpoint.build_number) else None,
        ))
    return out


def for_servers(inventory: Inventory, site: Site) -> list[ServerExpectation]:
    """The data-center file servers holding the site's shares: each share's copy must equal its source."""
    out = []
    for server, shares in sorted(file_server_vars(inventory).items()):
        mine = tuple(ShareCopy(s["share"], s["source"], s["target"]) for s in shares if s["site"] == site.id)
        if mine:
            out.append(ServerExpectation(site.id, server, mine))
    return out

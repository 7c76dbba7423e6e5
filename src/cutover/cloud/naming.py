"""Deterministic Azure and Entra names (CAF abbreviations), checked for collisions across sites.

Storage account names are global across Azure, 3-24 lowercase letters and digits. They are built as
``st`` + ``files`` + the site's short code + region ``jpe`` + a 4-hex token derived from the
organisation's mail domain, so two organisations using this project do not collide with each other.
"""

from __future__ import annotations

import hashlib
import re

from cutover import sites

REGION_SHORT = {"japaneast": "jpe", "japanwest": "jpw"}
CORE = "core"
_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")


class NamingError(ValueError):
    """Raised when names would be invalid or collide."""


def region_short(location: str) -> str:
    return REGION_SHORT.get(location, re.sub(r"[^a-z0-9]", "", location)[:4])


def org_token(mail_domain: str) -> str:
    return hashlib.sha256(mail_domain.lower().encode()).hexdigest()[:4]


def site_short(site_id: str) -> str:
    """``hq`` or ``pref18`` (letters and digits only, for names that allow nothing else)."""
    return "hq" if site_id == sites.HQ else f"pref{sites.site_code(site_id)}"


def storage_account(site_id: str, location: str, mail_domain: str) -> str:
    name = f"stfiles{site_short(site_id)}{region_short(location)}{org_token(mail_domain)}"
    if not _ACCOUNT.match(name):
        raise NamingError(f"storage account name {name!r} is not 3-24 lowercase letters and digits")
    return name


def resource_group(stack: str, location: str) -> str:
    return f"rg-files-{stack}-{region_short(location)}"


def workspace(location: str) -> str:
    return f"log-files-{CORE}-{region_short(location)}"


def vault(location: str) -> str:
    return f"rsv-files-{CORE}-{region_short(location)}"


def entra_group(site_id: str, group: str) -> str:
    return f"cutover-{site_id}-{group}"


def check_unique(names: dict[str, str]) -> None:
    """``names`` maps site id -> storage account name; raise if two sites share one."""
    seen: dict[str, str] = {}
    for site_id, name in names.items():
        if name in seen:
            raise NamingError(f"storage account name {name} is used by both {seen[name]} and {site_id}")
        seen[name] = site_id

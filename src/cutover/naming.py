"""Every Azure and Entra name the project creates or refers to, spelled once (CAF abbreviations).

Sits below ``inventory/`` and ``cloud/``: it imports only :mod:`cutover.sites`, so both can use it.
Abbreviations follow the Cloud Adoption Framework list
(https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/resource-abbreviations).

Storage account and Key Vault names are global across Azure. They carry a 4-hex token derived from
the organisation's mail domain, so two organisations using this project do not collide. Storage
accounts: 3-24 lowercase letters and digits; Key Vaults: 3-24 letters, digits and hyphens, starting
with a letter (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
"""

from __future__ import annotations

import hashlib
import re

from cutover import sites

REGION_SHORT = {"japaneast": "jpe", "japanwest": "jpw"}
CORE = "core"
PROJECT = "cutover"
MANAGED_BY = "cutover"
LOCK = "cutover-no-delete"  # the one CanNotDelete lock name on every protected scope
DIAGNOSTIC_SETTING = "cutover-file-logs"

# Tag keys: the only spellings; :func:`tags` builds them and the policy pack requires them.
TAG_SITE = "cutover-site"
TAG_WAVE = "cutover-wave"
TAG_MANAGED_BY = "managed-by"
TAG_COST_CENTRE = "cost-centre"
REQUIRED_TAGS = (TAG_SITE, TAG_WAVE, TAG_MANAGED_BY, TAG_COST_CENTRE)
TAG_VALUE_MAX = 256  # Azure: tag values are at most 256 characters
_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
_KEY_VAULT = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9]|-(?=[a-zA-Z0-9])){2,23}$")


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


def file_endpoint(account: str) -> str:
    return f"{account}.file.core.windows.net"


def unc(account: str, share: str, folder: str | None = None) -> str:
    return rf"\\{file_endpoint(account)}\{share}" + (rf"\{folder}" if folder else "")


def storage_app(account: str) -> str:
    """Display name of the enterprise app the storage resource provider creates for Entra Kerberos."""
    return f"[Storage Account] {file_endpoint(account)}"


def resource_group(stack: str, location: str) -> str:
    return f"rg-files-{stack}-{region_short(location)}"


def workspace(location: str) -> str:
    return f"log-files-{CORE}-{region_short(location)}"


def vault(location: str) -> str:
    return f"rsv-files-{CORE}-{region_short(location)}"


def key_vault(location: str, mail_domain: str) -> str:
    """Globally unique: ``kv-files-core-jpe-<token>`` (22 characters)."""
    name = f"kv-files-{CORE}-{region_short(location)}-{org_token(mail_domain)}"
    if not _KEY_VAULT.match(name):
        raise NamingError(f"key vault name {name!r} is not 3-24 letters, digits and single hyphens")
    return name


def key_vault_uri(name: str) -> str:
    return f"https://{name}.vault.azure.net"


def backup_policy(site_id: str) -> str:
    return f"cutover-files-{site_id}"


def storage_mover(site_id: str) -> str:
    return f"sm-files-{site_id}"


def storage_sync_service(site_id: str) -> str:
    return f"sss-files-{site_id}"


def mover_agent(site_id: str) -> str:
    return f"agent-{site_id}"


def copy_secret(site_id: str) -> str:
    """Key Vault secret name prefix of the data-center share credentials used by Storage Mover."""
    return f"{site_id}-dc-smb"


def entra_group(site_id: str, group: str) -> str:
    return f"cutover-{site_id}-{group}"


def named_location(site_id: str) -> str:
    return f"cutover-{site_id}-offices"


def mfa_policy(site_id: str) -> str:
    return f"cutover-{site_id}-mfa-outside-offices"


PLATFORM_ADMINS = "cutover-platform-admins"
AUDITORS = "cutover-auditors"
LEGACY_AUTH_POLICY = "cutover-baseline-block-legacy-authentication"


def tags(site_id: str, wave: int | str, cost_centre: str) -> dict[str, str]:
    """The required tags of every taggable resource of a stack (``core`` uses wave ``-``)."""
    values = {TAG_SITE: site_id, TAG_WAVE: str(wave), TAG_MANAGED_BY: MANAGED_BY, TAG_COST_CENTRE: cost_centre}
    check_tags(values)
    return values


def check_tags(values: dict[str, str]) -> None:
    for key, value in values.items():
        if len(str(value)) > TAG_VALUE_MAX:
            raise NamingError(f"tag {key} is {len(str(value))} characters; Azure allows {TAG_VALUE_MAX}")


def check_unique(names: dict[str, str]) -> None:
    """``names`` maps site id -> storage account name; raise if two sites share one."""
    seen: dict[str, str] = {}
    for site_id, name in names.items():
        if name in seen:
            raise NamingError(f"storage account name {name} is used by both {seen[name]} and {site_id}")
        seen[name] = site_id

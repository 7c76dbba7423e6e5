"""The inventory schema (pydantic v2): one organisation, 48 sites, their offices, PCs and mail addresses.

Field-level rules live here; rules that need more than one record (uniqueness across sites,
references between files) live in :mod:`cutover.inventory.crosscheck`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from cutover import policy_catalog
from cutover.inventory.errors import Problem

# --------------------------------------------------------------------------------------------
# Reusable constrained types
# --------------------------------------------------------------------------------------------

_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
_SHARE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_FOLDER_FORBIDDEN = set('\\/:*?"<>|')

# Address ranges an Azure storage firewall refuses, or that can never be an office's egress.
_NOT_EGRESS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
    )
)
DOCUMENTATION_RANGES = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)


def _hostname(value: str) -> str:
    if not _HOSTNAME.match(value) or value.isdigit():
        raise ValueError(
            "not a valid Windows computer name: expected 1-15 letters, digits or hyphens, "
            "not starting or ending with a hyphen and not only digits"
        )
    return value.upper()


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("expected 3-32 lowercase letters, digits or hyphens, starting with a letter")
    return value


def _share_name(value: str) -> str:
    if not _SHARE.match(value):
        raise ValueError(
            "not a valid Azure Files share name: expected 3-63 lowercase letters, digits and single "
            "hyphens, starting and ending with a letter or digit"
        )
    return value


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError("not a valid e-mail address (expected local-part@domain.example)")
    return value.lower()


def _egress(value: str) -> str:
    text = str(value).strip()
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise ValueError(
            f"not an IPv4 address or CIDR range ({exc}); expected e.g. 203.0.113.10 or 198.51.100.0/28"
        ) from None
    if net.version != 4:
        raise ValueError("Azure storage IP rules accept IPv4 only")
    if net.prefixlen == 0:
        raise ValueError("0.0.0.0/0 would open the file share to the whole internet")
    if net.prefixlen == 31:
        raise ValueError("Azure storage IP rules do not accept /31: list the two addresses separately")
    for bad in _NOT_EGRESS:
        if net.overlaps(bad):
            raise ValueError(
                f"{net} is not a public address ({bad} is private or reserved); storage firewalls "
                "accept public egress addresses only"
            )
    # /32 is not accepted by the storage firewall either: keep the plain address.
    return str(net.network_address) if net.prefixlen == 32 else str(net)


Hostname = Annotated[str, AfterValidator(_hostname)]
Slug = Annotated[str, AfterValidator(_slug)]
ShareName = Annotated[str, AfterValidator(_share_name)]
Email = Annotated[str, AfterValidator(_email)]
Egress = Annotated[str, AfterValidator(_egress)]
Permission = Literal["read", "change", "full"]
IdentityMode = Literal["hybrid", "cloud_only"]
SupportTier = Literal["basic", "standard", "premium"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------------------------
# organisation.yml
# --------------------------------------------------------------------------------------------


class Wave(_Strict):
    number: int = Field(ge=0, le=20, description="0 = pilot")
    name: str
    start: dt.date = Field(description="date the wave goes live")
    live: bool = Field(False, description="conditional access moves from report-only to enforced")


class Prices(_Strict):
    """Reference prices in yen (excl. tax) used by the cost summary."""

    groupware_id_month: int = 300
    m365_apps_business_user_month: int = 1117
    m365_business_standard_user_month: int = 1630
    office_2021_standard: int = 71600
    office_2021_professional: int = 97000
    azure_files_gib_month: float = Field(
        description="operator-supplied price per provisioned GiB and month for the chosen tier"
    )


class ActiveDirectory(_Strict):
    """The on-premises AD that hybrid sites sync from (Entra Kerberos for hybrid identities)."""

    domain_name: str = Field(min_length=3, description="DNS name of the AD domain, e.g. ad.union.example")
    domain_guid: str = Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                             description="objectGUID of the domain (Get-ADDomain); lets File Explorer edit ACLs")


class DataCenter(_Strict):
    """The data center whose file servers are being retired: a time-boxed migration source."""

    name: str = Field(min_length=1)
    egress: list[Egress] = Field(min_length=1, description="public egress of the file servers / Storage Mover agent")
    copy_group: str | None = Field(
        None, description="AD group (synced to Entra) of the migration service account that runs robocopy")


class BreakGlass(_Strict):
    """An emergency-access account every conditional-access policy excludes."""

    upn: Email
    object_id: str = Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Organisation(_Strict):
    name_ja: str
    name_en: str
    mail_domain: str
    cutover_date: dt.date = Field(description="the data-center retirement (April 2028 server replacement)")
    azure_location: str = "japaneast"
    sample: bool = Field(
        False, description="fictional sample organisation: documentation IP ranges (RFC 5737) are allowed"
    )
    waves: list[Wave] = Field(min_length=1)
    prices: Prices
    active_directory: ActiveDirectory | None = Field(None, description="needed when any site is hybrid")
    datacenter: DataCenter | None = None
    break_glass_accounts: list[BreakGlass] = Field(default_factory=list)
    legacy_auth_block_from: dt.date | None = Field(
        None, description="the block-legacy-authentication policy reports only before this date, enforces from it")
    windows10_deadline: dt.date | None = Field(
        None, description="last day Windows 10 PCs may use the shares: sites with Windows 10 PCs keep AES-128-GCM "
                          "SMB channel encryption until then, every site is AES-256-GCM only after it")

    @field_validator("waves")
    @classmethod
    def _unique_waves(cls, waves: list[Wave]) -> list[Wave]:
        numbers = [w.number for w in waves]
        if len(set(numbers)) != len(numbers):
            raise ValueError("wave numbers must be unique")
        return sorted(waves, key=lambda w: w.number)

    def wave(self, number: int) -> Wave | None:
        return next((w for w in self.waves if w.number == number), None)


# --------------------------------------------------------------------------------------------
# <site>/site.yml
# --------------------------------------------------------------------------------------------


class Office(_Strict):
    name: str = Field(min_length=1)
    egress: list[Egress] = Field(min_length=1, description="public egress IPv4 addresses or CIDR ranges")
    shared_ipv4: bool = Field(
        False, description="the egress IPv4 address is shared with other subscribers (IPv4 over IPv6 such as "
                           "MAP-E or DS-Lite): it never goes into the storage firewall")
    port_445_blocked: bool = Field(False, description="the line blocks outbound TCP 445 (measured, not assumed)")


class Group(_Strict):
    name: Slug
    display_name: str = Field(min_length=1)
    purpose: str = Field(min_length=1)
    ad_group: str | None = Field(
        None, min_length=1, max_length=256,
        description="hybrid sites: the AD group synced to Entra that holds this group's members (share RBAC "
                    "must name AD-synced groups)")


class Folder(_Strict):
    name: str = Field(min_length=1, max_length=255)
    permissions: dict[Slug, Permission] = Field(min_length=1)
    restricted_upload: bool = Field(
        False, description="only one group may write (change/full); everyone else reads"
    )

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        bad = sorted(set(value) & _FOLDER_FORBIDDEN)
        if bad or value in (".", "..") or value.endswith((" ", ".")):
            raise ValueError(
                f"not a valid folder name for Azure Files (forbidden characters {''.join(bad) or 'none'}; "
                "must not end with a space or a dot)"
            )
        return value

    @model_validator(mode="after")
    def _restricted(self) -> Folder:
        if self.restricted_upload:
            writers = [g for g, p in self.permissions.items() if p in ("change", "full")]
            if len(writers) != 1:
                raise ValueError(
                    f"restricted_upload folder {self.name!r} must give change/full to exactly one group "
                    f"(found {len(writers)}: {', '.join(writers) or 'none'})"
                )
        return self


class FileShare(_Strict):
    name: ShareName
    quota_gib: int = Field(ge=1, le=102400)
    folders: list[Folder] = Field(min_length=1)
    legacy_unc: str | None = Field(
        None, description=r"the data-center share this one replaces, e.g. \\dc-fs01\tokyo$\shared"
    )

    @field_validator("legacy_unc")
    @classmethod
    def _unc(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^\\\\[A-Za-z0-9.-]+\\[^\\/:*?\"<>|]+(\\[^\\/:*?\"<>|]+)*$", value):
            raise ValueError(r"expected a UNC path like \\server\share\folder")
        return value

    @model_validator(mode="after")
    def _unique_folders(self) -> FileShare:
        seen: set[str] = set()
        for folder in self.folders:
            key = folder.name.casefold()  # SMB names are case-insensitive
            if key in seen:
                raise ValueError(f"folder {folder.name!r} appears twice in share {self.name!r}")
            seen.add(key)
        return self


class DriveMapping(_Strict):
    group: Slug
    share: ShareName
    folder: str | None = None
    letter: str = Field(pattern=r"^[D-Z]$", description="drive letter D-Z (A-C are reserved)")


class Backup(_Strict):
    """Azure Files backup (limits: https://learn.microsoft.com/azure/backup/azure-file-share-support-matrix)."""

    tier: Literal["vault", "snapshot"] = Field(
        "vault", description="vault: copies in the Recovery Services vault (survive the account); "
                             "snapshot: share snapshots in the same account only")
    daily_time: str = Field("22:00", pattern=r"^([01]\d|2[0-3]):(00|30)$",
                            description="local (Tokyo) time, on the hour or half hour")
    retention_days: int = Field(30, ge=1, le=9999, description="daily recovery points (vault tier up to 9999, "
                                                              "snapshot tier up to 200)")
    snapshot_retention_days: int = Field(7, ge=1, le=30, description="vault tier: days the snapshot is kept "
                                                                     "beside the vaulted copy (up to 30)")

    @model_validator(mode="after")
    def _tier_limits(self) -> Backup:
        if self.tier == "snapshot" and self.retention_days > 200:
            raise ValueError("the snapshot tier keeps daily recovery points for at most 200 days "
                             f"(retention_days is {self.retention_days})")
        return self


class FileSync(_Strict):
    """Azure File Sync on a small local server: the office reaches Azure over HTTPS 443, PCs use the server."""

    server: Hostname = Field(description="the local Windows Server running the Azure File Sync agent")
    office: str = Field(min_length=1, description="name of the office (in offices) it serves")
    path: str = Field(r"D:\\Shares", pattern=r"^[A-Za-z]:\\", description="local folder the shares sync to")


class Waiver(_Strict):
    policy: str
    reason: str = Field(min_length=10)
    expires: dt.date
    approved_by: str = Field(min_length=1)
    scope: str | None = Field(None, description="share name or hostname, for policies scoped to one")

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        info = policy_catalog.BY_ID.get(value)
        if info is None:
            raise ValueError(
                f"unknown policy {value!r}; expected one of: {', '.join(sorted(policy_catalog.BY_ID))}"
            )
        if not info.waivable:
            raise ValueError(f"policy {value!r} cannot be waived")
        return value

    @model_validator(mode="after")
    def _scope(self) -> Waiver:
        info = policy_catalog.BY_ID[self.policy]
        if info.scope != "site" and not self.scope:
            raise ValueError(f"a waiver of {self.policy!r} must name its {info.scope} in 'scope'")
        if info.scope == "site" and self.scope:
            raise ValueError(f"policy {self.policy!r} applies to the whole site: remove 'scope'")
        return self


class Confirmation(_Strict):
    """A manual step (admin consent, MFA exclusion …) recorded as done: who did it, when, and the proof.

    Until a step has one, it counts against the site's readiness (evidence status ``manual``).
    """

    step: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
                      description="id of the manual step, as in the evidence check cloud.manual.<step>")
    done_by: str = Field(min_length=1, description="the person who did it")
    done_on: dt.date = Field(description="the day it was done (not counted before the evidence's as-of day)")
    evidence: str = Field(min_length=5, description="where the proof is: change ticket, screenshot, audit log")


class Contact(_Strict):
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    email: Email
    phone: str | None = Field(None, pattern=r"^[0-9+()-]{6,20}$")


class Cutover(_Strict):
    switch_mappings: bool = Field(False, description="remove the old data-center drive mappings")
    rollback: bool = Field(False, description="restore the old mappings and write access")


class SiteFile(_Strict):
    code: str = Field(pattern=r"^(hq|0[1-9]|[1-3]\d|4[0-7])$")
    name_ja: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    wave: int = Field(ge=0, le=20)
    support_tier: SupportTier = "standard"
    identity_mode: IdentityMode = "hybrid"
    cost_centre: str = Field(pattern=r"^[A-Z0-9-]{2,20}$")
    groupware_ids: int = Field(0, ge=0, le=10000, description="number of groupware IDs (billed monthly)")
    offices: list[Office] = Field(min_length=1)
    groups: list[Group] = Field(min_length=1)
    file_shares: list[FileShare] = Field(min_length=1)
    drive_mappings: list[DriveMapping] = Field(default_factory=list)
    backup: Backup = Field(default_factory=Backup)
    waivers: list[Waiver] = Field(default_factory=list)
    confirmations: list[Confirmation] = Field(
        default_factory=list, description="manual steps recorded as done (who, when, proof)")
    contacts: list[Contact] = Field(min_length=1)
    cutover: Cutover = Field(default_factory=Cutover)
    migration_method: Literal["robocopy", "storage_mover"] = Field(
        "robocopy", description="robocopy passes on the file server (default) or Azure Storage Mover jobs")
    datacenter_access_until: dt.date | None = Field(
        None, description="last day the data center's egress may reach this site's account (its cutover plus the "
                          "rollback period); absent: the data center is not a migration source")
    file_sync: FileSync | None = Field(
        None, description="the port-445 alternative for an office whose line blocks 445 or shares its IPv4")

    @model_validator(mode="after")
    def _site_rules(self) -> SiteFile:
        if self.identity_mode == "hybrid":
            used = {g for share in self.file_shares for folder in share.folders for g in folder.permissions}
            missing = sorted(g.name for g in self.groups if g.name in used and not g.ad_group)
            if missing:
                raise ValueError("hybrid sites grant share access to AD-synced groups: set ad_group for "
                                 + ", ".join(missing))
        if self.file_sync and self.file_sync.office not in {o.name for o in self.offices}:
            raise ValueError(f"file_sync.office {self.file_sync.office!r} is not one of the site's offices")
        return self

    @field_validator("confirmations")
    @classmethod
    def _one_confirmation_per_step(cls, value: list[Confirmation]) -> list[Confirmation]:
        steps = [c.step for c in value]
        twice = sorted({s for s in steps if steps.count(s) > 1})
        if twice:
            raise ValueError(f"manual step(s) confirmed twice: {', '.join(twice)}")
        return value


# --------------------------------------------------------------------------------------------
# <site>/endpoints.csv and <site>/mail.csv (one row each)
# --------------------------------------------------------------------------------------------

ENDPOINT_COLUMNS = (
    "hostname", "model", "form_factor", "role", "ram_gib", "disk_media", "os_edition", "os_build", "last_seen",
)
MAIL_COLUMNS = ("address", "kind", "client", "owner", "endpoints")

OS_EDITIONS = (
    "Windows 10 Pro", "Windows 10 Enterprise", "Windows 10 Education",
    "Windows 11 Pro", "Windows 11 Enterprise", "Windows 11 Education",
)
MailClient = Literal[
    "garoon", "outlook", "thunderbird", "garoon+outlook", "garoon+thunderbird", "unknown",
]


class Endpoint(_Strict):
    hostname: Hostname
    model: str = Field(min_length=1)
    form_factor: Literal["desktop", "notebook"]
    role: Literal["staff_pc", "web_meeting_laptop"]
    ram_gib: int = Field(ge=2, le=256)
    disk_media: Literal["ssd", "hdd"]
    os_edition: Literal[OS_EDITIONS]  # type: ignore[valid-type]
    os_build: str = Field(pattern=r"^(10240|1\d{4}|2\d{4})(\.\d{1,5})?$",
                          description="Windows build, e.g. 19045 or 26100.2314")
    last_seen: dt.date

    @property
    def build_number(self) -> int:
        return int(self.os_build.split(".")[0])

    @field_validator("role")
    @classmethod
    def _meeting_laptop_is_a_notebook(cls, value: str, info: ValidationInfo) -> str:
        if value == "web_meeting_laptop" and info.data.get("form_factor") not in (None, "notebook"):
            raise ValueError("a web_meeting_laptop must have form_factor notebook")
        return value

    @field_validator("os_build")
    @classmethod
    def _build_matches_edition(cls, value: str, info: ValidationInfo) -> str:
        edition = info.data.get("os_edition")
        if edition is not None:
            is_win11 = edition.startswith("Windows 11")
            if is_win11 != (int(value.split(".")[0]) >= 22000):
                raise ValueError(f"does not match {edition} (Windows 11 builds are 22000 and above, "
                                 "Windows 10 builds below)")
        return value


class MailAddress(_Strict):
    address: Email
    kind: Literal["personal", "shared"]
    client: MailClient
    owner: str = Field(min_length=1)
    endpoints: tuple[Hostname, ...] = ()

    @field_validator("endpoints", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.replace(",", ";").split(";") if part.strip())
        return value

    @property
    def uses_outlook(self) -> bool:
        return "outlook" in self.client

    @property
    def uses_thunderbird(self) -> bool:
        return "thunderbird" in self.client

    @property
    def needs_client_change(self) -> bool:
        """Personal addresses read with a POP mailer must switch to 'remove after 15 days'."""
        return self.kind == "personal" and (self.uses_outlook or self.uses_thunderbird)


# --------------------------------------------------------------------------------------------
# The loaded inventory
# --------------------------------------------------------------------------------------------


class Site(BaseModel):
    """A validated site: its ``site.yml`` plus its PCs and addresses."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str  # hq | pref-NN-romaji
    folder: str
    config: SiteFile
    endpoints: tuple[Endpoint, ...]
    mail: tuple[MailAddress, ...]

    @property
    def code(self) -> str:
        return self.config.code

    @property
    def wave(self) -> int:
        return self.config.wave

    def active_waivers(self, as_of: dt.date) -> list[Waiver]:
        return [w for w in self.config.waivers if w.expires >= as_of]


class Inventory(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    root: str
    organisation: Organisation
    sites: dict[str, Site]  # keyed by canonical site id, in JIS order
    revision: str  # content hash of every inventory file, for evidence
    warnings: tuple[Problem, ...] = ()  # valid but worth a look (e.g. a site with no PCs listed)

    def site(self, site_id: str) -> Site:
        return self.sites[site_id]

    def sites_in_wave(self, wave: int) -> list[Site]:
        return [s for s in self.sites.values() if s.wave == wave]

    @property
    def endpoint_count(self) -> int:
        return sum(len(s.endpoints) for s in self.sites.values())

    @property
    def address_count(self) -> int:
        return sum(len(s.mail) for s in self.sites.values())

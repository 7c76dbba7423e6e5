"""The policy checks, written for what the Pulumi engine hands a policy pack (and run offline the same way).

- **Resource policies** see one resource's *inputs* (``ResourceValidationArgs.props``: the engine's
  inputs after the provider's check), with ``protect`` from its options.
- **Stack policies** see every resource's *outputs* (``PolicyResource.props``) and how resources are
  related: ``parent``, ``dependencies`` and ``property_dependencies`` (URNs). azure-native outputs
  carry no ``accountName``, ``scope`` or ``resourceUri``: a lock belongs to an account because its
  ``scope`` input depended on that account, which the engine records, in preview and after ``up``.
- **Unknowns.** During a preview, values Azure assigns are unknown. A check is skipped (status
  ``unknown``) only when a property *it reads* is unknown; the other checks of the resource still run.
- **Configuration.** Waivers (with reason, approver, expiry) and the values a check compares against
  (core's workspace, the Windows 10 deadline, retention from the inventory) come from the policy
  pack's configuration (``pulumi preview --policy-pack-config``), generated from the reviewed inventory
  by ``cutover policy-config``; never from tags on the resource being judged. Missing configuration is
  a violation, never a pass.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cutover import naming, policy_catalog

SA = "azure-native:storage:StorageAccount"
FILES = "azure-native:storage:FileServiceProperties"
SHARE = "azure-native:storage:FileShare"
ROLE = "azure-native:authorization:RoleAssignment"
LOCK = "azure-native:authorization:ManagementLockByScope"
DIAG = "azure-native:monitor:DiagnosticSetting"
ITEM = "azure-native:recoveryservices:ProtectedItem"
BACKUP_POLICY = "azure-native:recoveryservices:ProtectionPolicy"
RSV = "azure-native:recoveryservices:Vault"
KEY_VAULT = "azure-native:keyvault:Vault"
DEFENDER = "azure-native:security:DefenderForStorage"
CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy"
REQUIRED_TAGS = naming.REQUIRED_TAGS
SMB_ROLE_GUIDS = frozenset({"aba4ae5f-2193-4029-9191-0cb91df5e314", "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb",
                            "a7264617-510b-434b-a828-9731dc254ea7"})
_UNKNOWNS = frozenset({
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"})
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"))


class Unknown(Exception):
    """A property a check reads is not known yet (preview)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def read(mapping: Any, *path: str | int) -> Any:
    """``mapping[path...]``; None when absent; :class:`Unknown` when unknown (sentinel or policy proxy)."""
    value = mapping
    for step, key in enumerate(path):
        if value is None:
            return None
        try:
            value = value[key] if isinstance(key, int) else (value.get(key) if hasattr(value, "get") else None)
        except (IndexError, KeyError):
            return None
        except Exception as exc:  # pulumi_policy's proxy raises UnknownValueError on an unknown value
            if type(exc).__name__ == "UnknownValueError":
                raise Unknown(".".join(str(p) for p in path[:step + 1])) from None
            raise
        if isinstance(value, str) and value in _UNKNOWNS:
            raise Unknown(".".join(str(p) for p in path[:step + 1]))
    if isinstance(value, Sequence) and not isinstance(value, str):
        where = ".".join(str(p) for p in path) + "[]"
        try:
            items = list(value)  # pulumi-policy's list proxy raises on an unknown element
        except Exception as exc:
            if type(exc).__name__ == "UnknownValueError":
                raise Unknown(where) from None
            raise
        if any(isinstance(v, str) and v in _UNKNOWNS for v in items):
            raise Unknown(where)
        return items
    return value


@dataclass(frozen=True)
class PlannedResource:
    """A resource as the engine shows it: inputs (resource policies), outputs and relations (stack policies)."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    protect: bool = False
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    id: str | None = None

    def refers(self, prop: str, other: PlannedResource) -> bool:
        """Whether this resource's input ``prop`` was computed from ``other`` (engine property dependencies)."""
        return other.urn in self.property_dependencies.get(prop, ())


def resources_from_export(doc: Mapping[str, Any]) -> list[PlannedResource]:
    """The custom resources of a ``pulumi stack export`` (or of an offline plan file)."""
    found = []
    for r in doc.get("deployment", {}).get("resources", []):
        if not r.get("custom") or r.get("type", "").startswith("pulumi:providers:"):
            continue
        found.append(PlannedResource(
            urn=r["urn"], type=r["type"], name=r["urn"].rsplit("::", 1)[-1], inputs=r.get("inputs") or {},
            outputs=r.get("outputs") or {}, protect=bool(r.get("protect")), parent=r.get("parent"),
            dependencies=tuple(r.get("dependencies") or ()),
            property_dependencies={k: tuple(v) for k, v in (r.get("propertyDependencies") or {}).items()},
            id=r.get("id")))
    return found


Status = Literal["fail", "waived", "unknown"]


@dataclass(frozen=True)
class Finding:
    status: Status
    message: str
    urn: str | None = None
    waiver: dict[str, str] | None = None


@dataclass(frozen=True)
class Context:
    as_of: dt.date
    config: Mapping[str, Mapping[str, Any]]  # policy id -> its pack configuration

    def of(self, policy: str) -> Mapping[str, Any]:
        return self.config.get(policy) or {}


class MissingConfig(Exception):
    def __init__(self, policy: str, key: str):
        super().__init__(f"policy pack configuration of {policy} lacks {key!r}: generate it with "
                         "`cutover policy-config <stack>` and pass --policy-pack-config")


def setting(ctx: Context, policy: str, key: str) -> Any:
    value = ctx.of(policy).get(key)
    if value is None:
        raise MissingConfig(policy, key)
    return value


def fail(message: str, resource: PlannedResource | None = None) -> list[Finding]:
    return [Finding("fail", message, resource.urn if resource else None)]


def waivable(ctx: Context, policy: str, message: str, resource: PlannedResource | None,
             scope: str | None = None) -> list[Finding]:
    """A violation, unless the pack configuration carries an unexpired waiver for it (with its scope)."""
    for waiver in ctx.of(policy).get("waivers") or []:
        if waiver.get("scope") not in (None, scope):
            continue
        expires = dt.date.fromisoformat(str(waiver["expires"]))
        if expires >= ctx.as_of:
            return [Finding("waived", message, resource.urn if resource else None,
                            {"policy": policy, "expires": expires.isoformat(), "reason": str(waiver["reason"]),
                             "approved_by": str(waiver["approvedBy"])})]
        return fail(f"{message} (waiver expired {expires})", resource)
    return fail(message, resource)


# ------------------------------------------------------------------------------------------------
# resource policies: one resource's inputs
# ------------------------------------------------------------------------------------------------


def https_only(r, _ctx):
    return [] if read(r.inputs, "enableHttpsTrafficOnly") is True else fail("enableHttpsTrafficOnly must be true", r)


def min_tls(r, _ctx):
    value = read(r.inputs, "minimumTlsVersion")
    return [] if value == "TLS1_2" else fail(f"minimumTlsVersion is {value!r}, must be TLS1_2", r)


def no_public_blob(r, _ctx):
    return [] if read(r.inputs, "allowBlobPublicAccess") is False else fail("allowBlobPublicAccess must be false", r)


def shared_key(r, ctx):
    """Off; or on only where vaulted backup needs it, with key expiry and a short, blocking SAS policy."""
    if read(r.inputs, "allowSharedKeyAccess") is False:
        return []
    policy = "storage-shared-key-disabled"
    if setting(ctx, policy, "vaultedBackup") is True:
        days = read(r.inputs, "keyPolicy", "keyExpirationPeriodInDays")
        action = read(r.inputs, "sasPolicy", "expirationAction")
        period = read(r.inputs, "sasPolicy", "sasExpirationPeriod")
        max_days = setting(ctx, policy, "maxKeyAgeDays")
        problems = []
        if not isinstance(days, (int, float)) or days > max_days:
            problems.append(f"keyPolicy.keyExpirationPeriodInDays is {days!r} (at most {max_days})")
        if action != "Block" or not _short_sas(period):
            problems.append(f"sasPolicy is {period!r}/{action!r} (at most one day, Block)")
        if not problems:
            return []
        return fail("account keys are on for vaulted backup but " + "; ".join(problems), r)
    return waivable(ctx, policy, "allowSharedKeyAccess is not false and no vaulted backup needs it", r)


def _short_sas(period: Any) -> bool:
    """``d.hh:mm:ss`` of at most one day."""
    try:
        days, _, clock = str(period).partition(".")
        hours, minutes, seconds = (int(x) for x in clock.split(":"))
        return int(days) * 86400 + hours * 3600 + minutes * 60 + seconds <= 86400
    except ValueError:
        return False


def infrastructure_encryption(r, _ctx):
    if read(r.inputs, "encryption", "requireInfrastructureEncryption") is True:
        return []
    return fail("encryption.requireInfrastructureEncryption must be true", r)


def no_cross_tenant_replication(r, _ctx):
    if read(r.inputs, "allowCrossTenantReplication") is False:
        return []
    return fail("allowCrossTenantReplication must be false", r)


def default_deny(r, _ctx):
    action = read(r.inputs, "networkRuleSet", "defaultAction")
    return [] if action == "Deny" else fail(f"networkRuleSet.defaultAction is {action!r}, must be Deny", r)


def public_endpoint(r, _ctx):
    """The offices reach the share over the internet (no private endpoint exists): the endpoint must be open."""
    value = read(r.inputs, "publicNetworkAccess")
    if value == "Enabled":
        return []
    return fail(f"publicNetworkAccess is {value!r}: no office could reach the shares (no private endpoint)", r)


def _ip_rules(r) -> list[str]:
    rules = read(r.inputs, "networkRuleSet", "ipRules") or []
    return [read(rule, "iPAddressOrRange") or read(rule, "value") or "" for rule in rules]


def ip_rules_public(r, _ctx):
    rules = _ip_rules(r)
    if not rules:
        return fail("no IP rule: the offices' egress addresses must be allowed explicitly", r)
    findings = []
    for value in rules:
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            findings += fail(f"IP rule {value!r} is not an IPv4 address or range", r)
            continue
        if net.prefixlen == 0 or any(net.overlaps(bad) for bad in _NOT_PUBLIC):
            findings += fail(f"IP rule {value} is not a public office address", r)
    return findings


def egress_bounded(r, ctx):
    policy = "storage-egress-range-bounded"
    bound = setting(ctx, policy, "minPrefixLength")
    findings = []
    for value in _ip_rules(r):
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            continue  # storage-ip-rules-public-only reports it
        if net.prefixlen < bound:
            findings += waivable(ctx, policy, f"IP rule {value} is wider than /{bound}", r)
    return findings


def migration_source_closed(r, ctx):
    policy = "storage-migration-source-expired"
    source = ctx.of(policy)
    if "datacenterEgress" not in source:
        raise MissingConfig(policy, "datacenterEgress")
    until = source.get("until")
    if until is not None and ctx.as_of <= dt.date.fromisoformat(until):
        return []
    left = sorted(set(_ip_rules(r)) & set(source["datacenterEgress"]))
    if not left:
        return []
    when = f"its time box ended {until}" if until else "the site has no migration window"
    return fail(f"the data center's egress {', '.join(left)} is still allowed: {when}", r)


def trusted_bypass(r, _ctx):
    bypass = read(r.inputs, "networkRuleSet", "bypass") or ""
    if "AzureServices" in bypass:
        return []
    return fail("networkRuleSet.bypass lacks AzureServices (Azure Backup cannot reach the shares)", r)


def entra_kerberos(r, _ctx):
    option = read(r.inputs, "azureFilesIdentityBasedAuthentication", "directoryServiceOptions")
    return [] if option == "AADKERB" else fail(f"directoryServiceOptions is {option!r}, must be AADKERB", r)


_PERMISSION_RANK = {"None": 0, "StorageFileDataSmbShareReader": 1, "StorageFileDataSmbShareContributor": 2}


def default_share_permission(r, ctx):
    """Hybrid: no tenant-wide permission (RBAC per share). Cloud-only: at most Contributor, never elevated."""
    mode = setting(ctx, "files-default-share-permission", "identityMode")
    value = read(r.inputs, "azureFilesIdentityBasedAuthentication", "defaultSharePermission") or "None"
    if mode == "hybrid" and value != "None":
        return fail(f"defaultSharePermission is {value}: on a hybrid site it would give every identity of the "
                    "tenant access to every share", r)
    if value not in _PERMISSION_RANK:
        return fail(f"defaultSharePermission {value} exceeds SMB Share Contributor", r)
    return []


def required_tags(r, _ctx):
    tags = read(r.inputs, "tags") or {}
    missing = [t for t in REQUIRED_TAGS if not read(tags, t)]
    long = [k for k in tags if len(str(read(tags, k))) > naming.TAG_VALUE_MAX]
    problems = ([f"missing tags: {', '.join(missing)}"] if missing else []) + (
        [f"tag values over {naming.TAG_VALUE_MAX} characters: {', '.join(long)}"] if long else [])
    return fail("; ".join(problems), r) if problems else []


def protected(r, _ctx):
    return [] if r.protect else fail(f"{r.name} is not protected (protect=True)", r)


def _smb(r, key):
    return read(r.inputs, "protocolSettings", "smb", key)


def smb_311_only(r, _ctx):
    versions = _smb(r, "versions")
    return [] if versions == "SMB3.1.1" else fail(f"SMB versions are {versions!r}, must be SMB3.1.1 only", r)


def kerberos_aes256(r, _ctx):
    value = _smb(r, "kerberosTicketEncryption")
    return [] if value == "AES-256" else fail(f"kerberosTicketEncryption is {value!r}, must be AES-256", r)


def channel_encryption(r, ctx):
    """AES-256-GCM only; AES-128-GCM beside it only while the site has Windows 10 PCs, up to the deadline."""
    value = _smb(r, "channelEncryption")
    ciphers = set(str(value or "").split(";"))
    if ciphers == {"AES-256-GCM"}:
        return []
    until = ctx.of("files-channel-aes256-gcm").get("allowAes128Until")
    if ciphers == {"AES-128-GCM", "AES-256-GCM"} and until and ctx.as_of <= dt.date.fromisoformat(until):
        return []
    why = f"AES-128-GCM is allowed until {until}" if until else "the site has no Windows 10 PCs"
    return fail(f"channelEncryption is {value!r}, must be AES-256-GCM ({why})", r)


def soft_delete(r, _ctx):
    enabled = read(r.inputs, "shareDeleteRetentionPolicy", "enabled")
    days = read(r.inputs, "shareDeleteRetentionPolicy", "days")
    if enabled is True and isinstance(days, (int, float)) and days >= 14:
        return []
    return fail(f"share soft delete is enabled={enabled!r}, days={days!r}; needs enabled with 14 days or more", r)


def ntlmv2_disabled(r, ctx):
    methods = _smb(r, "authenticationMethods") or ""
    if "NTLMv2" not in methods:
        return []
    return waivable(ctx, "files-ntlmv2-disabled", "SMB authenticationMethods include NTLMv2 (Kerberos only "
                                                  "expected)", r)


def groups_only(r, _ctx):
    kind = read(r.inputs, "principalType")
    return [] if kind == "Group" else fail(f"principalType is {kind!r}: share roles go to groups only", r)


def share_scope_only(r, _ctx):
    scope = str(read(r.inputs, "scope") or "")
    role = str(read(r.inputs, "roleDefinitionId") or "").rsplit("/", 1)[-1]
    parts = scope.split("/")
    findings = []
    if not (len(parts) == 13 and parts[7].lower() == "storageaccounts" and parts[9:11] == ["fileServices", "default"]
            and parts[11] == "fileshares" and parts[12]):
        findings += fail(f"role assignment scope {scope!r} is not one file share (…/fileServices/default/"
                         "fileshares/<share>)", r)
    if role not in SMB_ROLE_GUIDS:
        findings += fail(f"role {role!r} is not one of the three SMB share roles", r)
    return findings


def _mfa_policy(r) -> bool:
    return str(read(r.inputs, "displayName") or "").endswith("-mfa-outside-offices")


def each(r: PlannedResource, *checks: Callable[[], list[Finding]]) -> list[Finding]:
    """Run a resource's sub-checks separately: an unknown value skips only the sub-check that read it."""
    findings: list[Finding] = []
    for check in checks:
        try:
            findings += check()
        except Unknown as unknown:
            findings.append(Finding("unknown", f"{r.name}: {unknown.path} is not known yet (checked again after up)",
                                    r.urn))
    return findings


def mfa_policy(r, ctx):
    """The site's MFA policy: enforced once the wave is live, offices and the storage app excluded."""
    if not _mfa_policy(r):
        return []
    policy = "identity-mfa-policy"
    wanted = "enabled" if setting(ctx, policy, "enforce") else "enabledForReportingButNotEnforced"

    def state():
        value = read(r.inputs, "state")
        return [] if value == wanted else fail(f"state is {value!r}, must be {wanted!r}", r)

    def grant():
        return [] if "mfa" in (read(r.inputs, "grantControls", "builtInControls") or []) else fail(
            "the policy does not require MFA", r)

    def offices():
        return [] if read(r.inputs, "conditions", "locations", "excludedLocations") else fail(
            "no office location is excluded: MFA would be asked inside the offices too", r)

    def storage_app():
        return [] if read(r.inputs, "conditions", "applications", "excludedApplications") else fail(
            "the storage account's Entra Kerberos app is not excluded (mounts fail, error 1327)", r)

    return each(r, state, grant, offices, storage_app, lambda: _break_glass(r, ctx, policy))


def _break_glass(r, ctx, policy) -> list[Finding]:
    wanted = set(ctx.of(policy).get("breakGlass") or [])
    excluded = set(read(r.inputs, "conditions", "users", "excludedUsers") or [])
    missing = sorted(wanted - excluded)
    return fail(f"break-glass accounts not excluded: {', '.join(missing)}", r) if missing else []


def legacy_auth(r, ctx):
    if read(r.inputs, "displayName") != naming.LEGACY_AUTH_POLICY:
        return []
    policy = "identity-legacy-auth-blocked"
    start = ctx.of(policy).get("enforceFrom")
    wanted = ("enabled" if start and ctx.as_of >= dt.date.fromisoformat(start)
              else "enabledForReportingButNotEnforced")
    state = read(r.inputs, "state")
    findings = [] if state == wanted else fail(f"state is {state!r}, must be {wanted!r} (enforced from {start})", r)
    return findings + _break_glass(r, ctx, policy)


def _daily_count(retention) -> Any:
    return read(retention, "dailySchedule", "retentionDuration", "count")


def retention_bounds(r, ctx):
    """Retention is what the inventory approved and inside the support matrix's limits for the tier."""
    policy = "backup-retention-bounds"
    tier = setting(ctx, policy, "tier")
    props = read(r.inputs, "properties") or {}
    findings = []
    if tier == "vault":
        vaulted = read(props, "vaultRetentionPolicy")
        if not vaulted:
            return fail("vault tier asked for but the policy has no vaultRetentionPolicy", r)
        daily, snapshots = _daily_count(read(vaulted, "vaultRetention")), read(vaulted, "snapshotRetentionInDays")
        limit = 9999
        if snapshots != setting(ctx, policy, "snapshotDays") or not 1 <= int(snapshots or 0) <= 30:
            findings += fail(f"snapshot retention is {snapshots!r} days, the inventory says "
                             f"{setting(ctx, policy, 'snapshotDays')} (1-30)", r)
    else:
        if read(props, "vaultRetentionPolicy"):
            findings += fail("snapshot tier asked for but the policy vaults copies", r)
        daily, limit = _daily_count(read(props, "retentionPolicy")), 200
    expected = setting(ctx, policy, "dailyDays")
    if daily != expected or not 1 <= int(daily or 0) <= limit:
        findings += fail(f"daily retention is {daily!r} days, the inventory says {expected} (1-{limit} for the "
                         f"{tier} tier)", r)
    return findings


# ------------------------------------------------------------------------------------------------
# stack policies: outputs and relations
# ------------------------------------------------------------------------------------------------


def _of(stack: Iterable[PlannedResource], type_token: str) -> list[PlannedResource]:
    return [r for r in stack if r.type == type_token]


def per_item(items: Iterable[PlannedResource], check: Callable[[PlannedResource], list[Finding]],
             policy: str) -> list[Finding]:
    """Run ``check`` on each item; an unknown value skips that item only."""
    findings = []
    for item in items:
        try:
            findings += check(item)
        except Unknown as unknown:
            findings.append(Finding("unknown", f"{item.name}: {unknown.path} is not known yet ({policy} is "
                                               "checked again after up)", item.urn))
    return findings


def delete_lock(stack, _ctx):
    locks = _of(stack, LOCK)

    def check(account):
        if any(lock.refers("scope", account) and read(lock.outputs, "level") == "CanNotDelete" for lock in locks):
            return []
        return fail(f"no CanNotDelete lock on {account.name}", account)

    return per_item(_of(stack, SA), check, "storage-delete-lock")


def diagnostics(stack, ctx):
    workspace = setting(ctx, "storage-diagnostics", "workspaceId")
    settings = _of(stack, DIAG)

    def check(account):
        mine = [s for s in settings if s.refers("resourceUri", account)]
        if not mine:
            return fail(f"no diagnostic setting on the file service of {account.name}", account)
        findings = []
        for s in mine:
            target = read(s.outputs, "workspaceId")
            if str(target).lower() != str(workspace).lower():
                findings += fail(f"{s.name} sends logs to {target!r}, not core's workspace", s)
            logs = {read(log, "category") for log in read(s.outputs, "logs") or [] if read(log, "enabled")}
            if not {"StorageRead", "StorageWrite", "StorageDelete"} <= logs:
                findings += fail(f"{s.name} logs {sorted(logs)}; needs StorageRead, StorageWrite, StorageDelete", s)
        return findings

    return per_item(_of(stack, SA), check, "storage-diagnostics")


def backup_every_share(stack, ctx):
    items = _of(stack, ITEM)

    def check(share):
        if any(item.refers("properties", share) or item.refers("protectedItemName", share) for item in items):
            return []
        name = read(share.outputs, "name")
        return waivable(ctx, "files-backup-every-share", f"share {name} has no Azure Backup protected item", share,
                        name)

    return per_item(_of(stack, SHARE), check, "files-backup-every-share")


def defender(stack, _ctx):
    plans = _of(stack, DEFENDER)

    def check(account):
        if any(d.refers("resourceId", account) and read(d.outputs, "properties", "isEnabled") is True for d in plans):
            return []
        return fail(f"Defender for Storage is not enabled on {account.name}", account)

    return per_item(_of(stack, SA), check, "storage-defender")


def backup_vault_protected(stack, _ctx):
    locks = _of(stack, LOCK)

    def check(vault):
        props = read(vault.outputs, "properties") or {}
        findings = []
        expected = {("redundancySettings", "standardTierStorageRedundancy"): "GeoRedundant",
                    ("redundancySettings", "crossRegionRestore"): "Enabled",
                    ("securitySettings", "softDeleteSettings", "softDeleteState"): "AlwaysON",
                    ("securitySettings", "softDeleteSettings", "enhancedSecurityState"): "AlwaysON"}
        for path, want in expected.items():
            got = read(props, *path)
            if got != want:
                findings += fail(f"{'.'.join(path)} is {got!r}, must be {want}", vault)
        if read(props, "securitySettings", "immutabilitySettings", "state") not in ("Unlocked", "Locked"):
            findings += fail("immutability is off", vault)
        if not vault.protect:
            findings += fail("the vault is not protected (protect=True)", vault)
        if not any(lock.refers("scope", vault) and read(lock.outputs, "level") == "CanNotDelete" for lock in locks):
            findings += fail("no CanNotDelete lock on the vault", vault)
        return findings

    return per_item(_of(stack, RSV), check, "backup-vault-protected")


def key_vault_protected(stack, _ctx):
    def check(vault):
        props = read(vault.outputs, "properties") or {}
        findings = []
        for key in ("enablePurgeProtection", "enableSoftDelete", "enableRbacAuthorization"):
            if read(props, key) is not True:
                findings += fail(f"properties.{key} must be true", vault)
        if read(props, "networkAcls", "defaultAction") != "Deny":
            findings += fail("the key vault's network ACLs must deny by default", vault)
        if not vault.protect:
            findings += fail("the key vault is not protected (protect=True)", vault)
        return findings

    return per_item(_of(stack, KEY_VAULT), check, "key-vault-protected")


def waivers_unexpired(_stack, ctx):
    findings = []
    for policy, config in sorted(ctx.config.items()):
        for waiver in config.get("waivers") or []:
            expires = dt.date.fromisoformat(str(waiver["expires"]))
            if expires < ctx.as_of:
                scope = f"/{waiver['scope']}" if waiver.get("scope") else ""
                findings += fail(f"waiver of {policy}{scope} expired on {expires}")
    return findings


# ------------------------------------------------------------------------------------------------
# the catalogue of checks and the evaluation
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    id: str
    check: Callable[..., list[Finding]]
    resource_types: tuple[str, ...] = ()  # resource policy: the types it judges
    stack_types: tuple[str, ...] = ()  # stack policy: it applies when one of these is in the stack
    info: policy_catalog.PolicyInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", policy_catalog.BY_ID[self.id])

    @property
    def stack_level(self) -> bool:
        return not self.resource_types


POLICIES: tuple[Policy, ...] = (
    Policy("storage-https-only", https_only, (SA,)),
    Policy("storage-min-tls-1-2", min_tls, (SA,)),
    Policy("storage-no-public-blob", no_public_blob, (SA,)),
    Policy("storage-shared-key-disabled", shared_key, (SA,)),
    Policy("storage-infrastructure-encryption", infrastructure_encryption, (SA,)),
    Policy("storage-no-cross-tenant-replication", no_cross_tenant_replication, (SA,)),
    Policy("storage-network-default-deny", default_deny, (SA,)),
    Policy("storage-public-endpoint-for-offices", public_endpoint, (SA,)),
    Policy("storage-ip-rules-public-only", ip_rules_public, (SA,)),
    Policy("storage-egress-range-bounded", egress_bounded, (SA,)),
    Policy("storage-migration-source-expired", migration_source_closed, (SA,)),
    Policy("storage-trusted-services-bypass", trusted_bypass, (SA,)),
    Policy("files-identity-entra-kerberos", entra_kerberos, (SA,)),
    Policy("files-default-share-permission", default_share_permission, (SA,)),
    Policy("storage-required-tags", required_tags, (SA,)),
    Policy("storage-protected", protected, (SA, SHARE)),
    Policy("files-smb-3-1-1-only", smb_311_only, (FILES,)),
    Policy("files-kerberos-aes256", kerberos_aes256, (FILES,)),
    Policy("files-channel-aes256-gcm", channel_encryption, (FILES,)),
    Policy("files-share-soft-delete", soft_delete, (FILES,)),
    Policy("files-ntlmv2-disabled", ntlmv2_disabled, (FILES,)),
    Policy("rbac-groups-only", groups_only, (ROLE,)),
    Policy("rbac-share-scope-only", share_scope_only, (ROLE,)),
    Policy("identity-mfa-policy", mfa_policy, (CA,)),
    Policy("identity-legacy-auth-blocked", legacy_auth, (CA,)),
    Policy("backup-retention-bounds", retention_bounds, (BACKUP_POLICY,)),
    Policy("storage-delete-lock", delete_lock, stack_types=(SA,)),
    Policy("storage-diagnostics", diagnostics, stack_types=(SA,)),
    Policy("files-backup-every-share", backup_every_share, stack_types=(SHARE,)),
    Policy("storage-defender", defender, stack_types=(SA,)),
    Policy("backup-vault-protected", backup_vault_protected, stack_types=(RSV,)),
    Policy("key-vault-protected", key_vault_protected, stack_types=(KEY_VAULT,)),
    Policy("waivers-unexpired", waivers_unexpired, stack_types=(SA,)),
)
BY_ID = {p.id: p for p in POLICIES}


def run_resource_check(policy: Policy, resource: PlannedResource, ctx: Context) -> list[Finding]:
    try:
        return policy.check(resource, ctx)
    except Unknown as unknown:
        return [Finding("unknown", f"{resource.name}: {unknown.path} is not known yet (checked again after up)",
                        resource.urn)]
    except MissingConfig as missing:
        return fail(str(missing), resource)
    except Exception as exc:  # pulumi-policy's proxy, reached while iterating a list
        if type(exc).__name__ != "UnknownValueError":
            raise
        return [Finding("unknown", f"{resource.name}: {exc} (checked again after up)", resource.urn)]


def run_stack_check(policy: Policy, stack: list[PlannedResource], ctx: Context) -> list[Finding]:
    try:
        return policy.check(stack, ctx)
    except MissingConfig as missing:
        return fail(str(missing))


@dataclass
class PolicyResult:
    policy: str
    enforcement: str
    status: Literal["pass", "fail", "waived", "unknown", "not_applicable"]
    findings: list[Finding]
    evaluated: int  # resources the policy looked at

    def as_json(self) -> dict[str, Any]:
        info = policy_catalog.BY_ID[self.policy]
        return {
            "policy": self.policy,
            "title_en": info.title_en,
            "title_ja": info.title_ja,
            "enforcement": self.enforcement,
            # evidence has no "unknown": a check that could not run is an error, never a pass
            "status": "error" if self.status == "unknown" else self.status,
            "evaluated": self.evaluated,
            "findings": [{"status": f.status, "message": f.message, "urn": f.urn, "waiver": f.waiver}
                         for f in self.findings],
        }


def evaluate(stack: list[PlannedResource], as_of: dt.date, config: Mapping[str, Mapping[str, Any]],
             policies: Iterable[Policy] = POLICIES) -> list[PolicyResult]:
    """Run every policy over one stack: resource policies on inputs, stack policies on outputs and relations."""
    ctx = Context(as_of, config)
    results = []
    for policy in policies:
        if policy.stack_level:
            targets = [r for r in stack if r.type in policy.stack_types]
            findings = run_stack_check(policy, stack, ctx) if targets else []
        else:
            targets = [r for r in stack if r.type in policy.resource_types]
            findings = [f for r in targets for f in run_resource_check(policy, r, ctx)]
        results.append(PolicyResult(policy.id, policy.info.enforcement, _status(targets, findings), findings,
                                    len(targets)))
    return results


def _status(targets, findings) -> str:
    if not targets:
        return "not_applicable"
    statuses = {f.status for f in findings}
    for status in ("fail", "unknown", "waived"):
        if status in statuses:
            return status
    return "pass"

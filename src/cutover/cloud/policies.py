"""The policy checks: plain functions used by the pulumi-policy pack (pulumi/policy) and offline.

Each check looks at one planned resource (or, for cross-resource rules, the whole stack) with
camelCase properties as the engine sends them, and returns findings: ``fail`` (a violation) or
``waived`` (a violation an unexpired inventory waiver allows, carried on the storage account's
``cutover-waivers`` tag). The pack reports only ``fail``; the offline plan reports both.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from cutover import policy_catalog
from cutover.cloud import waivers

SA = "azure-native:storage:StorageAccount"
FILES = "azure-native:storage:FileServiceProperties"
SHARE = "azure-native:storage:FileShare"
ROLE = "azure-native:authorization:RoleAssignment"
LOCK = "azure-native:authorization:ManagementLockByScope"
DIAG = "azure-native:monitor:DiagnosticSetting"
ITEM = "azure-native:recoveryservices:ProtectedItem"
DEFENDER = "azure-native:security:DefenderForStorage"
REQUIRED_TAGS = ("cutover-site", "cutover-wave", "managed-by", "cost-centre")
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"))


@dataclass(frozen=True)
class PlannedResource:
    urn: str
    type: str
    name: str
    props: dict[str, Any]
    protect: bool = False
    parent: str | None = None


@dataclass(frozen=True)
class Finding:
    status: Literal["fail", "waived"]
    message: str
    urn: str | None = None
    waiver: dict[str, str] | None = None


@dataclass(frozen=True)
class Policy:
    id: str
    check: Callable[..., list[Finding]]
    resource_types: tuple[str, ...] = ()  # empty: a stack-level check
    info: policy_catalog.PolicyInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", policy_catalog.BY_ID[self.id])

    @property
    def stack_level(self) -> bool:
        return not self.resource_types


def _fail(message: str, resource: PlannedResource | None = None) -> list[Finding]:
    return [Finding("fail", message, resource.urn if resource else None)]


def _tagged(account: PlannedResource) -> list[waivers.TaggedWaiver]:
    return waivers.from_tag((account.props.get("tags") or {}).get(waivers.TAG))


def _waivable(resource: PlannedResource, account: PlannedResource | None, policy: str, message: str,
              as_of: dt.date, scope: str | None = None) -> list[Finding]:
    waiver = waivers.find(_tagged(account), policy, scope) if account else None
    if waiver and waiver.active(as_of):
        return [Finding("waived", message, resource.urn, {"policy": policy, "expires": waiver.expires.isoformat()})]
    suffix = f" (waiver expired {waiver.expires})" if waiver else ""
    return _fail(message + suffix, resource)


# ------------------------------------------------------------------------------------------------
# storage account
# ------------------------------------------------------------------------------------------------


def https_only(r, _stack, _as_of):
    return [] if r.props.get("enableHttpsTrafficOnly") is True else _fail("enableHttpsTrafficOnly must be true", r)


def min_tls(r, _stack, _as_of):
    value = r.props.get("minimumTlsVersion")
    return [] if value in ("TLS1_2", "TLS1_3") else _fail(f"minimumTlsVersion is {value!r}, must be TLS1_2", r)


def no_public_blob(r, _stack, _as_of):
    return [] if r.props.get("allowBlobPublicAccess") is False else _fail("allowBlobPublicAccess must be false", r)


def shared_key_disabled(r, _stack, as_of):
    if r.props.get("allowSharedKeyAccess") is False:
        return []
    return _waivable(r, r, "storage-shared-key-disabled",
                     "allowSharedKeyAccess is not false (account keys can open every share)", as_of)


def infrastructure_encryption(r, _stack, _as_of):
    if (r.props.get("encryption") or {}).get("requireInfrastructureEncryption") is True:
        return []
    return _fail("encryption.requireInfrastructureEncryption must be true", r)


def no_cross_tenant_replication(r, _stack, _as_of):
    if r.props.get("allowCrossTenantReplication") is False:
        return []
    return _fail("allowCrossTenantReplication must be false", r)


def default_deny(r, _stack, _as_of):
    action = (r.props.get("networkRuleSet") or {}).get("defaultAction")
    return [] if action == "Deny" else _fail(f"networkRuleSet.defaultAction is {action!r}, must be Deny", r)


def ip_rules_public(r, _stack, _as_of):
    rules = (r.props.get("networkRuleSet") or {}).get("ipRules") or []
    if not rules:
        return _fail("no IP rule: the offices' egress addresses must be allowed explicitly", r)
    findings = []
    for rule in rules:
        value = rule.get("iPAddressOrRange") or rule.get("value") or ""
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            findings += _fail(f"IP rule {value!r} is not an IPv4 address or range", r)
            continue
        if net.prefixlen == 0 or any(net.overlaps(bad) for bad in _NOT_PUBLIC):
            findings += _fail(f"IP rule {value} is not a public office address", r)
    return findings


def trusted_bypass(r, _stack, _as_of):
    bypass = (r.props.get("networkRuleSet") or {}).get("bypass") or ""
    if "AzureServices" in bypass:
        return []
    return _fail("networkRuleSet.bypass lacks AzureServices (Azure Backup cannot reach the shares)", r)


def entra_kerberos(r, _stack, _as_of):
    option = (r.props.get("azureFilesIdentityBasedAuthentication") or {}).get("directoryServiceOptions")
    return [] if option == "AADKERB" else _fail(f"directoryServiceOptions is {option!r}, must be AADKERB", r)


def required_tags(r, _stack, _as_of):
    tags = r.props.get("tags") or {}
    missing = [t for t in REQUIRED_TAGS if not tags.get(t)]
    return [] if not missing else _fail(f"missing tags: {', '.join(missing)}", r)


def waivers_unexpired(r, _stack, as_of):
    expired = [w for w in _tagged(r) if not w.active(as_of)]
    return [Finding("fail", f"waiver of {w.policy}{'/' + w.scope if w.scope else ''} expired on {w.expires}", r.urn)
            for w in expired]


def protected(r, _stack, _as_of):
    return [] if r.protect else _fail(f"{r.name} is not protected (protect=True)", r)


# ------------------------------------------------------------------------------------------------
# file service and role assignments
# ------------------------------------------------------------------------------------------------


def _smb(r):
    return ((r.props.get("protocolSettings") or {}).get("smb")) or {}


def smb_311_only(r, _stack, _as_of):
    versions = _smb(r).get("versions")
    return [] if versions == "SMB3.1.1" else _fail(f"SMB versions are {versions!r}, must be SMB3.1.1 only", r)


def kerberos_aes256(r, _stack, _as_of):
    value = _smb(r).get("kerberosTicketEncryption")
    return [] if value == "AES-256" else _fail(f"kerberosTicketEncryption is {value!r}, must be AES-256", r)


def channel_gcm(r, _stack, _as_of):
    value = _smb(r).get("channelEncryption")
    return [] if value == "AES-256-GCM" else _fail(f"channelEncryption is {value!r}, must be AES-256-GCM", r)


def soft_delete(r, _stack, _as_of):
    policy = r.props.get("shareDeleteRetentionPolicy") or {}
    if policy.get("enabled") is True and int(policy.get("days") or 0) >= 14:
        return []
    return _fail(f"share soft delete is {policy or 'off'}; needs enabled with 14 days or more", r)


def groups_only(r, _stack, _as_of):
    kind = r.props.get("principalType")
    return [] if kind == "Group" else _fail(f"principalType is {kind!r}: share roles go to groups only", r)


# ------------------------------------------------------------------------------------------------
# stack-level: things that must exist beside each storage account
# ------------------------------------------------------------------------------------------------


def _accounts(stack: Iterable[PlannedResource]) -> list[PlannedResource]:
    return [r for r in stack if r.type == SA]


def _refers_to(account: PlannedResource, value: Any, suffix: str = "") -> bool:
    """Whether an ARM id (a lock scope, a diagnostic URI...) points at ``account``.

    Offline plans carry the account's id; under the real engine the id is not among the properties,
    so the account is recognised by its name at the end of the path.
    """
    text = str(value or "").lower()
    own = str(account.props.get("id") or "").lower()
    if own and text == own + suffix.lower():
        return True
    name = str(account.props.get("accountName") or "").lower()
    return bool(name) and text.endswith(f"/storageaccounts/{name}{suffix.lower()}")


def _account_for(stack, account_name) -> PlannedResource | None:
    return next((a for a in _accounts(stack) if a.props.get("accountName") == account_name), None)


def ntlmv2_disabled(_r, stack, as_of):
    findings = []
    for files in (r for r in stack if r.type == FILES):
        if "NTLMv2" not in (_smb(files).get("authenticationMethods") or ""):
            continue
        account = _account_for(stack, files.props.get("accountName"))
        findings += _waivable(files, account, "files-ntlmv2-disabled",
                              "SMB authenticationMethods include NTLMv2 (Kerberos only expected)", as_of)
    return findings


def delete_lock(_r, stack, _as_of):
    findings = []
    for account in _accounts(stack):
        ok = any(r.type == LOCK and r.props.get("level") == "CanNotDelete" and _refers_to(account, r.props.get("scope"))
                 for r in stack)
        if not ok:
            findings += _fail(f"no CanNotDelete lock on {account.props.get('accountName')}", account)
    return findings


def diagnostics(_r, stack, _as_of):
    findings = []
    wanted = {"StorageRead", "StorageWrite", "StorageDelete"}
    for account in _accounts(stack):
        settings = [r for r in stack
                    if r.type == DIAG and _refers_to(account, r.props.get("resourceUri"), "/fileServices/default")]
        good = [s for s in settings if s.props.get("workspaceId") and wanted <= {
            log.get("category") for log in s.props.get("logs") or [] if log.get("enabled")}]
        if not good:
            findings += _fail(f"file service logs of {account.props.get('accountName')} do not all go to the "
                              "workspace (StorageRead, StorageWrite, StorageDelete)", account)
    return findings


def backup_every_share(_r, stack, as_of):
    findings = []
    for account in _accounts(stack):
        name = account.props.get("accountName")
        protected_shares = {(r.props.get("properties") or {}).get("friendlyName") for r in stack
                            if r.type == ITEM
                            and _refers_to(account, (r.props.get("properties") or {}).get("sourceResourceId"))}
        for share in (r for r in stack if r.type == SHARE and r.props.get("accountName") == name):
            share_name = share.props.get("shareName")
            if share_name not in protected_shares:
                findings += _waivable(share, account, "files-backup-every-share",
                                      f"share {share_name} has no Azure Backup protected item", as_of, share_name)
    return findings


def defender(_r, stack, _as_of):
    findings = []
    for account in _accounts(stack):
        ok = any(r.type == DEFENDER and _refers_to(account, r.props.get("resourceId"))
                 and (r.props.get("properties") or {}).get("isEnabled") for r in stack)
        if not ok:
            findings += _fail(f"Defender for Storage is not enabled on {account.props.get('accountName')}", account)
    return findings


POLICIES: tuple[Policy, ...] = (
    Policy("storage-https-only", https_only, (SA,)),
    Policy("storage-min-tls-1-2", min_tls, (SA,)),
    Policy("storage-no-public-blob", no_public_blob, (SA,)),
    Policy("storage-shared-key-disabled", shared_key_disabled, (SA,)),
    Policy("storage-infrastructure-encryption", infrastructure_encryption, (SA,)),
    Policy("storage-no-cross-tenant-replication", no_cross_tenant_replication, (SA,)),
    Policy("storage-network-default-deny", default_deny, (SA,)),
    Policy("storage-ip-rules-public-only", ip_rules_public, (SA,)),
    Policy("storage-trusted-services-bypass", trusted_bypass, (SA,)),
    Policy("files-identity-entra-kerberos", entra_kerberos, (SA,)),
    Policy("storage-required-tags", required_tags, (SA,)),
    Policy("waivers-unexpired", waivers_unexpired, (SA,)),
    Policy("storage-protected", protected, (SA, SHARE)),
    Policy("files-smb-3-1-1-only", smb_311_only, (FILES,)),
    Policy("files-kerberos-aes256", kerberos_aes256, (FILES,)),
    Policy("files-channel-aes256-gcm", channel_gcm, (FILES,)),
    Policy("files-share-soft-delete", soft_delete, (FILES,)),
    Policy("rbac-groups-only", groups_only, (ROLE,)),
    Policy("files-ntlmv2-disabled", ntlmv2_disabled),
    Policy("storage-delete-lock", delete_lock),
    Policy("storage-diagnostics", diagnostics),
    Policy("files-backup-every-share", backup_every_share),
    Policy("storage-defender", defender),
)
BY_ID = {p.id: p for p in POLICIES}


@dataclass
class PolicyResult:
    policy: str
    enforcement: str
    status: Literal["pass", "fail", "waived", "not_applicable"]
    findings: list[Finding]
    evaluated: int  # resources the policy looked at

    def as_json(self) -> dict[str, Any]:
        info = policy_catalog.BY_ID[self.policy]
        return {
            "policy": self.policy,
            "title_en": info.title_en,
            "title_ja": info.title_ja,
            "enforcement": self.enforcement,
            "status": self.status,
            "evaluated": self.evaluated,
            "findings": [{"status": f.status, "message": f.message, "urn": f.urn, "waiver": f.waiver}
                         for f in self.findings],
        }


def evaluate(stack: list[PlannedResource], as_of: dt.date, policies: Iterable[Policy] = POLICIES) -> list[PolicyResult]:
    """Run every policy over one stack's planned resources."""
    results = []
    for policy in policies:
        if policy.stack_level:
            targets = _accounts(stack)
            findings = policy.check(None, stack, as_of) if targets else []
        else:
            targets = [r for r in stack if r.type in policy.resource_types]
            findings = [f for r in targets for f in policy.check(r, stack, as_of)]
        if not targets:
            status = "not_applicable"
        elif any(f.status == "fail" for f in findings):
            status = "fail"
        elif findings:
            status = "waived"
        else:
            status = "pass"
        results.append(PolicyResult(policy.id, policy.info.enforcement, status, findings, len(targets)))
    return results

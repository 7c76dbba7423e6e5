"""Pulumi components of a site stack: typed args with secure defaults, in the shape of Azure Verified Modules.

Every Args class takes ``tags`` and passes them to every child that accepts tags; components that
own a protected scope take ``lock`` (AVM ``lock {kind, name}``, default CanNotDelete) and, where Azure
has logs, ``diagnostic_settings``. Each field says what it defaults to. SDK enums, not strings.
Each component declares its outputs as attributes and registers them.

- :class:`SiteFileShare`: storage account, SMB file service, shares, firewall, lock, diagnostics, Defender.
- :class:`SiteEntraAccess`: share RBAC (AD-synced groups on hybrid sites), the copy identity's
  time-boxed access, Entra groups (cloud-only sites), named location and the MFA policy.
- :class:`SiteBackup`: Azure Files backup into the core Recovery Services vault.
- :class:`SiteStorageMover`: the managed alternative to robocopy passes.
- :class:`SiteFileSync`: Azure File Sync for an office whose line blocks TCP 445.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_azuread as azuread
from pulumi_azure_native import (
    authorization,
    monitor,
    recoveryservices,
    security,
    storage,
    storagemover,
    storagesync,
)

from cutover import naming, smb

# Built-in role definition GUIDs: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage
SMB_ROLES = {
    "read": "aba4ae5f-2193-4029-9191-0cb91df5e314",  # Storage File Data SMB Share Reader
    "change": "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb",  # Storage File Data SMB Share Contributor
    "full": "a7264617-510b-434b-a828-9731dc254ea7",  # Storage File Data SMB Share Elevated Contributor
}
_RANK = {"read": 0, "change": 1, "full": 2}
_NAMESPACE = uuid.UUID("5f0d7c2e-2d6b-4c55-9a86-2a8f5c1e0b28")  # for deterministic assignment GUIDs
FILE_LOGS = ("StorageRead", "StorageWrite", "StorageDelete")


def stable_guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def share_scope(account_id: pulumi.Input[str], share: pulumi.Input[str]) -> pulumi.Output[str]:
    """RBAC scope of one share (``fileshares``, as the Azure Files share-level permission docs spell it)."""
    return pulumi.Output.concat(account_id, "/fileServices/default/fileshares/", share)


@dataclass(frozen=True)
class ShareSpec:
    name: str
    quota_gib: int


@dataclass(frozen=True)
class LockArgs:
    """AVM ``lock``: a management lock on the component's main scope."""

    #: Defaults to CanNotDelete: the scope cannot be deleted while the lock exists.
    kind: authorization.LockLevel = authorization.LockLevel.CAN_NOT_DELETE
    #: Defaults to ``cutover-no-delete`` (naming.LOCK).
    name: str = naming.LOCK
    #: Defaults to a note naming the project.
    notes: str = "Managed by cutover: remove deliberately, never by accident."


@dataclass(frozen=True)
class DiagnosticSettingsArgs:
    """AVM ``diagnostic_settings``: where a scope's logs and metrics go."""

    workspace_id: pulumi.Input[str]
    #: Defaults to ``cutover-file-logs`` (naming.DIAGNOSTIC_SETTING).
    name: str = naming.DIAGNOSTIC_SETTING
    #: Defaults to StorageRead, StorageWrite and StorageDelete (every data request).
    log_categories: tuple[str, ...] = FILE_LOGS
    #: Defaults to Transaction.
    metric_categories: tuple[str, ...] = ("Transaction",)


def _lock(name: str, scope: pulumi.Input[str], lock: LockArgs | None, parent: pulumi.Resource):
    if lock is None:
        return None
    return authorization.ManagementLockByScope(
        f"{name}-lock", lock_name=lock.name, level=lock.kind, scope=scope, notes=lock.notes,
        opts=pulumi.ResourceOptions(parent=parent))


# ------------------------------------------------------------------------------------------------
# SiteFileShare
# ------------------------------------------------------------------------------------------------


@dataclass
class SiteFileShareArgs:
    """Inputs of :class:`SiteFileShare`. Every default is the secure choice."""

    account_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    #: Public IPv4 addresses / CIDRs allowed through the storage firewall (offices, time-boxed data center).
    egress: list[str]
    shares: list[ShareSpec]
    #: Defaults to None: no diagnostic setting (the storage-diagnostics policy then fails).
    diagnostic_settings: DiagnosticSettingsArgs | None = None
    #: Defaults to a CanNotDelete lock on the account.
    lock: LockArgs | None = field(default_factory=LockArgs)
    #: Defaults to no tags; the programs pass naming.tags(...).
    tags: dict[str, str] = field(default_factory=dict)
    #: Defaults to hybrid: share RBAC to AD-synced groups, no tenant-wide default share permission.
    identity_mode: Literal["hybrid", "cloud_only"] = "hybrid"
    #: Defaults to None. Hybrid sites pass the AD domain (name, GUID) so File Explorer can edit ACLs.
    active_directory: tuple[str, str] | None = None
    #: Defaults to Contributor for cloud-only sites (the only share-level permission they can have);
    #: hybrid sites always get None.
    cloud_only_share_permission: storage.DefaultSharePermission = (
        storage.DefaultSharePermission.STORAGE_FILE_DATA_SMB_SHARE_CONTRIBUTOR)
    #: Defaults to AES-256-GCM only (see cutover.smb for when AES-128-GCM stays).
    channel_encryption: str = smb.AES256_ONLY
    #: Defaults to False. True only where vaulted Azure Files backup needs account keys; keys then expire.
    allow_shared_key: bool = False
    #: Defaults to 90: account keys must be rotated within 90 days (key expiration policy).
    key_expiration_days: int = 90
    #: Defaults to one hour: SAS tokens signed with account keys live at most one hour, longer ones are refused.
    sas_expiration_period: str = "0.01:00:00"
    #: Defaults to False: Kerberos only, unless an unexpired waiver allows NTLMv2.
    allow_ntlmv2: bool = False
    #: Defaults to 14 days of share soft delete (ransomware: deleted shares can be restored).
    soft_delete_days: int = 14
    #: Defaults to True: `pulumi destroy` cannot delete the account or its shares.
    protect: bool = True


class SiteFileShare(pulumi.ComponentResource):
    account: storage.StorageAccount
    file_service: storage.FileServiceProperties
    shares: dict[str, storage.FileShare]
    lock: authorization.ManagementLockByScope | None
    diagnostics: monitor.DiagnosticSetting | None
    defender: security.DefenderForStorage
    account_id: pulumi.Output[str]
    account_name: pulumi.Output[str]

    def __init__(self, name: str, args: SiteFileShareArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteFileShare", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        hybrid = args.identity_mode == "hybrid"
        directory = (storage.ActiveDirectoryPropertiesArgs(domain_name=args.active_directory[0],
                                                           domain_guid=args.active_directory[1])
                     if hybrid and args.active_directory else None)
        self.account = storage.StorageAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_ZRS),
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            enable_https_traffic_only=True,
            allow_blob_public_access=False,
            allow_shared_key_access=args.allow_shared_key,
            key_policy=storage.KeyPolicyArgs(key_expiration_period_in_days=args.key_expiration_days),
            sas_policy=storage.SasPolicyArgs(sas_expiration_period=args.sas_expiration_period,
                                             expiration_action=storage.ExpirationAction.BLOCK),
            allow_cross_tenant_replication=False,
            default_to_o_auth_authentication=True,
            public_network_access=storage.PublicNetworkAccess.ENABLED,  # offices use the internet (local breakout)
            encryption=storage.EncryptionArgs(
                key_source=storage.KeySource.MICROSOFT_STORAGE,
                require_infrastructure_encryption=True,
                services=storage.EncryptionServicesArgs(
                    file=storage.EncryptionServiceArgs(enabled=True, key_type=storage.KeyType.ACCOUNT),
                    blob=storage.EncryptionServiceArgs(enabled=True, key_type=storage.KeyType.ACCOUNT),
                ),
            ),
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY,
                bypass=storage.Bypass.AZURE_SERVICES,  # Azure Backup reaches the shares as a trusted service
                ip_rules=[storage.IPRuleArgs(i_p_address_or_range=ip, action=storage.Action.ALLOW)
                          for ip in args.egress],
            ),
            azure_files_identity_based_authentication=storage.AzureFilesIdentityBasedAuthenticationArgs(
                directory_service_options=storage.DirectoryServiceOptions.AADKERB,
                active_directory_properties=directory,
                default_share_permission=(storage.DefaultSharePermission.NONE if hybrid
                                          else args.cloud_only_share_permission),
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.file_service = storage.FileServiceProperties(
            f"{name}-files",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            file_services_name="default",
            protocol_settings=storage.ProtocolSettingsArgs(smb=storage.SmbSettingArgs(
                versions="SMB3.1.1",
                authentication_methods="Kerberos;NTLMv2" if args.allow_ntlmv2 else "Kerberos",
                kerberos_ticket_encryption="AES-256",
                channel_encryption=args.channel_encryption,
            )),
            share_delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True,
                                                                            days=args.soft_delete_days),
            opts=child,
        )
        self.shares = {
            spec.name: storage.FileShare(
                f"{name}-share-{spec.name}",
                account_name=self.account.name,
                resource_group_name=args.resource_group_name,
                share_name=spec.name,
                share_quota=spec.quota_gib,
                enabled_protocols=storage.EnabledProtocols.SMB,
                access_tier=storage.ShareAccessTier.TRANSACTION_OPTIMIZED,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=[self.file_service]),
            )
            for spec in args.shares
        }
        self.lock = _lock(name, self.account.id, args.lock, self)
        self.diagnostics = None
        if args.diagnostic_settings is not None:
            diag = args.diagnostic_settings
            self.diagnostics = monitor.DiagnosticSetting(
                f"{name}-diagnostics",
                name=diag.name,
                resource_uri=pulumi.Output.concat(self.account.id, "/fileServices/default"),
                workspace_id=diag.workspace_id,
                logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in diag.log_categories],
                metrics=[monitor.DiagnosticsMetricSettingsArgs(category=c, enabled=True)
                         for c in diag.metric_categories],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.file_service]),
            )
        self.defender = security.DefenderForStorage(
            f"{name}-defender",
            resource_id=self.account.id,
            setting_name="current",
            properties=security.DefenderForStorageSettingPropertiesArgs(
                is_enabled=True,
                override_subscription_level_settings=True,
                # Malware scanning covers Blob storage only, not Azure Files content: left off.
                malware_scanning=security.MalwareScanningPropertiesArgs(
                    on_upload=security.OnUploadPropertiesArgs(is_enabled=False)),
                sensitive_data_discovery=security.SensitiveDataDiscoveryPropertiesArgs(is_enabled=False),
            ),
            opts=child,
        )
        self.account_id = self.account.id
        self.account_name = self.account.name
        self.register_outputs({"account_id": self.account_id, "account_name": self.account_name,
                               "share_ids": {k: v.id for k, v in self.shares.items()}})


# ------------------------------------------------------------------------------------------------
# SiteEntraAccess
# ------------------------------------------------------------------------------------------------


@dataclass
class SiteEntraAccessArgs:
    """Inputs of :class:`SiteEntraAccess`."""

    site_id: str
    #: Inventory group name -> (purpose, AD group name or None).
    groups: dict[str, tuple[str, str | None]]
    #: Office egress that is the site's trusted location (shared-IPv4 offices excluded).
    egress: list[str]
    #: Share name -> {group: read|change|full}: the highest permission a group has on any folder.
    share_permissions: dict[str, dict[str, str]]
    account_id: pulumi.Input[str]
    #: The storage account's name (an output): the Entra Kerberos app is found by it.
    account_name: pulumi.Input[str]
    #: Share resources by name, so role assignments depend on them.
    shares: dict[str, pulumi.Resource]
    subscription_id: pulumi.Input[str]
    #: Defaults to hybrid: RBAC to AD-synced groups (cloud-only: Entra groups, default share permission).
    identity_mode: Literal["hybrid", "cloud_only"] = "hybrid"
    #: Defaults to False: the MFA policy only reports until the site's wave is live.
    enforce_mfa: bool = False
    #: Defaults to none. Object ids of break-glass accounts every policy excludes.
    break_glass_ids: list[str] = field(default_factory=list)
    #: Defaults to None. AD group (synced) of the migration account that gets time-boxed write access.
    copy_group: str | None = None
    #: Defaults to no tags (Entra objects take none; kept for the AVM interface).
    tags: dict[str, str] = field(default_factory=dict)


class SiteEntraAccess(pulumi.ComponentResource):
    groups: dict[str, azuread.Group]
    group_ids: dict[str, pulumi.Output[str]]
    role_assignments: list[authorization.RoleAssignment]
    location: azuread.NamedLocation
    mfa_policy: azuread.ConditionalAccessPolicy
    storage_app_id: pulumi.Output[str]

    def __init__(self, name: str, args: SiteEntraAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteEntraAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        hybrid = args.identity_mode == "hybrid"
        self.groups = {}
        self.group_ids = {}
        for group, (purpose, ad_group) in args.groups.items():
            if hybrid:
                # Share RBAC must name groups synced from AD (Azure Files hybrid identities docs).
                self.group_ids[group] = synced_group_id(ad_group or "")
            else:
                self.groups[group] = azuread.Group(
                    f"{name}-group-{group}", display_name=naming.entra_group(args.site_id, group),
                    description=purpose, security_enabled=True, mail_enabled=False,
                    prevent_duplicate_names=True, opts=child)
                self.group_ids[group] = self.groups[group].object_id
        role_definition = pulumi.Output.from_input(args.subscription_id).apply(
            lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/")
        self.role_assignments = []
        if hybrid:
            for share, grants in sorted(args.share_permissions.items()):
                for group, level in sorted(grants.items()):
                    role = SMB_ROLES[level]
                    self.role_assignments.append(authorization.RoleAssignment(
                        f"{name}-rbac-{share}-{group}",
                        role_assignment_name=stable_guid(args.site_id, share, group, role),
                        principal_id=self.group_ids[group],
                        principal_type=authorization.PrincipalType.GROUP,
                        role_definition_id=pulumi.Output.concat(role_definition, role),
                        scope=share_scope(args.account_id, args.shares[share].name),
                        description=f"cutover: {group} {level} on share {share}",
                        opts=child,
                    ))
            if args.copy_group:
                copier = synced_group_id(args.copy_group)
                for share in sorted(args.share_permissions):
                    self.role_assignments.append(authorization.RoleAssignment(
                        f"{name}-rbac-{share}-copy",
                        role_assignment_name=stable_guid(args.site_id, share, "copy", SMB_ROLES["full"]),
                        principal_id=copier,
                        principal_type=authorization.PrincipalType.GROUP,
                        role_definition_id=pulumi.Output.concat(role_definition, SMB_ROLES["full"]),
                        scope=share_scope(args.account_id, args.shares[share].name),
                        description=f"cutover: data-center copy into {share} until the site's cutover",
                        opts=child,
                    ))
        ranges = [ip if "/" in ip else f"{ip}/32" for ip in args.egress]
        self.location = azuread.NamedLocation(
            f"{name}-offices", display_name=naming.named_location(args.site_id),
            ip=azuread.NamedLocationIpArgs(ip_ranges=ranges, trusted=True), opts=child)
        # The storage account's Entra Kerberos app cannot answer an MFA challenge (System error 1327):
        # it is excluded here, in code, so no manual edit is reverted by the next `up`.
        app = azuread.get_service_principal_output(
            display_name=pulumi.Output.from_input(args.account_name).apply(naming.storage_app))
        self.storage_app_id = app.client_id
        self.mfa_policy = azuread.ConditionalAccessPolicy(
            f"{name}-mfa-outside-offices",
            display_name=naming.mfa_policy(args.site_id),
            state="enabled" if args.enforce_mfa else "enabledForReportingButNotEnforced",
            conditions=azuread.ConditionalAccessPolicyConditionsArgs(
                client_app_types=["all"],
                applications=azuread.ConditionalAccessPolicyConditionsApplicationsArgs(
                    included_applications=["All"], excluded_applications=[self.storage_app_id]),
                users=azuread.ConditionalAccessPolicyConditionsUsersArgs(
                    included_groups=list(self.group_ids.values()), excluded_users=list(args.break_glass_ids)),
                locations=azuread.ConditionalAccessPolicyConditionsLocationsArgs(
                    included_locations=["All"], excluded_locations=[self.location.object_id]),
            ),
            grant_controls=azuread.ConditionalAccessPolicyGrantControlsArgs(operator="OR",
                                                                             built_in_controls=["mfa"]),
            opts=child,
        )
        self.register_outputs({"group_ids": self.group_ids, "named_location_id": self.location.object_id,
                               "mfa_policy_id": self.mfa_policy.id, "storage_app_id": self.storage_app_id})


def synced_group_id(display_name: str) -> pulumi.Output[str]:
    """Object id of an AD group synced to Entra; fails the deployment if the group is cloud-only."""
    found = azuread.get_group_output(display_name=display_name, security_enabled=True)

    def checked(group) -> str:
        if not group.onpremises_sync_enabled:
            raise ValueError(f"group {display_name!r} is not synced from AD: hybrid share RBAC needs AD groups")
        return group.object_id

    return found.apply(checked)


def share_level_permissions(folders_by_share: dict[str, list[dict[str, str]]]) -> dict[str, dict[str, str]]:
    """Share-level role per group: the highest permission the group has on any folder of the share."""
    result: dict[str, dict[str, str]] = {}
    for share, folders in folders_by_share.items():
        grants: dict[str, str] = {}
        for permissions in folders:
            for group, level in permissions.items():
                if group not in grants or _RANK[level] > _RANK[grants[group]]:
                    grants[group] = level
        result[share] = grants
    return result


# ------------------------------------------------------------------------------------------------
# SiteBackup
# ------------------------------------------------------------------------------------------------


@dataclass
class SiteBackupArgs:
    """Inputs of :class:`SiteBackup` (the vault lives in the core stack)."""

    site_id: str
    vault_name: pulumi.Input[str]
    vault_resource_group: pulumi.Input[str]
    account_id: pulumi.Input[str]
    #: The container name Azure Backup's discovery returned for the account (never built here).
    container_name: pulumi.Input[str]
    #: Share resources by name: each protected item names its share (the provider finds the system name).
    shares: dict[str, pulumi.Resource]
    #: Defaults to the vault tier: copies survive the storage account (needs account-key access).
    tier: Literal["vault", "snapshot"] = "vault"
    #: Defaults to 22:00 Tokyo time.
    daily_time: str = "22:00"
    #: Defaults to 30 daily recovery points.
    retention_days: int = 30
    #: Defaults to 7 days of snapshots beside the vaulted copy (vault tier only, 1-30).
    snapshot_retention_days: int = 7
    #: Defaults to True: the policy, container and items survive `pulumi destroy` and waiver changes.
    protect: bool = True
    #: Defaults to no tags (the vault carries the core stack's tags; kept for the AVM interface).
    tags: dict[str, str] = field(default_factory=dict)


class SiteBackup(pulumi.ComponentResource):
    policy: recoveryservices.ProtectionPolicy
    container: recoveryservices.ProtectionContainer
    items: dict[str, recoveryservices.ProtectedItem]
    policy_id: pulumi.Output[str]

    def __init__(self, name: str, args: SiteBackupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteBackup", name, None, opts)
        protected = pulumi.ResourceOptions(parent=self, protect=args.protect)
        run_time = f"2027-01-01T{args.daily_time}:00Z"  # only the time of day counts (time_zone below)
        daily = recoveryservices.LongTermRetentionPolicyArgs(
            retention_policy_type="LongTermRetentionPolicy",
            daily_schedule=recoveryservices.DailyRetentionScheduleArgs(
                retention_times=[run_time],
                retention_duration=recoveryservices.RetentionDurationArgs(
                    count=args.retention_days, duration_type=recoveryservices.RetentionDurationType.DAYS)))
        vaulted = args.tier == "vault"
        self.policy = recoveryservices.ProtectionPolicy(
            f"{name}-policy",
            policy_name=naming.backup_policy(args.site_id),
            vault_name=args.vault_name,
            resource_group_name=args.vault_resource_group,
            properties=recoveryservices.AzureFileShareProtectionPolicyArgs(
                backup_management_type="AzureStorage",
                work_load_type=recoveryservices.WorkloadType.AZURE_FILE_SHARE,
                time_zone="Tokyo Standard Time",
                schedule_policy=recoveryservices.SimpleSchedulePolicyArgs(
                    schedule_policy_type="SimpleSchedulePolicy",
                    schedule_run_frequency=recoveryservices.ScheduleRunType.DAILY,
                    schedule_run_times=[run_time]),
                retention_policy=None if vaulted else daily,
                vault_retention_policy=recoveryservices.VaultRetentionPolicyArgs(
                    snapshot_retention_in_days=args.snapshot_retention_days, vault_retention=daily)
                if vaulted else None,
            ),
            opts=protected,
        )
        self.container = recoveryservices.ProtectionContainer(
            f"{name}-container",
            container_name=args.container_name,
            fabric_name="Azure",
            vault_name=args.vault_name,
            resource_group_name=args.vault_resource_group,
            properties=recoveryservices.AzureStorageContainerArgs(
                container_type="StorageContainer",
                backup_management_type="AzureStorage",
                source_resource_id=args.account_id,
                friendly_name=pulumi.Output.from_input(args.account_id).apply(lambda i: i.rsplit("/", 1)[-1]),
                acquire_storage_account_lock=recoveryservices.AcquireStorageAccountLock.ACQUIRE,
            ),
            opts=protected,
        )
        self.items = {
            share: recoveryservices.ProtectedItem(
                f"{name}-item-{share}",
                # The share's own name: azure-native looks up the protectable item's system name
                # (pulumi-azure-native#1420, fixed by PR #3809); Azure never sees a name built here.
                protected_item_name=resource.name,
                container_name=self.container.name,
                fabric_name="Azure",
                vault_name=args.vault_name,
                resource_group_name=args.vault_resource_group,
                properties=recoveryservices.AzureFileshareProtectedItemArgs(
                    protected_item_type="AzureFileShareProtectedItem",
                    policy_id=self.policy.id,
                    source_resource_id=args.account_id,
                    friendly_name=resource.name,
                ),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=[self.container]),
            )
            for share, resource in sorted(args.shares.items())
        }
        self.policy_id = self.policy.id
        self.register_outputs({"policy_id": self.policy_id, "container_id": self.container.id,
                               "item_ids": {k: v.id for k, v in self.items.items()}})


# ------------------------------------------------------------------------------------------------
# SiteStorageMover
# ------------------------------------------------------------------------------------------------


@dataclass
class SiteStorageMoverArgs:
    """Inputs of :class:`SiteStorageMover`: the managed alternative to robocopy passes."""

    site_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    account_id: pulumi.Input[str]
    #: Share name -> legacy UNC path (\\\\server\\smb_share\\sub\\path).
    shares: dict[str, str]
    #: URI of the core Key Vault holding the data-center share's SMB credentials.
    key_vault_uri: pulumi.Input[str]
    #: Name of the Storage Mover agent registered (Azure Arc) near the file server; registration is manual.
    agent_name: str
    #: Defaults to no tags; passed to the Storage Mover.
    tags: dict[str, str] = field(default_factory=dict)


class SiteStorageMover(pulumi.ComponentResource):
    mover: storagemover.StorageMover
    jobs: dict[str, storagemover.JobDefinition]
    mover_id: pulumi.Output[str]

    def __init__(self, name: str, args: SiteStorageMoverArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteStorageMover", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.mover = storagemover.StorageMover(
            f"{name}-mover", storage_mover_name=naming.storage_mover(args.site_id),
            resource_group_name=args.resource_group_name, location=args.location,
            description=f"cutover: data-center shares of {args.site_id}", tags=args.tags, opts=child)
        self.project = storagemover.Project(
            f"{name}-project", project_name="cutover-migration", storage_mover_name=self.mover.name,
            resource_group_name=args.resource_group_name, opts=child)
        secret = pulumi.Output.concat(args.key_vault_uri, "/secrets/", naming.copy_secret(args.site_id))
        self.jobs = {}
        for share, unc in sorted(args.shares.items()):
            server, smb_share, *subpath = unc.strip("\\").split("\\")
            source = storagemover.Endpoint(
                f"{name}-source-{share}", endpoint_name=f"dc-{share}", storage_mover_name=self.mover.name,
                resource_group_name=args.resource_group_name,
                properties=storagemover.SmbMountEndpointPropertiesArgs(
                    endpoint_type="SmbMount", host=server.lower(), share_name=smb_share,
                    credentials=storagemover.AzureKeyVaultSmbCredentialsArgs(
                        type="AzureKeyVaultSmb", username_uri=pulumi.Output.concat(secret, "-username"),
                        password_uri=pulumi.Output.concat(secret, "-password")),
                    description=f"data-center share {unc}"),
                opts=child)
            target = storagemover.Endpoint(
                f"{name}-target-{share}", endpoint_name=f"azure-{share}", storage_mover_name=self.mover.name,
                resource_group_name=args.resource_group_name,
                properties=storagemover.AzureStorageSmbFileShareEndpointPropertiesArgs(
                    endpoint_type="AzureStorageSmbFileShare", file_share_name=share,
                    storage_account_resource_id=args.account_id, description=f"Azure file share {share}"),
                opts=child)
            self.jobs[share] = storagemover.JobDefinition(
                f"{name}-job-{share}",
                job_definition_name=f"mirror-{share}",
                project_name=self.project.name,
                storage_mover_name=self.mover.name,
                resource_group_name=args.resource_group_name,
                copy_mode="Mirror",
                agent_name=args.agent_name,
                source_name=source.name,
                target_name=target.name,
                source_subpath="/".join(subpath) or None,
                description=f"cutover: mirror {unc} to the Azure file share {share} (run per pass)",
                opts=child)
        self.mover_id = self.mover.id
        self.register_outputs({"mover_id": self.mover_id, "job_ids": {k: v.id for k, v in self.jobs.items()}})


# ------------------------------------------------------------------------------------------------
# SiteFileSync
# ------------------------------------------------------------------------------------------------


@dataclass
class SiteFileSyncArgs:
    """Inputs of :class:`SiteFileSync`: Azure File Sync for an office whose line blocks TCP 445."""

    site_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    account_id: pulumi.Input[str]
    #: Share resources by name: one sync group and cloud endpoint per share.
    shares: dict[str, pulumi.Resource]
    tenant_id: pulumi.Input[str]
    #: Defaults to no tags; passed to the Storage Sync Service.
    tags: dict[str, str] = field(default_factory=dict)


class SiteFileSync(pulumi.ComponentResource):
    service: storagesync.StorageSyncService
    sync_groups: dict[str, storagesync.SyncGroup]
    service_id: pulumi.Output[str]

    def __init__(self, name: str, args: SiteFileSyncArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteFileSync", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.service = storagesync.StorageSyncService(
            f"{name}-service", storage_sync_service_name=naming.storage_sync_service(args.site_id),
            resource_group_name=args.resource_group_name, location=args.location,
            incoming_traffic_policy="AllowAllTraffic", tags=args.tags, opts=child)
        self.sync_groups = {}
        for share, resource in sorted(args.shares.items()):
            group = storagesync.SyncGroup(
                f"{name}-group-{share}", sync_group_name=share, storage_sync_service_name=self.service.name,
                resource_group_name=args.resource_group_name, opts=child)
            storagesync.CloudEndpoint(
                f"{name}-cloud-{share}", cloud_endpoint_name=share, sync_group_name=group.name,
                storage_sync_service_name=self.service.name, resource_group_name=args.resource_group_name,
                azure_file_share_name=resource.name, storage_account_resource_id=args.account_id,
                storage_account_tenant_id=args.tenant_id, friendly_name=share, opts=child)
            self.sync_groups[share] = group
        self.service_id = self.service.id
        self.register_outputs({"service_id": self.service_id})

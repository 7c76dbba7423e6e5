"""Pulumi components of a site stack, each with typed args and secure defaults.

- :class:`SiteFileShare` — storage account, SMB file service, shares, firewall, lock, diagnostics,
  Defender for Storage.
- :class:`SiteEntraAccess` — Entra groups, share-level role assignments (hybrid), named location and
  conditional access for the site's offices.
- :class:`SiteBackup` — Azure Files backup of every share into the core Recovery Services vault.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_azuread as azuread
from pulumi_azure_native import authorization, monitor, recoveryservices, security, storage, storagemover

SMB_ROLES = {  # built-in role definition GUIDs (see ../shared/reference/azure-pulumi.md)
    "read": "aba4ae5f-2193-4029-9191-0cb91df5e314",  # Storage File Data SMB Share Reader
    "change": "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb",  # Storage File Data SMB Share Contributor
    "full": "a7264617-510b-434b-a828-9731dc254ea7",  # Storage File Data SMB Share Elevated Contributor
}
_RANK = {"read": 0, "change": 1, "full": 2}
_NAMESPACE = uuid.UUID("5f0d7c2e-2d6b-4c55-9a86-2a8f5c1e0b28")  # for deterministic assignment GUIDs


def stable_guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class ShareSpec:
    name: str
    quota_gib: int


@dataclass
class SiteFileShareArgs:
    """Inputs of :class:`SiteFileShare`. Every default is the secure choice."""

    site_id: str
    account_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    egress: list[str]  # public IPv4 addresses / CIDRs of the site's offices
    shares: list[ShareSpec]
    workspace_id: pulumi.Input[str]  # core Log Analytics workspace
    tags: dict[str, str] = field(default_factory=dict)
    identity_mode: Literal["hybrid", "cloud_only"] = "hybrid"
    #: Defaults to False: account keys stay off unless an unexpired waiver turns them on.
    allow_shared_key: bool = False
    #: Defaults to False: Kerberos only, unless an unexpired waiver allows NTLMv2.
    allow_ntlmv2: bool = False
    #: Defaults to 14 days of share soft delete (ransomware: deleted shares can be restored).
    soft_delete_days: int = 14
    #: Defaults to Contributor for cloud-only sites (folder ACLs do the separation); unused for hybrid.
    default_share_permission: str = "StorageFileDataSmbShareContributor"
    #: Defaults to True: `pulumi destroy` cannot delete the account or its shares.
    protect: bool = True


class SiteFileShare(pulumi.ComponentResource):
    account: storage.StorageAccount
    shares: dict[str, storage.FileShare]

    def __init__(self, name: str, args: SiteFileShareArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteFileShare", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        protected = pulumi.ResourceOptions(parent=self, protect=args.protect)
        identity = storage.AzureFilesIdentityBasedAuthenticationArgs(
            directory_service_options="AADKERB",
            default_share_permission=(args.default_share_permission if args.identity_mode == "cloud_only"
                                      else "None"),
        )
        self.account = storage.StorageAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_ZRS"),
            minimum_tls_version="TLS1_2",
            enable_https_traffic_only=True,
            allow_blob_public_access=False,
            allow_shared_key_access=args.allow_shared_key,
            allow_cross_tenant_replication=False,
            default_to_o_auth_authentication=True,
            public_network_access="Enabled",  # reached over the internet from the offices (local breakout)
            encryption=storage.EncryptionArgs(
                key_source="Microsoft.Storage",
                require_infrastructure_encryption=True,
                services=storage.EncryptionServicesArgs(
                    file=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                    blob=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                ),
            ),
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action="Deny",
                bypass="AzureServices",
                ip_rules=[storage.IPRuleArgs(i_p_address_or_range=ip, action="Allow") for ip in args.egress],
            ),
            azure_files_identity_based_authentication=identity,
            tags=args.tags,
            opts=protected,
        )
        methods = "Kerberos;NTLMv2" if args.allow_ntlmv2 else "Kerberos"
        self.file_service = storage.FileServiceProperties(
            f"{name}-files",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            file_services_name="default",
            protocol_settings=storage.ProtocolSettingsArgs(
                smb=storage.SmbSettingArgs(
                    versions="SMB3.1.1",
                    authentication_methods=methods,
                    kerberos_ticket_encryption="AES-256",
                    channel_encryption="AES-256-GCM",
                ),
            ),
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
                enabled_protocols="SMB",
                access_tier="TransactionOptimized",
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=[self.file_service]),
            )
            for spec in args.shares
        }
        self.lock = authorization.ManagementLockByScope(
            f"{name}-lock",
            lock_name="cutover-no-delete",
            level="CanNotDelete",
            scope=self.account.id,
            notes="Ransomware resilience: the site's file share account cannot be deleted (cutover).",
            opts=child,
        )
        self.diagnostics = monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            name="cutover-file-logs",
            resource_uri=self.account.id.apply(lambda account_id: f"{account_id}/fileServices/default"),
            workspace_id=args.workspace_id,
            logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True)
                  for c in ("StorageRead", "StorageWrite", "StorageDelete")],
            metrics=[monitor.DiagnosticsMetricSettingsArgs(category="Transaction", enabled=True)],
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
        self.register_outputs({"account_id": self.account.id, "account_name": self.account.name})


@dataclass
class SiteEntraAccessArgs:
    """Inputs of :class:`SiteEntraAccess`."""

    site_id: str
    groups: dict[str, str]  # inventory group name -> purpose
    egress: list[str]
    #: share name -> {group: read|change|full}: the highest permission a group has on any folder.
    share_permissions: dict[str, dict[str, str]]
    account_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    identity_mode: Literal["hybrid", "cloud_only"] = "hybrid"
    #: Defaults to False: the MFA policy only reports until the site's wave is live.
    enforce_mfa: bool = False


class SiteEntraAccess(pulumi.ComponentResource):
    groups: dict[str, azuread.Group]

    def __init__(self, name: str, args: SiteEntraAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteEntraAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.groups = {
            group: azuread.Group(
                f"{name}-group-{group}",
                display_name=f"cutover-{args.site_id}-{group}",
                description=purpose,
                security_enabled=True,
                mail_enabled=False,
                prevent_duplicate_names=True,
                opts=child,
            )
            for group, purpose in args.groups.items()
        }
        self.role_assignments: list[authorization.RoleAssignment] = []
        if args.identity_mode == "hybrid":
            for share, grants in sorted(args.share_permissions.items()):
                for group, level in sorted(grants.items()):
                    role = SMB_ROLES[level]
                    self.role_assignments.append(authorization.RoleAssignment(
                        f"{name}-rbac-{share}-{group}",
                        role_assignment_name=stable_guid(args.site_id, share, group, role),
                        principal_id=self.groups[group].object_id,
                        principal_type="Group",
                        role_definition_id=pulumi.Output.from_input(args.subscription_id).apply(
                            lambda sub, role=role: f"/subscriptions/{sub}/providers/Microsoft.Authorization/"
                                                   f"roleDefinitions/{role}"),
                        scope=pulumi.Output.from_input(args.account_id).apply(
                            lambda account_id, share=share: f"{account_id}/fileServices/default/fileshares/{share}"),
                        description=f"cutover: {group} {level} on share {share}",
                        opts=child,
                    ))
        ranges = [ip if "/" in ip else f"{ip}/32" for ip in args.egress]
        self.location = azuread.NamedLocation(
            f"{name}-offices",
            display_name=f"cutover-{args.site_id}-offices",
            ip=azuread.NamedLocationIpArgs(ip_ranges=ranges, trusted=True),
            opts=child,
        )
        self.mfa_policy = azuread.ConditionalAccessPolicy(
            f"{name}-mfa-outside-offices",
            display_name=f"cutover-{args.site_id}-mfa-outside-offices",
            state="enabled" if args.enforce_mfa else "enabledForReportingButNotEnforced",
            conditions=azuread.ConditionalAccessPolicyConditionsArgs(
                client_app_types=["all"],
                applications=azuread.ConditionalAccessPolicyConditionsApplicationsArgs(included_applications=["All"]),
                users=azuread.ConditionalAccessPolicyConditionsUsersArgs(
                    included_groups=[g.object_id for g in self.groups.values()]),
                locations=azuread.ConditionalAccessPolicyConditionsLocationsArgs(
                    included_locations=["All"], excluded_locations=[self.location.object_id]),
            ),
            grant_controls=azuread.ConditionalAccessPolicyGrantControlsArgs(operator="OR",
                                                                             built_in_controls=["mfa"]),
            opts=child,
        )
        self.register_outputs({})


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


@dataclass
class SiteBackupArgs:
    """Inputs of :class:`SiteBackup` (the vault lives in the core stack)."""

    site_id: str
    vault_name: pulumi.Input[str]
    vault_resource_group: pulumi.Input[str]
    account_id: pulumi.Input[str]
    account_name: str
    account_resource_group: str
    shares: list[str]
    daily_time: str = "22:00"  # Tokyo time
    retention_days: int = 30
    snapshot_retention_days: int = 7


class SiteBackup(pulumi.ComponentResource):
    def __init__(self, name: str, args: SiteBackupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteBackup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        run_time = f"2027-01-01T{args.daily_time}:00Z"  # only the time of day counts (time_zone below)
        self.policy = recoveryservices.ProtectionPolicy(
            f"{name}-policy",
            policy_name=f"cutover-files-{args.site_id}",
            vault_name=args.vault_name,
            resource_group_name=args.vault_resource_group,
            properties=recoveryservices.AzureFileShareProtectionPolicyArgs(
                backup_management_type="AzureStorage",
                work_load_type="AzureFileShare",
                time_zone="Tokyo Standard Time",
                schedule_policy=recoveryservices.SimpleSchedulePolicyArgs(
                    schedule_policy_type="SimpleSchedulePolicy",
                    schedule_run_frequency="Daily",
                    schedule_run_times=[run_time],
                ),
                retention_policy=recoveryservices.LongTermRetentionPolicyArgs(
                    retention_policy_type="LongTermRetentionPolicy",
                    daily_schedule=recoveryservices.DailyRetentionScheduleArgs(
                        retention_times=[run_time],
                        retention_duration=recoveryservices.RetentionDurationArgs(count=args.retention_days,
                                                                                  duration_type="Days"),
                    ),
                ),
            ),
            opts=child,
        )
        container_name = f"StorageContainer;Storage;{args.account_resource_group};{args.account_name}"
        self.container = recoveryservices.ProtectionContainer(
            f"{name}-container",
            container_name=container_name,
            fabric_name="Azure",
            vault_name=args.vault_name,
            resource_group_name=args.vault_resource_group,
            properties=recoveryservices.AzureStorageContainerArgs(
                container_type="StorageContainer",
                backup_management_type="AzureStorage",
                source_resource_id=args.account_id,
                friendly_name=args.account_name,
                acquire_storage_account_lock="Acquire",
            ),
            opts=child,
        )
        # UNCONFIRMED (reference): the item name may need to be the protectable item's system name
        # rather than AzureFileShare;<share>. Verify on the first real `pulumi up` of the pilot.
        self.items = {
            share: recoveryservices.ProtectedItem(
                f"{name}-item-{share}",
                protected_item_name=f"AzureFileShare;{share}",
                container_name=container_name,
                fabric_name="Azure",
                vault_name=args.vault_name,
                resource_group_name=args.vault_resource_group,
                properties=recoveryservices.AzureFileshareProtectedItemArgs(
                    protected_item_type="AzureFileShareProtectedItem",
                    policy_id=self.policy.id,
                    source_resource_id=args.account_id,
                    friendly_name=share,
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.container]),
            )
            for share in args.shares
        }
        self.register_outputs({"policy_id": self.policy.id})


@dataclass
class SiteStorageMoverArgs:
    """Inputs of :class:`SiteStorageMover`: the managed alternative to robocopy passes."""

    site_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    account_id: pulumi.Input[str]
    #: share name -> legacy UNC path (\\\\server\\smb_share\\sub\\path)
    shares: dict[str, str]
    #: Key Vault holding the SMB credentials of the data-center share (secret URIs are derived from it).
    key_vault_uri: str
    #: Name of the Storage Mover agent registered (Azure Arc) near the file server; registration is manual.
    agent_name: str


class SiteStorageMover(pulumi.ComponentResource):
    def __init__(self, name: str, args: SiteStorageMoverArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cutover:cloud:SiteStorageMover", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        mover_name = f"sm-files-{args.site_id}"
        self.mover = storagemover.StorageMover(f"{name}-mover", storage_mover_name=mover_name,
                                               resource_group_name=args.resource_group_name, location=args.location,
                                               description=f"cutover: data-center shares of {args.site_id}",
                                               opts=child)
        self.project = storagemover.Project(f"{name}-project", project_name="cutover-migration",
                                            storage_mover_name=self.mover.name,
                                            resource_group_name=args.resource_group_name, opts=child)
        secret = f"{args.key_vault_uri.rstrip('/')}/secrets/{args.site_id}-dc-smb"
        self.jobs = {}
        for share, unc in sorted(args.shares.items()):
            server, smb_share, *subpath = unc.strip("\\").split("\\")
            source = storagemover.Endpoint(
                f"{name}-source-{share}", endpoint_name=f"dc-{share}", storage_mover_name=self.mover.name,
                resource_group_name=args.resource_group_name,
                properties=storagemover.SmbMountEndpointPropertiesArgs(
                    endpoint_type="SmbMount", host=server.lower(), share_name=smb_share,
                    credentials=storagemover.AzureKeyVaultSmbCredentialsArgs(
                        type="AzureKeyVaultSmb", username_uri=f"{secret}-username", password_uri=f"{secret}-password"),
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
                f"{name}-job-{share}", job_definition_name=f"mirror-{share}", project_name=self.project.name,
                storage_mover_name=self.mover.name, resource_group_name=args.resource_group_name,
                copy_mode="Mirror", agent_name=args.agent_name, source_name=source.name, target_name=target.name,
                source_subpath="/".join(subpath) or None,
                description=f"cutover: mirror {unc} to the Azure file share {share} (run per pass)",
                opts=child)
        self.register_outputs({})

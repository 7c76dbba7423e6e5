"""The two Pulumi programs: ``core`` (national shared pieces) and one per site.

Both are plain functions that declare resources and return their stack outputs, so the same code runs
under ``pulumi up`` (see ``pulumi/__main__.py``) and under the Azure double (``cutover plan``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_azuread as azuread
from pulumi_azure_native import authorization, keyvault, operationalinsights, recoveryservices, resources

from cutover import naming, smb
from cutover import sites as site_names
from cutover.cloud import manual_steps
from cutover.cloud.components import (
    DiagnosticSettingsArgs,
    LockArgs,
    ShareSpec,
    SiteBackup,
    SiteBackupArgs,
    SiteEntraAccess,
    SiteEntraAccessArgs,
    SiteFileShare,
    SiteFileShareArgs,
    SiteFileSync,
    SiteFileSyncArgs,
    SiteStorageMover,
    SiteStorageMoverArgs,
    share_level_permissions,
)
from cutover.inventory import Inventory, Site
from cutover.inventory.model import Organisation

CORE_STACK = naming.CORE

#: (subscription id, vault resource group, vault name, storage account id) -> the backup container name
#: Azure's discovery returns (cutover.cloud.discovery for real runs, the Azure double offline).
DiscoverContainer = Callable[[str, str, str, str], str]


@dataclass(frozen=True)
class StackSettings:
    """What a program needs besides the inventory (from stack config, or from the plan command)."""

    stack: str
    as_of: dt.date  # waivers, time boxes and policy states are judged on this date
    discover_container: DiscoverContainer
    core_stack_ref: str = f"organization/{naming.PROJECT}/{CORE_STACK}"  # DIY backends: literal "organization"


def core_program(inventory: Inventory, settings: StackSettings) -> dict[str, Any]:
    org = inventory.organisation
    location = org.azure_location
    tags = naming.tags(CORE_STACK, "-", "CC-CORE")
    client = authorization.get_client_config_output()
    group = resources.ResourceGroup("core-rg", resource_group_name=naming.resource_group(CORE_STACK, location),
                                    location=location, tags=tags)
    workspace = operationalinsights.Workspace(
        "core-workspace",
        workspace_name=naming.workspace(location),
        resource_group_name=group.name,
        location=location,
        sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
        retention_in_days=365,
        features=operationalinsights.WorkspaceFeaturesArgs(disable_local_auth=True,
                                                           enable_log_access_using_only_resource_permissions=True),
        tags=tags,
        opts=pulumi.ResourceOptions(protect=True),
    )
    vault = recoveryservices.Vault(
        "core-vault",
        vault_name=naming.vault(location),
        resource_group_name=group.name,
        location=location,
        sku=recoveryservices.SkuArgs(name=recoveryservices.SkuName.STANDARD),
        properties=recoveryservices.VaultPropertiesArgs(
            public_network_access=recoveryservices.PublicNetworkAccess.ENABLED,
            redundancy_settings=recoveryservices.VaultPropertiesRedundancySettingsArgs(
                standard_tier_storage_redundancy=recoveryservices.StandardTierStorageRedundancy.GEO_REDUNDANT,
                cross_region_restore=recoveryservices.CrossRegionRestore.ENABLED),
            security_settings=recoveryservices.SecuritySettingsArgs(
                # Backups must survive an admin-level attacker: soft delete cannot be switched off and
                # immutability is on (Unlocked; locking it is irreversible and left to a decision).
                soft_delete_settings=recoveryservices.SoftDeleteSettingsArgs(
                    soft_delete_state=recoveryservices.SoftDeleteState.ALWAYS_ON,
                    soft_delete_retention_period_in_days=14,
                    enhanced_security_state=recoveryservices.EnhancedSecurityState.ALWAYS_ON),
                immutability_settings=recoveryservices.ImmutabilitySettingsArgs(
                    state=recoveryservices.ImmutabilityState.UNLOCKED),
            ),
        ),
        tags=tags,
        opts=pulumi.ResourceOptions(protect=True),
    )
    lock = LockArgs(notes="Backups of every site live here (cutover).")
    authorization.ManagementLockByScope("core-vault-lock", lock_name=lock.name, level=lock.kind, scope=vault.id,
                                        notes=lock.notes)
    key_vault_name = naming.key_vault(location, org.mail_domain)
    datacenter_egress = list(org.datacenter.egress) if org.datacenter else []
    key_vault = keyvault.Vault(
        "core-key-vault",
        vault_name=key_vault_name,
        resource_group_name=group.name,
        location=location,
        properties=keyvault.VaultPropertiesArgs(
            tenant_id=client.tenant_id,
            sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD),
            enable_rbac_authorization=True,
            enable_soft_delete=True,
            soft_delete_retention_in_days=90,
            enable_purge_protection=True,
            public_network_access="Enabled",
            network_acls=keyvault.NetworkRuleSetArgs(
                default_action="Deny", bypass="AzureServices",
                ip_rules=[keyvault.IPRuleArgs(value=ip) for ip in datacenter_egress]),
        ),
        tags=tags,
        opts=pulumi.ResourceOptions(protect=True),
    )
    authorization.ManagementLockByScope("core-key-vault-lock", lock_name=lock.name, level=lock.kind,
                                        scope=key_vault.id, notes="Migration credentials (cutover).")
    admins = azuread.Group("core-group-platform-admins", display_name=naming.PLATFORM_ADMINS,
                           description="Platform engineers who deploy the cutover stacks",
                           security_enabled=True, mail_enabled=False, prevent_duplicate_names=True)
    auditors = azuread.Group("core-group-auditors", display_name=naming.AUDITORS,
                             description="Auditors: read-only access to reports and logs",
                             security_enabled=True, mail_enabled=False, prevent_duplicate_names=True)
    azuread.ConditionalAccessPolicy(
        "core-block-legacy-auth",
        display_name=naming.LEGACY_AUTH_POLICY,
        state=legacy_auth_state(org, settings.as_of),
        conditions=azuread.ConditionalAccessPolicyConditionsArgs(
            client_app_types=["exchangeActiveSync", "other"],
            applications=azuread.ConditionalAccessPolicyConditionsApplicationsArgs(included_applications=["All"]),
            users=azuread.ConditionalAccessPolicyConditionsUsersArgs(
                included_users=["All"], excluded_users=[b.object_id for b in org.break_glass_accounts]),
        ),
        grant_controls=azuread.ConditionalAccessPolicyGrantControlsArgs(operator="OR", built_in_controls=["block"]),
    )
    return {
        "location": location,
        "resource_group": group.name,
        "workspace_id": workspace.id,
        "vault_name": vault.name,
        "vault_id": vault.id,
        "key_vault_name": key_vault.name,
        "key_vault_uri": key_vault.name.apply(naming.key_vault_uri),
        "platform_admins_group_id": admins.object_id,
        "auditors_group_id": auditors.object_id,
        "legacy_auth_state": legacy_auth_state(org, settings.as_of),
        "manual_steps": [],
    }


def legacy_auth_state(org: Organisation, as_of: dt.date) -> str:
    """Report-only before ``legacy_auth_block_from``, enforced from that date (never set: report-only)."""
    start = org.legacy_auth_block_from
    return "enabled" if start is not None and as_of >= start else "enabledForReportingButNotEnforced"


def firewall_egress(site: Site, org: Organisation, as_of: dt.date) -> list[str]:
    """The storage firewall's IP rules: office egress (never a shared IPv4) and the data center until its date."""
    egress = [ip for office in site.config.offices if not office.shared_ipv4 for ip in office.egress]
    if org.datacenter and datacenter_open(site, as_of):
        egress += [ip for ip in org.datacenter.egress if ip not in egress]
    return egress


def datacenter_open(site: Site, as_of: dt.date) -> bool:
    until = site.config.datacenter_access_until
    return until is not None and as_of <= until


def site_program(inventory: Inventory, site: Site, settings: StackSettings) -> dict[str, Any]:
    org = inventory.organisation
    cfg = site.config
    location = org.azure_location
    wave = org.wave(cfg.wave)
    account_name = naming.storage_account(site.id, location, org.mail_domain)
    tags = naming.tags(site.id, cfg.wave, cfg.cost_centre)
    active = {(w.policy, w.scope) for w in site.active_waivers(settings.as_of)}
    backed_up = [s.name for s in cfg.file_shares if ("files-backup-every-share", s.name) not in active]
    egress = firewall_egress(site, org, settings.as_of)
    ciphers = smb.channel_encryption((e.build_number for e in site.endpoints), org.windows10_deadline,
                                     settings.as_of)
    core = pulumi.StackReference(settings.core_stack_ref)
    client = authorization.get_client_config_output()
    group = resources.ResourceGroup(f"{site.id}-rg", resource_group_name=naming.resource_group(site.id, location),
                                    location=location, tags=tags)
    directory = ((org.active_directory.domain_name, org.active_directory.domain_guid)
                 if org.active_directory else None)
    files = SiteFileShare(site.id, SiteFileShareArgs(
        account_name=account_name,
        resource_group_name=group.name,
        location=location,
        egress=egress,
        shares=[ShareSpec(s.name, s.quota_gib) for s in cfg.file_shares],
        diagnostic_settings=DiagnosticSettingsArgs(workspace_id=core.require_output("workspace_id")),
        tags=tags,
        identity_mode=cfg.identity_mode,
        active_directory=directory,
        channel_encryption=ciphers,
        # Vaulted Azure Files backup needs account-key access (support matrix, docs/cloud.md); keys then
        # expire after 90 days and SAS tokens after an hour. Not a waiver: backup is never switched off.
        allow_shared_key=bool(backed_up),
        allow_ntlmv2=("files-ntlmv2-disabled", None) in active,
    ))
    permissions = share_level_permissions(
        {s.name: [dict(f.permissions) for f in s.folders] for s in cfg.file_shares})
    copy_group = (org.datacenter.copy_group if org.datacenter and datacenter_open(site, settings.as_of)
                  and cfg.migration_method == "robocopy" else None)
    SiteEntraAccess(f"{site.id}-entra", SiteEntraAccessArgs(
        site_id=site.id,
        groups={g.name: (g.purpose, g.ad_group) for g in cfg.groups},
        egress=[ip for o in cfg.offices if not o.shared_ipv4 for ip in o.egress],
        share_permissions=permissions,
        account_id=files.account_id,
        account_name=files.account_name,
        shares=dict(files.shares),
        subscription_id=client.subscription_id,
        identity_mode=cfg.identity_mode,
        enforce_mfa=bool(wave and wave.live),
        break_glass_ids=[b.object_id for b in org.break_glass_accounts],
        copy_group=copy_group,
    ))
    if backed_up:
        vault_rg, vault_name = core.require_output("resource_group"), core.require_output("vault_name")
        container = pulumi.Output.all(client.subscription_id, vault_rg, vault_name, files.account_id).apply(
            lambda values: settings.discover_container(*values))
        SiteBackup(f"{site.id}-backup", SiteBackupArgs(
            site_id=site.id, vault_name=vault_name, vault_resource_group=vault_rg, account_id=files.account_id,
            container_name=container, shares={n: files.shares[n] for n in backed_up}, tier=cfg.backup.tier,
            daily_time=cfg.backup.daily_time, retention_days=cfg.backup.retention_days,
            snapshot_retention_days=cfg.backup.snapshot_retention_days,
        ))
    steps = manual_steps.for_site(site.id, account_name, cfg.identity_mode)
    if cfg.migration_method == "storage_mover":
        agent = naming.mover_agent(site.id)
        key_vault_uri = core.require_output("key_vault_uri")
        SiteStorageMover(f"{site.id}-mover", SiteStorageMoverArgs(
            site_id=site.id, resource_group_name=group.name, location=location, account_id=files.account_id,
            shares={s.name: s.legacy_unc for s in cfg.file_shares if s.legacy_unc},
            key_vault_uri=key_vault_uri, agent_name=agent, tags=tags),
            opts=pulumi.ResourceOptions(depends_on=list(files.shares.values())))
        steps += manual_steps.for_storage_mover(site.id, agent,
                                                naming.key_vault_uri(naming.key_vault(location, org.mail_domain)))
    if cfg.file_sync:
        SiteFileSync(f"{site.id}-sync", SiteFileSyncArgs(
            site_id=site.id, resource_group_name=group.name, location=location, account_id=files.account_id,
            shares=dict(files.shares), tenant_id=client.tenant_id, tags=tags))
        steps += manual_steps.for_file_sync(site.id, cfg.file_sync.server, cfg.file_sync.office,
                                            [s.name for s in cfg.file_shares], cfg.file_sync.path)
    steps += manual_steps.for_offices(cfg.offices, cfg.file_sync)
    until = cfg.datacenter_access_until
    return {
        "site": site.id,
        "wave": cfg.wave,
        "migration_method": cfg.migration_method,
        "identity_mode": cfg.identity_mode,
        "storage_account": account_name,
        "storage_account_id": files.account_id,
        "file_endpoint": naming.file_endpoint(account_name),
        "shares": {s.name: {"quota_gib": s.quota_gib, "unc": naming.unc(account_name, s.name)}
                   for s in cfg.file_shares},
        "egress": egress,
        "datacenter_access_until": until.isoformat() if until else None,
        "smb_channel_encryption": ciphers,
        "backup_tier": cfg.backup.tier,
        "backed_up_shares": backed_up,
        "file_sync_server": cfg.file_sync.server if cfg.file_sync else None,
        "waivers": [
            {"policy": w.policy, "scope": w.scope, "reason": w.reason, "expires": w.expires.isoformat(),
             "approved_by": w.approved_by, "active": w.expires >= settings.as_of}
            for w in cfg.waivers
        ],
        "directory_acl_plan": directory_acl_plan(site),
        "manual_steps": steps,
    }


def directory_acl_plan(site: Site) -> list[dict[str, Any]]:
    """Folder ACLs per share: what the directory ACLs must say (both modes; the only separation for cloud_only)."""
    ntfs = {"read": "ReadAndExecute", "change": "Modify", "full": "FullControl"}
    hybrid = site.config.identity_mode == "hybrid"
    names = {g.name: (g.ad_group if hybrid and g.ad_group else naming.entra_group(site.id, g.name))
             for g in site.config.groups}
    plan = []
    for share in site.config.file_shares:
        for folder in share.folders:
            plan.append({
                "share": share.name,
                "folder": folder.name,
                "inheritance": "disabled at this folder; entries apply to subfolders and files",
                "entries": [{"group": names.get(g, naming.entra_group(site.id, g)), "rights": ntfs[p]}
                            for g, p in sorted(folder.permissions.items())],
                "restricted_upload": folder.restricted_upload,
            })
    return plan


def run(inventory: Inventory, settings: StackSettings) -> dict[str, Any]:
    """Declare the stack named in ``settings`` and return its outputs."""
    if settings.stack == CORE_STACK:
        return core_program(inventory, settings)
    site_id = site_names.canonical_site_id(settings.stack)
    if site_id != settings.stack:
        raise ValueError(f"stack {settings.stack!r} is not a canonical site id (did you mean {site_id}?)")
    if site_id not in inventory.sites:
        raise ValueError(f"stack {settings.stack} has no site in the inventory {inventory.root}")
    return site_program(inventory, inventory.sites[site_id], settings)

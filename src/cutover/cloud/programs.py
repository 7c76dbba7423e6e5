"""The two Pulumi programs: ``core`` (national shared pieces) and one per site.

Both are plain functions that declare resources and return their stack outputs, so the same code runs
under ``pulumi up`` (see ``pulumi/__main__.py``) and under the SDK's mocks (``cutover plan``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_azuread as azuread
from pulumi_azure_native import authorization, operationalinsights, recoveryservices, resources

from cutover import sites as site_names
from cutover.cloud import manual_steps, naming, waivers
from cutover.cloud.components import (
    ShareSpec,
    SiteBackup,
    SiteBackupArgs,
    SiteEntraAccess,
    SiteEntraAccessArgs,
    SiteFileShare,
    SiteFileShareArgs,
    SiteStorageMover,
    SiteStorageMoverArgs,
    share_level_permissions,
)
from cutover.inventory import Inventory, Site

CORE_STACK = naming.CORE
MANAGED_BY = "cutover"


@dataclass(frozen=True)
class StackSettings:
    """What a program needs besides the inventory (from stack config, or from the plan command)."""

    stack: str
    as_of: dt.date  # waivers are judged on this date
    core_stack_ref: str = f"organization/cutover/{CORE_STACK}"  # DIY backends use the literal "organization"


def core_program(inventory: Inventory, settings: StackSettings) -> dict[str, Any]:
    location = inventory.organisation.azure_location
    tags = {"cutover-site": "core", "managed-by": MANAGED_BY, "cost-centre": "CC-CORE"}
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
        sku=recoveryservices.SkuArgs(name="Standard"),
        properties=recoveryservices.VaultPropertiesArgs(
            public_network_access="Enabled",
            redundancy_settings=recoveryservices.VaultPropertiesRedundancySettingsArgs(
                standard_tier_storage_redundancy="GeoRedundant", cross_region_restore="Enabled"),
            security_settings=recoveryservices.SecuritySettingsArgs(
                # Backups must survive an admin-level attacker: soft delete cannot be switched off and
                # immutability is on (Unlocked; locking it is irreversible and left to a decision).
                soft_delete_settings=recoveryservices.SoftDeleteSettingsArgs(
                    soft_delete_state="AlwaysON", soft_delete_retention_period_in_days=14,
                    enhanced_security_state="AlwaysON"),
                immutability_settings=recoveryservices.ImmutabilitySettingsArgs(state="Unlocked"),
            ),
        ),
        tags=tags,
        opts=pulumi.ResourceOptions(protect=True),
    )
    authorization.ManagementLockByScope("core-vault-lock", lock_name="cutover-no-delete", level="CanNotDelete",
                                        scope=vault.id, notes="Backups of every site live here (cutover).")
    admins = azuread.Group("core-group-platform-admins", display_name="cutover-platform-admins",
                           description="Platform engineers who deploy the cutover stacks",
                           security_enabled=True, mail_enabled=False, prevent_duplicate_names=True)
    auditors = azuread.Group("core-group-auditors", display_name="cutover-auditors",
                             description="Auditors: read-only access to reports and logs",
                             security_enabled=True, mail_enabled=False, prevent_duplicate_names=True)
    azuread.ConditionalAccessPolicy(
        "core-block-legacy-auth",
        display_name="cutover-baseline-block-legacy-authentication",
        state="enabledForReportingButNotEnforced",
        conditions=azuread.ConditionalAccessPolicyConditionsArgs(
            client_app_types=["exchangeActiveSync", "other"],
            applications=azuread.ConditionalAccessPolicyConditionsApplicationsArgs(included_applications=["All"]),
            users=azuread.ConditionalAccessPolicyConditionsUsersArgs(included_users=["All"]),
        ),
        grant_controls=azuread.ConditionalAccessPolicyGrantControlsArgs(operator="OR", built_in_controls=["block"]),
    )
    return {
        "location": location,
        "resource_group": group.name,
        "workspace_id": workspace.id,
        "vault_name": vault.name,
        "vault_id": vault.id,
        "platform_admins_group_id": admins.object_id,
        "auditors_group_id": auditors.object_id,
        "manual_steps": [],
    }


def site_program(inventory: Inventory, site: Site, settings: StackSettings) -> dict[str, Any]:
    org = inventory.organisation
    cfg = site.config
    location = org.azure_location
    wave = org.wave(cfg.wave)
    account_name = naming.storage_account(site.id, location, org.mail_domain)
    tags = {
        "cutover-site": site.id,
        "cutover-wave": str(cfg.wave),
        "managed-by": MANAGED_BY,
        "cost-centre": cfg.cost_centre,
    }
    if cfg.waivers:
        tags[waivers.TAG] = waivers.to_tag(list(cfg.waivers))
    active = {(w.policy, w.scope) for w in site.active_waivers(settings.as_of)}
    shared_key = ("storage-shared-key-disabled", None) in active
    ntlmv2 = ("files-ntlmv2-disabled", None) in active

    core = pulumi.StackReference(settings.core_stack_ref)
    rg_name = naming.resource_group(site.id, location)
    group = resources.ResourceGroup(f"{site.id}-rg", resource_group_name=rg_name, location=location, tags=tags)
    egress = [ip for office in cfg.offices for ip in office.egress]
    files = SiteFileShare(site.id, SiteFileShareArgs(
        site_id=site.id,
        account_name=account_name,
        resource_group_name=group.name,
        location=location,
        egress=egress,
        shares=[ShareSpec(s.name, s.quota_gib) for s in cfg.file_shares],
        workspace_id=core.require_output("workspace_id"),
        tags=tags,
        identity_mode=cfg.identity_mode,
        allow_shared_key=shared_key,
        allow_ntlmv2=ntlmv2,
    ))
    client = authorization.get_client_config_output()
    permissions = share_level_permissions(
        {s.name: [dict(f.permissions) for f in s.folders] for s in cfg.file_shares})
    SiteEntraAccess(f"{site.id}-entra", SiteEntraAccessArgs(
        site_id=site.id,
        groups={g.name: g.purpose for g in cfg.groups},
        egress=egress,
        share_permissions=permissions,
        account_id=files.account.id,
        subscription_id=client.subscription_id,
        identity_mode=cfg.identity_mode,
        enforce_mfa=bool(wave and wave.live),
    ))
    backed_up = []
    if shared_key:  # Azure Files backup needs account-key access (backup support matrix)
        backed_up = [s.name for s in cfg.file_shares
                     if ("files-backup-every-share", s.name) not in active]
        if backed_up:
            SiteBackup(f"{site.id}-backup", SiteBackupArgs(
                site_id=site.id,
                vault_name=core.require_output("vault_name"),
                vault_resource_group=core.require_output("resource_group"),
                account_id=files.account.id,
                account_name=account_name,
                account_resource_group=rg_name,
                shares=backed_up,
                daily_time=cfg.backup.daily_time,
                retention_days=cfg.backup.retention_days,
                snapshot_retention_days=cfg.backup.snapshot_retention_days,
            ), opts=pulumi.ResourceOptions(depends_on=list(files.shares.values())))
    steps = manual_steps.for_site(site.id, account_name, cfg.identity_mode)
    if cfg.migration_method == "storage_mover":
        vault_uri = f"https://kv-files-core-{naming.region_short(location)}.vault.azure.net"
        agent = f"agent-{site.id}"
        SiteStorageMover(f"{site.id}-mover", SiteStorageMoverArgs(
            site_id=site.id, resource_group_name=group.name, location=location, account_id=files.account.id,
            shares={s.name: s.legacy_unc for s in cfg.file_shares if s.legacy_unc},
            key_vault_uri=vault_uri, agent_name=agent),
            opts=pulumi.ResourceOptions(depends_on=list(files.shares.values())))
        steps += manual_steps.for_storage_mover(site.id, agent, vault_uri)
    return {
        "site": site.id,
        "wave": cfg.wave,
        "migration_method": cfg.migration_method,
        "identity_mode": cfg.identity_mode,
        "storage_account": account_name,
        "storage_account_id": files.account.id,
        "file_endpoint": f"{account_name}.file.core.windows.net",
        "shares": {s.name: {"quota_gib": s.quota_gib,
                            "unc": rf"\\{account_name}.file.core.windows.net\{s.name}"} for s in cfg.file_shares},
        "egress": egress,
        "backed_up_shares": backed_up,
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
    plan = []
    for share in site.config.file_shares:
        for folder in share.folders:
            plan.append({
                "share": share.name,
                "folder": folder.name,
                "inheritance": "disabled at this folder; entries apply to subfolders and files",
                "entries": [{"group": f"cutover-{site.id}-{g}", "rights": ntfs[p]}
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

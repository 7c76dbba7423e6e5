"""The eight semantic breakages of issue #13: each one makes a test here fail.

The expected values are Microsoft's (role GUIDs from the built-in roles page, the container name
discovery returns, the firewall's semantics), not copies of the code under test.
"""

from __future__ import annotations

import pytest

from cutover.cloud import azure_model, offline
from cutover.cloud.policies import BACKUP_POLICY, CA, ITEM, ROLE, RSV, SA, SHARE
from tests.cloud.conftest import AS_OF, only

# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage
READER = "aba4ae5f-2193-4029-9191-0cb91df5e314"  # Storage File Data SMB Share Reader
CONTRIBUTOR = "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb"  # Storage File Data SMB Share Contributor
ELEVATED = "a7264617-510b-434b-a828-9731dc254ea7"  # Storage File Data SMB Share Elevated Contributor
LEVEL_ROLE = {"read": READER, "change": CONTRIBUTOR, "full": ELEVATED}


def _daily(props):
    retention = (props.get("vaultRetentionPolicy") or {}).get("vaultRetention") or props.get("retentionPolicy")
    return retention["dailySchedule"]["retentionDuration"]["count"]


def test_1_backup_retention_is_the_inventorys(plans, planned_sites):
    for site in planned_sites:
        props = only(plans[site.id], BACKUP_POLICY).inputs["properties"]
        assert _daily(props) == site.config.backup.retention_days, site.id
        assert props["vaultRetentionPolicy"]["snapshotRetentionInDays"] == site.config.backup.snapshot_retention_days


def test_2_protected_items_name_the_share_and_azure_answers_with_the_system_name(plans, planned_sites):
    for site in planned_sites:
        plan = plans[site.id]
        account = only(plan, SA).outputs["name"]
        shares = {s.urn: s.outputs["name"] for s in plan.by_type(SHARE)}
        items = plan.by_type(ITEM)
        assert len(items) == len(site.config.file_shares)
        for item in items:
            (share_urn,) = item.property_dependencies["protectedItemName"]
            assert item.inputs["protectedItemName"] == shares[share_urn]
            assert item.outputs["name"] == azure_model.system_name(account, shares[share_urn])


def test_2_a_made_up_protected_item_name_is_refused_like_azure(sample_inventory, monkeypatch):
    from cutover.cloud import components

    original = components.recoveryservices.ProtectedItem

    def garbage(name, **kwargs):
        return original(name, **{**kwargs, "protected_item_name": "AzureFileShare;shared"})

    monkeypatch.setattr(components.recoveryservices, "ProtectedItem", garbage)
    with pytest.raises(offline.PlanError, match="BMSUserErrorDataSourceObjectNotFound"):
        offline.plan_stacks(sample_inventory, ["pref-18-fukui"], AS_OF)


def test_3_every_office_reaches_its_account_through_the_firewall(plans, planned_sites):
    for site in planned_sites:
        account = only(plans[site.id], SA).outputs
        for office in site.config.offices:
            for egress in office.egress:
                first = egress.split("/")[0]
                assert azure_model.firewall_admits(account, first) is not office.shared_ipv4, (site.id, egress)
        assert not azure_model.firewall_admits(account, "192.0.2.7")  # nobody's egress


def test_4_share_roles_follow_the_highest_folder_permission(plans, planned_sites):
    for site in (s for s in planned_sites if s.config.identity_mode == "hybrid"):
        plan = plans[site.id]
        roles = {r.name.rsplit("-rbac-", 1)[1]: r.inputs["roleDefinitionId"].rsplit("/", 1)[1]
                 for r in plan.by_type(ROLE)}
        for share in site.config.file_shares:
            highest: dict[str, str] = {}
            for folder in share.folders:
                for group, level in folder.permissions.items():
                    if list(LEVEL_ROLE).index(level) >= list(LEVEL_ROLE).index(highest.get(group, "read")):
                        highest[group] = level
            for group, level in highest.items():
                assert roles[f"{share.name}-{group}"] == LEVEL_ROLE[level], (site.id, share.name, group)


def test_5_mfa_policy_excludes_the_offices_location(plans, planned_sites):
    for site in planned_sites:
        plan = plans[site.id]
        location = only(plan, "azuread:index/namedLocation:NamedLocation")
        policy = only(plan, CA)
        assert policy.inputs["conditions"]["locations"]["excludedLocations"] == [location.outputs["objectId"]]
        assert location.urn in policy.property_dependencies["conditions"]


def test_6_hybrid_sites_have_no_tenant_wide_share_permission(plans, planned_sites):
    for site in planned_sites:
        auth = only(plans[site.id], SA).inputs["azureFilesIdentityBasedAuthentication"]
        expected = "None" if site.config.identity_mode == "hybrid" else "StorageFileDataSmbShareContributor"
        assert auth["defaultSharePermission"] == expected, site.id


def test_7_backup_container_is_the_name_discovery_returns(plans, planned_sites):
    for site in planned_sites:
        plan = plans[site.id]
        account = only(plan, SA)
        container = only(plan, "azure-native:recoveryservices:ProtectionContainer")
        # Microsoft's REST guide: the name of the discovered container, never one built by the caller
        assert container.inputs["containerName"] == azure_model.discovered_container(account.outputs["id"])
        assert account.urn in container.property_dependencies["containerName"]


def test_7_a_built_container_name_is_refused(sample_inventory, monkeypatch):
    monkeypatch.setattr(offline, "discovered_container", lambda *args: "StorageContainer;storage;wrong;name")
    with pytest.raises(offline.PlanError, match="BMSUserErrorContainerNotFound"):
        offline.plan_stacks(sample_inventory, ["pref-18-fukui"], AS_OF)


def test_8_core_vault_is_geo_redundant_with_cross_region_restore(plans):
    vault = only(plans["core"], RSV).outputs["properties"]["redundancySettings"]
    assert vault == {"crossRegionRestore": "Enabled", "standardTierStorageRedundancy": "GeoRedundant"}
    assert {r.policy: r.status for r in plans["core"].policy_results}["backup-vault-protected"] == "pass"

"""The Azure double refuses what Azure refuses, at Azure's limits, and answers with Azure's ids.

Limits from Microsoft's documentation: storage account and share naming
(https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-shares--directories--files--and-metadata,
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules), share quota and
soft delete (https://learn.microsoft.com/azure/storage/files/storage-files-scale-targets,
https://learn.microsoft.com/azure/storage/files/storage-files-enable-soft-delete), the storage firewall's
IP rules (https://learn.microsoft.com/azure/storage/common/storage-network-security), Azure Files backup
retention (https://learn.microsoft.com/azure/backup/azure-file-share-support-matrix), tag values
(https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations).
"""

from __future__ import annotations

import pytest

from cutover.cloud import azure_model as az

SA = "azure-native:storage:StorageAccount"
FILES = "azure-native:storage:FileServiceProperties"
SHARE = "azure-native:storage:FileShare"
POLICY = "azure-native:recoveryservices:ProtectionPolicy"
CONTAINER = "azure-native:recoveryservices:ProtectionContainer"
ITEM = "azure-native:recoveryservices:ProtectedItem"
RSV = "azure-native:recoveryservices:Vault"
ROLE = "azure-native:authorization:RoleAssignment"
LOCATION = "azuread:index/namedLocation:NamedLocation"
CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy"
ACCOUNT_ID = f"/subscriptions/{az.SUBSCRIPTION}/resourceGroups/rg-files/providers/Microsoft.Storage/storageAccounts/st1"
READER = "/providers/Microsoft.Authorization/roleDefinitions/aba4ae5f-2193-4029-9191-0cb91df5e314"


def ip_rules(*values):
    return {"accountName": "stfiles01", "networkRuleSet": {"ipRules": [{"iPAddressOrRange": v} for v in values]}}


def smb(**settings):
    return {"protocolSettings": {"smb": settings}}


def vaulted(snapshot_days, daily):
    return {"properties": {"vaultRetentionPolicy": {
        "snapshotRetentionInDays": snapshot_days,
        "vaultRetention": {"dailySchedule": {"retentionDuration": {"count": daily}}}}}}


def snapshot_tier(daily):
    return {"properties": {"retentionPolicy": {"dailySchedule": {"retentionDuration": {"count": daily}}}}}


def redundancy(storage, crr):
    return {"properties": {"redundancySettings": {"standardTierStorageRedundancy": storage,
                                                  "crossRegionRestore": crr}}}


ACCEPTED = [
    (SA, {"accountName": "abc"}), (SA, {"accountName": "a" * 24}), (SA, {"accountName": "stfiles2028"}),
    (SA, ip_rules("203.0.113.9", "198.51.100.0/24", "192.0.2.0/30")),
    (FILES, smb(versions="SMB3.1.1", authenticationMethods="Kerberos", kerberosTicketEncryption="AES-256",
                channelEncryption="AES-128-GCM;AES-256-GCM")),
    (FILES, smb(versions="SMB2.1;SMB3.0;SMB3.1.1", authenticationMethods="NTLMv2;Kerberos",
                kerberosTicketEncryption="RC4-HMAC;AES-256", channelEncryption="AES-128-CCM")),
    (FILES, {"shareDeleteRetentionPolicy": {"days": 1}}), (FILES, {"shareDeleteRetentionPolicy": {"days": 365}}),
    (SHARE, {"shareName": "abc", "shareQuota": 1}), (SHARE, {"shareName": "a" * 63, "shareQuota": 102400}),
    (SHARE, {"shareName": "shared-2-archive"}),
    (POLICY, vaulted(1, 1)), (POLICY, vaulted(30, 9999)), (POLICY, snapshot_tier(1)), (POLICY, snapshot_tier(200)),
    (RSV, redundancy("GeoRedundant", "Enabled")), (RSV, redundancy("LocallyRedundant", "Disabled")),
    (ROLE, {"roleDefinitionId": READER, "principalType": "Group"}),
    (ROLE, {"roleDefinitionId": READER, "principalType": "ServicePrincipal"}),
    (LOCATION, {"ip": {"ipRanges": ["203.0.113.0/24", "198.0.0.0/8"]}}),
    (CA, {"state": "enabledForReportingButNotEnforced"}), (CA, {"state": "enabled"}), (CA, {"state": "disabled"}),
    (SA, {"accountName": "stfiles01", "tags": {"cost-centre": "x" * 256}}),
]

REFUSED = [
    (SA, {"accountName": "ab"}, "AccountNameInvalid: 'ab'"),
    (SA, {"accountName": "a" * 25}, "AccountNameInvalid"),
    (SA, {"accountName": "StFiles01"}, "AccountNameInvalid"),
    (SA, {"accountName": "st-files"}, "AccountNameInvalid"),
    (SA, ip_rules("203.0.113.8/31"), r"NetworkAclsValidationFailure: 203.0.113.8/31 \(IPv4 only; /31 and /32"),
    (SA, ip_rules("203.0.113.9/32"), "NetworkAclsValidationFailure: 203.0.113.9/32"),
    (SA, ip_rules("2001:db8::/64"), "NetworkAclsValidationFailure: 2001:db8::/64"),
    (SA, ip_rules("203.0.113.9", "10.1.2.0/24"), "NetworkAclsValidationFailure: 10.1.2.0/24 is a private range"),
    (SA, ip_rules("172.16.0.1"), "private range"), (SA, ip_rules("192.168.1.0/24"), "private range"),
    (SA, ip_rules("100.64.0.1"), "private range"), (SA, ip_rules("169.254.0.0/16"), "private range"),
    (FILES, smb(versions="SMB3.1.1;SMB1"), r"InvalidSmbSetting: versions 'SMB3.1.1;SMB1'"),
    (FILES, smb(versions=""), "InvalidSmbSetting: versions ''"),
    (FILES, smb(authenticationMethods="Kerberos;Basic"), "InvalidSmbSetting: authenticationMethods"),
    (FILES, smb(kerberosTicketEncryption="AES-128"), "InvalidSmbSetting: kerberosTicketEncryption"),
    (FILES, {"shareDeleteRetentionPolicy": {"days": 0}}, "days 0 is outside 1-365"),
    (FILES, {"shareDeleteRetentionPolicy": {"days": 366}}, "days 366 is outside 1-365"),
    (SHARE, {"shareName": "ab"}, "InvalidShareName: 'ab'"),
    (SHARE, {"shareName": "a" * 64}, "InvalidShareName"),
    (SHARE, {"shareName": "Shared"}, "InvalidShareName"),
    (SHARE, {"shareName": "-shared"}, "InvalidShareName"),
    (SHARE, {"shareName": "shared-"}, "InvalidShareName"),
    (SHARE, {"shareName": "sha--red"}, "InvalidShareName"),
    (SHARE, {"shareName": "shared", "shareQuota": 0}, "shareQuota 0 is outside 1-102400 GiB"),
    (SHARE, {"shareName": "shared", "shareQuota": 102401}, "shareQuota 102401 is outside"),
    (POLICY, vaulted(0, 30), "snapshotRetentionInDays 0: the vault tier keeps snapshots 1-30 days"),
    (POLICY, vaulted(31, 30), "snapshotRetentionInDays 31"),
    (POLICY, vaulted(7, 0), "daily retention 0: the vault tier keeps daily points 1-9999 days"),
    (POLICY, vaulted(7, 10000), "daily retention 10000: the vault tier"),
    (POLICY, snapshot_tier(0), "daily retention 0: the snapshot tier keeps daily points 1-200 days"),
    (POLICY, snapshot_tier(201), "daily retention 201: the snapshot tier"),
    (RSV, redundancy("LocallyRedundant", "Enabled"), "cross-region restore needs geo-redundant vault storage"),
    (ROLE, {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/Reader"},
     "RoleDefinitionDoesNotExist: .*/Reader"),
    (ROLE, {"roleDefinitionId": READER, "principalType": "Team"}, "principalType 'Team' is not valid"),
    (LOCATION, {"ip": {"ipRanges": ["203.0.113.9"]}}, "named location range '203.0.113.9'"),
    (LOCATION, {"ip": {"ipRanges": ["198.0.0.0/7"]}}, "CIDR prefixes of /8 or longer only"),
    (CA, {"state": "on"}, "conditional access state 'on' is not valid"),
    (SA, {"accountName": "stfiles01", "tags": {"cost-centre": "x" * 257}},
     "tag cost-centre: values are at most 256 characters \\(got 257\\)"),
]


@pytest.mark.parametrize(("type_token", "inputs"), ACCEPTED)
def test_what_azure_accepts_passes(type_token, inputs):
    az.refuse(type_token, inputs, az.World())


@pytest.mark.parametrize(("type_token", "inputs", "reason"), REFUSED)
def test_what_azure_refuses_is_refused_with_its_reason(type_token, inputs, reason):
    with pytest.raises(az.AzureRefusal, match=reason):
        az.refuse(type_token, inputs, az.World())


def test_unknown_values_are_judged_after_up_not_refused_in_preview():
    az.refuse(SA, {"accountName": az.UNKNOWN, **ip_rules(az.UNKNOWN)}, az.World())
    az.refuse(SHARE, {"shareName": az.UNKNOWN, "shareQuota": az.UNKNOWN}, az.World())
    az.refuse(FILES, smb(versions=az.UNKNOWN), az.World())


def test_backup_registration_follows_azures_order():
    world = az.World()
    container = az.discovered_container(ACCOUNT_ID)
    assert container == "StorageContainer;Storage;rg-files;st1"
    item = {"containerName": container, "protectedItemName": "shared",
            "properties": {"protectedItemType": "AzureFileShareProtectedItem", "sourceResourceId": ACCOUNT_ID}}
    with pytest.raises(az.AzureRefusal, match=r"BMSUserErrorContainerNotFound: .* is not registered in the vault"):
        az.refuse(ITEM, item, world)  # before the container is registered
    registration = {"containerName": container, "properties": {
        "sourceResourceId": ACCOUNT_ID, "backupManagementType": "AzureStorage", "containerType": "StorageContainer"}}
    wrong_type = {**registration, "properties": {**registration["properties"], "backupManagementType": "AzureIaasVM"}}
    with pytest.raises(az.AzureRefusal, match="needs backupManagementType AzureStorage"):
        az.refuse(CONTAINER, wrong_type, world)
    with pytest.raises(az.AzureRefusal, match="is not what discovery returns for st1"):
        az.refuse(CONTAINER, {**registration, "containerName": "storagecontainer;storage;rg-files;st1"}, world)
    az.refuse(CONTAINER, registration, world)
    with pytest.raises(az.AzureRefusal, match="BMSUserErrorDataSourceObjectNotFound: no protectable file share"):
        az.refuse(ITEM, item, world)  # the share does not exist yet
    az.refuse(SHARE, {"accountName": "st1", "shareName": "shared"}, world)
    az.refuse(ITEM, item, world)
    with pytest.raises(az.AzureRefusal, match="protectedItemType must be AzureFileShareProtectedItem"):
        az.refuse(ITEM, {**item, "properties": {**item["properties"], "protectedItemType": "AzureVmWorkloadItem"}},
                  world)
    with pytest.raises(az.AzureRefusal, match="not a storage account id"):
        az.discovered_container("/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv")


def test_after_up_azure_answers_with_arm_ids_names_and_normalised_locations():
    _, outputs = az.respond(SA, "site-account", {"accountName": "stfiles01", "resourceGroupName": "rg-files",
                                                 "location": "Japan East"}, False, az.World())
    assert outputs["id"] == (f"/subscriptions/{az.SUBSCRIPTION}/resourceGroups/rg-files/providers/"
                             "Microsoft.Storage/storageAccounts/stfiles01")
    assert outputs["name"] == "stfiles01" and outputs["type"] == "Microsoft.Storage/storageAccounts"
    assert outputs["location"] == "japaneast" and outputs["provisioningState"] == "Succeeded"
    assert "accountName" not in outputs and "resourceGroupName" not in outputs
    project_id, project = az.respond("azure-native:storagemover:Project", "mover-project",
                                     {"storageMoverName": "mover", "resourceGroupName": "rg"}, False, az.World())
    assert project["name"].startswith("mover-project") and project["name"] != "mover-project"  # auto-named
    assert project_id.endswith(f"/storageMovers/mover/projects/{project['name']}")
    with pytest.raises(az.AzureRefusal, match="the ARM id needs 'resourceGroupName'"):
        az.respond(SA, "a", {"accountName": "stfiles01"}, False, az.World())
    with pytest.raises(az.AzureRefusal, match="does not model azure-native:compute:VirtualMachine"):
        az.respond("azure-native:compute:VirtualMachine", "vm", {"vmName": "vm", "resourceGroupName": "rg"}, False,
                   az.World())


def test_in_preview_azure_assigned_values_are_unknown():
    resource_id, outputs = az.respond(SA, "site-account", {"accountName": "stfiles01", "resourceGroupName": "rg",
                                                           "minimumTlsVersion": "TLS1_2"}, True, az.World())
    assert resource_id == "" and outputs["minimumTlsVersion"] == "TLS1_2"
    assert outputs["name"] == az.UNKNOWN and outputs["primaryEndpoints"] == az.UNKNOWN

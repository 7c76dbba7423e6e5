"""Each component alone against the Azure double, with minimal and with maximal Args (AVM default/complete)."""

from __future__ import annotations

import pytest

from cutover import naming
from cutover.cloud import components as c
from cutover.cloud import discovery, offline
from cutover.cloud.policies import DIAG, ITEM, LOCK, SA, SHARE

ACCOUNT = "stfilestest0001"
TAGS = naming.tags("pref-99-test", 0, "CC-99")


def run(build, phase="up", groups=frozenset()):
    return offline.run_program(build, "pref-99-test", phase, groups=set(groups))


def file_share(**extra):
    def build():
        share = c.SiteFileShare("t", c.SiteFileShareArgs(
            account_name=ACCOUNT, resource_group_name="rg-test", location="japaneast", egress=["203.0.113.9"],
            shares=[c.ShareSpec("data", 100)], **extra))
        return {"id": share.account_id, "name": share.account_name}
    return build


def test_file_share_minimal_args_keep_secure_defaults():
    done = run(file_share())
    account = next(r for r in done.resources if r.type == SA)
    assert account.inputs["allowSharedKeyAccess"] is False
    assert account.inputs["azureFilesIdentityBasedAuthentication"]["defaultSharePermission"] == "None"
    assert account.protect and all(r.protect for r in done.resources if r.type == SHARE)
    lock = next(r for r in done.resources if r.type == LOCK)
    assert lock.inputs["level"] == "CanNotDelete" and lock.inputs["lockName"] == naming.LOCK
    assert not [r for r in done.resources if r.type == DIAG]  # no workspace given, no diagnostics
    assert done.outputs["name"] == ACCOUNT


def test_file_share_is_zone_redundant_smb_with_the_inventorys_quota():
    done = run(file_share())
    account = next(r for r in done.resources if r.type == SA)
    # ZRS keeps the shares through the loss of one zone of Japan East; Azure Files SMB needs StorageV2
    assert account.inputs["sku"] == {"name": "Standard_ZRS"} and account.inputs["kind"] == "StorageV2"
    (share,) = [r for r in done.resources if r.type == SHARE]
    assert share.inputs["enabledProtocols"] == "SMB" and share.inputs["shareQuota"] == 100
    assert share.inputs["shareName"] == "data"
    smb = next(r for r in done.resources if r.type.endswith("FileServiceProperties")).inputs["protocolSettings"]["smb"]
    assert smb["authenticationMethods"] == "Kerberos" and smb["channelEncryption"] == "AES-256-GCM"


def test_file_share_maximal_args_reach_every_child():
    done = run(file_share(
        diagnostic_settings=c.DiagnosticSettingsArgs(workspace_id="/ws", name="d"),
        lock=c.LockArgs(name="keep"), tags=TAGS, identity_mode="cloud_only",
        channel_encryption="AES-128-GCM;AES-256-GCM", allow_shared_key=True, allow_ntlmv2=True, soft_delete_days=30,
        protect=False))
    account = next(r for r in done.resources if r.type == SA)
    assert account.inputs["tags"] == TAGS and not account.protect
    assert account.inputs["azureFilesIdentityBasedAuthentication"]["defaultSharePermission"] == (
        "StorageFileDataSmbShareContributor")
    diag = next(r for r in done.resources if r.type == DIAG)
    assert diag.inputs["workspaceId"] == "/ws" and account.urn in diag.property_dependencies["resourceUri"]
    assert diag.inputs["resourceUri"].endswith(f"/storageAccounts/{ACCOUNT}/fileServices/default")
    assert [m["category"] for m in diag.inputs["metrics"]] == ["Transaction"]
    assert next(r for r in done.resources if r.type.endswith("FileServiceProperties")).inputs["protocolSettings"][
        "smb"]["authenticationMethods"] == "Kerberos;NTLMv2"
    assert next(r for r in done.resources if r.type == LOCK).inputs["lockName"] == "keep"


def test_file_share_refuses_what_azure_refuses():
    with pytest.raises(offline.PlanError, match="AccountNameInvalid"):
        run(lambda: c.SiteFileShare("t", c.SiteFileShareArgs(
            account_name="St-Files", resource_group_name="rg", location="japaneast", egress=["203.0.113.9"],
            shares=[c.ShareSpec("data", 1)])))
    with pytest.raises(offline.PlanError, match="NetworkAclsValidationFailure"):
        run(lambda: c.SiteFileShare("t", c.SiteFileShareArgs(
            account_name=ACCOUNT, resource_group_name="rg", location="japaneast", egress=["10.1.2.3"],
            shares=[c.ShareSpec("data", 1)])))


def backup(tier="vault", **extra):
    def build():
        files = c.SiteFileShare("t", c.SiteFileShareArgs(
            account_name=ACCOUNT, resource_group_name="rg", location="japaneast", egress=["203.0.113.9"],
            shares=[c.ShareSpec("data", 1), c.ShareSpec("old", 1)]))
        container = files.account_id.apply(lambda i: offline.discovered_container("", "", "", i))
        done = c.SiteBackup("b", c.SiteBackupArgs(
            site_id="pref-99-test", vault_name="rsv", vault_resource_group="rg-core", account_id=files.account_id,
            container_name=container, shares=dict(files.shares), tier=tier, **extra))
        return {"policy": done.policy_id}
    return build


def test_backup_minimal_args_vault_tier_protected():
    done = run(backup())
    policy = next(r for r in done.resources if r.type.endswith("ProtectionPolicy"))
    assert policy.inputs["properties"]["vaultRetentionPolicy"]["snapshotRetentionInDays"] == 7
    assert len([r for r in done.resources if r.type == ITEM]) == 2 and policy.protect


def test_backup_maximal_args_snapshot_tier_and_limits():
    done = run(backup("snapshot", daily_time="23:30", retention_days=200, protect=False))
    policy = next(r for r in done.resources if r.type.endswith("ProtectionPolicy"))
    assert "vaultRetentionPolicy" not in policy.inputs["properties"] and not policy.protect
    with pytest.raises(offline.PlanError, match="snapshot tier keeps daily points 1-200"):
        run(backup("snapshot", retention_days=201))
    with pytest.raises(offline.PlanError, match="1-30 days"):
        run(backup(snapshot_retention_days=31))


def entra(mode, **extra):
    def build():
        files = c.SiteFileShare("t", c.SiteFileShareArgs(
            account_name=ACCOUNT, resource_group_name="rg", location="japaneast", egress=["203.0.113.9"],
            shares=[c.ShareSpec("data", 1)]))
        access = c.SiteEntraAccess("e", c.SiteEntraAccessArgs(
            site_id="pref-99-test", groups={"staff": ("all staff", "GG-TEST-STAFF")}, egress=["203.0.113.9"],
            share_permissions={"data": {"staff": "change"}}, account_id=files.account_id,
            account_name=files.account_name, shares=dict(files.shares), subscription_id="sub", identity_mode=mode,
            **extra))
        return {"app": access.storage_app_id}
    return build


def test_entra_access_minimal_and_maximal_args():
    hybrid = run(entra("hybrid"), groups={"GG-TEST-STAFF"})
    assert len([r for r in hybrid.resources if r.type.endswith("RoleAssignment")]) == 1
    full = run(entra("hybrid", enforce_mfa=True, break_glass_ids=["b1"], copy_group="GG-COPY", tags=TAGS),
               groups={"GG-TEST-STAFF", "GG-COPY"})
    ca = next(r for r in full.resources if r.type.endswith("ConditionalAccessPolicy"))
    assert ca.inputs["state"] == "enabled" and ca.inputs["conditions"]["users"]["excludedUsers"] == ["b1"]
    assert len([r for r in full.resources if r.type.endswith("RoleAssignment")]) == 2
    with pytest.raises(offline.PlanError, match="no group 'GG-TEST-STAFF'"):
        run(entra("hybrid"))  # a group that is not synced from AD cannot carry share RBAC
    cloud = run(entra("cloud_only"))
    assert [r.inputs["displayName"] for r in cloud.resources if r.type.endswith(":Group")] == [
        "cutover-pref-99-test-staff"]


def test_container_discovery_takes_the_name_from_azures_answer():
    calls = []
    listed = {"value": [{"name": "StorageContainer;Storage;rg;stfilestest0001",
                         "properties": {"friendlyName": ACCOUNT, "backupManagementType": "AzureStorage"}}]}

    def fake(method, url):
        calls.append((method, url.split("?")[0].rsplit("/", 1)[-1]))
        return listed if url.split("?")[0].endswith("protectableContainers") else {"value": []}

    found = discovery.ContainerDiscovery("sub", "rg-core", "rsv", fake, wait_seconds=0).container_for(
        f"/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}")
    assert found == "StorageContainer;Storage;rg;stfilestest0001"
    assert calls == [("get", "backupProtectionContainers"), ("post", "refreshContainers"),
                     ("get", "protectableContainers")]
    with pytest.raises(discovery.DiscoveryError, match="did not discover"):
        discovery.ContainerDiscovery("sub", "rg", "rsv", lambda m, u: {}, attempts=2, wait_seconds=0).container_for(
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/other")


def test_file_share_refusal_names_the_setting_and_what_azure_allows():
    with pytest.raises(offline.PlanError, match=r"InvalidSmbSetting: channelEncryption 'AES-128-CCM;AES-512-GCM' "
                                                r"\(allowed: .*AES-256-GCM"):
        run(file_share(channel_encryption="AES-128-CCM;AES-512-GCM"))


def test_file_sync_gives_each_share_a_sync_group_with_its_cloud_endpoint():
    def build():
        files = c.SiteFileShare("t", c.SiteFileShareArgs(
            account_name=ACCOUNT, resource_group_name="rg", location="japaneast", egress=["203.0.113.9"],
            shares=[c.ShareSpec("data", 1), c.ShareSpec("old", 1)]))
        sync = c.SiteFileSync("s", c.SiteFileSyncArgs(
            site_id="pref-99-test", resource_group_name="rg", location="japaneast", account_id=files.account_id,
            shares=dict(files.shares), tenant_id="tenant"))
        return {"groups": {share: group.name for share, group in sync.sync_groups.items()}}

    done = run(build)
    assert done.outputs["groups"] == {"data": "data", "old": "old"}
    endpoints = {r.inputs["syncGroupName"]: r.inputs["azureFileShareName"] for r in done.resources
                 if r.type == "azure-native:storagesync:CloudEndpoint"}
    assert endpoints == {"data": "data", "old": "old"}

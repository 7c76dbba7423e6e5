"""What every site stack declares, checked against the inventory it came from."""

from __future__ import annotations

import pytest

from cutover.cloud import naming
from cutover.cloud.components import SMB_ROLES
from cutover.cloud.policies import DEFENDER, DIAG, FILES, ITEM, LOCK, ROLE, SA, SHARE
from tests.cloud.conftest import only

SITES = ["hq", "pref-18-fukui", "pref-36-tokushima"]


def test_every_site_has_a_stack(plans, sample_inventory):
    assert set(plans) == {"core", *sample_inventory.sites}


def test_ip_rules_are_exactly_the_office_egress_addresses(plans, sample_inventory):
    for site in sample_inventory.sites.values():
        account = only(plans[site.id], SA)
        rules = account.props["networkRuleSet"]
        expected = sorted(ip for office in site.config.offices for ip in office.egress)
        assert sorted(r["iPAddressOrRange"] for r in rules["ipRules"]) == expected, site.id
        assert rules["defaultAction"] == "Deny"
        assert rules["bypass"] == "AzureServices"


def test_shares_and_quotas_come_from_the_inventory(plans, sample_inventory):
    for site in sample_inventory.sites.values():
        shares = {s.props["shareName"]: s.props["shareQuota"] for s in plans[site.id].by_type(SHARE)}
        assert shares == {s.name: s.quota_gib for s in site.config.file_shares}, site.id
        assert all(s.protect for s in plans[site.id].by_type(SHARE))


def test_secure_settings_on_every_account(plans, sample_inventory):
    for site in sample_inventory.sites.values():
        account = only(plans[site.id], SA)
        props = account.props
        assert account.protect
        assert props["kind"] == "StorageV2"
        assert props["minimumTlsVersion"] == "TLS1_2"
        assert props["enableHttpsTrafficOnly"] is True
        assert props["allowBlobPublicAccess"] is False
        assert props["allowCrossTenantReplication"] is False
        assert props["encryption"]["requireInfrastructureEncryption"] is True
        assert props["azureFilesIdentityBasedAuthentication"]["directoryServiceOptions"] == "AADKERB"
        assert props["tags"]["cutover-site"] == site.id
        assert props["tags"]["cutover-wave"] == str(site.wave)
        assert props["tags"]["cost-centre"] == site.config.cost_centre
        smb = only(plans[site.id], FILES).props["protocolSettings"]["smb"]
        assert smb["versions"] == "SMB3.1.1"
        assert smb["kerberosTicketEncryption"] == "AES-256"
        assert smb["channelEncryption"] == "AES-256-GCM"
        assert only(plans[site.id], FILES).props["shareDeleteRetentionPolicy"]["days"] >= 14


def test_ntlmv2_only_with_an_active_waiver(plans, sample_inventory):
    for site in sample_inventory.sites.values():
        smb = only(plans[site.id], FILES).props["protocolSettings"]["smb"]
        waived = any(w.policy == "files-ntlmv2-disabled" and w.expires >= plans[site.id].as_of
                     for w in site.config.waivers)
        assert ("NTLMv2" in smb["authenticationMethods"]) is waived, site.id


def test_hybrid_sites_grant_share_roles_to_groups(plans, sample_inventory):
    hybrid = [s for s in sample_inventory.sites.values() if s.config.identity_mode == "hybrid"]
    assert hybrid
    for site in hybrid:
        plan = plans[site.id]
        account = only(plan, SA)
        assignments = plan.by_type(ROLE)
        expected_pairs = {(share.name, group) for share in site.config.file_shares for folder in share.folders
                          for group in folder.permissions}
        assert len(assignments) == len(expected_pairs), site.id
        for assignment in assignments:
            props = assignment.props
            assert props["principalType"] == "Group"
            share = props["scope"].rsplit("/", 1)[1]
            assert props["scope"] == f"{account.props['id']}/fileServices/default/fileshares/{share}"
            assert props["roleDefinitionId"].rsplit("/", 1)[1] in SMB_ROLES.values()
        officers_on_shared = [a for a in assignments if a.name.endswith("-rbac-shared-officers")]
        assert officers_on_shared[0].props["roleDefinitionId"].endswith(SMB_ROLES["change"])


def test_cloud_only_sites_use_a_default_share_permission_and_an_acl_plan(plans, sample_inventory):
    cloud_only = [s for s in sample_inventory.sites.values() if s.config.identity_mode == "cloud_only"]
    assert cloud_only
    for site in cloud_only:
        plan = plans[site.id]
        auth = only(plan, SA).props["azureFilesIdentityBasedAuthentication"]
        assert auth["defaultSharePermission"] == "StorageFileDataSmbShareContributor"
        assert plan.by_type(ROLE) == []
        acl = plan.outputs["directory_acl_plan"]
        assert {(e["share"], e["folder"]) for e in acl} == {
            (s.name, f.name) for s in site.config.file_shares for f in s.folders}
        assert any(step["id"] == "cloud-only-directory-acls" for step in plan.outputs["manual_steps"])


def test_backup_lock_diagnostics_and_defender_for_every_account(plans, sample_inventory):
    for site in sample_inventory.sites.values():
        plan = plans[site.id]
        account_id = only(plan, SA).props["id"]
        lock = only(plan, LOCK).props
        assert lock["level"] == "CanNotDelete" and lock["scope"] == account_id
        diag = only(plan, DIAG).props
        assert diag["resourceUri"] == account_id + "/fileServices/default"
        assert diag["workspaceId"] == plans["core"].outputs["workspace_id"]
        assert {log["category"] for log in diag["logs"]} == {"StorageRead", "StorageWrite", "StorageDelete"}
        assert only(plan, DEFENDER).props["properties"]["isEnabled"] is True
        items = {i.props["properties"]["friendlyName"]: i for i in plan.by_type(ITEM)}
        assert set(items) == {s.name for s in site.config.file_shares}
        for item in items.values():
            assert item.props["vaultName"] == plans["core"].outputs["vault_name"]
            assert item.props["properties"]["sourceResourceId"] == account_id


@pytest.mark.parametrize("site_id", SITES)
def test_outputs_for_reports(plans, sample_inventory, site_id):
    outputs = plans[site_id].outputs
    site = sample_inventory.sites[site_id]
    assert outputs["storage_account"] == only(plans[site_id], SA).props["accountName"]
    assert {step["id"] for step in outputs["manual_steps"]} >= {"entra-kerberos-admin-consent",
                                                               "entra-kerberos-mfa-exclusion"}
    assert [w["policy"] for w in outputs["waivers"]] == [w.policy for w in site.config.waivers]
    assert all(w["reason"] for w in outputs["waivers"])


def test_mfa_policy_reports_only_until_the_wave_is_live(plans, sample_inventory):
    for site in sample_inventory.sites.values():
        policy = only(plans[site.id], "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy").props
        live = sample_inventory.organisation.wave(site.wave).live
        assert policy["state"] == ("enabled" if live else "enabledForReportingButNotEnforced")
        location = only(plans[site.id], "azuread:index/namedLocation:NamedLocation").props
        expected = {ip if "/" in ip else f"{ip}/32" for o in site.config.offices for ip in o.egress}
        assert set(location["ip"]["ipRanges"]) == expected


def test_storage_account_names_are_valid_unique_and_deterministic(sample_inventory):
    org = sample_inventory.organisation
    names = {s: naming.storage_account(s, org.azure_location, org.mail_domain) for s in sample_inventory.sites}
    assert len(set(names.values())) == len(names)
    assert all(3 <= len(n) <= 24 and n.isalnum() and n.islower() for n in names.values())
    assert names == {s: naming.storage_account(s, org.azure_location, org.mail_domain) for s in names}
    with pytest.raises(naming.NamingError, match="used by both"):
        naming.check_unique({"hq": "stfileshq", "pref-01-hokkaido": "stfileshq"})


def test_core_stack(plans):
    core = plans["core"]
    vault = only(core, "azure-native:recoveryservices:Vault").props["properties"]["securitySettings"]
    assert vault["softDeleteSettings"]["softDeleteState"] == "AlwaysON"
    assert vault["immutabilitySettings"]["state"] in ("Unlocked", "Locked")
    assert only(core, "azure-native:operationalinsights:Workspace").protect
    assert {g.props["displayName"] for g in core.by_type("azuread:index/group:Group")} == {
        "cutover-platform-admins", "cutover-auditors"}
    assert all(r.status == "not_applicable" for r in core.policy_results)


def test_storage_mover_alternative_mirrors_each_share(plans, sample_inventory):
    movers = [s for s in sample_inventory.sites.values() if s.config.migration_method == "storage_mover"]
    assert [s.id for s in movers] == ["pref-27-osaka"]
    site = movers[0]
    plan = plans[site.id]
    jobs = {j.props["jobDefinitionName"]: j.props for j in plan.by_type("azure-native:storagemover:JobDefinition")}
    assert set(jobs) == {f"mirror-{s.name}" for s in site.config.file_shares}
    assert all(j["copyMode"] == "Mirror" and j["agentName"] == f"agent-{site.id}" for j in jobs.values())
    targets = [e.props["properties"] for e in plan.by_type("azure-native:storagemover:Endpoint")
               if e.props["properties"]["endpointType"] == "AzureStorageSmbFileShare"]
    assert {t["storageAccountResourceId"] for t in targets} == {only(plan, SA).props["id"]}
    assert {"storage-mover-agent", "storage-mover-credentials"} <= {m["id"] for m in plan.outputs["manual_steps"]}
    assert plans["pref-18-fukui"].by_type("azure-native:storagemover:JobDefinition") == []

"""What every stack declares, checked against the inventory it came from and against Azure's shapes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from cutover import naming
from cutover.cloud import azure_model, offline, programs
from cutover.cloud.policies import DIAG, FILES, ITEM, KEY_VAULT, LOCK, ROLE, SA, SHARE
from cutover.evidence.collectors import pulumi as pulumi_evidence
from cutover.inventory import load_inventory
from tests.cloud.conftest import AS_OF, CLOUD_ONLY, SITE, only, plan_here
from tests.cloud.test_breakages import LEVEL_ROLE


def test_every_site_has_a_stack_and_passes_every_policy(plans, planned_sites):
    assert set(plans) == {"core", *(s.id for s in planned_sites)}
    failing = [(p.stack, r.policy) for p in plans.values() for r in p.policy_results if r.status in ("fail", "unknown")]
    assert failing == []


def test_outputs_are_azures_not_the_inputs_echoed(plans):
    plan = plans[SITE]
    account = only(plan, SA)
    declared = set(azure_model.output_types(SA)) | {"id"}
    assert set(account.outputs) <= declared
    assert "accountName" not in account.outputs and "resourceGroupName" not in account.outputs
    assert account.outputs["name"] == account.inputs["accountName"]
    assert account.outputs["id"].endswith(f"/storageAccounts/{account.inputs['accountName']}")
    assert set(only(plan, LOCK).outputs) <= set(azure_model.output_types(LOCK)) | {"id"}


def test_preview_has_unknowns_where_azure_assigns_values(previews):
    plan = previews[SITE]
    account = only(plan, SA)
    assert account.outputs["name"] == azure_model.UNKNOWN and not account.id
    assert only(plan, SHARE).inputs["accountName"] == azure_model.UNKNOWN
    assert account.inputs["minimumTlsVersion"] == "TLS1_2"  # known inputs stay known


def test_ip_rules_are_the_office_egress_and_the_data_center_until_its_date(plans, sample_inventory, planned_sites):
    org = sample_inventory.organisation
    for site in planned_sites:
        rules = only(plans[site.id], SA).inputs["networkRuleSet"]
        offices = [ip for o in site.config.offices if not o.shared_ipv4 for ip in o.egress]
        assert sorted(r["iPAddressOrRange"] for r in rules["ipRules"]) == sorted(offices + list(org.datacenter.egress))
        assert rules["defaultAction"] == "Deny" and rules["bypass"] == "AzureServices"
    later = offline.plan_stacks(sample_inventory, [SITE], dt.date(2027, 3, 2))[0]  # pilot live 2027-02-01 + 28 days
    assert org.datacenter.egress[0] not in {r["iPAddressOrRange"] for r in
                                            only(later, SA).inputs["networkRuleSet"]["ipRules"]}
    assert not [r for r in later.by_type(ROLE) if r.name.endswith("-copy")]


def test_shared_key_only_for_vaulted_backup_with_expiry(plans):
    for plan in (p for p in plans.values() if p.site):
        props = only(plan, SA).inputs
        assert props["allowSharedKeyAccess"] is True  # every site backs up at the vault tier
        assert props["keyPolicy"] == {"keyExpirationPeriodInDays": 90}
        assert props["sasPolicy"] == {"expirationAction": "Block", "sasExpirationPeriod": "0.01:00:00"}


def test_backup_is_declared_protected_and_independent_of_waivers(plans, sample_inventory):
    later = offline.plan_stacks(sample_inventory, [SITE], dt.date(2028, 6, 1))[0]
    for plan in (plans[SITE], later):
        assert plan.by_type(ITEM) and all(i.protect for i in plan.by_type(ITEM))
        assert only(plan, "azure-native:recoveryservices:ProtectionPolicy").protect


def test_channel_encryption_follows_the_windows_mix(plans, planned_sites):
    for site in planned_sites:
        smb = only(plans[site.id], FILES).inputs["protocolSettings"]["smb"]
        windows10 = any(e.build_number < 22000 for e in site.endpoints)
        assert smb["channelEncryption"] == ("AES-128-GCM;AES-256-GCM" if windows10 else "AES-256-GCM"), site.id
        assert plans[site.id].outputs["smb_channel_encryption"] == smb["channelEncryption"]


def test_hybrid_sites_use_ad_synced_groups_and_the_domain(plans, sample_inventory):
    org = sample_inventory.organisation
    site = sample_inventory.sites[SITE]
    plan = plans[SITE]
    auth = only(plan, SA).inputs["azureFilesIdentityBasedAuthentication"]
    assert auth["activeDirectoryProperties"] == {"domainName": org.active_directory.domain_name,
                                                 "domainGuid": org.active_directory.domain_guid}
    assert plan.by_type("azuread:index/group:Group") == []
    steps = {s["id"] for s in plan.outputs["manual_steps"]}
    assert "hybrid-dc-line-of-sight" in steps and "kdc-enable-cloud-group-sids" not in steps
    acl = plan.outputs["directory_acl_plan"][0]["entries"]
    assert {e["group"] for e in acl} <= {g.ad_group for g in site.config.groups}


def test_cloud_only_sites_use_entra_groups_and_the_kdc_step(plans, planned_sites):
    for site in (s for s in planned_sites if s.config.identity_mode == "cloud_only"):
        plan = plans[site.id]
        assert {g.inputs["displayName"] for g in plan.by_type("azuread:index/group:Group")} == {
            naming.entra_group(site.id, g.name) for g in site.config.groups}
        assert plan.by_type(ROLE) == []
        assert "kdc-enable-cloud-group-sids" in {s["id"] for s in plan.outputs["manual_steps"]}


def test_mfa_policy_excludes_the_storage_app_and_break_glass(plans, sample_inventory):
    glass = {b.object_id for b in sample_inventory.organisation.break_glass_accounts}
    for plan in (p for p in plans.values() if p.site):
        users = only(plan, "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy").inputs["conditions"]
        assert set(users["users"]["excludedUsers"]) == glass
        (app,) = users["applications"]["excludedApplications"]
        assert re.fullmatch(r"[0-9a-f-]{36}", app)


def test_diagnostics_go_to_cores_workspace(plans):
    workspace = plans["core"].outputs["workspace_id"]
    for plan in (p for p in plans.values() if p.site):
        assert only(plan, DIAG).outputs["workspaceId"] == workspace


def test_core_creates_the_key_vault_the_mover_reads(plans, sample_inventory):
    org = sample_inventory.organisation
    vault = only(plans["core"], KEY_VAULT)
    assert vault.inputs["vaultName"] == naming.key_vault(org.azure_location, org.mail_domain)
    assert len(vault.inputs["vaultName"]) <= 24 and vault.protect
    endpoints = plans["pref-27-osaka"].by_type("azure-native:storagemover:Endpoint")
    uris = [e.inputs["properties"]["credentials"]["passwordUri"] for e in endpoints
            if e.inputs["properties"]["endpointType"] == "SmbMount"]
    assert uris and all(u.startswith(naming.key_vault_uri(vault.inputs["vaultName"])) for u in uris)


def test_file_sync_site_gets_sync_groups_and_the_manual_server_step(plans, sample_inventory):
    site = sample_inventory.sites["pref-32-shimane"]
    plan = plans[site.id]
    groups = plan.by_type("azure-native:storagesync:SyncGroup")
    assert {g.inputs["syncGroupName"] for g in groups} == {s.name for s in site.config.file_shares}
    assert "file-sync-register-server" in {s["id"] for s in plan.outputs["manual_steps"]}
    assert plans[SITE].by_type("azure-native:storagesync:SyncGroup") == []


def test_tags_are_bounded(sample_inventory):
    with pytest.raises(naming.NamingError, match="256"):
        naming.tags("pref-18-fukui", 0, "X" * 257)


def test_storage_account_names_are_valid_unique_and_deterministic(sample_inventory):
    org = sample_inventory.organisation
    names = {s: naming.storage_account(s, org.azure_location, org.mail_domain) for s in sample_inventory.sites}
    assert len(set(names.values())) == len(names)
    assert all(3 <= len(n) <= 24 and n.isalnum() and n.islower() for n in names.values())
    with pytest.raises(naming.NamingError, match="used by both"):
        naming.check_unique({"hq": "stfileshq", "pref-01-hokkaido": "stfileshq"})


def test_as_of_is_used_for_waivers(plans):
    assert plans[SITE].as_of == AS_OF


# https://learn.microsoft.com/dotnet/api/system.security.accesscontrol.filesystemrights (what icacls/Set-Acl write)
NTFS = {"read": "ReadAndExecute", "change": "Modify", "full": "FullControl"}


@pytest.mark.parametrize("site_id", [SITE, CLOUD_ONLY])
def test_the_directory_acl_plan_names_the_groups_the_site_signs_in_with(sample_inventory, site_id):
    site = sample_inventory.sites[site_id]
    hybrid = site.config.identity_mode == "hybrid"
    group = {g.name: g.ad_group if hybrid else naming.entra_group(site.id, g.name) for g in site.config.groups}
    assert not hybrid or all(group.values())
    plan = programs.directory_acl_plan(site)
    expected = [(share.name, folder.name, sorted((group[g], NTFS[p]) for g, p in folder.permissions.items()),
                 folder.restricted_upload) for share in site.config.file_shares for folder in share.folders]
    assert [(p["share"], p["folder"], sorted((e["group"], e["rights"]) for e in p["entries"]), p["restricted_upload"])
            for p in plan] == expected
    # cloud-only HQ lists AD group names too (for later): its PCs sign in with Entra groups, so those are used
    assert hybrid or not {e["group"] for p in plan for e in p["entries"]} & {g.ad_group for g in site.config.groups}


def test_the_backup_container_carries_the_accounts_name_as_azure_lists_it(sample_inventory):
    plan = plan_here(sample_inventory, SITE)
    account = only(plan, SA).outputs
    container = only(plan, "azure-native:recoveryservices:ProtectionContainer").inputs["properties"]
    # protectableContainers lists a storage account with friendlyName = the account's name
    # (https://learn.microsoft.com/azure/backup/backup-azure-file-share-rest-api)
    assert container["friendlyName"] == account["name"]
    assert container["sourceResourceId"] == account["id"]


def test_share_role_assignments_keep_their_names_between_runs_and_use_built_in_roles(sample_inventory):
    first, again = plan_here(sample_inventory, SITE), plan_here(sample_inventory, SITE)
    names = {r.name: r.inputs.get("roleAssignmentName") for r in first.by_type(ROLE)}
    # an assignment is named by a GUID; a new GUID on every run would be a second assignment of the same
    # role, which ARM refuses (RoleAssignmentExists)
    assert names and all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", n or "") for n in names.values())
    assert len(set(names.values())) == len(names)
    assert names == {r.name: r.inputs["roleAssignmentName"] for r in again.by_type(ROLE)}
    for role in first.by_type(ROLE):
        prefix, guid = role.inputs["roleDefinitionId"].rsplit("/", 1)
        assert prefix == f"/subscriptions/{offline.SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions"
        assert guid in LEVEL_ROLE.values()


def test_legacy_authentication_is_blocked_for_the_legacy_client_types(sample_inventory):
    policy = only(plan_here(sample_inventory, "core"), "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy")
    # "Exchange ActiveSync clients" and "Other clients" are legacy authentication (POP, IMAP, SMTP AUTH ...):
    # https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
    assert sorted(policy.inputs["conditions"]["clientAppTypes"]) == ["exchangeActiveSync", "other"]
    assert policy.inputs["grantControls"]["builtInControls"] == ["block"]


def test_core_preview_does_not_know_what_azure_assigns(previews):
    core = previews["core"]
    assert core.phase == "preview"
    assert core.outputs["workspace_id"] == azure_model.UNKNOWN


def test_storage_mover_jobs_say_what_they_copy_where(plans, sample_inventory):
    site = sample_inventory.sites["pref-27-osaka"]
    plan = plans[site.id]
    (project,) = plan.by_type("azure-native:storagemover:Project")
    jobs = plan.by_type("azure-native:storagemover:JobDefinition")
    assert project.inputs.get("projectName") and {j.inputs["projectName"] for j in jobs} == {
        project.inputs["projectName"]}  # a named project, the same after a state loss
    descriptions = {j.inputs["jobDefinitionName"]: j.inputs.get("description", "") for j in jobs}
    for share in site.config.file_shares:
        (text,) = [d for d in descriptions.values() if share.legacy_unc in d]
        assert f"share {share.name}" in text


def test_an_ntlmv2_waiver_opens_ntlmv2_only_until_it_expires(sample_inventory):
    site = sample_inventory.sites["pref-03-iwate"]
    (waiver,) = [w for w in site.config.waivers if w.policy == "files-ntlmv2-disabled"]
    for day, allowed in ((waiver.expires, True), (waiver.expires + dt.timedelta(days=1), False)):
        plan = plan_here(sample_inventory, site.id, day)
        smb = only(plan, FILES).inputs["protocolSettings"]["smb"]
        assert ("NTLMv2" in smb["authenticationMethods"].split(";")) is allowed, day
        status = {r.policy: r.status for r in plan.policy_results}["files-ntlmv2-disabled"]
        assert status == ("waived" if allowed else "pass"), day


def test_manual_steps_reach_the_evidence_as_people_read_them(inventory_copy, tmp_path):
    path = inventory_copy / "hq" / "site.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["offices"][0]["port_445_blocked"] = True
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan = plan_here(load_inventory(inventory_copy), CLOUD_ONLY)
    written = offline.write_plan(plan, tmp_path)
    office = doc["offices"][0]["name"]
    text = written.read_text(encoding="utf-8")
    assert f"{office}: TCP 445 が遮断され代替手段が未設定" in text  # readable in a pull request, not \\u escapes
    checks = {c.id: c for c in pulumi_evidence.collect(CLOUD_ONLY, tmp_path, AS_OF)}
    blocked = checks["cloud.manual.office-port-445-blocked"]
    assert blocked.status == "manual" and office in blocked.title_en and office in blocked.title_ja
    assert "file_sync" in blocked.message  # what to do: the how of the step
    assert {s["id"] for s in plan.outputs["manual_steps"]} == {
        i.removeprefix("cloud.manual.") for i in checks if i.startswith("cloud.manual.")}


def test_backup_runs_daily_at_the_inventorys_time_in_tokyo_time(sample_inventory):
    site = sample_inventory.sites[SITE]
    props = only(plan_here(sample_inventory, SITE), "azure-native:recoveryservices:ProtectionPolicy").inputs[
        "properties"]
    run_time = f"T{site.config.backup.daily_time}:00Z"
    schedule = props["schedulePolicy"]
    assert schedule["scheduleRunFrequency"] == "Daily" and props["timeZone"] == "Tokyo Standard Time"
    assert [t[10:] for t in schedule["scheduleRunTimes"]] == [run_time]
    daily = props["vaultRetentionPolicy"]["vaultRetention"]["dailySchedule"]
    # Azure Backup keeps the daily point taken by the scheduled run: retention times are the run times
    assert daily["retentionTimes"] == schedule["scheduleRunTimes"]
    assert daily["retentionDuration"] == {"count": site.config.backup.retention_days, "durationType": "Days"}
    assert props["workLoadType"] == "AzureFileShare" and props["backupManagementType"] == "AzureStorage"


def test_legacy_authentication_is_blocked_from_the_organisations_date(sample_inventory):
    start = sample_inventory.organisation.legacy_auth_block_from
    for day, state in ((start - dt.timedelta(days=1), "enabledForReportingButNotEnforced"), (start, "enabled")):
        core = plan_here(sample_inventory, "core", day)
        assert only(core, "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy").inputs["state"] == state
        assert core.outputs["legacy_auth_state"] == state
        assert {r.policy: r.status for r in core.policy_results}["identity-legacy-auth-blocked"] == "pass", day


def test_the_data_center_stays_in_the_firewall_through_its_last_day(sample_inventory):
    site = sample_inventory.sites[SITE]
    until = site.config.datacenter_access_until
    plan = plan_here(sample_inventory, SITE, until)
    rules = {r["iPAddressOrRange"] for r in only(plan, SA).inputs["networkRuleSet"]["ipRules"]}
    assert set(sample_inventory.organisation.datacenter.egress) <= rules
    assert plan.outputs["datacenter_access_until"] == until.isoformat()
    assert {r.policy: r.status for r in plan.policy_results}["storage-migration-source-expired"] == "pass"



def test_every_sites_manual_steps_become_evidence_checks_to_confirm(plans, tmp_path):
    for plan in (p for p in plans.values() if p.site):
        offline.write_plan(plan, tmp_path)
        checks = {c.id: c for c in pulumi_evidence.collect(plan.site, tmp_path, AS_OF)}
        for step in plan.outputs["manual_steps"]:
            check = checks[f"cloud.manual.{step['id']}"]
            assert check.status == "manual" and check.message == step["how"], (plan.site, step["id"])
            assert check.title_en == step["title_en"] and check.title_ja == step["title_ja"]
            assert check.data["why"] == step["why"]

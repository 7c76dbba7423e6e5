"""Each policy passes the sample and fails a deliberately bad configuration (one change each)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from cutover.cloud import policies
from cutover.cloud.policies import (
    BACKUP_POLICY,
    CA,
    DEFENDER,
    DIAG,
    FILES,
    ITEM,
    KEY_VAULT,
    LOCK,
    ROLE,
    RSV,
    SA,
    SHARE,
    PlannedResource,
)
from tests.cloud.conftest import AS_OF, SITE

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def change(plan, type_token, edit, where="inputs", name_suffix=""):
    out = []
    for r in plan.resources:
        if r.type == type_token and r.name.endswith(name_suffix):
            fields = {"inputs": copy.deepcopy(dict(r.inputs)), "outputs": copy.deepcopy(dict(r.outputs)),
                      "protect": r.protect, "property_dependencies": dict(r.property_dependencies)}
            result = edit(fields[where]) if where in ("inputs", "outputs") else None
            if where == "protect":
                fields["protect"] = False
            if where == "relations":
                fields["property_dependencies"] = {}
            if result == "drop":
                continue
            r = PlannedResource(r.urn, r.type, r.name, fields["inputs"], fields["outputs"], fields["protect"],
                                r.parent, r.dependencies, fields["property_dependencies"], r.id)
        out.append(r)
    return out


def put(path, value):
    def edit(props):
        for key in path[:-1]:
            props = props.setdefault(key, {})
        props[path[-1]] = value
    return edit


SMB = ["protocolSettings", "smb"]
BAD = {
    "storage-https-only": (SITE, SA, put(["enableHttpsTrafficOnly"], False), "inputs"),
    "storage-min-tls-1-2": (SITE, SA, put(["minimumTlsVersion"], "TLS1_1"), "inputs"),
    "storage-no-public-blob": (SITE, SA, put(["allowBlobPublicAccess"], True), "inputs"),
    "storage-shared-key-disabled": (SITE, SA, put(["keyPolicy", "keyExpirationPeriodInDays"], 365), "inputs"),
    "storage-infrastructure-encryption": (SITE, SA, put(["encryption", "requireInfrastructureEncryption"], False),
                                          "inputs"),
    "storage-no-cross-tenant-replication": (SITE, SA, put(["allowCrossTenantReplication"], True), "inputs"),
    "storage-network-default-deny": (SITE, SA, put(["networkRuleSet", "defaultAction"], "Allow"), "inputs"),
    "storage-public-endpoint-for-offices": (SITE, SA, put(["publicNetworkAccess"], "Disabled"), "inputs"),
    "storage-ip-rules-public-only": (SITE, SA, put(["networkRuleSet", "ipRules"],
                                                   [{"iPAddressOrRange": "10.0.0.0/8"}]), "inputs"),
    "storage-egress-range-bounded": (SITE, SA, put(["networkRuleSet", "ipRules"],
                                                   [{"iPAddressOrRange": "198.51.0.0/16"}]), "inputs"),
    "storage-migration-source-expired": (SITE, SA, None, "later"),
    "storage-trusted-services-bypass": (SITE, SA, put(["networkRuleSet", "bypass"], "Logging"), "inputs"),
    "files-identity-entra-kerberos": (SITE, SA, put(["azureFilesIdentityBasedAuthentication",
                                                     "directoryServiceOptions"], "AD"), "inputs"),
    "files-default-share-permission": ("hq", SA, put(["azureFilesIdentityBasedAuthentication",
                                                      "defaultSharePermission"],
                                                     "StorageFileDataSmbShareElevatedContributor"), "inputs"),
    "storage-required-tags": (SITE, SA, put(["tags", "cost-centre"], "x" * 257), "inputs"),
    "storage-protected": (SITE, SHARE, None, "protect"),
    "files-smb-3-1-1-only": (SITE, FILES, put([*SMB, "versions"], "SMB3.0;SMB3.1.1"), "inputs"),
    "files-kerberos-aes256": (SITE, FILES, put([*SMB, "kerberosTicketEncryption"], "RC4-HMAC;AES-256"), "inputs"),
    "files-channel-aes256-gcm": (SITE, FILES, put([*SMB, "channelEncryption"], "AES-128-CCM;AES-256-GCM"), "inputs"),
    "files-share-soft-delete": (SITE, FILES, put(["shareDeleteRetentionPolicy", "days"], 7), "inputs"),
    "files-ntlmv2-disabled": (SITE, FILES, put([*SMB, "authenticationMethods"], "Kerberos;NTLMv2"), "inputs"),
    "rbac-groups-only": (SITE, ROLE, put(["principalType"], "User"), "inputs"),
    "rbac-share-scope-only": (SITE, ROLE, lambda p: p.update(scope=p["scope"].split("/fileServices")[0]), "inputs"),
    "identity-mfa-policy": (SITE, CA, put(["grantControls", "builtInControls"], ["compliantDevice"]), "inputs"),
    "identity-legacy-auth-blocked": ("core", CA, put(["conditions", "users", "excludedUsers"], []), "inputs"),
    "backup-retention-bounds": (SITE, BACKUP_POLICY, put(["properties", "vaultRetentionPolicy",
                                                          "snapshotRetentionInDays"], 31), "inputs"),
    "storage-delete-lock": (SITE, LOCK, put(["level"], "ReadOnly"), "outputs"),
    "storage-diagnostics": (SITE, DIAG, put(["workspaceId"], "/subscriptions/x/workspaces/other"), "outputs"),
    "files-backup-every-share": (SITE, ITEM, None, "relations"),
    "storage-defender": (SITE, DEFENDER, put(["properties", "isEnabled"], False), "outputs"),
    "backup-vault-protected": ("core", RSV, put(["properties", "securitySettings", "softDeleteSettings",
                                                 "softDeleteState"], "Enabled"), "outputs"),
    "key-vault-protected": ("core", KEY_VAULT, put(["properties", "enablePurgeProtection"], False), "outputs"),
    "waivers-unexpired": ("pref-03-iwate", None, None, "expired"),
}


# What each bad case's message must name (the property or the thing missing), so a reader can act on it.
SAYS = {
    "storage-https-only": "enableHttpsTrafficOnly", "storage-min-tls-1-2": "TLS1_1",
    "storage-no-public-blob": "allowBlobPublicAccess", "storage-shared-key-disabled": "keyExpirationPeriodInDays",
    "storage-infrastructure-encryption": "requireInfrastructureEncryption",
    "storage-no-cross-tenant-replication": "allowCrossTenantReplication", "storage-network-default-deny": "Allow",
    "storage-public-endpoint-for-offices": "Disabled", "storage-ip-rules-public-only": "10.0.0.0/8",
    "storage-egress-range-bounded": "/24", "storage-migration-source-expired": "2027-03-01",
    "storage-trusted-services-bypass": "AzureServices", "files-identity-entra-kerberos": "AADKERB",
    "files-default-share-permission": "ElevatedContributor", "storage-required-tags": "256",
    "storage-protected": "protect", "files-smb-3-1-1-only": "SMB3.0", "files-kerberos-aes256": "RC4-HMAC",
    "files-channel-aes256-gcm": "AES-128-CCM", "files-share-soft-delete": "days=7",
    "files-ntlmv2-disabled": "NTLMv2", "rbac-groups-only": "User", "rbac-share-scope-only": "fileshares",
    "identity-mfa-policy": "MFA", "identity-legacy-auth-blocked": "break-glass", "backup-retention-bounds": "31",
    "storage-delete-lock": "CanNotDelete", "storage-diagnostics": "other",
    "files-backup-every-share": "shared", "storage-defender": "Defender",
    "backup-vault-protected": "softDeleteState", "key-vault-protected": "enablePurgeProtection",
    "waivers-unexpired": "2026-01-31",
}


def test_every_policy_has_a_bad_case():
    assert set(BAD) == set(policies.BY_ID)


@pytest.mark.parametrize("policy_id", sorted(BAD))
def test_the_sample_passes_and_the_bad_case_fails(plans, policy_id):
    stack, type_token, edit, where = BAD[policy_id]
    plan = plans[stack]
    policy = policies.BY_ID[policy_id]
    (good,) = policies.evaluate(plan.resources, AS_OF, plan.policy_config, [policy])
    assert good.status in ("pass", "waived"), good
    resources, config, day = plan.resources, plan.policy_config, AS_OF
    if where == "later":
        day = dt.date(2027, 3, 2)  # the pilot's migration window has ended
    elif where == "expired":
        config = copy.deepcopy(config)
        config["waivers-unexpired"]["waivers"][0]["expires"] = "2026-01-31"
    else:
        resources = change(plan, type_token, edit or (lambda p: None), where)
    (bad,) = policies.evaluate(resources, day, config, [policy])
    assert bad.status == "fail", bad
    assert bad.findings and all(isinstance(f.message, str) and f.status == "fail" for f in bad.findings)
    if policy.resource_types:  # a resource policy names the resource that fails
        urns = {r.urn for r in resources}
        assert all(f.urn in urns for f in bad.findings), [(f.message, f.urn) for f in bad.findings]
    assert any(SAYS[policy_id] in f.message for f in bad.findings), [f.message for f in bad.findings]


def test_an_unknown_value_skips_only_that_check(previews):
    plan = previews[SITE]
    resources = change(plan, SA, put(["minimumTlsVersion"], UNKNOWN), "inputs")
    results = {r.policy: r.status for r in policies.evaluate(resources, AS_OF, plan.policy_config)}
    assert results["storage-min-tls-1-2"] == "unknown"
    assert results["storage-https-only"] == "pass"
    (unknown,) = policies.evaluate(resources, AS_OF, plan.policy_config, [policies.BY_ID["storage-min-tls-1-2"]])
    account = next(r for r in resources if r.type == SA)
    assert [(f.status, f.message, f.urn) for f in unknown.findings] == [(
        "unknown", f"{account.name}: minimumTlsVersion is not known yet (checked again after up)", account.urn)]
    as_json = next(r for r in policies.evaluate(resources, AS_OF, plan.policy_config) if r.status == "unknown")
    assert as_json.as_json()["status"] == "error"  # could not check is an error in evidence, never a pass


def test_waived_findings_carry_the_waiver(plans):
    result = next(r for r in plans["pref-03-iwate"].policy_results if r.policy == "files-ntlmv2-disabled")
    assert result.status == "waived"
    waiver = result.findings[0].waiver
    assert waiver["policy"] == "files-ntlmv2-disabled" and waiver["reason"] and waiver["approved_by"]
    # the evidence keeps which waiver allowed the finding, for the auditor
    (finding,) = result.as_json()["findings"]
    assert finding["waiver"] == waiver and finding["status"] == "waived"


def test_a_real_export_is_judged_like_the_plan(plans):
    plan = plans[SITE]
    resources = policies.resources_from_export(plan.export())
    statuses = {r.policy: r.status for r in policies.evaluate(resources, AS_OF, plan.policy_config)}
    assert statuses == {r.policy: r.status for r in plan.policy_results}


def test_ntlmv2_only_where_an_active_waiver_allows_it(plans, planned_sites):
    for site in planned_sites:
        smb = next(r for r in plans[site.id].resources if r.type == FILES).inputs["protocolSettings"]["smb"]
        waived = any(w.policy == "files-ntlmv2-disabled" and w.expires >= AS_OF for w in site.config.waivers)
        assert ("NTLMv2" in smb["authenticationMethods"]) is waived, site.id
    assert any(w.policy == "files-ntlmv2-disabled" for s in planned_sites for w in s.config.waivers)


def test_an_unknown_list_element_is_named_by_its_list(previews):
    plan = previews[SITE]
    resources = change(plan, SA, put(["networkRuleSet", "ipRules"], [UNKNOWN]), "inputs")
    (result,) = policies.evaluate(resources, AS_OF, plan.policy_config,
                                  [policies.BY_ID["storage-ip-rules-public-only"]])
    assert result.status == "unknown"
    assert [f.message.split(": ", 1)[1] for f in result.findings] == [
        "networkRuleSet.ipRules[] is not known yet (checked again after up)"]


def test_a_stack_policy_that_cannot_check_yet_names_the_resource_the_value_and_itself(previews):
    plan = previews[SITE]
    without_items = [r for r in plan.resources if r.type != ITEM]  # the share's name is Azure's, unknown in preview
    (result,) = policies.evaluate(without_items, AS_OF, plan.policy_config,
                                  [policies.BY_ID["files-backup-every-share"]])
    share = next(r for r in plan.resources if r.type == SHARE)
    assert result.status == "unknown"
    assert [(f.status, f.message, f.urn) for f in result.findings] == [(
        "unknown", f"{share.name}: name is not known yet (files-backup-every-share is checked again after up)",
        share.urn)]


def test_an_ip_rule_that_is_no_address_is_named_with_its_account(plans):
    plan = plans[SITE]
    resources = change(plan, SA, put(["networkRuleSet", "ipRules"], [{"iPAddressOrRange": "office-router"}]))
    (result,) = policies.evaluate(resources, AS_OF, plan.policy_config,
                                  [policies.BY_ID["storage-ip-rules-public-only"]])
    account = next(r for r in resources if r.type == SA)
    assert [(f.status, f.urn) for f in result.findings] == [("fail", account.urn)]
    assert "'office-router' is not an IPv4 address" in result.findings[0].message


@pytest.mark.parametrize(("path", "says"), [
    (["conditions", "locations", "excludedLocations"], "no office location is excluded"),
    (["conditions", "applications", "excludedApplications"], "Entra Kerberos app is not excluded"),
])
def test_an_mfa_policy_missing_an_exclusion_says_which(plans, path, says):
    plan = plans[SITE]
    resources = change(plan, CA, put(path, []))
    (result,) = policies.evaluate(resources, AS_OF, plan.policy_config, [policies.BY_ID["identity-mfa-policy"]])
    assert result.status == "fail" and [says in f.message for f in result.findings] == [True]

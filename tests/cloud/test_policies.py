"""Each policy fails on a deliberately bad configuration, and the sample organisation passes them all."""

from __future__ import annotations

import copy
import datetime as dt
import runpy
from pathlib import Path

import pytest

from cutover.cloud import offline, policies
from cutover.cloud.policies import FILES, ITEM, LOCK, ROLE, SA, SHARE, PlannedResource
from cutover.inventory import load_inventory
from tests.cloud.conftest import AS_OF

SITE = "pref-18-fukui"


def test_sample_organisation_passes_every_mandatory_policy(plans):
    failing = [(p.stack, r.policy, [f.message for f in r.findings]) for p in plans.values()
               for r in p.policy_results if r.status == "fail"]
    assert failing == []


def test_every_catalogued_cloud_policy_is_implemented():
    from cutover import policy_catalog

    cloud = {p.id for p in policy_catalog.POLICIES if p.area == "cloud"}
    assert cloud == set(policies.BY_ID)
    assert sum(not p.stack_level for p in policies.POLICIES) >= 15


def mutate(plan, type_token, change, name_suffix=""):
    resources = []
    for r in plan.resources:
        if r.type == type_token and r.name.endswith(name_suffix):
            props = copy.deepcopy(r.props)
            protect = r.protect
            result = change(props)
            if result == "unprotect":
                protect = False
            r = PlannedResource(r.urn, r.type, r.name, props, protect, r.parent)
        resources.append(r)
    return resources


def drop(plan, type_token):
    return [r for r in plan.resources if r.type != type_token]


def setter(path, value):
    def change(props):
        target = props
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return change


BAD = {
    "storage-https-only": lambda p: mutate(p, SA, setter(["enableHttpsTrafficOnly"], False)),
    "storage-min-tls-1-2": lambda p: mutate(p, SA, setter(["minimumTlsVersion"], "TLS1_0")),
    "storage-no-public-blob": lambda p: mutate(p, SA, setter(["allowBlobPublicAccess"], True)),
    "storage-shared-key-disabled": lambda p: mutate(p, SA, setter(["tags", "cutover-waivers"], "")),
    "storage-infrastructure-encryption": lambda p: mutate(p, SA, setter(["encryption",
                                                                         "requireInfrastructureEncryption"], False)),
    "storage-no-cross-tenant-replication": lambda p: mutate(p, SA, setter(["allowCrossTenantReplication"], True)),
    "storage-network-default-deny": lambda p: mutate(p, SA, setter(["networkRuleSet", "defaultAction"], "Allow")),
    "storage-ip-rules-public-only": lambda p: mutate(p, SA, setter(["networkRuleSet", "ipRules"],
                                                                   [{"iPAddressOrRange": "0.0.0.0/0"}])),
    "storage-trusted-services-bypass": lambda p: mutate(p, SA, setter(["networkRuleSet", "bypass"], "None")),
    "files-identity-entra-kerberos": lambda p: mutate(p, SA, setter(["azureFilesIdentityBasedAuthentication",
                                                                     "directoryServiceOptions"], "None")),
    "storage-required-tags": lambda p: mutate(p, SA, lambda props: props["tags"].pop("cost-centre")),
    "waivers-unexpired": lambda p: mutate(p, SA, setter(["tags", "cutover-waivers"],
                                                        "storage-shared-key-disabled:2026-01-31")),
    "storage-protected": lambda p: mutate(p, SHARE, lambda props: "unprotect"),
    "files-smb-3-1-1-only": lambda p: mutate(p, FILES, setter(["protocolSettings", "smb", "versions"],
                                                              "SMB3.0;SMB3.1.1")),
    "files-kerberos-aes256": lambda p: mutate(p, FILES, setter(["protocolSettings", "smb", "kerberosTicketEncryption"],
                                                               "RC4-HMAC;AES-256")),
    "files-channel-aes256-gcm": lambda p: mutate(p, FILES, setter(["protocolSettings", "smb", "channelEncryption"],
                                                                  "AES-128-CCM;AES-256-GCM")),
    "files-share-soft-delete": lambda p: mutate(p, FILES, setter(["shareDeleteRetentionPolicy", "days"], 7)),
    "rbac-groups-only": lambda p: mutate(p, ROLE, setter(["principalType"], "User")),
    "files-ntlmv2-disabled": lambda p: mutate(p, FILES, setter(["protocolSettings", "smb", "authenticationMethods"],
                                                               "Kerberos;NTLMv2")),
    "storage-delete-lock": lambda p: drop(p, LOCK),
    "storage-diagnostics": lambda p: mutate(p, "azure-native:monitor:DiagnosticSetting",
                                            setter(["logs"], [{"category": "StorageRead", "enabled": True}])),
    "files-backup-every-share": lambda p: drop(p, ITEM),
    "storage-defender": lambda p: mutate(p, "azure-native:security:DefenderForStorage",
                                         setter(["properties", "isEnabled"], False)),
}


def test_every_policy_has_a_bad_case():
    assert set(BAD) == set(policies.BY_ID)


@pytest.mark.parametrize("policy_id", sorted(BAD))
def test_bad_configuration_fails_the_policy(plans, policy_id):
    plan = plans[SITE]
    policy = policies.BY_ID[policy_id]
    good = {r.policy: r for r in policies.evaluate(plan.resources, AS_OF, [policy])}[policy_id]
    assert good.status in ("pass", "waived")
    bad = policies.evaluate(BAD[policy_id](plan), AS_OF, [policy])[0]
    assert bad.status == "fail", bad
    assert bad.findings and all(f.message for f in bad.findings)


def test_shared_key_waiver_is_reported_as_waived_with_its_expiry(plans):
    result = next(r for r in plans[SITE].policy_results if r.policy == "storage-shared-key-disabled")
    assert result.status == "waived"
    assert result.findings[0].waiver == {"policy": "storage-shared-key-disabled", "expires": "2028-03-31"}


@pytest.fixture
def inventory_without_shared_key_waiver(inventory_copy: Path):
    site_yml = inventory_copy / "18-fukui" / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    start = text.index("- policy: storage-shared-key-disabled")
    end = text.index("- policy: endpoint-readiness")
    site_yml.write_text(text[:start] + text[end:], encoding="utf-8")
    return load_inventory(inventory_copy)


def test_without_the_waiver_keys_stay_off_and_missing_backup_fails(inventory_without_shared_key_waiver):
    plan = offline.plan_stacks(inventory_without_shared_key_waiver, ["core", SITE], AS_OF)[1]
    assert plan.by_type(SA)[0].props["allowSharedKeyAccess"] is False
    assert plan.by_type(ITEM) == []
    assert {r.policy for r in plan.mandatory_failures} == {"files-backup-every-share"}


def test_expired_waiver_fails_and_restores_the_secure_setting(sample_inventory):
    later = dt.date(2028, 4, 1)  # the shared-key waivers of the sample expire on 2028-03-31
    plan = offline.plan_stacks(sample_inventory, ["core", SITE], later)[1]
    assert plan.by_type(SA)[0].props["allowSharedKeyAccess"] is False
    assert "waivers-unexpired" in {r.policy for r in plan.mandatory_failures}


def test_policy_pack_registers_every_policy_and_reports_violations(project_root, monkeypatch):
    import pulumi_policy

    captured = {}

    def fake_pack(name, enforcement_level, policies):  # the real PolicyPack serves gRPC until the CLI stops it
        captured.update(name=name, policies=policies)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", fake_pack)
    runpy.run_path(str(project_root / "pulumi" / "policy" / "__main__.py"), run_name="__main__")
    by_name = {p.name: p for p in captured["policies"]}
    assert set(by_name) == set(policies.BY_ID)
    assert all(isinstance(by_name[p.id], pulumi_policy.StackValidationPolicy) == p.stack_level
               for p in policies.POLICIES)
    violations = []
    args = pulumi_policy.ResourceValidationArgs(
        SA, {"minimumTlsVersion": "TLS1_0"}, "urn:pulumi:s::cutover::sa::x", "x",
        pulumi_policy.PolicyResourceOptions(False, [], None, [], [], pulumi_policy.PolicyCustomTimeouts(0, 0, 0), None),
        None)
    by_name["storage-min-tls-1-2"].validate(args, lambda message, urn=None: violations.append(message))
    assert violations == ["minimumTlsVersion is 'TLS1_0', must be TLS1_2"]


def test_pulumi_entry_point_runs_the_site_program(project_root, tmp_path, monkeypatch):
    """`pulumi up` runs pulumi/__main__.py: run it under mocks with stack config, as the CLI would."""
    import asyncio

    import pulumi
    from pulumi.runtime import settings as pulumi_settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi_settings.ROOT.set(None)
    mocks = offline._PlanMocks({"workspace_id": "/ws", "vault_name": "rsv", "resource_group": "rg-core"})
    monitor = offline._RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="cutover", stack=SITE, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config({"cutover:inventory": "inventories", "cutover:asOf": "2026-11-24"})
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(project_root / "pulumi" / "__main__.py"))))
    finally:
        pulumi.runtime.set_all_config({})
        loop.close()
        asyncio.set_event_loop(None)
    types = {r["type"] for r in monitor.registrations}
    assert {SA, FILES, SHARE, LOCK, ITEM} <= types

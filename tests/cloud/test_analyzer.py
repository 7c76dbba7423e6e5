"""The real pulumi-policy analyzer, fed the requests the engine sends, in both phases."""

from __future__ import annotations

import copy
import datetime as dt
import runpy

import pulumi_policy
import pytest

from cutover.cloud import engine, offline, pack_config, policies
from cutover.cloud.policies import CA, FILES, LOCK, RSV, SA, PlannedResource
from tests.cloud.conftest import AS_OF, CLOUD_ONLY, SITE


def diagnostics(plan, resources=None, config=None):
    return engine.run(resources or plan.resources, pack_config.with_as_of(config or plan.policy_config, AS_OF))


@pytest.mark.parametrize("stack", ["core", SITE, CLOUD_ONLY, "pref-27-osaka", "pref-32-shimane"])
def test_a_correct_stack_passes_after_up(plans, stack):
    found = diagnostics(plans[stack])
    assert engine.violations(found) == []
    assert engine.skipped(found) == []  # after up nothing is unknown


@pytest.mark.parametrize("stack", ["core", SITE, CLOUD_ONLY, "pref-27-osaka", "pref-32-shimane"])
def test_a_correct_stack_passes_in_preview_with_only_unknown_values_skipped(previews, stack):
    found = diagnostics(previews[stack])
    assert engine.violations(found) == [], [d.message for d in engine.violations(found)]
    assert all("during preview" in d.message for d in found)


def with_inputs(plan, type_token, change, *, outputs=False):
    changed = []
    for r in plan.resources:
        if r.type == type_token:
            inputs, outs = copy.deepcopy(dict(r.inputs)), copy.deepcopy(dict(r.outputs))
            change(outs if outputs else inputs)
            r = PlannedResource(r.urn, r.type, r.name, inputs, outs, r.protect, r.parent, r.dependencies,
                                r.property_dependencies, r.id)
        changed.append(r)
    return changed


def insecure(props):
    props["minimumTlsVersion"] = "TLS1_0"
    props["networkRuleSet"]["defaultAction"] = "Allow"


@pytest.mark.parametrize("phase", ["previews", "plans"])
def test_an_insecure_stack_fails_in_both_phases(request, phase):
    plan = request.getfixturevalue(phase)[SITE]
    found = engine.violations(diagnostics(plan, with_inputs(plan, SA, insecure)))
    assert {d.policy for d in found} == {"storage-min-tls-1-2", "storage-network-default-deny"}
    assert all(d.urn.endswith("-account") for d in found)


def test_an_unknown_property_skips_only_the_checks_that_read_it(previews):
    plan = previews[SITE]

    def unknown_group_and_bad_tls(props):
        props["resourceGroupName"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
        props["minimumTlsVersion"] = "TLS1_0"

    found = diagnostics(plan, with_inputs(plan, SA, unknown_group_and_bad_tls))
    assert {d.policy for d in engine.violations(found)} == {"storage-min-tls-1-2"}
    assert not [d for d in engine.skipped(found) if d.urn.endswith("-account")]


def test_stack_policies_relate_resources_through_the_engines_dependencies(plans):
    plan = plans[SITE]
    account = next(r for r in plan.resources if r.type == SA)
    assert "accountName" not in account.outputs and "scope" not in plan.by_type(LOCK)[0].outputs
    assert engine.violations(diagnostics(plan)) == []
    unrelated = [PlannedResource(r.urn, r.type, r.name, r.inputs, r.outputs, r.protect, r.parent, r.dependencies,
                                 {}, r.id) if r.type == LOCK else r for r in plan.resources]
    found = engine.violations(diagnostics(plan, unrelated))
    assert {d.policy for d in found} == {"storage-delete-lock"}


def test_waivers_come_from_the_pack_configuration_not_from_tags(plans):
    plan = plans["pref-03-iwate"]  # NTLMv2 waived in its site.yml
    assert any(r.policy == "files-ntlmv2-disabled" and r.status == "waived" for r in plan.policy_results)
    assert engine.violations(diagnostics(plan)) == []
    config = copy.deepcopy(plan.policy_config)
    config["files-ntlmv2-disabled"].pop("waivers")
    assert {d.policy for d in engine.violations(diagnostics(plan, config=config))} == {"files-ntlmv2-disabled"}
    config["files-ntlmv2-disabled"]["waivers"] = [dict(plan.policy_config["files-ntlmv2-disabled"]["waivers"][0],
                                                       expires="2026-01-31")]
    messages = [d.message for d in engine.violations(diagnostics(plan, config=config))]
    assert any("waiver expired 2026-01-31" in m for m in messages)
    for resource in plan.resources:
        assert all(len(str(v)) <= 256 for v in (resource.inputs.get("tags") or {}).values())


def test_missing_pack_configuration_is_a_violation_never_a_pass(plans):
    found = engine.violations(engine.run(plans[SITE].resources, {}))
    assert {"storage-diagnostics", "backup-retention-bounds", "identity-mfa-policy"} <= {d.policy for d in found}


def test_core_protections_fail_when_weakened(plans):
    plan = plans["core"]

    def lrs(outputs):
        outputs["properties"]["redundancySettings"] = {"standardTierStorageRedundancy": "LocallyRedundant",
                                                       "crossRegionRestore": "Disabled"}

    found = engine.violations(diagnostics(plan, with_inputs(plan, RSV, lrs, outputs=True)))
    assert {d.policy for d in found} == {"backup-vault-protected"}

    def report_only(inputs):
        inputs["state"] = "enabledForReportingButNotEnforced"

    later = pack_config.with_as_of(plan.policy_config, dt.date(2027, 4, 1))  # legacy auth enforced from then
    assert [d.policy for d in engine.violations(engine.run(with_inputs(plan, CA, report_only), later))] == [
        "identity-legacy-auth-blocked"]


def test_windows10_sites_keep_aes128_only_until_the_deadline(plans):
    plan = plans[SITE]
    assert plan.by_type(FILES)[0].inputs["protocolSettings"]["smb"]["channelEncryption"] == "AES-128-GCM;AES-256-GCM"
    after = pack_config.with_as_of(plan.policy_config, dt.date(2028, 4, 1))
    assert {d.policy for d in engine.violations(engine.run(plan.resources, after))} >= {"files-channel-aes256-gcm"}


def test_pack_entry_point_registers_every_policy(project_root, monkeypatch):
    captured = {}

    def fake_pack(name, enforcement_level, policies):  # the real PolicyPack serves gRPC until the CLI stops it
        captured.update(name=name, policies=policies)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", fake_pack)
    runpy.run_path(str(project_root / "pulumi" / "policy" / "__main__.py"), run_name="__main__")
    by_name = {p.name: p for p in captured["policies"]}
    assert set(by_name) == set(policies.BY_ID)
    assert all(isinstance(by_name[p.id], pulumi_policy.StackValidationPolicy) == p.stack_level
               for p in policies.POLICIES)
    assert captured["name"] == offline.PROJECT

"""Pulumi evidence: a plan is never taken for a deployment; manual steps count until recorded as done."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cutover.cloud import offline
from cutover.evidence.collectors import pulumi
from cutover.inventory.model import Confirmation
from tests.report.conftest import AS_OF, SITE


def by_id(checks):
    return {c.id: c for c in checks}


def export_of(plan_dir, tmp_path, *, keep_ids=False):
    """The plan reshaped as a real `pulumi stack export` (outputs on the root resource, no cutover section)."""
    doc = json.loads((plan_dir / f"{SITE}.json").read_text(encoding="utf-8"))
    outputs = doc.pop("cutover")["outputs"]
    next(r for r in doc["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack")["outputs"] = outputs
    doc["deployment"]["manifest"]["magic"] = "0123456789abcdef"
    for resource in doc["deployment"]["resources"]:
        if not keep_ids:
            resource.pop("id", None)
            (resource.get("outputs") or {}).pop("id", None)
    (tmp_path / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    config = plan_dir / f"{SITE}.policy-config.json"  # deploy-wave.yml keeps the pack configuration beside it
    (tmp_path / config.name).write_bytes(config.read_bytes())
    return tmp_path


def test_placeholder_subscription_matches_the_offline_plan():
    assert f"/subscriptions/{offline.SUBSCRIPTION}/" == pulumi.PLAN_SUBSCRIPTION


def test_plan_backups_say_plan_and_export_backups_say_deployed(plan_dir, tmp_path):
    planned = by_id(pulumi.collect(SITE, plan_dir, AS_OF))["cloud.backup"]
    assert planned.status == "pass" and planned.data["mode"] == "offline-plan"
    assert planned.message.startswith("planned backup:")
    deployed = by_id(pulumi.collect(SITE, export_of(plan_dir, tmp_path), AS_OF))["cloud.backup"]
    assert deployed.status == "pass" and deployed.data["mode"] == "stack-export"
    assert deployed.message.startswith("backed up:")


@pytest.mark.parametrize("sign", ["cutover", "magic", "placeholder ids"])
def test_any_sign_of_a_plan_makes_it_a_plan(sign, plan_dir, tmp_path):
    doc = json.loads((plan_dir / f"{SITE}.json").read_text(encoding="utf-8"))
    if sign != "cutover":
        outputs = doc.pop("cutover")["outputs"]
        next(r for r in doc["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack")["outputs"] = outputs
    if sign != "magic":
        doc["deployment"]["manifest"]["magic"] = "0123456789abcdef"
    if sign != "placeholder ids":
        for resource in doc["deployment"]["resources"]:
            resource.pop("id", None)
            (resource.get("outputs") or {}).pop("id", None)
    assert pulumi.mode_of(doc) == "offline-plan"


def test_manual_steps_stay_manual_until_recorded_as_done(plan_dir):
    checks = by_id(pulumi.collect(SITE, plan_dir, AS_OF))
    assert checks["cloud.manual.entra-kerberos-admin-consent"].status == "manual"
    done = Confirmation(step="entra-kerberos-admin-consent", done_by="佐藤 花子", done_on=dt.date(2026, 11, 20),
                        evidence="CHG-2026-0142 (Entra audit log export)")
    checks = by_id(pulumi.collect(SITE, plan_dir, AS_OF, [done]))
    consent = checks["cloud.manual.entra-kerberos-admin-consent"]
    assert consent.status == "pass" and consent.source == "inventory"
    assert consent.data["confirmed_by"] == "佐藤 花子" and consent.data["confirmed_on"] == "2026-11-20"
    assert "CHG-2026-0142" in consent.message
    assert checks["cloud.manual.entra-kerberos-mfa-exclusion-elsewhere"].status == "manual"


def test_a_confirmation_dated_after_the_as_of_day_does_not_count(plan_dir):
    later = Confirmation(step="entra-kerberos-admin-consent", done_by="佐藤 花子", done_on=AS_OF + dt.timedelta(days=1),
                         evidence="CHG-2026-0142")
    consent = by_id(pulumi.collect(SITE, plan_dir, AS_OF, [later]))["cloud.manual.entra-kerberos-admin-consent"]
    assert consent.status == "manual" and "after the as-of day" in consent.message


def test_a_confirmation_of_no_step_is_a_failure(plan_dir):
    typo = Confirmation(step="entra-kerberos-admin-concent", done_by="佐藤 花子", done_on=AS_OF, evidence="CHG-1")
    check = by_id(pulumi.collect(SITE, plan_dir, AS_OF, [typo]))["inventory.confirmation.entra-kerberos-admin-concent"]
    assert check.status == "fail" and "no manual step" in check.message


@pytest.mark.parametrize("body", ['{"deployment": {"resources": [{"custom": true}]}}', "[1, 2]",
                                  '{"cutover": {"policy_results": [{"status": "pass"}]}}'])
def test_malformed_stack_files_are_an_error_naming_the_file(body, tmp_path):
    (tmp_path / f"{SITE}.json").write_text(body, encoding="utf-8")
    [check] = pulumi.collect(SITE, tmp_path, AS_OF)
    assert check.status == "error" and f"{SITE}.json" in check.message


def test_not_utf8_is_an_error(tmp_path):
    (tmp_path / f"{SITE}.json").write_bytes(b"\xff\xfe{}")
    [check] = pulumi.collect(SITE, tmp_path, AS_OF)
    assert check.status == "error" and "not readable" in check.message


CONFIRMED = """confirmations:
- step: entra-kerberos-admin-consent
  done_by: 佐藤 花子
  done_on: 2026-11-20
  evidence: CHG-2026-0142 (Entra audit log export)
"""


def test_confirmations_in_site_yml_reach_the_evidence(inventory_copy, plan_dir):
    from cutover.evidence.collect import Sources, collect_site
    from cutover.inventory import load_inventory

    site_yml = inventory_copy / "18-fukui" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8") + CONFIRMED, encoding="utf-8")
    inv = load_inventory(inventory_copy)
    evidence = collect_site(inv, inv.sites[SITE], Sources(plan_dir), AS_OF)
    consent = by_id(evidence.checks)["cloud.manual.entra-kerberos-admin-consent"]
    assert consent.status == "pass" and consent.data["confirmed_by"] == "佐藤 花子"
    assert consent not in evidence.blockers
    assert by_id(evidence.checks)["cloud.manual.entra-kerberos-mfa-exclusion-elsewhere"] in evidence.blockers


def test_a_step_confirmed_twice_is_an_inventory_error(inventory_copy):
    from cutover.inventory import InventoryError, load_inventory

    site_yml = inventory_copy / "18-fukui" / "site.yml"
    twice = CONFIRMED + CONFIRMED.split("\n", 1)[1]
    site_yml.write_text(site_yml.read_text(encoding="utf-8") + twice, encoding="utf-8")
    with pytest.raises(InventoryError) as caught:
        load_inventory(inventory_copy)
    assert "confirmed twice: entra-kerberos-admin-consent" in str(caught.value.problems)


# ---- exact shapes, and a real export read like a plan ---------------------------------------------------------


def test_plan_checks_carry_their_policy_data(plan_dir):
    doc = json.loads((plan_dir / f"{SITE}.json").read_text(encoding="utf-8"))
    results = {r["policy"]: r for r in doc["cutover"]["policy_results"]}
    checks = by_id(pulumi.collect(SITE, plan_dir, AS_OF))
    for policy, result in results.items():
        check = checks[f"cloud.{policy}"]
        assert (check.status, check.area, check.source) == (result["status"], "cloud", "pulumi")
        assert (check.title_ja, check.title_en) == (result["title_ja"], result["title_en"])
        assert check.data == {"enforcement": result["enforcement"], "mode": "offline-plan", "file": f"{SITE}.json",
                              "findings": result["findings"]}
        expected = ("; ".join(f["message"] for f in result["findings"]) if result["findings"] else
                    {"pass": "compliant", "not_applicable": "no resource of this kind in the stack"}.get(
                        result["status"], result["status"]))
        assert check.message == expected
    assert {c.status for c in checks.values()} >= {"pass", "manual"}
    consent = checks["cloud.manual.entra-kerberos-admin-consent"]
    step = next(s for s in doc["cutover"]["outputs"]["manual_steps"] if s["id"] == "entra-kerberos-admin-consent")
    assert (consent.title_ja, consent.title_en, consent.message, consent.source) == (
        step["title_ja"], step["title_en"], step["how"], "pulumi")
    assert consent.data == {"why": step["why"], "how": step["how"], "mode": "offline-plan"}
    backup = checks["cloud.backup"]
    outputs = doc["cutover"]["outputs"]
    assert backup.data == {"shares": sorted(outputs["shares"]), "backed_up_shares": outputs["backed_up_shares"],
                           "mode": "offline-plan", "file": f"{SITE}.json"}
    assert backup.message == "planned backup: " + ", ".join(outputs["backed_up_shares"])
    assert (backup.title_ja, backup.title_en, backup.source) == ("ファイル共有のバックアップ", "File share backup",
                                                                 "pulumi")


def test_an_export_is_judged_by_the_same_policies_with_the_same_findings(plan_dir, tmp_path):
    export = export_of(plan_dir, tmp_path)
    plan = {c.id: (c.status, c.message, c.data.get("findings")) for c in pulumi.collect(SITE, plan_dir, AS_OF)}
    real = {c.id: (c.status, c.message, c.data.get("findings")) for c in pulumi.collect(SITE, export, AS_OF)}
    assert real.pop("cloud.backup")[1] == "backed up: shared"
    assert plan.pop("cloud.backup")[1] == "planned backup: shared"
    assert real == plan
    assert {c.data.get("mode") for c in pulumi.collect(SITE, export, AS_OF)} == {"stack-export"}


def test_an_export_with_a_weak_setting_fails_that_policy(plan_dir, tmp_path):
    export = export_of(plan_dir, tmp_path)
    doc = json.loads((export / f"{SITE}.json").read_text(encoding="utf-8"))
    account = next(r for r in doc["deployment"]["resources"] if r["type"] == "azure-native:storage:StorageAccount")
    for side in ("inputs", "outputs"):  # deployed that way: resource checks read inputs, stack checks outputs
        account.setdefault(side, {})["minimumTlsVersion"] = "TLS1_0"
    account["protect"] = False
    (export / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    checks = by_id(pulumi.collect(SITE, export, AS_OF))
    tls = checks["cloud.storage-min-tls-1-2"]
    assert tls.status == "fail" and tls.message == "minimumTlsVersion is 'TLS1_0', must be TLS1_2"
    assert tls.data["findings"][0]["urn"] == account["urn"]
    protect = checks["cloud.storage-protected"]
    assert protect.status == "fail" and protect.message == f"{account['urn'].rsplit('::', 1)[-1]} is not protected " \
        "(protect=True)"


def test_an_export_without_outputs_has_no_backup_check_and_no_manual_steps(plan_dir, tmp_path):
    export = export_of(plan_dir, tmp_path)
    doc = json.loads((export / f"{SITE}.json").read_text(encoding="utf-8"))
    next(r for r in doc["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack")["outputs"] = {}
    (export / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    ids = {c.id for c in pulumi.collect(SITE, export, AS_OF)}
    assert "cloud.backup" not in ids and not any(i.startswith("cloud.manual.") for i in ids)
    assert pulumi._root_outputs({}) == {} and pulumi._root_outputs({"deployment": {}}) == {}


def test_a_stack_without_backed_up_shares_fails_the_backup_check(plan_dir, tmp_path):
    doc = json.loads((plan_dir / f"{SITE}.json").read_text(encoding="utf-8"))
    doc["cutover"]["outputs"]["backed_up_shares"] = []
    (tmp_path / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    backup = by_id(pulumi.collect(SITE, tmp_path, AS_OF))["cloud.backup"]
    assert (backup.status, backup.message) == ("fail", "no share of this site is backed up")
    assert backup.data["backed_up_shares"] == []


def test_missing_stack_file_says_where_it_looked(tmp_path):
    [check] = pulumi.collect(SITE, tmp_path, AS_OF)
    assert check.message == f"could not collect: no plan or stack export ({tmp_path}/{SITE}.json)"
    assert (check.id, check.area, check.source) == ("cloud.stack", "cloud", "pulumi")
    [none] = pulumi.collect(SITE, None, AS_OF)
    assert none.message == "could not collect: no plan or stack export (no --plan directory given)"
    assert pulumi.find_stack_file(tmp_path, SITE) is None and pulumi.find_stack_file(None, SITE) is None
    (tmp_path / f"{SITE}.json").mkdir()
    assert pulumi.find_stack_file(tmp_path, SITE) is None  # a folder is not a stack file


def test_mode_of_a_real_export_and_of_id_less_resources():
    real = {"deployment": {"manifest": {"magic": "abc"}, "resources": [
        {"id": "/subscriptions/1234/resourceGroups/rg", "outputs": {"id": "/subscriptions/1234/x"}},
        {"outputs": None}, {"id": 7}]}}
    assert pulumi.mode_of(real) == "stack-export"
    assert pulumi.mode_of({}) == "stack-export"
    by_output = {"deployment": {"resources": [{"outputs": {"id": pulumi.PLAN_SUBSCRIPTION + "resourceGroups/rg"}}]}}
    assert pulumi.mode_of(by_output) == "offline-plan"

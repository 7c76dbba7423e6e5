"""Collectors read real artefact shapes; anything missing is an error, never a pass."""

from __future__ import annotations

import json

from cutover import gate
from cutover.evidence.collect import Sources, collect_site, load_dir, write
from cutover.evidence.collectors import ansible, inventory, junit, pulumi
from cutover.evidence.model import SiteEvidence, json_schema
from tests.report.conftest import AS_OF, SITE


def by_id(checks):
    return {c.key: c for c in checks}


def test_published_schema_matches_the_models(project_root):
    published = json.loads((project_root / "docs" / "evidence-schema.json").read_text(encoding="utf-8"))
    assert published == json_schema()


def test_plan_gives_one_check_per_policy_plus_manual_steps(plan_dir):
    checks = by_id(pulumi.collect(SITE, plan_dir, AS_OF))
    # account keys are on for vaulted backup with key and SAS expiry: a pass, no longer a waiver (issue #13)
    assert checks["cloud.storage-shared-key-disabled"].status == "pass"
    assert checks["cloud.storage-min-tls-1-2"].status == "pass"
    assert checks["cloud.manual.entra-kerberos-admin-consent"].status == "manual"
    assert checks["cloud.backup"].status == "pass"
    assert all(c.source == "pulumi" for c in checks.values())


def test_real_stack_export_is_read_by_the_same_reader(plan_dir, tmp_path):
    doc = json.loads((plan_dir / f"{SITE}.json").read_text(encoding="utf-8"))
    outputs = doc.pop("cutover")["outputs"]
    next(r for r in doc["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack")["outputs"] = outputs
    for resource in doc["deployment"]["resources"]:
        resource.pop("id", None)  # a real export keeps the id outside the properties the policies see
        (resource.get("outputs") or {}).pop("id", None)
    (tmp_path / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    config = plan_dir / f"{SITE}.policy-config.json"  # deploy-wave.yml keeps the pack configuration beside it
    (tmp_path / config.name).write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    from_plan = {c.id: c.status for c in pulumi.collect(SITE, plan_dir, AS_OF)}
    from_export = {c.id: c.status for c in pulumi.collect(SITE, tmp_path, AS_OF)}
    assert from_export == from_plan


def test_missing_or_broken_plan_is_an_error(tmp_path):
    assert [c.status for c in pulumi.collect(SITE, tmp_path, AS_OF)] == ["error"]
    (tmp_path / f"{SITE}.json").write_text("{not json", encoding="utf-8")
    [check] = pulumi.collect(SITE, tmp_path, AS_OF)
    assert check.status == "error" and "not readable JSON" in check.message


def test_unreachable_pc_is_an_error_with_hands_on_action(sample_inventory, endpoint_artefacts):
    site = sample_inventory.sites[SITE]
    checks, actions = ansible.collect(site, endpoint_artefacts["runner"], endpoint_artefacts["facts"], AS_OF)
    host = endpoint_artefacts["unreachable"]
    reach = by_id(checks)[f"endpoint.reachable@{host}"]
    assert reach.status == "error" and "timed out" in reach.message
    action = next(a for a in actions if a.host == host)
    assert "旧ウイルス対策ソフトを手作業で削除" in action.message_ja


def test_facts_become_checks_pending_is_not_a_pass(sample_inventory, endpoint_artefacts):
    site = sample_inventory.sites[SITE]
    checks, actions = ansible.collect(site, endpoint_artefacts["runner"], endpoint_artefacts["facts"], AS_OF)
    pending = by_id(checks)[f"mail.outlook[a.sato@fukui.union.example]@{endpoint_artefacts['pending']}"]
    assert pending.status == "fail" and pending.message.startswith("pending:")
    assert by_id(checks)[f"office.support@{endpoint_artefacts['office_fail']}"].status == "fail"
    assert any(a.id == "office.replace" for a in actions)


def test_pc_missing_an_area_fact_is_an_error(sample_inventory, endpoint_artefacts):
    site = sample_inventory.sites[SITE]
    checks, _ = ansible.collect(site, endpoint_artefacts["runner"], endpoint_artefacts["facts"], AS_OF)
    check = by_id(checks)[f"office.collected@{endpoint_artefacts['no_office']}"]
    assert check.status == "error" and "no cutover_office fact" in check.message


def test_no_endpoint_evidence_at_all_is_one_error(sample_inventory, tmp_path):
    checks, actions = ansible.collect(sample_inventory.sites[SITE], None, None, AS_OF)
    assert [(c.id, c.status) for c in checks] == [("endpoint.evidence", "error")]
    assert actions == []


def test_junit_cases_become_checks_of_their_pc(sample_inventory, tmp_path):
    host = sample_inventory.sites[SITE].endpoints[0].hostname
    xml = f"""<?xml version="1.0"?><testsuites><testsuite name="pytest">
      <testcase classname="test_verify" name="test_ngav_running[ansible://{host}]"/>
      <testcase classname="test_verify" name="test_old_av_absent[ansible://{host}]">
        <failure message="service found"/></testcase>
      <testcase classname="test_verify" name="test_mail_days[ansible://{host}]">
        <skipped message="no profile"/></testcase>
      <testcase classname="test_verify" name="test_other_site[ansible://P36-DT-001]"/>
    </testsuite></testsuites>"""
    path = tmp_path / "verify.xml"
    path.write_text(xml, encoding="utf-8")
    checks = by_id(junit.collect(sample_inventory.sites[SITE], [path]))
    assert checks[f"testinfra.test_ngav_running@{host}"].status == "pass"
    assert checks[f"testinfra.test_old_av_absent@{host}"].status == "fail"
    assert checks[f"testinfra.test_mail_days@{host}"].status == "error"  # skipped = not checked
    assert checks[f"testinfra.test_mail_days@{host}"].area == "mail"
    assert len(checks) == 3


def test_expired_waiver_fails_and_survey_gaps_fail(sample_inventory):
    site = sample_inventory.sites[SITE]
    import datetime as dt

    later = {c.key: c.status for c in inventory.waivers(site, dt.date(2028, 1, 1))}
    assert later["inventory.waiver.endpoint-readiness@P18-DT-009"] == "fail"
    earlier = {c.key: c.status for c in inventory.waivers(site, dt.date(2027, 1, 1))}
    assert earlier["inventory.waiver.endpoint-readiness@P18-DT-009"] == "waived"
    checks, actions = inventory.survey(site)
    unanswered = [m for m in site.mail if m.client == "unknown"]
    assert by_id(checks)["mail.survey.answered"].status == ("fail" if unanswered else "pass")
    assert bool(actions) == bool(unanswered or any(m.needs_client_change and not m.endpoints for m in site.mail))


def test_collect_write_and_load_round_trip(sample_inventory, plan_dir, endpoint_artefacts, tmp_path):
    sources = Sources(plan_dir, endpoint_artefacts["runner"], endpoint_artefacts["facts"])
    evidence = collect_site(sample_inventory, sample_inventory.sites[SITE], sources, AS_OF)
    path = write(evidence, tmp_path)
    [loaded] = load_dir(tmp_path)
    assert loaded == SiteEvidence.model_validate_json(path.read_text(encoding="utf-8"))
    assert loaded.run.inventory_revision == sample_inventory.revision
    assert loaded.run.tool_versions["pulumi"] == "3.272.0"
    assessment = gate.assess(loaded, gate.Context.for_site(sample_inventory, SITE, AS_OF))
    assert assessment.readiness is gate.Readiness.NOT_READY and assessment.blockers

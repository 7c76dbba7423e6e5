"""The cutover gate trusts nothing it has not checked: each condition has evidence built to fail it.

Every failing case asserts that exactly its condition fails and every other one still passes, so a
condition that is weakened (always passes) or broken (always fails) makes a test fail.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from cutover import gate
from cutover.cli import app
from cutover.evidence.model import Check, RunMetadata, SiteEvidence, SiteInfo
from cutover.evidence.provenance import TOKYO

SITE = "pref-18-fukui"
DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 9, 30, tzinfo=TOKYO)


# Function-scoped on purpose: mutation testing links a function to the tests that call it, and a
# module-scoped fixture would be linked to the first test only.
@pytest.fixture
def hosts(sample_inventory) -> tuple[str, ...]:
    return tuple(e.hostname for e in sample_inventory.sites[SITE].endpoints)


@pytest.fixture
def context(sample_inventory) -> gate.Context:
    return gate.Context.for_site(sample_inventory, SITE, DAY)


def check(id_, status="pass", host=None, source="ansible", area=None, message=None, **data) -> Check:
    return Check(id=id_, title_ja=id_, title_en=id_, area=area or id_.split(".")[0], status=status,
                 message=message or id_, source=source, host=host, data=data, timestamp=NOW)


def evidence(checks, *, site_id=SITE, as_of=DAY, generated_at=NOW, revision=None, endpoints=None,
             inventory=None) -> SiteEvidence:
    return SiteEvidence(
        run=RunMetadata(generated_at=generated_at, as_of=as_of, tool_version="t", operator="tester", host="ci",
                        inventory_revision=revision or inventory.revision),
        site=SiteInfo(id=site_id, name_ja="福井県本部", name_en="Fukui", wave=0, wave_start=None,
                      identity_mode="hybrid", endpoints=len(inventory.sites[SITE].endpoints) if endpoints is None
                      else endpoints, addresses=0),
        checks=list(checks))


def good_checks(hosts, mode="stack-export") -> list[Check]:
    """Deployed evidence on which every condition holds."""
    checks = [
        check("migration.verify.shared"), check("migration.final_pass.shared"),
        check("cloud.backup", source="pulumi", mode=mode, message="backed up: shared"),
        check("cloud.storage-min-tls-1-2", source="pulumi", enforcement="mandatory", mode=mode),
        check("cloud.manual.entra-kerberos-admin-consent", source="inventory", confirmed_by="Sato"),
        check("mail.survey.answered", source="survey"),
    ]
    for host in hosts:
        checks += [check("fileshare.tcp445", host=host), check("ngav.installed_healthy", host=host),
                   check("testinfra.test_ngav_running", host=host, source="testinfra", area="ngav")]
    return checks


def results(doc: SiteEvidence, context: gate.Context) -> dict[str, str]:
    return {c.id: c.result for c in gate.evaluate(doc, context)}


def only_unmet(doc: SiteEvidence, context: gate.Context) -> set[str]:
    return {k for k, v in results(doc, context).items() if v != "pass"}


def replace(checks, key, new):
    return [new if c.key == key else c for c in checks]


def test_every_condition_holds_on_deployed_evidence(sample_inventory, hosts, context):
    doc = evidence(good_checks(hosts), inventory=sample_inventory)
    assert set(results(doc, context).values()) == {"pass"}
    assessment = gate.assess(doc, context)
    assert assessment.verdict is gate.Verdict.GO and assessment.readiness is gate.Readiness.READY
    assert gate.passed(assessment.conditions) and assessment.site_id == SITE and assessment.unmet == []


def test_backup_policies_named_like_the_backup_check_do_not_stand_for_it(sample_inventory, hosts, context):
    """cloud.backup-vault-protected (not applicable without a vault) is a policy, not the backup evidence."""
    policies = [check("cloud.backup-vault-protected", "not_applicable", source="pulumi", enforcement="mandatory"),
                check("cloud.backup-retention-bounds", source="pulumi", enforcement="mandatory")]
    doc = evidence(good_checks(hosts) + policies, inventory=sample_inventory)
    assert results(doc, context)["backups-exist"] == "pass"
    without = [c for c in good_checks(hosts) if c.id != "cloud.backup"] + policies
    assert results(evidence(without, inventory=sample_inventory), context)["backups-exist"] == "fail"


def test_context_holds_the_sites_pcs_and_the_inventory_revision(sample_inventory, hosts):
    context = gate.Context.for_site(sample_inventory, SITE, DAY, max_age_days=3)
    assert context.hosts == hosts and len(hosts) == 13
    assert (context.site_id, context.inventory_revision, context.today, context.max_age_days) == (
        SITE, sample_inventory.revision, DAY, 3)
    assert gate.Context.for_site(sample_inventory, SITE, DAY).max_age_days == gate.DEFAULT_MAX_AGE_DAYS == 7
    assert gate.Context.for_site(sample_inventory, "pref-99-nowhere", DAY).hosts == ()  # a file of no known site


def test_why_names_each_failing_check(sample_inventory, hosts, context):
    checks = [*good_checks(hosts), check("migration.verify.archive", "fail", message="3 files differ"),
              check("migration.verify.photos", "error", message="share unreachable")]
    why = {c.id: c.why for c in gate.evaluate(evidence(checks, inventory=sample_inventory), context)}
    assert why["verification-matched"] == ("migration.verify.archive: 3 files differ; "
                                           "migration.verify.photos: share unreachable")


def test_conditions_are_all_there(sample_inventory, hosts, context):
    doc = evidence(good_checks(hosts), inventory=sample_inventory)
    assert list(results(doc, context)) == [
        "evidence-for-site", "evidence-fresh", "inventory-current", "evidence-complete", "verification-matched",
        "final-pass-succeeded", "backups-exist", "manual-steps-done", "pcs-ready", "pcs-verified", "policies-pass"]


def test_plan_only_backups_are_go_on_plan_never_go(sample_inventory, hosts, context):
    doc = evidence(good_checks(hosts, mode="offline-plan"), inventory=sample_inventory)
    assert results(doc, context)["backups-exist"] == "on_plan"
    assert {c.id: c.why for c in gate.evaluate(doc, context)}["backups-exist"] == (
        "only planned (backed up: shared): deploy, then run the gate on deployed evidence (pulumi stack export)")
    assert only_unmet(doc, context) == {"backups-exist"}
    assessment = gate.assess(doc, context)
    assert assessment.verdict is gate.Verdict.GO_ON_PLAN and not gate.passed(assessment.conditions)
    assert assessment.readiness is gate.Readiness.READY_ON_PLAN
    without_mode = [c.model_copy(update={"data": {}}) if c.id == "cloud.backup" else c for c in good_checks(hosts)]
    assert results(evidence(without_mode, inventory=sample_inventory), context)["backups-exist"] == "on_plan"


def test_on_plan_and_a_failure_is_no_go(sample_inventory, hosts, context):
    checks = replace(good_checks(hosts, mode="offline-plan"), "migration.final_pass.shared",
                     check("migration.final_pass.shared", "fail"))
    assert gate.assess(evidence(checks, inventory=sample_inventory), context).verdict is gate.Verdict.NO_GO


def _without(checks, prefix):
    return [c for c in checks if not c.id.startswith(prefix)]


FAILING = {
    # condition: (evidence that fails it, built from the good checks c and the site's PCs h; the gate's why)
    "verification-matched": [
        (lambda c, h: replace(c, "migration.verify.shared",
                              check("migration.verify.shared", "fail", message="3 differ")),
         lambda h: "migration.verify.shared: 3 differ"),
        (lambda c, h: _without(c, "migration.verify"), lambda h: "no migration verification evidence"),
        (lambda c, h: replace(c, "migration.verify.shared", check("migration.verify.shared", "not_applicable")),
         lambda h: "no migration verification evidence"),
        (lambda c, h: [*c, check("migration.verify.archive", "error", message="unreachable")],
         lambda h: "migration.verify.archive: unreachable"),
    ],
    "final-pass-succeeded": [
        (lambda c, h: replace(c, "migration.final_pass.shared", check("migration.final_pass.shared", "fail",
                                                                      message="rolled back")),
         lambda h: "migration.final_pass.shared: rolled back"),
        (lambda c, h: _without(c, "migration.final_pass"), lambda h: "no final pass evidence"),
    ],
    "backups-exist": [
        (lambda c, h: _without(c, "cloud.backup"), lambda h: "no cloud evidence"),  # missing backup
        (lambda c, h: replace(c, "cloud.backup", check("cloud.backup", "fail", source="pulumi", mode="stack-export",
                                                       message="no share of this site is backed up")),
         lambda h: "cloud.backup: no share of this site is backed up"),
    ],
    "manual-steps-done": [
        (lambda c, h: replace(c, "cloud.manual.entra-kerberos-admin-consent",
                              check("cloud.manual.entra-kerberos-admin-consent", "manual", source="pulumi")),
         lambda h: "not recorded as done: entra-kerberos-admin-consent"),
        (lambda c, h: [*c, check("cloud.manual.entra-kerberos-mfa-exclusion", "manual", source="pulumi"),
                       check("cloud.manual.cloud-only-directory-acls", "manual", source="pulumi")],
         lambda h: "not recorded as done: entra-kerberos-mfa-exclusion, cloud-only-directory-acls"),
    ],
    "pcs-ready": [
        # an unreachable PC (area endpoint)
        (lambda c, h: [*c, check("endpoint.reachable", "error", host=h[0], area="endpoint")],
         lambda h: f"not ready: {h[0]}"),
        (lambda c, h: replace(c, f"fileshare.tcp445@{h[1]}", check("fileshare.tcp445", "fail", host=h[1])),
         lambda h: f"not ready: {h[1]}"),
        (lambda c, h: [*c, check("ngav.old_av_absent", "fail", host=h[2]), check("ngav.old_av_absent", "error",
                                                                                host=h[3])],
         lambda h: f"not ready: {h[2]}, {h[3]}"),
        (lambda c, h: [x for x in c if x.key != f"fileshare.tcp445@{h[3]}"],  # a PC with no readiness evidence
         lambda h: f"not ready: {h[3]}"),
        (lambda c, h: [x for x in c if not x.id.startswith("fileshare.")],
         lambda h: "no file-share readiness evidence from the PCs"),
    ],
    "pcs-verified": [
        (lambda c, h: [*c, check("testinfra.test_office_supported", "fail", host=h[0], source="testinfra",
                                 area="office")],
         lambda h: f"verification fails on {h[0]}"),
        (lambda c, h: [*c, check("testinfra.test_mail_days", "error", host=h[1], source="testinfra", area="mail"),
                       check("testinfra.test_mail_days", "fail", host=h[2], source="testinfra", area="mail")],
         lambda h: f"verification fails on {h[1]}, {h[2]}"),
        (lambda c, h: [x for x in c if x.key not in (f"testinfra.test_ngav_running@{h[2]}",
                                                     f"testinfra.test_ngav_running@{h[4]}")],  # PCs never verified
         lambda h: f"not verified: {h[2]}, {h[4]}"),
        (lambda c, h: [*[x for x in c if x.key != f"testinfra.test_ngav_running@{h[2]}"],
                       check("testinfra.test_office_supported", "fail", host=h[0], source="testinfra", area="office")],
         lambda h: f"verification fails on {h[0]}; not verified: {h[2]}"),
    ],
    "policies-pass": [
        (lambda c, h: [*c, check("cloud.storage-network-default-deny", "fail", source="pulumi",
                                 enforcement="mandatory"), check("cloud.storage-defender", "fail", source="pulumi",
                                                                 enforcement="advisory")],
         lambda h: "cloud.storage-network-default-deny"),
        (lambda c, h: [*c, check("cloud.storage-https-only", "error", source="pulumi"),  # unknown enforcement
                       check("cloud.storage-min-tls", "fail", source="pulumi", enforcement="mandatory")],
         lambda h: "cloud.storage-https-only; cloud.storage-min-tls"),
    ],
}


@pytest.mark.parametrize(("condition", "index"), [(k, i) for k, v in FAILING.items() for i in range(len(v))])
def test_evidence_built_to_fail_a_condition_fails_it_alone(condition, index, sample_inventory, hosts, context):
    build, why = FAILING[condition][index]
    doc = evidence(build(good_checks(hosts), hosts), inventory=sample_inventory)
    conditions = {c.id: c for c in gate.evaluate(doc, context)}
    assert {k for k, c in conditions.items() if not c.passed} == {condition}
    assert (conditions[condition].result, conditions[condition].why) == ("fail", why(hosts))
    assert gate.assess(doc, context).verdict is gate.Verdict.NO_GO


def test_why_of_every_condition_on_good_evidence(sample_inventory, hosts, context):
    doc = evidence([*good_checks(hosts), check("migration.verify.archive", "not_applicable")],
                   inventory=sample_inventory)
    assert {c.id: c.why for c in gate.evaluate(doc, context)} == {
        "evidence-for-site": "evidence is for pref-18-fukui",
        "evidence-fresh": "as of 2026-11-24, collected 2026-11-24 (within 7 day(s))",
        "inventory-current": f"inventory revision {sample_inventory.revision}",
        "evidence-complete": "every source and every PC",
        "verification-matched": "matched",  # a not_applicable share does not count against it
        "final-pass-succeeded": "succeeded",
        "backups-exist": "backed up: shared",
        "manual-steps-done": "1 step(s) recorded as done",
        "pcs-ready": "all ready",
        "pcs-verified": "13 PC(s) verified",
        "policies-pass": "all mandatory policies pass",
    }


def test_empty_evidence_fails_every_condition_with_its_reason(sample_inventory, context):
    doc = evidence([], inventory=sample_inventory)
    why = {c.id: (c.result, c.why) for c in gate.evaluate(doc, context)}
    assert why["verification-matched"] == ("fail", "no migration verification evidence")
    assert why["backups-exist"] == ("fail", "no cloud evidence")
    assert why["manual-steps-done"] == ("fail", "no cloud evidence")
    assert why["policies-pass"] == ("fail", "no cloud evidence")
    assert why["pcs-ready"] == ("fail", "no file-share readiness evidence from the PCs")
    assert why["pcs-verified"] == ("fail", "no independent verification evidence (cutover verify / testinfra)")
    assert why["evidence-complete"][1].startswith("no pulumi evidence; no ansible evidence; no testinfra evidence; "
                                                  "no survey evidence; 13 PC(s) of the inventory without evidence: ")
    assert why["evidence-complete"][1].endswith(" …")  # more than ten PCs missing


def test_a_condition_is_only_what_the_gate_knows():
    with pytest.raises(ValueError, match="not a gate condition: 'evidence-fresh' 'XXfailXX' 'why'"):
        gate.Condition("evidence-fresh", "XXfailXX", "why")
    with pytest.raises(ValueError):
        gate.Condition("evidence-fresh", "fail", "")
    with pytest.raises(ValueError):
        gate.Condition("no-such-condition", "pass", "why")
    condition = gate.Condition("pcs-ready", "on_plan", "why")
    assert (condition.title_en, condition.title_ja) == gate.CONDITIONS["pcs-ready"] and not condition.passed


def test_waived_pc_does_not_block(sample_inventory, hosts, context):
    checks = [*good_checks(hosts), check("endpoint.reachable", "error", host=hosts[0], area="endpoint"),
              check("inventory.waiver.endpoint-readiness", "waived", host=hosts[0], source="inventory")]
    assert only_unmet(evidence(checks, inventory=sample_inventory), context) == set()
    why = {c.id: c.why for c in gate.evaluate(evidence(checks, inventory=sample_inventory), context)}
    assert why["pcs-ready"] == f"all ready or waived ({hosts[0]})"
    expired = [*good_checks(hosts), check("endpoint.reachable", "error", host=hosts[0], area="endpoint"),
               check("inventory.waiver.endpoint-readiness", "fail", host=hosts[0], source="inventory")]
    assert only_unmet(evidence(expired, inventory=sample_inventory), context) == {"pcs-ready"}


def test_endpoint_checks_have_their_own_area_and_block_a_pc(sample_inventory, hosts, context):
    checks = [*good_checks(hosts), check("endpoint.task_failed", "error", host=hosts[0], area="endpoint")]
    assert only_unmet(evidence(checks, inventory=sample_inventory), context) == {"pcs-ready"}
    office = [*good_checks(hosts), check("office.support", "fail", host=hosts[0], area="office")]
    assert "pcs-ready" not in only_unmet(evidence(office, inventory=sample_inventory), context)  # not a PC blocker


def test_an_unreachable_pc_need_not_be_verified_it_is_already_not_ready(sample_inventory, hosts, context):
    checks = [c for c in good_checks(hosts) if c.key != f"testinfra.test_ngav_running@{hosts[0]}"]
    checks.append(check("endpoint.reachable", "error", host=hosts[0], area="endpoint"))
    assert only_unmet(evidence(checks, inventory=sample_inventory), context) == {"pcs-ready"}


def test_a_failing_verification_without_a_pc_still_fails(sample_inventory, hosts, context):
    checks = [*good_checks(hosts), check("testinfra.test_share", "fail", source="testinfra", area="fileshare")]
    why = {c.id: c.why for c in gate.evaluate(evidence(checks, inventory=sample_inventory), context)}
    assert why["pcs-verified"] == "verification fails on -"


@pytest.mark.parametrize(("missing", "listed", "more"), [(10, 10, False), (11, 10, True)])
def test_at_most_ten_missing_pcs_are_named(missing, listed, more, sample_inventory, hosts, context):
    checks = [c for c in good_checks(hosts) if c.host not in hosts[:missing]]
    why = {c.id: c.why for c in gate.evaluate(evidence(checks, inventory=sample_inventory), context)}[
        "evidence-complete"]
    assert why == (f"{missing} PC(s) of the inventory without evidence: {', '.join(hosts[:listed])}"
                   + (" …" if more else ""))


def test_advisory_policy_failure_does_not_block_the_gate(sample_inventory, hosts, context):
    checks = [*good_checks(hosts), check("cloud.storage-defender", "fail", source="pulumi", enforcement="advisory")]
    doc = evidence(checks, inventory=sample_inventory)
    assert only_unmet(doc, context) == set()
    assessment = gate.assess(doc, context)  # … but the failing check keeps the site from being ready
    assert assessment.verdict is gate.Verdict.GO and assessment.readiness is gate.Readiness.NOT_READY


@pytest.mark.parametrize("status", ["fail", "error", "manual"])
def test_a_blocking_check_keeps_the_site_not_ready_though_the_gate_says_go(status, sample_inventory, hosts, context):
    checks = [*good_checks(hosts), check("office.support", status, host=hosts[4])]
    assessment = gate.assess(evidence(checks, inventory=sample_inventory), context)
    assert assessment.verdict is gate.Verdict.GO
    assert assessment.readiness is gate.Readiness.NOT_READY and [c.status for c in assessment.blockers] == [status]


@pytest.mark.parametrize("status", ["pass", "waived", "not_applicable"])
def test_non_blocking_statuses_keep_the_site_ready(status, sample_inventory, hosts, context):
    checks = [*good_checks(hosts), check("office.support", status, host=hosts[4])]
    assert gate.assess(evidence(checks, inventory=sample_inventory), context).readiness is gate.Readiness.READY


# ---- trust: site, freshness, inventory revision, completeness -------------------------------------------------


def test_foreign_evidence_is_no_go(sample_inventory, hosts, context):
    doc = evidence(good_checks(hosts), site_id="pref-36-tokushima", inventory=sample_inventory)
    assert only_unmet(doc, context) == {"evidence-for-site"}
    assert "pref-36-tokushima, not pref-18-fukui" in {c.id: c for c in gate.evaluate(doc, context)}[
        "evidence-for-site"].why


@pytest.mark.parametrize(("as_of", "generated", "fresh"), [
    (DAY, NOW, True),
    (DAY - dt.timedelta(days=7), NOW - dt.timedelta(days=7), True),  # exactly the maximum age
    (DAY - dt.timedelta(days=8), NOW, False),  # judged on an old day
    (DAY, NOW - dt.timedelta(days=8), False),  # collected long ago, as-of edited
    (DAY - dt.timedelta(days=730), NOW - dt.timedelta(days=730), False),  # two years old
    (DAY + dt.timedelta(days=1), NOW, False),  # judged on a day after the gate's
])
def test_stale_evidence_is_no_go(as_of, generated, fresh, sample_inventory, hosts, context):
    doc = evidence(good_checks(hosts), as_of=as_of, generated_at=generated, inventory=sample_inventory)
    assert only_unmet(doc, context) == (set() if fresh else {"evidence-fresh"})


def test_freshness_is_configurable_and_judged_in_tokyo(sample_inventory, hosts):
    # 2026-11-16 23:30 UTC is 2026-11-17 08:30 in Tokyo: exactly 7 days before the gate's day, not 8
    doc = evidence(good_checks(hosts), as_of=dt.date(2026, 11, 17),
                   generated_at=dt.datetime(2026, 11, 16, 23, 30, tzinfo=dt.UTC), inventory=sample_inventory)
    assert only_unmet(doc, gate.Context.for_site(sample_inventory, SITE, DAY)) == set()
    assert only_unmet(doc, gate.Context.for_site(sample_inventory, SITE, DAY, max_age_days=6)) == {"evidence-fresh"}


def test_evidence_of_another_inventory_revision_is_no_go(sample_inventory, hosts, context):
    doc = evidence(good_checks(hosts), revision="0000000000000000", inventory=sample_inventory)
    assert only_unmet(doc, context) == {"inventory-current"}
    [condition] = [c for c in gate.evaluate(doc, context) if c.id == "inventory-current"]
    assert (condition.result, condition.why) == (
        "fail", f"inventory revision 0000000000000000, the inventory is now {sample_inventory.revision}; collect again")


def test_why_of_stale_and_future_evidence(sample_inventory, hosts, context):
    old = evidence(good_checks(hosts), as_of=dt.date(2024, 11, 24), generated_at=NOW - dt.timedelta(days=731),
                   inventory=sample_inventory)
    future = evidence(good_checks(hosts), as_of=dt.date(2026, 11, 25), inventory=sample_inventory)
    why = {c.id: (c.result, c.why) for c in gate.evaluate(old, context)}["evidence-fresh"]
    assert why == ("fail", "as of 2024-11-24, collected 2024-11-23: older than 7 day(s) before 2026-11-24; "
                           "collect again")
    why = {c.id: (c.result, c.why) for c in gate.evaluate(future, context)}["evidence-fresh"]
    assert why == ("fail", "judged on 2026-11-25, after the gate's day 2026-11-24")


@pytest.mark.parametrize("damage", [
    lambda c, h: [x for x in c if x.source != "pulumi"] + [check("cloud.backup", source="inventory",
                                                                 mode="stack-export")],
    lambda c, h: [x.model_copy(update={"source": "ansible"}) if x.source == "testinfra" else x for x in c],
    lambda c, h: [x for x in c if x.source != "survey"],
])
def test_evidence_missing_a_source_is_incomplete(damage, sample_inventory, hosts, context):
    doc = evidence(damage(good_checks(hosts), hosts), inventory=sample_inventory)
    assert "evidence-complete" in only_unmet(doc, context)


def test_evidence_missing_a_pc_of_the_inventory_is_incomplete(sample_inventory, hosts, context):
    checks = [c for c in good_checks(hosts) if c.host not in (hosts[5], hosts[6])]
    conditions = {c.id: c for c in gate.evaluate(evidence(checks, inventory=sample_inventory), context)}
    assert {k for k, c in conditions.items() if not c.passed} == {"evidence-complete", "pcs-ready", "pcs-verified"}
    assert conditions["evidence-complete"].why == f"2 PC(s) of the inventory without evidence: {hosts[5]}, {hosts[6]}"
    wrong_count = evidence(good_checks(hosts), endpoints=len(hosts) - 1, inventory=sample_inventory)
    assert only_unmet(wrong_count, context) == {"evidence-complete"}
    assert {c.id: c.why for c in gate.evaluate(wrong_count, context)}["evidence-complete"] == (
        "evidence counts 12 PCs, the inventory 13")


# ---- the command ---------------------------------------------------------------------------------------------


def gate_cli(folder, site="18", *extra):
    return CliRunner().invoke(app, ["gate", site, "--evidence", str(folder), "--as-of", DAY.isoformat(), *extra])


def test_gate_cli_exit_codes(tmp_path, sample_inventory, hosts):
    path = tmp_path / f"{SITE}.json"
    path.write_text(evidence(good_checks(hosts), inventory=sample_inventory).model_dump_json(), encoding="utf-8")
    result = gate_cli(tmp_path)
    assert result.exit_code == 0 and f"go for {SITE}" in result.stdout, result.output
    path.write_text(evidence(good_checks(hosts, "offline-plan"), inventory=sample_inventory).model_dump_json(),
                    encoding="utf-8")
    result = gate_cli(tmp_path)
    assert result.exit_code == 3 and "go on plan" in result.stdout and "deployed evidence" in result.stdout
    path.write_text(evidence(good_checks(hosts)[1:], inventory=sample_inventory).model_dump_json(), encoding="utf-8")
    result = gate_cli(tmp_path)
    assert result.exit_code == 1 and "no-go" in result.stdout and "verification-matched" in result.stdout
    assert gate_cli(tmp_path, "36").exit_code == 1  # no evidence file at all
    assert gate_cli(tmp_path, "99").exit_code == 2  # no such site
    bad_day = CliRunner().invoke(app, ["gate", "18", "--evidence", str(tmp_path), "--as-of", "2026/01/01"])
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.output and "Traceback" not in bad_day.output


def test_renamed_two_year_old_evidence_of_another_site_is_no_go(tmp_path, sample_inventory, hosts):
    """Reproduces the report: another site's two-year-old evidence renamed to pref-18-fukui.json gave go, exit 0."""
    old = evidence(good_checks(hosts), site_id="pref-36-tokushima", as_of=DAY - dt.timedelta(days=730),
                   generated_at=NOW - dt.timedelta(days=730), inventory=sample_inventory)
    (tmp_path / f"{SITE}.json").write_text(old.model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["gate", "18", "--evidence", str(tmp_path)])  # judged today
    assert result.exit_code == 1, result.output
    assert "evidence-for-site" in result.stdout and "evidence-fresh" in result.stdout


def test_gate_cli_max_age_option(tmp_path, sample_inventory, hosts):
    doc = evidence(good_checks(hosts), as_of=DAY - dt.timedelta(days=3), generated_at=NOW - dt.timedelta(days=3),
                   inventory=sample_inventory)
    (tmp_path / f"{SITE}.json").write_text(doc.model_dump_json(), encoding="utf-8")
    assert gate_cli(tmp_path).exit_code == 0
    assert gate_cli(tmp_path, "18", "--max-age-days", "2").exit_code == 1


def test_gate_cli_refuses_evidence_that_is_not_the_schema(tmp_path, sample_inventory, hosts):
    doc = json.loads(evidence(good_checks(hosts), inventory=sample_inventory).model_dump_json())
    doc["schema_version"] = "1.0"
    (tmp_path / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    result = gate_cli(tmp_path)
    assert result.exit_code == 2 and "does not match the evidence schema" in result.output

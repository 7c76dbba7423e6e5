"""The cutover gate: go only when every condition holds; missing evidence is a no-go."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from cutover import gate
from cutover.cli import app
from cutover.evidence.model import Check, RunMetadata, SiteEvidence, SiteInfo

NOW = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)


def check(id_, status, host=None, **data):
    return Check(id=id_, title_ja=id_, title_en=id_, area=id_.split(".")[0], status=status, message=id_,
                 source="ansible", host=host, data=data, timestamp=NOW)


def evidence(*checks):
    return SiteEvidence(run=RunMetadata(generated_at=NOW, as_of=NOW.date(), tool_version="t", inventory_revision="r"),
                        site=SiteInfo(id="pref-18-fukui", name_ja="福井県本部", name_en="Fukui", wave=0,
                                      wave_start=None, identity_mode="hybrid", endpoints=2, addresses=0),
                        checks=list(checks))


GOOD = [
    check("migration.verify.shared", "pass"), check("migration.final_pass.shared", "pass"),
    check("cloud.backup", "pass"), check("cloud.storage-min-tls-1-2", "pass", enforcement="mandatory"),
    check("fileshare.tcp445", "pass", host="P18-DT-001"), check("fileshare.tcp445", "pass", host="P18-DT-002"),
]


def test_all_conditions_met_is_a_go():
    assert gate.passed(gate.evaluate(evidence(*GOOD)))


def test_mismatch_blocks_the_gate():
    bad = [c if c.id != "migration.verify.shared" else check("migration.verify.shared", "fail") for c in GOOD]
    conditions = {c.id: c for c in gate.evaluate(evidence(*bad))}
    assert not conditions["verification-matched"].passed


def test_missing_evidence_is_a_no_go_not_a_pass():
    conditions = {c.id: c for c in gate.evaluate(evidence(check("cloud.backup", "pass")))}
    assert not conditions["verification-matched"].passed and "no migration" in conditions["verification-matched"].why
    assert not conditions["pcs-ready"].passed and not conditions["final-pass-succeeded"].passed


def test_unready_pc_blocks_unless_waived():
    unready = [*GOOD, check("fileshare.tcp445", "fail", host="P18-DT-009")]
    assert not {c.id: c for c in gate.evaluate(evidence(*unready))}["pcs-ready"].passed
    waived = [*unready, check("inventory.waiver.endpoint-readiness", "waived", host="P18-DT-009")]
    assert {c.id: c for c in gate.evaluate(evidence(*waived))}["pcs-ready"].passed


def test_mandatory_policy_failure_blocks():
    failing = [*GOOD, check("cloud.storage-network-default-deny", "fail", enforcement="mandatory")]
    assert not {c.id: c for c in gate.evaluate(evidence(*failing))}["policies-pass"].passed
    advisory = [*GOOD, check("cloud.storage-defender", "fail", enforcement="advisory")]
    assert {c.id: c for c in gate.evaluate(evidence(*advisory))}["policies-pass"].passed


def test_gate_cli_exit_codes(tmp_path):
    (tmp_path / "pref-18-fukui.json").write_text(evidence(*GOOD).model_dump_json(), encoding="utf-8")
    assert CliRunner().invoke(app, ["gate", "18", "--evidence", str(tmp_path)]).exit_code == 0
    (tmp_path / "pref-18-fukui.json").write_text(evidence(*GOOD[1:]).model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["gate", "18", "--evidence", str(tmp_path)])
    assert result.exit_code == 1 and "no-go" in result.stdout
    assert CliRunner().invoke(app, ["gate", "36", "--evidence", str(tmp_path)]).exit_code == 1

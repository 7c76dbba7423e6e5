"""`cutover verify SITE [--twin DIR]`: exit 0 all verified, 1 naming each PC and check that fails, 2 on bad input."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from cutover.cli import app
from cutover.cli.common import ExitCode
from tests.verify.conftest import SITE, edit
from tests.verify.test_sabotage import stop_ngav

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, ["verify", *args], env={"COLUMNS": "250"})
    return result, " ".join(result.output.split())


def test_all_verified_is_exit_0_and_writes_junit_and_json(fleet_copy, tmp_path):
    out = tmp_path / "out"
    result, output = run("18", "--twin", str(fleet_copy), "--out", str(out), "--as-of", "2026-11-24")
    assert result.exit_code == ExitCode.OK, output
    assert "all verified" in output and "14 host(s)" in output
    assert (out / f"{SITE}.xml").read_text(encoding="utf-8").count("<testcase") > 50
    document = json.loads((out / f"{SITE}.json").read_text(encoding="utf-8"))
    assert document["summary"]["fail"] == 0 and document["summary"]["error"] == 0
    assert {f["host"] for f in document["findings"]} >= {"P18-DT-001", "DC-FS01"}


def test_findings_are_exit_1_naming_each_pc_and_check(fleet_copy, tmp_path):
    edit(fleet_copy, "P18-DT-003", stop_ngav)
    edit(fleet_copy, "P18-NB-004", stop_ngav)
    result, output = run("pref-18-fukui", "--twin", str(fleet_copy), "--out", str(tmp_path / "out"),
                         "--as-of", "2026-11-24", "--area", "ngav")
    assert result.exit_code == ExitCode.FINDINGS, output
    cells = output.replace("│", " ").split()
    rows = {(cells[i], cells[i + 1], cells[i + 2]) for i in range(len(cells) - 2) if cells[i].startswith("P18-")}
    assert ("P18-DT-003", "ngav.services_running", "fail") in rows
    assert ("P18-NB-004", "ngav.services_running", "fail") in rows
    assert not any(host == "P18-DT-001" for host, _, _ in rows)


def test_json_output_lists_what_fails(fleet_copy, tmp_path):
    edit(fleet_copy, "P18-DT-003", stop_ngav)
    result, _ = run("18", "--twin", str(fleet_copy), "--out", str(tmp_path / "out"), "--as-of", "2026-11-24",
                    "--limit", "P18-DT-003,P18-DT-001", "--format", "json")
    assert result.exit_code == ExitCode.FINDINGS
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [(f["host"], f["check"]) for f in document["failing"]] == [("P18-DT-003", "ngav.services_running")]


@pytest.mark.parametrize("args, complaint", [
    (["--twin", "{missing}"], "no twin fleet for pref-18-fukui"),
    (["--area", "ngav,antivirus"], "unknown area antivirus"),
    (["--limit", "P13-DT-001"], "P13-DT-001 not in pref-18-fukui"),
])
def test_bad_input_is_exit_2_and_writes_nothing(args, complaint, fleet_copy, tmp_path):
    out = tmp_path / "out"
    args = [a.replace("{missing}", str(tmp_path / "nowhere")) for a in args]
    result, output = run("18", "--out", str(out), *(args if "--twin" in args else ["--twin", str(fleet_copy), *args]))
    assert result.exit_code == ExitCode.BAD_INPUT, output
    assert complaint in output and "Traceback" not in output
    assert not out.exists()


def test_a_fleet_lacking_a_pc_of_the_inventory_is_bad_input(fleet_copy, tmp_path):
    (fleet_copy / SITE / "P18-DT-002.json").unlink()
    result, output = run("18", "--twin", str(fleet_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "has no twin PC P18-DT-002" in output


def test_a_setting_verify_cannot_mirror_is_bad_input(inventory_copy, fleet_copy, tmp_path):
    (inventory_copy / "group_vars" / "all" / "mail.yml").write_text('mail_client_days: "{{ days }}"\n',
                                                                      encoding="utf-8")
    out = tmp_path / "out"
    result, output = run("18", "--twin", str(fleet_copy), "--out", str(out), "--inventory", str(inventory_copy))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "mail.yml: mail_client_days" in output
    assert not out.exists()


def test_another_site_is_not_verified_from_this_fleet(fleet_copy, tmp_path):
    shutil.copytree(fleet_copy / SITE, fleet_copy / "pref-36-tokushima")
    result, output = run("36", "--twin", str(fleet_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.BAD_INPUT and "has no twin PC" in output

"""Ordinary mistakes get one clear line and exit 2, never a traceback and never exit 1 (a verdict)."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import assert_bad_input, cli, files_under

FUKUI = "pref-18-fukui.json"


def test_report_names_an_evidence_file_that_is_not_utf8(evidence_dir, tmp_path):
    (evidence_dir / FUKUI).write_bytes((evidence_dir / FUKUI).read_bytes().replace(
        "福井".encode(), "福井".encode("cp932")))
    result, output = cli("report", "--evidence", evidence_dir, "--out", tmp_path / "report")
    assert_bad_input(result, output, FUKUI, "not UTF-8")
    assert files_under(tmp_path / "report") == []


def test_gate_on_evidence_that_is_not_utf8_is_bad_input_not_a_no_go(evidence_dir):
    (evidence_dir / FUKUI).write_bytes(b"\xff\xfe" + (evidence_dir / FUKUI).read_bytes())
    result, output = cli("gate", "18", "--evidence", evidence_dir)
    assert_bad_input(result, output, FUKUI, "not UTF-8")


def test_evidence_with_a_byte_order_mark_is_read(evidence_dir, tmp_path):
    (evidence_dir / FUKUI).write_bytes(b"\xef\xbb\xbf" + (evidence_dir / FUKUI).read_bytes())
    result, output = cli("report", "--evidence", evidence_dir, "--out", tmp_path / "report")
    assert result.exit_code == 0, output
    result, output = cli("gate", "18", "--evidence", evidence_dir)
    assert result.exit_code == 1 and "no-go for pref-18-fukui" in output  # a verdict on the evidence it read


def test_report_names_the_evidence_file_that_fails_validation(evidence_dir, tmp_path):
    doc = json.loads((evidence_dir / FUKUI).read_text(encoding="utf-8"))
    doc["checks"][0]["status"] = "maybe"
    (evidence_dir / "pref-36-tokushima.json").write_text(json.dumps(doc), encoding="utf-8")
    result, output = cli("report", "--evidence", evidence_dir, "--out", tmp_path / "report")
    assert_bad_input(result, output, "pref-36-tokushima.json", "checks.0.status")
    assert files_under(tmp_path / "report") == []


def test_a_check_this_version_does_not_know_is_bad_input_not_a_crash(evidence_dir, tmp_path):
    # evidence from a newer collector (or edited by hand): the report weighs every check by its impact
    doc = json.loads((evidence_dir / FUKUI).read_text(encoding="utf-8"))
    doc["checks"][2]["id"] = "quantum.entanglement"
    (evidence_dir / FUKUI).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result, output = cli("report", "--evidence", evidence_dir, "--out", tmp_path / "report")
    assert_bad_input(result, output, FUKUI, "checks[2].id: 'quantum.entanglement'")
    assert files_under(tmp_path / "report") == []


@pytest.mark.parametrize("site_id", ["../../x", "../escaped", "/tmp/absolute", "pref-18-fukui/../../x"])
def test_a_site_id_that_is_a_path_is_refused_and_nothing_escapes(evidence_dir, tmp_path, site_id):
    doc = json.loads((evidence_dir / FUKUI).read_text(encoding="utf-8"))
    doc["site"]["id"] = site_id
    (evidence_dir / FUKUI).write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "deep" / "er" / "report"
    result, output = cli("report", "--evidence", evidence_dir, "--out", out)
    assert_bad_input(result, output, FUKUI, "site.id")
    assert [p for p in files_under(tmp_path) if "evidence" not in p.parts] == []


def test_out_pointing_at_a_file_is_bad_input(evidence_dir, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("keep me", encoding="utf-8")
    for args in (["report", "--evidence", evidence_dir, "--out", target],
                 ["evidence", "collect", "--site", "18", "--out", target],
                 ["survey", "export", "--site", "18", "--out", target],
                 ["plan", "18", "--out", target],
                 ["twin", "build", "--site", "18", "--out", target],
                 ["rehearse", "--site", "18", "--out", target]):
        result, output = cli(*args)
        assert_bad_input(result, output, f"{target} is a file, not a folder; give a folder")
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_below_a_file_is_bad_input(evidence_dir, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("keep me", encoding="utf-8")
    result, output = cli("report", "--evidence", evidence_dir, "--out", target / "sub")
    assert_bad_input(result, output, f"cannot create {target / 'sub'}: {target} is a file")


def test_out_in_an_unwritable_place_is_bad_input(evidence_dir, unwritable_dir):
    for args in (["report", "--evidence", evidence_dir, "--out", unwritable_dir],
                 ["evidence", "collect", "--site", "18", "--out", unwritable_dir],
                 ["survey", "export", "--site", "18", "--out", unwritable_dir],
                 ["survey", "server-settings", "--site", "18", "--out", unwritable_dir / "settings.csv"]):
        result, output = cli(*args)
        assert_bad_input(result, output, str(unwritable_dir))


def test_migration_run_with_a_missing_twin_names_the_folder(tmp_path):
    result, output = cli("migration", "run", "--site", "18", "--twin", tmp_path / "no-such-fleet",
                         "--out", tmp_path / "live")
    assert_bad_input(result, output, str(tmp_path / "no-such-fleet" / "pref-18-fukui"), "cutover twin build")
    assert files_under(tmp_path) == []


def test_converge_with_a_missing_twin_names_the_folder(tmp_path):
    result, output = cli("converge", "--site", "18", "--twin", tmp_path / "no-such-fleet", "--out", tmp_path / "live")
    assert_bad_input(result, output, str(tmp_path / "no-such-fleet" / "pref-18-fukui"))
    assert files_under(tmp_path) == []


MARKUP = "福井[/]県本部 [bold]x[/bold] [link=file:///etc/passwd]y"


def test_markup_in_a_site_name_is_printed_as_text(inventory_copy):
    site_yml = inventory_copy / "18-fukui" / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    site_yml.write_text(text.replace("name_ja: 福井県本部", f"name_ja: '{MARKUP}'"), encoding="utf-8")
    for args in (["inventory", "list"], ["inventory", "show", "18"]):
        result, output = cli(*args, "--inventory", inventory_copy)
        assert result.exit_code == 0, output
        assert MARKUP in output


def test_markup_in_a_check_message_is_printed_as_text(evidence_dir):
    doc = json.loads((evidence_dir / FUKUI).read_text(encoding="utf-8"))
    doc["checks"].append({**doc["checks"][0], "id": "migration.verify.shared", "area": "migration",
                          "status": "fail", "message": "[/] mismatch [red]"})
    (evidence_dir / FUKUI).write_text(json.dumps(doc), encoding="utf-8")
    result, output = cli("gate", "18", "--evidence", evidence_dir)
    assert result.exit_code == 1, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "[/] mismatch [red]" in output

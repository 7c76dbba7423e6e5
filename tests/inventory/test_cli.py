"""The inventory commands as people and pipelines use them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cutover.cli import app

runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env)


def test_validate_prints_a_summary():
    result = run("inventory", "validate")
    assert result.exit_code == 0, result.output
    assert "inventory valid" in result.output
    assert "48 sites" in result.output


def test_validate_bad_inventory_exits_2_with_file_line_and_field(inventory_copy):
    site_yml = inventory_copy / "18-fukui" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("identity_mode: hybrid", "identity_mode: x"),
                        encoding="utf-8")
    result = run("inventory", "validate", "--inventory", str(inventory_copy))
    assert result.exit_code == 2
    assert "18-fukui/site.yml line" in result.stderr
    assert "identity_mode:" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_environment_variable_selects_the_inventory(inventory_copy):
    (inventory_copy / "18-fukui" / "mail.csv").unlink()
    result = run("inventory", "validate", env={"CUTOVER_INVENTORY": str(inventory_copy)})
    assert result.exit_code == 2
    assert "18-fukui/mail.csv" in result.stderr


def test_list_json_has_one_entry_per_site(sample_inventory):
    result = run("inventory", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["site"] for r in rows] == list(sample_inventory.sites)
    fukui = next(r for r in rows if r["code"] == "18")
    site = sample_inventory.sites["pref-18-fukui"]
    assert fukui["endpoints"] == len(site.endpoints)
    assert fukui["addresses"] == len(site.mail)
    assert fukui["name_ja"] == "福井県本部"
    assert fukui["wave"] == 0


def test_list_table_for_people():
    result = run("inventory", "list")
    assert result.exit_code == 0
    assert "pref-13-tokyo" in result.output
    assert "waves:" in result.output


def test_show_accepts_every_spelling_of_a_site():
    outputs = {name: run("inventory", "show", name, "--format", "json") for name in
               ("13", "pref-13-tokyo", "13-tokyo", "tokyo")}
    assert all(r.exit_code == 0 for r in outputs.values())
    docs = [json.loads(r.stdout) for r in outputs.values()]
    assert all(d == docs[0] for d in docs)
    assert docs[0]["site"] == "pref-13-tokyo"
    assert docs[0]["config"]["code"] == "13"


def test_show_unknown_site_exits_2():
    result = run("inventory", "show", "99")
    assert result.exit_code == 2
    assert "unknown site" in result.stderr


def test_format_must_be_table_or_json():
    result = run("inventory", "list", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'table', 'json'" in " ".join(result.stderr.replace("│", " ").split())

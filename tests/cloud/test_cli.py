"""`cutover plan` and `cutover stacks sync` as platform engineers and CI run them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cutover.cli import app
from cutover.cloud import stacks

runner = CliRunner()


def test_plan_one_site_writes_a_stack_export(tmp_path):
    result = runner.invoke(app, ["plan", "18", "--as-of", "2026-11-24", "--out", str(tmp_path), "--format", "json",
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["version"] == 3
    assert doc["cutover"]["stack"] == "pref-18-fukui"
    types = {r["type"] for r in doc["deployment"]["resources"]}
    assert "azure-native:storage:StorageAccount" in types
    assert {r["status"] for r in doc["cutover"]["policy_results"]} <= {"pass", "waived", "not_applicable"}
    written = json.loads((tmp_path / "pref-18-fukui.json").read_text(encoding="utf-8"))
    assert written["cutover"]["outputs"]["storage_account"] == doc["cutover"]["outputs"]["storage_account"]
    config = json.loads((tmp_path / "pref-18-fukui.policy-config.json").read_text(encoding="utf-8"))
    assert config["backup-retention-bounds"]["dailyDays"] == 90


def test_preview_phase_and_bad_phase(tmp_path):
    result = runner.invoke(app, ["plan", "18", "--phase", "preview", "--as-of", "2026-11-24", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "pref-18-fukui.json").read_text(encoding="utf-8"))
    assert doc["cutover"]["phase"] == "preview"
    assert runner.invoke(app, ["plan", "18", "--phase", "later", "--out", str(tmp_path)]).exit_code == 2


def test_policy_config_for_a_site_needs_cores_outputs(tmp_path):
    missing = runner.invoke(app, ["policy-config", "18"])
    assert missing.exit_code == 2 and "workspace_id" in missing.stderr
    core = tmp_path / "core.json"
    core.write_text(json.dumps({"workspace_id": "/subscriptions/x/workspaces/log"}), encoding="utf-8")
    out = tmp_path / "config.json"
    result = runner.invoke(app, ["policy-config", "18", "--core-outputs", str(core), "--out", str(out)])
    assert result.exit_code == 0, result.output
    config = json.loads(out.read_text(encoding="utf-8"))
    assert config["storage-diagnostics"] == {"workspaceId": "/subscriptions/x/workspaces/log"}


def test_plan_wave_covers_core_and_the_pilot(tmp_path):
    result = runner.invoke(app, ["plan", "--wave", "0", "--as-of", "2026-11-24", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plans = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".policy-config.json"))
    assert plans == ["core.json", "pref-18-fukui.json", "pref-36-tokushima.json"]
    assert "pref-18-fukui: " in result.stdout and "Plan: 3 stack(s)" in result.stdout


def test_mandatory_failure_exits_1(inventory_copy, tmp_path):
    site_yml = inventory_copy / "18-fukui" / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    site_yml.write_text(text.replace("waivers:\n", "waivers:\n- policy: files-backup-every-share\n"
                                     "  reason: share archived elsewhere for now\n  expires: 2026-01-31\n"
                                     "  approved_by: 本部\n  scope: shared\n", 1), encoding="utf-8")
    result = runner.invoke(app, ["plan", "18", "--inventory", str(inventory_copy), "--as-of", "2026-11-24",
                                 "--out", str(tmp_path), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "pref-18-fukui:waivers-unexpired" in result.stderr


def test_unknown_stack_and_ambiguous_selection_exit_2(tmp_path):
    assert runner.invoke(app, ["plan", "99", "--out", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["plan", "18", "--all", "--out", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["plan", "--wave", "12", "--out", str(tmp_path)]).exit_code == 2


def test_committed_stack_files_are_in_sync(project_root):
    result = runner.invoke(app, ["stacks", "sync", "--check"])
    assert result.exit_code == 0, result.output
    assert len(list((project_root / "pulumi" / "stacks").glob("Pulumi.*.yaml"))) == 49


def test_stacks_sync_creates_missing_and_reports_strays(tmp_path, sample_inventory):
    report = stacks.sync(sample_inventory, tmp_path)
    assert len(report.created) == 49
    (tmp_path / "Pulumi.pref-99-atlantis.yaml").write_text("config: {}\n", encoding="utf-8")
    (tmp_path / "Pulumi.hq.yaml").unlink()
    check = runner.invoke(app, ["stacks", "sync", "--check", "--directory", str(tmp_path)])
    assert check.exit_code == 1
    assert "missing: hq" in check.stdout and "stray: pref-99-atlantis" in check.stdout
    assert not (tmp_path / "Pulumi.hq.yaml").exists()  # --check changed nothing
    fixed = stacks.sync(sample_inventory, tmp_path, prune=True)
    assert fixed.created == ["hq"] and fixed.removed == ["pref-99-atlantis"]
    assert stacks.sync(sample_inventory, tmp_path, check=True).clean

"""The file_migration role on a twin file server: dry runs, passes, verification, failures, rollback, gate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cutover import gate
from cutover.evidence.collect import Sources, collect_site
from cutover.evidence.collectors.ansible import read_facts
from cutover.runner import run_playbook
from cutover.twin import fleet
from cutover.twin import state as twin_state

SITE = "pref-18-fukui"
SOURCE = "\\\\dc-fs01\\fukui$\\shared"


@pytest.fixture
def server(sample_inventory, tmp_path):
    fleet.build_file_server(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", reuse=False)
    return tmp_path / "twin" / SITE / "fileservers"


def run(server: Path, out: Path, pass_name: str, execute: bool = False):
    return run_playbook("file-migration.yml", "file_servers", out, twin_dir=server, name=f"m-{pass_name}",
                        extravars={"file_migration_site": SITE, "file_migration_pass": pass_name,
                                   "file_migration_execute": execute})


def state(server: Path) -> dict:
    return twin_state.load(server, "DC-FS01")


def target_tree(doc: dict) -> dict:
    return next((t for k, t in doc["trees"].items() if ".file.core.windows.net" in k), {})


def checks(out: Path) -> dict[str, dict]:
    fact = read_facts(out / "facts", "DC-FS01")["cutover_migration"]
    return {c["id"]: c for c in fact["checks"] if c["data"]["site"] == SITE}


def test_dry_run_is_the_default_and_changes_nothing(server, tmp_path):
    before = state(server)
    assert not run(server, tmp_path / "run", "seed").failed
    after = state(server)
    assert (after["trees"], after["smb_shares"]) == (before["trees"], before["smb_shares"])  # only its log is new
    result = checks(tmp_path / "run")["migration.seed_dry_run.shared"]
    assert result["status"] == "pass" and "/L" in result["data"]["command_line"]
    assert "migration.seed_pass.shared" not in checks(tmp_path / "run")


def test_passes_copy_everything_and_a_second_delta_changes_nothing(server, tmp_path):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)
    source = state(server)["trees"][SOURCE.lower()]
    assert target_tree(state(server)) == source
    first = run(server, out, "delta", execute=True)
    assert first.changed == {} and checks(out)["migration.delta_pass.shared"]["data"]["rc"] == 0
    run(server, out, "final", execute=True)
    doc = state(server)
    assert all(a["right"] == "Read" for a in doc["smb_shares"]["fukui$"]["access"])  # source read-only
    assert checks(out)["migration.verify.shared"]["status"] == "pass"
    assert checks(out)["migration.final_pass.shared"]["status"] == "pass"


def test_a_failed_pass_resumes_after_the_cause_is_gone(server, tmp_path):
    out = tmp_path / "run"
    doc = state(server)
    locked = sorted(doc["trees"][SOURCE.lower()])[:2]
    doc["faults"]["open_files"] = locked
    twin_state.save(server, doc)
    run(server, out, "seed", execute=True)
    failed = checks(out)["migration.seed_pass.shared"]
    assert failed["status"] == "fail" and failed["data"]["rc"] >= 8
    assert not set(locked) & set(target_tree(state(server)))
    doc = state(server)
    doc["faults"]["open_files"] = []
    twin_state.save(server, doc)
    run(server, out, "delta", execute=True)
    assert checks(out)["migration.delta_pass.shared"]["data"]["rc"] == 1  # only the two files left
    assert set(locked) <= set(target_tree(state(server)))


def test_names_azure_refuses_are_found_before_the_seed(server, tmp_path):
    doc = state(server)
    doc["trees"][SOURCE.lower()]["全体会議\\古い資料 "] = {"size": 1, "sha256": "0", "mtime": "2020-01-01T00:00:00"}
    twin_state.save(server, doc)
    run(server, tmp_path / "run", "scan")
    scan = checks(tmp_path / "run")["migration.scan.shared"]
    assert scan["status"] == "fail" and scan["data"]["findings"][0]["kind"] == "trailing_dot_or_space"


def test_mismatch_blocks_the_gate_and_rollback_restores_write_access(server, tmp_path, sample_inventory):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)
    doc = state(server)
    tree = target_tree(doc)
    victim = sorted(tree)[0]
    tree[victim] = {**tree[victim], "sha256": "tampered", "size": tree[victim]["size"] + 1}
    doc["faults"]["open_files"] = [victim]  # the final pass cannot repair it
    twin_state.save(server, doc)
    run(server, out, "final", execute=True)
    assert checks(out)["migration.verify.shared"]["status"] == "fail"
    site = sample_inventory.sites[SITE]
    evidence = collect_site(sample_inventory, site, Sources(facts_dir=out / "facts"), dt.date(2026, 11, 24))
    context = gate.Context.for_site(sample_inventory, SITE, dt.date(2026, 11, 24))
    conditions = {c.id: c for c in gate.evaluate(evidence, context)}
    assert not conditions["verification-matched"].passed and not conditions["final-pass-succeeded"].passed
    run(server, out, "rollback")
    access = state(server)["smb_shares"]["fukui$"]["access"]
    assert {a["account"]: a["right"] for a in access} == {"Everyone": "Change", "BUILTIN\\Administrators": "Full"}
    assert checks(out)["migration.final_pass.shared"]["status"] == "fail"


def test_rollback_flag_restores_the_old_mappings_at_logon(sample_inventory, tmp_path, inventory_copy):
    site_yml = inventory_copy / "18-fukui" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8") + "cutover:\n  rollback: true\n", encoding="utf-8")
    fleet.build_site(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", reuse=False)
    run_playbook("endpoints.yml", "site_pref_18_fukui", tmp_path / "run", twin_dir=tmp_path / "twin" / SITE,
                 inventory=inventory_copy, tags="fileshare")
    pc = twin_state.load(tmp_path / "twin" / SITE, "P18-DT-001")
    config = json.loads(pc["files"]["C:\\ProgramData\\cutover\\drive-map.json"]["content"])
    assert config["rollback"] is True and config["switch_mappings"] is False
    mapping = next(m for m in config["mappings"] if m["letter"] == "S")
    assert mapping["legacy_unc"] == "\\\\dc-fs01\\fukui$\\shared" and ".file.core.windows.net" in mapping["unc"]
    assert "\\Cutover\\cutover drive mapping" in pc["scheduled_tasks"]

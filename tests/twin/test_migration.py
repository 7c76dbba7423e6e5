"""The file_migration role on a twin file server: dry runs, passes, verification, failures, rollback, gate.

The twin refuses what a real file server refuses: UNC access from a session without network
credentials, folders the account may not read, files held open; a long pass dies with a dropped
PSRP session unless it runs as an async job.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from cutover import gate
from cutover.evidence.collect import Sources, collect_site
from cutover.evidence.collectors.ansible import read_facts
from cutover.evidence.facts import RoleFact
from cutover.migration.robocopy import EXCLUDED_DIRS
from cutover.runner import run_playbook
from cutover.twin import fleet
from cutover.twin import state as twin_state

SITE = "pref-18-fukui"
SOURCE = "\\\\dc-fs01\\fukui$\\shared"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(sample_inventory, tmp_path):
    fleet.build_file_server(sample_inventory, sample_inventory.sites[SITE], tmp_path / "twin", reuse=False)
    return tmp_path / "twin" / SITE / "fileservers"


def run(server: Path, out: Path, pass_name: str, execute: bool = False, **extra):
    # A fresh runner folder per run: ansible-runner merges extra vars left in an earlier run's folder.
    name = f"m-{pass_name}-{len(list((out / 'runner').glob('m-*'))) if (out / 'runner').exists() else 0}"
    return run_playbook("file-migration.yml", "file_servers", out, twin_dir=server, name=name,
                        extravars={"file_migration_site": SITE, "file_migration_pass": pass_name,
                                   "file_migration_execute": execute, **extra})


def state(server: Path) -> dict:
    return twin_state.load(server, "DC-FS01")


def change(server: Path, fn) -> None:
    doc = state(server)
    fn(doc)
    twin_state.save(server, doc)


def target_tree(doc: dict) -> dict:
    return next((t for k, t in doc["trees"].items() if ".file.core.windows.net" in k), {})


def copied_part(tree: dict) -> dict:
    """What robocopy copies of a source tree: no /XD folders, nothing at or below a junction (/XJ)."""
    junctions = [k for k, f in tree.items() if f.get("junction")]
    return {k: f for k, f in tree.items()
            if not any(part in EXCLUDED_DIRS for part in k.split("\\")[:-1])
            and not any(k == j or k.startswith(j + "\\") for j in junctions)}


def checks(out: Path) -> dict[str, dict]:
    """The site's checks by '<id>.<share>' (the share is each check's item; the fact is the typed contract)."""
    fact = RoleFact.model_validate(read_facts(out / "facts", "DC-FS01")["cutover_migration"])
    return {f"{c.id}.{c.item}": c.model_dump() for c in fact.checks if c.data["site"] == SITE}


def test_dry_run_is_the_default_and_changes_nothing(server, tmp_path):
    before = state(server)
    assert not run(server, tmp_path / "run", "seed").failed
    after = state(server)
    assert (after["trees"], after["smb_shares"]) == (before["trees"], before["smb_shares"])  # only its log is new
    result = checks(tmp_path / "run")["migration.seed_dry_run.shared"]
    assert result["status"] == "pass" and result["data"]["command_line"].endswith(" /L")
    assert "migration.seed_pass.shared" not in checks(tmp_path / "run")


def test_passes_copy_what_robocopy_copies_and_a_second_delta_changes_nothing(server, tmp_path):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)
    source = state(server)["trees"][SOURCE.lower()]
    target = target_tree(state(server))
    assert target == copied_part(source) and len(target) < len(source)  # DfsrPrivate, $RECYCLE.BIN, junction
    first = run(server, out, "delta", execute=True)
    assert first.changed == {} and checks(out)["migration.delta_pass.shared"]["data"]["rc"] == 0
    run(server, out, "final", execute=True)
    doc = state(server)
    assert all(a["right"] == "Read" for a in doc["smb_shares"]["fukui$"]["access"])  # source read-only
    assert checks(out)["migration.verify.shared"]["status"] == "pass"
    assert checks(out)["migration.final_pass.shared"]["status"] == "pass"


def test_without_network_credentials_every_share_access_is_refused(server, tmp_path):
    """The second hop: a PSRP logon holds no credentials for SMB. Without become's password the twin
    refuses the UNC paths exactly as Windows does, and nothing reads as a pass."""
    out = tmp_path / "run"
    run(server, out, "scan", vault_file_migration_password="")
    scan = checks(out)["migration.scan.shared"]
    assert scan["status"] == "error" and "second hop" in scan["message"]
    run(server, out, "seed", execute=True, vault_file_migration_password="")
    seed = checks(out)["migration.seed_pass.shared"]
    assert seed["status"] == "fail" and seed["data"]["rc"] == 16 and target_tree(state(server)) == {}
    run(server, out, "verify", vault_file_migration_password="")
    assert checks(out)["migration.verify.shared"]["status"] == "error"


def test_a_failed_pass_resumes_after_the_cause_is_gone(server, tmp_path):
    out = tmp_path / "run"
    locked = sorted(copied_part(state(server)["trees"][SOURCE.lower()]))[:2]
    change(server, lambda doc: doc["faults"].update(open_files=locked))
    run(server, out, "seed", execute=True)
    failed = checks(out)["migration.seed_pass.shared"]
    assert failed["status"] == "fail" and failed["data"]["rc"] >= 8
    assert not set(locked) & set(target_tree(state(server)))
    change(server, lambda doc: doc["faults"].update(open_files=[]))
    run(server, out, "delta", execute=True)
    assert checks(out)["migration.delta_pass.shared"]["data"]["rc"] == 1  # only the two files left
    assert set(locked) <= set(target_tree(state(server)))


def test_names_azure_refuses_are_found_before_the_seed(server, tmp_path):
    change(server, lambda doc: doc["trees"][SOURCE.lower()].update(
        {"全体会議\\古い資料 ": {"size": 1, "sha256": "0", "mtime": "2020-01-01T00:00:00"}}))
    run(server, tmp_path / "run", "scan")
    scan = checks(tmp_path / "run")["migration.scan.shared"]
    assert scan["status"] == "fail" and scan["data"]["findings"][0]["kind"] == "trailing_dot_or_space"


def test_scan_findings_are_capped_but_counted(server, tmp_path):
    bad = {f"全体会議\\議事録:{n}.docx": {"size": 1, "sha256": "0", "mtime": "2020-01-01T00:00:00"} for n in range(700)}
    change(server, lambda doc: doc["trees"][SOURCE.lower()].update(bad))
    run(server, tmp_path / "run", "scan")
    scan = checks(tmp_path / "run")["migration.scan.shared"]
    assert scan["status"] == "fail" and scan["data"]["findings_total"] == 700
    assert len(scan["data"]["findings"]) <= 50  # the module caps what it returns; the fact keeps a sample


def test_a_folder_the_account_cannot_read_fails_scan_and_verify(server, tmp_path):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)
    change(server, lambda doc: doc["unreadable"].update({SOURCE.lower(): ["書記局"]}))
    run(server, out, "scan")
    run(server, out, "verify")
    for check in ("migration.scan.shared", "migration.verify.shared"):
        result = checks(out)[check]
        assert result["status"] == "error" and "could not read" in result["message"] and "書記局" in result["message"]


def test_robocopy_reads_a_closed_folder_only_with_the_backup_privilege(server, tmp_path):
    out = tmp_path / "run"
    change(server, lambda doc: doc["unreadable"].update({SOURCE.lower(): ["書記局"]}))
    run(server, out, "seed", execute=True)
    assert checks(out)["migration.seed_pass.shared"]["data"]["rc"] & 8
    assert not any(k.startswith("書記局\\") for k in target_tree(state(server)))
    change(server, lambda doc: doc["backup_operators"].append("svc-cutover-migrate@AD.UNION.EXAMPLE"))
    run(server, out, "delta", execute=True)
    assert checks(out)["migration.delta_pass.shared"]["status"] == "pass"
    assert any(k.startswith("書記局\\") for k in target_tree(state(server)))


def test_verify_never_passes_on_an_empty_or_unreadable_tree(server, tmp_path):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)
    change(server, lambda doc: doc["trees"].update({SOURCE.lower(): {}}))
    run(server, out, "verify")
    empty = checks(out)["migration.verify.shared"]
    assert empty["status"] == "error" and "no files" in empty["message"]


def test_verify_cannot_read_the_target(server, tmp_path, sample_inventory):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)
    share = next(s for s in json.loads(json.dumps(state(server)["trees"])) if ".file.core.windows.net" in s)
    change(server, lambda doc: doc.setdefault("network_acl", {}).update({share: ["someone-else@AD.UNION.EXAMPLE"]}))
    run(server, out, "verify")
    result = checks(out)["migration.verify.shared"]
    assert result["status"] == "error" and "could not read the target" in result["message"]


def test_a_file_held_open_during_hashing_is_a_finding_not_a_crash(server, tmp_path):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)
    run(server, out, "verify")
    sampled = checks(out)["migration.verify.shared"]["data"]["sample"][0]["path"]
    change(server, lambda doc: doc["faults"].update(open_files=[sampled]))
    outcome = run(server, out, "verify")
    result = checks(out)["migration.verify.shared"]
    assert not outcome.failed
    assert result["status"] == "error" and sampled in result["message"]
    assert result["data"]["findings"] == [{"path": sampled, "kind": "in_use", "detail": "in use by another process"}]


def test_the_same_exclusions_apply_to_every_module_from_one_variable(server, tmp_path):
    out = tmp_path / "run"
    more = [*EXCLUDED_DIRS, "書記局"]
    run(server, out, "scan", file_migration_exclude_dirs=more)
    copied = copied_part(state(server)["trees"][SOURCE.lower()])
    assert checks(out)["migration.scan.shared"]["data"]["files"] == len(
        [k for k in copied if not k.startswith("書記局\\")])
    run(server, out, "seed", execute=True, file_migration_exclude_dirs=more)
    assert not any(k.startswith("書記局\\") for k in target_tree(state(server)))
    run(server, out, "verify", file_migration_exclude_dirs=more)
    verify = checks(out)["migration.verify.shared"]
    assert verify["status"] == "pass" and "書記局" not in {f["name"] for f in verify["data"]["folders"]}
    run(server, out, "verify")  # without the extra exclusion the folder is missing at the target
    assert checks(out)["migration.verify.shared"]["status"] == "fail"


def test_role_default_exclusions_equal_the_robocopy_plan():
    defaults = yaml.safe_load((ROOT / "roles/file_migration/defaults/main.yml").read_text(encoding="utf-8"))
    assert tuple(defaults["file_migration_exclude_dirs"]) == EXCLUDED_DIRS


def test_a_long_pass_survives_a_dropped_session_only_as_an_async_job(server, tmp_path):
    change(server, lambda doc: doc["faults"].update(session_drop_after_s=0.01))
    out = tmp_path / "run"
    run(server, out, "seed", execute=True, file_migration_async_timeout=0)  # async: 0 runs in the session
    lost = checks(out)["migration.seed_pass.shared"]
    assert lost["status"] == "fail" and "session was lost" in lost["message"] and target_tree(state(server)) == {}
    run(server, out, "seed", execute=True)  # the role's default: an async job polled by async_status
    result = checks(out)["migration.seed_pass.shared"]
    assert result["status"] == "pass" and target_tree(state(server)), result
    assert state(server)["module_calls"]["by_module"].get("ansible.windows.async_status", 0) >= 1


def test_mismatch_blocks_the_gate_and_rollback_restores_write_access(server, tmp_path, sample_inventory):
    out = tmp_path / "run"
    run(server, out, "seed", execute=True)

    def tamper(doc):
        tree = target_tree(doc)
        victim = sorted(tree)[0]
        tree[victim] = {**tree[victim], "sha256": "tampered", "size": tree[victim]["size"] + 1}
        doc["faults"]["open_files"] = [victim]  # the final pass cannot repair it

    change(server, tamper)
    run(server, out, "final", execute=True)
    assert checks(out)["migration.verify.shared"]["status"] in ("fail", "error")
    site = sample_inventory.sites[SITE]
    evidence = collect_site(sample_inventory, site, Sources(facts_dir=out / "facts"), dt.date(2026, 11, 24))
    context = gate.Context.for_site(sample_inventory, SITE, dt.date(2026, 11, 24))
    conditions = {c.id: c for c in gate.evaluate(evidence, context)}
    assert not conditions["verification-matched"].passed and not conditions["final-pass-succeeded"].passed
    run(server, out, "rollback")
    access = state(server)["smb_shares"]["fukui$"]["access"]
    assert {a["account"]: a["right"] for a in access} == {"Everyone": "Change", "BUILTIN\\Administrators": "Full"}
    assert checks(out)["migration.final_pass.shared"]["status"] == "fail"


def test_read_only_revokes_then_grants_and_a_rerun_keeps_the_original_list(server, tmp_path):
    out = tmp_path / "run"
    original = {a["account"]: a["right"] for a in state(server)["smb_shares"]["fukui$"]["access"]}
    change(server, lambda doc: doc["faults"].update(share_access_fail_after=3))  # dies before the last grant
    run(server, out, "final", execute=True)
    half = {a["account"]: a["right"] for a in state(server)["smb_shares"]["fukui$"]["access"]}
    assert half["Everyone"] == "Read" and "BUILTIN\\Administrators" not in half  # revoked, grant never came
    change(server, lambda doc: doc["faults"].update(share_access_fail_after=None))
    run(server, out, "final", execute=True)
    access = state(server)["smb_shares"]["fukui$"]["access"]
    assert sorted((a["account"], a["right"]) for a in access) == [("BUILTIN\\Administrators", "Read"),
                                                                  ("Everyone", "Read")]  # one entry per account
    run(server, out, "rollback")
    assert {a["account"]: a["right"] for a in state(server)["smb_shares"]["fukui$"]["access"]} == original
    assert state(server)["smb_shares"]["fukui$"].get("saved_access") is None  # saved list removed when done


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

"""The file_migration role's filter, called directly: one check per share and pass, merged with earlier passes.

Registered loop results have the shape the role's modules return (see the twin module).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cutover.evidence.facts import RoleFact

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "roles/file_migration/filter_plugins/migration.py"
spec = importlib.util.spec_from_file_location("migration_filters", PLUGIN)
filters = importlib.util.module_from_spec(spec)
spec.loader.exec_module(filters)

SITE, OTHER = "pref-18-fukui", "pref-36-tokushima"
NOTHING: dict = {}


def loop(*results):
    return {"results": list(results)}


def scan(share, files=120, findings=(), failed=False):
    return {"item": {"share": share}, "files": files, "bytes": 4096, "findings": list(findings), "failed": failed}


def copy(share, rc=1, success=True, dry_run=False):
    return {"item": {"share": share}, "rc": rc, "success": success, "dry_run": dry_run, "command_line": "robocopy …",
            "summary": {"copied": 3}, "meanings": ["files were copied"]}


def verify(share, matched=True):
    folders = [{"name": "全体会議", "match": matched}, {"name": "書記局", "match": True}]
    sample = [{"path": "全体会議\\a.docx", "match": matched}]
    return {"item": {"share": share}, "matched": matched, "folders": folders, "sample": sample}


def fact(previous=None, site=SITE, pass_name="scan", execute=False, scanned=NOTHING, copied=NOTHING,
         verified=NOTHING, rolled_back=NOTHING):
    return filters.migration_fact(previous, site, pass_name, execute, scanned, copied, verified, rolled_back)


def by_id(doc, site=SITE):
    """Checks of a site by '<id>.<item>' (the id is the kind of check, the item the share)."""
    assert RoleFact.model_validate(doc)  # every fact the role publishes is the collector's contract
    return {f"{c['id']}.{c['item']}": c for c in doc["checks"] if c["data"]["site"] == site}


def test_scan_passes_or_lists_the_names_azure_files_refuses():
    doc = fact(scanned=loop(scan("shared"), scan("archive", findings=[{"path": "a.", "kind": "trailing_dot"}]),
                            {"skipped": True, "item": {"share": "photos"}}))
    checks = by_id(doc)
    assert (checks["migration.scan.shared"]["status"], checks["migration.scan.shared"]["message"]) == (
        "pass", "120 files, no name Azure Files refuses")
    assert (checks["migration.scan.archive"]["status"], checks["migration.scan.archive"]["message"]) == (
        "fail", "1 name(s) Azure Files refuses; rename before the seed")
    assert checks["migration.scan.archive"]["data"]["findings"] == [{"path": "a.", "kind": "trailing_dot"}]
    assert "migration.scan.photos" not in checks  # a skipped loop item did not run
    assert doc["schema"] == 2 and doc["actions"] == [] and doc["collected_at"].endswith("Z")
    assert doc["state"] == {"last_pass": {"site": SITE, "pass": "scan", "execute": False}}
    assert [(c["id"], c["item"]) for c in doc["checks"]] == [("migration.scan", "shared"),
                                                             ("migration.scan", "archive")]
    failed = by_id(fact(scanned=loop({**scan("shared", failed=True), "msg": "the source cannot be read"})))[
        "migration.scan.shared"]
    assert (failed["status"], failed["message"]) == ("error", "could not check: the source cannot be read")


def test_findings_are_kept_to_fifty():
    many = [{"path": f"f{i}.", "kind": "trailing_dot"} for i in range(60)]
    check = by_id(fact(scanned=loop(scan("shared", findings=many))))["migration.scan.shared"]
    assert len(check["data"]["findings"]) == 50 and check["message"].startswith("60 name(s)")


def test_a_dry_run_is_recorded_apart_from_an_executed_pass():
    dry = by_id(fact(pass_name="seed", copied=loop(copy("shared", rc=1, dry_run=True))))
    assert set(dry) == {"migration.seed_dry_run.shared"}
    check = dry["migration.seed_dry_run.shared"]
    assert (check["status"], check["message"]) == ("pass", "robocopy dry run exit 1: files were copied")
    assert check["data"]["executed"] is False and check["data"]["rc"] == 1
    done = by_id(fact(pass_name="final", execute=True, copied=loop(copy("shared"))))["migration.final_pass.shared"]
    assert (done["status"], done["message"]) == ("pass", "robocopy final exit 1: files were copied")
    assert done["data"]["executed"] is True and done["data"]["summary"] == {"copied": 3}
    assert done["data"]["command_line"] == "robocopy …"


def test_a_failed_pass_fails_with_its_message():
    result = {"item": {"share": "shared"}, "rc": 16, "success": False, "dry_run": False, "msg": "robocopy failed",
              "meanings": ["serious error: robocopy did not copy any files"]}
    check = by_id(fact(pass_name="delta", copied=loop(result)))["migration.delta_pass.shared"]
    assert (check["status"], check["message"]) == (
        "fail", "robocopy delta exit 16: serious error: robocopy did not copy any files")
    lost = {"item": {"share": "shared"}, "dry_run": False, "msg": "the PSRP session ended"}
    assert by_id(fact(pass_name="delta", copied=loop(lost)))["migration.delta_pass.shared"]["message"] == (
        "robocopy delta did not finish: the PSRP session ended")
    unknown = by_id(fact(pass_name="delta", copied=loop({"item": {"share": "shared"}})))
    assert unknown["migration.delta_dry_run.shared"]["status"] == "fail"  # no answer: a dry run that did not succeed


def test_verification_names_the_folders_and_files_that_differ():
    good = by_id(fact(pass_name="final", verified=loop(verify("shared"))))["migration.verify.shared"]
    assert (good["status"], good["message"]) == ("pass", "counts, bytes and the SHA-256 sample match")
    bad = by_id(fact(pass_name="final", verified=loop(verify("shared", matched=False))))["migration.verify.shared"]
    assert (bad["status"], bad["message"]) == ("fail", "mismatch: folders 全体会議; sampled files 全体会議\\a.docx")
    assert bad["data"]["folders"][0] == {"name": "全体会議", "match": False}
    odd = {"item": {"share": "shared"}, "matched": False}  # no folders listed: nothing was compared
    assert by_id(fact(verified=loop(odd)))["migration.verify.shared"]["message"] == (
        "could not check: the verification did not finish")
    held = {**verify("shared"), "sample": [{"path": "全体会議\\a.docx", "match": False, "error": "in use"}]}
    in_use = by_id(fact(verified=loop(held)))["migration.verify.shared"]
    assert (in_use["status"], in_use["message"]) == (
        "error", "could not check 1 sampled file(s) held open by a process: 全体会議\\a.docx")


def test_earlier_passes_are_kept_and_other_sites_untouched():
    first = fact(pass_name="seed", execute=True, copied=loop(copy("shared")))
    other = fact(previous=first, site=OTHER, pass_name="seed", execute=True, copied=loop(copy("docs")))
    second = fact(previous=other, pass_name="final", execute=True, copied=loop(copy("shared")),
                  verified=loop(verify("shared")))
    assert set(by_id(second)) == {"migration.seed_pass.shared", "migration.final_pass.shared",
                                  "migration.verify.shared"}
    assert set(by_id(second, OTHER)) == {"migration.seed_pass.docs"}
    again = fact(previous=second, pass_name="final", execute=True, copied=loop(copy("shared", rc=8, success=False)))
    assert by_id(again)["migration.final_pass.shared"]["status"] == "fail"  # the newer pass replaces the older
    assert len([c for c in again["checks"] if (c["id"], c["item"]) == ("migration.final_pass", "shared")]) == 1


def test_rollback_restores_write_access_and_fails_the_final_pass_of_that_site_only():
    done = fact(pass_name="final", execute=True, copied=loop(copy("shared")))
    done = fact(previous=done, site=OTHER, pass_name="final", execute=True, copied=loop(copy("docs")))
    back = fact(previous=done, pass_name="rollback", execute=True,
                rolled_back=loop({"item": {"smb_share": "fukui$"}, "changed": True}))
    checks = by_id(back)
    assert (checks["migration.rollback.fukui$"]["status"], checks["migration.rollback.fukui$"]["message"]) == (
        "pass", "source share writable again")
    assert (checks["migration.final_pass.shared"]["status"], checks["migration.final_pass.shared"]["message"]) == (
        "fail", "rolled back after the final pass")
    assert by_id(back, OTHER)["migration.final_pass.docs"]["status"] == "pass"
    already = fact(pass_name="rollback", rolled_back=loop({"item": {"smb_share": "fukui$"}, "changed": False}))
    assert by_id(already)["migration.rollback.fukui$"]["message"] == "source share was already writable"


def test_nothing_registered_gives_no_checks():
    doc = fact()
    assert doc["checks"] == [] and filters.FilterModule().filters() == {"migration_fact": filters.migration_fact}


def test_each_check_keeps_the_figures_behind_it():
    scanned = by_id(fact(scanned=loop(scan("shared"))))["migration.scan.shared"]
    assert scanned["data"] == {"site": SITE, "files": 120, "bytes": 4096, "findings": [], "findings_total": 0,
                               "unreadable": [], "excluded": None}
    unknown = by_id(fact(scanned=loop({"item": {"share": "shared"}})))["migration.scan.shared"]
    assert (unknown["status"], unknown["message"]) == ("error", "could not check: the scan did not finish")
    assert unknown["data"]["files"] is None
    copied = {"item": {"share": "shared"}, "rc": 3, "success": True, "dry_run": False,
              "meanings": ["files were copied", "extra files"]}
    assert by_id(fact(pass_name="seed", copied=loop(copied)))["migration.seed_pass.shared"]["message"] == (
        "robocopy seed exit 3: files were copied; extra files")
    quiet = {"item": {"share": "shared"}, "rc": 0, "success": True, "dry_run": False}
    assert by_id(fact(pass_name="seed", copied=loop(quiet)))["migration.seed_pass.shared"]["message"] == (
        "robocopy seed exit 0: ")
    verified = verify("shared")
    assert by_id(fact(verified=loop(verified)))["migration.verify.shared"]["data"] == {
        "site": SITE, "folders": verified["folders"], "sample": verified["sample"], "findings": [], "unreadable": []}


def test_at_most_five_sampled_files_are_named():
    result = {"item": {"share": "shared"}, "matched": False, "folders": [{"name": "a", "match": True}],
              "sample": [{"path": f"f{i}.txt", "match": False} for i in range(7)] + [{"path": "ok.txt", "match": True}]}
    check = by_id(fact(verified=loop(result)))["migration.verify.shared"]
    assert check["message"] == "mismatch: folders none; sampled files f0.txt, f1.txt, f2.txt, f3.txt, f4.txt"
    two = {**result, "folders": [{"name": "a", "match": False}, {"name": "b", "match": False}]}
    assert by_id(fact(verified=loop(two)))["migration.verify.shared"]["message"].startswith("mismatch: folders a, b;")


def test_two_sites_with_the_same_share_name_keep_their_own_checks():
    ours = fact(pass_name="seed", execute=True, copied=loop(copy("shared")))
    theirs = fact(previous=ours, site=OTHER, pass_name="seed", execute=True, copied=loop(copy("shared", rc=8,
                                                                                              success=False)))
    again = fact(previous=theirs, pass_name="delta", execute=True, copied=loop(copy("shared")))
    assert by_id(again)["migration.seed_pass.shared"]["status"] == "pass"
    assert by_id(again, OTHER)["migration.seed_pass.shared"]["status"] == "fail"
    assert len(again["checks"]) == 3


def test_collected_at_is_utc_whatever_the_local_zone(monkeypatch):
    import datetime as dt
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        stamp = fact()["collected_at"]
    finally:
        monkeypatch.undo()
        time.tzset()
    moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 120

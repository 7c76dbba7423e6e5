"""The cutover_migration fact: one check per share (its ``item``) and pass, merged with earlier passes.

A module that could not read a share (or a folder in it) is an ``error`` check — never a pass — and
so is a verification whose sampled files could not all be hashed (in use). The tasks register with
``failed_when: false`` (one share must not stop the others), which resets ``failed``: a module's
failure shows as its ``msg``, which these modules only return when they fail.
"""

from __future__ import annotations

from cutover.evidence.facts import FACT_SCHEMA, role_fact


def _results(registered):
    return [r for r in (registered or {}).get("results", []) if not r.get("skipped")]


def _did_fail(result) -> bool:
    return bool(result.get("failed") or result.get("msg") or result.get("failed_when_result"))


def _scan_check(site, r):
    share = r["item"]["share"]
    findings = r.get("findings") or []
    total = r.get("findings_total", len(findings))
    data = {"site": site, "files": r.get("files"), "bytes": r.get("bytes"), "findings": findings[:50],
            "findings_total": total, "unreadable": (r.get("unreadable") or [])[:50], "excluded": r.get("excluded")}
    if _did_fail(r) or "files" not in r:
        status, message = "error", f"could not check: {r.get('msg', 'the scan did not finish')}"
    elif total:
        status, message = "fail", f"{total} name(s) Azure Files refuses; rename before the seed"
    else:
        status, message = "pass", f"{r.get('files', 0)} files, no name Azure Files refuses"
    return {"id": "migration.scan", "item": share, "status": status, "message": message, "data": data}


def _copy_check(site, pass_name, r):
    share = r["item"]["share"]
    dry = r.get("dry_run", True)
    check_id = f"migration.{pass_name}_{'dry_run' if dry else 'pass'}"
    ok = bool(r.get("success"))
    what = "dry run" if dry else pass_name
    if r.get("rc") is not None:
        message = f"robocopy {what} exit {r.get('rc')}: " + "; ".join(r.get("meanings") or [])
    else:
        message = f"robocopy {what} did not finish: {r.get('msg', 'no result')}"
    return {"id": check_id, "item": share, "status": "pass" if ok else "fail", "message": message,
                 "data": {"site": site, "rc": r.get("rc"), "command_line": r.get("command_line"),
                          "summary": r.get("summary"), "executed": not dry}}


def _verify_check(site, r):
    share = r["item"]["share"]
    data = {"site": site, "folders": r.get("folders"), "sample": r.get("sample"), "findings": r.get("findings") or [],
            "unreadable": (r.get("unreadable") or [])[:50]}
    bad = [f["name"] for f in r.get("folders") or [] if not f.get("match")]
    bad_sample = [s["path"] for s in r.get("sample") or [] if not s.get("match") and not s.get("error")]
    in_use = [s["path"] for s in r.get("sample") or [] if s.get("error")]
    if _did_fail(r) or "folders" not in r:
        status, message = "error", f"could not check: {r.get('msg', 'the verification did not finish')}"
    elif bad or bad_sample:
        status = "fail"
        message = (f"mismatch: folders {', '.join(bad) or 'none'}; sampled files {', '.join(bad_sample[:5]) or 'none'}"
                   + (f"; could not hash (in use): {', '.join(in_use[:5])}" if in_use else ""))
    elif in_use:
        status = "error"
        message = f"could not check {len(in_use)} sampled file(s) held open by a process: {', '.join(in_use[:5])}"
    else:
        status, message = "pass", "counts, bytes and the SHA-256 sample match"
    return {"id": "migration.verify", "item": share, "status": status, "message": message, "data": data}


def _key(check):
    return check["id"], check.get("item"), (check.get("data") or {}).get("site")


def migration_fact(previous, site, pass_name, execute, scanned, copied, verified, rolled_back):
    """This pass's checks over the earlier passes' (the newer check of a share replaces the older).

    Checks of an earlier contract version (``schema``) are dropped, not carried over: the next pass
    publishes them again, and until then the gate sees no verification.
    """
    earlier = (previous or {}).get("checks", []) if (previous or {}).get("schema") == FACT_SCHEMA else []
    checks = {_key(c): c for c in earlier}
    for r in _results(scanned):
        check = _scan_check(site, r)
        checks[_key(check)] = check
    for r in _results(copied):
        check = _copy_check(site, pass_name, r)
        checks[_key(check)] = check
    for r in _results(verified):
        check = _verify_check(site, r)
        checks[_key(check)] = check
    for r in _results(rolled_back):
        check = {
            "id": "migration.rollback", "item": r["item"]["smb_share"], "status": "error" if _did_fail(r) else "pass",
            "message": (f"could not restore write access: {r.get('msg')}" if _did_fail(r)
                        else "source share writable again" if r.get("changed")
                        else "source share was already writable"),
            "data": {"site": site}}
        checks[_key(check)] = check
        for final in [k for k in checks if k[0] == "migration.final_pass" and k[2] == site]:
            checks[final] = {**checks[final], "status": "fail", "message": "rolled back after the final pass"}
    return role_fact("migration", list(checks.values()),
                     state={"last_pass": {"site": site, "pass": pass_name, "execute": execute}})


class FilterModule:
    def filters(self):
        return {"migration_fact": migration_fact}

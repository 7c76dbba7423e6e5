"""The cutover_migration fact: one check per share and pass, merged with earlier passes.

A module that could not read a share (or a folder in it) is an ``error`` check — never a pass — and
so is a verification whose sampled files could not all be hashed (in use). The tasks register with
``failed_when: false`` (one share must not stop the others), which resets ``failed``: a module's
failure shows as its ``msg``, which these modules only return when they fail.
"""

from __future__ import annotations

import datetime as dt


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
    return f"migration.scan.{share}", {"id": f"migration.scan.{share}", "status": status, "message": message,
                                       "data": data}


def _copy_check(site, pass_name, r):
    share = r["item"]["share"]
    dry = r.get("dry_run", True)
    key = f"migration.{pass_name}_{'dry_run' if dry else 'pass'}.{share}"
    ok = bool(r.get("success"))
    what = "dry run" if dry else pass_name
    if r.get("rc") is not None:
        message = f"robocopy {what} exit {r.get('rc')}: " + "; ".join(r.get("meanings") or [])
    else:
        message = f"robocopy {what} did not finish: {r.get('msg', 'no result')}"
    return key, {"id": key, "status": "pass" if ok else "fail", "message": message,
                 "data": {"site": site, "rc": r.get("rc"), "command_line": r.get("command_line"),
                          "summary": r.get("summary"), "executed": not dry}}


def _verify_check(site, r):
    share = r["item"]["share"]
    key = f"migration.verify.{share}"
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
    return key, {"id": key, "status": status, "message": message, "data": data}


def migration_fact(previous, site, pass_name, execute, scanned, copied, verified, rolled_back):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    checks = {c["id"] + "@" + str(c.get("data", {}).get("site")): c for c in (previous or {}).get("checks", [])}
    checks = {k.rsplit("@", 1)[0] if k.endswith("@" + site) else k: v for k, v in checks.items()}
    for r in _results(scanned):
        key, check = _scan_check(site, r)
        checks[key] = check
    for r in _results(copied):
        key, check = _copy_check(site, pass_name, r)
        checks[key] = check
    for r in _results(verified):
        key, check = _verify_check(site, r)
        checks[key] = check
    for r in _results(rolled_back):
        key = f"migration.rollback.{r['item']['smb_share']}"
        checks[key] = {
            "id": key, "status": "error" if _did_fail(r) else "pass",
            "message": (f"could not restore write access: {r.get('msg')}" if _did_fail(r)
                        else "source share writable again" if r.get("changed")
                        else "source share was already writable"),
            "data": {"site": site}}
        for final in [k for k, c in checks.items() if k.startswith("migration.final_pass.")
                      and c.get("data", {}).get("site") == site]:
            checks[final] = {**checks[final], "status": "fail", "message": "rolled back after the final pass"}
    return {"schema": 1, "collected_at": now, "checks": list(checks.values()), "actions": [],
            "last_pass": {"site": site, "pass": pass_name, "execute": execute}}


class FilterModule:
    def filters(self):
        return {"migration_fact": migration_fact}

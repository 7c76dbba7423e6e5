"""The cutover_migration fact: one check per share and pass, merged with earlier passes."""

from __future__ import annotations

import datetime as dt


def _results(registered):
    return [r for r in (registered or {}).get("results", []) if not r.get("skipped")]


def migration_fact(previous, site, pass_name, execute, scanned, copied, verified, rolled_back):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    checks = {c["id"] + "@" + str(c.get("data", {}).get("site")): c for c in (previous or {}).get("checks", [])}
    checks = {k.rsplit("@", 1)[0] if k.endswith("@" + site) else k: v for k, v in checks.items()}
    for r in _results(scanned):
        share = r["item"]["share"]
        findings = r.get("findings") or []
        checks[f"migration.scan.{share}"] = {
            "id": f"migration.scan.{share}", "status": "fail" if findings or r.get("failed") else "pass",
            "message": (f"{len(findings)} name(s) Azure Files refuses; rename before the seed" if findings
                        else f"{r.get('files', 0)} files, no name Azure Files refuses"),
            "data": {"site": site, "files": r.get("files"), "bytes": r.get("bytes"), "findings": findings[:50]}}
    for r in _results(copied):
        share = r["item"]["share"]
        dry = r.get("dry_run", True)
        key = f"migration.{pass_name}_pass.{share}"
        if dry:
            key = f"migration.{pass_name}_dry_run.{share}"
        ok = bool(r.get("success"))
        checks[key] = {
            "id": key, "status": "pass" if ok else "fail",
            "message": f"robocopy {'dry run' if dry else pass_name} exit {r.get('rc')}: "
                       + "; ".join(r.get("meanings") or [r.get("msg", "")]),
            "data": {"site": site, "rc": r.get("rc"), "command_line": r.get("command_line"),
                     "summary": r.get("summary"), "executed": not dry}}
    for r in _results(verified):
        share = r["item"]["share"]
        matched = bool(r.get("matched"))
        bad = [f["name"] for f in r.get("folders", []) if not f.get("match")]
        bad_sample = [s["path"] for s in r.get("sample", []) if not s.get("match")]
        checks[f"migration.verify.{share}"] = {
            "id": f"migration.verify.{share}", "status": "pass" if matched else "fail",
            "message": "counts, bytes and the SHA-256 sample match" if matched else
            f"mismatch: folders {', '.join(bad) or 'none'}; sampled files {', '.join(bad_sample[:5]) or 'none'}",
            "data": {"site": site, "folders": r.get("folders"), "sample": r.get("sample")}}
    for r in _results(rolled_back):
        checks[f"migration.rollback.{r['item']['smb_share']}"] = {
            "id": f"migration.rollback.{r['item']['smb_share']}", "status": "pass",
            "message": "source share writable again" if r.get("changed") else "source share was already writable",
            "data": {"site": site}}
        for key in [k for k, c in checks.items() if k.startswith("migration.final_pass.")
                    and c.get("data", {}).get("site") == site]:
            checks[key] = {**checks[key], "status": "fail", "message": "rolled back after the final pass"}
    return {"schema": 1, "collected_at": now, "checks": list(checks.values()), "actions": [],
            "last_pass": {"site": site, "pass": pass_name, "execute": execute}}


class FilterModule:
    def filters(self):
        return {"migration_fact": migration_fact}

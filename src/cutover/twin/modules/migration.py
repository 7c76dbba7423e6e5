"""Twin counterparts of the file_migration role's modules, with robocopy's semantics for the flags used."""

from __future__ import annotations

import hashlib

from cutover.migration.names import check_path
from cutover.migration.robocopy import RobocopyPlan, interpret_exit_code
from cutover.twin.modules import opt, register


def _tree(state, unc: str) -> dict | None:
    return state["trees"].get(unc.lower().rstrip("\\"))


@register("cutover_migration_scan", {"source": opt("str", required=True), "max_path": opt("int", 2048)})
def cutover_migration_scan(state, p, check_mode, diff):
    tree = _tree(state, p["source"])
    if tree is None:
        return {"failed": True, "msg": f"cannot read {p['source']}"}
    findings = [f.__dict__ for path in sorted(tree) for f in check_path(path)]
    return {"changed": False, "files": len(tree), "bytes": sum(f["size"] for f in tree.values()),
            "findings": findings}


@register("cutover_robocopy_pass", {
    "source": opt("str", required=True), "target": opt("str", required=True),
    "pass": opt("str", required=True, choices=["seed", "delta", "final"]), "execute": opt("bool", False),
    "copy_security": opt("bool", True), "log_path": opt("str", required=True), "threads": opt("int", 16),
    "retries": opt("int", 2), "wait_seconds": opt("int", 5),
})
def cutover_robocopy_pass(state, p, check_mode, diff):
    dry_run = not p["execute"] or check_mode
    try:
        plan = RobocopyPlan(p["source"], p["target"], p["pass"], p["copy_security"], p["log_path"], dry_run,
                            p["threads"], p["retries"], p["wait_seconds"])
    except ValueError as exc:
        return {"failed": True, "msg": str(exc)}
    source = _tree(state, p["source"])
    target_key = p["target"].lower().rstrip("\\")
    if source is None or state["faults"].get("unreachable_share"):
        meaning = interpret_exit_code(16)
        return {"failed": True, "rc": 16, "success": False, "meanings": list(meaning.meanings), "dry_run": dry_run,
                "command_line": plan.command_line(), "summary": [], "msg": "robocopy exit code 16: " + meaning.summary}
    target = state["trees"].get(target_key, {}) if dry_run else state["trees"].setdefault(target_key, {})
    locked = set(state["faults"].get("open_files") or [])
    copy = [k for k, f in source.items() if target.get(k) != f]
    failed = [k for k in copy if k in locked or check_path(k)]
    copied = [k for k in copy if k not in failed]
    extras = [k for k in target if k not in source]
    rc = (1 if copied else 0) | (2 if extras else 0) | (8 if failed else 0)
    if not dry_run:
        for key in copied:
            target[key] = dict(source[key])
        for key in extras:
            del target[key]
    meaning = interpret_exit_code(rc)
    summary = [f"Files: {len(source)} total, {len(copied)} copied, {len(extras)} extra, {len(failed)} failed",
               *(f"FAILED: {k}" for k in failed[:20])]
    state.setdefault("logs", {})[p["log_path"]] = summary
    result = {"changed": not dry_run and bool(copied or extras), "rc": rc, "success": meaning.success,
              "meanings": list(meaning.meanings), "dry_run": dry_run, "command_line": plan.command_line(),
              "summary": summary}
    if not meaning.success:
        result |= {"failed": True, "msg": f"robocopy exit code {rc}: {meaning.summary}"}
    return result


@register("cutover_share_access", {
    "name": opt("str", required=True), "state": opt("str", required=True, choices=["readonly", "writable"]),
    "saved_access_path": opt("str", "C:\\ProgramData\\cutover\\share-access"),
})
def cutover_share_access(state, p, check_mode, diff):
    share = state["smb_shares"].get(p["name"].lower())
    if share is None:
        return {"failed": True,
                "msg": f"No MSFT_SMBShare objects found with the property 'Name' equal to '{p['name']}'"}
    before = [dict(a) for a in share["access"]]
    changed = False
    if p["state"] == "readonly" and any(a["type"] == "Allow" and a["right"] != "Read" for a in share["access"]):
        if not check_mode:
            share["saved_access"] = before
            for entry in share["access"]:
                if entry["type"] == "Allow":
                    entry["right"] = "Read"
        changed = True
    elif p["state"] == "writable" and share.get("saved_access") and share["saved_access"] != share["access"]:
        if not check_mode:
            share["access"] = share.pop("saved_access")
        changed = True
    return {"changed": changed, "before": before}


@register("cutover_migration_verify", {
    "source": opt("str", required=True), "target": opt("str", required=True), "sample": opt("int", 20),
})
def cutover_migration_verify(state, p, check_mode, diff):
    source, target = _tree(state, p["source"]), _tree(state, p["target"]) or {}
    if source is None:
        return {"failed": True, "msg": f"cannot read {p['source']}"}
    folders: dict[str, dict] = {}
    for side, tree in (("source", source), ("target", target)):
        for path, f in tree.items():
            top = path.split("\\", 1)[0] if "\\" in path else "(root)"
            row = folders.setdefault(top, {"name": top, "source_files": 0, "target_files": 0, "source_bytes": 0,
                                           "target_bytes": 0})
            row[f"{side}_files"] += 1
            row[f"{side}_bytes"] += f["size"]
    rows = []
    for row in (folders[k] for k in sorted(folders)):
        row["match"] = row["source_files"] == row["target_files"] and row["source_bytes"] == row["target_bytes"]
        rows.append(row)
    picked = sorted(source, key=lambda k: hashlib.sha256(k.encode()).hexdigest())[: p["sample"]]
    sample = [{"path": k, "source_sha256": source[k]["sha256"],
               "target_sha256": (target.get(k) or {}).get("sha256"),
               "match": source[k]["sha256"] == (target.get(k) or {}).get("sha256")} for k in picked]
    return {"changed": False, "folders": rows, "sample": sample,
            "matched": all(r["match"] for r in rows) and all(s["match"] for s in sample)}

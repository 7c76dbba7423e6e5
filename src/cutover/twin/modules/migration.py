"""Twin counterparts of the file_migration role's modules, with robocopy's semantics for the flags used.

The file server's shares are trees of relative paths. What the real modules run into is modelled:
UNC access needs network credentials in the session (second hop); folders named in ``/XD`` and
junctions (``/XJ``) are skipped the same way by every module; folders can deny the account (robocopy's
backup mode reads them when the account holds the backup privilege, plain enumeration cannot); files
can be held open by a process; a long pass dies with a PSRP session that drops unless it runs as an
``async`` job.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cutover.migration.names import check_path
from cutover.migration.robocopy import EXCLUDED_DIRS, RobocopyPlan, interpret_exit_code
from cutover.twin import session as twin_session
from cutover.twin.modules import opt, register


class Unreadable(Exception):
    pass


def _root(path: str) -> str:
    return path.lower().rstrip("\\")


def walk(state: dict[str, Any], root: str, exclude_dirs: list[str], backup: bool = False
         ) -> tuple[dict[str, dict], list[str], dict[str, Any]]:
    """(files, unreadable folders, skipped) under ``root`` as an enumeration sees them.

    Raises :class:`Unreadable` when the root itself cannot be opened (wrong path, no credentials, share gone).
    """
    try:
        twin_session.network_access(state, root)
    except twin_session.AccessDenied as exc:
        raise Unreadable(str(exc)) from None
    tree = state["trees"].get(_root(root))
    if tree is None or state["faults"].get("unreachable_share"):
        raise Unreadable(f"could not read {root}: the network path was not found")
    excluded = {d.lower() for d in exclude_dirs}
    junctions = sorted(k for k, f in tree.items() if f.get("junction"))
    denied = [] if backup else sorted((state.get("unreadable") or {}).get(_root(root), []))
    files, unreadable, skipped = {}, set(), {"excluded": 0, "junctions": junctions}
    for path, entry in tree.items():
        folders = path.split("\\")[:-1]
        if any(f.lower() in excluded for f in folders):
            skipped["excluded"] += 1
            continue
        if entry.get("junction") or any(path.lower().startswith(j.lower() + "\\") for j in junctions):
            continue
        blocked = next((d for d in denied if path.lower().startswith(d.lower() + "\\")), None)
        if blocked:
            unreadable.add(blocked)
            continue
        files[path] = entry
    return files, sorted(unreadable), skipped


def _locked(state: dict[str, Any], path: str, entry: dict[str, Any]) -> str | None:
    if path in (state["faults"].get("open_files") or []):
        return "in use by another process"
    return f"in use by {entry['open_by']}" if entry.get("open_by") else None


def _hex(digest: str | None) -> str | None:
    return digest.upper() if digest else digest


def _could_not_read(root: str, folders: list[str]) -> str:
    shown = ", ".join(folders[:5]) + (" …" if len(folders) > 5 else "")
    return f"could not read {len(folders)} folder(s) under {root}: {shown} (access denied)"


@register("cutover_migration_scan", {
    "source": opt("str", required=True), "max_path": opt("int", 2048),
    "exclude_dirs": opt("list", list(EXCLUDED_DIRS), elements="str"), "max_findings": opt("int", 500),
})
def cutover_migration_scan(state, p, check_mode, diff):
    try:
        files, unreadable, skipped = walk(state, p["source"], p["exclude_dirs"])
    except Unreadable as exc:
        return {"failed": True, "msg": f"could not read {p['source']}: {exc}", "unreadable": [p["source"]]}
    findings = [f.__dict__ for path in sorted(files) for f in check_path(path, p["max_path"])]
    result = {"changed": False, "files": len(files), "bytes": sum(f["size"] for f in files.values()),
              "findings": findings[: p["max_findings"]], "findings_total": len(findings),
              "unreadable": unreadable, "excluded": {"entries": skipped["excluded"],
                                                     "junctions": skipped["junctions"][:50]}}
    if unreadable:
        result |= {"failed": True, "msg": _could_not_read(p["source"], unreadable)}
    return result


@register("cutover_robocopy_pass", {
    "source": opt("str", required=True), "target": opt("str", required=True),
    "pass": opt("str", required=True, choices=["seed", "delta", "final"]), "execute": opt("bool", False),
    "copy_security": opt("bool", True), "log_path": opt("str", required=True), "threads": opt("int", 16),
    "retries": opt("int", 2), "wait_seconds": opt("int", 5),
    "exclude_dirs": opt("list", list(EXCLUDED_DIRS), elements="str"),
})
def cutover_robocopy_pass(state, p, check_mode, diff):
    dry_run = not p["execute"] or check_mode
    try:
        plan = RobocopyPlan(p["source"], p["target"], p["pass"], p["copy_security"], p["log_path"], dry_run,
                            p["threads"], p["retries"], p["wait_seconds"], tuple(p["exclude_dirs"]))
    except ValueError as exc:
        return {"failed": True, "msg": str(exc)}
    base = {"dry_run": dry_run, "command_line": plan.command_line()}
    identity = None
    try:
        identity = twin_session.network_access(state, p["source"]) or twin_session.current().user
        twin_session.network_access(state, p["target"])
        backup = identity.upper() in {a.upper() for a in state.get("backup_operators", [])}
        source, unreadable, _ = walk(state, p["source"], p["exclude_dirs"], backup=backup)
    except (Unreadable, twin_session.AccessDenied) as exc:
        meaning = interpret_exit_code(16)
        return {**base, "failed": True, "rc": 16, "success": False, "meanings": list(meaning.meanings), "summary": [],
                "changed": False, "msg": f"robocopy exit code 16: {meaning.summary} — ERROR 5 (0x00000005) {exc}"}
    target_key = _root(p["target"])
    target = state["trees"].get(target_key, {}) if dry_run else state["trees"].setdefault(target_key, {})
    copy = [k for k, f in source.items() if target.get(k) != f]
    megabytes = sum(source[k]["size"] for k in copy) / 1_000_000
    seconds = megabytes / max(1, state.get("copy_mb_per_s", 40))
    drop_after = state["faults"].get("session_drop_after_s")
    if not dry_run and drop_after and seconds > drop_after and not twin_session.current().is_async:
        return {**base, "failed": True, "rc": None, "success": False, "meanings": [], "summary": [], "changed": False,
                "msg": f"the PSRP session was lost after {drop_after} s of a pass that needs about {int(seconds)} s; "
                       "robocopy ran inside the session and was stopped with it (run long passes as async jobs)"}
    failed = [k for k in copy if _locked(state, k, source[k]) or check_path(k)]
    failed += [f"{folder}\\" for folder in unreadable]
    copied = [k for k in copy if k not in failed]
    excluded = {d.lower() for d in p["exclude_dirs"]}
    extras = [k for k in target if k not in source and not any(f.lower() in excluded for f in k.split("\\")[:-1])]
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
    result = {**base, "changed": not dry_run and bool(copied or extras), "rc": rc, "success": meaning.success,
              "meanings": list(meaning.meanings), "summary": summary}
    if diff and result["changed"]:
        result["diff"] = {"prepared": "\n".join(summary)}
    if not meaning.success:
        result |= {"failed": True, "msg": f"robocopy exit code {rc}: {meaning.summary}"}
    return result


def _saved_path(p: dict[str, Any]) -> str:
    return f"{p['saved_access_path'].rstrip(chr(92))}\\{p['name']}.json"


_RANK = {"Read": 1, "Change": 2, "Full": 3}


def _share_operation(state: dict[str, Any], share: dict[str, Any], op: str, account: str, right: str | None) -> None:
    """Revoke-SmbShareAccess removes the account's allow entries; Grant-SmbShareAccess *adds* an allow entry,
    so an account that already has Change keeps Change when granted Read (the effective right is the larger).
    https://learn.microsoft.com/powershell/module/smbshare/grant-smbshareaccess ("Adds an allow ACE").
    A fault makes the server stop answering after N operations (a partial failure)."""
    budget = state["faults"].get("share_access_fail_after")
    if budget is not None:
        if budget <= 0:
            raise RuntimeError(f"{op}-SmbShareAccess -Name {share['name']} -AccountName {account}: "
                               "the server is not responding (twin fault)")
        state["faults"]["share_access_fail_after"] = budget - 1
    mine = [a for a in share["access"] if a["account"].lower() == account.lower() and a["type"] == "Allow"]
    others = [a for a in share["access"] if a not in mine]
    if op == "Revoke":
        share["access"] = others
        return
    best = max([right, *(a["right"] for a in mine)], key=lambda r: _RANK[r])
    share["access"] = [*others, {"account": account, "right": best, "type": "Allow"}]


def _allowed(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["account"].lower(): a for a in entries if a["type"] == "Allow"}


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
    saved_path = _saved_path(p)
    saved = share.get("saved_access")  # the JSON file at saved_path on the server (null when there is none)
    now = _allowed(before)
    if p["state"] == "readonly":
        # Every allowed account ends with Read; after a run that stopped part-way the saved original still
        # names the accounts whose entry was revoked and never granted again.
        wanted = {k: {**a, "right": "Read"} for k, a in {**now, **_allowed(saved or [])}.items()}
    else:
        wanted = _allowed(saved) if saved is not None else now
    stale = [a for k, a in now.items() if k not in wanted]
    differ = [a for k, a in wanted.items() if (now.get(k) or {}).get("right") != a["right"]]
    result: dict[str, Any] = {"changed": bool(stale or differ) or (p["state"] == "writable" and saved is not None),
                              "before": before, "saved_access_path": saved_path}
    if check_mode or not result["changed"]:
        return {**result, "after": before}
    try:
        if p["state"] == "readonly" and saved is None:
            share["saved_access"] = before
        for entry in stale:
            _share_operation(state, share, "Revoke", entry["account"], None)
        for entry in differ:
            _share_operation(state, share, "Revoke", entry["account"], None)
            _share_operation(state, share, "Grant", entry["account"], entry["right"])
        if p["state"] == "writable":
            share.pop("saved_access", None)
    except RuntimeError as exc:
        return {**result, "failed": True, "after": [dict(a) for a in share["access"]],
                "msg": f"changing the access of share {p['name']} failed part-way (the saved list at {saved_path} "
                       f"is kept for the next run): {exc}"}
    result["after"] = [dict(a) for a in share["access"]]
    if diff:
        result["diff"] = {"before": {"access": before}, "after": {"access": result["after"]}}
    return result


@register("cutover_migration_verify", {
    "source": opt("str", required=True), "target": opt("str", required=True), "sample": opt("int", 20),
    "exclude_dirs": opt("list", list(EXCLUDED_DIRS), elements="str"),
})
def cutover_migration_verify(state, p, check_mode, diff):
    sides = {}
    for side in ("source", "target"):
        try:
            files, unreadable, _ = walk(state, p[side], p["exclude_dirs"])
        except Unreadable as exc:
            return {"failed": True, "matched": False, "msg": f"could not read the {side} {p[side]}: {exc}",
                    "unreadable": [p[side]]}
        if unreadable:
            return {"failed": True, "matched": False, "unreadable": unreadable,
                    "msg": _could_not_read(p[side], unreadable)}
        sides[side] = files
    source, target = sides["source"], sides["target"]
    if not source:
        return {"failed": True, "matched": False,
                "msg": f"could not verify: {p['source']} shows no files (an empty or wrong source never passes)"}
    folders: dict[str, dict] = {}
    for side, tree in sides.items():
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
    picked = sorted(source, key=lambda k: hashlib.sha256(k.encode("utf-8")).hexdigest())[: p["sample"]]
    sample, findings = [], []
    for key in picked:
        item: dict[str, Any] = {"path": key, "source_sha256": None, "target_sha256": None, "match": False}
        problem = _locked(state, key, source[key]) or (key in target and _locked(state, key, target[key]))
        if problem:
            item["error"] = f"could not hash: {problem}"
            findings.append({"path": key, "kind": "in_use", "detail": problem})
        else:
            item["source_sha256"] = _hex(source[key]["sha256"])  # as the module prints it: upper-case hex
            item["target_sha256"] = _hex((target.get(key) or {}).get("sha256"))
            item["match"] = item["source_sha256"] == item["target_sha256"]
        sample.append(item)
    return {"changed": False, "folders": rows, "sample": sample, "findings": findings,
            "source_files": len(source), "target_files": len(target),
            "matched": all(r["match"] for r in rows) and all(s["match"] for s in sample)}

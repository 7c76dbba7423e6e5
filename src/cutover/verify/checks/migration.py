"""Migration area: the Azure file share holds exactly the source's files (names, sizes, times, sampled SHA-256)."""

from __future__ import annotations

from cutover.verify.checks.model import Finding
from cutover.verify.checks.raw import Raw
from cutover.verify.expect import ServerExpectation


def check_server(server: ServerExpectation, raw: Raw) -> list[Finding]:
    trees = {t["path"].lower().rstrip("\\"): t for t in raw.result.get("trees") or []}
    problems, errors, compared = [], [], []
    for share in server.shares:
        source = trees.get(share.source.lower().rstrip("\\"))
        target = trees.get(share.target.lower().rstrip("\\"))
        if source is None or target is None or source["exists"] is None or target["exists"] is None:
            errors.append(f"{share.share}: could not read {share.source} or {share.target} "
                          f"({raw.error_about('trees') or 'not listed'})")
            continue
        if not source["exists"]:
            errors.append(f"{share.share}: source {share.source} not found")
            continue
        if not target["exists"]:
            problems.append(f"{share.share}: {share.target} does not exist (not migrated)")
            continue
        src = {f[0].lower(): f for f in source["files"]}
        dst = {f[0].lower(): f for f in target["files"]}
        missing = sorted(src[k][0] for k in src.keys() - dst.keys())
        extra = sorted(dst[k][0] for k in dst.keys() - src.keys())
        differ = sorted(src[k][0] for k in src.keys() & dst.keys() if src[k][1:] != dst[k][1:])
        src_hash = {k.lower(): v for k, v in source["sha256"].items()}
        dst_hash = {k.lower(): v for k, v in target["sha256"].items()}
        hashed = src_hash.keys() & dst_hash.keys()
        differ += sorted(src[k][0] for k in hashed if src_hash[k] != dst_hash[k] and src[k][0] not in differ)
        compared.append({"share": share.share, "files": len(src), "hashed": len(hashed)})
        for label, names in (("missing in the target", missing), ("only in the target", extra),
                             ("different (size, time or SHA-256)", differ)):
            if names:
                problems.append(f"{share.share}: {len(names)} file(s) {label}: {', '.join(names[:5])}"
                                + (" …" if len(names) > 5 else ""))
    data = {"shares": compared}
    if problems:
        return [Finding(server.site, server.host, "migration.target_matches_source", "fail",
                        "; ".join(problems + errors),
                        action_en="Find out who changed the Azure file share after the final pass; run the final pass "
                                  "and its verification again before the cutover",
                        action_ja="最終パスの後に Azure ファイル共有を変更した人を確認し、切替前に最終パスと検証を"
                                  "やり直してください",
                        data=data)]
    if errors:
        return [Finding(server.site, server.host, "migration.target_matches_source", "error",
                        "could not check: " + "; ".join(errors), data=data)]
    return [Finding(server.site, server.host, "migration.target_matches_source", "pass",
                    "; ".join(f"{c['share']}: {c['files']} files equal ({c['hashed']} hashed)" for c in compared),
                    data=data)]

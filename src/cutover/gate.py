"""The cutover gate: a site switches to its Azure file share only when every condition holds.

Each condition reads the site's evidence; missing evidence fails the condition (never passes it).
"""

from __future__ import annotations

from dataclasses import dataclass

from cutover.evidence.model import SiteEvidence


@dataclass(frozen=True)
class Condition:
    id: str
    title_en: str
    title_ja: str
    passed: bool
    why: str


def _checks(evidence: SiteEvidence, prefix: str):
    return [c for c in evidence.checks if c.id.startswith(prefix)]


def evaluate(evidence: SiteEvidence) -> list[Condition]:
    out = []
    verification = [c for c in _checks(evidence, "migration.verify") if c.status != "not_applicable"]
    out.append(Condition(
        "verification-matched", "The last verification pass matched", "最後の検証パスで件数・容量・ハッシュが一致",
        bool(verification) and all(c.status == "pass" for c in verification),
        "no migration verification evidence" if not verification else
        "; ".join(c.message for c in verification if c.status != "pass") or "matched"))
    final = _checks(evidence, "migration.final_pass")
    out.append(Condition(
        "final-pass-succeeded", "The final copy pass succeeded", "最終コピーパスが成功",
        bool(final) and all(c.status == "pass" for c in final),
        "no final pass evidence" if not final else "; ".join(c.message for c in final)))
    backup = _checks(evidence, "cloud.backup")
    out.append(Condition(
        "backups-exist", "Backups of the new shares exist", "新しい共有のバックアップがある",
        bool(backup) and all(c.status == "pass" for c in backup),
        "no cloud evidence" if not backup else "; ".join(c.message for c in backup)))
    hosts_failing = sorted({c.host for c in evidence.checks
                            if c.host and c.area in ("fileshare", "ngav") and c.status in ("fail", "error")})
    waived = {c.host for c in evidence.checks if c.id == "inventory.waiver.endpoint-readiness" and c.status == "waived"}
    readiness = _checks(evidence, "fileshare.")
    blocking = [h for h in hosts_failing if h not in waived]
    out.append(Condition(
        "pcs-ready", "Every PC is ready or waived", "すべてのPCが対応済みまたは例外承認済み",
        bool(readiness) and not blocking,
        "no file-share readiness evidence from the PCs" if not readiness else
        (f"not ready: {', '.join(blocking)}" if blocking else "all ready or waived")))
    mandatory = [c for c in _checks(evidence, "cloud.") if c.status in ("fail", "error")
                 and (c.data.get("enforcement") in (None, "mandatory"))]
    out.append(Condition(
        "policies-pass", "No mandatory policy fails", "必須ポリシーの違反がない",
        bool(_checks(evidence, "cloud.")) and not mandatory,
        "no cloud evidence" if not _checks(evidence, "cloud.") else
        ("; ".join(c.id for c in mandatory) if mandatory else "all mandatory policies pass")))
    return out


def passed(conditions: list[Condition]) -> bool:
    return all(c.passed for c in conditions)

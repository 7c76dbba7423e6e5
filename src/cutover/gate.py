"""The cutover gate, and the one notion of "ready" that the CLI, the report and the gate share.

The gate trusts nothing it has not checked. First, is this evidence the one to judge: for the site
asked, fresh (its as-of day within ``max_age_days`` of the gate's day, and not after it), from the
current inventory revision, and complete (every source, every PC of the inventory)? Then the site's
conditions: the last verification matched, the final pass succeeded, backups exist, the manual
steps are recorded as done, every PC is ready (or waived) and independently verified, no mandatory
policy fails. Missing evidence fails a condition, never passes it.

"Backups exist" passes only on deployed evidence (a ``pulumi stack export``): on an offline plan it
is ``on_plan``, and the verdict is at best **go on plan** — deploy, then run the gate on deployed
evidence. A site is **ready** when no check is fail, error or an unconfirmed manual step *and* the
gate says go (**ready on plan** when it says go on plan).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from cutover.evidence.model import Check, SiteEvidence
from cutover.evidence.provenance import in_tokyo
from cutover.inventory import Inventory

DEFAULT_MAX_AGE_DAYS = 7
DEPLOYED_MODES = ("stack-export",)  # evidence of what exists in Azure (a plan only says what would)
REQUIRED_SOURCES = ("pulumi", "ansible", "testinfra", "survey")
PC_AREAS = ("endpoint", "fileshare", "ngav")  # areas whose failure keeps a PC from the Azure file share
Result = Literal["pass", "fail", "on_plan"]
RESULTS: tuple[str, ...] = ("pass", "fail", "on_plan")
# Every condition, in the order the gate shows them: id -> (title_en, title_ja).
CONDITIONS: dict[str, tuple[str, str]] = {
    "evidence-for-site": ("The evidence is for the site asked", "証跡が対象サイトのもの"),
    "evidence-fresh": ("The evidence is fresh", "証跡が新しい"),
    "inventory-current": ("The evidence is from the current inventory", "証跡が現在の台帳のもの"),
    "evidence-complete": ("The evidence is complete", "証跡がそろっている"),
    "verification-matched": ("The last verification pass matched", "最後の検証パスで件数・容量・ハッシュが一致"),
    "final-pass-succeeded": ("The final copy pass succeeded", "最終コピーパスが成功"),
    "backups-exist": ("Backups of the new shares exist", "新しい共有のバックアップがある"),
    "manual-steps-done": ("Manual steps are recorded as done", "手作業の完了が記録されている"),
    "pcs-ready": ("Every PC is ready or waived", "すべてのPCが対応済みまたは例外承認済み"),
    "pcs-verified": ("Every reachable PC passed independent verification", "接続できたすべてのPCが独立した検証に合格"),
    "policies-pass": ("No mandatory policy fails", "必須ポリシーの違反がない"),
}


class Verdict(StrEnum):
    GO = "go"
    GO_ON_PLAN = "go-on-plan"
    NO_GO = "no-go"


class Readiness(StrEnum):
    READY = "ready"
    READY_ON_PLAN = "ready-on-plan"
    NOT_READY = "not-ready"


@dataclass(frozen=True)
class Condition:
    id: str
    result: Result
    why: str

    def __post_init__(self) -> None:
        if self.id not in CONDITIONS or self.result not in RESULTS or not self.why:
            raise ValueError(f"not a gate condition: {self.id!r} {self.result!r} {self.why!r}")

    @property
    def title_en(self) -> str:
        return CONDITIONS[self.id][0]

    @property
    def title_ja(self) -> str:
        return CONDITIONS[self.id][1]

    @property
    def passed(self) -> bool:
        return self.result == "pass"


@dataclass(frozen=True)
class Context:
    """What the evidence is judged against: the site asked, the current inventory, the gate's day."""

    site_id: str
    inventory_revision: str
    today: dt.date
    hosts: tuple[str, ...] = ()  # the site's PCs in the current inventory
    max_age_days: int = DEFAULT_MAX_AGE_DAYS

    @classmethod
    def for_site(cls, inventory: Inventory, site_id: str, today: dt.date,
                 max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> Context:
        site = inventory.sites.get(site_id)
        return cls(site_id=site_id, inventory_revision=inventory.revision, today=today,
                   hosts=tuple(e.hostname for e in site.endpoints) if site else (), max_age_days=max_age_days)


@dataclass(frozen=True)
class Assessment:
    site_id: str
    conditions: list[Condition]
    blockers: list[Check] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return verdict(self.conditions)

    @property
    def readiness(self) -> Readiness:
        if self.blockers or self.verdict is Verdict.NO_GO:
            return Readiness.NOT_READY
        return Readiness.READY if self.verdict is Verdict.GO else Readiness.READY_ON_PLAN

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.passed]


def _checks(evidence: SiteEvidence, prefix: str) -> list[Check]:
    return [c for c in evidence.checks if c.id.startswith(prefix)]


def _all_pass(checks: list[Check]) -> bool:
    return bool(checks) and all(c.status == "pass" for c in checks)


def _failing(checks: list[Check]) -> str:
    return "; ".join(f"{c.key}: {c.message}" for c in checks if c.status != "pass")


def _trust(evidence: SiteEvidence, context: Context) -> list[Condition]:
    out = []
    claimed = evidence.site.id
    out.append(Condition(
        "evidence-for-site", "pass" if claimed == context.site_id else "fail",
        f"evidence is for {claimed}" if claimed == context.site_id
        else f"evidence is for {claimed}, not {context.site_id}"))
    as_of = evidence.run.as_of
    collected = in_tokyo(evidence.run.generated_at).date()
    oldest = context.today - dt.timedelta(days=context.max_age_days)
    if as_of > context.today:
        fresh, why = False, f"judged on {as_of}, after the gate's day {context.today}"
    elif min(as_of, collected) < oldest:
        fresh, why = False, (f"as of {as_of}, collected {collected}: older than {context.max_age_days} day(s) "
                             f"before {context.today}; collect again")
    else:
        fresh, why = True, f"as of {as_of}, collected {collected} (within {context.max_age_days} day(s))"
    out.append(Condition("evidence-fresh", "pass" if fresh else "fail", why))
    revision = evidence.run.inventory_revision
    out.append(Condition(
        "inventory-current", "pass" if revision == context.inventory_revision else "fail",
        f"inventory revision {revision}" if revision == context.inventory_revision
        else f"inventory revision {revision}, the inventory is now {context.inventory_revision}; collect again"))
    out.append(_complete(evidence, context))
    return out


def _complete(evidence: SiteEvidence, context: Context) -> Condition:
    sources = {c.source for c in evidence.checks}  # (the schema version is checked when the file is read)
    gaps = [f"no {s} evidence" for s in REQUIRED_SOURCES if s not in sources]
    covered = {c.host for c in evidence.checks if c.host}
    missing = [h for h in context.hosts if h not in covered]
    if missing:
        gaps.append(f"{len(missing)} PC(s) of the inventory without evidence: {', '.join(missing[:10])}"
                    + (" …" if len(missing) > 10 else ""))
    if context.hosts and evidence.site.endpoints != len(context.hosts):
        gaps.append(f"evidence counts {evidence.site.endpoints} PCs, the inventory {len(context.hosts)}")
    return Condition("evidence-complete", "fail" if gaps else "pass", "; ".join(gaps) or "every source and every PC")


def _site(evidence: SiteEvidence, context: Context) -> list[Condition]:
    out = []
    verification = [c for c in _checks(evidence, "migration.verify") if c.status != "not_applicable"]
    out.append(Condition(
        "verification-matched", "pass" if _all_pass(verification) else "fail",
        "no migration verification evidence" if not verification else _failing(verification) or "matched"))
    final = _checks(evidence, "migration.final_pass")
    out.append(Condition(
        "final-pass-succeeded", "pass" if _all_pass(final) else "fail",
        "no final pass evidence" if not final else _failing(final) or "succeeded"))
    out.append(_backups(evidence))
    manual = _checks(evidence, "cloud.manual.")
    outstanding = [c for c in manual if c.status != "pass"]
    out.append(Condition(
        "manual-steps-done", "fail" if outstanding or not _checks(evidence, "cloud.") else "pass",
        "no cloud evidence" if not _checks(evidence, "cloud.") else
        ("not recorded as done: " + ", ".join(c.id.removeprefix("cloud.manual.") for c in outstanding)
         if outstanding else f"{len(manual)} step(s) recorded as done")))
    out.append(_pcs_ready(evidence, context))
    out.append(_pcs_verified(evidence, context))
    cloud = _checks(evidence, "cloud.")
    mandatory = [c for c in cloud if c.id != "cloud.backup" and c.status in ("fail", "error")
                 and c.data.get("enforcement") in (None, "mandatory")]
    out.append(Condition(
        "policies-pass", "pass" if cloud and not mandatory else "fail",
        "no cloud evidence" if not cloud else
        ("; ".join(c.id for c in mandatory) if mandatory else "all mandatory policies pass")))
    return out


def _backups(evidence: SiteEvidence) -> Condition:
    backup = [c for c in evidence.checks if c.id == "cloud.backup"]  # not the backup-* policies
    if not _all_pass(backup):
        return Condition("backups-exist", "fail", "no cloud evidence" if not backup else _failing(backup))
    undeployed = [c for c in backup if c.data.get("mode") not in DEPLOYED_MODES]
    if undeployed:
        return Condition("backups-exist", "on_plan",
                         "only planned (" + "; ".join(c.message for c in undeployed) + "): deploy, then run the "
                         "gate on deployed evidence (pulumi stack export)")
    return Condition("backups-exist", "pass", "; ".join(c.message for c in backup))


def _waived_hosts(evidence: SiteEvidence) -> set[str]:
    return {c.host for c in evidence.checks
            if c.id == "inventory.waiver.endpoint-readiness" and c.status == "waived" and c.host}


def _pcs_ready(evidence: SiteEvidence, context: Context) -> Condition:
    waived = _waived_hosts(evidence)
    failing = {c.host for c in evidence.checks if c.host and c.status in ("fail", "error")
               and c.area in PC_AREAS}
    with_readiness = {c.host for c in _checks(evidence, "fileshare.") if c.host}
    unknown = {h for h in context.hosts if h not in with_readiness}
    blocking = sorted((failing | unknown) - waived)
    if not with_readiness:
        why = "no file-share readiness evidence from the PCs"
    elif blocking:
        why = f"not ready: {', '.join(blocking)}"
    else:
        why = "all ready" + (f" or waived ({', '.join(sorted(waived))})" if waived else "")
    return Condition("pcs-ready", "pass" if with_readiness and not blocking else "fail", why)


def _pcs_verified(evidence: SiteEvidence, context: Context) -> Condition:
    waived = _waived_hosts(evidence)
    verified = [c for c in evidence.checks if c.source == "testinfra"]
    failing = sorted({c.host or "-" for c in verified if c.status in ("fail", "error")} - waived)
    hosts = {c.host for c in verified if c.host}
    unreachable = {c.host for c in evidence.checks if c.id == "endpoint.reachable" and c.host}
    unverified = sorted(h for h in context.hosts if h not in hosts and h not in unreachable and h not in waived)
    if not verified:
        why = "no independent verification evidence (cutover verify / testinfra)"
    elif failing or unverified:
        why = "; ".join(filter(None, [f"verification fails on {', '.join(failing)}" if failing else "",
                                      f"not verified: {', '.join(unverified)}" if unverified else ""]))
    else:
        why = f"{len(hosts)} PC(s) verified"
    return Condition("pcs-verified", "pass" if verified and not failing and not unverified else "fail", why)


def evaluate(evidence: SiteEvidence, context: Context) -> list[Condition]:
    """Every condition of the gate, trust first, for ``evidence`` judged in ``context``."""
    return _trust(evidence, context) + _site(evidence, context)


def verdict(conditions: list[Condition]) -> Verdict:
    if any(c.result == "fail" for c in conditions):
        return Verdict.NO_GO
    return Verdict.GO_ON_PLAN if any(c.result == "on_plan" for c in conditions) else Verdict.GO


def passed(conditions: list[Condition]) -> bool:
    """A plain go: every condition passes on deployed evidence."""
    return verdict(conditions) is Verdict.GO


def assess(evidence: SiteEvidence, context: Context) -> Assessment:
    """The gate's conditions and the site's blocking checks: the one answer to "is this site ready?"."""
    return Assessment(site_id=context.site_id, conditions=evaluate(evidence, context), blockers=evidence.blockers)

"""From evidence files to everything a report shows: readiness, deadlines, costs, hands-on work, drift.

Readiness is the gate's (``cutover.gate.assess``), judged on the same day and with the same rules as
``cutover gate``, so the report and the gate cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cutover import __version__, gate, impact, lifecycle
from cutover.evidence import provenance
from cutover.evidence.collect import tool_versions
from cutover.evidence.model import (
    AREAS,
    BLOCKING,
    BY_SEVERITY,
    Action,
    Check,
    InputDigest,
    ReportProvenance,
    SiteEvidence,
)
from cutover.inventory import Inventory

# Deadlines shown on every report: label key -> the Office release whose end of support it is
# (the dates come from cutover.lifecycle, data/lifecycle.yml, with their sources).
OFFICE_DEADLINES = {"office_1619": "office_2016", "office_2021": "office_2021"}
VOLATILE = ("timestamp", "collected_at", "generated_at")


@dataclass(frozen=True)
class Deadline:
    key: str  # label key in i18n
    date: dt.date
    days_left: int


@dataclass(frozen=True)
class CostLine:
    key: str
    quantity: float
    unit_price: float
    unit: str  # label key of the unit counted (ids, licences, GiB)
    missing: int = 0  # PCs whose evidence this line would need but which have none: the figure is a floor

    @property
    def monthly(self) -> int:
        return round(self.quantity * self.unit_price)


ATTENTION = ("fail", "error", "manual", "waived")  # what a site page lists first, each row with its action
_STATUS_ORDER = {status: rank for rank, status in enumerate(BY_SEVERITY)}
_IMPACT_ORDER = {name: rank for rank, name in enumerate(impact.IMPACTS)}


def attention_order(check: Check) -> tuple:
    """Most severe first: impact, then status (fail before error before manual before waived), area, PC."""
    return (_IMPACT_ORDER[impact.impact_of(check.id)], _STATUS_ORDER[check.status], check.area, check.host or "",
            check.id)


DRIFT_BUCKETS = ("missing_now", "new_now", "changed")
MIGRATION_STAGES = ("scan", "seed_pass", "delta_pass", "final_pass", "verify")  # in the order they are run


@dataclass
class SiteReport:
    evidence: SiteEvidence
    deadlines: list[Deadline]
    costs: list[CostLine]
    assessment: gate.Assessment
    drift: dict[str, list[dict[str, Any]]] | None = None  # None: no previous run for this site
    hands_on: list[Action] = field(default_factory=list)
    judged_on: dt.date | None = None  # the gate's day this site was judged on
    cutover_date: dt.date | None = None  # the organisation's data-center retirement

    @property
    def id(self) -> str:
        return self.assessment.site_id

    @property
    def counts(self) -> dict[str, int]:
        return self.evidence.counts()

    @property
    def readiness(self) -> gate.Readiness:
        return self.assessment.readiness

    @property
    def ready(self) -> bool:
        return self.readiness is gate.Readiness.READY

    @property
    def blockers(self) -> list[Check]:
        return self.assessment.blockers

    @property
    def drift_counts(self) -> dict[str, int] | None:
        return {b: len(self.drift[b]) for b in DRIFT_BUCKETS} if self.drift is not None else None

    @property
    def monthly_cost(self) -> int:
        return sum(c.monthly for c in self.costs)

    @property
    def attention(self) -> list[Check]:
        """Failing, error, manual and waived checks, most severe first: the top of the site page."""
        return sorted((c for c in self.evidence.checks if c.status in ATTENTION), key=attention_order)

    @property
    def settled_by_area(self) -> dict[str, dict[str, list[Check]]]:
        """Passing and not-applicable checks per area (collapsed on the page): area -> status -> checks."""
        out: dict[str, dict[str, list[Check]]] = {}
        for check in sorted(self.evidence.checks, key=lambda c: (c.host or "", c.id)):
            if check.status not in ATTENTION:
                out.setdefault(check.area, {}).setdefault(check.status, []).append(check)
        return {area: out[area] for area in AREAS if area in out}

    @property
    def blockers_by_impact(self) -> dict[str, int]:
        counts = dict.fromkeys(impact.IMPACTS, 0)
        for check in self.blockers:
            counts[impact.impact_of(check.id)] += 1
        return counts

    @property
    def blockers_by_area(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for check in self.blockers:
            counts[check.area] = counts.get(check.area, 0) + 1
        return {area: counts[area] for area in AREAS if area in counts}

    @property
    def severity(self) -> int:
        """Blockers weighed by impact (cutover.impact.WEIGHT): what the site table sorts by."""
        return sum(impact.WEIGHT[impact.impact_of(c.id)] for c in self.blockers)

    @property
    def migration_state(self) -> str:
        """How far the data migration has come: the last pass whose every check passes, or ``attention`` when
        a pass fails or could not be checked, or ``not_started`` (label keys ``migration_<state>``)."""
        checks = [c for c in self.evidence.checks if c.id.startswith("migration.") and c.status != "not_applicable"]
        if any(c.status in ("fail", "error") for c in checks):
            return "attention"
        reached = "not_started"
        for stage in MIGRATION_STAGES:
            stage_checks = [c for c in checks if c.id.startswith(f"migration.{stage}.")]
            if stage_checks and all(c.status == "pass" for c in stage_checks):
                reached = stage
        return reached

    def actions_for(self, check: Check) -> list[Action]:
        """The hands-on work that resolves ``check``: same PC (or both site-wide), same area or id family."""
        family = check.id.split(".", 1)[0]
        return [a for a in self.hands_on
                if a.host == check.host and a.id.split(".", 1)[0] in (check.area, family)]

    @property
    def actions_by_host(self) -> dict[str | None, list[Action]]:
        out: dict[str | None, list[Action]] = {}
        for action in self.hands_on:
            out.setdefault(action.host, []).append(action)
        return out


def deadlines(evidence: SiteEvidence, cutover_date: dt.date) -> list[Deadline]:
    as_of = evidence.run.as_of
    items = [(key, lifecycle.data()["office"][release]["end"]) for key, release in OFFICE_DEADLINES.items()]
    if evidence.site.wave_start:
        items.append(("wave_start", evidence.site.wave_start))
    items.append(("cutover", cutover_date))
    return [Deadline(key, date, (date - as_of).days) for key, date in items]


def costs(evidence: SiteEvidence, inventory: Inventory) -> list[CostLine]:
    prices = inventory.organisation.prices
    site = inventory.sites.get(evidence.site.id)
    groupware_ids = site.config.groupware_ids if site else 0
    quota = sum(s.quota_gib for s in site.config.file_shares) if site else 0
    office_checks = [c for c in evidence.checks if c.area == "office" and c.host]
    needing_office = {c.host for c in office_checks if c.status == "fail"}
    # A PC without a collected Office verdict may need a licence too: the M365 line is then a floor.
    judged = {c.host for c in office_checks if c.status in ("pass", "fail", "waived", "not_applicable")}
    hosts = [e.hostname for e in site.endpoints] if site else []
    unjudged = len([h for h in hosts if h not in judged]) if hosts else (0 if judged else evidence.site.endpoints)
    return [
        CostLine("groupware", groupware_ids, prices.groupware_id_month, "unit_ids"),
        CostLine("m365", len(needing_office), prices.m365_apps_business_user_month, "unit_licences", unjudged),
        CostLine("storage", quota, prices.azure_files_gib_month, "unit_gib"),
    ]


def _comparable(check: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in (check.get("data") or {}).items() if k not in VOLATILE}
    return {"status": check["status"], "message": check["message"], "data": data}


def _row(key: str, check: dict[str, Any], **sides: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "id": check["id"], "host": check.get("host"), "title_ja": check["title_ja"],
            "title_en": check["title_en"], "area": check["area"], **sides}


def drift(current: SiteEvidence, previous: SiteEvidence) -> dict[str, list[dict[str, Any]]]:
    """Microsoft365DSC-style buckets: missing now, new now, changed (volatile fields left out); rows carry titles."""
    now = {c.key: c.model_dump(mode="json") for c in current.checks}
    before = {c.key: c.model_dump(mode="json") for c in previous.checks}
    changed = []
    for key in sorted(now.keys() & before.keys()):
        a, b = _comparable(before[key]), _comparable(now[key])
        if a != b:
            changed.append(_row(key, now[key], before=a, after=b))
    return {
        "missing_now": [_row(k, before[k], before=_comparable(before[k])) for k in sorted(before.keys() - now.keys())],
        "new_now": [_row(k, now[k], after=_comparable(now[k])) for k in sorted(now.keys() - before.keys())],
        "changed": changed,
    }


def build(evidence: list[SiteEvidence] | dict[str, SiteEvidence], inventory: Inventory,
          previous: list[SiteEvidence] | dict[str, SiteEvidence] | None = None, *, today: dt.date | None = None,
          max_age_days: int = gate.DEFAULT_MAX_AGE_DAYS) -> list[SiteReport]:
    """One report per evidence file, judged like ``cutover gate`` on ``today`` (default: today in Tokyo).

    A dict maps the site each file's name claims (``pref-18-fukui`` for ``pref-18-fukui.json``) to its
    evidence, as the gate reads it: a file holding another site's evidence is then not ready.
    """
    named = evidence if isinstance(evidence, dict) else {e.site.id: e for e in evidence}
    earlier = previous if isinstance(previous, dict) else {e.site.id: e for e in previous or []}
    day = today or provenance.today()
    reports = []
    for site_id, item in named.items():
        prior = earlier.get(site_id)
        unique = {(a.host, a.message_ja, a.message_en): a for a in reversed(item.actions)}  # the same work once
        hands_on = sorted(unique.values(), key=lambda a: (a.host or "", a.id))
        reports.append(SiteReport(
            evidence=item,
            deadlines=deadlines(item, inventory.organisation.cutover_date),
            costs=costs(item, inventory),
            assessment=gate.assess(item, gate.Context.for_site(inventory, site_id, day, max_age_days)),
            drift=drift(item, prior) if prior else None,
            hands_on=hands_on, judged_on=day, cutover_date=inventory.organisation.cutover_date,
        ))
    return reports


def report_provenance(inventory: Inventory, inputs: list[tuple[str, Path | None]], *, today: dt.date | None = None,
                      max_age_days: int = gate.DEFAULT_MAX_AGE_DAYS) -> ReportProvenance:
    """Provenance of a report rendered now from ``inputs`` (role, path), judged like the gate on ``today``."""
    commit, dirty = provenance.git_state()
    digests: list[InputDigest] = [provenance.digest("inventory", Path(inventory.root)),
                                  *(provenance.digest(role, path) for role, path in inputs)]
    return ReportProvenance(
        generated_at=provenance.now(), tool_version=__version__, tool_versions=tool_versions(), git_commit=commit,
        git_dirty=dirty, ci=provenance.ci_run(), operator=provenance.operator(), host=provenance.hostname(),
        inputs=digests, judged_on=today or provenance.today(), max_age_days=max_age_days,
        inventory_revision=inventory.revision)


WINDOWS_11_FIRST_BUILD = 22000  # Windows 11 21H2; every Windows 10 build is below it (learn.microsoft.com release info)


@dataclass
class AttentionRow:
    """Checks with the same id, status and message on several PCs: one row, its PCs listed, one example."""

    checks: list[Check]
    actions: list[Action]

    @property
    def check(self) -> Check:
        return self.checks[0]

    @property
    def hosts(self) -> list[str]:
        return [c.host for c in self.checks if c.host]


def attention_rows(report: SiteReport, message: Callable[[Check], str]) -> list[AttentionRow]:
    """``report.attention`` with checks that read the same (``message``) on many PCs folded into one row.

    A 615-PC site whose Office fails on 300 PCs gets one row per product and verdict, not 300.
    """
    rows: dict[tuple[str, str, str], AttentionRow] = {}
    for check in report.attention:
        key = (check.id, check.status, message(check))
        row = rows.setdefault(key, AttentionRow([], []))
        row.checks.append(check)
        for action in report.actions_for(check):
            if all(a.message_ja != action.message_ja or a.message_en != action.message_en for a in row.actions):
                row.actions.append(action)
    return list(rows.values())


@dataclass
class WorkRow:
    """One piece of hands-on work and every PC that needs it (site-wide work has no PC)."""

    text: str
    hosts: list[str]


def work_rows(report: SiteReport, lang: str) -> list[WorkRow]:
    rows: dict[str, WorkRow] = {}
    for action in report.hands_on:
        text = action.message_ja if lang == "ja" else action.message_en
        row = rows.setdefault(text, WorkRow(text, []))
        if action.host and action.host not in row.hosts:
            row.hosts.append(action.host)
    return sorted(rows.values(), key=lambda r: -len(r.hosts))


@dataclass(frozen=True)
class WaveSummary:
    wave: int
    sites: int
    ready: int
    ready_on_plan: int
    not_ready: int
    through_gate: int  # the gate says go (on deployed evidence)


@dataclass(frozen=True)
class Headline:
    """The national index's first lines: what an auditor asks before opening a site."""

    judged_on: dt.date
    cutover_date: dt.date
    sites: int
    ready: int
    ready_on_plan: int
    waves: list[WaveSummary]
    pcs: int
    pcs_unsupported_office: int
    pcs_windows10: int
    pcs_unreachable: int
    pcs_hands_on: int
    manual_cloud_outstanding: int
    blockers_by_impact: dict[str, int]
    monthly_cost: int
    cost_missing_pcs: int  # PCs without Office evidence: the M365 figure is a floor

    @property
    def days_to_cutover(self) -> int:
        return (self.cutover_date - self.judged_on).days


def _hosts(report: SiteReport, predicate) -> set[str]:
    return {c.host for c in report.evidence.checks if c.host and predicate(c)}


def _on_windows10(check: Check) -> bool:
    try:
        build_number = int(check.data.get("build") or 0)
    except (TypeError, ValueError):
        return False
    return check.id == "fileshare.os_supported" and 0 < build_number < WINDOWS_11_FIRST_BUILD


def headline(reports: list[SiteReport]) -> Headline | None:
    """The national figures over ``reports`` (None without a report: nothing to sum)."""
    if not reports:
        return None
    judged_on = reports[0].judged_on or reports[0].evidence.run.as_of
    cutover_date = reports[0].cutover_date or next(d.date for d in reports[0].deadlines if d.key == "cutover")
    waves: dict[int, list[SiteReport]] = {}
    for report in reports:
        waves.setdefault(report.evidence.site.wave, []).append(report)
    by_impact = dict.fromkeys(impact.IMPACTS, 0)
    for report in reports:
        for name, count in report.blockers_by_impact.items():
            by_impact[name] += count
    return Headline(
        judged_on=judged_on, cutover_date=cutover_date, sites=len(reports),
        ready=sum(r.readiness is gate.Readiness.READY for r in reports),
        ready_on_plan=sum(r.readiness is gate.Readiness.READY_ON_PLAN for r in reports),
        waves=[WaveSummary(wave, len(group), sum(r.readiness is gate.Readiness.READY for r in group),
                           sum(r.readiness is gate.Readiness.READY_ON_PLAN for r in group),
                           sum(r.readiness is gate.Readiness.NOT_READY for r in group),
                           sum(r.assessment.verdict is gate.Verdict.GO for r in group))
               for wave, group in sorted(waves.items())],
        pcs=sum(r.evidence.site.endpoints for r in reports),
        pcs_unsupported_office=sum(len(_hosts(r, lambda c: c.id in ("office.support", "office.supported")
                                              and c.status == "fail")) for r in reports),
        pcs_windows10=sum(len(_hosts(r, _on_windows10)) for r in reports),
        pcs_unreachable=sum(len(_hosts(r, lambda c: c.id == "endpoint.reachable" and c.status in BLOCKING))
                            for r in reports),
        pcs_hands_on=sum(len({a.host for a in r.hands_on if a.host}) for r in reports),
        manual_cloud_outstanding=sum(1 for r in reports for c in r.evidence.checks
                                     if c.id.startswith("cloud.manual.") and c.status != "pass"),
        blockers_by_impact=by_impact, monthly_cost=sum(r.monthly_cost for r in reports),
        cost_missing_pcs=sum(line.missing for r in reports for line in r.costs),
    )

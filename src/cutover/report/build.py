"""From evidence files to everything a report shows: readiness, deadlines, costs, hands-on work, drift.

Readiness is the gate's (``cutover.gate.assess``), judged on the same day and with the same rules as
``cutover gate``, so the report and the gate cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cutover import __version__, gate, lifecycle
from cutover.evidence import provenance
from cutover.evidence.collect import tool_versions
from cutover.evidence.model import Action, Check, InputDigest, ReportProvenance, SiteEvidence
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

    @property
    def monthly(self) -> int:
        return round(self.quantity * self.unit_price)


DRIFT_BUCKETS = ("missing_now", "new_now", "changed")


@dataclass
class SiteReport:
    evidence: SiteEvidence
    deadlines: list[Deadline]
    costs: list[CostLine]
    assessment: gate.Assessment
    drift: dict[str, list[dict[str, Any]]] | None = None  # None: no previous run for this site
    hands_on: list[Action] = field(default_factory=list)

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
    needing_office = {c.host for c in evidence.checks
                      if c.area == "office" and c.host and c.status == "fail"}
    return [
        CostLine("groupware", groupware_ids, prices.groupware_id_month),
        CostLine("m365", len(needing_office), prices.m365_apps_business_user_month),
        CostLine("storage", quota, prices.azure_files_gib_month),
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
        hands_on = sorted(item.actions, key=lambda a: (a.host or "", a.id))
        reports.append(SiteReport(
            evidence=item,
            deadlines=deadlines(item, inventory.organisation.cutover_date),
            costs=costs(item, inventory),
            assessment=gate.assess(item, gate.Context.for_site(inventory, site_id, day, max_age_days)),
            drift=drift(item, prior) if prior else None,
            hands_on=hands_on,
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

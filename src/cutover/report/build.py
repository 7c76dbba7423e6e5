"""From evidence files to everything a report shows: readiness, deadlines, costs, hands-on work, drift."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cutover.evidence.model import Action, Check, SiteEvidence
from cutover.inventory import Inventory

OFFICE_2016_2019_END = dt.date(2025, 10, 14)  # mission context: Office 2016/2019 support ended
OFFICE_2021_END = dt.date(2026, 10, 13)  # mission context: Office 2021 support ends
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


@dataclass
class SiteReport:
    evidence: SiteEvidence
    deadlines: list[Deadline]
    costs: list[CostLine]
    drift: dict[str, list[dict[str, Any]]] | None = None  # None: no previous run for this site
    hands_on: list[Action] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.evidence.site.id

    @property
    def counts(self) -> dict[str, int]:
        return self.evidence.counts()

    @property
    def ready(self) -> bool:
        return self.evidence.ready

    @property
    def blockers(self) -> list[Check]:
        return self.evidence.blockers

    @property
    def monthly_cost(self) -> int:
        return sum(c.monthly for c in self.costs)


def deadlines(evidence: SiteEvidence, cutover_date: dt.date) -> list[Deadline]:
    as_of = evidence.run.as_of
    items = [("office_1619", OFFICE_2016_2019_END), ("office_2021", OFFICE_2021_END)]
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


def drift(current: SiteEvidence, previous: SiteEvidence) -> dict[str, list[dict[str, Any]]]:
    """Microsoft365DSC-style buckets: missing now, new now, changed (volatile fields left out)."""
    now = {c.key: c.model_dump(mode="json") for c in current.checks}
    before = {c.key: c.model_dump(mode="json") for c in previous.checks}
    changed = []
    for key in sorted(now.keys() & before.keys()):
        a, b = _comparable(before[key]), _comparable(now[key])
        if a != b:
            changed.append({"key": key, "before": a, "after": b})
    return {
        "missing_now": [{"key": k, "before": _comparable(before[k])} for k in sorted(before.keys() - now.keys())],
        "new_now": [{"key": k, "after": _comparable(now[k])} for k in sorted(now.keys() - before.keys())],
        "changed": changed,
    }


def build(evidence: list[SiteEvidence], inventory: Inventory,
          previous: list[SiteEvidence] | None = None) -> list[SiteReport]:
    earlier = {e.site.id: e for e in previous or []}
    reports = []
    for item in evidence:
        prior = earlier.get(item.site.id)
        hands_on = sorted(item.actions, key=lambda a: (a.host or "", a.id))
        reports.append(SiteReport(
            evidence=item,
            deadlines=deadlines(item, inventory.organisation.cutover_date),
            costs=costs(item, inventory),
            drift=drift(item, prior) if prior else None,
            hands_on=hands_on,
        ))
    return reports

"""The report's own history: one point per judged day, kept beside the report, drawn as a burn-down.

Each time a report is written into a folder, ``history.json`` there gains (or, on the same judged day,
replaces) a point: sites, blockers (by impact) and PCs with a blocker. A rehearsal writes its report into
the same folder each run, so its history grows run by run; the national index draws blockers and PCs
needing work over time against the straight line to zero on the cutover date (the pace needed). A history
file that cannot be read is left as it is (never overwritten) and the page says so.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cutover import atomic, impact
from cutover.report.build import SiteReport

HISTORY_FILE = "history.json"
VERSION = 1


@dataclass(frozen=True)
class History:
    points: list[dict]
    problem: str | None = None  # why the kept history could not be read (then it is not updated)


def point(reports: list[SiteReport]) -> dict:
    by_impact = dict.fromkeys(impact.IMPACTS, 0)
    for report in reports:
        for name, n in report.blockers_by_impact.items():
            by_impact[name] += n
    judged = reports[0].judged_on or reports[0].evidence.run.as_of
    return {"judged_on": judged.isoformat(), "sites": len(reports),
            "ready": sum(r.ready for r in reports), "blockers": sum(len(r.blockers) for r in reports),
            "blockers_by_impact": by_impact,
            "pcs_needing_work": sum(len({c.host for c in r.blockers if c.host}) for r in reports)}


def _read(path: Path) -> list[dict]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("points"), list):
        raise ValueError(f"not a version {VERSION} report history")
    for n, item in enumerate(doc["points"]):
        if not isinstance(item, dict) or not isinstance(item.get("blockers"), int):
            raise ValueError(f"point {n}: field blockers missing or not a number")
        dt.date.fromisoformat(item.get("judged_on", ""))
    return doc["points"]


def update(path: Path, reports: list[SiteReport]) -> History:
    """Add this report's point to the history file ``path`` (same judged day: replaced); return the history."""
    points: list[dict] = []
    if path.exists():
        try:
            points = _read(path)
        except (OSError, ValueError) as exc:  # keep the file for a person to look at; draw nothing over it
            return History([], f"{path}: {exc}")
    if reports:
        now = point(reports)
        points = sorted([p for p in points if p["judged_on"] != now["judged_on"]] + [now],
                        key=lambda p: p["judged_on"])
        atomic.write_text(path, json.dumps({"version": VERSION, "points": points}, ensure_ascii=False, indent=1))
    return History(points)


@dataclass(frozen=True)
class Chart:
    """An inline SVG burn-down: polylines in a fixed box, dates along x up to the cutover date."""

    width: int
    height: int
    blockers: str  # "x,y x,y …" for <polyline points>
    pcs: str
    pace: str  # the straight line from the first point's blockers to zero on the cutover date
    y_max: int
    first: str
    last: str


def chart(points: list[dict], cutover: dt.date, width: int = 720, height: int = 220) -> Chart | None:
    if not points:
        return None
    left, right, top, bottom = 48, 16, 12, 28
    start = dt.date.fromisoformat(points[0]["judged_on"])
    span = max((cutover - start).days, 1)
    y_max = max(max(p["blockers"] for p in points), max(p["pcs_needing_work"] for p in points), 1)

    def x(day: dt.date) -> float:
        return round(left + (width - left - right) * min(max((day - start).days, 0), span) / span, 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (1 - value / y_max), 1)

    def line(key: str) -> str:
        return " ".join(f"{x(dt.date.fromisoformat(p['judged_on']))},{y(p[key])}" for p in points)

    pace = f"{x(start)},{y(points[0]['blockers'])} {x(cutover)},{y(0)}"
    return Chart(width, height, line("blockers"), line("pcs_needing_work"), pace, y_max, start.isoformat(),
                 cutover.isoformat())

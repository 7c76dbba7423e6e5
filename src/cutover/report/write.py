"""Write the report: self-contained HTML pages, merged JSON, CSV with BOM for Excel, JUnit XML."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2

from cutover import atomic
from cutover.evidence.model import AREAS, STATUSES
from cutover.inventory import csvsource
from cutover.report.build import SiteReport
from cutover.report.i18n import AREA_LABELS, LABELS, STATUS_LABELS

_ORDER = {"fail": 0, "error": 1, "manual": 2, "waived": 3, "not_applicable": 4, "pass": 5}
_ENV = jinja2.Environment(loader=jinja2.PackageLoader("cutover.report", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


class UnsafeOutputPath(ValueError):
    """A file name built from input (a site id) that would land outside the output folder."""


def output_path(out: Path, *parts: str) -> Path:
    """``out/parts…``, refusing any name that resolves outside ``out`` (``..``, absolute paths, links)."""
    base = Path(out).resolve()
    path = base.joinpath(*parts).resolve()
    if not path.is_relative_to(base) or path == base:
        raise UnsafeOutputPath(f"refusing to write {'/'.join(parts)!r}: it resolves to {path}, outside {base}")
    return path


def _context(lang: str, reports: list[SiteReport]) -> dict:
    first = reports[0].evidence.run if reports else None
    return {
        "lang": lang, "L": LABELS[lang], "S": STATUS_LABELS[lang], "A": AREA_LABELS[lang],
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "as_of": first.as_of if first else dt.date.today(),
        "statuses": STATUSES, "areas": AREAS,
    }


def write_html(reports: list[SiteReport], out: Path, lang: str = "ja") -> list[Path]:
    context = _context(lang, reports)
    revisions = sorted({r.evidence.run.inventory_revision for r in reports})
    tools = reports[0].evidence.run.tool_versions if reports else {}
    paths = [output_path(out, "index.html")]
    atomic.write_text(paths[0], _ENV.get_template("index.html.j2").render(
        sites=reports, revisions=revisions, tools=", ".join(f"{k} {v}" for k, v in tools.items()), **context))
    template = _ENV.get_template("site.html.j2")
    for report in reports:
        checks = sorted(report.evidence.checks, key=lambda c: (_ORDER[c.status], c.area, c.host or "", c.id))
        path = output_path(out, f"{report.id}.html")
        atomic.write_text(path, template.render(site=report, checks=checks, **context))
        paths.append(path)
    return paths


def write_json(reports: list[SiteReport], out: Path) -> Path:
    doc = {
        "schema_version": "1.0",
        "sites": [
            {**r.evidence.model_dump(mode="json"),
             "summary": {"ready": r.ready, "counts": r.counts, "blockers": len(r.blockers),
                         "monthly_cost_yen": r.monthly_cost,
                         "deadlines": [{"key": d.key, "date": d.date.isoformat(), "days_left": d.days_left}
                                       for d in r.deadlines]},
             "drift": r.drift}
            for r in reports
        ],
    }
    path = output_path(out, "report.json")
    atomic.write_text(path, json.dumps(doc, ensure_ascii=False, indent=1))
    return path


def write_csv(reports: list[SiteReport], out: Path, lang: str = "ja") -> list[Path]:
    S = STATUS_LABELS[lang]
    tables = {
        "sites.csv": (("site", "name", "wave", "ready", "blockers", *STATUSES, "monthly_cost_yen"), [
            {"site": r.id, "name": r.evidence.site.name_ja if lang == "ja" else r.evidence.site.name_en,
             "wave": str(r.evidence.site.wave), "ready": "yes" if r.ready else "no",
             "blockers": str(len(r.blockers)), **{k: str(v) for k, v in r.counts.items()},
             "monthly_cost_yen": str(r.monthly_cost)} for r in reports]),
        "checks.csv": (("site", "status", "area", "id", "host", "title", "message"), [
            {"site": r.id, "status": S[c.status], "area": c.area, "id": c.id, "host": c.host or "",
             "title": c.title_ja if lang == "ja" else c.title_en, "message": c.message}
            for r in reports for c in r.evidence.checks]),
        "actions.csv": (("site", "host", "id", "action"), [
            {"site": r.id, "host": a.host or "", "id": a.id, "action": a.message_ja if lang == "ja" else a.message_en}
            for r in reports for a in r.hands_on]),
        "costs.csv": (("site", "item", "quantity", "unit_price_yen", "monthly_yen"), [
            {"site": r.id, "item": LABELS[lang][c.key], "quantity": f"{c.quantity:g}",
             "unit_price_yen": f"{c.unit_price:g}", "monthly_yen": str(c.monthly)} for r in reports for c in r.costs]),
        "drift.csv": (("site", "change", "check", "before", "after"), [
            {"site": r.id, "change": bucket, "check": d["key"],
             "before": d.get("before", {}).get("status", "") if d.get("before") else "",
             "after": d.get("after", {}).get("status", "") if d.get("after") else ""}
            for r in reports if r.drift for bucket in ("missing_now", "new_now", "changed") for d in r.drift[bucket]]),
    }
    paths = []
    for name, (columns, rows) in tables.items():
        path = output_path(out, "csv", name)
        atomic.write_bytes(path, csvsource.render(columns, rows))
        paths.append(path)
    return paths


def write_junit(reports: list[SiteReport], out: Path) -> Path:
    suites = ET.Element("testsuites", name="cutover readiness")
    for report in reports:
        counts = report.counts
        suite = ET.SubElement(suites, "testsuite", name=report.id, tests=str(len(report.evidence.checks)),
                              failures=str(counts["fail"]), errors=str(counts["error"]),
                              skipped=str(counts["not_applicable"] + counts["manual"]))
        for check in report.evidence.checks:
            case = ET.SubElement(suite, "testcase", classname=f"{report.id}.{check.area}", name=check.key)
            if check.status == "fail":
                ET.SubElement(case, "failure", message=check.message[:1000])
            elif check.status == "error":
                ET.SubElement(case, "error", message=check.message[:1000])
            elif check.status in ("not_applicable", "manual"):
                ET.SubElement(case, "skipped", message=f"{check.status}: {check.message[:1000]}")
            elif check.status == "waived":
                ET.SubElement(case, "system-out").text = f"waived: {check.message}"
    path = output_path(out, "junit.xml")
    atomic.write_bytes(path, ET.tostring(suites, encoding="utf-8", xml_declaration=True))
    return path


def write_all(reports: list[SiteReport], out: Path, lang: str = "ja") -> dict[str, list[Path]]:
    for report in reports:  # every name is checked before the first file is written
        output_path(out, f"{report.id}.html")
    return {
        "html": write_html(reports, out, lang),
        "json": [write_json(reports, out)],
        "csv": write_csv(reports, out, lang),
        "junit": [write_junit(reports, out)],
    }

"""Write the report: self-contained HTML pages, merged JSON, CSV with BOM for Excel, JUnit XML."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2

from cutover import atomic
from cutover.evidence.model import AREAS, BY_SEVERITY, SCHEMA_VERSION, STATUSES, ReportProvenance
from cutover.evidence.provenance import in_tokyo
from cutover.inventory import csvsource
from cutover.report.build import DRIFT_BUCKETS, SiteReport
from cutover.report.i18n import AREA_LABELS, LABELS, STATUS_LABELS

_ORDER = {status: rank for rank, status in enumerate(BY_SEVERITY)}
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


def tokyo_time(moment: dt.datetime) -> str:
    """A time as shown on every page: Asia/Tokyo, to the minute."""
    return in_tokyo(moment).strftime("%Y-%m-%d %H:%M JST")


_ENV.filters["tokyo"] = tokyo_time


def _context(lang: str, reports: list[SiteReport], provenance: ReportProvenance | None) -> dict:
    first = reports[0].evidence.run if reports else None
    return {
        "lang": lang, "L": LABELS[lang], "S": STATUS_LABELS[lang], "A": AREA_LABELS[lang],
        "generated": tokyo_time(provenance.generated_at if provenance else dt.datetime.now(dt.UTC)),
        "as_of": first.as_of if first else dt.date.today(), "provenance": provenance,
        "statuses": STATUSES, "areas": AREAS, "buckets": DRIFT_BUCKETS,
    }


def write_html(reports: list[SiteReport], out: Path, lang: str = "ja",
               provenance: ReportProvenance | None = None) -> list[Path]:
    context = _context(lang, reports, provenance)
    revisions = sorted({r.evidence.run.inventory_revision for r in reports})
    tools = reports[0].evidence.run.tool_versions if reports else {}
    paths = [output_path(out, "index.html")]
    drift_total = {b: sum((r.drift_counts or {}).get(b, 0) for r in reports) for b in DRIFT_BUCKETS}
    atomic.write_text(paths[0], _ENV.get_template("index.html.j2").render(
        sites=reports, revisions=revisions, tools=", ".join(f"{k} {v}" for k, v in tools.items()),
        drift_total=drift_total, compared=sum(r.drift is not None for r in reports), **context))
    template = _ENV.get_template("site.html.j2")
    for report in reports:
        checks = sorted(report.evidence.checks, key=lambda c: (_ORDER[c.status], c.area, c.host or "", c.id))
        path = output_path(out, f"{report.id}.html")
        atomic.write_text(path, template.render(site=report, checks=checks, **context))
        paths.append(path)
    return paths


def _gate_json(report: SiteReport) -> dict:
    return {"verdict": report.assessment.verdict.value,
            "conditions": [{"id": c.id, "title_en": c.title_en, "title_ja": c.title_ja, "result": c.result,
                            "why": c.why} for c in report.assessment.conditions]}


def write_json(reports: list[SiteReport], out: Path, provenance: ReportProvenance | None = None) -> Path:
    doc = {
        "schema_version": SCHEMA_VERSION,
        "provenance": provenance.model_dump(mode="json") if provenance else None,
        "sites": [
            {**r.evidence.model_dump(mode="json"),
             "summary": {"site": r.id, "readiness": r.readiness.value, "ready": r.ready, "gate": _gate_json(r),
                         "counts": r.counts, "blockers": len(r.blockers),
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


def write_csv(reports: list[SiteReport], out: Path, lang: str = "ja",
              provenance: ReportProvenance | None = None) -> list[Path]:
    S = STATUS_LABELS[lang]
    tables = {
        "sites.csv": (("site", "name", "wave", "readiness", "gate", "blockers", *STATUSES, "monthly_cost_yen"), [
            {"site": r.id, "name": r.evidence.site.name_ja if lang == "ja" else r.evidence.site.name_en,
             "wave": str(r.evidence.site.wave), "readiness": LABELS[lang][r.readiness.value],
             "gate": LABELS[lang][r.assessment.verdict.value],
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
        "drift.csv": (("site", "change", "check", "title", "before", "after"), [
            {"site": r.id, "change": bucket, "check": d["key"],
             "title": d["title_ja"] if lang == "ja" else d["title_en"],
             "before": d.get("before", {}).get("status", "") if d.get("before") else "",
             "after": d.get("after", {}).get("status", "") if d.get("after") else ""}
            for r in reports if r.drift for bucket in DRIFT_BUCKETS for d in r.drift[bucket]]),
    }
    if provenance is not None:  # a CSV has no header block: provenance gets a file of its own
        tables["provenance.csv"] = (("item", "value"), [
            {"item": k, "value": "" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list)
             else str(v)} for k, v in provenance.model_dump(mode="json").items()])
    paths = []
    for name, (columns, rows) in tables.items():
        path = output_path(out, "csv", name)
        atomic.write_bytes(path, csvsource.render(columns, rows))
        paths.append(path)
    return paths


def write_junit(reports: list[SiteReport], out: Path, provenance: ReportProvenance | None = None) -> Path:
    suites = ET.Element("testsuites", name="cutover readiness")
    if provenance is not None:  # JUnit has no place for run metadata but a suite's properties
        meta = ET.SubElement(suites, "testsuite", name="provenance", tests="0")
        properties = ET.SubElement(meta, "properties")
        for key, value in provenance.model_dump(mode="json", exclude={"inputs", "tool_versions", "ci"}).items():
            ET.SubElement(properties, "property", name=key, value="" if value is None else str(value))
        if provenance.ci:
            ET.SubElement(properties, "property", name="ci_url", value=provenance.ci.url or provenance.ci.run_id)
        for item in provenance.inputs:
            ET.SubElement(properties, "property", name=f"input.{item.role}", value=f"{item.path} sha256:{item.sha256}")
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


def write_all(reports: list[SiteReport], out: Path, lang: str = "ja",
              provenance: ReportProvenance | None = None) -> dict[str, list[Path]]:
    for report in reports:  # every name is checked before the first file is written
        output_path(out, f"{report.id}.html")
    return {
        "html": write_html(reports, out, lang, provenance),
        "json": [write_json(reports, out, provenance)],
        "csv": write_csv(reports, out, lang, provenance),
        "junit": [write_junit(reports, out, provenance)],
    }

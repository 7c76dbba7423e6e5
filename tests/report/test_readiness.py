"""The report says what the gate says: same readiness, same conditions, with provenance and drift."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from cutover import gate
from cutover.cli import app
from cutover.evidence.collect import Sources, collect_site, load_named, write
from cutover.report import build
from cutover.report import write as report_write
from tests.report.conftest import AS_OF, SITE

OTHER = "pref-36-tokushima"


@pytest.fixture
def evidence_dir(sample_inventory, plan_dir, endpoint_artefacts, tmp_path):
    out = tmp_path / "evidence"
    sources = Sources(plan_dir, endpoint_artefacts["runner"], endpoint_artefacts["facts"])
    for site in (SITE, OTHER):
        write(collect_site(sample_inventory, sample_inventory.sites[site], sources, AS_OF), out)
    return out


def render(evidence_dir, inventory, out, previous=None):
    reports = build.build(load_named(evidence_dir), inventory, load_named(previous) if previous else None,
                          today=AS_OF)
    provenance = build.report_provenance(inventory, [("evidence", evidence_dir)], today=AS_OF)
    report_write.write_all(reports, out, "ja", provenance)
    return reports


def test_report_readiness_is_the_gates(evidence_dir, sample_inventory, tmp_path):
    reports = render(evidence_dir, sample_inventory, tmp_path / "r")
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    for report, site in zip(reports, doc["sites"], strict=True):
        assessment = gate.assess(report.evidence, gate.Context.for_site(sample_inventory, report.id, AS_OF))
        assert site["summary"]["readiness"] == assessment.readiness.value
        assert site["summary"]["gate"]["verdict"] == assessment.verdict.value
        assert [c["id"] for c in site["summary"]["gate"]["conditions"]] == [c.id for c in assessment.conditions]
    html = (tmp_path / "r" / f"{SITE}.html").read_text(encoding="utf-8")
    assert "切替判定" in html and "pcs-ready" in html and "evidence-fresh" in html


def test_a_file_holding_another_sites_evidence_is_not_ready(evidence_dir, sample_inventory, tmp_path):
    shutil.copy(evidence_dir / f"{OTHER}.json", evidence_dir / "pref-33-okayama.json")
    reports = {r.id: r for r in build.build(load_named(evidence_dir), sample_inventory, today=AS_OF)}
    assert "evidence-for-site" in {c.id for c in reports["pref-33-okayama"].assessment.unmet}
    assert reports["pref-33-okayama"].readiness is gate.Readiness.NOT_READY


def test_pages_carry_provenance_with_distinct_time_labels(evidence_dir, sample_inventory, tmp_path):
    render(evidence_dir, sample_inventory, tmp_path / "r")
    site = (tmp_path / "r" / f"{SITE}.html").read_text(encoding="utf-8")
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert site.count("レポート作成日時") == 1 and site.count("証跡の収集日時") == 1
    assert ">作成日時" not in site and ">作成日時" not in index
    assert "JST" in site and "UTC" not in site
    for label in ("コードのコミット", "実行者", "実行したマシン", "入力（SHA-256）", "判定日"):
        assert label in index, label
    assert "sha256:" in site and "sha256:" in index


def test_json_junit_and_csv_carry_the_report_provenance(evidence_dir, sample_inventory, tmp_path):
    render(evidence_dir, sample_inventory, tmp_path / "r")
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    prov = doc["provenance"]
    assert prov["judged_on"] == AS_OF.isoformat() and prov["generated_at"].endswith("+09:00")
    assert {i["role"] for i in prov["inputs"]} == {"inventory", "evidence"}
    assert all(len(i["sha256"]) == 64 for i in prov["inputs"])
    properties = {p.get("name"): p.get("value")
                  for p in ET.parse(tmp_path / "r" / "junit.xml").getroot().iter("property")}
    assert {"git_commit", "git_dirty", "operator", "host", "judged_on", "input.evidence"} <= set(properties)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r" / "csv" / "provenance.csv").read_bytes()
                                           .decode("utf-8-sig"))))
    assert {r["item"] for r in rows} >= {"git_commit", "operator", "host", "judged_on", "inputs"}


def test_drift_rows_carry_titles_and_the_index_sums_them(evidence_dir, sample_inventory, tmp_path):
    previous = tmp_path / "previous"
    shutil.copytree(evidence_dir, previous)
    doc = json.loads((previous / f"{SITE}.json").read_text(encoding="utf-8"))
    changed = next(c for c in doc["checks"] if c["id"] == "cloud.storage-min-tls-1-2")
    changed["status"], changed["message"] = "fail", "TLS 1.0 allowed"
    (previous / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    reports = render(evidence_dir, sample_inventory, tmp_path / "r", previous)
    fukui = next(r for r in reports if r.id == SITE)
    [row] = fukui.drift["changed"]
    assert row["title_ja"] == changed["title_ja"] and row["title_en"] == changed["title_en"]
    assert fukui.drift_counts == {"missing_now": 0, "new_now": 0, "changed": 1}
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "前回からの変化（サイト合計）" in index and "前回と比較したサイト" in index
    page = (tmp_path / "r" / f"{SITE}.html").read_text(encoding="utf-8")
    assert changed["title_ja"] in page.split("前回からの変化")[-1]
    drift_csv = list(csv.DictReader(io.StringIO((tmp_path / "r" / "csv" / "drift.csv").read_bytes()
                                                .decode("utf-8-sig"))))
    assert [(r["check"], r["title"]) for r in drift_csv] == [("cloud.storage-min-tls-1-2", changed["title_ja"])]


def test_report_cli_judges_on_the_day_given(evidence_dir, tmp_path):
    result = CliRunner().invoke(app, ["report", "--evidence", str(evidence_dir), "--out", str(tmp_path / "r"),
                                      "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert doc["provenance"]["judged_on"] == AS_OF.isoformat()
    later = CliRunner().invoke(app, ["report", "--evidence", str(evidence_dir), "--out", str(tmp_path / "s"),
                                     "--as-of", "2027-01-01"])
    stale = json.loads((tmp_path / "s" / "report.json").read_text(encoding="utf-8"))
    assert later.exit_code == 0
    assert all("evidence-fresh" in {c["id"] for c in s["summary"]["gate"]["conditions"] if c["result"] == "fail"}
               for s in stale["sites"])
    bad = CliRunner().invoke(app, ["report", "--evidence", str(evidence_dir), "--as-of", "2026/01/01"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output

"""The report files: what an auditor opens in a browser or Excel, and what CI reads."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from cutover.evidence.collect import Sources, collect_site, load_dir, write
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


@pytest.fixture
def rendered(evidence_dir, sample_inventory, tmp_path):
    reports = build.build(load_dir(evidence_dir), sample_inventory)
    out = tmp_path / "report"
    report_write.write_all(reports, out, "ja")
    return out, reports


def test_site_page_puts_the_summary_and_what_needs_work_first(rendered):
    out, _ = rendered
    html = (out / f"{SITE}.html").read_text(encoding="utf-8")
    order = ["準備状況", "期限", "切替判定", "要対応の項目", "手作業が必要な端末・作業", "合格・対象外の項目",
             "費用の概算", "前回からの変化", "用語（結果の区分と重要度）", "評価対象と日時"]
    positions = [html.index(f">{heading}") for heading in order]
    assert positions == sorted(positions)
    # self-contained: nothing loaded from the network (a CI run's URL may be shown as text)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import""", html)


def test_hands_on_work_and_deadlines_are_listed(rendered, endpoint_artefacts):
    out, reports = rendered
    html = (out / f"{SITE}.html").read_text(encoding="utf-8")
    assert endpoint_artefacts["unreachable"] in html
    assert "Office 2016/2019 サポート終了" in html and "2025-10-14" in html
    fukui = next(r for r in reports if r.id == SITE)
    office = next(d for d in fukui.deadlines if d.key == "office_2021")
    assert office.days_left == (office.date - AS_OF).days < 0


def test_costs_follow_inventory_prices(rendered, sample_inventory, endpoint_artefacts):
    _, reports = rendered
    fukui = next(r for r in reports if r.id == SITE)
    site = sample_inventory.sites[SITE]
    prices = sample_inventory.organisation.prices
    lines = {c.key: c for c in fukui.costs}
    assert lines["groupware"].monthly == site.config.groupware_ids * 300
    assert lines["m365"].quantity == 1  # one PC's Office check failed in the artefacts
    assert lines["m365"].monthly == prices.m365_apps_business_user_month
    assert lines["storage"].quantity == sum(s.quota_gib for s in site.config.file_shares)


def test_csv_opens_in_excel_with_japanese(rendered):
    out, reports = rendered
    raw = (out / "csv" / "checks.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == sum(len(r.evidence.checks) for r in reports)
    assert {"合格", "不合格", "確認不能"} <= {r["status"] for r in rows}
    sites = list(csv.DictReader(io.StringIO((out / "csv" / "sites.csv").read_bytes().decode("utf-8-sig"))))
    assert [r["site"] for r in sites] == [SITE, OTHER]


def test_junit_counts_failures_and_errors(rendered):
    out, reports = rendered
    root = ET.parse(out / "junit.xml").getroot()
    suite = next(s for s in root.iter("testsuite") if s.get("name") == SITE)
    fukui = next(r for r in reports if r.id == SITE)
    assert int(suite.get("failures")) == fukui.counts["fail"] == len(suite.findall("testcase/failure"))
    assert int(suite.get("errors")) == fukui.counts["error"] == len(suite.findall("testcase/error"))


def test_merged_json_keeps_the_evidence(rendered):
    out, reports = rendered
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [s["site"]["id"] for s in doc["sites"]] == [SITE, OTHER]
    assert doc["sites"][0]["summary"]["blockers"] == len(reports[0].blockers)


def test_drift_against_the_previous_run(evidence_dir, sample_inventory, tmp_path):
    current = load_dir(evidence_dir)
    previous = [e.model_copy(deep=True) for e in current]
    fukui = next(e for e in previous if e.site.id == SITE)
    fukui.checks[0] = fukui.checks[0].model_copy(update={"status": "fail", "message": "was failing"})
    dropped = fukui.checks.pop(1)
    fukui.checks.append(fukui.checks[2].model_copy(update={"id": "cloud.retired-check"}))
    reports = build.build(current, sample_inventory, previous)
    drift = next(r for r in reports if r.id == SITE).drift
    assert [d["key"] for d in drift["changed"]] == [current[0].checks[0].key]
    assert [d["key"] for d in drift["new_now"]] == [dropped.key]
    assert [d["key"] for d in drift["missing_now"]] == ["cloud.retired-check"]
    other = next(r for r in reports if r.id == OTHER).drift
    assert other == {"missing_now": [], "new_now": [], "changed": []}  # timestamps alone are not drift


def test_english_report(evidence_dir, sample_inventory, tmp_path):
    reports = build.build(load_dir(evidence_dir), sample_inventory)
    report_write.write_html(reports, tmp_path, "en")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'lang="en"' in html and "National index" in html and "Fukui prefectural HQ" in html


def test_report_cli(evidence_dir, tmp_path):
    from typer.testing import CliRunner

    from cutover.cli import app

    result = CliRunner().invoke(app, ["report", "--evidence", str(evidence_dir), "--out", str(tmp_path / "r"),
                                      "--previous", str(evidence_dir)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "index.html").exists()
    bad = CliRunner().invoke(app, ["report", "--evidence", str(evidence_dir), "--out", str(tmp_path / "r"),
                                   "--lang", "fr"])
    assert bad.exit_code == 2

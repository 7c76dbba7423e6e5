"""The burn-down: the report keeps one point per judged day beside itself and draws them toward the cutover."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from cutover.evidence.collect import Sources, collect_site, load_dir, write
from cutover.report import build, history
from cutover.report import write as report_write
from tests.report.conftest import AS_OF, SITE


@pytest.fixture
def evidence(sample_inventory, plan_dir, endpoint_artefacts, tmp_path):
    out = tmp_path / "evidence"
    sources = Sources(plan_dir, endpoint_artefacts["runner"], endpoint_artefacts["facts"])
    write(collect_site(sample_inventory, sample_inventory.sites[SITE], sources, AS_OF), out)
    return load_dir(out)


def polyline(html: str, name: str) -> list[tuple[float, float]]:
    found = re.search(rf'<polyline class="{name}" points="([^"]*)"', html)
    assert found, name
    return [tuple(float(v) for v in pair.split(",")) for pair in found.group(1).split()]


def test_each_judged_day_adds_a_point_and_the_same_day_replaces_it(evidence, sample_inventory, tmp_path):
    out = tmp_path / "report"
    fewer = [e.model_copy(update={"checks": [c for c in e.checks if c.status not in ("fail", "error")]})
             for e in evidence]
    report_write.write_html(build.build(evidence, sample_inventory, today=AS_OF), out)
    report_write.write_html(build.build(evidence, sample_inventory, today=AS_OF), out)  # a rerun the same day
    later = AS_OF + dt.timedelta(days=3)
    reports = build.build(fewer, sample_inventory, today=later)
    report_write.write_html(reports, out)
    points = json.loads((out / history.HISTORY_FILE).read_text(encoding="utf-8"))["points"]
    assert [p["judged_on"] for p in points] == [AS_OF.isoformat(), later.isoformat()]
    assert points[0]["blockers"] > points[1]["blockers"] == sum(len(r.blockers) for r in reports)
    assert points[1]["pcs_needing_work"] == len({c.host for r in reports for c in r.blockers if c.host})
    html = (out / "index.html").read_text(encoding="utf-8")
    blockers = polyline(html, "blockers")
    assert len(blockers) == 2 and blockers[0][0] < blockers[1][0] and blockers[0][1] < blockers[1][1]  # falls
    pace = polyline(html, "pace")
    assert pace[0] == blockers[0] and pace[1][1] == max(y for _, y in blockers + pace)  # to zero at the cutover
    assert len(polyline(html, "pcs")) == 2


def test_an_unreadable_history_is_kept_and_reported(evidence, sample_inventory, tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / history.HISTORY_FILE).write_text('{"version": 1, "points": [{"judged_on": "x"}]}', encoding="utf-8")
    report_write.write_html(build.build(evidence, sample_inventory, today=AS_OF), out)
    assert (out / history.HISTORY_FILE).read_text(encoding="utf-8").endswith('"x"}]}')  # not overwritten
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "履歴を読めませんでした" in html and "history.json" in html and "<polyline" not in html

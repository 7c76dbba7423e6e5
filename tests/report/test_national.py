"""The national index and the site pages as an auditor reads them: headline, map, severity, Japanese first."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from cutover import impact
from cutover.evidence.collect import Sources, collect_site, load_dir, write
from cutover.evidence.model import Check
from cutover.evidence.wording import GENERIC_JA
from cutover.report import build, tiles
from cutover.report import write as report_write
from cutover.report.messages import check_message
from cutover.sites import ALL_SITE_IDS
from tests.report.conftest import AS_OF, SITE

OTHER = "pref-36-tokushima"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
GLOSSARY = ("合格", "不合格", "確認不能", "対象外", "手作業", "例外承認")


@pytest.fixture
def rendered(sample_inventory, plan_dir, endpoint_artefacts, tmp_path):
    evidence = tmp_path / "evidence"
    sources = Sources(plan_dir, endpoint_artefacts["runner"], endpoint_artefacts["facts"])
    for site in (SITE, OTHER):
        write(collect_site(sample_inventory, sample_inventory.sites[site], sources, AS_OF), evidence)
    reports = build.build(load_dir(evidence), sample_inventory, today=AS_OF)
    out = tmp_path / "report"
    report_write.write_all(reports, out, "ja")
    return out, reports


class Cells(HTMLParser):
    """Text of the cells of rows carrying ``data-status`` (what needs attention), by column."""

    def __init__(self, section: str):
        super().__init__()
        self.section, self.inside, self.rows, self.depth = section, False, [], 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.inside = attrs.get("id") == self.section
        if not self.inside:
            return
        if tag == "tr" and "data-status" in attrs and "data-sub" not in attrs:
            self._row, self.depth = [], 0
        elif tag == "table" and self._row is not None:
            self.depth += 1
        elif tag == "details" and self._cell is not None:
            self._skip += 1
        elif tag == "td" and self._row is not None and self.depth == 0:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "details" and self._skip:
            self._skip -= 1
        elif tag == "table" and self._row is not None and self.depth:
            self.depth -= 1
        elif tag == "td" and self._cell is not None and self.depth == 0:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.depth == 0:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip and self.depth == 0:
            self._cell.append(data)


def attention_cells(html: str) -> list[list[str]]:
    parser = Cells("attention")
    parser.feed(html)
    return parser.rows


def test_headline_counts_what_the_evidence_says(rendered, endpoint_artefacts, sample_inventory):
    out, reports = rendered
    head = build.headline(reports)
    assert head.sites == 2 and head.ready + head.ready_on_plan <= 2
    assert head.pcs_unreachable == 1 and head.pcs_unsupported_office == 1  # one of each in the artefacts
    assert head.cutover_date == sample_inventory.organisation.cutover_date
    assert head.days_to_cutover == (sample_inventory.organisation.cutover_date - AS_OF).days > 0
    assert head.manual_cloud_outstanding == sum(1 for r in reports for c in r.evidence.checks
                                                if c.id.startswith("cloud.manual.") and c.status != "pass") > 0
    assert [w.wave for w in head.waves] == sorted({r.evidence.site.wave for r in reports})
    assert sum(w.sites for w in head.waves) == 2
    assert sum(w.through_gate for w in head.waves) == sum(r.assessment.verdict.value == "go" for r in reports)
    assert all(w.ready + w.ready_on_plan + w.not_ready == w.sites for w in head.waves)
    index = (out / "index.html").read_text(encoding="utf-8")
    # the cutover date is stated once, in natural Japanese ("残り491日", not "491 残り日数")
    assert index.count(str(head.cutover_date)) == 1
    assert f"残り{head.days_to_cutover:,}日" in index and "残り日数" not in index
    assert "パイロット" in index  # wave 0


def test_severity_puts_unsupported_office_before_an_unanswered_survey(rendered, endpoint_artefacts):
    out, reports = rendered
    fukui = next(r for r in reports if r.id == SITE)
    ids = [c.id for c in fukui.attention]
    assert "office.support" in ids and "mail.survey.answered" in ids
    assert ids.index("office.support") < ids.index("mail.survey.answered")
    ranks = [impact.IMPACTS.index(impact.impact_of(i)) for i in ids]
    assert ranks == sorted(ranks)
    assert fukui.severity == sum(impact.WEIGHT[impact.impact_of(c.id)] for c in fukui.blockers)
    html = (out / f"{SITE}.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-status="\w+" data-area="\w+" data-impact="(\w+)"', html)
    assert rows and [impact.IMPACTS.index(r) for r in rows] == sorted(impact.IMPACTS.index(r) for r in rows)
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for site in doc["sites"]:
        assert all(c["impact"]["level"] == impact.impact_of(c["id"]) for c in site["checks"])


def test_site_page_lists_what_needs_work_and_only_counts_what_passes(rendered):
    out, reports = rendered
    fukui = next(r for r in reports if r.id == SITE)
    html = (out / f"{SITE}.html").read_text(encoding="utf-8")
    attention = html[html.index('id="attention"'):html.index('id="actions"')]
    assert 'data-status="pass"' not in attention and 'data-status="not_applicable"' not in attention
    shown = {c.status for c in fukui.attention}
    assert shown and shown <= {"fail", "error", "manual", "waived"}
    assert len(fukui.attention) == sum(fukui.counts[s] for s in ("fail", "error", "manual", "waived"))
    settled = html[html.index('id="settled"'):html.index('id="costs"')]
    summaries = re.findall(r"<summary>(.*?)</summary>", settled)
    assert len(summaries) == len(fukui.settled_by_area)
    counted = sum(int(n) for s in summaries for n in re.findall(r"(\d+)件", s))
    assert counted == fukui.counts["pass"] + fukui.counts["not_applicable"]
    assert "<details class=\"settled\" open" not in settled  # collapsed until opened


def test_every_message_in_the_japanese_report_is_japanese(rendered):
    out, reports = rendered
    fukui = next(r for r in reports if r.id == SITE)
    for check in fukui.evidence.checks:
        assert JAPANESE.search(check_message(check, "ja")), check.key
        assert check_message(check, "en") == check.message
    html = (out / f"{SITE}.html").read_text(encoding="utf-8")
    rows = attention_cells(html)
    assert rows
    for row in rows:
        assert JAPANESE.search(row[5]), row  # the message column
    # identity mode and statuses in Japanese, and the glossary on the page
    assert "ハイブリッド" in html or "クラウドのみ" in html
    glossary = html[html.index('id="glossary"'):]
    assert all(f">{word}<" in glossary for word in GLOSSARY)


def test_a_check_with_its_own_japanese_message_keeps_it(rendered):
    _, reports = rendered
    raw = reports[0].evidence.checks[0].model_dump()
    assert check_message(Check.model_validate({**raw, "message_ja": "独自の文言"}), "ja") == "独自の文言"
    failing = Check.model_validate({**raw, "id": "cloud.storage-https-only", "status": "fail", "message_ja": "",
                                    "data": {"enforcement": "mandatory", "findings": [{"message": "x"}]}})
    assert check_message(failing, "ja").startswith("必須ポリシーに違反しています（指摘1件）。")
    unknown = Check.model_validate({**raw, "id": "cloud-less.something-new", "status": "fail", "message_ja": ""})
    assert check_message(unknown, "ja") == GENERIC_JA["fail"]  # a family no one worded yet: the status's sentence


def test_tile_map_has_every_prefecture_and_hq_once_coloured_by_state(rendered):
    out, reports = rendered
    layout = tiles.tiles()
    assert sorted(t.site_id for t in layout) == sorted(ALL_SITE_IDS)
    positions = [(t.column, t.row) for t in layout]
    assert len(set(positions)) == 48
    index = (out / "index.html").read_text(encoding="utf-8")
    for report in reports:
        assert re.search(rf'<a class="tile {report.readiness.value}" href="{report.id}\.html"', index)
    assert index.count('class="tile none"') == 48 - len(reports)
    assert ">福井<" in index and ">北海道<" in index and ">本部<" in index


def test_costs_carry_units_prices_a_national_total_and_a_warning(rendered, endpoint_artefacts, sample_inventory):
    out, reports = rendered
    fukui = next(r for r in reports if r.id == SITE)
    m365 = next(c for c in fukui.costs if c.key == "m365")
    assert m365.missing == 2  # the unreachable PC and the one without Office facts
    html = (out / f"{SITE}.html").read_text(encoding="utf-8")
    assert "ライセンス" in html and "GiB" in html and "円／月" in html
    assert "Office の証跡がないPCが2台あります" in html
    index = (out / "index.html").read_text(encoding="utf-8")
    total = sum(r.monthly_cost for r in reports)
    assert f"{total:,}円" in index
    assert f"Office の証跡がないPCが{sum(c.missing for r in reports for c in r.costs)}台あります" in index


def test_glossary_is_documented(project_root):
    doc = (project_root / "docs" / "report.md").read_text(encoding="utf-8")
    assert all(word in doc for word in GLOSSARY)
    assert all(name in doc for name in impact.IMPACTS)


def test_migration_state_is_the_last_pass_that_fully_passed(rendered, sample_inventory):
    out, reports = rendered
    evidence = next(r for r in reports if r.id == SITE).evidence
    base = [c for c in evidence.checks if not c.id.startswith("migration.")]
    template = base[0]

    def state(*items: tuple[str, str]) -> str:
        checks = base + [template.model_copy(update={"id": i, "status": s, "area": "migration", "host": None})
                         for i, s in items]
        (report,) = build.build([evidence.model_copy(update={"checks": checks})], sample_inventory, today=AS_OF)
        return report.migration_state

    assert state() == "not_started"
    assert state(("migration.scan.shared", "pass"), ("migration.seed_pass.shared", "pass"),
                 ("migration.delta_pass.shared", "not_applicable")) == "seed_pass"
    assert state(("migration.scan.a", "pass"), ("migration.seed_pass.a", "pass"), ("migration.seed_pass.b", "manual"),
                 ("migration.verify.a", "pass")) == "verify"
    assert state(("migration.scan.shared", "pass"), ("migration.final_pass.shared", "fail")) == "attention"
    index = (out / "index.html").read_text(encoding="utf-8")
    for report in reports:
        label = {"not_started": "未着手", "attention": "要対応"}.get(report.migration_state)
        if label:
            assert re.search(rf'data-site="{report.id}">(?s:.*?)class="nowrap">{label}</td>', index)

"""The HTML report as a person sees it, in headless Chromium over the DevTools protocol.

Each page loads with no console error, exception or failed load; axe-core finds no serious or critical
violation (colour contrast included, for every badge: the glossary shows them all); filters say
``aria-pressed``; the site table sorts and searches; dates never wrap at 1,024 px; printing gives A4
pages without filter buttons, with the evidence expanded, and a 615-PC site stays within a few pages.
Screenshots and the first printed pages are kept in build/screenshots for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cutover.evidence.collect import Sources, collect_site, load_dir, write
from cutover.report import build
from cutover.report import write as report_write
from tests.report.browser import Browser, chromium_path, pdf_page_count, pdf_pages_as_png
from tests.report.conftest import AS_OF, SITE

OTHER = "pref-36-tokushima"
BIG_PCS = 615
BIG_PAGE_BOUND = 12  # A4 pages for a 615-PC site: summary, what needs work (folded per check), costs, provenance
A4_POINTS = (595, 842)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    path = chromium_path()
    if path is None:
        pytest.fail("Debian chromium is not installed: scripts/test installs it (apt-get install chromium)")
    with Browser(path, tmp_path_factory.mktemp("profile")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def keep(project_root) -> Path:
    folder = project_root / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _big(evidence, hosts: list[str]):
    """A copy of ``evidence`` spread over BIG_PCS PCs: each new PC repeats one real PC's checks and actions."""
    checks = [c for c in evidence.checks if not c.host]
    actions = [a for a in evidence.actions if not a.host]
    for n in range(BIG_PCS):
        source, name = hosts[n % len(hosts)], f"P18-BIG-{n:03d}"
        checks += [c.model_copy(update={"host": name}) for c in evidence.checks if c.host == source]
        actions += [a.model_copy(update={"host": name}) for a in evidence.actions if a.host == source]
    site = evidence.site.model_copy(update={"endpoints": BIG_PCS})
    return evidence.model_copy(update={"checks": checks, "actions": actions, "site": site})


@pytest.fixture(scope="module")
def reports(tmp_path_factory, sample_inventory, plan_dir):
    """Two sites with converged, partly failing PCs (conftest's artefacts), and a 615-PC site."""
    import tests.report.conftest as artefacts

    base = tmp_path_factory.mktemp("artefacts")
    made = artefacts.endpoint_artefacts.__wrapped__(base, sample_inventory)
    evidence_dir = tmp_path_factory.mktemp("evidence")
    sources = Sources(plan_dir, made["runner"], made["facts"])
    for site in (SITE, OTHER):
        write(collect_site(sample_inventory, sample_inventory.sites[site], sources, AS_OF), evidence_dir)
    evidence = load_dir(evidence_dir)
    out = tmp_path_factory.mktemp("report")
    report_write.write_all(build.build(evidence, sample_inventory, today=AS_OF), out, "ja")
    fukui = next(e for e in evidence if e.site.id == SITE)
    hosts = [e.hostname for e in sample_inventory.sites[SITE].endpoints]
    big_out = tmp_path_factory.mktemp("big")
    report_write.write_all(build.build({SITE: _big(fukui, hosts)}, sample_inventory, today=AS_OF), big_out, "ja")
    return {"out": out, "big": big_out}


@pytest.mark.parametrize("name", ["index.html", f"{SITE}.html"])
def test_page_loads_clean_and_passes_axe(browser, reports, tmp_path, keep, name):
    page = browser.new_page()
    page.goto((reports["out"] / name).as_uri())
    assert page.evaluate("document.documentElement.getAttribute('data-filter-ready')") == "1"
    shot = page.screenshot(tmp_path / name.replace(".html", ".png"))
    assert shot.stat().st_size > 20_000
    shutil.copy(shot, keep / shot.name)
    violations = page.axe()
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert page.problems == []


def test_filters_say_what_is_pressed_and_hide_other_rows(browser, reports):
    page = browser.new_page()
    page.goto((reports["out"] / f"{SITE}.html").as_uri())
    rows = "Array.from(document.querySelectorAll('#attention tr[data-status]'))"
    assert page.evaluate(f"{rows}.length") > 1
    page.evaluate("document.querySelector('#attention button[data-kind=status][data-value=manual]').click()")
    pressed = page.evaluate("Array.from(document.querySelectorAll('#attention button[data-kind=status]'))"
                            ".map(b => b.dataset.value + '=' + b.getAttribute('aria-pressed'))")
    assert "manual=true" in pressed and "all=false" in pressed
    visible = page.evaluate(f"{rows}.filter(r => !r.hidden).map(r => r.dataset.status)")
    assert visible and set(visible) == {"manual"}
    assert page.evaluate("Number(document.getElementById('shown-count').textContent)") == len(visible)
    assert page.problems == []


def test_site_table_sorts_by_severity_and_searches(browser, reports):
    page = browser.new_page()
    page.goto((reports["out"] / "index.html").as_uri())
    order = "Array.from(document.querySelectorAll('#sites tbody tr')).map(r => r.dataset.site)"
    severity = "Array.from(document.querySelectorAll('#sites tbody tr')).map(r => Number(r.cells[4].dataset.value))"
    page.evaluate("document.querySelectorAll('#sites th')[4].querySelector('button.sort').click()")
    ascending = page.evaluate(severity)
    assert ascending == sorted(ascending) and len(set(ascending)) > 1
    page.evaluate("document.querySelectorAll('#sites th')[4].querySelector('button.sort').click()")
    assert page.evaluate(severity) == sorted(ascending, reverse=True)
    assert page.evaluate("document.querySelectorAll('#sites th')[4].getAttribute('aria-sort')") == "descending"
    page.evaluate("const s = document.querySelector('input.search'); s.value = '徳島';"
                  " s.dispatchEvent(new Event('input'))")
    visible = page.evaluate("Array.from(document.querySelectorAll('#sites tbody tr')).filter(r => !r.hidden)"
                            ".map(r => r.dataset.site)")
    assert visible == [OTHER] and len(page.evaluate(order)) == 2
    assert page.problems == []


def test_dates_and_names_do_not_wrap_at_1024px(browser, reports):
    page = browser.new_page()
    for name in ("index.html", f"{SITE}.html"):
        page.goto((reports["out"] / name).as_uri(), width=1024)
        broken = page.evaluate(
            "Array.from(document.querySelectorAll('.date, .nowrap'))"
            ".filter(e => e.offsetParent !== null && e.getClientRects().length > 0)"
            ".filter(e => { const r = document.createRange(); r.selectNodeContents(e);"
            " const boxes = Array.from(r.getClientRects()).filter(b => b.width > 0);"
            " const lines = new Set(boxes.map(b => Math.round(b.top)));"
            " return lines.size > 1; }).map(e => e.textContent.slice(0, 40))")
        assert broken == [], name


def test_print_is_a4_with_evidence_expanded_and_no_filters(browser, reports, tmp_path, keep):
    import pypdfium2

    page = browser.new_page()
    page.goto((reports["out"] / f"{SITE}.html").as_uri(), media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('#attention .filters')).display") == "none"
    rows = page.evaluate("document.querySelectorAll('#attention tr[data-status]:not([data-sub])').length")
    pdf = page.pdf(tmp_path / "site.pdf")
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        width, height = document[0].get_size()
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    assert (round(width), round(height)) == A4_POINTS
    # every row that needs work prints its evidence table (source, time, original message), not folded
    # (labels never break in narrow print columns: "取得\n元" once hid two rows' tables from this count)
    assert text.count("取得元") >= rows > 0 and text.count("取得日時") >= rows and text.count("原文（英語）") >= rows
    assert "必要な作業" in text  # column headings do not break mid-word either
    assert "絞り込み" not in text and "すべて" not in text.split("要対応の項目")[1][:200]
    for png in pdf_pages_as_png(pdf, keep / "print-site.pdf", pages=2):
        assert png.stat().st_size > 10_000


def test_a_615_pc_site_prints_within_a_few_pages(browser, reports, tmp_path, keep):
    page = browser.new_page()
    page.goto((reports["big"] / f"{SITE}.html").as_uri(), media="print")
    assert page.problems == []
    rows = page.evaluate("document.querySelectorAll('#attention tr[data-status]').length")
    pdf = page.pdf(tmp_path / "big.pdf")
    pages = pdf_page_count(pdf)
    shutil.copy(pdf, keep / "print-615-pcs.pdf")
    assert 5 < rows < 40, rows  # checks that read the same on many PCs share a row
    assert pages <= BIG_PAGE_BOUND, pages

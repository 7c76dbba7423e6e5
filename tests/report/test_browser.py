"""The HTML report as a person sees it: headless Chromium renders it, filters it, logs no errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cutover.evidence.collect import Sources, collect_site, load_dir, write
from cutover.report import build
from cutover.report import write as report_write
from tests.report.conftest import AS_OF, SITE

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian chromium is not installed: scripts/test installs it (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, sample_inventory, plan_dir) -> Path:
    evidence = tmp_path_factory.mktemp("evidence")
    for site in sample_inventory.sites_in_wave(0):
        write(collect_site(sample_inventory, site, Sources(plan_dir), AS_OF), evidence)
    out = tmp_path_factory.mktemp("report")
    report_write.write_all(build.build(load_dir(evidence), sample_inventory), out, "ja")
    return out


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


@pytest.mark.parametrize("page", ["index.html", f"{SITE}.html"])
def test_page_renders_with_a_screenshot_and_no_console_errors(chromium, report_dir, tmp_path, page, project_root):
    shot = tmp_path / page.replace(".html", ".png")
    result = run_chromium(chromium, tmp_path / "profile", "--window-size=1400,1600", f"--screenshot={shot}",
                          (report_dir / page).as_uri())
    assert shot.exists() and shot.stat().st_size > 20_000, result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    keep = project_root / "build" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, keep / shot.name)


def test_status_filter_hides_other_rows(chromium, report_dir, tmp_path):
    page = (report_dir / f"{SITE}.html").as_uri()
    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page + "#status=manual&area=cloud")
    dom = result.stdout
    assert 'data-filter-ready="1"' in dom, result.stderr[-2000:]
    rows = re.findall(r"<tr ([^>]*data-status=[^>]*)>", dom)
    visible = [r for r in rows if "hidden" not in r]
    assert visible and all('data-status="manual"' in r and 'data-area="cloud"' in r for r in visible)
    assert len(visible) < len(rows)
    shown = re.search(r'id="shown-count">(\d+)<', dom)
    assert shown and int(shown.group(1)) == len(visible)
    assert console_errors(result.stderr) == []

"""The survey against careless and hostile input: answers are never lost, formulas never run or slip
through, locked columns are not silently ignored, and huge files are refused early."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from cutover.cli import app
from cutover.inventory import load_inventory
from cutover.survey import export
from cutover.survey.answers import BOTH, COLUMNS, GAROON_ONLY, OTHER_ONLY, SHEET
from tests.survey.test_survey import FOLDER, SITE, answer, mail_csv, rows_by_address

runner = CliRunner()
CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus" / "survey"
PAYLOADS = ["=cmd|' /C calc'!A0", '="ガルーンのみ"', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def clients(root: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {m.address: (m.client, m.endpoints) for m in load_inventory(root).sites[SITE].mail}


def unknown_addresses(root: Path, count: int) -> list[str]:
    return [a for a, (client, _) in clients(root).items() if client == "unknown"][:count]


def export_twice(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    inventory = load_inventory(root)
    first = export.export_site(inventory.sites[SITE], inventory, tmp_path / "a")[0]
    second = export.export_site(inventory.sites[SITE], inventory, tmp_path / "b")[0]
    return first, second


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


# ------------------------------------------------------------------------------------------------
# Answers are never lost
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def two_answered(inventory_copy: Path, tmp_path: Path):
    """Two copies of one site's survey, each answering a different unanswered address."""
    site = load_inventory(inventory_copy).sites[SITE]
    if len([m for m in site.mail if m.client == "unknown"]) < 2:
        csv_path = inventory_copy / FOLDER / "mail.csv"
        text = csv_path.read_text(encoding="utf-8-sig")
        garoon = next(m for m in site.mail if m.client == "garoon" and m.kind == "personal")
        csv_path.write_text(text.replace(f"{garoon.address},personal,garoon,", f"{garoon.address},personal,unknown,"),
                            encoding="utf-8")
    first, second = export_twice(inventory_copy, tmp_path)
    x, y = unknown_addresses(inventory_copy, 2)
    answer(first, {x: (GAROON_ONLY, "", "")})
    answer(second, {y: (GAROON_ONLY, "", "")})
    return inventory_copy, first, second, x, y


def test_two_files_in_one_command_keep_both_answers(two_answered):
    root, first, second, x, y = two_answered
    result = run("survey", "import", first, second, "--inventory", root)
    assert result.exit_code == 0, result.output
    after = clients(root)
    assert after[x][0] == "garoon" and after[y][0] == "garoon"


SLOW_IMPORT = """
import sys, time
import cutover.survey.importer as importer
real = importer.validate
def slow(*args, **kwargs):
    found = real(*args, **kwargs)
    time.sleep(1.5)  # both processes have read mail.csv before either writes
    return found
importer.validate = slow
from cutover.cli import main
sys.argv = ["cutover", *sys.argv[1:]]
main()
"""


def test_two_processes_keep_both_answers(two_answered):
    root, first, second, x, y = two_answered
    processes = [subprocess.Popen([sys.executable, "-c", SLOW_IMPORT, "survey", "import", str(path),
                                   "--inventory", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for path in (first, second)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    after = clients(root)
    assert after[x][0] == "garoon" and after[y][0] == "garoon"


def test_a_blank_answer_keeps_the_recorded_one_and_says_so(inventory_copy, tmp_path):
    site = load_inventory(inventory_copy).sites[SITE]
    recorded = next(m for m in site.mail if m.client == "garoon" and m.kind == "personal")
    xlsx = export.export_site(site, load_inventory(inventory_copy), tmp_path)[0]
    answer(xlsx, {recorded.address: ("", "", "")})
    result = run("survey", "import", xlsx, "--inventory", inventory_copy)
    assert result.exit_code == 0, result.output
    assert clients(inventory_copy)[recorded.address][0] == "garoon"
    assert f"no answer; keeping the recorded answer {GAROON_ONLY}" in " ".join(result.stdout.split())


def test_an_untouched_row_does_not_undo_a_newer_answer(inventory_copy, tmp_path):
    first, second = export_twice(inventory_copy, tmp_path)
    site = load_inventory(inventory_copy).sites[SITE]
    recorded = next(m for m in site.mail if m.client == "garoon" and m.kind == "personal")
    answer(first, {recorded.address: (OTHER_ONLY, "Thunderbird", site.endpoints[0].hostname)})
    assert run("survey", "import", first, "--inventory", inventory_copy).exit_code == 0
    result = run("survey", "import", second, "--inventory", inventory_copy)  # still says Garoon only, as exported
    assert result.exit_code == 0, result.output
    assert clients(inventory_copy)[recorded.address][0] == "thunderbird"


def test_two_different_answers_for_one_address_are_a_conflict(inventory_copy, tmp_path):
    first, second = export_twice(inventory_copy, tmp_path)
    site = load_inventory(inventory_copy).sites[SITE]
    address = unknown_addresses(inventory_copy, 1)[0]
    answer(first, {address: (GAROON_ONLY, "", "")})
    answer(second, {address: (OTHER_ONLY, "Outlook", site.endpoints[0].hostname)})
    assert run("survey", "import", first, "--inventory", inventory_copy).exit_code == 0
    before = mail_csv(inventory_copy)
    result = run("survey", "import", second, "--inventory", inventory_copy)
    assert result.exit_code == 2
    _, _, index = rows_by_address(second)
    message = " ".join(result.stderr.split())
    assert f"row {index[address]} column E (回答)" in message and "changed since the export" in message
    assert mail_csv(inventory_copy) == before


SLOW_LOAD = """
import sys, time
import cutover.survey.importer as importer
real = importer.load_inventory
def slow(*args, **kwargs):
    time.sleep(3)  # long enough to be interrupted in the middle of an import
    return real(*args, **kwargs)
importer.load_inventory = slow
from cutover.cli import main
sys.argv = ["cutover", *sys.argv[1:]]
main()
"""


def test_an_interrupted_import_leaves_nothing_behind(inventory_copy, tmp_path):
    inventory = load_inventory(inventory_copy)
    xlsx = export.export_site(inventory.sites[SITE], inventory, tmp_path / "out")[0]
    answer(xlsx, {unknown_addresses(inventory_copy, 1)[0]: (GAROON_ONLY, "", "")})
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = mail_csv(inventory_copy)
    process = subprocess.Popen([sys.executable, "-c", SLOW_LOAD, "survey", "import", str(xlsx),
                                "--inventory", str(inventory_copy)], env={**os.environ, "TMPDIR": str(scratch)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 5  # the CLI loads the inventory, then the import starts (and sleeps)
    while time.monotonic() < deadline and not list(scratch.glob("cutover-survey-*")):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)  # what a cancelled CI job or `kill` sends
    process.communicate(timeout=60)
    assert process.returncode == 130
    assert list(scratch.iterdir()) == []
    assert [p.name for p in inventory_copy.rglob(".*")] == []  # no lock file, no temporary file
    assert mail_csv(inventory_copy) == before


# ------------------------------------------------------------------------------------------------
# Formulas and locked columns
# ------------------------------------------------------------------------------------------------


def set_cell(path: Path, coordinate: str, value: str) -> None:
    wb = load_workbook(path)
    wb[SHEET][coordinate] = value  # openpyxl stores "=..." as a formula, as Excel does when one is typed
    wb.save(path)


@pytest.mark.parametrize("payload", ['=cmd|\' /C calc\'!A0', '="ガルーンのみ"', "=E2"])
def test_a_formula_in_an_answer_cell_is_refused_naming_the_cell(inventory_copy, tmp_path, payload):
    xlsx = export.export_site(load_inventory(inventory_copy).sites[SITE], load_inventory(inventory_copy), tmp_path)[0]
    set_cell(xlsx, "E3", payload)
    before = mail_csv(inventory_copy)
    result = run("survey", "import", xlsx, "--inventory", inventory_copy)
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"sheet {SHEET} row 3 column E (回答): the cell holds a formula" in message
    assert mail_csv(inventory_copy) == before


def test_an_edited_owner_is_reported(inventory_copy, tmp_path):
    xlsx = export.export_site(load_inventory(inventory_copy).sites[SITE], load_inventory(inventory_copy), tmp_path)[0]
    set_cell(xlsx, "D2", "別の人")
    result = run("survey", "import", xlsx, "--inventory", inventory_copy)
    assert result.exit_code == 0, result.output
    message = " ".join(result.stdout.split())
    assert "row 2 column D (使用者)" in message and "not imported" in message and "mail.csv" in message


def test_an_edited_kind_is_refused(inventory_copy, tmp_path):
    xlsx = export.export_site(load_inventory(inventory_copy).sites[SITE], load_inventory(inventory_copy), tmp_path)[0]
    wb = load_workbook(xlsx)
    kind = wb[SHEET]["C2"].value
    wb[SHEET]["C2"] = "共有" if kind == "個人" else "個人"
    wb.save(xlsx)
    before = mail_csv(inventory_copy)
    result = run("survey", "import", xlsx, "--inventory", inventory_copy)
    assert result.exit_code == 2
    assert "row 2 column C (種別)" in " ".join(result.stderr.split())
    assert mail_csv(inventory_copy) == before


# ------------------------------------------------------------------------------------------------
# Size
# ------------------------------------------------------------------------------------------------


def test_a_huge_workbook_is_refused_early(inventory_copy, tmp_path):
    xlsx = export.export_site(load_inventory(inventory_copy).sites[SITE], load_inventory(inventory_copy), tmp_path)[0]
    wb = load_workbook(xlsx)
    for n in range(2_100):  # a site has tens of addresses; the workbook had 300,000 rows
        wb[SHEET].append([SITE, f"spam{n}@fukui.union.example", "個人", "x", "たぶん", "", ""])
    wb.save(xlsx)
    before = mail_csv(inventory_copy)
    start = time.perf_counter()
    result = run("survey", "import", xlsx, "--inventory", inventory_copy)
    assert time.perf_counter() - start < 60
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "more than 2,000 rows: a survey has one row per address" in message
    assert len(result.stderr.splitlines()) < 10
    assert mail_csv(inventory_copy) == before


def test_many_bad_rows_print_a_capped_list(inventory_copy, tmp_path):
    csv_path = export.export_site(load_inventory(inventory_copy).sites[SITE], load_inventory(inventory_copy),
                                  tmp_path)[1]
    text = csv_path.read_text(encoding="utf-8-sig")
    csv_path.write_text(text + "".join(f"{SITE},spam{n}@fukui.union.example,個人,x,,,\r\n" for n in range(1500)),
                        encoding="utf-8-sig")
    result = run("survey", "import", csv_path, "--inventory", inventory_copy)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) < 50
    assert "… and 1,460 more problem(s)" in result.stderr


def test_a_workbook_that_is_not_a_survey_is_refused(inventory_copy, tmp_path):
    wb = Workbook()
    wb.active.title = SHEET
    wb.active.append(list(COLUMNS))
    path = tmp_path / "empty-survey.xlsx"
    wb.save(path)
    result = run("survey", "import", path, "--inventory", inventory_copy)
    assert result.exit_code == 2 and "cannot tell which site" in result.stderr


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*")))
def test_corpus_files_are_refused_cleanly(inventory_copy, name):
    before = mail_csv(inventory_copy)
    result = run("survey", "import", CORPUS / name, "--inventory", inventory_copy)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert name in result.stderr
    assert mail_csv(inventory_copy) == before


def test_both_and_other_answers_still_import(two_answered):
    root, first, _, x, _ = two_answered
    site = load_inventory(root).sites[SITE]
    answer(first, {x: (BOTH, "Outlook", site.endpoints[0].hostname)})
    assert run("survey", "import", first, "--inventory", root).exit_code == 0
    assert clients(root)[x] == ("garoon+outlook", (site.endpoints[0].hostname,))

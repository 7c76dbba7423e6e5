"""Any answered survey (CSV or workbook) is merged, or refused naming file, sheet, row and column with
mail.csv untouched; the inventory is valid after every import; the CLI exits 0 or 2, never crashes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from cutover.inventory import load_inventory
from cutover.survey import export, importer
from cutover.survey.answers import ANSWERS, COLUMNS, MAILERS, SHEET
from tests.cli.conftest import cli
from tests.fuzz.conftest import SITE, SITE_FOLDER, corpus, outcome, snapshot

SPECIALS = "=+-@\t\r\n\"',;ガルーン福井 "


@pytest.fixture(scope="module")
def site_rows(inventory_root) -> list[dict[str, str]]:
    return export.rows(load_inventory(inventory_root).sites[SITE])


@pytest.fixture(scope="module")
def pcs(inventory_root) -> list[str]:
    return [e.hostname for e in load_inventory(inventory_root).sites[SITE].endpoints]


def any_text():
    return st.text(alphabet=SPECIALS + "abcP18-DT0", max_size=15)


@st.composite
def surveys(draw, rows: list[dict[str, str]], pcs: list[str]) -> list[list[str]]:
    """The exported table, answered (mostly with valid choices) and sometimes damaged."""
    table = [list(COLUMNS)] + [[r[c] for c in COLUMNS] for r in rows]
    answer, mailer, machines = (COLUMNS.index(c) for c in ("回答", "メーラー", "設定しているPC"))
    valid = {answer: st.sampled_from(["", *ANSWERS]), mailer: st.sampled_from(["", *MAILERS]),
             machines: st.sampled_from(["", *pcs[:3], ";".join(pcs[:2])])}
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.integers(1, len(table) - 1))
        if draw(st.integers(0, 4)):  # a coherent answer, as a careful contact gives it
            reply = draw(st.sampled_from(ANSWERS))
            table[row][answer] = reply
            table[row][mailer] = "" if reply == ANSWERS[0] else draw(st.sampled_from(sorted(MAILERS)))
            table[row][machines] = "" if reply == ANSWERS[0] else draw(valid[machines])
        else:
            column = draw(st.sampled_from(sorted(valid)))
            table[row][column] = draw(valid[column])
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # damage: any cell, the header included
        row, column = draw(st.integers(0, len(table) - 1)), draw(st.integers(0, len(COLUMNS) - 1))
        table[row][column] = draw(st.one_of(any_text(), st.sampled_from([SITE, "個人", "共有", "=1+1"])))
    if draw(st.integers(0, 5)) == 0:
        del table[draw(st.integers(1, len(table) - 1))]
    if draw(st.integers(0, 5)) == 0:
        table.append([draw(any_text()) for _ in COLUMNS])
    return table


def as_csv(table: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: list[list[str]], path: Path) -> None:
    wb = Workbook()
    sheet = wb.active
    sheet.title = SHEET
    for row in table:
        sheet.append(row)  # like a person typing: text starting with "=" becomes a formula
    wb.save(path)


def check(root: Path, path: Path) -> None:
    mail = root / SITE_FOLDER / "mail.csv"
    original = mail.read_bytes()
    before = snapshot(root)
    try:
        result = importer.import_file(path, root, wait=0)
        outcome("refused" if result.blocking else "written" if result.written else "no change")
        if result.blocking:
            assert snapshot(root) == before
            for problem in result.blocking:
                assert problem.file == path.name and problem.sheet and problem.message, problem
        load_inventory(root)  # never left invalid
        cli_result, output = cli("survey", "import", path, "--inventory", root, "--dry-run")
        assert cli_result.exit_code == (2 if result.blocking else 0), output
        assert "Traceback" not in output
    finally:
        mail.write_bytes(original)


@given(data=st.data(), kind=st.sampled_from(["csv", "xlsx"]))
def test_any_answered_survey_is_merged_or_refused_with_its_location(inventory_root, site_rows, pcs, tmp_path_factory,
                                                                    data, kind):
    table = data.draw(surveys(site_rows, pcs))
    path = tmp_path_factory.mktemp("survey") / f"answers.{kind}"
    if kind == "csv":
        path.write_bytes(as_csv(table))
    else:
        as_xlsx(table, path)
    check(inventory_root, path)


@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_any_bytes_are_refused_or_read(inventory_root, tmp_path_factory, raw, suffix):
    path = tmp_path_factory.mktemp("survey") / f"answers{suffix}"
    path.write_bytes(raw)
    check(inventory_root, path)


@pytest.mark.parametrize("path", corpus("survey"), ids=lambda p: p.name)
def test_corpus(inventory_root, path):
    check(inventory_root, path)

"""The survey workbook as a prefecture IT contact opens and prints it (openpyxl reads what Excel would)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from cutover.survey import export
from cutover.survey.answers import COLUMNS, EDITABLE, INSTRUCTIONS, SHEET

SITE = "pref-18-fukui"
DEADLINE = dt.date(2027, 1, 15)


@pytest.fixture(scope="module")
def book(sample_inventory, tmp_path_factory):
    site = sample_inventory.sites[SITE]
    xlsx, _ = export.export_site(site, sample_inventory, tmp_path_factory.mktemp("survey"), DEADLINE)
    return load_workbook(xlsx), site


def letter(name: str) -> str:
    return "ABCDEFG"[COLUMNS.index(name)]


def test_pc_column_offers_the_sites_pcs_and_accepts_several(book):
    wb, site = book
    pcs = wb[export.PC_SHEET]
    listed = [pcs[f"A{row}"].value for row in range(2, pcs.max_row + 1)]
    assert listed == [e.hostname for e in site.endpoints] and len(listed) > 10
    sheet = wb[SHEET]
    column = letter("設定しているPC")
    (validation,) = [dv for dv in sheet.data_validations.dataValidation if f"{column}2" in str(dv.sqref)]
    assert validation.type == "list"
    assert validation.formula1 == f"'{export.PC_SHEET}'!$A$2:$A${len(listed) + 1}"
    assert str(validation.sqref) == f"{column}2:{column}{sheet.max_row}"
    # "P18-DT-001;P18-NB-002" is not one list item: Excel must warn, not refuse.
    assert validation.errorStyle == "warning" and validation.showErrorMessage


def test_answer_cells_are_yellow_and_unanswered_rows_light_up(book):
    wb, site = book
    sheet = wb[SHEET]
    for name in EDITABLE:
        for row in (2, sheet.max_row):
            cell = sheet[f"{letter(name)}{row}"]
            assert cell.fill.fgColor.rgb.endswith("FFFF99") and not cell.protection.locked
    assert not sheet["B2"].fill.fgColor.rgb.endswith("FFFF99") and sheet["B2"].protection.locked
    rules = [(str(rng.sqref), rule) for rng in sheet.conditional_formatting for rule in rng.rules]
    ((sqref, rule),) = rules
    assert sqref == f"A2:D{sheet.max_row}"
    assert rule.formula == [f"LEN(${letter('回答')}2)=0"]
    assert rule.dxf.fill.fgColor.rgb.endswith("F8CBAD") or rule.dxf.fill.bgColor.rgb.endswith("F8CBAD")
    unanswered = [m for m in site.mail if m.client == "unknown"]
    blank = [r for r in range(2, sheet.max_row + 1) if not sheet[f"{letter('回答')}{r}"].value]
    assert len(blank) == len(unanswered) > 0  # the sample site has unanswered rows, which the rule marks


def test_print_setup_a4_landscape_one_page_wide(book):
    wb, _ = book
    for name, orientation in ((SHEET, "landscape"), (INSTRUCTIONS, "portrait"), (export.PC_SHEET, "portrait")):
        sheet = wb[name]
        assert int(sheet.page_setup.paperSize) == 9, name  # 9: A4 (ECMA-376 ST_PaperSize)
        assert sheet.page_setup.orientation == orientation, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, name
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), name
    assert wb[SHEET].print_title_rows == "$1:$1"
    info = wb[INSTRUCTIONS]
    long_lines = [c for c in info["A"] if c.value and len(str(c.value)) > 60]
    assert long_lines and all(c.alignment.wrap_text for c in long_lines)


def test_instructions_say_what_by_when_how_to_return_and_how_to_find_a_computer_name(book):
    wb, site = book
    text = "\n".join(str(c.value) for c in wb[INSTRUCTIONS]["A"] if c.value)
    assert "回答期限: 2027年1月15日" in text
    contact = site.config.contacts[0]
    assert "返送先" in text and contact.email in text
    assert "Windows 11" in text and "Windows 10" in text and "デバイス名" in text
    assert "「;」" in text and "PC一覧" in text

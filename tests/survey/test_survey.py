"""The mail survey: export → answer in Excel → import; every bad answer is refused with sheet/row/column."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cutover.cli import app
from cutover.inventory import load_inventory
from cutover.survey import export, importer, server_settings
from cutover.survey.answers import BOTH, COLUMNS, GAROON_ONLY, OTHER_ONLY, SHEET

SITE, FOLDER = "pref-18-fukui", "18-fukui"
runner = CliRunner()
COL = {name: "ABCDEFG"[i] for i, name in enumerate(COLUMNS)}


@pytest.fixture
def survey(inventory_copy: Path, tmp_path: Path):
    inventory = load_inventory(inventory_copy)
    xlsx, csv_path = export.export_site(inventory.sites[SITE], inventory, tmp_path / "out")
    return inventory_copy, xlsx, csv_path


def rows_by_address(path: Path) -> tuple:
    wb = load_workbook(path)
    sheet = wb[SHEET]
    index = {sheet[f"B{r}"].value: r for r in range(2, sheet.max_row + 1)}
    return wb, sheet, index


def answer(path: Path, changes: dict[str, tuple[str, str, str]]) -> None:
    wb, sheet, index = rows_by_address(path)
    for address, (reply, mailer, pcs) in changes.items():
        row = index[address]
        sheet[f"E{row}"], sheet[f"F{row}"], sheet[f"G{row}"] = reply, mailer, pcs
    wb.save(path)


def mail_csv(root: Path) -> bytes:
    return (root / FOLDER / "mail.csv").read_bytes()


def test_workbook_has_instructions_dropdowns_and_protection(survey):
    _, xlsx, csv_path = survey
    wb = load_workbook(xlsx)
    assert wb.sheetnames[:2] == ["説明", SHEET] and wb["_meta"].sheet_state == "hidden"
    assert "15日後" in " ".join(str(c.value) for c in wb["説明"]["A"] if c.value)
    sheet = wb[SHEET]
    assert sheet.protection.sheet is True
    assert sheet["B2"].protection.locked and not sheet["E2"].protection.locked
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert f'"{GAROON_ONLY},{OTHER_ONLY},{BOTH}"' in formulas and '"Outlook,Thunderbird"' in formulas
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_round_trip_updates_exactly_the_answered_rows(survey):
    root, xlsx, _ = survey
    inventory = load_inventory(root)
    site = inventory.sites[SITE]
    unknown = next(m.address for m in site.mail if m.client == "unknown")
    garoon = next(m.address for m in site.mail if m.client == "garoon" and m.kind == "personal")
    pc = site.endpoints[0].hostname
    answer(xlsx, {unknown: (BOTH, "Outlook", pc), garoon: (OTHER_ONLY, "Thunderbird", pc)})
    result = runner.invoke(app, ["survey", "import", str(xlsx), "--inventory", str(root)])
    assert result.exit_code == 0, result.output
    after = {m.address: m for m in load_inventory(root).sites[SITE].mail}
    assert after[unknown].client == "garoon+outlook" and after[unknown].endpoints == (pc,)
    assert after[garoon].client == "thunderbird"
    before = {m.address: m for m in site.mail}
    assert {a for a in after if after[a] != before[a]} == {unknown, garoon}


def test_dry_run_shows_the_diff_and_writes_nothing(survey):
    root, xlsx, _ = survey
    site = load_inventory(root).sites[SITE]
    unknown = next(m.address for m in site.mail if m.client == "unknown")
    answer(xlsx, {unknown: (GAROON_ONLY, "", "")})
    before = mail_csv(root)
    result = runner.invoke(app, ["survey", "import", str(xlsx), "--dry-run", "--inventory", str(root)])
    assert result.exit_code == 0
    assert f"{unknown}: unknown" in result.stdout and "would update" in result.stdout
    assert mail_csv(root) == before


def test_csv_round_trip(survey):
    root, _, csv_path = survey
    text = csv_path.read_bytes().decode("utf-8-sig").replace(",garoon,", ",garoon,")
    site = load_inventory(root).sites[SITE]
    unknown = next(m.address for m in site.mail if m.client == "unknown")
    lines = [line if unknown not in line else line.replace(",,,", f",{GAROON_ONLY},,", 1)
             for line in text.split("\r\n")]
    csv_path.write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-8"))
    result = importer.import_file(csv_path, load_inventory(root))
    assert not result.blocking, result.problems
    assert {m.address: m.client for m in load_inventory(root).sites[SITE].mail}[unknown] == "garoon"


def first(site, **where):
    return next(m.address for m in site.mail if all(getattr(m, k) == v for k, v in where.items()))


BAD = {
    "invalid answer": (lambda s: {first(s, kind="personal"): ("たぶん", "", "")}, "E (回答)", "not an answer"),
    "mailer missing": (lambda s: {first(s, kind="personal"): (OTHER_ONLY, "", "")}, "F (メーラー)", "choose"),
    "unknown mailer": (lambda s: {first(s, kind="personal"): (BOTH, "Becky!", "")}, "F (メーラー)", "IT centre"),
    "mailer with garoon only": (lambda s: {first(s, kind="personal"): (GAROON_ONLY, "Outlook", "")},
                                "F (メーラー)", "leave the mailer empty"),
    "pc with garoon only": (lambda s: {first(s, kind="personal"): (GAROON_ONLY, "", s.endpoints[0].hostname)},
                            "G (設定しているPC)", "leave it empty"),
    "unknown pc": (lambda s: {first(s, kind="personal"): (BOTH, "Outlook", "P99-DT-001")}, "G (設定しているPC)",
                   "not in 18-fukui/endpoints.csv"),
    "mailer without answer": (lambda s: {first(s, kind="personal"): ("", "Outlook", "")}, "E (回答)", "no answer"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_answers_are_refused_and_nothing_is_written(survey, case):
    root, xlsx, _ = survey
    make, column, words = BAD[case]
    site = load_inventory(root).sites[SITE]
    changes = make(site)
    answer(xlsx, changes)
    before = mail_csv(root)
    result = runner.invoke(app, ["survey", "import", str(xlsx), "--inventory", str(root)])
    assert result.exit_code == 2
    _, _, index = rows_by_address(xlsx)
    row = index[next(iter(changes))]
    assert f"sheet {SHEET} row {row} column {column}" in result.stderr
    assert words in result.stderr
    assert mail_csv(root) == before


def edit_sheet(path: Path, change) -> None:
    wb = load_workbook(path)
    change(wb)
    wb.save(path)


STRUCTURE = {
    "unknown address": (lambda wb: wb[SHEET].__setitem__("B2", "nobody@fukui.union.example"), "column B (アドレス)",
                        "is not an address of"),
    "duplicate address": (lambda wb: wb[SHEET].__setitem__("B3", wb[SHEET]["B2"].value), "row 3 column B (アドレス)",
                          "appears twice"),
    "missing address": (lambda wb: wb[SHEET].delete_rows(2), "column B (アドレス)", "is missing from the file"),
    "row of another site": (lambda wb: wb[SHEET].__setitem__("A2", "pref-36-tokushima"), "row 2 column A (サイト)",
                            "in a file for pref-18-fukui"),
    "file for the wrong site": (lambda wb: wb["_meta"].__setitem__("B2", "pref-99-mars"), "column A (サイト)",
                                "unknown site"),
    "tampered header": (lambda wb: wb[SHEET].__setitem__("E1", "answer"), "row 1", "header was changed"),
    "missing answer sheet": (lambda wb: wb.remove(wb[SHEET]), f"sheet {SHEET}", "is missing"),
    "metadata names another site": (lambda wb: wb["_meta"].__setitem__("B2", "pref-47-okinawa"), "column A (サイト)",
                                  "row of site pref-18-fukui"),
}


@pytest.mark.parametrize("case", sorted(STRUCTURE))
def test_bad_files_are_refused_and_nothing_is_written(survey, case):
    root, xlsx, _ = survey
    change, where, words = STRUCTURE[case]
    edit_sheet(xlsx, change)
    before = mail_csv(root)
    result = runner.invoke(app, ["survey", "import", str(xlsx), "--inventory", str(root)])
    assert result.exit_code == 2, result.output
    assert where in result.stderr and words in result.stderr, result.stderr
    assert mail_csv(root) == before


def test_answer_for_a_shared_address_is_a_note_not_a_blocker(survey):
    root, xlsx, _ = survey
    site = load_inventory(root).sites[SITE]
    shared = next(m for m in site.mail if m.kind == "shared" and m.client == "outlook")
    answer(xlsx, {shared.address: (BOTH, "Outlook", ";".join(shared.endpoints))})
    result = runner.invoke(app, ["survey", "import", str(xlsx), "--inventory", str(root)])
    assert result.exit_code == 0
    assert "note:" in result.stdout and "shared address" in result.stdout


def test_not_an_excel_file(survey, tmp_path):
    root, _, _ = survey
    bogus = tmp_path / "answers.xlsx"
    bogus.write_bytes(b"not a zip")
    before = mail_csv(root)
    result = runner.invoke(app, ["survey", "import", str(bogus), "--inventory", str(root)])
    assert result.exit_code == 2 and "not a readable Excel workbook" in result.stderr
    assert mail_csv(root) == before


def test_server_settings(sample_inventory, tmp_path):
    site = sample_inventory.sites[SITE]
    by_address = {s.address: s for s in server_settings.settings(site)}
    for mail in site.mail:
        setting = by_address[mail.address]
        if mail.kind == "shared":
            assert setting.setting_en == "do not delete"
        elif mail.client == "garoon":
            assert setting.setting_en == "delete mail on server"
        elif mail.client == "unknown":
            assert setting.blocking
        else:
            assert setting.setting_en == "do not delete"
    out = tmp_path / "settings.csv"
    result = runner.invoke(app, ["survey", "server-settings", "--site", "18", "--out", str(out)])
    assert result.exit_code == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert "サーバー上のメールを削除する" in text and len(text.strip().splitlines()) == len(site.mail) + 1

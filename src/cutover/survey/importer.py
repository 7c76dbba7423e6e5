"""Read answered surveys (xlsx or the exported CSV), validate every row, and update mail.csv atomically.

Nothing is written unless the whole file is valid and the inventory still validates with the new
mail.csv. Every problem names the sheet, the row and the column.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from cutover import atomic
from cutover.inventory import Inventory, InventoryError, csvsource, load_inventory
from cutover.inventory.model import MAIL_COLUMNS
from cutover.sites import UnknownSiteError, canonical_site_id
from cutover.survey.answers import ANSWERS, COLUMNS, FORMAT, GAROON_ONLY, MAILERS, META, SHEET, to_client


@dataclass(frozen=True)
class SurveyProblem:
    file: str
    sheet: str
    row: int | None
    column: str | None
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        where = f"{self.file} sheet {self.sheet}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class Change:
    address: str
    before: tuple[str, str]  # (client, endpoints)
    after: tuple[str, str]


@dataclass
class ImportResult:
    file: str
    site: str | None
    problems: list[SurveyProblem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    written: bool = False

    @property
    def blocking(self) -> list[SurveyProblem]:
        return [p for p in self.problems if p.blocking]


def _letter(column: str) -> str:
    return f"{'ABCDEFG'[COLUMNS.index(column)]} ({column})"


def _read(path: Path, result: ImportResult) -> tuple[str, dict[str, str], list[tuple[int, dict[str, str]]]] | None:
    """(sheet name, metadata, [(row, record)])."""
    name = path.name
    if path.suffix.lower() == ".xlsx":
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            result.problems.append(SurveyProblem(name, "-", None, None, f"not a readable Excel workbook ({exc})"))
            return None
        if SHEET not in wb.sheetnames:
            result.problems.append(SurveyProblem(name, SHEET, None, None, f"the sheet {SHEET} is missing"))
            return None
        meta = {}
        if META in wb.sheetnames:
            meta = {str(r[0]): str(r[1]) for r in wb[META].iter_rows(values_only=True) if r and r[0]}
        values = [[("" if v is None else str(v).strip()) for v in row] for row in wb[SHEET].iter_rows(values_only=True)]
        wb.close()
        header, body = (values[0] if values else []), values[1:]
        records = []
        if tuple(header[: len(COLUMNS)]) != COLUMNS:
            result.problems.append(SurveyProblem(name, SHEET, 1, None,
                                                 f"the header was changed; expected {', '.join(COLUMNS)}"))
            return None
        for number, row in enumerate(body, start=2):
            if any(row):
                records.append((number, dict(zip(COLUMNS, [*row, *[""] * len(COLUMNS)][: len(COLUMNS)], strict=True))))
        return SHEET, meta, records
    if path.suffix.lower() == ".csv":
        text, problem = csvsource.decode(path.read_bytes(), name)
        if problem:
            result.problems.append(SurveyProblem(name, "csv", None, None, problem.message))
            return None
        rows, found = csvsource.parse(text or "", name, COLUMNS)
        for p in found:
            result.problems.append(SurveyProblem(name, "csv", p.line, p.field, p.message))
        if found:
            return None
        return "csv", {}, rows
    result.problems.append(SurveyProblem(name, "-", None, None, "expected an .xlsx workbook or the exported .csv"))
    return None


def validate(path: Path, inventory: Inventory) -> tuple[ImportResult, dict[str, dict[str, str]]]:
    """Problems, and the new mail.csv records of the file's site (address -> record)."""
    path = Path(path)
    result = ImportResult(path.name, None)
    read = _read(path, result)
    if read is None:
        return result, {}
    sheet, meta, records = read
    sites = {r["サイト"] for _, r in records if r["サイト"]}
    claimed = meta.get("site") or (sites.pop() if len(sites) == 1 else None)
    if meta and meta.get("format") != FORMAT:
        result.problems.append(SurveyProblem(path.name, META, None, None,
                                             f"unknown survey format {meta.get('format')!r}"))
    if claimed is None:
        result.problems.append(SurveyProblem(path.name, sheet, None, _letter("サイト"),
                                             "cannot tell which site this file is for (one site per file)"))
        return result, {}
    try:
        site_id = canonical_site_id(claimed)
    except UnknownSiteError as exc:
        result.problems.append(SurveyProblem(path.name, sheet, None, _letter("サイト"), str(exc)))
        return result, {}
    if site_id not in inventory.sites:
        result.problems.append(SurveyProblem(path.name, sheet, None, _letter("サイト"),
                                             f"site {site_id} is not in the inventory"))
        return result, {}
    result.site = site_id
    site = inventory.sites[site_id]
    known = {m.address: m for m in site.mail}
    hosts = {e.hostname for e in site.endpoints}
    new: dict[str, dict[str, str]] = {}
    seen: dict[str, int] = {}

    def problem(row, column, message, blocking=True):
        result.problems.append(SurveyProblem(path.name, sheet, row, _letter(column) if column else None, message,
                                             blocking))

    for row, record in records:
        if record["サイト"] and record["サイト"] != site_id:
            problem(row, "サイト", f"row of site {record['サイト']} in a file for {site_id}")
            continue
        address = record["アドレス"].strip().lower()
        if address in seen:
            problem(row, "アドレス", f"{address} appears twice (first on row {seen[address]})")
            continue
        seen[address] = row
        mail = known.get(address)
        if mail is None:
            problem(row, "アドレス", f"{address or '(empty)'} is not an address of {site_id}")
            continue
        answer, mailer, pcs = record["回答"], record["メーラー"], record["設定しているPC"]
        if not answer:
            if mailer or pcs:
                problem(row, "回答", "a mailer or PC is given but no answer: choose one of " + " / ".join(ANSWERS))
            new[address] = {"client": mail.client, "endpoints": ";".join(mail.endpoints)}
            continue
        if answer not in ANSWERS:
            problem(row, "回答", f"{answer!r} is not an answer; choose one of " + " / ".join(ANSWERS))
            continue
        if answer == GAROON_ONLY:
            if mailer:
                problem(row, "メーラー", "Garoon only: leave the mailer empty")
                continue
            if pcs:
                problem(row, "設定しているPC", "Garoon only: no PC has a mailer, leave it empty")
                continue
        elif mailer not in MAILERS:
            problem(row, "メーラー", f"{mailer or '(empty)'}: choose {' or '.join(MAILERS)} "
                                   "(other mailers: contact the IT centre)")
            continue
        endpoints = [p.strip().upper() for p in pcs.replace(",", ";").split(";") if p.strip()]
        unknown_pcs = [p for p in endpoints if p not in hosts]
        if unknown_pcs:
            problem(row, "設定しているPC", f"{', '.join(unknown_pcs)} not in {site.folder}/endpoints.csv")
            continue
        client = to_client(answer, mailer)
        if mail.kind == "shared" and client != mail.client:
            problem(row, "回答", "shared address: its server setting does not change (noted, not blocking)",
                    blocking=False)
        new[address] = {"client": client, "endpoints": ";".join(endpoints)}
    for address in known:
        if address not in seen:
            result.problems.append(SurveyProblem(path.name, sheet, None, _letter("アドレス"),
                                                 f"{address} of {site_id} is missing from the file"))
    for address, mail in known.items():
        if address in new:
            before = (mail.client, ";".join(mail.endpoints))
            after = (new[address]["client"], new[address]["endpoints"])
            if before != after:
                result.changes.append(Change(address, before, after))
    return result, new


def render_mail_csv(inventory: Inventory, site_id: str, new: dict[str, dict[str, str]]) -> bytes:
    site = inventory.sites[site_id]
    records = []
    for mail in site.mail:
        update = new.get(mail.address, {})
        records.append({"address": mail.address, "kind": mail.kind, "client": update.get("client", mail.client),
                        "owner": mail.owner, "endpoints": update.get("endpoints", ";".join(mail.endpoints))})
    return csvsource.render(MAIL_COLUMNS, records)


def import_file(path: Path, inventory: Inventory, dry_run: bool = False) -> ImportResult:
    result, new = validate(path, inventory)
    if result.blocking or result.site is None:
        return result
    site = inventory.sites[result.site]
    data = render_mail_csv(inventory, result.site, new)
    with tempfile.TemporaryDirectory(prefix="cutover-survey-") as scratch:
        copy = Path(scratch) / "inventories"
        shutil.copytree(inventory.root, copy, ignore=shutil.ignore_patterns("group_vars", "host_vars"))
        (copy / site.folder / "mail.csv").write_bytes(data)
        try:
            load_inventory(copy)
        except InventoryError as exc:
            for p in exc.problems:
                result.problems.append(SurveyProblem(result.file, "mail.csv", p.line, p.field,
                                                     f"the inventory would be invalid: {p.message}"))
            return result
    if not dry_run and result.changes:
        atomic.write_bytes(Path(inventory.root) / site.folder / "mail.csv", data)
        result.written = True
    return result

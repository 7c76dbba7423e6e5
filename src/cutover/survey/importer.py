"""Read answered surveys (xlsx or the exported CSV), validate every row, and update mail.csv atomically.

Nothing is written unless the whole file is valid and the inventory still validates with the new
mail.csv. Every problem names the sheet, the row and the column.

Answers are merged onto the *current* mail.csv while the inventory folder is held (cutover.locks), so two
files for one site, in one command or in two processes, both land. A blank answer keeps the recorded one
(and says so). A workbook remembers what it showed at export (hidden ``_meta`` sheet): a row nobody touched
never undoes an answer recorded since, and a row changed both in the file and in mail.csv is a conflict.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from cutover import atomic, locks
from cutover.inventory import Inventory, InventoryError, csvsource, load_inventory
from cutover.inventory.model import MAIL_COLUMNS
from cutover.sites import UnknownSiteError, canonical_site_id
from cutover.survey.answers import (
    ANSWERS,
    COLUMNS,
    EXPORTED_PREFIX,
    FORMAT,
    GAROON_ONLY,
    KINDS,
    MAILERS,
    META,
    SHEET,
    from_client,
    to_client,
)

# A site has tens of addresses (the largest sample site, a few hundred): far more rows is a mistake or an attack.
MAX_ROWS = 2_000
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks into more than this
LOCK_WAIT = 60.0  # seconds to wait for another import into the same inventory


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
    try:
        size = path.stat().st_size
    except OSError as exc:
        result.problems.append(SurveyProblem(name, "-", None, None, f"cannot read the file ({exc.strerror})"))
        return None
    if size > MAX_FILE_BYTES:
        result.problems.append(SurveyProblem(name, "-", None, None, f"{size:,} bytes: far larger than a survey of "
                                             f"one site (at most {MAX_FILE_BYTES:,}); is it the right file?"))
        return None
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, result)
    if path.suffix.lower() == ".csv":
        return _read_csv(path, result)
    result.problems.append(SurveyProblem(name, "-", None, None, "expected an .xlsx workbook or the exported .csv"))
    return None


def _too_many_rows(name: str, sheet: str) -> SurveyProblem:
    return SurveyProblem(name, sheet, None, None, f"more than {MAX_ROWS:,} rows: a survey has one row per address "
                         "of one site (tens of rows); nothing was read further")


def _read_xlsx(path: Path, result: ImportResult):
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            result.problems.append(SurveyProblem(name, "-", None, None, f"the workbook unpacks into {unpacked:,} "
                                                 "bytes: far larger than a survey; refused"))
            return None
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a broken file
        result.problems.append(SurveyProblem(name, "-", None, None, f"not a readable Excel workbook ({exc})"))
        return None
    try:
        if SHEET not in wb.sheetnames:
            result.problems.append(SurveyProblem(name, SHEET, None, None, f"the sheet {SHEET} is missing"))
            return None
        meta: dict[str, str] = {}
        if META in wb.sheetnames:
            for number, row in enumerate(wb[META].iter_rows(values_only=True), start=1):
                if number > MAX_ROWS * 2:
                    result.problems.append(_too_many_rows(name, META))
                    return None
                if row and row[0] and len(row) > 1:
                    meta[str(row[0])] = "" if row[1] is None else str(row[1])
        values: list[tuple[int, list[str]]] = []
        for number, row in enumerate(wb[SHEET].iter_rows(), start=1):
            if number > MAX_ROWS + 1:
                result.problems.append(_too_many_rows(name, SHEET))
                return None
            cells = []
            for index, cell in enumerate(row[: len(COLUMNS)]):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    result.problems.append(SurveyProblem(
                        name, SHEET, number, _letter(COLUMNS[index]),
                        f"the cell holds a formula ({str(value)[:40]}); type the value as text"))
                    value = None
                cells.append("" if value is None else str(value).strip())
            values.append((number, cells))
    finally:
        wb.close()
    if result.blocking:
        return None
    header, body = (values[0][1] if values else []), values[1:]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        result.problems.append(SurveyProblem(name, SHEET, 1, None,
                                             f"the header was changed; expected {', '.join(COLUMNS)}"))
        return None
    records = [(number, dict(zip(COLUMNS, [*row, *[""] * len(COLUMNS)][: len(COLUMNS)], strict=True)))
               for number, row in body if any(row)]
    return SHEET, meta, records


def _read_csv(path: Path, result: ImportResult):
    name = path.name
    text, problem = csvsource.decode(path.read_bytes(), name)
    if problem:
        result.problems.append(SurveyProblem(name, "csv", None, None, problem.message))
        return None
    rows, found = csvsource.parse(text or "", name, COLUMNS)
    for p in found:
        result.problems.append(SurveyProblem(name, "csv", p.line, p.field, p.message))
    if found:
        return None
    if len(rows) > MAX_ROWS:
        result.problems.append(_too_many_rows(name, "csv"))
        return None
    return "csv", {}, rows


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
        if record["種別"] != KINDS[mail.kind]:
            problem(row, "種別", f"changed from {KINDS[mail.kind]} to {record['種別'] or '(empty)'}: the kind decides "
                    "whether mail is deleted on the server; ask the IT centre to correct mail.csv, then answer again")
            continue
        if record["使用者"] != mail.owner:
            problem(row, "使用者", f"changed from {mail.owner} to {record['使用者'] or '(empty)'}: not imported "
                    f"(the owner is kept in {site.folder}/mail.csv; ask the IT centre to change it)", blocking=False)
        current = {"client": mail.client, "endpoints": ";".join(mail.endpoints)}
        answer, mailer, pcs = record["回答"], record["メーラー"], record["設定しているPC"]
        if not answer:
            if mailer or pcs:
                problem(row, "回答", "a mailer or PC is given but no answer: choose one of " + " / ".join(ANSWERS))
            elif mail.client != "unknown":
                problem(row, "回答", f"no answer; keeping the recorded answer {_shown(mail.client)}", blocking=False)
            new[address] = current
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
        answered = {"client": to_client(answer, mailer), "endpoints": ";".join(endpoints)}
        exported = _exported(meta, address)
        if exported is not None and answered == exported:
            new[address] = current  # untouched since the export: a newer recorded answer stays
            continue
        if exported is not None and current != exported and answered != current:
            problem(row, "回答", f"conflict: this file answers {_shown(answered['client'])}, but mail.csv has "
                    f"changed since the export (now {_shown(mail.client)}): export the survey again, or correct "
                    "mail.csv by hand")
            continue
        if mail.kind == "shared" and answered["client"] != mail.client:
            problem(row, "回答", "shared address: its server setting does not change (noted, not blocking)",
                    blocking=False)
        new[address] = answered
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


def import_file(path: Path, inventory: Inventory | Path | str, dry_run: bool = False,
                wait: float = LOCK_WAIT) -> ImportResult:
    """Validate ``path`` against the current inventory and merge its answers into mail.csv.

    The inventory folder is held while it is read, checked and written (waiting up to ``wait`` seconds
    for another import); a dry run only reads. Raises cutover.locks.FolderError when the folder cannot
    be held, and InventoryError when the inventory itself is invalid.
    """
    root = Path(inventory.root if isinstance(inventory, Inventory) else inventory)
    if dry_run:
        return _merge(path, load_inventory(root), dry_run=True)
    with locks.hold(root, wait=wait):
        return _merge(path, load_inventory(root), dry_run=False)


def _merge(path: Path, inventory: Inventory, dry_run: bool) -> ImportResult:
    result, new = validate(path, inventory)
    if result.blocking or result.site is None:
        return result
    site = inventory.sites[result.site]
    data = render_mail_csv(inventory, result.site, new)
    try:
        load_inventory(inventory.root, overrides={f"{site.folder}/mail.csv": data})
    except InventoryError as exc:
        for p in exc.problems:
            result.problems.append(SurveyProblem(result.file, "mail.csv", p.line, p.field,
                                                 f"the inventory would be invalid: {p.message}"))
        return result
    if not dry_run and result.changes:
        atomic.write_bytes(Path(inventory.root) / site.folder / "mail.csv", data)
        result.written = True
    return result


def _exported(meta: dict[str, str], address: str) -> dict[str, str] | None:
    """What the workbook showed for an address at export (client, endpoints), if it says."""
    value = meta.get(EXPORTED_PREFIX + address)
    if value is None:
        return None
    client, _, endpoints = value.partition("|")
    return {"client": client, "endpoints": endpoints}


def _shown(client: str) -> str:
    answer, mailer = from_client(client)
    return f"{answer} {mailer}".strip() or "(no answer)"

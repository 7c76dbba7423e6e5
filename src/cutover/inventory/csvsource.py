"""Read the CSV files prefecture staff edit in Excel, remembering each record's row number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cutover.cells import neutralise, unneutralise
from cutover.inventory.errors import Problem

# Excel in Japan saves "CSV (comma separated)" as CP932 (Shift_JIS); "CSV UTF-8" adds a BOM.
ENCODINGS = ("utf-8-sig", "cp932")


def decode(raw: bytes, rel: str) -> tuple[str | None, Problem | None]:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return None, Problem(rel, None, "(file)", "neither UTF-8 nor Shift_JIS (CP932) text; save as 'CSV UTF-8'")


def read_rows(
    path: Path, rel: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Return [(row number, record)] and problems; the header is row 1."""
    text, problem = decode(path.read_bytes(), rel)
    if problem:
        return [], [problem]
    return parse(text or "", rel, columns, optional)


def parse(
    text: str, rel: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(rel, 1, "(header)", f"the file is empty; expected the header {','.join(columns)}")]
    except csv.Error as exc:
        return [], [Problem(rel, 1, "(header)", _explain(exc))]
    separator = _other_separator(header, columns)
    if separator:
        return [], [Problem(rel, 1, "(header)", f"the file is separated by {separator}, not commas: save it from Excel "
                            "as 'CSV UTF-8 (comma delimited)'")]
    canonical = {c.lower(): c for c in (*columns, *optional)}
    header = [canonical.get(h.strip().lower(), h.strip().lower()) for h in header]
    missing = [c for c in columns if c not in header]
    unknown = list(dict.fromkeys(h for h in header if h not in columns and h not in optional))
    dupes = sorted({h for h in header if header.count(h) > 1 and (h in columns or h in optional)})
    for column in missing:
        problems.append(Problem(rel, 1, column, f"missing column; the header must contain {','.join(columns)}"))
    for column in unknown:
        problems.append(Problem(rel, 1, column or "(empty)",
                                f"unknown column; expected only {','.join((*columns, *optional))}"))
    for column in dupes:
        problems.append(Problem(rel, 1, column, "column appears more than once"))
    if problems:
        return [], problems
    rows: list[tuple[int, dict[str, str]]] = []
    for row_number, values in _records(reader, rel, problems):
        if not any(v.strip() for v in values):
            continue  # blank lines Excel leaves behind
        if len(values) != len(header):
            problems.append(Problem(rel, row_number, "(row)",
                                    f"has {len(values)} cells, the header has {len(header)}"))
            continue
        rows.append((row_number, {h: unneutralise(v.strip()) for h, v in zip(header, values, strict=True)}))
    return rows, problems


def _records(reader: Any, rel: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells); a malformed record ends the file with a problem naming its row."""
    start = 2
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(rel, start, "(row)", _explain(exc)))
            return
        yield start, values
        start = reader.line_num + 1


def _explain(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (f"a cell is larger than {csv.field_size_limit():,} characters; most likely a quote (\") opens a "
                "cell here that never closes")
    if "unexpected end of data" in text:
        return "a quote (\") opens a cell here that never closes: remove it or close it"
    if "expected after" in text:
        return "a quote (\") in the middle of a cell: put the whole cell in quotes and double the inner quote (\"\")"
    return f"not readable as CSV ({text})"


def _other_separator(header: list[str], columns: tuple[str, ...]) -> str | None:
    if len(header) != 1 or len(columns) < 2:
        return None
    for char, name in (("\t", "tabs"), (";", "semicolons")):
        if header[0].count(char) >= len(columns) - 1:
            return name
    return None


def render(columns: tuple[str, ...], records: list[dict[str, str]]) -> bytes:
    """Render rows as UTF-8 with BOM (Excel opens Japanese correctly) and CRLF line ends.

    Every cell is neutralised (cutover.cells): a value Excel would run as a formula is written as text.
    """
    for record in records:
        extra = set(record) - set(columns)
        if extra:
            raise ValueError(f"fields not in the header: {', '.join(sorted(extra))}")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for record in records:
        writer.writerow([neutralise(record.get(c, "")) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

"""Read the CSV files prefecture staff edit in Excel, remembering each record's row number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

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
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(rel, 1, "(header)", f"the file is empty; expected the header {','.join(columns)}")]
    canonical = {c.lower(): c for c in (*columns, *optional)}
    header = [canonical.get(h.strip().lower(), h.strip().lower()) for h in header]
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns and h not in optional]
    dupes = sorted({h for h in header if header.count(h) > 1})
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
    for cells in _records(reader):
        row_number, values = cells
        if not any(v.strip() for v in values):
            continue  # blank lines Excel leaves behind
        if len(values) != len(header):
            problems.append(Problem(rel, row_number, "(row)",
                                    f"has {len(values)} cells, the header has {len(header)}"))
            continue
        rows.append((row_number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    return rows, problems


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    start = 2
    for values in reader:
        yield start, values
        start = reader.line_num + 1  # type: ignore[attr-defined]


def render(columns: tuple[str, ...], records: list[dict[str, str]]) -> bytes:
    """Render rows as UTF-8 with BOM (Excel opens Japanese correctly) and CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

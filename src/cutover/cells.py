"""Spreadsheet cells that stay text: formula-injection neutralisation for every CSV and XLSX writer.

Excel, LibreOffice and Google Sheets run a cell as a formula when its text starts with ``=``, ``+``, ``-``
or ``@`` (and tab or carriage return can hide such a start). OWASP's guidance
(https://owasp.org/www-community/attacks/CSV_Injection) is to prepend a single quote to such cells; ASVS 5
(V1.2.10) adds the NUL character. Here:

- CSV: the cell gets a leading ``'`` (:func:`neutralise`); readers of our own CSV files strip exactly that
  quote again (:func:`unneutralise`), so a round trip keeps the value. The pair is a bijection: a value
  that itself starts with ``'`` followed by a trigger gets one more quote.
- XLSX: openpyxl stores any string starting with ``=`` as a formula. :func:`text_cell` stores the value as
  a string and sets the cell's ``quotePrefix`` style, which is exactly what Excel records when a person
  types a leading ``'``: the cell shows the text, and editing it keeps it text.

Plain numbers (``-5``, ``+3.5``) cannot call anything and are left alone. Full-width ``＝＋－＠`` are
treated like their ASCII forms: defence in depth for Japanese input methods (that Excel evaluates them
when opening a CSV is UNCONFIRMED).
"""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = frozenset("=+-@\t\r\n\0＝＋－＠")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def needs_quote(value: str) -> bool:
    """Would a spreadsheet read this text as (or as the start of) a formula?"""
    if not value:
        return False
    if value[0] == "'":
        return needs_quote(value[1:])
    return value[0] in TRIGGERS and not _NUMBER.match(value)


def neutralise(value: Any) -> Any:
    """The CSV form of a cell: a leading ``'`` where a spreadsheet would see a formula; non-text unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The value behind a cell written by :func:`neutralise` (also Excel's own text marker)."""
    if value.startswith("'") and needs_quote(value[1:]):
        return value[1:]
    return value


def is_formula_text(value: str) -> bool:
    """Text that looks like a formula (for refusing it in places that only take names or choices)."""
    return bool(value) and value[0] in TRIGGERS and not _NUMBER.match(value)


def text_cell(cell: Any, value: Any) -> Any:
    """Put ``value`` into an openpyxl cell as text, never as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if needs_quote(value):
            cell.quotePrefix = True
    return cell

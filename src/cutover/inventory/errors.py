"""Inventory problems that name the file, the line or row, and the field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # path relative to the inventory root
    line: int | None  # YAML line or CSV row (1-based, header = row 1); None for whole-file problems
    field: str  # dotted path such as offices[0].egress[1], or the CSV column
    message: str  # what is wrong and what is expected

    @property
    def where(self) -> str:
        kind = "row" if self.file.endswith(".csv") else "line"
        return self.file if self.line is None else f"{self.file} {kind} {self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


class InventoryError(Exception):
    """Raised with every problem found; nothing downstream runs on an invalid inventory."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.field))
        super().__init__(self.render())

    def render(self) -> str:
        head = f"inventory invalid: {len(self.problems)} problem(s)"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])

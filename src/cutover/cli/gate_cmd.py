"""``cutover gate SITE``: go / no-go for switching a site to its Azure file share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from cutover import gate as gating
from cutover import sites
from cutover.cli.common import console, err_console
from cutover.evidence.model import SiteEvidence


def gate(
    site: Annotated[str, typer.Argument(help="hq, 13, pref-13-tokyo …")],
    evidence: Annotated[Path, typer.Option(help="Evidence folder (cutover evidence collect).", file_okay=False)]
    = Path("build/evidence"),
) -> None:
    """Go / no-go for switching a site to its Azure file share: exit 0 only when every condition holds."""
    try:
        site_id = sites.canonical_site_id(site)
    except sites.UnknownSiteError as exc:
        err_console.print(f"[red]error[/]: {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    path = evidence / f"{site_id}.json"
    if not path.is_file():
        err_console.print(f"[red]no-go[/]: no evidence for {site_id} at {path} (run cutover evidence collect)",
                          highlight=False)
        raise typer.Exit(code=1)
    try:
        doc = SiteEvidence.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        err_console.print(f"[red]error[/]: {path} does not match the evidence schema: {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    conditions = gating.evaluate(doc)
    table = Table(title=f"cutover gate — {site_id}")
    for column in ("condition", "result", "why"):
        table.add_column(column, overflow="fold")
    for c in conditions:
        table.add_row(f"{c.title_en}\n{c.title_ja}", "[green]go[/]" if c.passed else "[red]no-go[/]", c.why)
    console.print(table)
    if not gating.passed(conditions):
        console.print(f"[red]no-go[/] for {site_id}: {sum(not c.passed for c in conditions)} condition(s) unmet",
                      highlight=False)
        raise typer.Exit(code=1)
    console.print(f"[green]go[/] for {site_id}", highlight=False)

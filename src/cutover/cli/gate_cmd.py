"""``cutover gate SITE``: go / no-go for switching a site to its Azure file share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutover import gate as gating
from cutover.cli.common import ExitCode, canonical_site, cells, console, err_console, exit_with, fail, marked, say
from cutover.evidence.collect import EvidenceFileError, load_file


def gate(
    site: Annotated[str, typer.Argument(help="hq, 13, pref-13-tokyo …")],
    evidence: Annotated[Path, typer.Option(help="Evidence folder (cutover evidence collect).", file_okay=False)]
    = Path("build/evidence"),
) -> None:
    """Go / no-go for switching a site to its Azure file share: exit 0 only when every condition holds."""
    site_id = canonical_site(site)
    path = evidence / f"{site_id}.json"
    if not path.is_file():
        err_console.print("[red]no-go[/]: ", end="", highlight=False)
        say(f"no evidence for {site_id} at {path} (run cutover evidence collect)", err=True)
        exit_with(ExitCode.FINDINGS)
    try:
        doc = load_file(path)
    except EvidenceFileError as exc:
        fail(str(exc))
    conditions = gating.evaluate(doc)
    table = Table(title=f"cutover gate — {site_id}")
    for column in ("condition", "result", "why"):
        table.add_column(column, overflow="fold")
    for c in conditions:
        table.add_row(*cells(f"{c.title_en}\n{c.title_ja}", marked("[green]go[/]" if c.passed else "[red]no-go[/]"),
                             c.why))
    console.print(table)
    if not gating.passed(conditions):
        console.print(f"[red]no-go[/] for {site_id}: {sum(not c.passed for c in conditions)} condition(s) unmet",
                      highlight=False)
        exit_with(ExitCode.FINDINGS)
    console.print(f"[green]go[/] for {site_id}", highlight=False)

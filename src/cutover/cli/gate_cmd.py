"""``cutover gate SITE``: go / no-go for switching a site to its Azure file share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from cutover import gate as gating
from cutover import sites
from cutover.cli.common import InventoryOpt, console, err_console, load
from cutover.evidence.collect import load_file
from cutover.evidence.provenance import today

# Project-wide exit codes (cutover.cli.common.ExitCode once it lands): 0 go, 1 no-go, 2 bad input, 3 go on plan.
EXIT = {gating.Verdict.GO: 0, gating.Verdict.NO_GO: 1, gating.Verdict.GO_ON_PLAN: 3}
BAD_INPUT = 2
_SHOWN = {"pass": "[green]go[/]", "fail": "[red]no-go[/]", "on_plan": "[yellow]on plan[/]"}


def parse_day(value: str | None, option: str = "--as-of") -> dt.date:
    """A YYYY-MM-DD option, or today in Tokyo; a bad value is a usage error (exit 2)."""
    if value is None:
        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]error[/]: {option} {escape(value)}: expected a date YYYY-MM-DD", highlight=False)
        raise typer.Exit(code=BAD_INPUT) from None


def gate(
    site: Annotated[str, typer.Argument(help="hq, 13, pref-13-tokyo …")],
    evidence: Annotated[Path, typer.Option(help="Evidence folder (cutover evidence collect).", file_okay=False)]
    = Path("build/evidence"),
    as_of: Annotated[str | None, typer.Option("--as-of", help="The gate's day (YYYY-MM-DD; default today, Tokyo).")]
    = None,
    max_age_days: Annotated[int, typer.Option(min=0, help="Oldest evidence accepted, in days before the gate's day.")]
    = gating.DEFAULT_MAX_AGE_DAYS,
    inventory: InventoryOpt = None,
) -> None:
    """Go / no-go for switching a site to its Azure file share.

    Exit 0 go (every condition holds on deployed evidence), 3 go on plan (backups known only from an
    offline plan: deploy, then run the gate on deployed evidence), 1 no-go, 2 bad input.
    """
    try:
        site_id = sites.canonical_site_id(site)
    except sites.UnknownSiteError as exc:
        err_console.print(f"[red]error[/]: {escape(str(exc))}", highlight=False)
        raise typer.Exit(code=BAD_INPUT) from None
    day = parse_day(as_of)
    inv = load(inventory)
    if site_id not in inv.sites:
        err_console.print(f"[red]error[/]: site {site_id} is not in the inventory {escape(inv.root)}", highlight=False)
        raise typer.Exit(code=BAD_INPUT)
    path = evidence / f"{site_id}.json"
    if not path.is_file():
        err_console.print(f"[red]no-go[/]: no evidence for {site_id} at {escape(str(path))} "
                          "(run cutover evidence collect)", highlight=False)
        raise typer.Exit(code=EXIT[gating.Verdict.NO_GO])
    try:
        doc = load_file(path)
    except (ValidationError, ValueError) as exc:
        err_console.print(f"[red]error[/]: {escape(str(path))} does not match the evidence schema: "
                          f"{escape(str(exc))}", highlight=False)
        raise typer.Exit(code=BAD_INPUT) from None
    assessment = gating.assess(doc, gating.Context.for_site(inv, site_id, day, max_age_days))
    table = Table(title=f"cutover gate — {site_id} ({path}, judged on {day})")
    for column in ("condition", "result", "why"):
        table.add_column(column, overflow="fold")
    for c in assessment.conditions:
        table.add_row(f"{c.title_en}\n{c.title_ja}", _SHOWN[c.result], escape(c.why))
    console.print(table)
    blockers = len(assessment.blockers)
    console.print(f"site readiness: {assessment.readiness.value} ({blockers} check(s) fail, error or manual)",
                  highlight=False)
    result = assessment.verdict
    if result is gating.Verdict.NO_GO:
        console.print(f"[red]no-go[/] for {site_id}: {len(assessment.unmet)} condition(s) unmet: "
                      + ", ".join(c.id for c in assessment.unmet), highlight=False)
    elif result is gating.Verdict.GO_ON_PLAN:
        console.print(f"[yellow]go on plan[/] for {site_id} — deploy, then run the gate on deployed evidence "
                      "(pulumi stack export)", highlight=False)
    else:
        console.print(f"[green]go[/] for {site_id}", highlight=False)
    raise typer.Exit(code=EXIT[result])

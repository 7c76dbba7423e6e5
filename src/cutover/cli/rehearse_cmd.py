"""``cutover rehearse``: the main job on the embedded sample organisation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cutover.cli.common import (
    AsOfOpt,
    ExitCode,
    InventoryOpt,
    cells,
    console,
    exit_with,
    fail,
    held,
    load,
    marked,
    resolve_site,
    say,
)
from cutover.rehearse import Rehearsal


def rehearse(
    site: Annotated[list[str] | None, typer.Option("--site", help="Site(s) to rehearse.")] = None,
    wave: Annotated[int | None, typer.Option(help="Every site of this wave (0 = pilot).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every site (long).")] = False,
    out: Annotated[Path, typer.Option(help="Rehearsal folder (reused: the twin keeps its state).")]
    = Path("build/rehearsal"),
    as_of: AsOfOpt = None,
    inventory: InventoryOpt = None,
) -> None:
    """Validate → plan + policies → twin fleet → converge → migrate → verify → evidence → report → gate.

    Exit status 0 when every rehearsed site is ready and through the gate, 1 when some are not (see the
    report), 2 on bad input.
    """
    inv = load(inventory)
    chosen = (list(inv.sites.values()) if every else
              [resolve_site(inv, s) for s in site or []] + (inv.sites_in_wave(wave) if wave is not None else []))
    if not chosen:
        fail("give --site SITE, --wave N or --all")
    day = as_of or dt.date.today()
    console.print("[bold]rehearsal[/] ", end="", highlight=False)
    say(f"of {len(chosen)} site(s): {', '.join(s.id for s in chosen)} → {out}/")
    say(f"validate: inventory valid ({len(inv.sites)} sites, revision {inv.revision})")
    columns = (SpinnerColumn(), TextColumn("[bold]{task.fields[stage]:<9}[/]"),
               TextColumn("{task.description}", markup=False), TimeElapsedColumn())
    with held(out, out / "twin"), Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", stage="plan")

        def report(stage: str, detail: str) -> None:
            progress.update(task, stage=stage, description=detail)
            if stage in ("converge", "verify"):
                progress.console.print(f"  {stage}: {detail}", markup=False, highlight=False)

        rehearsal = Rehearsal(inv, chosen, out, day, progress=report)
        all_ready = rehearsal.run()
        progress.update(task, stage="done", description="")
    table = Table(title="readiness per site")
    for column in ("site", "ready", "blockers", "gate", "converge", "hands-on work"):
        table.add_column(column, overflow="fold")
    for outcome in rehearsal.outcomes.values():
        c = outcome.converge
        unmet = [g.id for g in outcome.gate if not g.passed]
        table.add_row(*cells(outcome.site.id, marked("[green]yes[/]" if outcome.ready else "[red]no[/]"),
                             outcome.blockers,
                             marked("[green]go[/]") if not unmet else marked("[red]no-go[/]: ") + ", ".join(unmet),
                             f"{len(c.changed)} changed, {len(c.failed)} failed, {len(c.unreachable)} unreachable",
                             f"{len(outcome.hands_on)} item(s)" + "".join(f"\n{h[:70]}" for h in outcome.hands_on[:3])))
    console.print(table)
    say("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in rehearsal.timings.items()))
    say(f"report: {rehearsal.report_index}")
    if not all_ready:
        say("not every site is ready or through the cutover gate: the report lists the blockers and "
            "the hands-on work; `cutover gate SITE --evidence <out>/evidence` explains the gate")
        exit_with(ExitCode.FINDINGS)

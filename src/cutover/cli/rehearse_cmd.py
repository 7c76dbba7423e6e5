"""``cutover rehearse``: the main job on the embedded sample organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from cutover import gate as gating
from cutover.cli.common import (
    AsOfOpt,
    ExitCode,
    InventoryOpt,
    console,
    exit_with,
    fail,
    held,
    load,
    resolve_site,
    say,
)
from cutover.cli.readiness_view import readiness_blocks
from cutover.evidence.provenance import today
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

    Exit status 0 when every rehearsed site is ready and through the gate, 3 when the best answer is
    "ready on plan" (a rehearsal deploys nothing: backups exist only in the plan), 1 when some site is
    not ready (see the report), 2 on bad input.
    """
    inv = load(inventory)
    chosen = (list(inv.sites.values()) if every else
              [resolve_site(inv, s) for s in site or []] + (inv.sites_in_wave(wave) if wave is not None else []))
    if not chosen:
        fail("give --site SITE, --wave N or --all")
    day = as_of or today()
    out = out.resolve()  # stages run tools in other working directories
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
        rehearsal.run()
        progress.update(task, stage="done", description="")
    console.rule("readiness per site")
    console.print(readiness_blocks(rehearsal.outcomes.values()))
    for outcome in rehearsal.outcomes.values():  # one plain line per site, for logs and scripts
        verdict = outcome.assessment.verdict if outcome.assessment else gating.Verdict.NO_GO
        say(f"verdict {outcome.site.id}: readiness {outcome.readiness.value}, gate {verdict.value}")
    say("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in rehearsal.timings.items()))
    say(f"report: {rehearsal.report_index}")
    readiness = rehearsal.readiness
    if readiness is gating.Readiness.READY_ON_PLAN:
        say("every site is ready on plan: deploy, then run `cutover gate SITE` on deployed evidence "
            "(pulumi stack export)")
        exit_with(ExitCode.GO_ON_PLAN)
    if readiness is gating.Readiness.NOT_READY:
        say("not every site is ready or through the cutover gate: the report lists the blockers and "
            "the hands-on work; `cutover gate SITE --evidence <out>/evidence` explains the gate")
        exit_with(ExitCode.FINDINGS)

"""``cutover rehearse``: the main job on the embedded sample organisation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from cutover.progress import PcProgress, pc_columns
from cutover.run_folders import REHEARSAL, RunFolders
from cutover.twin.timing import Latency

if TYPE_CHECKING:
    from cutover.rehearse import Rehearsal


def rehearse(
    site: Annotated[list[str] | None, typer.Option("--site", help="Site(s) to rehearse.")] = None,
    wave: Annotated[int | None, typer.Option(help="Every site of this wave (0 = pilot).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every site (long).")] = False,
    out: Annotated[Path, typer.Option(help="Rehearsal folder (reused: the twin keeps its state); every other command "
                                           "reads its sub-folders by default.", metavar="DIR")] = REHEARSAL.root,
    forks: Annotated[int, typer.Option(min=1, max=99, help="PCs worked on at once (Ansible forks).")] = 20,
    latency: Annotated[float | None, typer.Option(
        min=0, metavar="SECONDS",
        help="Seconds per call over PSRP on real PCs: print each PC stage's real wall-clock estimate.")] = None,
    jitter: Annotated[float, typer.Option(min=0, metavar="SECONDS",
                                          help="Up to this many seconds more or less per PC.")] = 0.0,
    inject: Annotated[bool, typer.Option(
        "--inject-latency", help="Make the twin wait that long per call too (slow: to time a small wave).")] = False,
    as_of: AsOfOpt = None,
    inventory: InventoryOpt = None,
) -> None:
    """Validate → plan + policies → twin fleet → converge → migrate → verify → evidence → report → gate.

    One converge run per wave over all its rehearsed PCs (two waves' runs at once), the migration passes
    (one run per pass and wave) at the same time, one verification of every site, then evidence,
    report and gate per site.
    With --latency, the converge and verify stages print an estimate of the real wave's wall-clock at
    --forks (docs/endpoints.md explains it).

    Exit status 0 when every rehearsed site is ready and through the gate, 3 when the best answer is
    "ready on plan" (a rehearsal deploys nothing: backups exist only in the plan), 1 when some site is
    not ready (see the report), 2 on bad input.
    """
    inv = load(inventory)
    chosen = (list(inv.sites.values()) if every else
              [resolve_site(inv, s) for s in site or []] + (inv.sites_in_wave(wave) if wave is not None else []))
    if not chosen:
        fail("give --site SITE, --wave N or --all")
    chosen = list({s.id: s for s in chosen}.values())  # a site named twice is rehearsed once
    if latency is None and (jitter or inject):
        fail("--jitter and --inject-latency need --latency SECONDS")
    try:
        paced = Latency(latency or 0.0, jitter)
    except ValueError as exc:
        fail(str(exc))
    day = as_of or today()
    out = out.resolve()  # stages run tools in other working directories
    console.print("[bold]rehearsal[/] ", end="", highlight=False)
    say(f"of {len(chosen)} site(s): {', '.join(s.id for s in chosen)} → {out}/")
    say(f"validate: inventory valid ({len(inv.sites)} sites, revision {inv.revision})")
    # the stage line, and a bar per converge and verify run with its PCs done / failed / unreachable
    columns = (SpinnerColumn(), TextColumn("[bold]{task.fields[stage]:<9}[/]"),
               TextColumn("{task.description}", markup=False), *pc_columns(), TimeElapsedColumn())
    with held(out, out / "twin"), Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", stage="plan", counts="")

        def report(stage: str, detail: str) -> None:
            progress.update(task, stage=stage, description=detail)
            if stage in ("converge", "verify"):
                progress.console.print(f"  {stage}: {detail}", markup=False, highlight=False)

        from cutover.rehearse import Rehearsal  # here: every other command starts without Ansible's imports

        def watch(label: str, hosts: list[str], *, one_task: bool = False,
                  finish_task: str | None = None) -> PcProgress:
            return PcProgress(label, hosts, console, one_task=one_task, finish_task=finish_task, progress=progress,
                              fields={"stage": ""})

        rehearsal = Rehearsal(inv, chosen, out, day, progress=report, forks=forks,
                              latency=paced if inject else None, watch=watch)
        rehearsal.run()
        progress.update(task, stage="done", description="")
    console.rule("readiness per site")
    console.print(readiness_blocks(rehearsal.outcomes.values()))
    for outcome in rehearsal.outcomes.values():  # one plain line per site, for logs and scripts
        verdict = outcome.assessment.verdict if outcome.assessment else gating.Verdict.NO_GO
        say(f"verdict {outcome.site.id}: readiness {outcome.readiness.value}, gate {verdict.value}")
    say("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in rehearsal.timings.items()))
    if latency is not None:
        _print_estimates(rehearsal, paced, inject)
    say(f"report: {rehearsal.report_index}")
    readiness = rehearsal.readiness
    if readiness is gating.Readiness.READY_ON_PLAN:
        say("every site is ready on plan: deploy, then run `cutover gate SITE` on deployed evidence "
            "(pulumi stack export)")
        exit_with(ExitCode.GO_ON_PLAN)
    if readiness is gating.Readiness.NOT_READY:
        say("not every site is ready or through the cutover gate: the report lists the blockers and "
            "the hands-on work; `cutover gate SITE` explains the gate"
            + ("" if out == REHEARSAL.root.resolve() else f" (with --evidence {RunFolders(out).evidence})"))
        exit_with(ExitCode.FINDINGS)


def _print_estimates(rehearsal: Rehearsal, latency: Latency, injected: bool) -> None:
    """One line per PC stage: the time here, and the real wave's at the given latency and forks."""
    jitter = f" ± {latency.jitter:g}" if latency.jitter else ""
    if injected:
        say(f"latency: the twin waited {latency.seconds:g}{jitter} s per call; the stage times above are the "
            "timed run (the estimate needs a run without --inject-latency)")
        return
    for stage, est in rehearsal.estimates(latency.seconds, latency.jitter).items():
        say(f"estimate {stage}: rehearsed in {rehearsal.timings.get(stage, 0):.1f} s; real PCs at "
            f"{latency.seconds:g}{jitter} s per call: {est.describe()}")
    total = sum(e.seconds for e in rehearsal.estimates(latency.seconds, latency.jitter).values())
    say(f"estimate converge + verify on real PCs: {total / 60:.1f} min at forks {rehearsal.forks}")

"""``cutover gate SITE``: go / no-go for switching a site to its Azure file share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutover import gate as gating
from cutover.cli.common import (
    AsOfOpt,
    ExitCode,
    InventoryOpt,
    cells,
    console,
    err_console,
    exit_with,
    fail,
    load,
    marked,
    resolve_site,
    say,
)
from cutover.evidence.collect import EvidenceFileError, load_file
from cutover.evidence.provenance import today
from cutover.run_folders import REHEARSAL

EXIT = {gating.Verdict.GO: ExitCode.OK, gating.Verdict.NO_GO: ExitCode.FINDINGS,
        gating.Verdict.GO_ON_PLAN: ExitCode.GO_ON_PLAN}
_SHOWN = {"pass": "[green]go[/]", "fail": "[red]no-go[/]", "on_plan": "[yellow]on plan[/]"}
MaxAgeOpt = Annotated[int, typer.Option(min=0, help="Oldest evidence accepted, in days before the day judged on.")]


def gate(
    site: Annotated[str, typer.Argument(help="hq, 13, pref-13-tokyo …")],
    evidence: Annotated[Path, typer.Option(help="Evidence folder (cutover rehearse, cutover evidence collect).",
                                           file_okay=False)] = REHEARSAL.evidence,
    as_of: AsOfOpt = None,
    max_age_days: MaxAgeOpt = gating.DEFAULT_MAX_AGE_DAYS,
    inventory: InventoryOpt = None,
) -> None:
    """Go / no-go for switching a site to its Azure file share.

    Exit 0 go (every condition holds on deployed evidence), 3 go on plan (backups known only from an
    offline plan: deploy, then run the gate on deployed evidence), 1 no-go, 2 bad input. The
    evidence must be for SITE, at most --max-age-days old on the day judged (--as-of, default today
    in Tokyo), from the current inventory revision and complete.
    """
    inv = load(inventory)
    site_id = resolve_site(inv, site).id
    day = as_of or today()
    path = evidence / f"{site_id}.json"
    if not path.is_file():
        err_console.print("[red]no-go[/]: ", end="", highlight=False)
        say(f"no evidence for {site_id} at {path} (run cutover evidence collect)", err=True)
        exit_with(ExitCode.FINDINGS)
    try:
        doc = load_file(path)
    except EvidenceFileError as exc:
        fail(str(exc))
    assessment = gating.assess(doc, gating.Context.for_site(inv, site_id, day, max_age_days))
    table = Table(title=f"cutover gate — {site_id} (judged on {day})")
    for column in ("condition", "result", "why"):
        table.add_column(column, overflow="fold")
    for c in assessment.conditions:
        table.add_row(*cells(f"{c.title_en}\n{c.title_ja}", marked(_SHOWN[c.result]), c.why))
    console.print(table)
    say(f"site readiness: {assessment.readiness.value} ({len(assessment.blockers)} check(s) fail, error or manual)")
    result = assessment.verdict
    if result is gating.Verdict.NO_GO:
        say(f"no-go for {site_id}: {len(assessment.unmet)} condition(s) unmet: "
            + ", ".join(c.id for c in assessment.unmet))
    elif result is gating.Verdict.GO_ON_PLAN:
        say(f"go on plan for {site_id} — deploy, then run the gate on deployed evidence (pulumi stack export)")
    else:
        say(f"go for {site_id}")
    exit_with(EXIT[result])

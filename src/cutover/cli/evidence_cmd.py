"""``cutover evidence collect`` and ``cutover report``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cutover import gate as gating
from cutover.cli.common import AsOfOpt, InventoryOpt, Lang, LangOpt, fail, held, load, resolve_site, say
from cutover.cli.gate_cmd import MaxAgeOpt
from cutover.evidence import collect as collecting
from cutover.evidence.collectors import awx
from cutover.evidence.provenance import today
from cutover.report import build, write
from cutover.run_folders import REHEARSAL, RunFolders

evidence_app = typer.Typer(help="Collect evidence from real artefacts, one file per site.", no_args_is_help=True)
DirOpt = Annotated[Path | None, typer.Option(file_okay=False, exists=True)]


@evidence_app.command("collect")
def evidence_collect(
    out: Annotated[Path, typer.Option(help="Where to write <site>.json evidence files; sources not given are read "
                                           "from the same run folder (its plan/, runner/, facts/, verify/<site>.xml) "
                                           "when they are there.", metavar="DIR")] = REHEARSAL.evidence,
    site: Annotated[list[str] | None, typer.Option("--site", help="Site(s): hq, 13, pref-13-tokyo …")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every site of the inventory.")] = False,
    plan: Annotated[Path | None, typer.Option(help="Offline plans or `pulumi stack export` files (<stack>.json).",
                                              file_okay=False)] = None,
    runner: Annotated[Path | None, typer.Option(help="ansible-runner private data dir(s).", file_okay=False)] = None,
    facts: Annotated[Path | None, typer.Option(help="Ansible jsonfile fact cache.", file_okay=False)] = None,
    junit: Annotated[list[Path] | None, typer.Option(help="pytest/testinfra JUnit XML file(s).", dir_okay=False,
                                                     exists=True)] = None,
    as_of: AsOfOpt = None,
    awx_events: Annotated[Path | None, typer.Option(
        "--awx-events", help="AWX job events pages (/api/v2/jobs/<id>/job_events/ saved as *.json).",
        file_okay=False, exists=True)] = None,
    inventory: InventoryOpt = None,
) -> None:
    """Read plans/exports, runner artefacts, AWX job events, cached facts, JUnit, survey state and waivers."""
    inv = load(inventory)
    if bool(site) == every:
        fail("give --site SITE (repeatable) or --all")
    chosen = list(inv.sites.values()) if every else [resolve_site(inv, s) for s in site or []]
    run = RunFolders(out.parent)  # the run folder whose evidence/ this is: its other sub-folders are the sources
    sources = collecting.Sources(plan or _present(run.plan), runner or _present(run.runner),
                                 facts or _present(run.facts), tuple(junit or ()), awx_events)
    try:
        if awx_events:
            awx.load_events(awx_events)  # bad pages: one line, exit 2, nothing written
    except awx.JobEventsError as exc:
        fail(str(exc))
    with held(out):
        for chosen_site in chosen:
            if junit is None:  # the run folder's verification of this site, as cutover rehearse collects it
                verified = _present(run.verify / f"{chosen_site.id}.xml", file=True)
                site_sources = sources.with_junit((verified,) if verified else ())
            else:
                site_sources = sources
            evidence = collecting.collect_site(inv, chosen_site, site_sources, as_of)
            path = collecting.write(evidence, out)
            counts = evidence.counts()
            say(f"{chosen_site.id}: {len(evidence.checks)} checks "
                f"({', '.join(f'{k} {v}' for k, v in counts.items() if v)}) → {path}")


def _present(path: Path, *, file: bool = False) -> Path | None:
    return path if (path.is_file() if file else path.is_dir()) else None


def report(
    evidence: Annotated[Path, typer.Option(help="Directory of evidence files.", file_okay=False, exists=True)]
    = REHEARSAL.evidence,
    out: Annotated[Path, typer.Option(help="Where to write the report.", metavar="DIR")] = REHEARSAL.report,
    lang: LangOpt = Lang.ja,
    previous: Annotated[Path | None, typer.Option(help="Evidence of the previous run, for the drift view.",
                                                  file_okay=False, exists=True)] = None,
    as_of: AsOfOpt = None,
    max_age_days: MaxAgeOpt = gating.DEFAULT_MAX_AGE_DAYS,
    inventory: InventoryOpt = None,
) -> None:
    """Render HTML (national index + one page per site), merged JSON, CSV (UTF-8 BOM) and JUnit.

    Readiness and the gate's verdict on every page are the ones `cutover gate SITE` gives for the same
    evidence, day (--as-of, default today in Tokyo) and maximum age.
    """
    inv = load(inventory)
    day = as_of or today()
    try:
        current = collecting.load_named(evidence)
        earlier = collecting.load_named(previous) if previous else None
        collecting.require_known_checks(current, evidence)
        if earlier:
            collecting.require_known_checks(earlier, previous)
    except collecting.EvidenceFileError as exc:
        fail(str(exc))
    if not current:
        fail(f"no evidence files in {evidence}")
    reports = build.build(current, inv, earlier, today=day, max_age_days=max_age_days)
    provenance = build.report_provenance(inv, [("evidence", evidence), ("previous", previous)], today=day,
                                         max_age_days=max_age_days)
    with held(out):
        try:
            written = write.write_all(reports, out, lang.value, provenance)
        except write.UnsafeOutputPath as exc:
            fail(str(exc))
    ready = sum(r.ready for r in reports)
    say(f"report: {len(reports)} sites, {ready} ready → {out}/index.html "
        f"({sum(len(v) for v in written.values())} files)")

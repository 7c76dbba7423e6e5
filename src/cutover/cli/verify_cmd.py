"""``cutover verify SITE``: the verification alone, on real PCs (PSRP) or on a twin fleet (``--twin``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutover.cli.common import (
    AsOfOpt,
    ExitCode,
    FormatOpt,
    InventoryOpt,
    OutputFormat,
    cells,
    console,
    err_console,
    exit_with,
    fail,
    held,
    load,
    print_json,
    resolve_site,
    say,
)
from cutover.inventory import Site
from cutover.progress import PcProgress
from cutover.run_folders import REHEARSAL
from cutover.verify import AREAS, Verification, verify
from cutover.verify import settings as verify_settings


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _servers(site: Site) -> set[str]:
    return {s.legacy_unc.strip("\\").split("\\")[0].upper() for s in site.config.file_shares if s.legacy_unc}


def _check_twin(twin: Path, chosen: list[Site], hosts: set[str] | None) -> None:
    """A twin fleet for every chosen site, with a document for every PC to verify; or exit 2."""
    for site in chosen:
        folder = twin / site.id
        if not folder.is_dir():
            fail(f"--twin: no twin fleet for {site.id} in {twin} (cutover rehearse --out OUT leaves it in OUT/twin; "
                 "cutover twin build --out DIR builds one)")
        missing = sorted(e.hostname for e in site.endpoints if (hosts is None or e.hostname in hosts)
                         and not (folder / f"{e.hostname}.json").is_file())
        if missing:
            fail(f"--twin: {folder} has no twin PC {', '.join(missing[:5])}" + (" …" if len(missing) > 5 else "")
                 + " (built from another inventory?)")


def _print(result: Verification, out: Path, output_format: OutputFormat) -> None:
    failing = result.failing()
    if output_format == OutputFormat.json:
        print_json({"ok": result.ok, "as_of": result.as_of.isoformat(), "seconds": round(result.seconds, 2),
                    "files": {k: [str(p) for p in v] for k, v in result.files.items()},
                    "failing": [{"site": f.site, "host": f.host, "check": f.check, "status": f.status,
                                 "message": f.message, "action_en": f.action_en} for f in failing]})
        return
    for site in result.sites:
        findings = result.for_site(site.id)
        counts = {status: sum(f.status == status for f in findings) for status in ("pass", "fail", "error")}
        say(f"{site.id}: {len(result.hosts[site.id])} host(s), {counts['pass']} passed, {counts['fail']} failed, "
            f"{counts['error']} could not be checked → {out / site.id}.xml")
    if failing:
        table = Table(title="not verified")
        for column in ("site", "host", "check", "status", "why / hands-on"):
            table.add_column(column, overflow="fold")
        for f in failing:
            table.add_row(*cells(f.site, f.host, f.check, f.status,
                                 f.message + (f"\n→ {f.action_en}" if f.action_en else "")))
        console.print(table)
    elif not result.findings:
        say("nothing was verified (no PC or file server matched)")
    else:
        say(f"all verified ({len(result.findings)} checks, {result.seconds:.1f} s)")


def verify_command(
    site: Annotated[list[str], typer.Argument(help="Site(s) to verify: 18, 18-fukui or pref-18-fukui.")],
    twin: Annotated[Path | None, typer.Option(
        help=f"Verify the twin fleet in this folder (e.g. {REHEARSAL.twin}, the one `cutover rehearse` leaves) "
             "instead of real PCs.", file_okay=False)] = None,
    out: Annotated[Path, typer.Option(help="Where the JUnit XML and JSON per site go.", metavar="DIR")]
    = REHEARSAL.verify,
    limit: Annotated[list[str] | None, typer.Option(metavar="HOST",
                                                    help="Only these PCs or file servers (comma-separated).")]
    = None,
    area: Annotated[list[str] | None, typer.Option(
        help=f"Only these areas ({', '.join(AREAS)}; comma-separated). Default: all.")] = None,
    as_of: AsOfOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    inventory: InventoryOpt = None,
) -> None:
    """Read every PC's raw end state (one read-only call per PC, all PCs in one run) and compare it with the inventory.

    Exit status 0 when every check of every PC passes, 1 naming each PC and check that fails or could
    not be checked, 2 on bad input (nothing is read or written then).
    """
    inv = load(inventory)
    chosen = list({s.id: s for s in (resolve_site(inv, name) for name in site)}.values())
    areas = set(_split(area)) or set(AREAS)
    unknown = sorted(areas - set(AREAS))
    if unknown:
        fail(f"--area: unknown area {', '.join(unknown)} (expected {', '.join(AREAS)})")
    hosts = {h.upper() for h in _split(limit)} or None
    if hosts is not None:
        known = {e.hostname for s in chosen for e in s.endpoints} | {h for s in chosen for h in _servers(s)}
        strangers = sorted(hosts - known)
        if strangers:
            fail(f"--limit: {', '.join(strangers)} not in {', '.join(s.id for s in chosen)}")
    if twin is not None:
        _check_twin(twin, chosen, hosts)
    day = as_of or dt.date.today()
    for s in chosen:  # role settings that verification cannot mirror are bad input, found before anything runs
        try:
            verify_settings.check_site(Path(inv.root), s, day)
        except verify_settings.SettingsError as exc:
            fail(str(exc))
    pcs = [e.hostname for s in chosen for e in s.endpoints if hosts is None or e.hostname in hosts]
    shown = err_console if output_format == OutputFormat.json else console  # stdout stays JSON
    with held(out, *([twin] if twin else [])), \
            PcProgress(f"verify {', '.join(s.id for s in chosen)}", pcs, shown, one_task=True) as on_event:
        result = verify(inv, chosen, day, out, twin=twin, limit=hosts, areas=areas, event_handler=on_event)
    _print(result, out, output_format)
    if not result.ok:
        exit_with(ExitCode.FINDINGS)

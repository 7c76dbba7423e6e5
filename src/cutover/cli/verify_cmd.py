"""``cutover verify SITE``: the verification alone, on real PCs (PSRP) or on a twin fleet (``--twin``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutover.cli.common import InventoryOpt, check_format, console, err_console, load, print_json, resolve_site
from cutover.verify import AREAS, verify
from cutover.verify.settings import SettingsError


def _bad(message: str) -> typer.Exit:
    err_console.print(f"[red]error[/]: {message}", highlight=False)
    return typer.Exit(code=2)


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _bad(f"--as-of: expected a date as YYYY-MM-DD (got {value!r})") from None


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def verify_command(
    site: Annotated[list[str], typer.Argument(help="Site(s) to verify: 18, 18-fukui or pref-18-fukui.")],
    twin: Annotated[Path | None, typer.Option(
        help="Verify the twin fleet in this folder (the one `cutover rehearse --out OUT` leaves in OUT/twin) "
             "instead of real PCs.")] = None,
    out: Annotated[Path, typer.Option(help="Where the JUnit XML and JSON per site go.")] = Path("build/verify"),
    limit: Annotated[list[str] | None, typer.Option(help="Only these PCs or file servers (comma-separated).")]
    = None,
    area: Annotated[list[str] | None, typer.Option(
        help=f"Only these areas ({', '.join(AREAS)}; comma-separated). Default: all.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge Office support on this day (YYYY-MM-DD).")]
    = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="table (for people) or json (for machines).")]
    = "table",
    inventory: InventoryOpt = None,
) -> None:
    """Read every PC's raw end state (one read-only call per PC, all PCs in one run) and compare it with the inventory.

    Exit status 0 when every check of every PC passes, 1 naming each PC and check that fails or could
    not be checked, 2 on bad input (nothing is read or written then).
    """
    output_format = check_format(output_format)
    day = _date(as_of)
    inv = load(inventory)
    chosen = list({s.id: s for s in (resolve_site(inv, name) for name in site)}.values())
    areas = set(_split(area)) or set(AREAS)
    unknown = sorted(areas - set(AREAS))
    if unknown:
        raise _bad(f"--area: unknown area {', '.join(unknown)} (expected {', '.join(AREAS)})")
    hosts = {h.upper() for h in _split(limit)} or None
    if hosts is not None:
        known = {e.hostname for s in chosen for e in s.endpoints}
        known |= {sh.legacy_unc.strip("\\").split("\\")[0].upper()
                  for s in chosen for sh in s.config.file_shares if sh.legacy_unc}
        strangers = sorted(hosts - known)
        if strangers:
            raise _bad(f"--limit: {', '.join(strangers)} not in {', '.join(s.id for s in chosen)}")
    if twin is not None:
        for s in chosen:
            folder = twin / s.id
            if not folder.is_dir():
                raise _bad(f"--twin: no twin fleet for {s.id} in {twin} (cutover rehearse --out OUT leaves it in "
                           "OUT/twin; cutover twin build --out DIR builds one)")
            missing = sorted(e.hostname for e in s.endpoints if (hosts is None or e.hostname in hosts)
                             and not (folder / f"{e.hostname}.json").is_file())
            if missing:
                raise _bad(f"--twin: {folder} has no twin PC {', '.join(missing[:5])}"
                           + (" …" if len(missing) > 5 else "") + " (built from another inventory?)")
    try:
        result = verify(inv, chosen, day, out, twin=twin, limit=hosts, areas=areas)
    except SettingsError as exc:
        raise _bad(str(exc)) from None
    failing = result.failing()
    if output_format == "json":
        print_json({"ok": result.ok, "as_of": day.isoformat(), "seconds": round(result.seconds, 2),
                    "files": {k: [str(p) for p in v] for k, v in result.files.items()},
                    "failing": [{"site": f.site, "host": f.host, "check": f.check, "status": f.status,
                                 "message": f.message, "action_en": f.action_en} for f in failing]})
    else:
        for s in chosen:
            findings = result.for_site(s.id)
            counts = {status: sum(f.status == status for f in findings) for status in ("pass", "fail", "error")}
            console.print(f"{s.id}: {len(result.hosts[s.id])} host(s), {counts['pass']} passed, {counts['fail']} "
                          f"failed, {counts['error']} could not be checked → {out / s.id}.xml", highlight=False)
        if failing:
            table = Table(title="not verified")
            for column in ("site", "host", "check", "status", "why / hands-on"):
                table.add_column(column, overflow="fold")
            for f in failing:
                table.add_row(f.site, f.host, f.check, f.status,
                              f.message + (f"\n→ {f.action_en}" if f.action_en else ""))
            console.print(table)
        elif not result.findings:
            console.print("nothing was verified (no PC or file server matched)", highlight=False)
        else:
            console.print(f"all verified ({len(result.findings)} checks, {result.seconds:.1f} s)", highlight=False)
    if not result.ok:
        raise typer.Exit(code=1)

"""``cutover survey``: export the mail survey, import answers, list the groupware server settings."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from cutover import atomic
from cutover.cli.common import InventoryOpt, console, err_console, load, resolve_site
from cutover.inventory import csvsource
from cutover.survey import export, importer, server_settings

survey_app = typer.Typer(help="The prefecture mail survey (Excel/CSV).", no_args_is_help=True)


def _chosen(inv, site: list[str] | None, every: bool):
    if bool(site) == every:
        err_console.print("[red]error[/]: give --site SITE (repeatable) or --all", highlight=False)
        raise typer.Exit(code=2)
    return list(inv.sites.values()) if every else [resolve_site(inv, s) for s in site or []]


@survey_app.command("export")
def survey_export(
    out: Annotated[Path, typer.Option(help="Folder for the workbooks and CSV files.")],
    site: Annotated[list[str] | None, typer.Option("--site", help="Site(s) to export.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every site.")] = False,
    deadline: Annotated[str | None, typer.Option(help="Answer deadline shown to the prefectures (YYYY-MM-DD).")]
    = None,
    inventory: InventoryOpt = None,
) -> None:
    """One Excel workbook (drop-downs, Japanese instructions) and one CSV (UTF-8 BOM) per site."""
    inv = load(inventory)
    day = dt.date.fromisoformat(deadline) if deadline else None
    for chosen in _chosen(inv, site, every):
        paths = export.export_site(chosen, inv, out, day)
        console.print(f"{chosen.id}: {len(chosen.mail)} addresses → {paths[0].name}, {paths[1].name}",
                      highlight=False)


@survey_app.command("import")
def survey_import(
    files: Annotated[list[Path], typer.Argument(help="Answered .xlsx or .csv files.", exists=True, dir_okay=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and show the diff; write nothing.")] = False,
    inventory: InventoryOpt = None,
) -> None:
    """Validate every row; update mail.csv atomically only when the whole file is valid (exit 2 otherwise)."""
    inv = load(inventory)
    failed = False
    for path in files:
        result = importer.import_file(path, inv, dry_run=dry_run)
        for problem in result.problems:
            (err_console if problem.blocking else console).print(
                ("  " if problem.blocking else "  note: ") + str(problem), markup=False, highlight=False)
        if result.blocking:
            failed = True
            err_console.print(f"{path.name}: {len(result.blocking)} problem(s); nothing written", highlight=False)
            continue
        for change in result.changes:
            console.print(f"  {change.address}: {change.before[0]} [{change.before[1]}] → "
                          f"{change.after[0]} [{change.after[1]}]", markup=False, highlight=False)
        state = "would update" if dry_run else ("updated" if result.written else "no change to")
        console.print(f"{path.name}: {state} {result.site} mail.csv ({len(result.changes)} change(s))",
                      highlight=False)
    if failed:
        raise typer.Exit(code=2)


@survey_app.command("server-settings")
def survey_server_settings(
    out: Annotated[Path, typer.Option(help="Output file (.csv with BOM, or .json).")],
    site: Annotated[list[str] | None, typer.Option("--site", help="Site(s).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every site (default when no --site).")] = False,
    inventory: InventoryOpt = None,
) -> None:
    """Per address: 'delete mail on server' (Garoon-only personal) or 'do not delete'; unanswered ones listed."""
    inv = load(inventory)
    chosen = _chosen(inv, site, every or not site)
    rows = [s for one in chosen for s in server_settings.settings(one)]
    if out.suffix.lower() == ".json":
        atomic.write_text(out, json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        columns = ("サイト", "アドレス", "種別", "受信方法", "サーバー設定", "setting")
        records = [{"サイト": r.site, "アドレス": r.address, "種別": "個人" if r.kind == "personal" else "共有",
                    "受信方法": r.client, "サーバー設定": r.setting_ja, "setting": r.setting_en} for r in rows]
        atomic.write_bytes(out, csvsource.render(columns, records))
    blocking = [r for r in rows if r.blocking]
    console.print(f"{len(rows)} addresses → {out}; {len(blocking)} unanswered personal address(es) block the "
                  "change", highlight=False)

"""``cutover survey``: export the mail survey, import answers, list the groupware server settings."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from cutover import atomic, locks
from cutover.cli.common import (
    ExitCode,
    InventoryOpt,
    date_option,
    exit_with,
    fail,
    load,
    output_folder,
    print_capped,
    resolve_site,
    say,
)
from cutover.inventory import InventoryError, csvsource
from cutover.survey import export, importer, server_settings

survey_app = typer.Typer(help="The prefecture mail survey (Excel/CSV).", no_args_is_help=True)


def _chosen(inv, site: list[str] | None, every: bool):
    if bool(site) == every:
        fail("give --site SITE (repeatable) or --all")
    return list(inv.sites.values()) if every else [resolve_site(inv, s) for s in site or []]


@survey_app.command("export")
def survey_export(
    out: Annotated[Path, typer.Option(help="Folder for the workbooks and CSV files.")],
    site: Annotated[list[str] | None, typer.Option("--site", help="Site(s) to export.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every site.")] = False,
    deadline: Annotated[dt.date | None, date_option("--deadline", "Answer deadline shown to the prefectures.")]
    = None,
    inventory: InventoryOpt = None,
) -> None:
    """One Excel workbook (drop-downs, Japanese instructions) and one CSV (UTF-8 BOM) per site."""
    inv = load(inventory)
    chosen_sites = _chosen(inv, site, every)
    output_folder(out)
    for chosen in chosen_sites:
        paths = export.export_site(chosen, inv, out, deadline)
        say(f"{chosen.id}: {len(chosen.mail)} addresses → {paths[0].name}, {paths[1].name}")


@survey_app.command("import")
def survey_import(
    files: Annotated[list[Path], typer.Argument(help="Answered .xlsx or .csv files.", exists=True, dir_okay=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and show the diff; write nothing.")] = False,
    wait: Annotated[float, typer.Option(metavar="SECONDS",
                                        help="Seconds to wait for another import into the same inventory.",
                                        min=0)] = importer.LOCK_WAIT,
    inventory: InventoryOpt = None,
) -> None:
    """Validate every row; merge the answers into the current mail.csv atomically, only when the whole file
    is valid (exit 2 otherwise). A blank answer keeps the recorded one."""
    inv = load(inventory)
    failed = False
    for path in files:
        try:
            result = importer.import_file(path, inv, dry_run=dry_run, wait=wait)
        except locks.FolderError as exc:
            fail(f"{path.name}: {exc}")
        except InventoryError as exc:
            say(f"{path.name}: the inventory changed and is now invalid; nothing written", err=True)
            print_capped([f"  {problem}" for problem in exc.problems], err=True)
            exit_with(ExitCode.BAD_INPUT)
        print_capped([f"  {p}" for p in result.blocking], err=True)
        print_capped([f"  note: {p}" for p in result.problems if not p.blocking], what="note(s)")
        if result.blocking:
            failed = True
            say(f"{path.name}: {len(result.blocking)} problem(s); nothing written", err=True)
            continue
        print_capped([f"  {c.address}: {c.before[0]} [{c.before[1]}] → {c.after[0]} [{c.after[1]}]"
                      for c in result.changes], what="change(s)")
        state = "would update" if dry_run else ("updated" if result.written else "no change to")
        say(f"{path.name}: {state} {result.site} mail.csv ({len(result.changes)} change(s))")
    if failed:
        exit_with(ExitCode.BAD_INPUT)


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
    output_folder(out.parent)
    if out.is_dir():
        fail(f"{out} is a folder; give a file name ending in .csv or .json")
    if out.suffix.lower() == ".json":
        atomic.write_text(out, json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        columns = ("サイト", "アドレス", "種別", "受信方法", "サーバー設定", "setting")
        records = [{"サイト": r.site, "アドレス": r.address, "種別": "個人" if r.kind == "personal" else "共有",
                    "受信方法": r.client, "サーバー設定": r.setting_ja, "setting": r.setting_en} for r in rows]
        atomic.write_bytes(out, csvsource.render(columns, records))
    blocking = [r for r in rows if r.blocking]
    say(f"{len(rows)} addresses → {out}; {len(blocking)} unanswered personal address(es) block the change")

"""``cutover twin`` (the endpoint twin fleet) and ``cutover converge`` (playbooks through ansible-runner)."""

from __future__ import annotations

import datetime as dt
import glob
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutover.cli.common import (
    ExitCode,
    InventoryOpt,
    RunOpt,
    cells,
    console,
    exit_with,
    fail,
    held,
    load,
    resolve_site,
    say,
)
from cutover.progress import PcProgress, final_task
from cutover.run_folders import REHEARSAL
from cutover.twin import fleet
from cutover.twin import state as twin_state

FleetOpt = Annotated[Path, typer.Option(help="Fleet folder; one sub-folder per site (cutover rehearse leaves it "
                                             "in its folder's twin/).", metavar="DIR")]
twin_app = typer.Typer(help="The Windows endpoint twin (rehearsals and tests).", no_args_is_help=True)


@twin_app.command("build")
def twin_build(
    site: Annotated[list[str] | None, typer.Option("--site", help="Site(s) to build.")] = None,
    wave: Annotated[int | None, typer.Option(help="Every site of this wave.")] = None,
    out: FleetOpt = REHEARSAL.twin,
    fresh: Annotated[bool, typer.Option(help="Rebuild existing PCs instead of reusing their state.")] = False,
    fault: Annotated[list[str] | None, typer.Option(
        metavar="HOST:SWITCH=VALUE", help="A fault to build in, e.g. P18-DT-001:installer_exit_code=1603.")]
    = None,
    inventory: InventoryOpt = None,
) -> None:
    """Build (or keep) the twin PCs of the chosen sites from the inventory."""
    inv = load(inventory)
    chosen = [resolve_site(inv, s) for s in site or []] + (inv.sites_in_wave(wave) if wave is not None else [])
    if not chosen:
        fail("give --site SITE or --wave N")
    faults: dict[str, dict] = {}
    for item in fault or []:
        host, _, setting = item.partition(":")
        key, _, value = setting.partition("=")
        if not host or key not in ("installer_exit_code", "locked_hive", "hive_unload_blocked", "outlook_running",
                                   "unreachable_share"):
            fail(f"bad --fault {item!r}; expected HOST:switch=value")
        try:
            faults.setdefault(host.upper(), {})[key] = json.loads(value) if value else True
        except json.JSONDecodeError:
            fail(f"bad --fault {item!r}: the value {value!r} is not a number, true/false or a quoted string")
    with held(out):
        for chosen_site in chosen:
            paths = fleet.build_site(inv, chosen_site, out, dt.date.today(), faults, reuse=not fresh)
            fleet.build_file_server(inv, chosen_site, out, reuse=not fresh)
            reachable = sum(twin_state.load(paths[0].parent, p.stem)["reachable"] for p in paths)
            say(f"{chosen_site.id}: {len(paths)} PCs ({reachable} reachable) in {out / chosen_site.id}")


@twin_app.command("console-uninstall")
def twin_console_uninstall(
    site: Annotated[list[str], typer.Option("--site", help="Site(s) whose agents to uninstall.")],
    out: FleetOpt = REHEARSAL.twin,
    inventory: InventoryOpt = None,
) -> None:
    """Do on the twin what the Apex One console's agent uninstall task does (online agents only)."""
    inv = load(inventory)
    chosen = [resolve_site(inv, s) for s in site]
    for chosen_site in chosen:
        if not (out / chosen_site.id).is_dir():
            fail(f"no twin fleet of {chosen_site.id} under {out}: build it first (cutover twin build --site ...)")
    with held(out):
        for chosen_site in chosen:
            done = fleet.console_uninstall_site(out / chosen_site.id)
            say(f"{chosen_site.id}: old antivirus agent uninstalled from the console on {len(done)} PCs "
                "(a restart finishes the removal)")


@twin_app.command("show")
def twin_show(host: Annotated[str, typer.Argument(help="The PC's computer name, e.g. P18-DT-001.")],
              out: FleetOpt = REHEARSAL.twin) -> None:
    """Summarise one twin PC: reachability, products, services, scheduled tasks, module calls."""
    matches = list(Path(out).glob(f"*/{glob.escape(host.upper())}.json"))
    if not matches:
        fail(f"no twin PC {host} under {out}")
    try:
        state = json.loads(matches[0].read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{matches[0]} is not a twin PC state (JSON): {exc}")
    table = Table(title=cells(f"{state['hostname']} ({state['site']}, {state['os']['caption']} "
                              f"{state['os']['build']})")[0])
    table.add_column("what")
    table.add_column("value", overflow="fold")
    table.add_row(*cells("reachable", state["reachable"]))
    table.add_row(*cells("disk", state["hardware"]["disks"][0]["media_type"]))
    table.add_row(*cells("products", ", ".join(p["display_name"] for p in state["products"].values())))
    table.add_row(*cells("scheduled tasks", ", ".join(state["scheduled_tasks"])))
    table.add_row(*cells("security center", ", ".join(f"{e['display_name']} ({e['product_state']})"
                                                      for e in state["security_center"])))
    table.add_row(*cells("module calls", json.dumps(state["module_calls"])))
    console.print(table)


def converge(
    site: Annotated[str, typer.Option("--site", help="Site to converge.")],
    out: RunOpt = REHEARSAL.root,
    twin: Annotated[Path | None, typer.Option(
        help=f"Converge the twin fleet in this folder (e.g. {REHEARSAL.twin}) instead of real PCs.", metavar="DIR")]
    = None,
    playbook: Annotated[str, typer.Option(help="Playbook under ansible/playbooks.")] = "endpoints.yml",
    check: Annotated[bool, typer.Option(help="Check mode: report what would change.")] = False,
    tags: Annotated[str | None, typer.Option(help="Only these role tags: ngav, office, mail, fileshare.")] = None,
    inventory: InventoryOpt = None,
) -> None:
    """Run a playbook for one site through ansible-runner; unreachable PCs are listed, never fatal."""
    from cutover.inventory.ansible_view import site_group
    from cutover.runner import PLAYBOOKS, run_playbook

    inv = load(inventory)
    chosen = resolve_site(inv, site)
    twin_dir = twin / chosen.id if twin else None
    if twin_dir is not None and not twin_dir.is_dir():
        fail(f"no twin fleet for {chosen.id} in {twin_dir} (build it first: cutover twin build --site {chosen.id} "
             f"--out {twin})")
    with held(out, *([twin] if twin else [])), \
            PcProgress(f"converge {chosen.id}", [e.hostname for e in chosen.endpoints], console,
                       finish_task=final_task(PLAYBOOKS / playbook, tags)) as on_event:
        outcome = run_playbook(playbook, site_group(chosen.id), out, twin_dir=twin_dir,
                               check=check, tags=tags, inventory=Path(inv.root), event_handler=on_event)
    say(f"{chosen.id}: {outcome.status} — ok {len(outcome.ok)}, changed {len(outcome.changed)}, "
        f"failed {len(outcome.failed)}, unreachable {len(outcome.unreachable)}; artefacts {outcome.artifacts}")
    for host in sorted(outcome.unreachable):
        endpoint = next((e for e in chosen.endpoints if e.hostname == host), None)
        seen = endpoint.last_seen if endpoint else "?"
        say(f"  unreachable: {host} (last seen {seen}) — remove the old antivirus by hand")
    if outcome.failed:
        exit_with(ExitCode.FINDINGS)

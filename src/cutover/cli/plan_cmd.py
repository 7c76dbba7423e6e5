"""``cutover plan`` and ``cutover stacks``: the offline plan and the stack configuration files."""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cutover import atomic
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
    load,
    marked,
    output_folder,
    print_json,
    resolve_site,
    say,
)
from cutover.cloud import offline, pack_config, stacks
from cutover.cloud.programs import CORE_STACK
from cutover.run_folders import REHEARSAL


class Phase(enum.StrEnum):
    up = "up"
    preview = "preview"


stacks_app = typer.Typer(help="Stack configuration files (pulumi/stacks).", no_args_is_help=True)


def choose_stacks(inventory, names: list[str], wave: int | None, every: bool) -> list[str]:
    if sum(bool(x) for x in (names, wave is not None, every)) != 1:
        fail("name stacks, or give --wave N, or --all (exactly one)")
    if every:
        return [CORE_STACK, *inventory.sites]
    if wave is not None:
        chosen = [s.id for s in inventory.sites_in_wave(wave)]
        if not chosen:
            fail(f"no site is in wave {wave}")
        return [CORE_STACK, *chosen]
    chosen = [CORE_STACK if name == CORE_STACK else resolve_site(inventory, name).id for name in names]
    return list(dict.fromkeys(chosen))


def _short(value: object, width: int = 90) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def print_plan(plan: offline.StackPlan) -> None:
    resources = Table(title=Text(f"stack {plan.stack}: {len(plan.resources)} resources"), show_lines=False)
    for column in ("type", "logical name", "parent", "inputs"):
        resources.add_column(column, overflow="fold")
    for r in plan.resources:
        parent = (r.parent or "").rsplit("::", 1)[-1]
        inputs = dict(r.inputs)
        resources.add_row(*cells(r.type, r.name + (" (protected)" if r.protect else ""), parent, _short(inputs)))
    console.print(resources)
    results = Table(title=Text(f"stack {plan.stack}: policies"))
    for column in ("policy", "enforcement", "status", "detail"):
        results.add_column(column, overflow="fold")
    colour = {"pass": "green", "fail": "red", "waived": "yellow", "unknown": "magenta", "not_applicable": "dim"}
    for r in plan.policy_results:
        detail = "; ".join(f.message for f in r.findings[:3])
        results.add_row(*cells(r.policy, r.enforcement, marked(f"[{colour[r.status]}]{r.status}[/]"), detail))
    console.print(results)


def plan_summary(plans: list[offline.StackPlan]) -> Group:
    """Per stack, Pulumi/Terraform style: resources (protected), policy results by status, and every policy
    that does not pass with its enforcement level and first finding. Names are plain text, never markup."""
    lines: list[Text] = []
    colour = {"pass": "green", "fail": "red", "waived": "yellow", "unknown": "magenta", "not_applicable": "dim"}
    for p in plans:
        protected = sum(1 for r in p.resources if r.protect)
        by_status: dict[str, int] = {}
        for r in p.policy_results:
            by_status[r.status] = by_status.get(r.status, 0) + 1
        line = Text()
        line.append(p.stack, style="bold")
        line.append(f": {len(p.resources)} resources" + (f" ({protected} protected)" if protected else ""))
        line.append("; policies ")
        order = sorted(by_status.items(), key=lambda kv: list(colour).index(kv[0]))
        for n, (status, count) in enumerate(order):
            line.append(", " if n else "")
            line.append(f"{count} {status.replace('_', ' ')}", style=colour[status])
        lines.append(line)
        for r in p.policy_results:
            if r.status in ("fail", "unknown"):
                detail = Text(f"  {'✗' if r.status == 'fail' else '?'} {r.policy} ({r.enforcement}, {r.status})",
                              style=colour[r.status])
                if r.findings:
                    detail.append(f": {r.findings[0].message}" + (f" (+{len(r.findings) - 1} more)"
                                                                  if len(r.findings) > 1 else ""), style="default")
                lines.append(detail)
    failing = [r for p in plans for r in p.mandatory_failures]
    advisory = [r for p in plans for r in p.policy_results if r.status == "fail" and r.enforcement != "mandatory"]
    total = Text(f"Plan: {len(plans)} stack(s), {sum(len(p.resources) for p in plans)} resources; ")
    total.append(f"{len(failing)} mandatory", style="red" if failing else "green")
    total.append(f" and {len(advisory)} advisory policy failure(s). Details: --details or --format json.")
    return Group(*lines, total)


def plan(
    stack: Annotated[list[str] | None, typer.Argument(help="Stacks: core, hq, 13, pref-13-tokyo …")] = None,
    wave: Annotated[int | None, typer.Option(help="Plan core and every site of this wave.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Plan core and all 48 sites.")] = False,
    out: Annotated[Path, typer.Option(help="Where to write one JSON file per stack.", metavar="DIR")]
    = REHEARSAL.plan,
    as_of: AsOfOpt = None,
    phase: Annotated[Phase, typer.Option(help="up: the stacks after `pulumi up`; preview: the first preview of "
                                              "new stacks (values Azure assigns unknown).")] = Phase.up,
    jobs: Annotated[int, typer.Option(help="Worker processes for site stacks (default: CPU count).")] = 0,
    details: Annotated[bool, typer.Option("--details", help="Also print every resource and policy result.")]
    = False,
    inventory: InventoryOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Run the Pulumi programs offline against the Azure double; print resources and policy results.

    Writes <stack>.json (stack-export shape) and <stack>.policy-config.json (for --policy-pack-config).
    Exit status 1 when a mandatory policy fails, 2 on bad input.
    """
    inv = load(inventory)
    chosen = choose_stacks(inv, stack or [], wave, every)
    day = as_of or dt.date.today()
    output_folder(out)
    columns = (TextColumn("plan"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("core", total=len(chosen))
        plans = offline.plan_stacks(inv, chosen, day, phase=phase.value, jobs=jobs or os.cpu_count() or 1,
                                    progress=lambda name: progress.update(task, advance=1, description=name))
    paths = [offline.write_plan(p, out) for p in plans]
    if fmt is OutputFormat.json:
        print_json([p.export() for p in plans] if len(plans) > 1 else plans[0].export())
    else:
        if details:
            for p in plans:
                print_plan(p)
        console.print(plan_summary(plans))
    failing = [(p.stack, r.policy) for p in plans for r in p.mandatory_failures]
    summary = (f"{len(plans)} stack(s) planned, {sum(len(p.resources) for p in plans)} resources; "
               f"plans written to {out}/ ({len(paths)} files)")
    say(summary, err=True)
    if failing:
        err_console.print("[red]mandatory policies failed[/]: ", end="", highlight=False)
        say(", ".join(f"{s}:{p}" for s, p in failing), err=True)
        exit_with(ExitCode.FINDINGS)


def policy_config(
    stack: Annotated[str, typer.Argument(help="core, hq, 13, pref-13-tokyo …")],
    core_outputs: Annotated[Path | None, typer.Option(
        help="JSON of the core stack's outputs (`pulumi stack output --stack core --json`); needed for sites.")]
    = None,
    out: Annotated[Path | None, typer.Option(help="Write here (default: standard output).")] = None,
    inventory: InventoryOpt = None,
) -> None:
    """The policy pack configuration of one stack (`pulumi preview/up --policy-pack-config <file>`).

    Waivers (reason, approver, expiry) and the values the checks compare against come from the inventory.
    """
    inv = load(inventory)
    name = CORE_STACK if stack == CORE_STACK else resolve_site(inv, stack).id
    outputs: dict = {}
    if core_outputs is not None:
        try:
            outputs = json.loads(core_outputs.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"{core_outputs}: not readable JSON ({exc})")
    if name != CORE_STACK and not outputs.get("workspace_id"):
        fail(f"{core_outputs or '--core-outputs'}: field workspace_id is missing (core's outputs are needed "
             "for a site stack)")
    text = json.dumps(pack_config.for_stack(inv, name, outputs), ensure_ascii=False, indent=2, sort_keys=True)
    if out is None:
        say(text)
    else:
        atomic.write_text(out, text + "\n")
        say(f"policy pack configuration of {name} written to {out}", err=True)


@stacks_app.command("sync")
def stacks_sync(
    check: Annotated[bool, typer.Option(help="Change nothing; exit 1 if anything is missing, outdated or stray.")]
    = False,
    prune: Annotated[bool, typer.Option(help="Delete stack files of stacks that no longer exist.")] = False,
    directory: Annotated[Path, typer.Option(help="Stack configuration directory (default: the project's "
                                                            "pulumi/stacks).")] = stacks.STACK_DIR,
    inventory: InventoryOpt = None,
) -> None:
    """Create missing Pulumi.<stack>.yaml files (core + every site) and report stray ones."""
    inv = load(inventory)
    report = stacks.sync(inv, directory, check=check, prune=prune)
    for label, items in (("created", report.created), ("missing", report.missing), ("outdated", report.outdated),
                         ("stray", report.strays), ("removed", report.removed)):
        if items:
            say(f"{label}: {', '.join(items)}")
    if check and not report.clean:
        exit_with(ExitCode.FINDINGS)
    if report.strays:
        err_console.print("stray stack files remain: remove them with --prune once their stacks are destroyed",
                          highlight=False)
    console.print(f"{len(stacks.expected_stacks(inv))} stacks expected; "
                  f"{'in sync' if report.clean else 'see above'}", highlight=False)

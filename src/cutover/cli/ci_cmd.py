"""``cutover ci``: helpers for the project's CI pipelines."""

from __future__ import annotations

import json
import subprocess
from typing import Annotated

import typer

from cutover.ci import changed_stacks
from cutover.cli.common import InventoryOpt, fail, load

ci_app = typer.Typer(help="Helpers for CI pipelines.", no_args_is_help=True)


@ci_app.command("changed-stacks")
def changed_stacks_cmd(
    base: Annotated[str, typer.Option(help="Git ref to compare with (e.g. origin/main).")],
    inventory: InventoryOpt = None,
) -> None:
    """Print a JSON list of the stacks a change touches since BASE (empty list: nothing to plan)."""
    inv = load(inventory)
    diff = subprocess.run(["git", "diff", "--name-only", f"{base}...HEAD"], capture_output=True, text=True,
                          check=False)
    if diff.returncode != 0:
        fail(f"git diff against {base} failed: {diff.stderr.strip()}")
    typer.echo(json.dumps(changed_stacks(diff.stdout.split(), inv.sites)))


@ci_app.command("wave-sites")
def wave_sites(wave: Annotated[int, typer.Argument(help="Wave number (0 = pilot).")],
               inventory: InventoryOpt = None) -> None:
    """Print a JSON list of the site ids in a wave (a matrix for per-prefecture jobs)."""
    inv = load(inventory)
    sites_in_wave = [s.id for s in inv.sites_in_wave(wave)]
    if not sites_in_wave:
        fail(f"no site is in wave {wave}")
    typer.echo(json.dumps(sites_in_wave))


@ci_app.command("all-stacks")
def all_stacks(inventory: InventoryOpt = None) -> None:
    """Print a JSON list of every stack: core, then every site in JIS order."""
    inv = load(inventory)
    typer.echo(json.dumps(["core", *inv.sites]))

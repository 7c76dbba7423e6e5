"""What every command shares: the --inventory option, consoles, and clean failure on bad input."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from cutover import sites
from cutover.inventory import Inventory, InventoryError, Site, load_inventory

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

InventoryOpt = Annotated[
    Path | None,
    typer.Option(
        "--inventory",
        "-i",
        help="Inventory directory (default: $CUTOVER_INVENTORY or the embedded sample organisation).",
        file_okay=False,
        show_default=False,
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table (for people) or json (for machines).")]


def inventory_root(path: Path | None) -> Path | None:
    if path is not None:
        return path
    env = os.environ.get("CUTOVER_INVENTORY")
    return Path(env) if env else None


def load(path: Path | None) -> Inventory:
    """Load and validate, or print every problem and exit 2."""
    try:
        return load_inventory(inventory_root(path))
    except InventoryError as exc:
        err_console.print(f"[bold red]inventory invalid[/]: {len(exc.problems)} problem(s)", highlight=False)
        for problem in exc.problems:
            err_console.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(code=InventoryError.exit_code) from None


def resolve_site(inventory: Inventory, name: str) -> Site:
    try:
        site_id = sites.canonical_site_id(name)
    except sites.UnknownSiteError as exc:
        err_console.print(f"[red]error[/]: {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    if site_id not in inventory.sites:
        err_console.print(f"[red]error[/]: site {site_id} is not in the inventory {inventory.root}", highlight=False)
        raise typer.Exit(code=2)
    return inventory.sites[site_id]


def check_format(value: str) -> str:
    if value not in ("table", "json"):
        err_console.print(f"[red]error[/]: --format must be table or json (got {value!r})", highlight=False)
        raise typer.Exit(code=2)
    return value


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")

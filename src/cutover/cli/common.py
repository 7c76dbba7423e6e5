"""What every command shares: exit codes, option types, the site resolver, consoles and clean failure.

Exit codes are a contract with CI pipelines and people: 1 is a verdict ("no-go", "findings"), so bad
input and usage errors are 2, never 1. A parse error in an option (a date, a format, a language) is a
usage error raised by the option type itself, before the command runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import inspect
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from cutover import locks, sites
from cutover.inventory import Inventory, InventoryError, Site, load_inventory

# emoji=False: ":cloud:" in a resource type ("cutover:cloud:SiteFileShare") stays text, even with markup off
console = Console(soft_wrap=True, emoji=False)
err_console = Console(stderr=True, soft_wrap=True, emoji=False)


class ExitCode(enum.IntEnum):
    """The process exit status of every ``cutover`` command (agreed project-wide)."""

    OK = 0  # go / all verified / done
    FINDINGS = 1  # no-go / findings / a mandatory policy failed: a verdict, never a crash
    BAD_INPUT = 2  # usage error or bad input: nothing was judged, nothing was written
    GO_ON_PLAN = 3  # the gate would go on an offline plan: deploy, then gate on deployed evidence


# An unexpected exception (a bug) exits with sysexits.h's EX_SOFTWARE: never 1, which reads as a verdict.
INTERNAL_ERROR = 70


def exit_with(code: ExitCode) -> NoReturn:
    raise typer.Exit(code=int(code))


def fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    """Print ``error: message`` (user text is never read as rich markup) and exit with ``code``."""
    err_console.print(f"[red]error[/]: {escape(message)}", highlight=False)
    exit_with(code)


def say(message: str, *, err: bool = False) -> None:
    """Print plain text: site names, file names and messages may contain ``[`` and ``]``."""
    (err_console if err else console).print(message, markup=False, highlight=False)


PRINT_LIMIT = 40  # problems printed before "… and N more": a 300,000-row mistake must not flood the terminal


def print_capped(lines: list[str], *, err: bool = False, limit: int = PRINT_LIMIT, what: str = "problem(s)") -> None:
    for line in lines[:limit]:
        say(line, err=err)
    if len(lines) > limit:
        say(f"  … and {len(lines) - limit:,} more {what}", err=err)


# ------------------------------------------------------------------------------------------------
# Option types
# ------------------------------------------------------------------------------------------------


def iso_date(value: str | dt.date) -> dt.date:
    """Option parser for YYYY-MM-DD; a bad value is a usage error (exit 2) naming the option."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; expected YYYY-MM-DD (for example 2026-11-24)") \
            from None


def date_option(name: str, help: str) -> Any:
    """A ``--as-of``/``--deadline``-style option typed as a date."""
    return typer.Option(name, help=help, parser=iso_date, metavar="YYYY-MM-DD")


AsOfOpt = Annotated[dt.date | None, date_option("--as-of", "Judge dates on this day (YYYY-MM-DD; default today).")]


class OutputFormat(enum.StrEnum):
    table = "table"  # for people
    json = "json"  # for machines


class Lang(enum.StrEnum):
    ja = "ja"
    en = "en"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="table (for people) or json (for machines).")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Report language.")]

RunOpt = Annotated[Path, typer.Option(
    help="Run folder: runner artefacts in its runner/, facts in its facts/ (a real wave: build/live).",
    metavar="DIR")]

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


# ------------------------------------------------------------------------------------------------
# Help that reads like a mature CLI
# ------------------------------------------------------------------------------------------------

# What a value looks like, from the type typer would print as ``<int>``, ``<dir>`` …: a person reads N or DIR.
_METAVARS = {"int": "N", "int range": "N", "float": "NUMBER", "float range": "NUMBER", "path": "PATH", "dir": "DIR",
             "file": "FILE"}
_STATED_DEFAULT = re.compile(r"\(default\b", re.IGNORECASE)


def _metavar(param: Any, ctx: typer.Context) -> str:
    """``a|b`` for choices, N for numbers, DIR/FILE/PATH for paths, the name (SITE, SHARE …) for text."""
    label = param.display_type(ctx).strip("<>")
    label = label.removeprefix("list[").removesuffix("]")
    if "|" in label:
        return label
    info = param.type_descriptor.parameter_info
    if label.lower() == "path" and not getattr(info, "dir_okay", True):
        return "FILE"
    if label.lower() == "path" and not getattr(info, "file_okay", True):
        return "DIR"
    return _METAVARS.get(label.lower(), param.name.upper().replace("_", "-"))


def _reflow(text: str) -> str:
    """A docstring's paragraphs as flowing text (rich keeps its line breaks and wraps them again at 80
    columns, leaving ragged half lines); a paragraph that is a list (``- item``) or marked ``\\b`` stays."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") or any(line.lstrip().startswith(("- ", "* ", "• "))
                                                       for line in p.splitlines())
                       else " ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def plain_help(command: Any) -> None:
    """Make every command's help read like a mature CLI, for the whole tree under ``command``.

    Paragraphs flow (no ragged line breaks), flags show no type, values a metavar (N, DIR, FILE, SITE,
    YYYY-MM-DD, a|b; an option's own metavar is kept), arguments their name in capitals, repeatable
    options say so, and a default is not printed as ``[default: …]`` when the help already says it in
    words (``--jobs``: "default: CPU count", not 0) or when it is a flag's off state. Applied once, when
    the root command is built (cutover.cli.app), so a new option gets the same treatment
    (tests/cli/test_every_command.py reads every command's help at 80 columns).
    """
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    if command.help:
        command.help = _reflow(command.help)
    ctx = typer.Context(command)
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if param.param_type_name == "argument":
            if param.metavar is None:
                param.metavar = _metavar(param, ctx) if "|" in param.display_type(ctx) else param.name.upper()
            param.display_type_rich = _no_type  # the name column already says what the value is
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
            param.show_default = False
            continue
        if param.metavar is None:
            param.metavar = _metavar(param, ctx)
        if getattr(param, "multiple", False) and param.help and "repeat" not in param.help.lower():
            param.help = f"{param.help} Repeatable."
        if param.help and _STATED_DEFAULT.search(param.help):
            param.show_default = False


def _no_type(ctx: typer.Context) -> None:
    return None


# ------------------------------------------------------------------------------------------------
# Inventory and sites
# ------------------------------------------------------------------------------------------------


def inventory_root(path: Path | None) -> Path | None:
    if path is not None:
        return path
    env = os.environ.get("CUTOVER_INVENTORY")
    return Path(env) if env else None


def load(path: Path | None) -> Inventory:
    """Load and validate, or print every problem and exit 2."""
    try:
        inventory = load_inventory(inventory_root(path))
    except InventoryError as exc:
        err_console.print(f"[bold red]inventory invalid[/]: {len(exc.problems)} problem(s)", highlight=False)
        print_capped([f"  {problem}" for problem in exc.problems], err=True)
        exit_with(ExitCode.BAD_INPUT)
    print_capped([f"warning: {warning}" for warning in inventory.warnings], err=True)
    return inventory


def canonical_site(name: str) -> str:
    """The canonical site id for anything a person may type, or exit 2."""
    try:
        return sites.canonical_site_id(name)
    except sites.UnknownSiteError as exc:
        fail(str(exc))


def resolve_site(inventory: Inventory, name: str) -> Site:
    """The one site resolver: a known spelling of a site that is in this inventory, or exit 2."""
    site_id = canonical_site(name)
    if site_id not in inventory.sites:
        fail(f"site {site_id} is not in the inventory {inventory.root}")
    return inventory.sites[site_id]


# ------------------------------------------------------------------------------------------------
# Folders a command writes
# ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def held(*folders: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold every folder exclusively while the command writes (exit 2 if one is a file, unwritable or
    held by another run)."""
    with contextlib.ExitStack() as stack:
        for folder in folders:
            try:
                lock = stack.enter_context(locks.hold(folder, wait=wait))
            except locks.FolderError as exc:
                fail(str(exc))
            if lock.stale is not None:
                say(f"note: {folder} was locked by pid {lock.stale.pid} since {lock.stale.since}, which is no "
                    "longer running; taken over", err=True)
            if lock.swept:
                say(f"note: removed {lock.swept} temporary file(s) an interrupted run left in {folder}", err=True)
        yield


def output_folder(folder: Path) -> Path:
    """Create the folder a command writes into, or exit 2 naming it (a file in its place, no permission)."""
    try:
        return locks.prepare(folder)
    except locks.FolderError as exc:
        fail(str(exc))


# ------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------


def cells(*values: object) -> list[Text]:
    """Table cells as plain text: a ``[`` in a site name or a check message is shown, not parsed as markup."""
    return [v if isinstance(v, Text) else Text(str(v)) for v in values]


def marked(markup: str) -> Text:
    """A cell or title with the command's own markup (never user text)."""
    return Text.from_markup(markup)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")

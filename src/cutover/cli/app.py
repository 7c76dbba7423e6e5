"""The root ``cutover`` command: every command and sub-app is registered here, one way, from one table."""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Callable
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from cutover import __version__
from cutover.cli import (
    ci_cmd,
    evidence_cmd,
    gate_cmd,
    inventory_cmd,
    migration_cmd,
    plan_cmd,
    rehearse_cmd,
    survey_cmd,
    twin_cmd,
    verify_cmd,
)
from cutover.cli.common import INTERNAL_ERROR, err_console, plain_help


class _WorkflowOrder(TyperGroup):
    """``cutover --help`` lists commands and command groups together, in the order of COMMANDS; every
    command's help reads without type noise (common.plain_help, applied here once for the whole tree)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_help(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(super().list_commands(ctx), key=lambda name: list(COMMANDS).index(name)
                      if name in COMMANDS else len(COMMANDS))


app = typer.Typer(
    cls=_WorkflowOrder,
    help="Infrastructure-as-code and migration automation for the April 2028 cutover.\n\n"
         "Exit status: 0 go / ok, 1 no-go / findings, 2 bad input or usage, 3 the gate would go on an offline "
         "plan (deploy, then gate on deployed evidence).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def version() -> None:
    """Print the version."""
    typer.echo(__version__)


# name -> a sub-app (``<area>_app``, a group of commands) or a single command function, in the order of the
# work (``cutover --help`` lists them so): rehearse it all first, then each step as it is done for real.
COMMANDS: dict[str, typer.Typer | Callable[..., None]] = {
    "rehearse": rehearse_cmd.rehearse,
    "inventory": inventory_cmd.inventory_app,
    "survey": survey_cmd.survey_app,
    "plan": plan_cmd.plan,
    "policy-config": plan_cmd.policy_config,
    "stacks": plan_cmd.stacks_app,
    "twin": twin_cmd.twin_app,
    "converge": twin_cmd.converge,
    "migration": migration_cmd.migration_app,
    "verify": verify_cmd.verify_command,
    "evidence": evidence_cmd.evidence_app,
    "report": evidence_cmd.report,
    "gate": gate_cmd.gate,
    "ci": ci_cmd.ci_app,
    "version": version,
}


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True,
                                               callback=_print_version)] = False,
) -> None:
    """Infrastructure-as-code and migration automation for the April 2028 cutover."""


def register(parent: typer.Typer, name: str, target: typer.Typer | Callable[..., None]) -> None:
    if isinstance(target, typer.Typer):
        parent.add_typer(target, name=name)
    else:
        parent.command(name)(target)


for _name, _target in COMMANDS.items():
    register(app, _name, _target)


def _terminate(signum: int, frame: object) -> None:
    # A cancelled CI job or `kill` gets the same clean-up as Ctrl-C: locks released, temporary files removed.
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except Exception:  # a bug: it must never exit 1, which reads as a no-go verdict
        traceback.print_exc()
        err_console.print(f"[red]internal error[/]: this is a bug in cutover, not a verdict (exit {INTERNAL_ERROR})",
                          highlight=False)
        sys.exit(INTERNAL_ERROR)


if __name__ == "__main__":
    main()

"""The root ``cutover`` command; each area registers its own sub-command module here."""

from __future__ import annotations

import typer

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
)

app = typer.Typer(
    help="Infrastructure-as-code and migration automation for the April 2028 cutover.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(inventory_cmd.app, name="inventory")
app.add_typer(ci_cmd.app, name="ci")
app.command("plan")(plan_cmd.plan)
app.command("policy-config")(plan_cmd.policy_config)
app.add_typer(plan_cmd.stacks_app, name="stacks")
app.add_typer(evidence_cmd.evidence_app, name="evidence")
app.command("report")(evidence_cmd.report)
app.add_typer(twin_cmd.twin_app, name="twin")
app.command("converge")(twin_cmd.converge)
app.add_typer(survey_cmd.survey_app, name="survey")
app.command("rehearse")(rehearse_cmd.rehearse)
app.command("gate")(gate_cmd.gate)
app.add_typer(migration_cmd.migration_app, name="migration")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

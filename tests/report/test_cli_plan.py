"""`cutover plan` prints a summary per stack (details on request), names shown as written, never as markup."""

from __future__ import annotations

import dataclasses
import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cutover.cli import app
from cutover.cli.plan_cmd import plan_summary
from cutover.cloud import offline
from cutover.cloud.policies import Finding
from tests.report.conftest import AS_OF, SITE


def text_of(renderable) -> str:
    console = Console(width=100, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


@pytest.fixture(scope="module")
def fukui_plan(sample_inventory):
    (plan,) = offline.plan_stacks(sample_inventory, [SITE], AS_OF, jobs=1)
    return plan


def test_summary_counts_resources_and_names_failing_policies(fukui_plan):
    plan = fukui_plan
    first = plan.policy_results[0]
    failing = dataclasses.replace(first, status="fail", enforcement="mandatory",
                                  findings=[Finding("fail", "[bold]cutover:cloud:SiteFileShare[/] x"),
                                            Finding("fail", "y")])
    plan = dataclasses.replace(plan, policy_results=[failing, *plan.policy_results[1:]])
    text = text_of(plan_summary([plan]))
    assert f"{SITE}: {len(plan.resources)} resources" in text
    assert f"✗ {first.policy} (mandatory, fail): [bold]cutover:cloud:SiteFileShare[/] x (+1 more)" in text
    assert "1 mandatory and 0 advisory policy failure(s)" in text
    assert "☁" not in text


def test_plan_prints_the_summary_and_details_only_when_asked(tmp_path, monkeypatch, fukui_plan):
    import cutover.cli.plan_cmd as plan_cmd

    wide = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    monkeypatch.setattr(plan_cmd, "console", wide)
    monkeypatch.setattr(plan_cmd.offline, "plan_stacks", lambda *args, **kwargs: [fukui_plan])  # planned once
    runner = CliRunner()
    short = runner.invoke(app, ["plan", "pref-18-fukui", "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "a")])
    assert short.exit_code == 0, short.output
    text = wide.export_text()
    assert "Plan: 1 stack(s)" in text and "logical name" not in text
    long = runner.invoke(app, ["plan", "pref-18-fukui", "--details", "--as-of", AS_OF.isoformat(),
                               "--out", str(tmp_path / "b")])
    assert long.exit_code == 0, long.output
    text = wide.export_text()
    assert "logical name" in text and "azure-native:storage:FileShare" in text and "☁" not in text


def test_plain_lines_keep_colons_as_written(capsys):
    from cutover.cli.common import say

    say("cutover:cloud:SiteFileShare [red]x[/]")
    assert capsys.readouterr().out.strip() == "cutover:cloud:SiteFileShare [red]x[/]"


def test_version_and_commands_in_workflow_order():
    from cutover import __version__
    from cutover.cli.app import COMMANDS

    runner = CliRunner()
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == __version__
    listed = app_commands(runner.invoke(app, ["--help"], terminal_width=100).stdout)
    assert listed == list(COMMANDS) and listed[0] == "rehearse"


def app_commands(help_text: str) -> list[str]:
    import re

    section = help_text[help_text.index("Commands"):]
    return re.findall(r"^│ ([a-z][a-z-]*) ", section, re.M)

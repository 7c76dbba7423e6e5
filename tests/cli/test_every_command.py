"""Every command, walked from the CLI tree: a bad date or a bad site is a usage error (exit 2), never a
traceback and never exit 1 (the code for "no-go" / "findings")."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from cutover.cli import app
from cutover.cli.common import ExitCode, iso_date

runner = CliRunner()
ROOT_COMMAND = typer.main.get_command(app)
SITE_PARAMS = ("site", "stack")
BAD_DATE, BAD_SITE, MARKUP_SITE = "2026-13-40", "99-nowhere", "[/]"
# Commands that take neither a site nor a date: a new command must be added here or take one.
NEITHER = {
    "version", "inventory validate", "inventory list", "ci changed-stacks", "ci wave-sites", "ci all-stacks",
    "stacks sync", "twin show", "survey import", "migration exit-code", "migration check-names",
}


def leaves(group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from leaves(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = dict(leaves(ROOT_COMMAND))


def is_date(param) -> bool:
    info = param.type_descriptor.parameter_info
    return getattr(info, "parser", None) is iso_date


def placeholder(param, tmp_path) -> str:
    """A value that passes click's own checks, so the command's handling of the bad value is what runs."""
    if param.name in SITE_PARAMS:
        return "18"
    existing_file = tmp_path / "input.csv"
    existing_file.write_text("x\n", encoding="utf-8")
    return {
        "files": str(existing_file), "listing": str(existing_file), "evidence": str(tmp_path),
        "out": str(tmp_path / "out"), "host": "P18-DT-001", "code": "0", "wave": "0", "base": "HEAD",
        "share": "data",
    }[param.name]


def invocation(path: tuple[str, ...], command, tmp_path, **bad: str) -> list[str]:
    args = list(path)
    for param in command.params:
        value = bad.get(param.name)
        if value is None and param.name in SITE_PARAMS and "site" in bad:
            value = bad["site"]
        if value is None and is_date(param) and "date" in bad:
            value = bad["date"]
        if value is None and not param.required:
            continue
        value = value if value is not None else placeholder(param, tmp_path)
        option = next(o for o in param.opts if o.startswith("--")) if param.opts[0].startswith("-") else None
        args += [value] if param.param_type_name == "argument" else [option, value]
    return args


def run(args: list[str]):
    result = runner.invoke(app, args, env={"COLUMNS": "250", "TERMINAL_WIDTH": "250"})
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    return result, " ".join(output.split())


def assert_usage_error(result, output: str, expected: str) -> None:
    assert result.exit_code == ExitCode.BAD_INPUT, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert expected in output, output


def with_param(kind) -> list[str]:
    return [" ".join(path) for path, command in COMMANDS.items() if any(kind(p) for p in command.params)]


def test_the_walk_covers_every_command():
    dated, sited = set(with_param(is_date)), set(with_param(lambda p: p.name in SITE_PARAMS))
    assert set(map(" ".join, COMMANDS)) == dated | sited | NEITHER
    assert not (dated | sited) & NEITHER
    assert {"plan", "rehearse", "evidence collect", "survey export"} <= dated


@pytest.mark.parametrize("name", with_param(is_date))
def test_a_bad_date_is_a_usage_error(name, tmp_path):
    path = tuple(name.split())
    result, output = run(invocation(path, COMMANDS[path], tmp_path, date=BAD_DATE))
    assert_usage_error(result, output, f"'{BAD_DATE}' is not a date")


@pytest.mark.parametrize("name", with_param(lambda p: p.name in SITE_PARAMS))
@pytest.mark.parametrize("site", [BAD_SITE, MARKUP_SITE])
def test_a_bad_site_is_bad_input(name, site, tmp_path):
    path = tuple(name.split())
    result, output = run(invocation(path, COMMANDS[path], tmp_path, site=site))
    assert_usage_error(result, output, f"unknown site {site!r}")


@pytest.mark.parametrize("args", [["inventory", "list", "--format", "xml"], ["plan", "18", "-f", "yaml"],
                                  ["report", "--evidence", ".", "--lang", "fr"]])
def test_choices_are_checked_by_the_option_type(args):
    result, output = run(args)
    assert_usage_error(result, output, "is not one of")


def test_help_lists_the_choices():
    assert "table|json" in run(["inventory", "list", "--help"])[1]
    assert "ja|en" in run(["report", "--help"])[1]

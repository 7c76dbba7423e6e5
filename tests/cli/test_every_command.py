"""Every command, walked from the CLI tree: a bad date or a bad site is a usage error (exit 2), never a
traceback and never exit 1 (the code for "no-go" / "findings")."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cutover.cli import app
from cutover.cli.common import ExitCode, iso_date

runner = CliRunner()
cli_app = importlib.import_module("cutover.cli.app")  # the module (cutover.cli.app names the Typer app too)
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


# ------------------------------------------------------------------------------------------------
# Help at 80 columns reads like a mature CLI: no type noise, no meaningless defaults
# ------------------------------------------------------------------------------------------------

def groups_and_leaves(group, prefix: tuple[str, ...] = ()):
    yield prefix
    for name, command in sorted(getattr(group, "commands", {}).items()):
        yield from groups_and_leaves(command, (*prefix, name))


EVERY_HELP = [" ".join(path) for path in groups_and_leaves(ROOT_COMMAND)]
# What typer prints when nobody chose a metavar: <bool>, <str>, <int>, <path>, <list[str]>, <int range> …
TYPE_NOISE = re.compile(r"<(bool|str|int|float|path|dir|file|uuid|datetime|list\[|tuple|[a-z]+ range)\b|<[\w-]+\|",
                        re.IGNORECASE)
PANELS = re.compile(r"─ (?:Options|Arguments) ─.*?╰", re.DOTALL)  # where typer prints a parameter's type


def help_at(name: str, width: int = 80) -> str:
    import typer.rich_utils  # reads TERMINAL_WIDTH once, when the first help of the process is printed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.rich_utils, "MAX_WIDTH", width)
        result = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", EVERY_HELP)
def test_help_reads_without_type_noise_at_80_columns(name):
    text = help_at(name)
    panels = "\n".join(PANELS.findall(text))
    assert "--help" in panels
    assert not TYPE_NOISE.search(panels), TYPE_NOISE.search(panels).group(0)
    assert "[default: 0]" not in text  # a default that means something else (--jobs 0: the CPU count)
    assert "[default: no-" not in text and "[default: False]" not in text  # a flag's off state
    assert not re.search(r"\[default:\s+/", text)  # an absolute path of the machine the help runs on
    assert max(map(len, text.splitlines())) <= 80


@pytest.mark.parametrize("name", [" ".join(path) for path in COMMANDS])
def test_every_option_shows_a_metavar_or_none_for_a_flag(name):
    command = COMMANDS[tuple(name.split())]
    for param in command.params:
        if getattr(param, "is_flag", False):
            assert param.metavar == "", param.name
        else:
            assert param.metavar and "<" not in param.metavar, param.name


def one_line(name: str) -> str:
    return " ".join(help_at(name, 250).replace("│", " ").split())


def test_help_shows_values_as_a_person_reads_them():
    plan = one_line("plan")
    assert "--jobs N Worker processes for site stacks (default: CPU count)." in plan
    assert "--format -f table|json" in plan and "--as-of YYYY-MM-DD" in plan and "--all Plan core" in plan
    rehearse = one_line("rehearse")
    assert "--site SITE Site(s) to rehearse. Repeatable." in rehearse
    assert "--forks N [1<=x<=99]" in rehearse and "--latency SECONDS" in rehearse and "--out DIR" in rehearse
    assert "Usage: root verify [OPTIONS] {SITE}..." in one_line("verify")
    assert "--pass seed|delta|final" in one_line("migration command")


def test_a_new_option_gets_the_same_treatment():
    """The treatment is applied when the root command is built, not restated per option."""
    extra = typer.Typer()

    @extra.command("probe")
    def probe(count: int = 3, loud: bool = False, where: Path = Path("x"), names: list[str] | None = None) -> None:
        """A command added later."""

    probe_group = cli_app._WorkflowOrder(name="root", commands={"probe": typer.main.get_command(extra)})
    params = {p.name: p for p in probe_group.commands["probe"].params}
    assert (params["count"].metavar, params["loud"].metavar, params["where"].metavar, params["names"].metavar) \
        == ("N", "", "PATH", "NAMES")

import random

import pytest

from cutover.migration.names import check_path
from cutover.migration.robocopy import (
    EXCLUDED_DIRS,
    RobocopyPlan,
    interpret_exit_code,
    quote_argument,
    split_command_line,
    windows_command_line,
)

SOURCE = r"\\dc-fs01\fukui$\shared"
TARGET = r"\\stfilespref18jpe001.file.core.windows.net\shared"


def plan(**overrides):
    values = {"source": SOURCE, "target": TARGET, "pass_name": "seed", "copy_security": True,
              "log_path": r"C:\cutover\logs\shared-seed.log"}
    return RobocopyPlan(**{**values, **overrides})


def test_dry_run_is_the_default_and_lists_only():
    assert "/L" in plan().flags()
    assert "/L" not in plan(dry_run=False).flags()


def test_mirror_points_at_the_azure_share_only():
    argv = plan(dry_run=False).argv()
    assert argv[1:3] == [SOURCE, TARGET]
    with pytest.raises(ValueError, match="swapped"):
        plan(source=TARGET, target=TARGET.replace("shared", "other"))
    with pytest.raises(ValueError, match="Azure file share UNC"):
        plan(target=r"\\dc-fs02\backup")


def test_security_is_copied_only_in_hybrid_mode():
    assert "/COPY:DATSO" in plan(copy_security=True).flags()
    flags = plan(copy_security=False).flags()
    assert "/COPY:DAT" in flags and "/COPY:DATSO" not in flags


def test_faithful_copy_flags():
    flags = plan().flags()
    for flag in ("/MIR", "/DCOPY:DAT", "/ZB", "/IT", "/XJ", "/MT:16", "/R:2", "/W:5"):
        assert flag in flags
    assert any(f.startswith("/UNILOG:") for f in flags)
    assert flags[flags.index("/XD") + 1] == "System Volume Information"


TRICKY = [
    SOURCE,  # $ means nothing to CreateProcess or cmd.exe: left as is
    r"\\dc-fs01\share with spaces\総務",
    "\\\\dc-fs01\\R&D (old)\\",  # cmd.exe's & and ( ), and a trailing backslash inside quotes
    'C:\\logs\\a"b.log',
    "",
    "100%",
    "tab\there",
]


@pytest.mark.parametrize("argument", TRICKY)
def test_each_argument_comes_back_from_the_logged_line(argument):
    line = windows_command_line(["robocopy.exe", argument, "/L"])
    assert split_command_line(line) == ["robocopy.exe", argument, "/L"]


def test_random_arguments_come_back_from_the_logged_line():
    rng = random.Random(20261124)
    alphabet = ' \t"\\&|<>^()!%$ab日本/:\''
    for _ in range(2000):
        argv = ["robocopy.exe", *("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
                                  for _ in range(rng.randint(1, 4)))]
        assert split_command_line(windows_command_line(argv)) == argv


def test_the_plan_logs_a_line_that_gives_back_its_arguments():
    tricky = plan(log_path=r"C:\cutover logs\R&D\seed.log", excluded_dirs=(*EXCLUDED_DIRS, "一時 保存"))
    assert split_command_line(tricky.command_line()) == tricky.argv()
    line = tricky.command_line()
    assert '"/UNILOG:C:\\cutover logs\\R&D\\seed.log"' in line and '"System Volume Information"' in line
    assert f" {SOURCE} " in line  # nothing quoted that needs no quotes: the line reads as typed


def test_cmd_special_characters_are_always_quoted():
    assert quote_argument("R&D") == '"R&D"' and quote_argument("a|b") == '"a|b"'
    assert quote_argument("plain") == "plain" and quote_argument("") == '""'


@pytest.mark.parametrize(
    ("code", "success", "word"),
    [(0, True, "no change"), (1, True, "copied"), (3, True, "extra"), (7, True, "mismatched"),
     (8, False, "could not be copied"), (9, False, "could not be copied"), (16, False, "fatal"),
     (-1, False, "unexpected")],
)
def test_exit_codes(code, success, word):
    meaning = interpret_exit_code(code)
    assert meaning.success is success
    assert word in meaning.summary


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("a\\" + "x" * 256, "component_too_long"),
        ("\\".join(["d" * 200] * 11), "path_too_long"),
        ("会議\\議事録:第1回.docx", "invalid_character"),
        ("会議\\CON.txt", "reserved_name"),
        ("会議\\古い資料 ", "trailing_dot_or_space"),
    ],
)
def test_names_azure_files_refuses(path, kind):
    assert kind in {f.kind for f in check_path(path)}


def test_max_path_is_a_parameter():
    path = "a\\" + "x" * 30 + ".txt"
    assert [f.kind for f in check_path(path, max_path=20)] == ["path_too_long"]
    assert check_path(path) == []


def test_ordinary_japanese_names_pass():
    assert check_path("全体会議\\2027年度\\議事録（第1回）.docx") == []


def test_migration_cli_prints_a_dry_run_unless_executed():
    from typer.testing import CliRunner

    from cutover.cli import app

    runner = CliRunner()
    dry = runner.invoke(app, ["migration", "command", "--site", "18", "--share", "shared"])
    assert dry.exit_code == 0 and dry.stdout.splitlines()[0].endswith("/L")
    assert "\\\\dc-fs01\\fukui$\\shared" in dry.stdout and ".file.core.windows.net\\shared" in dry.stdout
    real = runner.invoke(app, ["migration", "command", "--site", "18", "--share", "shared", "--pass", "final",
                               "--execute"])
    assert real.exit_code == 0 and not real.stdout.splitlines()[0].endswith("/L")
    assert "read-only" in real.stdout
    assert runner.invoke(app, ["migration", "command", "--site", "18", "--share", "nope"]).exit_code == 2


def test_migration_cli_checks_a_path_listing(tmp_path):
    from typer.testing import CliRunner

    from cutover.cli import app

    listing = tmp_path / "paths.txt"
    listing.write_text("全体会議\\議事録.docx\n全体会議\\a:b.txt\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["migration", "check-names", str(listing)])
    assert result.exit_code == 1 and "invalid_character" in result.stdout and "1 finding(s)" in result.stdout
    assert CliRunner().invoke(app, ["migration", "exit-code", "3"]).exit_code == 0
    assert CliRunner().invoke(app, ["migration", "exit-code", "16"]).exit_code == 1

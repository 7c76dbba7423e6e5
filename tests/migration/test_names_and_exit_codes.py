"""Exact findings for names Azure Files refuses and exact meanings of robocopy exit codes, at their limits.

tests/migration/test_rules.py shows the rules in use; these pin their boundaries and wording, so a
limit moved by one or a finding that loses its path or its reason fails a test.
"""

from __future__ import annotations

import pytest

from cutover.migration.names import MAX_COMPONENT, MAX_PATH, NameFinding, check_path
from cutover.migration.robocopy import ExitMeaning, interpret_exit_code


def test_every_finding_names_the_path_the_kind_and_the_reason():
    path = "会議\\a:b|c\\CON.txt\\古い資料.\\" + "x" * 256
    assert check_path(path) == [
        NameFinding(path, "invalid_character", "'a:b|c' contains ':', '|'"),
        NameFinding(path, "reserved_name", "'CON.txt' is a reserved device name"),
        NameFinding(path, "trailing_dot_or_space", "'古い資料.' ends with a dot or a space"),
        NameFinding(path, "component_too_long", f"{'x' * 40}… has 256 characters (limit 255)"),
    ]


def test_component_and_path_limits_are_inclusive():
    assert check_path("a\\" + "x" * MAX_COMPONENT) == []
    assert [f.kind for f in check_path("a\\" + "x" * (MAX_COMPONENT + 1))] == ["component_too_long"]
    longest = "\\".join(["d" * 200] * 10) + "\\" + "f" * (MAX_PATH - 10 * 201)
    assert len(longest) == MAX_PATH and check_path(longest) == []
    [finding] = check_path(longest + "x")
    assert finding == NameFinding(longest + "x", "path_too_long",
                                  f"{MAX_PATH + 1} characters (limit {MAX_PATH}, limit unconfirmed)")


def test_empty_components_are_skipped_not_the_rest_of_the_path():
    assert [f.kind for f in check_path("a\\\\CON")] == ["reserved_name"]
    assert [f.kind for f in check_path("\\leading\\trailing \\")] == ["trailing_dot_or_space"]


@pytest.mark.parametrize("name", ["NUL", "com1.log", "LPT9", "aux.tar.gz"])
def test_reserved_device_names_with_any_extension(name):
    assert [f.kind for f in check_path(f"folder\\{name}")] == ["reserved_name"]


@pytest.mark.parametrize("name", ["CONSOLE.txt", "COM10", "LPT0", "nul_list.txt", "file.name.txt", "a b.txt"])
def test_names_that_only_look_reserved_or_odd_pass(name):
    assert check_path(f"folder\\{name}") == []


@pytest.mark.parametrize("char", ['"', "/", ":", "|", "<", ">", "*", "?", "\x00", "\x1f"])
def test_each_forbidden_character(char):
    [finding] = check_path(f"x{char}y")
    assert finding.kind == "invalid_character" and finding.detail == f"{'x' + char + 'y'!r} contains {char!r}"


@pytest.mark.parametrize(("code", "meaning"), [
    (0, ExitMeaning(0, True, ("no change: source and target were already in sync",))),
    (1, ExitMeaning(1, True, ("one or more files were copied",))),
    (6, ExitMeaning(6, True, ("extra files or directories exist at the target (removed by /MIR unless listing)",
                              "mismatched files or directories were detected"))),
    (7, ExitMeaning(7, True, ("one or more files were copied",
                              "extra files or directories exist at the target (removed by /MIR unless listing)",
                              "mismatched files or directories were detected"))),
    (8, ExitMeaning(8, False, ("some files or directories could not be copied (retry limit exceeded)",))),
    (24, ExitMeaning(24, False, ("some files or directories could not be copied (retry limit exceeded)",
                                 "fatal error: robocopy did not copy anything (bad path, access denied to the "
                                 "share, or bad usage)"))),
    (31, ExitMeaning(31, False, ("one or more files were copied",
                                 "extra files or directories exist at the target (removed by /MIR unless listing)",
                                 "mismatched files or directories were detected",
                                 "some files or directories could not be copied (retry limit exceeded)",
                                 "fatal error: robocopy did not copy anything (bad path, access denied to the "
                                 "share, or bad usage)"))),
    (32, ExitMeaning(32, False, ("unexpected exit code 32: robocopy did not finish normally",))),
    (-1, ExitMeaning(-1, False, ("unexpected exit code -1: robocopy did not finish normally",))),
])
def test_exit_code_meanings_exactly(code, meaning):
    assert interpret_exit_code(code) == meaning
    assert interpret_exit_code(code).summary == "; ".join(meaning.meanings)

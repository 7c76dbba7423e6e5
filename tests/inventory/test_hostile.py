"""Hostile or careless inventory files: refused quickly with file, line/row and what to do; never a crash.

The files are kept in tests/fuzz/corpus/inventory/ (the fuzz tests replay them too).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutover.cli import app
from cutover.inventory import InventoryError, load_inventory

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus" / "inventory"
SITE = "18-fukui"
runner = CliRunner()


def problems_of(root: Path):
    with pytest.raises(InventoryError) as caught:
        load_inventory(root)
    return caught.value.problems


def with_file(root: Path, corpus_name: str, target: str) -> Path:
    shutil.copyfile(CORPUS / corpus_name, root / SITE / target)
    return root


def test_a_yaml_alias_bomb_is_refused_at_once(inventory_copy):
    with_file(inventory_copy, "alias-bomb.site.yml", "site.yml")
    start = time.perf_counter()
    problems = problems_of(inventory_copy)
    assert time.perf_counter() - start < 10  # the old loader took minutes and gigabytes
    [problem] = [p for p in problems if p.file == f"{SITE}/site.yml"]
    assert problem.line == 4 and "alias *a0" in problem.message and "not allowed" in problem.message


def test_a_merge_key_gets_a_clear_message(inventory_copy):
    with_file(inventory_copy, "merge-key.site.yml", "site.yml")
    [problem] = [p for p in problems_of(inventory_copy) if p.file == f"{SITE}/site.yml"]
    assert problem.line == 6 and problem.field == "<<"
    assert "merge keys (<<:) are not supported" in problem.message


def test_deep_nesting_is_a_problem_not_a_recursion_error(inventory_copy):
    with_file(inventory_copy, "deep-nesting.site.yml", "site.yml")
    [problem] = [p for p in problems_of(inventory_copy) if p.file == f"{SITE}/site.yml"]
    assert problem.line == 2 and "nested" in problem.message


def test_the_ansible_inventory_plugin_refuses_the_bomb_too(inventory_copy, project_root):
    from tests.inventory.test_ansible_plugin import ansible_inventory

    with_file(inventory_copy, "alias-bomb.site.yml", "site.yml")
    shutil.copyfile(project_root / "inventories" / "cutover.yml", inventory_copy / "cutover.yml")
    result = ansible_inventory(project_root, inventory_copy, "--list")
    assert "alias *a0" in result.stderr and "not allowed" in result.stderr


def test_an_unbalanced_quote_names_the_file_and_row(inventory_copy):
    with_file(inventory_copy, "unbalanced-quote.endpoints.csv", "endpoints.csv")
    [problem] = [p for p in problems_of(inventory_copy) if p.file == f"{SITE}/endpoints.csv"]
    assert problem.line == 3 and "quote" in problem.message


def test_a_huge_cell_names_the_file_and_row(inventory_copy):
    path = inventory_copy / SITE / "endpoints.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[2] = lines[2].replace("Sampleworks", '"' + "x" * 200_000 + '"', 1)
    path.write_text("".join(lines * 1) + "".join(lines[1:2] * 10_000), encoding="utf-8")
    problems = [p for p in problems_of(inventory_copy) if p.file == f"{SITE}/endpoints.csv"]
    assert problems[0].line == 3 and "larger than" in problems[0].message


@pytest.mark.parametrize(("corpus_name", "separator"), [("tab-separated.endpoints.csv", "tabs"),
                                                        ("semicolon-separated.endpoints.csv", "semicolons")])
def test_another_separator_gets_a_hint(inventory_copy, corpus_name, separator):
    with_file(inventory_copy, corpus_name, "endpoints.csv")
    problems = [p for p in problems_of(inventory_copy) if p.file == f"{SITE}/endpoints.csv"]
    assert len(problems) == 1 and problems[0].line == 1
    assert f"separated by {separator}" in problems[0].message and "comma" in problems[0].message


def test_a_header_only_endpoints_file_is_a_warning_naming_the_site(inventory_copy):
    site = "36-tokushima"  # no waiver names a PC there
    shutil.copyfile(CORPUS / "header-only.endpoints.csv", inventory_copy / site / "endpoints.csv")
    mail = inventory_copy / site / "mail.csv"  # no PC left to configure a mailer on
    header, *rows = mail.read_text(encoding="utf-8-sig").splitlines()
    mail.write_text("\n".join([header, *(row.rsplit(",", 1)[0] + "," for row in rows)]) + "\n", encoding="utf-8")
    inventory = load_inventory(inventory_copy)
    assert [(w.file, w.message) for w in inventory.warnings] == [
        (f"{site}/endpoints.csv", "pref-36-tokushima lists no PCs (only the header): nothing will be converged there")]
    result = runner.invoke(app, ["inventory", "validate", "--inventory", str(inventory_copy)])
    assert result.exit_code == 0
    assert f"warning: {site}/endpoints.csv" in result.stderr and "pref-36-tokushima lists no PCs" in result.stderr


def test_an_excel_lock_file_is_named_with_what_to_do(inventory_copy):
    (inventory_copy / SITE / "~$mail.csv").write_bytes(b"\x0bx" + b"\x00" * 160)
    inventory = load_inventory(inventory_copy)
    [warning] = inventory.warnings
    assert warning.file == f"{SITE}/~$mail.csv"
    assert "Excel lock file" in warning.message and "close mail.csv in Excel" in warning.message


@pytest.mark.parametrize("name", ["18-fukui - コピー", "18-fukui - Copy", "18-fukui (2)", "コピー ～ 18-fukui"])
def test_a_copied_site_folder_is_named_with_what_to_do(inventory_copy, name):
    shutil.copytree(inventory_copy / SITE, inventory_copy / name)
    [problem] = problems_of(inventory_copy)
    assert problem.file == name
    assert "a copy of the site folder 18-fukui" in problem.message and "move it out of" in problem.message


def test_printed_problems_are_capped(inventory_copy):
    path = inventory_copy / SITE / "endpoints.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text + "BAD,,,,,,,,\n" * 3000, encoding="utf-8")
    result = runner.invoke(app, ["inventory", "validate", "--inventory", str(inventory_copy)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) < 60
    assert lines[-1].strip().startswith("… and ") and lines[-1].strip().endswith(" more problem(s)")

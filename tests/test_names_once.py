"""Every name is spelled in one place: statuses, areas, the lock name, tag keys, the Office end dates.

The code under ``src/``, the roles' Python (filter plugins, module wrappers), ``ansible/`` and
``pulumi/`` is read as Python (``ast``), YAML and templates as text. A second spelling fails with
the file and line; fix it by importing the name from its one place.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import re
from pathlib import Path

import pytest

from cutover import lifecycle, naming
from cutover.evidence import facts
from cutover.evidence.collectors import ansible as ansible_collector
from cutover.evidence.model import AREAS, BY_SEVERITY, ROLE_AREAS, STATUSES
from cutover.report import i18n

ROOT = Path(__file__).resolve().parents[1]
MODEL = "src/cutover/evidence/model.py"
PYTHON = [p for pattern in ("src/**/*.py", "roles/*/filter_plugins/*.py", "roles/*/library/*.py", "ansible/**/*.py",
                            "pulumi/**/*.py") for p in sorted(ROOT.glob(pattern))]
TEXT = [p for pattern in ("roles/**/*.yml", "roles/**/*.j2", "ansible/**/*.yml", "src/cutover/report/templates/*",
                          "pulumi/**/*.yml", "awx/**/*.yml", "inventories/group_vars/**/*.yml")
        for p in sorted(ROOT.glob(pattern)) if p.is_file()]
# Tables that must name every member (a label per status or area): allowed, and their keys are checked below.
TABLES = {("src/cutover/report/i18n.py", "STATUS_LABELS"), ("src/cutover/report/i18n.py", "AREA_LABELS"),
          ("src/cutover/report/i18n.py", "STATUS_MEANING"), ("src/cutover/evidence/wording.py", "GENERIC_JA"),
          ("src/cutover/evidence/facts.py", "ROLES"), ("src/cutover/evidence/collectors/ansible.py", "TITLES")}
# Another vocabulary that happens to share words: the Pulumi policy results (pass/fail/waived/unknown/...).
OTHER_VOCABULARIES = {("src/cutover/cloud/policies.py", None), ("src/cutover/cli/plan_cmd.py", None)}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


@functools.cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _trees():
    for path in PYTHON:
        yield _rel(path), _parse(path)


def _owner(tree: ast.AST) -> dict[int, str | None]:
    """id(node) -> the name assigned by the statement the node belongs to (None: not an assignment)."""
    owner: dict[int, str | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            name = next((t.id for t in targets if isinstance(t, ast.Name)), None)
            for inner in ast.walk(node.value) if node.value else ():
                owner.setdefault(id(inner), name)
    return owner


def _enumerations(vocabulary: set[str], at_least: int = 5) -> list[str]:
    """Literals (tuple, list, set, dict keys, Literal[...]) that spell ``at_least`` members of the vocabulary.

    Five: a literal that names (nearly) the whole set is a second list of it; a local ranking of three
    or four statuses (the mail role's worst-of) is logic, not a list of names.
    """
    found = []
    for rel, tree in _trees():
        owner = _owner(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                items = node.keys
            elif isinstance(node, ast.Tuple | ast.List | ast.Set):
                items = node.elts
            else:
                continue
            words = {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
            if len(words & vocabulary) < at_least:
                continue
            name = owner.get(id(node))
            if rel == MODEL or (rel, name) in TABLES or (rel, None) in OTHER_VOCABULARIES:
                continue
            found.append(f"{rel}:{node.lineno} ({name or 'inline'}): {sorted(words & vocabulary)}")
    return found


@functools.cache
def _string_constants(paths: tuple[Path, ...]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for path in paths:
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                index.setdefault(node.value, []).append(f"{_rel(path)}:{node.lineno}")
    return index


def _constants(value: str) -> list[str]:
    """Where a string constant equal to ``value`` (or a text file containing it) appears."""
    found = list(_string_constants(tuple(PYTHON)).get(value, []))
    for path in TEXT:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if value in line:
                found.append(f"{_rel(path)}:{number}")
    return found


def test_statuses_are_enumerated_only_in_the_evidence_model():
    assert _enumerations(set(STATUSES) | {"pending"}) == []


def test_areas_are_enumerated_only_in_the_evidence_model():
    assert _enumerations(set(AREAS)) == []


def test_status_and_area_tuples_derive_from_the_literal_types():
    assert list(STATUSES) == ["pass", "fail", "error", "not_applicable", "manual", "waived"]  # CSV column order
    assert set(ROLE_AREAS) < set(AREAS) and "endpoint" in AREAS
    assert list(facts.FACT_STATUSES) == [*STATUSES[:-1], "pending"]  # a role never waives; it may wait
    assert sorted(BY_SEVERITY) == sorted(STATUSES)


def test_tables_keyed_by_status_or_area_name_every_member():
    for lang in ("ja", "en"):
        assert set(i18n.STATUS_LABELS[lang]) == set(STATUSES)
        assert set(i18n.AREA_LABELS[lang]) == set(AREAS)
    assert set(facts.ROLES) == set(ROLE_AREAS)
    assert set(ansible_collector.TITLES) == set(ROLE_AREAS)


@pytest.mark.parametrize("name", [naming.LOCK, naming.DIAGNOSTIC_SETTING, *naming.REQUIRED_TAGS])
def test_azure_names_are_spelled_only_in_naming(name):
    assert [where for where in _constants(name) if not where.startswith("src/cutover/naming.py:")] == []


def _office_ends() -> set[dt.date]:
    return {entry["end"] for entry in lifecycle.data()["office"].values() if entry["end"]}


def test_office_end_dates_come_only_from_the_lifecycle_data():
    found = []
    for end in _office_ends():
        for spelling in (end.isoformat(), f"{end.year}/{end.month:02d}/{end.day:02d}"):
            found += [w for w in _constants(spelling)]
        for rel, tree in _trees():
            for node in ast.walk(tree):  # dt.date(2025, 10, 14)
                if isinstance(node, ast.Call) and [getattr(a, "value", None) for a in node.args] == \
                        [end.year, end.month, end.day]:
                    found.append(f"{rel}:{node.lineno}")
    assert found == []


def test_report_deadlines_are_the_lifecycle_dates():
    from cutover.report import build

    office = lifecycle.data()["office"]
    assert office["office_2016"]["end"] == office["office_2019"]["end"]  # one deadline, "Office 2016/2019"
    assert {key: office[release]["end"] for key, release in build.OFFICE_DEADLINES.items()} == {
        "office_1619": dt.date(2025, 10, 14), "office_2021": dt.date(2026, 10, 13)}


def test_the_detector_finds_a_second_spelling(tmp_path):
    """The checks above can fail: a copy of the status tuple, the lock name and a date are each found."""
    rogue = tmp_path / "_rogue_names_for_test.py"
    rogue.write_text('ORDER = ("pass", "fail", "error", "manual", "waived")\nLOCK = "cutover-no-delete"\n'
                     'import datetime\nEND = datetime.date(2025, 10, 14)\n', encoding="utf-8")
    PYTHON.append(rogue)
    try:
        assert any("_rogue_names_for_test.py:1" in f for f in _enumerations(set(STATUSES)))
        assert "_rogue_names_for_test.py:2" in _constants(naming.LOCK)
        with pytest.raises(AssertionError):
            test_office_end_dates_come_only_from_the_lifecycle_data()
    finally:
        PYTHON.remove(rogue)


def test_check_ids_in_role_plugins_have_no_variable_part():
    """``<area>.<check>``: an f-string id may only fill in a fixed word (client, family, pass), never a value."""
    pattern = re.compile(facts.CHECK_ID)
    for path in sorted(ROOT.glob("roles/*/filter_plugins/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "id" and isinstance(value, ast.Constant):
                        assert pattern.match(value.value), f"{_rel(path)}:{node.lineno}: {value.value}"

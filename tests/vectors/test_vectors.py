"""Every shared vector against the twin module of the same name, plus the checks that keep vectors honest.

The same vectors run against the real PowerShell modules on Windows runners (tests/pester/); see
tests/vectors/README.md for the format.
"""

from __future__ import annotations

import json

import pytest

from cutover.twin import modules as twin_modules
from tests.vectors import vectorlib

twin_modules.load_all()
VECTORS = vectorlib.vector_files()
CUSTOM_MODULES = sorted(p.stem for p in [*vectorlib.ROOT.glob("roles/*/library/*.ps1"),
                                          *vectorlib.ROOT.glob("ansible/library/*.ps1")])
MATCHER_CASES = json.loads((vectorlib.HERE / "matcher-cases.json").read_text(encoding="utf-8"))


def _param(path):
    vector = vectorlib.load(path)
    marks = []
    defect = vector.known_defect
    if defect and defect["side"] in ("twin", "both"):
        marks.append(pytest.mark.xfail(strict=True, reason=f"known defect {defect['issue']}: {defect['detail']}"))
    return pytest.param(vector, id=vector.id, marks=marks)


@pytest.mark.parametrize("vector", [_param(p) for p in VECTORS])
def test_twin_module_meets_the_vector(vector):
    found = vectorlib.twin_mismatches(vector)
    assert not found, f"{vector.path.name}: {vector.data['description']}\n  " + "\n  ".join(found)


def test_there_are_vectors():
    assert len(VECTORS) >= 2 * len(CUSTOM_MODULES)


@pytest.mark.parametrize("module", CUSTOM_MODULES)
def test_every_custom_module_has_vectors(module):
    assert [p for p in VECTORS if p.parent.name == module], f"no vectors under tests/vectors/{module}/"


@pytest.mark.parametrize("module", CUSTOM_MODULES)
def test_every_custom_module_has_a_vector_windows_can_run(module):
    runnable = [p for p in VECTORS if p.parent.name == module and vectorlib.load(p).windows["arrange"] == "full"]
    assert runnable, f"{module}: no vector with windows.arrange=full, so nothing proves the .ps1 on Windows"


def test_vector_folders_are_custom_modules_and_twin_modules():
    folders = {p.name for p in vectorlib.HERE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    without_module = folders - set(CUSTOM_MODULES)
    without_twin = folders - set(twin_modules.REGISTRY)
    assert not without_module, f"vector folders without a roles/*/library module: {without_module}"
    assert not without_twin, f"vector folders without a twin module: {without_twin}"


@pytest.mark.parametrize("case", MATCHER_CASES, ids=lambda c: c["name"])
def test_matcher(case):
    found = vectorlib.mismatches(case["expected"], case["actual"])
    assert (not found) == case["match"], found


def test_a_bad_vector_is_named_with_its_field(tmp_path):
    folder = tmp_path / "cutover_office_facts"
    folder.mkdir()
    bad = folder / "bad.json"
    bad.write_text(json.dumps({"module": "cutover_office_facts", "description": "missing the windows block",
                               "state": {}, "args": {}, "check_mode": False, "expect": {"result": {"changed": False}}}))
    with pytest.raises(vectorlib.VectorError, match=r"bad.json: field \(top level\): 'windows' is a required property"):
        vectorlib.load(bad)
    bad.write_text(json.dumps({"module": "cutover_office_facts", "description": "arrange none without a reason",
                               "state": {}, "args": {}, "check_mode": False, "expect": {"result": {"changed": False}},
                               "windows": {"arrange": "none"}}))
    with pytest.raises(vectorlib.VectorError, match="field windows: 'reason' is a required property"):
        vectorlib.load(bad)
    bad.write_text(json.dumps({"module": "cutover_office_facts", "description": "a section the twin does not have",
                               "state": {"regsitry": {}}, "args": {}, "check_mode": False,
                               "expect": {"result": {"changed": False}}, "windows": {"arrange": "full"}}))
    with pytest.raises(vectorlib.VectorError, match=r"field state: unknown section\(s\) \['regsitry'\]"):
        vectorlib.load(bad)
    bad.write_text(json.dumps({"module": "cutover_office_facts", "description": "an unknown matcher operator",
                               "state": {}, "args": {}, "check_mode": False,
                               "expect": {"result": {"msi_products": {"$sorted": []}}},
                               "windows": {"arrange": "full"}}))
    with pytest.raises(vectorlib.VectorError, match=r"msi_products: .* is not one of the operators"):
        vectorlib.load(bad)
    bad.write_text("{\n  \"module\": \n}")
    with pytest.raises(vectorlib.VectorError, match=r"bad\.json:3: not valid JSON"):
        vectorlib.load(bad)


def test_the_runner_fails_a_vector_the_twin_does_not_meet(tmp_path):
    """A vector whose expectation the twin does not meet is reported, with the path of the difference."""
    vector = vectorlib.load(next(p for p in VECTORS if p.parent.name == "cutover_office_facts"))
    wrong = dict(vector.data, expect={"result": {"changed": True}})
    found = vectorlib.twin_mismatches(vectorlib.Vector(vector.path, wrong))
    assert found == ["result.changed: expected true, got false"]


def test_check_mode_vectors_leave_the_state_alone():
    """Every check-mode vector with an expected state must say what stays (a check that can fail)."""
    for path in VECTORS:
        vector = vectorlib.load(path)
        if vector.data["check_mode"] and vector.data["expect"]["result"].get("changed") is True:
            assert vector.data["expect"].get("state"), f"{vector.id}: check mode reports a change; say what stays"

"""What can be checked here about the Pester suite that runs the shared vectors on Windows runners.

No PowerShell runs on this machine: the suite itself runs in .github/workflows/windows.yml. Here: its files
parse, every vector is one it runs, every vector it must arrange uses only what the harness declares it can
arrange and observe (and each declared capability has its function), and every module util a custom module
asks for is found where the harness looks for it (the pinned ansible-core and the repository).
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

import ansible
from tests.pwsh import psast
from tests.vectors import vectorlib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HARNESS = HERE / "CutoverVectors.psm1"
PESTER_FILES = [*sorted(HERE.glob("*.ps1")), HARNESS]
VECTORS = [vectorlib.load(p) for p in vectorlib.vector_files()]


def harness_tree():
    return psast.parse(HARNESS.read_bytes())


def harness_functions() -> dict[str, object]:
    functions = {}
    for node in psast.walk(harness_tree().root_node):
        if node.type == "function_statement":
            name = next(c for c in node.children if c.type == "function_name")
            functions[psast.text(name).lower()] = node
    return functions


def capabilities() -> dict[str, str]:
    (table,) = psast.assignments(harness_tree(), "$script:CutoverVectorCapabilities")
    return psast.literal(table)


@pytest.mark.parametrize("path", PESTER_FILES, ids=lambda p: p.name)
def test_pester_files_parse(path):
    errors = psast.parse_errors(psast.parse(path.read_bytes()))
    assert not errors, [f"line {psast.line(e)}: {psast.text(e)[:60]}" for e in errors]


def test_every_declared_capability_has_its_function():
    functions = harness_functions()
    missing = {cap: fn for cap, fn in capabilities().items() if fn.lower() not in functions}
    assert not missing, f"capabilities without a function in CutoverVectors.psm1: {missing}"


@pytest.mark.parametrize("vector", [v for v in VECTORS if v.windows["arrange"] == "full"], ids=lambda v: v.id)
def test_the_harness_can_arrange_and_observe_the_vector(vector):
    missing = vectorlib.windows_needs(vector) - set(capabilities())
    assert not missing, (f"{vector.id} says windows.arrange=full but the Pester harness cannot {sorted(missing)}: "
                         "teach CutoverVectors.psm1, or set arrange=none with the reason")


def test_the_harness_runs_every_vector():
    """Get-CutoverVectorFile enumerates tests\\vectors\\cutover_*\\*.json: the same files pytest runs."""
    function = harness_functions()["get-cutovervectorfile"]
    literals = {psast.literal(n) for n in psast.walk(function) if n.type == "string_literal"}
    assert {"tests\\vectors", "cutover_*", "*.json"} <= literals
    folders = [d for d in (ROOT / "tests" / "vectors").iterdir() if d.is_dir() and d.name.startswith("cutover_")]
    pester_view = sorted(p for d in folders for p in d.glob("*.json"))
    assert pester_view == vectorlib.vector_files()
    suite = (HERE / "Vectors.Tests.ps1").read_text(encoding="utf-8")
    assert "Get-CutoverVectorFile" in suite and "Invoke-CutoverVector" in suite


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.id)
def test_the_harness_finds_the_module_of_each_vector(vector):
    found = [*ROOT.glob(f"roles/*/library/{vector.module}.ps1"), *ROOT.glob(f"ansible/library/{vector.module}.ps1")]
    assert len(found) == 1


def test_known_windows_defects_are_run_on_windows():
    for vector in VECTORS:
        defect = vector.known_defect
        if defect and defect["side"] in ("windows", "both"):
            assert vector.windows["arrange"] == "full", f"{vector.id}: a Windows defect that Windows never runs"


def test_the_pinned_ansible_core_provides_what_the_harness_loads():
    pinned = next(line.split("==")[1].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
                  if line.startswith("ansible-core=="))
    assert version("ansible-core") == pinned, "the venv's ansible-core is not the pinned one"
    utils = Path(ansible.__file__).parent / "module_utils"
    assert (utils / "csharp" / "Ansible.Basic.cs").is_file()
    assert (utils / "powershell" / "Ansible.ModuleUtils.AddType.psm1").is_file()


@pytest.mark.parametrize("script", sorted([*ROOT.glob("roles/*/library/*.ps1"), *ROOT.glob("ansible/library/*.ps1")]),
                         ids=lambda p: p.stem)
def test_every_module_util_a_module_asks_for_is_found(script):
    """The same resolution as Invoke-AnsibleModule.ps1: ansible-core's csharp/powershell folders, then ours."""
    utils = Path(ansible.__file__).parent / "module_utils"
    folders = [utils / "csharp", utils / "powershell", ROOT / "ansible" / "module_utils",
               *sorted(ROOT.glob("roles/*/module_utils"))]
    pending, seen, missing = [script.read_text(encoding="utf-8")], set(), []
    while pending:
        text = pending.pop()
        wanted = [(n, ".cs") for n in re.findall(r"(?im)^#AnsibleRequires\s+-CSharpUtil\s+(Ansible\.[\w.]+)", text)]
        wanted += [(n, ".cs") for n in re.findall(r"(?m)^using\s+(Ansible\.\w+)\s*;", text)]
        wanted += [(m[1], ".psm1") for m in re.findall(
            r"(?im)^#(AnsibleRequires\s+-PowerShell|Requires\s+-Module)\s+(Ansible\.ModuleUtils\.[\w.]+)", text)]
        for name, suffix in wanted:
            if (name, suffix) in seen:
                continue
            seen.add((name, suffix))
            found = [f / f"{name}{suffix}" for f in folders if (f / f"{name}{suffix}").is_file()]
            if found:
                pending.append(found[0].read_text(encoding="utf-8"))
            else:
                missing.append(name + suffix)
    assert ("Ansible.Basic", ".cs") in seen, f"{script.stem} does not use Ansible.Basic"
    assert not missing, f"{script.stem} asks for module utils the harness cannot find: {missing}"


def test_pester_is_pinned_exactly():
    assert re.fullmatch(r"\d+\.\d+\.\d+", (HERE / "PESTER_VERSION").read_text().strip())


def test_the_windows_workflow_runs_the_suite_on_both_runners():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on") or workflow.get(True)
    for event in ("push", "pull_request"):
        assert {"roles/**", "ansible/module_utils/**", "tests/vectors/**", "tests/pester/**"} <= set(
            triggers[event]["paths"]), f"{event} does not watch every path the suite depends on"
    (job,) = workflow["jobs"].values()
    assert set(job["strategy"]["matrix"]["os"]) == {"windows-2022", "windows-2025"}
    assert job["defaults"]["run"]["shell"] == "powershell", "the modules run in Windows PowerShell 5.1, not pwsh"
    runs = " ".join(step.get("run", "") for step in job["steps"])
    for script in ("Install-Prerequisite.ps1", "Invoke-CutoverPester.ps1"):
        assert f"tests\\pester\\{script}" in runs and (HERE / script).is_file()
    uploads = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "build/pester/" and uploads[0]["if"] == "always()"
